"""zoomsim core: start-up, routing, bearer check, control plane, request log."""
import os
import subprocess
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

    def test_help(self):
        p = run([binary("zoomsim"), "--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"--port-file", p.stdout)


if __name__ == "__main__":
    unittest.main()
