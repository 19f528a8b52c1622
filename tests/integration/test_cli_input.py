"""Issue 8 §2 and the CLI side of §7: the CLI's file and value readers end
with a clear error on bad input, never a crash or an endless read.

  * --input naming a missing file, a directory or a socket, for every
    command that takes --input (found from the help texts, not listed here);
  * --input /dev/zero, an endless stdin pipe and an endless FIFO, and
    --client-secret-file /dev/zero: reading stops at the size cap, quickly;
  * a FIFO that ends is read like a file;
  * an unreadable config file (a socket, a directory), a bad line in it
    (the hint says once what to fix);
  * numbers (ZOOMFLOW_TIMEOUT, timeout in the file, connect --wait) are
    whole numbers in a range, and the error names the setting, the value and
    the range;
  * the TLS certificate hint says what to do once, not twice.

No test needs a Zoom connection: every failure happens before one is used.
The processes run under a deadline, so a hang fails the test instead of
stalling the suite.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import types
import unittest

from cliharness import CliEnv
from zfharness import SLOW, WRAP, Sim, binary, stop_clean

# a command that reads forever is a failure; a capped read takes well under 1 s
DEADLINE = 15
INPUT_CAP = 4 << 20
# placeholders of usage lines ("api [options] METHOD PATH") and what to put there
POSITIONAL = {"METHOD": "POST", "PATH": "/users", "[PATH]": "/users", "MEETING": "123",
              "ACTION": "create_user"}


def no_sim():
    """CliEnv wants a sim only for its URL; these tests never reach it."""
    return types.SimpleNamespace(url="http://127.0.0.1:9")


class Base(unittest.TestCase):
    def setUp(self):
        self.cli = CliEnv(no_sim())
        self.tmp = tempfile.mkdtemp(prefix="zoomflow-input-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.cli.dir, ignore_errors=True)

    def run_cli(self, *args, **kw):
        kw.setdefault("timeout", DEADLINE)
        return self.cli.run(*args, **kw)

    def assertFailsCleanly(self, p, status=2):
        """Exited (no signal), with the status, and an error on stderr."""
        self.assertGreaterEqual(p.returncode, 0, f"killed by signal: {p.err}")
        self.assertNotIn("Sanitizer", p.err)
        self.assertEqual(p.returncode, status, p.err)
        self.assertTrue(p.err.startswith("zoomflow: "), p.err)
        self.assertEqual(p.out, "")

    def socket_file(self):
        path = os.path.join(self.tmp, "sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        self.addCleanup(s.close)
        return path

    def commands_with_input(self):
        """[(words, positional args)] of every command whose help offers --input."""
        top = self.run_cli("--help")
        names = []
        in_list = False
        for line in top.out.splitlines():
            if line == "Commands:":
                in_list = True
            elif in_list and not line.strip():
                break
            elif in_list:
                names.append(re.split(r"\s{2,}", line.strip())[0])
        found = []
        for name in names:
            h = self.run_cli(*name.split(), "--help")
            self.assertEqual(h.returncode, 0, name)
            if not re.search(r"^\s+--input FILE", h.out, re.M):
                continue
            usage = h.out.splitlines()[0].split(name, 1)[1].split()
            pos = [POSITIONAL[w] for w in usage if w in POSITIONAL]
            found.append((name.split(), pos))
        return found


class InputFiles(Base):
    def test_commands_found(self):
        names = [" ".join(w) for w, _ in self.commands_with_input()]
        # the walk found the action commands and api; more may join later
        for expected in ("users create", "meetings create", "api"):
            self.assertIn(expected, names)

    def each_input(self, path, why):
        for words, pos in self.commands_with_input():
            with self.subTest(command=" ".join(words)):
                p = self.run_cli(*words, *pos, "--input", path)
                self.assertFailsCleanly(p)
                self.assertIn(path, p.err)
                self.assertIn(why, p.err)

    def test_missing_file(self):
        self.each_input("/nonexistent/input.json", "No such file or directory")

    def test_directory(self):
        self.each_input(self.tmp, "is a directory")

    def test_socket(self):
        # stat() succeeds but open() fails: the path that crashed on an
        # uninitialised buffer even for readers that check existence first
        self.each_input(self.socket_file(), "cannot open")

    def assertCapError(self, p, name):
        self.assertFailsCleanly(p)
        self.assertIn(name, p.err)
        self.assertIn(str(INPUT_CAP), p.err)
        self.assertIn("hint: ", p.err)

    def test_dev_zero(self):
        p = self.run_cli("users", "create", "--input", "/dev/zero")
        self.assertCapError(p, "/dev/zero")

    def feed_forever(self, f):
        """Writes to f until the reader goes away (EPIPE)."""
        chunk = b"x" * 65536
        try:
            while True:
                f.write(chunk)
        except (BrokenPipeError, OSError, ValueError):
            pass
        finally:
            try:
                f.close()
            except OSError:
                pass

    def test_endless_stdin(self):
        cmd = WRAP + [binary("zoomflow"), "users", "create", "--input", "-"]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.cli.env)
        feeder = threading.Thread(target=self.feed_forever, args=(proc.stdin,))
        feeder.start()
        try:
            rc = proc.wait(timeout=DEADLINE * SLOW)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            feeder.join()
        err = proc.stderr.read().decode()
        out = proc.stdout.read().decode()
        proc.stdout.close()
        proc.stderr.close()
        p = types.SimpleNamespace(returncode=rc, err=err, out=out)
        self.assertCapError(p, "stdin")

    def fifo(self, writer):
        path = os.path.join(self.tmp, "fifo")
        os.mkfifo(path)
        t = threading.Thread(target=lambda: writer(open(path, "wb")))
        t.start()
        self.addCleanup(t.join)
        return path

    def test_endless_fifo(self):
        path = self.fifo(self.feed_forever)
        p = self.run_cli("users", "create", "--input", path)
        self.assertCapError(p, path)

    def test_fifo_that_ends(self):
        def write(f):
            with f:
                f.write(b'{"action": "create", '
                        b'"user_info": {"email": "fifo@example.com", "type": 1}}')
        path = self.fifo(write)
        p = self.run_cli("users", "create", "--dry-run", "--input", path)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("fifo@example.com", p.out)

    def test_empty_input(self):
        path = os.path.join(self.tmp, "empty.json")
        open(path, "w").close()
        p = self.run_cli("users", "create", "--input", path)
        self.assertFailsCleanly(p)
        self.assertIn(f"--input {path} is empty; expected a JSON object", p.err)

    def test_client_secret_dev_zero(self):
        p = self.run_cli("connect", "--no-browser", "--client-secret-file", "/dev/zero")
        self.assertFailsCleanly(p)
        self.assertIn("/dev/zero", p.err)
        self.assertIn("4096", p.err)

    def test_client_secret_missing(self):
        p = self.run_cli("connect", "--no-browser", "--client-secret-file",
                         "/nonexistent/secret")
        self.assertFailsCleanly(p)
        self.assertIn("/nonexistent/secret", p.err)


class ConfigFile(Base):
    def config(self, text):
        path = os.path.join(self.tmp, "bad.ini")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_socket_config(self):
        path = self.socket_file()
        p = self.run_cli("--config", path, "config")
        self.assertFailsCleanly(p)
        self.assertIn(path, p.err)
        self.assertIn("cannot open", p.err)

    def test_directory_config(self):
        p = self.run_cli("--config", self.tmp, "config")
        self.assertFailsCleanly(p)
        self.assertIn(self.tmp, p.err)
        self.assertIn("is a directory", p.err)

    def test_default_config_unreadable(self):
        # the default path is read when it exists, and fails the same way
        os.makedirs(os.path.join(self.cli.env["XDG_CONFIG_HOME"], "zoomflow", "config"))
        p = self.run_cli("config")
        self.assertFailsCleanly(p)
        self.assertIn("is a directory", p.err)

    def test_dev_zero_config(self):
        p = self.run_cli("--config", "/dev/zero", "config")
        self.assertFailsCleanly(p)
        self.assertIn("/dev/zero", p.err)
        self.assertIn(str(1 << 20), p.err)

    def test_bad_line_hint_once(self):
        path = self.config("[default]\nclient_idd = x\n")
        p = self.run_cli("--config", path, "config")
        self.assertFailsCleanly(p)
        self.assertIn(f"{path} line 2: unknown key 'client_idd'", p.err)
        hints = [l for l in p.err.splitlines() if l.startswith("hint: ")]
        self.assertEqual(len(hints), 1, p.err)
        self.assertIn("known keys: db, ", hints[0])
        self.assertEqual(p.err.count(path), 1, p.err)
        self.assertNotIn("fix ", p.err.split(path, 1)[1], p.err)


BAD_NUMBERS = ["abc", "-5", "0.001", "0", "86401", "5s", " 5", "+5", "0x10", "1e3",
               "99999999999999999999", "-99999999999999999999"]


class Numbers(Base):
    def assertRangeError(self, p, name, value):
        self.assertFailsCleanly(p)
        self.assertIn(name, p.err)
        self.assertIn(f"'{value}'", p.err)
        self.assertIn("1 to 86400", p.err)

    def test_timeout_env(self):
        for v in BAD_NUMBERS:
            with self.subTest(value=v):
                p = self.run_cli("config", env={"ZOOMFLOW_TIMEOUT": v})
                self.assertRangeError(p, "ZOOMFLOW_TIMEOUT", v)

    def test_timeout_file(self):
        for v in BAD_NUMBERS:
            with self.subTest(value=v):
                path = os.path.join(self.tmp, "c.ini")
                with open(path, "w") as f:
                    f.write(f"[default]\ntimeout = '{v}'\n")
                p = self.run_cli("--config", path, "config")
                self.assertRangeError(p, "timeout", v)
                self.assertIn(f"{path} line 2", p.err)

    def test_timeout_other_profile_checked(self):
        # a typo in another profile's section surfaces too, like unknown keys
        path = os.path.join(self.tmp, "c.ini")
        with open(path, "w") as f:
            f.write("[default]\ntimeout = 30\n[other]\ntimeout = 3O\n")
        p = self.run_cli("--config", path, "config")
        self.assertRangeError(p, "timeout", "3O")

    def test_timeout_good(self):
        for v in ("1", "30", "86400"):
            with self.subTest(value=v):
                p = self.run_cli("config", env={"ZOOMFLOW_TIMEOUT": v})
                self.assertEqual(p.returncode, 0, p.err)
                self.assertEqual(json.loads(p.out)["timeout"],
                                 {"value": v, "from": "environment"})

    def test_connect_wait(self):
        for v in BAD_NUMBERS:
            with self.subTest(value=v):
                p = self.run_cli("connect", "--no-browser", "--wait", v)
                self.assertRangeError(p, "--wait", v)

    def test_dotted_integer_flag_not_clamped(self):
        # an integer member too big for 64 bits stays the text the user gave,
        # so validation names it, instead of becoming 9223372036854775807
        p = self.run_cli("meetings", "create", "--user-id", "me", "--dry-run",
                         "--settings.jbh_time", "99999999999999999999")
        self.assertFailsCleanly(p)
        self.assertIn('settings.jbh_time: must be an integer (got "99999999999999999999")',
                      p.err)
        self.assertNotIn("9223372036854775807", p.err)
        ok = self.run_cli("meetings", "create", "--user-id", "me", "--dry-run",
                          "--settings.jbh_time", "5")
        self.assertEqual(ok.returncode, 0, ok.err)
        self.assertEqual(json.loads(ok.out)["body"]["settings"]["jbh_time"], 5)


@unittest.skipUnless(shutil.which("openssl"), "needs openssl to make a certificate")
class TlsHint(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="zoomflow-tls-")
        cls.cert = os.path.join(cls.tmp, "cert.pem")
        cls.key = os.path.join(cls.tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", cls.key, "-out", cls.cert, "-days", "2",
                        "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
        cls.sim = Sim(tls=(cls.cert, cls.key))

    @classmethod
    def tearDownClass(cls):
        stop_clean(cls.sim)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_ca_file_named_once(self):
        cli = CliEnv(self.sim)
        self.addCleanup(shutil.rmtree, cli.dir, True)
        p = cli.run("connect", "--s2s", "--account-id", "acct", "--client-secret-file",
                    cli.secret_file, timeout=DEADLINE)
        self.assertEqual(p.returncode, 5, p.err)
        self.assertIn("TLS certificate of 127.0.0.1", p.err)
        hint = [l for l in p.err.splitlines() if l.startswith("hint: ")]
        self.assertEqual(len(hint), 1, p.err)
        self.assertIn("CA", hint[0])
        # no run of three words said twice ("for a private CA ... for a private CA")
        words = re.findall(r"[\w-]+", hint[0].lower())
        runs = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
        repeated = {r for r in runs if runs.count(r) > 1}
        self.assertFalse(repeated, hint[0])


if __name__ == "__main__":
    unittest.main()
