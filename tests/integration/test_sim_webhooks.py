"""zoomsim webhook delivery against a tiny receiver that checks what Zoom's
receivers check: x-zm-signature (computed here with Python's hmac, not by
zoomsim's code), a fresh x-zm-request-timestamp, the url_validation answer,
and Zoom's retry schedule (compressed with a retry scale)."""
import hashlib
import hmac
import http.server
import json
import threading
import time
import unittest

from test_sim_oauth import CID, OAuthCase
from zfharness import SLOW, Sim, SimCase, binary, heavy, run

SECRET = "whsec_test_0123456789"


class Receiver:
    """http.server on 127.0.0.1:0 in a thread. `script` is a list of statuses
    answered to event deliveries in order (then 200); validation is answered
    per `validation`: "right", "wrong" or an HTTP status."""

    def __init__(self, secret=SECRET, validation="right", script=None, delay=0, delays=None):
        self.secret = secret
        self.validation = validation
        self.script = list(script or [])
        self.delay = delay
        self.delays = list(delays or [])  # per delivery, in order, before `delay`
        self.got = []  # (headers dict, raw body, monotonic time, signature_ok)
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.handle(self, raw)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/zoom"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def sig_ok(self, headers, raw):
        ts = headers.get("x-zm-request-timestamp", "")
        msg = b"v0:" + ts.encode() + b":" + raw
        want = "v0=" + hmac.new(self.secret.encode(), msg, hashlib.sha256).hexdigest()
        fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
        return fresh and hmac.compare_digest(want, headers.get("x-zm-signature", ""))

    def handle(self, h, raw):
        headers = {k.lower(): v for k, v in h.headers.items()}
        body = json.loads(raw)
        with self.lock:
            self.got.append((headers, raw, time.monotonic(), self.sig_ok(headers, raw)))
        if body.get("event") == "endpoint.url_validation":
            plain = body["payload"]["plainToken"]
            enc = hmac.new(self.secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
            if self.validation == "wrong":
                enc = "00" + enc[2:]
            if isinstance(self.validation, int):
                return self.answer(h, self.validation, b"{}")
            return self.answer(h, 200, json.dumps({"plainToken": plain,
                                                   "encryptedToken": enc}).encode())
        with self.lock:
            wait = self.delays.pop(0) if self.delays else self.delay
        if wait:
            time.sleep(wait)
        with self.lock:
            status = self.script.pop(0) if self.script else 200
        self.answer(h, status, b"")

    @staticmethod
    def answer(h, status, payload):
        try:
            h.send_response(status)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting (the slow-answer test)

    def events(self, name=None):
        with self.lock:
            out = [(hd, json.loads(raw), t, ok) for hd, raw, t, ok in self.got]
        return [e for e in out if name is None or e[1]["event"] == name]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def wait_for(fn, timeout=30):
    deadline = time.monotonic() + timeout * SLOW
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


class WebhooksTest(SimCase):
    def setUp(self):
        super().setUp()
        self.receivers = []

    def tearDown(self):
        for r in self.receivers:
            r.stop()

    def receiver(self, **kw):
        r = Receiver(**kw)
        self.receivers.append(r)
        return r

    def subscribe(self, rcv, expect="active", **extra):
        r = self.sim.request("POST", "/_sim/webhooks",
                             body={"url": rcv.url, "secret": SECRET, **extra})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json()["subscription"], "pending")
        st = wait_for(lambda: (lambda j: j if j["subscription"] != "pending" else None)(
            self.sim.request("GET", "/_sim/webhooks").json()))
        self.assertEqual(st["subscription"], expect, st)
        return st

    def emit(self, event, obj=None, top=None):
        body = {"event": event, "object": obj or {}}
        if top:
            body["top"] = top
        r = self.sim.request("POST", "/_sim/webhooks/emit", body=body)
        self.assertEqual(r.status, 202, r)
        return r.json()["event_id"]

    def deliveries(self, event=None):
        q = {"event": event} if event else None
        return self.sim.request("GET", "/_sim/webhooks/deliveries", query=q).json()["deliveries"]

    def test_url_validation_success_is_signed(self):
        rcv = self.receiver()
        st = self.subscribe(rcv)
        self.assertTrue(st["secret_set"])
        self.assertNotIn("secret", st)
        (hd, body, _, ok), = rcv.events("endpoint.url_validation")
        self.assertTrue(ok)
        self.assertEqual(set(body), {"event", "payload", "event_ts"})
        self.assertTrue(body["payload"]["plainToken"])
        d = self.deliveries("endpoint.url_validation")
        self.assertEqual([(x["result"], x["status"]) for x in d], [("validated", 200)])

    def test_url_validation_wrong_token_fails(self):
        rcv = self.receiver(validation="wrong")
        st = self.subscribe(rcv, expect="failed")
        self.assertIn("encryptedToken", st["reason"])
        self.emit("meeting.created", {"id": 1})
        self.assertEqual(self.deliveries("meeting.created")[0]["result"], "no subscription")
        self.assertEqual(rcv.events("meeting.created"), [])

    def test_url_validation_http_error_fails(self):
        rcv = self.receiver(validation=500)
        st = self.subscribe(rcv, expect="failed")
        self.assertIn("500", st["reason"])

    def test_delivery_envelope_and_signature(self):
        rcv = self.receiver()
        self.subscribe(rcv)
        before = int(time.time() * 1000)
        obj = {"id": 85746065432, "uuid": "abc==", "topic": "Day 1"}
        self.emit("recording.completed", obj, top={"download_token": "dl-tok"})
        (hd, body, _, ok), = wait_for(lambda: rcv.events("recording.completed"))
        self.assertTrue(ok, "signature or timestamp rejected")
        self.assertEqual(body["event"], "recording.completed")
        self.assertEqual(body["payload"], {"account_id": "zsimAcct0000000000001", "object": obj})
        self.assertEqual(body["download_token"], "dl-tok")
        self.assertIsInstance(body["event_ts"], int)
        self.assertLess(abs(body["event_ts"] - before), 60000)
        self.assertTrue(hd["content-type"].startswith("application/json"))
        self.assertIn("Zoom", hd["user-agent"])
        d = wait_for(lambda: self.deliveries("recording.completed"))
        self.assertEqual([(x["attempt"], x["status"], x["result"]) for x in d],
                         [(1, 200, "delivered")])

    def test_signature_covers_raw_body(self):
        rcv = self.receiver(secret="another-secret")  # checks with the wrong key
        r = self.sim.request("POST", "/_sim/webhooks", body={"url": rcv.url, "secret": SECRET})
        self.assertEqual(r.status, 202)
        (hd, _, _, ok), = wait_for(lambda: rcv.events("endpoint.url_validation"))
        self.assertFalse(ok)

    def test_retry_schedule_then_success(self):
        rcv = self.receiver(script=[500, 500, 200])
        self.subscribe(rcv, retry_scale=0.001)  # 5/20/60 min -> 0.3/1.2/3.6 s
        self.emit("meeting.created", {"id": 7})
        d = wait_for(lambda: [x for x in self.deliveries("meeting.created")
                              if x["result"] == "delivered"] and self.deliveries("meeting.created"))
        self.assertEqual([(x["attempt"], x["status"]) for x in d], [(1, 500), (2, 500), (3, 200)])
        self.assertEqual([x["retry_in_ms"] for x in d[:2]], [300, 1200])
        gaps = [d[1]["real_ms"] - d[0]["real_ms"], d[2]["real_ms"] - d[1]["real_ms"]]
        self.assertGreaterEqual(gaps[0], 290)
        self.assertGreaterEqual(gaps[1], 1190)
        times = [t for _, _, t, _ in rcv.events("meeting.created")]
        self.assertEqual(len(times), 3)
        self.assertGreaterEqual(times[1] - times[0], 0.29)
        time.sleep(0.5)
        self.assertEqual(len(rcv.events("meeting.created")), 3)

    def test_gives_up_after_four_attempts(self):
        rcv = self.receiver(script=[503] * 10)
        self.subscribe(rcv, retry_scale=0.0001)
        self.emit("meeting.deleted", {"id": 8})
        d = wait_for(lambda: [x for x in self.deliveries("meeting.deleted")
                              if x["result"] == "failed, dropped"] and self.deliveries("meeting.deleted"))
        self.assertEqual([x["attempt"] for x in d], [1, 2, 3, 4])
        self.assertTrue(all(x["status"] == 503 for x in d))
        time.sleep(0.3)
        self.assertEqual(len(rcv.events("meeting.deleted")), 4)

    @heavy  # waits out the 3 s timeout
    def test_slow_answer_is_a_failure(self):
        rcv = self.receiver(delay=3.5)
        self.subscribe(rcv, retry_scale=10)
        self.emit("meeting.updated", {"id": 9})
        d = wait_for(lambda: self.deliveries("meeting.updated"), timeout=15)
        self.assertEqual(d[0]["result"], "failed, retry scheduled")
        self.assertIn("3000 ms", d[0]["error"])

    def test_retry_resends_the_same_body(self):
        rcv = self.receiver(script=[500, 200])
        self.subscribe(rcv, retry_scale=0.0005)
        self.emit("meeting.created", {"id": 70, "topic": "x"})
        got = wait_for(lambda: (lambda e: e if len(e) == 2 else None)(
            rcv.events("meeting.created")))
        with rcv.lock:
            raws = [raw for hd, raw, t, ok in rcv.got if b"meeting.created" in raw]
        self.assertEqual(raws[0], raws[1], "the body is serialised once")
        # Zoom documents neither id; they are new on every attempt, so a
        # receiver cannot lean on them to spot a resend
        self.assertNotEqual(got[0][0]["x-zm-request-id"], got[1][0]["x-zm-request-id"])
        self.assertNotEqual(got[0][0]["x-zm-trackingid"], got[1][0]["x-zm-trackingid"])
        self.assertTrue(got[0][3] and got[1][3], "each attempt signed")
        self.assertEqual([x["status"] for x in self.deliveries("meeting.created")], [500, 200])

    def validation(self):
        return self.sim.request("GET", "/_sim/webhooks").json()["validation"]

    def test_validate_on_request(self):
        rcv = self.receiver()
        self.subscribe(rcv)
        v = self.validation()
        self.assertEqual((v["count"], v["result"]), (1, "validated"))
        r = self.sim.request("POST", "/_sim/webhooks/validate")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json()["subscription"], "pending")
        wait_for(lambda: self.validation()["count"] == 2
                 and self.validation()["result"] is not None
                 and self.sim.request("GET", "/_sim/webhooks").json()["subscription"] == "active")
        tokens = [b["payload"]["plainToken"] for _, b, _, _ in rcv.events("endpoint.url_validation")]
        self.assertEqual(len(tokens), 2)
        self.assertNotEqual(tokens[0], tokens[1], "a new plainToken each time")
        # the endpoint breaks: the next validation fails and says why
        rcv.validation = "wrong"
        self.sim.request("POST", "/_sim/webhooks/validate")
        st = wait_for(lambda: (lambda j: j if j["subscription"] == "failed" else None)(
            self.sim.request("GET", "/_sim/webhooks").json()))
        self.assertEqual(st["validation"]["result"], "validation failed")
        self.assertIn("encryptedToken", st["validation"]["reason"])
        self.assertIsNone(st["validation"]["next"])
        self.emit("meeting.created", {"id": 1})
        self.assertEqual(self.deliveries("meeting.created")[-1]["result"], "no subscription")
        # fixed again: validating brings the subscription back
        rcv.validation = "right"
        self.sim.request("POST", "/_sim/webhooks/validate")
        st = wait_for(lambda: (lambda j: j if j["subscription"] == "active" else None)(
            self.sim.request("GET", "/_sim/webhooks").json()))
        self.assertEqual(st["validation"]["count"], 4)
        self.emit("meeting.created", {"id": 2})
        wait_for(lambda: rcv.events("meeting.created"))

    def test_validate_without_subscription(self):
        r = self.sim.request("POST", "/_sim/webhooks/validate")
        self.assertEqual(r.status, 409, r)
        self.assertIn("/_sim/webhooks", r.json()["message"])

    def test_revalidation_every_72_hours(self):
        rcv = self.receiver()
        self.subscribe(rcv)
        self.sim.advance(72 * 3600 - 120)
        time.sleep(1.2)
        self.assertEqual(len(rcv.events("endpoint.url_validation")), 1)
        self.sim.advance(180)
        wait_for(lambda: len(rcv.events("endpoint.url_validation")) == 2)
        wait_for(lambda: self.validation()["count"] == 2 and
                 self.sim.request("GET", "/_sim/webhooks").json()["subscription"] == "active")
        # events raised around it are delivered once it passes
        self.emit("meeting.created", {"id": 3})
        wait_for(lambda: rcv.events("meeting.created"))

    def test_one_subscription_per_app(self):
        a = self.receiver(secret="secret-of-app-a")
        b = self.receiver(secret="secret-of-app-b")
        for app, rcv in (("appA", a), ("appB", b)):
            body = {"client_id": app, "url": rcv.url, "secret": rcv.secret}
            if app == "appB":
                body["events"] = ["meeting.created"]
            r = self.sim.request("POST", "/_sim/webhooks", body=body)
            self.assertEqual(r.status, 202, r)
            self.assertEqual(r.json()["client_id"], app)
        for app in ("appA", "appB"):
            wait_for(lambda: self.sim.request("GET", "/_sim/webhooks", query={
                "client_id": app}).json()["subscription"] == "active")
        subs = self.sim.request("GET", "/_sim/webhooks/subscriptions").json()["subscriptions"]
        self.assertEqual(sorted(x["client_id"] for x in subs), ["appA", "appB"])
        self.assertEqual(self.sim.request("GET", "/_sim/webhooks").json()["subscription"], "none")
        self.emit("meeting.created", {"id": 11})
        self.emit("meeting.deleted", {"id": 11})
        wait_for(lambda: a.events("meeting.deleted") and b.events("meeting.created"))
        for rcv in (a, b):  # each signed with its own app's secret token
            self.assertTrue(all(ok for _, _, _, ok in rcv.events()), rcv.secret)
        self.assertEqual(b.events("meeting.deleted"), [])
        mine = self.sim.request("GET", "/_sim/webhooks/deliveries",
                                query={"client_id": "appB"}).json()["deliveries"]
        self.assertEqual(sorted((x["event"], x["result"], x["client_id"]) for x in mine),
                         [("endpoint.url_validation", "validated", "appB"),
                          ("meeting.created", "delivered", "appB"),
                          ("meeting.deleted", "not subscribed", "appB")])
        # one app gone: the other still gets its events
        self.assertEqual(self.sim.request("DELETE", "/_sim/webhooks",
                                          query={"client_id": "appA"}).status, 204)
        self.emit("meeting.created", {"id": 12})
        wait_for(lambda: len(b.events("meeting.created")) == 2)
        time.sleep(0.2)
        self.assertEqual(len(a.events("meeting.created")), 1)
        self.assertEqual(self.sim.request("GET", "/_sim/webhooks", query={
            "client_id": "appA"}).json()["subscription"], "none")

    def test_subscription_limit_and_bad_client_id(self):
        for i in range(16):
            r = self.sim.request("POST", "/_sim/webhooks", body={
                "client_id": f"app{i}", "url": "http://127.0.0.1:9/x", "secret": "s"})
            self.assertEqual(r.status, 202, r)
        r = self.sim.request("POST", "/_sim/webhooks", body={
            "client_id": "one-too-many", "url": "http://127.0.0.1:9/x", "secret": "s"})
        self.assertEqual(r.status, 409, r)
        # replacing an existing app's subscription still works
        r = self.sim.request("POST", "/_sim/webhooks", body={
            "client_id": "app3", "url": "http://127.0.0.1:9/y", "secret": "s"})
        self.assertEqual((r.status, r.json()["url"]), (202, "http://127.0.0.1:9/y"))
        r = self.sim.request("GET", "/_sim/webhooks", query={"client_id": "x" * 64})
        self.assertEqual(r.status, 400, r)
        r = self.sim.request("POST", "/_sim/webhooks", body={
            "client_id": 7, "url": "http://127.0.0.1:9/x", "secret": "s"})
        self.assertEqual(r.status, 400, r)
        self.assertIn("client_id", r.json()["message"])

    @heavy  # waits out the 3 s timeout
    def test_slow_answer_is_retried(self):
        rcv = self.receiver(delays=[3.5])  # the first delivery too slow, then quick
        self.subscribe(rcv, retry_scale=0.001)
        self.emit("meeting.updated", {"id": 10})
        d = wait_for(lambda: [x for x in self.deliveries("meeting.updated")
                              if x["result"] == "delivered"] and self.deliveries("meeting.updated"),
                     timeout=20)
        self.assertEqual([(x["attempt"], x["result"], x["status"]) for x in d],
                         [(1, "failed, retry scheduled", None), (2, "delivered", 200)])
        self.assertIn("no answer within 3000 ms", d[0]["error"])
        self.assertGreaterEqual(d[0]["duration_ms"], 2900)
        self.assertLess(d[0]["duration_ms"], 3400, "Zoom waits 3 s, no longer")
        with rcv.lock:
            raws = [raw for hd, raw, t, ok in rcv.got if b"meeting.updated" in raw]
        self.assertEqual(len(raws), 2)
        self.assertEqual(raws[0], raws[1])

    def test_event_filter(self):
        rcv = self.receiver()
        self.subscribe(rcv, events=["meeting.created"])
        self.emit("meeting.deleted", {"id": 1})
        self.emit("meeting.created", {"id": 2})
        wait_for(lambda: rcv.events("meeting.created"))
        self.assertEqual(self.deliveries("meeting.deleted")[0]["result"], "not subscribed")
        self.assertEqual(rcv.events("meeting.deleted"), [])

    def test_events_recorded_without_subscription(self):
        eid = self.emit("meeting.created", {"id": 3})
        (d,) = self.deliveries()
        self.assertEqual((d["event_id"], d["event"], d["result"], d["attempt"]),
                         (eid, "meeting.created", "no subscription", 0))

    def test_unsubscribe(self):
        rcv = self.receiver()
        self.subscribe(rcv)
        self.assertEqual(self.sim.request("DELETE", "/_sim/webhooks").status, 204)
        self.emit("meeting.created")
        self.assertEqual(self.deliveries("meeting.created")[0]["result"], "no subscription")

    def test_bad_config_and_emit_rejected(self):
        cases = [
            ("/_sim/webhooks", {"url": "ftp://x", "secret": "s"}, "url"),
            ("/_sim/webhooks", {"url": "http://127.0.0.1:9/x"}, "secret"),
            ("/_sim/webhooks", {"url": "http://127.0.0.1:9/x", "secret": "s", "events": "all"},
             "events"),
            ("/_sim/webhooks", {"url": "http://127.0.0.1:9/x", "secret": "s", "retry_scale": -1},
             "retry_scale"),
            ("/_sim/webhooks/emit", {"object": {}}, "event"),
            ("/_sim/webhooks/emit", {"event": "x.y", "object": [1]}, "object"),
        ]
        for path, body, word in cases:
            r = self.sim.request("POST", path, body=body)
            self.assertEqual(r.status, 400, body)
            self.assertIn(word, r.json()["message"], body)
        self.assertEqual(self.sim.request("GET", "/_sim/webhooks").json()["subscription"], "none")


