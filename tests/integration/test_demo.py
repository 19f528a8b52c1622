"""The main job: scripts/demo (what `make demo` runs) on the embedded
defaults, against the build's binaries. DEMO_ONCE=1 runs it through and
exits 0: the admin is made, signs in, connects Zoom through the OAuth flow,
the HR system's employee.onboarded makes one run whose three steps are
done (posted again: the same run), a recording completed in zoomsim
reaches the service as a signed webhook and the archive run downloads
every file with a manifest that sha256sum accepts. Without DEMO_ONCE the
service stays up, printing the admin page's URL and the sign-in, and
Ctrl-C (SIGINT) stops it and zoomsim and exits 0."""
import os
import re
import signal
import subprocess
import time
import unittest
import urllib.request

from zfharness import BUILD_DIR, SOURCE_DIR, heavy

DEMO = os.path.join(SOURCE_DIR, "scripts", "demo")


def env(**extra):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "BUILD": BUILD_DIR}
    e.update(extra)
    return e


class TestDemo(unittest.TestCase):
    @heavy
    def test_once_runs_through(self):
        p = subprocess.run([DEMO], env=env(DEMO_ONCE="1"), capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])
        out = p.stdout
        self.assertIn("connect=ok", out)
        self.assertIn("state VALID", out)
        self.assertIn("subscription active", out)
        self.assertRegex(out, r"run \d+ \(new-hire-day-one v\d+\): done")
        for step in ("account", "orientation", "invite"):
            self.assertRegex(out, rf"\n  {step} +done")
        self.assertIn("start_time=2031-03-10T13:00:00Z, timezone=America/New_York", out)
        self.assertRegex(out, r"run \d+, created: False -- no second user")
        self.assertRegex(out, r"run \d+ \(recordings-archive v\d+\): done")
        self.assertRegex(out, r"downloaded=2, files=2")
        self.assertEqual(len(re.findall(r"^\S+\.(mp4|vtt): OK$", out, re.M)), 2, out)
        self.assertIn("demo finished (DEMO_ONCE=1)", out)

    @heavy
    def test_stays_up_until_ctrl_c(self):
        p = subprocess.Popen([DEMO], env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
        lines = []
        deadline = time.time() + 300
        try:
            while time.time() < deadline:
                line = p.stdout.readline()
                if not line:
                    break
                lines.append(line)
                if "Ctrl-C stops both" in line:
                    break
            out = "".join(lines)
            self.assertIn("Ctrl-C stops both", out, out + p.stderr.read() if p.poll() else out)
            url = re.search(r"^    (http://127\.0\.0\.1:\d+)/$", out, re.M).group(1)
            self.assertRegex(out, r"sign in: admin@acme\.example / demo-[0-9a-f]+")
            with urllib.request.urlopen(url + "/healthz", timeout=10) as r:
                self.assertEqual(r.status, 200)
            os.killpg(p.pid, signal.SIGINT)
            rc = p.wait(60)
            self.assertEqual(rc, 0, p.stdout.read()[-2000:] + p.stderr.read()[-3000:])
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            p.stdout.close()
            p.stderr.close()
        with self.assertRaises(OSError):
            urllib.request.urlopen(url + "/healthz", timeout=5)


if __name__ == "__main__":
    unittest.main()
