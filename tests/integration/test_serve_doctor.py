"""GET /api/v1/doctor: the library's doctor over the org's connection, the
same JSON as `zoomflow doctor --json`; admins only; one org never sees
another's signals. The webhook check is fed by real deliveries to the
service's intake (a url_validation, a forged signature, a stale
timestamp), signed here with Python's hmac."""
import hashlib
import hmac
import json
import subprocess
import time
import unittest

from srvharness import Serve
from zfharness import SLOW, WRAP, Sim, binary

SECRET = "Zs3cr3tT0ken-doctor-01"


def sign(secret, ts, body):
    msg = b"v0:" + str(ts).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


class ServeDoctor(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--auto-approve")
        try:
            cls.s = Serve(sim=cls.sim)
            for org in ("acme", "other"):
                cls.s.org(org)
            cls.keys = {r: cls.s.key("acme", "k-" + r, r) for r in ("viewer", "operator",
                                                                    "admin")}
            cls.other = cls.s.key("other", "k-admin", "admin")
        except BaseException:
            cls.sim.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop()
        cls.sim.stop()
        if rc != 0:
            raise AssertionError(f"zoomflow serve exited {rc}: {cls.s.stderr()[-3000:]}")

    def doctor(self, key):
        r = self.s.request("GET", "/api/v1/doctor", key=key)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        return body, {c["check"]: c for c in body["checks"]}

    def deliver(self, body, ts=None, secret=SECRET):
        ts = ts or int(time.time())
        return self.s.request("POST", "/webhooks/zoom/acme", body, headers={
            "x-zm-request-timestamp": str(ts), "x-zm-signature": sign(secret, ts, body)})

    def test_1_roles(self):
        for role in ("viewer", "operator"):
            r = self.s.request("GET", "/api/v1/doctor", key=self.keys[role])
            self.assertEqual(r.status, 403, r)
            self.assertEqual(r.json()["error"]["code"], "EFORBIDDEN")
            self.assertIn("admin", r.json()["error"]["message"])
        r = self.s.request("GET", "/api/v1/doctor")
        self.assertEqual(r.status, 401, r)
        # in the API document, admin only
        doc = self.s.request("GET", "/api/v1/openapi.json").json()
        self.assertEqual(doc["paths"]["/api/v1/doctor"]["get"]["x-min-role"], "admin")

    def test_2_unconnected_org(self):
        body, by = self.doctor(self.other)
        self.assertEqual(body["connection"], "other")
        self.assertEqual(body["verdict"], "fail")
        self.assertEqual(by["connection"]["details"]["state"], "ABSENT")
        self.assertEqual(by["connection"]["hint_id"], "CONNECT")
        # the service cares about webhooks: no secret warns
        self.assertEqual(by["webhooks"]["verdict"], "warn")
        self.assertEqual(by["webhooks"]["hint_id"], "WEBHOOK_SECRET")

    def test_3_webhook_failures_and_the_cli_agrees(self):
        r = self.s.request("POST", "/api/v1/connection", {
            "client_id": "zoomsim-s2s", "client_secret": "zoomsim-s2s-secret",
            "account_id": self.sim.state()["account_id"]}, key=self.keys["admin"])
        self.assertEqual(r.status, 200, r)
        r = self.s.request("PUT", "/api/v1/webhook", {"secret_token": SECRET},
                           key=self.keys["admin"])
        self.assertEqual(r.status, 200, r)
        body, by = self.doctor(self.keys["admin"])
        self.assertEqual(by["connection"]["verdict"], "ok", by["connection"])
        self.assertEqual(by["webhooks"]["verdict"], "warn")  # never validated
        self.assertIn("no url_validation", by["webhooks"]["found"])
        val = json.dumps({"payload": {"plainToken": "abc123"}, "event_ts": 1654503849680,
                          "event": "endpoint.url_validation"}).encode()
        self.assertEqual(self.deliver(val).status, 200)
        body, by = self.doctor(self.keys["admin"])
        self.assertEqual(by["webhooks"]["verdict"], "ok", by["webhooks"])
        self.assertGreater(by["webhooks"]["details"]["last_url_validation"], 0)
        ev = json.dumps({"event": "meeting.deleted", "event_ts": int(time.time() * 1000),
                         "payload": {"account_id": "a", "object": {"id": 1}}}).encode()
        self.assertEqual(self.deliver(ev, secret="forged").status, 401)
        body, by = self.doctor(self.keys["admin"])
        w = by["webhooks"]
        self.assertEqual(w["verdict"], "fail")
        self.assertEqual(w["hint_id"], "WEBHOOK_SECRET_MISMATCH")
        self.assertIn("1 deliveries refused for their signature", w["found"])
        self.assertEqual(self.deliver(ev, ts=int(time.time()) - 3600).status, 401)
        self.assertEqual(self.deliver(ev, ts=int(time.time()) - 3600).status, 401)
        body, by = self.doctor(self.keys["admin"])
        w = by["webhooks"]
        self.assertEqual(w["verdict"], "fail")
        self.assertEqual(w["hint_id"], "WEBHOOK_CLOCK")
        self.assertEqual(w["details"]["refused"], {"signature": 1, "timestamp": 2})
        self.assertEqual(body["verdict"], "fail")
        # the other org saw none of it
        _, oby = self.doctor(self.other)
        self.assertEqual(oby["webhooks"]["details"]["refused"], {})
        # the CLI over the same store and key says the same of the org
        env = {k: v for k, v in self.s.env.items()}
        p = subprocess.run(WRAP + [binary("zoomflow"), "--profile", "acme", "doctor", "--json",
                                   "--webhooks"], env=env, capture_output=True,
                           timeout=120 * SLOW)
        self.assertEqual(p.returncode, 1, p.stderr)
        cli = json.loads(p.stdout)
        self.assertEqual(set(cli), set(body))
        self.assertEqual([c["check"] for c in cli["checks"]], [c["check"] for c in body["checks"]])
        cby = {c["check"]: c for c in cli["checks"]}
        for name in ("webhooks", "scopes", "app_type", "rate_limits"):
            self.assertEqual(cby[name]["verdict"], by[name]["verdict"], name)
            self.assertEqual(cby[name]["details"], by[name]["details"], name)
        self.assertEqual(cby["webhooks"]["found"], by["webhooks"]["found"])


if __name__ == "__main__":
    unittest.main()
