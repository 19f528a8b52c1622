"""zoomsim fault injection, observed from the client side over real HTTP.

Uses GET /v2/zoomsim/ping (bearer, Light): its "handled" counter tells a
processed request from an unprocessed one, and ?bytes=N streams a body.
Raw sockets are used where http.client would hide the fault (it retries or
raises before showing what arrived)."""
import json
import socket
import time
import unittest

from zfharness import SLOW, Sim, SimCase


def raw_get(port, path, token, timeout=10):
    """One GET with Connection: close; returns (status, headers, body, bytes)
    where status is None when the server closed without answering."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout * SLOW)
    try:
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n").encode())
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    if not data:
        return None, {}, b"", data
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body, data


class FaultsTest(SimCase):
    def setUp(self):
        super().setUp()
        self.token = self.sim.token()
        # faults, not rate limits, are under test here
        r = self.sim.request("POST", "/_sim/limits", body={"enabled": False})
        self.assertEqual(r.status, 200, r)

    def add(self, **rule):
        r = self.sim.request("POST", "/_sim/faults", body=rule)
        self.assertEqual(r.status, 201, r)
        return r.json()["rules"][0]["id"]

    def rules(self):
        return self.sim.request("GET", "/_sim/faults").json()["rules"]

    def ping(self, query=""):
        return self.sim.request("GET", "/v2/zoomsim/ping" + query, token=self.token)

    def handled(self):
        r = self.ping()
        self.assertEqual(r.status, 200, r)
        return r.json()["handled"]

    def test_status_answers_instead_of_handler(self):
        before = self.handled()
        self.add(kind="status", status=503, count=1, route="zoomsim.ping")
        r = self.ping()
        self.assertEqual(r.status, 503)
        self.assertEqual(r.json(), {"code": 503, "message": "Service Unavailable."})
        # unprocessed: the next ping is the handler's second run, not third
        self.assertEqual(self.handled(), before + 1)
        rule = self.rules()[0]
        self.assertEqual((rule["fired"], rule["remaining"], rule["matched"]), (1, 0, 2))

    def test_status_custom_code_and_message(self):
        self.add(kind="status", status=502, code=9999, message="upstream went away", count=1)
        r = self.ping()
        self.assertEqual((r.status, r.json()), (502, {"code": 9999, "message": "upstream went away"}))

    def test_status_after_processes_then_fails(self):
        before = self.handled()
        self.add(kind="status_after", count=1)
        r = self.ping()
        self.assertEqual(r.status, 500)
        self.assertEqual(r.json()["code"], 500)
        self.assertIsNone(r.header("X-RateLimit-Category"))
        self.assertEqual(self.handled(), before + 2)  # the failed one ran too

    def test_rate_limit_burst(self):
        self.add(kind="rate_limit", count=2, retry_after=7)
        for _ in range(2):
            r = self.ping()
            self.assertEqual(r.status, 429)
            self.assertEqual(r.json()["message"], "You have reached the maximum per-second "
                             "rate limit for this API. Try again later.")
            self.assertEqual(r.header("Retry-After"), "7")
            self.assertEqual(r.header("X-RateLimit-Type"), "QPS")
            self.assertEqual(r.header("X-RateLimit-Category"), "Light")
            self.assertEqual(r.header("X-RateLimit-Limit"), "30")
        self.assertEqual(self.ping().status, 200)

    def test_rate_limit_daily_type(self):
        self.add(kind="rate_limit", count=1, type="Daily-limit")
        r = self.ping()
        self.assertEqual(r.status, 429)
        self.assertEqual(r.header("X-RateLimit-Type"), "Daily-limit")
        self.assertRegex(r.header("Retry-After"), r"^\d{4}-\d\d-\d\dT00:00:00Z$")

    def test_latency(self):
        t = time.monotonic()
        self.ping()
        base = time.monotonic() - t
        self.add(kind="latency", delay_ms=400, count=1)
        t = time.monotonic()
        r = self.ping()
        slow = time.monotonic() - t
        self.assertEqual(r.status, 200)
        self.assertGreaterEqual(slow, 0.4)
        self.assertGreater(slow, base + 0.3)

    def test_latency_needs_delay(self):
        r = self.sim.request("POST", "/_sim/faults", body={"kind": "latency"})
        self.assertEqual(r.status, 400)
        self.assertIn("delay_ms", r.json()["message"])

    def test_drop_processed_no_answer(self):
        before = self.handled()
        self.add(kind="drop", count=1)
        status, _, _, data = raw_get(self.sim.port, "/v2/zoomsim/ping", self.token)
        self.assertIsNone(status)
        self.assertEqual(data, b"")
        self.assertEqual(self.handled(), before + 2)
        log = self.sim.requests_log(route="zoomsim.ping")["requests"]
        self.assertEqual(log[-2]["status"], 0)

    def test_drop_streamed_body(self):
        self.add(kind="drop", count=1)
        status, _, _, data = raw_get(self.sim.port, "/v2/zoomsim/ping?bytes=100000", self.token)
        self.assertIsNone(status)
        self.assertEqual(data, b"")

    def test_drop_before_unprocessed_no_answer(self):
        before = self.handled()
        self.add(kind="drop_before", count=1)
        status, _, _, data = raw_get(self.sim.port, "/v2/zoomsim/ping", self.token)
        self.assertIsNone(status)
        self.assertEqual(data, b"")
        self.assertEqual(self.handled(), before + 1)

    def test_truncate_buffered(self):
        self.add(kind="truncate", count=1)
        status, headers, body, _ = raw_get(self.sim.port, "/v2/zoomsim/ping", self.token)
        self.assertEqual(status, 200)
        self.assertGreater(int(headers["content-length"]), len(body))
        self.assertGreater(len(body), 0)
        with self.assertRaises(ValueError):
            json.loads(body)

    def test_truncate_streamed(self):
        self.add(kind="truncate", count=1)
        status, headers, body, _ = raw_get(self.sim.port, "/v2/zoomsim/ping?bytes=200000",
                                           self.token)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-length"], "200000")
        self.assertLess(len(body), 200000)
        whole = self.ping("?bytes=200000").body
        self.assertEqual(len(whole), 200000)
        self.assertEqual(body, whole[:len(body)])

    def test_malformed_buffered(self):
        self.add(kind="malformed", count=1)
        r = self.ping()
        self.assertEqual(r.status, 200)
        with self.assertRaises(ValueError):
            json.loads(r.body)
        self.assertEqual(self.ping().status, 200)

    def test_malformed_streamed_corrupts_bytes(self):
        good = self.ping("?bytes=5000").body
        self.add(kind="malformed", count=1)
        bad = self.ping("?bytes=5000").body
        self.assertEqual(len(bad), 5000)
        self.assertNotEqual(bad, good)
        self.assertEqual(self.ping("?bytes=5000").body, good)

    def test_route_and_prefix_and_method_matching(self):
        self.add(kind="status", route="users.create", count=5)
        self.add(kind="status", path_prefix="/v2/meetings", count=5)
        self.add(kind="status", method="POST", count=5)
        self.assertEqual(self.ping().status, 200)
        self.assertEqual([r["matched"] for r in self.rules()], [0, 0, 0])
        self.add(kind="status", status=504, path_prefix="/v2/zoomsim", count=1)
        self.assertEqual(self.ping().status, 504)

    def test_global_rule_spares_control_plane(self):
        self.add(kind="status", status=500)  # always, everywhere
        self.assertEqual(self.ping().status, 500)
        self.assertEqual(self.sim.request("GET", "/_sim/faults").status, 200)

    def pattern(self, seed, n=40):
        self.sim.request("DELETE", "/_sim/faults")
        r = self.sim.request("POST", "/_sim/faults",
                             body={"seed": seed, "rules": [{"kind": "status", "probability": 0.5}]})
        self.assertEqual(r.status, 201, r)
        return [self.ping().status for _ in range(n)]

    def test_probability_reproducible_with_seed(self):
        a = self.pattern(1234)
        b = self.pattern(1234)
        c = self.pattern(99)
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        self.assertTrue(5 < a.count(500) < 35, a)
        self.assertEqual(self.rules()[0]["fired"], c.count(500))

    def test_delete_one_rule(self):
        rid = self.add(kind="status", count=3)
        self.assertEqual(self.sim.request("DELETE", f"/_sim/faults/{rid}").status, 204)
        self.assertEqual(self.rules(), [])
        r = self.sim.request("DELETE", "/_sim/faults/77")
        self.assertEqual(r.status, 404)

    def test_bad_rules_are_rejected_with_reason(self):
        cases = [
            ({"kind": "explode"}, "kind"),
            ({"kind": "status", "count": 1, "probability": 0.5}, "not both"),
            ({"kind": "status", "probability": 2}, "probability"),
            ({"kind": "status", "status": 99}, "status"),
            ({"kind": "status", "colour": "red"}, "colour"),
            ({"kind": "status", "path_prefix": "v2"}, "path_prefix"),
            ({"rules": [{"kind": "drop"}, {"kind": "nope"}]}, "rules[1]"),
        ]
        for body, word in cases:
            r = self.sim.request("POST", "/_sim/faults", body=body)
            self.assertEqual(r.status, 400, body)
            self.assertEqual(r.json()["code"], 300)
            self.assertIn(word, r.json()["message"], body)
        self.assertEqual(self.rules(), [])

    def test_reset_clears_rules(self):
        self.add(kind="status")
        self.sim.reset()
        self.assertEqual(self.rules(), [])


if __name__ == "__main__":
    unittest.main()
