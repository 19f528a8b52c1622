"""Zoom webhooks into the real `zoomflow serve`: zoomsim as Zoom (its
subscription validated by the service's url_validation answer, then real
signed deliveries) and forged, altered, stale, future, replayed, malformed
and oversized deliveries sent from here, signed with Python's hmac (not
zoomflow's code). What the service stored is read back through the library
(build/zf_webhook_tool), so the same test runs on SQLite and, as
integ.test_serve_webhooks.pg, on PostgreSQL, where two serve processes on
one schema receive the same event at the same instant and exactly one row
is made."""
import hashlib
import hmac
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from zfharness import SLOW, WRAP, Sim, StoreDB, binary, heavy, run

ORG = "acme"
SECRET = "Zs3cr3tT0ken-acme-01"
MASTER_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
PUBLIC_URL = "https://zoomflow.example.test"


def sign(secret, ts, body):
    msg = b"v0:" + str(ts).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def envelope(event, obj, ts_ms=None, **top):
    body = {"event": event, "event_ts": ts_ms or int(time.time() * 1000),
            "payload": {"account_id": "acc-1", "object": obj}}
    body.update(top)
    return json.dumps(body, separators=(",", ":")).encode()


def wait_for(fn, timeout=20):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


class Serve:
    """A running `zoomflow serve` on 127.0.0.1:0 over dsn."""

    def __init__(self, home, dsn, env):
        self.tmp = tempfile.mkdtemp(prefix="zf-serve-", dir=home)
        port_file = os.path.join(self.tmp, "url")
        self.stderr_path = os.path.join(self.tmp, "stderr")
        cmd = WRAP + [binary("zoomflow"), "serve", "--listen", "127.0.0.1:0", "--port-file",
                      port_file, "--public-url", PUBLIC_URL]
        with open(self.stderr_path, "w") as errf:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf,
                                         env={**env, "ZOOMFLOW_DB": dsn})
        deadline = time.time() + 20 * SLOW
        while not (os.path.exists(port_file) and open(port_file).read().endswith("\n")):
            if self.proc.poll() is not None:
                err = self.stderr()
                if "not built yet" in err or "unknown command" in err:
                    raise unittest.SkipTest("zoomflow serve is not built on this branch yet: "
                                            + err.strip()[-200:])
                raise RuntimeError("zoomflow serve exited: " + err)
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("zoomflow serve did not start: " + self.stderr())
            time.sleep(0.02)
        self.url = open(port_file).read().strip()
        self.port = int(self.url.rsplit(":", 1)[1])

    def stderr(self):
        try:
            return open(self.stderr_path).read()
        except OSError:
            return ""

    def post(self, path, body, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30 * SLOW)
        try:
            h = {"Content-Type": "application/json; charset=utf-8",
                 "User-Agent": "Zoom Marketplace/1.0a", **(headers or {})}
            c.request("POST", path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
        finally:
            c.close()

    def get(self, path, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30 * SLOW)
        try:
            c.request("GET", path, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class ServeWebhooks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.mkdtemp(prefix="zf-whk-")
        cls.db = StoreDB(cls.home)
        cls.env = {**os.environ, "HOME": cls.home, "XDG_CONFIG_HOME": cls.home + "/config",
                   "XDG_DATA_HOME": cls.home + "/data", "ZOOMFLOW_MASTER_KEY": MASTER_KEY}
        cls.env.pop("ZOOMFLOW_DB", None)
        cls.tool(["secret", cls.db.dsn, ORG, SECRET])
        try:
            cls.serve = Serve(cls.home, cls.db.dsn, cls.env)
        except unittest.SkipTest:
            cls.db.drop()
            shutil.rmtree(cls.home, ignore_errors=True)
            raise
        cls.sim = None

    @classmethod
    def tearDownClass(cls):
        if cls.sim:
            cls.sim.stop()
        rc = cls.serve.stop()
        cls.db.drop()
        shutil.rmtree(cls.home, ignore_errors=True)
        if rc not in (0, None):
            raise AssertionError(f"zoomflow serve exited {rc}: {cls.serve.stderr()[-3000:]}")

    @classmethod
    def tool(cls, args):
        p = run([binary("zf_webhook_tool")] + args, env=cls.env)
        if p.returncode != 0:
            raise AssertionError(f"zf_webhook_tool {args[0]}: {p.stderr.decode()}")
        return p.stdout.decode()

    def events(self, org=ORG):
        return [json.loads(l) for l in self.tool(["events", self.db.dsn, org]).splitlines() if l]

    def deliver(self, body, ts=None, secret=SECRET, sig=None, org=ORG, server=None, extra=None):
        ts = int(time.time()) if ts is None else ts
        headers = {"x-zm-request-timestamp": str(ts),
                   "x-zm-signature": sig or sign(secret, ts, body),
                   "x-zm-request-id": "521662ee_efdf_47fc_b337_0e4aa1fc2876",
                   "x-zm-trackingid": "v=2.0;clid=us02;rid=WEB_test", **(extra or {})}
        headers = {k: v for k, v in headers.items() if v is not None}
        status, h, data = (server or self.serve).post(f"/webhooks/zoom/{org}", body, headers)
        return status, (json.loads(data) if data else None)

    def assert_error(self, status, body, want_status, code, words):
        self.assertEqual(status, want_status, body)
        self.assertEqual(body["error"]["code"], code, body)
        self.assertEqual(body["error"]["status"], want_status, body)
        self.assertIn(words, body["error"]["message"], body)

    # --- through zoomsim, as Zoom delivers

    def test_zoomsim_validates_the_url_and_delivers(self):
        cls = type(self)
        if not cls.sim:
            cls.sim = Sim()
        sim = cls.sim
        url = f"{self.serve.url}/webhooks/zoom/{ORG}"
        r = sim.request("POST", "/_sim/webhooks", body={"url": url, "secret": SECRET})
        self.assertEqual(r.status, 202, r)
        st = wait_for(lambda: (lambda j: j if j["subscription"] != "pending" else None)(
            sim.request("GET", "/_sim/webhooks").json()))
        # zoomsim checked the answer: plainToken back, encryptedToken = HMAC
        self.assertEqual(st["subscription"], "active", st)
        seen = {e["event_id"] for e in self.events()}
        mid = int(time.time()) % 100000
        for event, obj, top in (("meeting.created", {"id": 9100 + mid, "topic": "Day 1"}, None),
                                ("recording.completed", {"uuid": f"u{mid}==", "id": mid},
                                 {"download_token": "dl-tok"})):
            body = {"event": event, "object": obj}
            if top:
                body["top"] = top
            self.assertEqual(sim.request("POST", "/_sim/webhooks/emit", body=body).status, 202)
        dl = wait_for(lambda: (lambda d: d if len(d) >= 2 else None)(
            [d for d in sim.request("GET", "/_sim/webhooks/deliveries").json()["deliveries"]
             if d["event"] != "endpoint.url_validation" and d["result"] == "delivered"]))
        self.assertTrue(all(d["status"] == 200 for d in dl), dl)
        got = [e for e in self.events() if e["event_id"] not in seen]
        self.assertEqual(sorted(e["event"] for e in got),
                         ["meeting.created", "recording.completed"], got)
        for e in got:
            self.assertEqual(e["state"], "new")
            self.assertTrue(e["event_id"].startswith("zb1-") and len(e["event_id"]) == 68, e)
            body = json.loads(e["body"])
            self.assertEqual(body["event"], e["event"])
            self.assertEqual(body["payload"]["account_id"], e["account_id"])
        rec = [e for e in got if e["event"] == "recording.completed"][0]
        self.assertEqual(json.loads(rec["body"])["download_token"], "dl-tok")
        sim.request("DELETE", "/_sim/webhooks")

    @heavy
    def test_zoomsim_retry_of_a_stored_event_is_a_duplicate(self):
        """Zoom retries when its 3 s pass without an answer, although the
        service stored the event: the answer is held on the way back by a
        proxy; zoomsim resends (+5 min, compressed); the resend is a
        duplicate and one row exists."""
        from zfharness import PathProxy
        cls = type(self)
        if not cls.sim:
            cls.sim = Sim()
        sim = cls.sim
        path = f"/webhooks/zoom/{ORG}"
        with PathProxy(self.serve, {path: path}) as proxy:
            r = sim.request("POST", "/_sim/webhooks", body={"url": proxy.url + path,
                                                             "secret": SECRET,
                                                             "retry_scale": 0.002})
            self.assertEqual(r.status, 202, r)
            st = wait_for(lambda: (lambda j: j if j["subscription"] != "pending" else None)(
                sim.request("GET", "/_sim/webhooks").json()))
            self.assertEqual(st["subscription"], "active", st)
            proxy.hold = 3.6
            proxy.forwarded.clear()
            n = len(proxy.seen)
            eid = sim.request("POST", "/_sim/webhooks/emit",
                              body={"event": "meeting.deleted",
                                    "object": {"id": int(time.time()) % 100000}}).json()[
                                        "event_id"]
            self.assertTrue(proxy.forwarded.wait(10 * SLOW))
            proxy.hold = 0
            done = wait_for(lambda: [d for d in sim.request(
                "GET", "/_sim/webhooks/deliveries").json()["deliveries"]
                if d["event_id"] == eid and d["result"] == "delivered"], timeout=30)
            tries = [d for d in sim.request("GET", "/_sim/webhooks/deliveries").json()[
                "deliveries"] if d["event_id"] == eid]
            self.assertEqual([d["attempt"] for d in tries], [1, 2], tries)
            self.assertEqual(tries[0]["result"], "failed, retry scheduled", tries)
            self.assertTrue(done)
            sent = [x for x in proxy.seen[n:] if x["path"] == path]
            self.assertEqual(len(sent), 2, sent)
            self.assertEqual(sent[0]["body"], sent[1]["body"])
            stored = [e for e in self.events() if e["body"].encode() == sent[0]["body"]]
            self.assertEqual(len(stored), 1, stored)
        sim.request("DELETE", "/_sim/webhooks")

    # --- url_validation

    def test_url_validation_answered_after_the_signature(self):
        plain = "qgg8vlvZRS6UYooatFL8Aw"
        body = json.dumps({"payload": {"plainToken": plain}, "event_ts": 1654503849680,
                           "event": "endpoint.url_validation"}).encode()
        status, ans = self.deliver(body)
        self.assertEqual(status, 200, ans)
        want = hmac.new(SECRET.encode(), plain.encode(), hashlib.sha256).hexdigest()
        self.assertEqual(ans, {"plainToken": plain, "encryptedToken": want})
        status, ans = self.deliver(body, secret="not-the-secret")
        self.assert_error(status, ans, 401, "EAUTH", "x-zm-signature")
        self.assertNotIn("encryptedToken", json.dumps(ans))

    # --- refusals

    def test_forged_signature_refused_and_not_stored(self):
        before = len(self.events())
        body = envelope("meeting.deleted", {"id": 1})
        status, ans = self.deliver(body, secret="forged")
        self.assert_error(status, ans, 401, "EAUTH", "does not match")
        for sig, words in (("v0=" + "0" * 64, "does not match"),
                           (sign(SECRET, int(time.time()), body).upper(), "malformed"),
                           (sign(SECRET, int(time.time()), body)[:-1], "malformed"),
                           ("v1=" + sign(SECRET, int(time.time()), body)[3:], "malformed")):
            status, ans = self.deliver(body, sig=sig)
            self.assert_error(status, ans, 401, "EAUTH", words)
        c = http.client.HTTPConnection("127.0.0.1", self.serve.port, timeout=30)
        c.request("POST", f"/webhooks/zoom/{ORG}", body=body,
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        ans = json.loads(r.read())
        c.close()
        self.assert_error(r.status, ans, 401, "EAUTH", "missing")
        self.assertEqual(len(self.events()), before)

    def test_body_altered_after_signing_refused(self):
        before = len(self.events())
        body = envelope("meeting.updated", {"id": 2, "topic": "before"})
        ts = int(time.time())
        sig = sign(SECRET, ts, body)
        altered = body.replace(b"before", b"after!")
        status, ans = self.deliver(altered, ts=ts, sig=sig)
        self.assert_error(status, ans, 401, "EAUTH", "does not match")
        # re-serialised with other whitespace: the same JSON, other bytes
        respaced = json.dumps(json.loads(body)).encode()
        self.assertNotEqual(respaced, body)
        status, ans = self.deliver(respaced, ts=ts, sig=sig)
        self.assert_error(status, ans, 401, "EAUTH", "does not match")
        # the timestamp changed after signing
        status, ans = self.deliver(body, ts=ts + 1, sig=sig)
        self.assert_error(status, ans, 401, "EAUTH", "does not match")
        self.assertEqual(len(self.events()), before)

    def test_stale_and_future_timestamps_refused_naming_the_window(self):
        before = len(self.events())
        body = envelope("meeting.created", {"id": 3})
        for skew, words in ((-400, "behind"), (400, "ahead of"), (-86400, "behind")):
            status, ans = self.deliver(body, ts=int(time.time()) + skew)
            self.assert_error(status, ans, 401, "EAUTH", words)
            self.assertIn("5 minutes", ans["error"]["message"])
            self.assertTrue(ans["error"].get("hint"), ans)
        for ts in ("-1", "17x", "1.5", "0123", "1785368934000"):
            status, ans = self.deliver(body, extra={"x-zm-request-timestamp": ts},
                                       sig=sign(SECRET, ts, body))
            self.assert_error(status, ans, 401, "EAUTH", "x-zm-request-timestamp")
        # inside the window: accepted
        status, ans = self.deliver(body, ts=int(time.time()) - 200)
        self.assertEqual((status, ans["status"]), (200, "accepted"), ans)
        self.assertEqual(len(self.events()), before + 1)

    def test_replayed_event_answers_200_and_stores_nothing_new(self):
        ts_ms = int(time.time() * 1000)
        first = envelope("recording.completed", {"uuid": "rp==", "id": 77, "recording_files": [
            {"id": "f1", "download_url": "https://x.zoom.us/rec/webhook_download/aaa"}]},
            ts_ms=ts_ms, download_token="tok-1")
        status, ans = self.deliver(first)
        self.assertEqual((status, ans["status"]), (200, "accepted"), ans)
        eid = ans["event_id"]
        before = len(self.events())
        # the same bytes again, and Zoom's retry: fresh timestamp and tokens
        retry = envelope("recording.completed", {"uuid": "rp==", "id": 77, "recording_files": [
            {"id": "f1", "download_url": "https://x.zoom.us/rec/webhook_download/bbb"}]},
            ts_ms=ts_ms, download_token="tok-2")
        for body, ts in ((first, None), (retry, int(time.time()) + 5)):
            status, ans = self.deliver(body, ts=ts)
            self.assertEqual((status, ans["status"], ans["event_id"]), (200, "duplicate", eid))
        self.assertEqual(len(self.events()), before)
        stored = [e for e in self.events() if e["event_id"] == eid]
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored[0]["body"], first.decode())
        self.assertEqual(stored[0]["request_id"], "521662ee_efdf_47fc_b337_0e4aa1fc2876")
        # another event a millisecond later is another event
        status, ans = self.deliver(envelope("recording.completed", {"uuid": "rp==", "id": 77},
                                            ts_ms=ts_ms + 1))
        self.assertEqual((status, ans["status"]), (200, "accepted"), ans)
        self.assertNotEqual(ans["event_id"], eid)

    def test_every_accepted_event_is_seen_by_other_processes(self):
        """A refusal, a read by another process, then an event: the event is
        committed where others see it. (The service opens a second store on
        the same SQLite file for an org's session; the SQLite driver used to
        open() and close() the existing file for each store it opened, which
        drops every POSIX lock the process holds on it, and from then on the
        service's commits were seen by the service alone until it exited.)"""
        self.deliver(b'{"event":5}')
        before = len(self.events())
        for i in range(3):
            status, ans = self.deliver(envelope("meeting.updated", {"id": 9900 + i}))
            self.assertEqual((status, ans["status"]), (200, "accepted"), ans)
            ids = [e["event_id"] for e in self.events()]
            self.assertIn(ans["event_id"], ids)
            self.assertEqual(len(ids), before + i + 1)

    def test_unknown_org_and_org_without_secret_look_alike(self):
        body = envelope("meeting.created", {"id": 4})
        answers = []
        for org in ("nosuch-org", "bare"):
            status, ans = self.deliver(body, org=org)
            self.assert_error(status, ans, 404, "ENOTFOUND", "no webhook endpoint here")
            ans["error"].pop("request_id", None)
            answers.append(ans)
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(self.events("nosuch-org"), [])

    def test_malformed_signed_body_refused_naming_the_part(self):
        before = len(self.events())
        for body, words in ((b'{"event":"m.c","event_ts":1}', "payload"),
                            (b'{"event":"m.c","event_ts":1,"payload":{"object":{}}}',
                             "payload.account_id"),
                            (b'{"event":5}', "event"),
                            (b"not json", "invalid JSON"),
                            (b"", "empty")):
            status, ans = self.deliver(body)
            self.assert_error(status, ans, 400, "EVALIDATION", words)
        self.assertEqual(len(self.events()), before)

    def test_oversized_body_refused(self):
        """Over 1 MiB: 413 naming the limit, answered without reading the
        body (so it is sent on a raw socket that may be cut), nothing
        stored."""
        import socket
        before = len(self.events())
        pad = b" " * (1024 * 1024)
        body = envelope("meeting.created", {"id": 5})[:-1] + pad + b"}"
        ts = int(time.time())
        head = (f"POST /webhooks/zoom/{ORG} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                f"x-zm-request-timestamp: {ts}\r\nx-zm-signature: {sign(SECRET, ts, body)}\r\n"
                "Connection: close\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", self.serve.port), timeout=30) as s:
            s.sendall(head)
            try:
                s.sendall(body)
            except OSError:
                pass  # answered and closed before the body was read
            data = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
        status = int(data.split(b" ", 2)[1])
        ans = json.loads(data.split(b"\r\n\r\n", 1)[1])
        self.assert_error(status, ans, 413, "ETOOBIG", "")
        self.assertEqual(len(self.events()), before)
        # just under the limit is read and judged (signature, then body)
        body = envelope("meeting.created", {"id": 5})[:-1] + b" " * 1000 + b"}"
        status, ans = self.deliver(body)
        self.assertEqual((status, ans["status"]), (200, "accepted"), ans)

    def test_metrics_count_by_reason(self):
        status, text = self.serve.get("/metrics")
        if status != 200:
            self.skipTest(f"/metrics answered {status}")
        text = text.decode()
        self.deliver(envelope("meeting.created", {"id": 6}), secret="forged")
        status, after = self.serve.get("/metrics")

        def value(t, line):
            for l in t.splitlines():
                if l.startswith(line + " "):
                    return float(l.split()[-1])
            return None

        key = 'zoomflow_webhook_refused_total{reason="signature"}'
        self.assertIsNotNone(value(after.decode(), key), after.decode()[:2000])
        self.assertEqual(value(after.decode(), key), (value(text, key) or 0) + 1)
        for reason in ("timestamp", "malformed", "duplicate", "unknown_org"):
            self.assertIsNotNone(
                value(after.decode(), f'zoomflow_webhook_refused_total{{reason="{reason}"}}'))
        self.assertIsNotNone(value(after.decode(), "zoomflow_webhook_accepted_total"))

    # --- the admin's settings: GET/PUT /api/v1/webhook

    def seed(self, *args):
        p = run([binary("zf_access_seed"), self.db.dsn] + list(args), env=self.env)
        if p.returncode != 0:
            raise AssertionError(f"zf_access_seed {args}: {p.stderr.decode()}")
        return p.stdout.decode().strip()

    def api(self, method, path, body=None, key=None, cookie=None, csrf=None):
        c = http.client.HTTPConnection("127.0.0.1", self.serve.port, timeout=30 * SLOW)
        h = {}
        if body is not None:
            body = json.dumps(body) if not isinstance(body, bytes) else body
            h["Content-Type"] = "application/json"
        if key:
            h["Authorization"] = "Bearer " + key
        if cookie:
            h["Cookie"] = "zf_session=" + cookie
        if csrf:
            h["X-CSRF-Token"] = csrf
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, (json.loads(data) if data else None), r.getheaders()
        finally:
            c.close()

    def stored_anywhere(self, needle):
        if self.db.schema:
            from zfharness import pg_sql
            return any(pg_sql(self.db.base, f"SELECT count(*) FROM {self.db.schema}.{t} x "
                                            f"WHERE strpos(x::text, '{needle}') > 0")[0] != "0"
                       for t in ("webhook_secrets", "webhook_events", "audit_log"))
        path = self.db.dsn[len("sqlite:"):]
        blob = b""
        for suffix in ("", "-wal"):
            if os.path.exists(path + suffix):
                blob += open(path + suffix, "rb").read()
        return needle.encode() in blob

    def test_admin_sets_the_secret_and_gets_the_url(self):
        self.seed("org", "beta")
        admin = self.seed("key", "beta", "beta-admin", "admin")
        viewer = self.seed("key", "beta", "beta-viewer", "viewer")
        status, ans, _ = self.api("GET", "/api/v1/webhook", key=admin)
        self.assertEqual(status, 200, ans)
        self.assertEqual(ans["configured"], False)
        self.assertEqual(ans["url"], PUBLIC_URL + "/webhooks/zoom/beta")
        # until it is set, beta's endpoint answers as an unknown org does
        status, body = self.deliver(envelope("meeting.created", {"id": 1}), org="beta",
                                    secret="beta-token-1")
        self.assertEqual(status, 404, body)
        # refused: no key, a viewer, a body that is not one, an empty token
        self.assertEqual(self.api("GET", "/api/v1/webhook")[0], 401)
        self.assertEqual(self.api("PUT", "/api/v1/webhook", {"secret_token": "x"})[0], 401)
        self.assertEqual(self.api("GET", "/api/v1/webhook", key=viewer)[0], 403)
        self.assertEqual(self.api("PUT", "/api/v1/webhook", {"secret_token": "x"},
                                  key=viewer)[0], 403)
        for bad, field in (({"secret_token": ""}, "secret_token"), ({}, "secret_token"),
                           ({"secret_token": 5}, "secret_token"),
                           ({"secret_token": "a b"}, "secret_token"),
                           ({"secret_token": "ok", "url": "x"}, "url")):
            status, ans, _ = self.api("PUT", "/api/v1/webhook", bad, key=admin)
            self.assertEqual(status, 422, (bad, ans))
            self.assertEqual(ans["error"]["code"], "EVALIDATION")
            self.assertEqual(ans["error"]["problems"][0]["field"], field, ans)
        status, ans, _ = self.api("PUT", "/api/v1/webhook", {"secret_token": "beta-token-1"},
                                  key=admin)
        self.assertEqual(status, 200, ans)
        self.assertEqual((ans["configured"], ans["url"]),
                         (True, PUBLIC_URL + "/webhooks/zoom/beta"))
        self.assertTrue(ans["updated_by"].startswith("key:"), ans)
        self.assertNotIn("beta-token-1", json.dumps(ans))
        self.assertFalse(self.stored_anywhere("beta-token-1"))
        # Zoom signing with it reaches beta, not acme
        status, body = self.deliver(envelope("meeting.created", {"id": 2}), org="beta",
                                    secret="beta-token-1")
        self.assertEqual((status, body["status"]), (200, "accepted"), body)
        self.assertEqual(len(self.events("beta")), 1)
        self.assertNotIn(body["event_id"], [e["event_id"] for e in self.events()])
        status, body = self.deliver(envelope("meeting.created", {"id": 3}), org="beta")
        self.assertEqual(status, 401, body)  # acme's secret does not sign for beta
        # the change is in beta's audit log, without the token
        status, log, _ = self.api("GET", "/api/v1/audit?limit=20", key=admin)
        self.assertEqual(status, 200, log)
        rows = log if isinstance(log, list) else next(v for v in log.values()
                                                      if isinstance(v, list))
        sets = [r for r in rows if r.get("action") == "webhook.secret.set"]
        self.assertEqual(len(sets), 1, rows)
        self.assertNotIn("beta-token-1", json.dumps(rows))

    def test_a_session_needs_the_csrf_token_to_set_it(self):
        self.seed("org", "gamma")
        self.seed("account", "gamma", "admin@gamma.example", "admin", "correct horse battery")
        status, ans, headers = self.api("POST", "/api/v1/session",
                                        {"email": "admin@gamma.example",
                                         "password": "correct horse battery", "org": "gamma"})
        self.assertEqual(status, 200, ans)
        cookie = next(v.split(";", 1)[0].split("=", 1)[1] for k, v in headers
                      if k.lower() == "set-cookie" and v.startswith("zf_session="))
        status, ans, _ = self.api("PUT", "/api/v1/webhook", {"secret_token": "gamma-token"},
                                  cookie=cookie)
        self.assertEqual(status, 403, ans)
        self.assertIn("X-CSRF-Token", ans["error"]["message"])
        status, ans, _ = self.api("PUT", "/api/v1/webhook", {"secret_token": "gamma-token"},
                                  cookie=cookie, csrf=ans and self.api(
                                      "GET", "/api/v1/session", cookie=cookie)[1]["csrf_token"])
        self.assertEqual((status, ans["configured"]), (200, True), ans)
        self.assertTrue(ans["updated_by"].startswith("account:"), ans)

    # --- replicas

    @heavy
    def test_two_serves_one_store_same_event_one_row(self):
        other = Serve(self.home, self.db.dsn, self.env)
        try:
            for round in range(5):
                body = envelope("meeting.created", {"id": 8000 + round},
                                ts_ms=int(time.time() * 1000) + round)
                go = threading.Barrier(2)
                out = [None, None]

                def send(i, server):
                    go.wait()
                    out[i] = self.deliver(body, server=server)

                th = [threading.Thread(target=send, args=(0, self.serve)),
                      threading.Thread(target=send, args=(1, other))]
                for t in th:
                    t.start()
                for t in th:
                    t.join()
                self.assertEqual([o[0] for o in out], [200, 200], out)
                self.assertEqual(sorted(o[1]["status"] for o in out), ["accepted", "duplicate"],
                                 out)
                self.assertEqual(out[0][1]["event_id"], out[1][1]["event_id"])
                rows = [e for e in self.events() if e["event_id"] == out[0][1]["event_id"]]
                self.assertEqual(len(rows), 1, rows)
        finally:
            rc = other.stop()
        self.assertIn(rc, (0, None), other.stderr()[-2000:])


if __name__ == "__main__":
    unittest.main()
