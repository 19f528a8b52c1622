"""zoomsim core: start-up, routing, bearer check, control plane, request log."""
import os
import shutil
import subprocess
import tempfile
import unittest

from zfharness import Sim, binary, run


class CoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def test_unknown_path_is_zoom_2300(self):
        r = self.sim.request("GET", "/v2/no/such/endpoint")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["code"], 2300)

    def test_control_plane_off_by_default(self):
        with Sim(control=False) as s:
            self.assertEqual(s.request("POST", "/_sim/reset").status, 404)

    def test_clock_advance(self):
        before = self.sim.request("GET", "/_sim/clock").json()["now"]
        after = self.sim.advance(7200)["now"]
        self.assertGreaterEqual(after - before, 7200)
        self.sim.reset()

    def test_clock_advance_rejects_negative(self):
        r = self.sim.request("POST", "/_sim/clock/advance", body={"seconds": -5})
        self.assertEqual(r.status, 400)

    def test_request_log_counts(self):
        self.sim.request("DELETE", "/_sim/requests")
        for _ in range(3):
            self.sim.request("GET", "/v2/nope")
        log = self.sim.requests_log()
        self.assertEqual(log["counts"].get("unknown"), 3)
        self.assertEqual(len(log["requests"]), 3)
        self.assertTrue(all(e["status"] == 404 for e in log["requests"]))

    def test_since_must_be_a_number(self):
        # the control plane's counters take digits only: no sign, no blank,
        # no wrap-around (once strtoull read "-1" as "all of them", "x" as 0)
        for path in ("/_sim/requests", "/_sim/webhooks/deliveries"):
            for bad in ("-1", "x", " 1", "18446744073709551616"):
                r = self.sim.request("GET", path, query={"since": bad})
                self.assertEqual(r.status, 400, (path, bad))
                self.assertIn("since", r.json()["message"])
            self.assertEqual(self.sim.request("GET", path, query={"since": "0"}).status, 200)

    def test_body_too_large_is_413(self):
        r = self.sim.request("POST", "/_sim/clock/advance", raw=b"x" * (5 << 20),
                             headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413)

    def test_bad_usage_exit_2(self):
        p = run([binary("zoomsim"), "--port", "99999"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--port", p.stderr)

    def test_every_bad_option_named(self):
        """Each refused option exits 2 before listening, naming the option,
        the value and what to give instead."""
        tmp = tempfile.mkdtemp(prefix="zoomsim-usage-")
        self.addCleanup(shutil.rmtree, tmp, True)
        arr = os.path.join(tmp, "array.json")
        with open(arr, "w") as f:
            f.write("[1, 2]")
        good = os.path.join(tmp, "good.json")
        with open(good, "w") as f:
            f.write("{}")
        broken = os.path.join(tmp, "broken.json")
        with open(broken, "w") as f:
            f.write('{"apps": [\n')
        nine = [x for i in range(9) for x in ("--app", f"a{i}:s:http://127.0.0.1/cb")]
        cases = [
            (["--plan", "enterprise"], "--plan 'enterprise' is not valid: use free, pro or business"),
            (["--threads", "257"], "--threads '257' is not valid: give a number from 0 to 256"),
            (["--threads", "two"], "--threads 'two' is not valid"),
            (["--port", "-1"], "give a number from 0 to 65535"),
            (["--webhook-retry-scale", "11"], "give a number from 0 to 10"),
            (["--webhook-retry-scale", "-0.5"], "--webhook-retry-scale '-0.5' is not valid"),
            (["--webhook-retry-scale", "fast"], "--webhook-retry-scale 'fast' is not valid"),
            (["--webhook-retry-scale", ""], "--webhook-retry-scale '' is not valid"),
            (["--refresh-ttl", "0"], "give a number of seconds from 1 to 630720000"),
            (["--config", arr], f"--config {arr}: the file holds JSON but not an object"),
            # a config read, then a bad argument: the config is freed (ASan)
            (["--config", good, "--config", good, "--plan", "x"], "--plan 'x' is not valid"),
            (["--config", broken], f"--config {broken}: line 2"),
            (["--config", os.path.join(tmp, "absent.json")], "a JSON object is needed"),
            (nine, "at most 8 apps on the command line; use --config"),
            (["serve"], "unexpected argument 'serve' (see zoomsim --help)"),
            (["--no-such-option"], "usage: zoomsim"),
        ]
        for args, words in cases:
            with self.subTest(args=args[:2]):
                p = run([binary("zoomsim"), "--port", "0"] + args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(words, p.stderr.decode())
                self.assertNotIn(b"listening", p.stdout)

    def test_state_and_port_files_that_cannot_be_used(self):
        tmp = tempfile.mkdtemp(prefix="zoomsim-files-")
        self.addCleanup(shutil.rmtree, tmp, True)
        junk = os.path.join(tmp, "state.json")
        for text in ("not json", '{"version": 999}'):
            with open(junk, "w") as f:
                f.write(text)
            p = run([binary("zoomsim"), "--port", "0", "--state", junk])
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(f"--state {junk} is not a zoomsim state file", p.stderr.decode())
            self.assertIn("move it away or pass another path", p.stderr.decode())
        with open(junk) as f:
            self.assertEqual(f.read(), '{"version": 999}')  # left as it was
        # a --port-file in a directory that does not exist: named, exit 1
        gone = os.path.join(tmp, "no", "port")
        p = run([binary("zoomsim"), "--port", "0", "--port-file", gone])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(f"cannot write --port-file {gone}", p.stderr.decode())

    def test_help(self):
        p = run([binary("zoomsim"), "--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"--port-file", p.stdout)


if __name__ == "__main__":
    unittest.main()