class DeauthorizeTest(OAuthCase, SimCase):
    """POST /_sim/apps/deauthorize: the grant dies and only that app's
    subscription gets app_deauthorized, shaped as Zoom's Marketplace
    webhooks file shows it."""

    def test_app_removed(self):
        mine, theirs = Receiver(secret="app-secret"), Receiver(secret="their-secret")
        self.addCleanup(mine.stop)
        self.addCleanup(theirs.stop)
        for app, rcv in ((CID, mine), ("appB", theirs)):
            r = self.sim.request("POST", "/_sim/webhooks",
                                 body={"client_id": app, "url": rcv.url, "secret": rcv.secret})
            self.assertEqual(r.status, 202, r)
            wait_for(lambda: self.sim.request("GET", "/_sim/webhooks", query={
                "client_id": app}).json()["subscription"] == "active")
        tok = self.connect()
        self.assertTrue(self.introspect(tok["access_token"])["active"])
        r = self.sim.request("POST", "/_sim/apps/deauthorize", body={"client_id": CID})
        self.assertEqual(r.status, 200, r)
        out = r.json()
        self.assertEqual(out["grants_revoked"], 1)
        owner = out["user_id"]
        self.assertFalse(self.introspect(tok["access_token"])["active"])
        self.assertFalse(self.introspect(tok["refresh_token"])["active"])
        (hd, body, _, ok), = wait_for(lambda: mine.events("app_deauthorized"))
        self.assertTrue(ok)  # signed with the app's own secret token
        self.assertEqual(body["event"], "app_deauthorized")
        self.assertNotIn("event_ts", body)
        p = body["payload"]
        self.assertEqual(sorted(p), ["account_id", "client_id", "deauthorization_time",
                                     "event_ts", "signature", "user_id"])
        self.assertEqual((p["client_id"], p["user_id"]), (CID, owner))
        self.assertEqual(p["account_id"], self.sim.state()["account_id"])
        self.assertRegex(p["signature"], r"^[0-9a-f]{64}$")
        self.assertRegex(p["deauthorization_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIsInstance(p["event_ts"], int)
        time.sleep(0.2)
        self.assertEqual(theirs.events("app_deauthorized"), [])  # another app's endpoint
        # nothing left to revoke: still answered, still sent
        r = self.sim.request("POST", "/_sim/apps/deauthorize", body={"client_id": CID})
        self.assertEqual(r.json()["grants_revoked"], 0)
        wait_for(lambda: len(mine.events("app_deauthorized")) == 2)
        # refusals name the problem
        r = self.sim.request("POST", "/_sim/apps/deauthorize", body={})
        self.assertEqual(r.status, 400, r)
        self.assertIn("client_id", r.json()["message"])
        r = self.sim.request("POST", "/_sim/apps/deauthorize", body={"client_id": "nope"})
        self.assertEqual(r.status, 404, r)
        self.assertIn("nope", r.json()["message"])


class WebhookFlagsTest(unittest.TestCase):
    def test_flags_validate_at_start(self):
        rcv = Receiver()
        try:
            with Sim("--webhook-url", rcv.url, "--webhook-secret", SECRET,
                     "--webhook-retry-scale", "0.5") as s:
                st = wait_for(lambda: (lambda j: j if j["subscription"] == "active" else None)(
                    s.request("GET", "/_sim/webhooks").json()))
                self.assertEqual(st["retry_scale"], 0.5)
                self.assertEqual(len(rcv.events("endpoint.url_validation")), 1)
        finally:
            rcv.stop()

    def test_url_without_secret_is_refused(self):
        p = run([binary("zoomsim"), "--port", "0", "--webhook-url", "http://127.0.0.1:9/x"])
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"--webhook-secret", p.stderr)



class DataEventsTest(unittest.TestCase):
    """Events raised by the REST data routes reach the subscriber signed and
    shaped as the webhooks spec says."""

    def setUp(self):
        self.sim = Sim()
        self.rcv = Receiver()
        r = self.sim.request("POST", "/_sim/webhooks", body={"url": self.rcv.url, "secret": SECRET})
        self.assertEqual(r.status, 202, r)
        wait_for(lambda: self.sim.request("GET", "/_sim/webhooks").json()["subscription"] == "active")
        self.tok = self.sim.token()

    def tearDown(self):
        self.rcv.stop()
        self.assertEqual(self.sim.stop(), 0, self.sim.stderr()[-2000:])

    def test_registration_created(self):
        m = self.sim.request("POST", "/v2/users/me/meetings", token=self.tok, body={
            "topic": "Town hall", "type": 2, "start_time": "2030-01-02T10:00:00Z",
            "settings": {"approval_type": 0}}).json()
        r = self.sim.request("POST", f"/v2/meetings/{m['id']}/registrants", token=self.tok,
                             body={"email": "ann@example.com", "first_name": "Ann"})
        self.assertEqual(r.status, 201, r)
        (hd, body, _, ok), = wait_for(lambda: self.rcv.events("meeting.registration_created"))
        self.assertTrue(ok, "signature must verify")
        obj = body["payload"]["object"]
        self.assertEqual(obj["id"], m["id"])
        self.assertEqual(obj["registrant"]["email"], "ann@example.com")
        self.assertEqual(obj["registrant"]["id"], r.json()["registrant_id"])
        self.assertEqual(body["payload"]["account_id"], self.sim.state()["account_id"])

    def test_recording_completed_download_token_works(self):
        m = self.sim.request("POST", "/v2/users/me/meetings", token=self.tok,
                             body={"topic": "Training"}).json()
        r = self.sim.request("POST", "/_sim/recordings", body={
            "meeting_id": m["id"], "files": [{"file_type": "MP4", "size": 4096}]})
        self.assertIn(r.status, (200, 201), r)
        (hd, body, _, ok), = wait_for(lambda: self.rcv.events("recording.completed"))
        self.assertTrue(ok)
        token = body["download_token"]
        files = body["payload"]["object"]["recording_files"]
        self.assertEqual(len(files), 1)
        url = files[0]["download_url"]
        path = url[url.index("/", len("http://")):]
        got = self.sim.request("GET", path, token=token)
        self.assertEqual(got.status, 200, got)
        self.assertEqual(len(got.body), 4096)


if __name__ == "__main__":
    unittest.main()
