"""Zoom's app_deauthorized through the real `zoomflow serve` and zoomsim:
an admin connects the org acme with the web flow, the org subscribes its
webhook endpoint in zoomsim, then the app is removed in zoomsim
(POST /_sim/apps/deauthorize): zoomsim kills the grant and sends
app_deauthorized, signed; the service stores it, wipes acme's tokens,
marks it NEEDS_REAUTH and says so (GET /api/v1/connection, /readyz, the
audit log); a retry is a duplicate that changes nothing more; a forged one
is refused; one signed by another org's token never touches acme's
connection; one for another app leaves it alone; Reconnect heals it.
Hostile deliveries (wrong token, no signature or timestamp, stale or
future, a signature moved in time, an altered body, another account, a
replay) change nothing; a store that refuses the wipe answers 5xx and
Zoom's retry heals it.

On SQLite by default; ZF_TEST_DB=postgresql (integ.test_serve_deauthorize.pg)
on a fresh PostgreSQL schema.
"""
import json
import time
import unittest

import srvharness
from test_serve_actions import ADMIN_EMAIL, ADMIN_PW, Client, ServeCase, auth, follow_to_callback
from test_serve_webhooks import sign, wait_for

ACME_TOKEN = "acme-webhook-token-1"
OTHER_TOKEN = "other-webhook-token-2"
FIX = "Reconnect from Settings > App Store > Zoom."


class TestDeauthorize(ServeCase):
    sim_args = ("--auto-approve",)

    def api(self, method, path, body=None, key=None):
        return self.c.request(method, path, body, auth(key or self.env.keys["admin"]))

    def connect_web(self, email=ADMIN_EMAIL, org="acme"):
        r = self.c.request("POST", "/api/v1/session",
                           {"email": email, "password": ADMIN_PW, "org": org})
        self.assertEqual(r.status, 200, r)
        cookie = r.header("Set-Cookie").split(";")[0]
        path = follow_to_callback(self.srv.port, self.sim, cookie)
        c = Client(self.srv.port)
        r = c.request("GET", path)
        c.close()
        self.assertEqual(r.status, 200, r)

    def connection(self):
        r = self.api("GET", "/api/v1/connection", key=self.env.keys["viewer"])
        self.assertEqual(r.status, 200, r)
        return r.json()

    def deliver(self, body, secret, org="acme"):
        ts = int(time.time())
        raw = json.dumps(body, separators=(",", ":")).encode()
        return self.c.request("POST", f"/webhooks/zoom/{org}", raw=raw, headers={
            "Content-Type": "application/json", "x-zm-request-timestamp": str(ts),
            "x-zm-signature": sign(secret, ts, raw)})

    def tokens_stored(self):
        """(access token sealed?, refresh token sealed?) of acme's row."""
        (row,) = srvharness.store_sql(self.srv.store, "SELECT access_token_sealed IS NOT NULL, "
                                      "refresh_token_sealed IS NOT NULL FROM connections "
                                      "WHERE id = 'acme'")
        return tuple(v in ("1", "t", "True") for v in row)

    def audit(self):
        r = self.api("GET", "/api/v1/audit?limit=100")
        self.assertEqual(r.status, 200, r)
        return [e for e in r.json()["entries"] if e["action"] == "connection.deauthorized"]

    def test_removed_in_zoom(self):
        # acme connected with the web flow; its endpoint subscribed in zoomsim
        self.api("DELETE", "/api/v1/connection")
        self.connect_web()
        v = self.connection()
        self.assertEqual(v["state"], "VALID")
        account = v["account_id"]
        audits = len(self.audit())  # the other tests' before this one
        self.assertEqual(self.tokens_stored(), (True, True))
        self.assertEqual(self.api("PUT", "/api/v1/webhook", {"secret_token": ACME_TOKEN}).status,
                         200)
        self.assertEqual(self.api("PUT", "/api/v1/webhook", {"secret_token": OTHER_TOKEN},
                                  key=self.env.other_admin).status, 200)
        r = self.sim.request("POST", "/_sim/webhooks", body={
            "client_id": "zoomsim-client", "url": self.srv.url + "/webhooks/zoom/acme",
            "secret": ACME_TOKEN, "retry_scale": 0.001})
        self.assertEqual(r.status, 202, r)
        wait_for(lambda: self.sim.request(
            "GET", "/_sim/webhooks", query={"client_id": "zoomsim-client"}).json()[
                "subscription"] == "active")
        body = {"event": "app_deauthorized", "payload": {
            "account_id": account, "user_id": "u-x", "signature": "ab" * 32,
            "deauthorization_time": "2026-12-02T10:00:00.000Z", "client_id": "zoomsim-client",
            "event_ts": int(time.time() * 1000)}}

        # forged (signed with the wrong token): 401, nothing touched
        r = self.deliver(body, "not-the-token")
        self.assertEqual(r.status, 401, r)
        # signed by the org other's token, naming acme's account and app: only
        # other's connection (none) is looked at; acme's stays
        r = self.deliver(body, OTHER_TOKEN, org="other")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["deauthorized"], {"connection": "none"})
        # another app's removal sent to acme: left alone
        other_app = json.loads(json.dumps(body))
        other_app["payload"]["client_id"] = "some-other-app"
        r = self.deliver(other_app, ACME_TOKEN)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["deauthorized"], {"connection": "other_app"})
        self.assertEqual(self.connection()["state"], "VALID")
        self.assertEqual(self.tokens_stored(), (True, True))
        new = self.audit()
        self.assertEqual([e["outcome"] for e in new[:len(new) - audits]], ["ignored"])

        # the app is removed in zoomsim: the grant dies, app_deauthorized comes
        r = self.sim.request("POST", "/_sim/apps/deauthorize",
                             body={"client_id": "zoomsim-client"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["grants_revoked"], 1)
        d = wait_for(lambda: [x for x in self.sim.request(
            "GET", "/_sim/webhooks/deliveries", query={"event": "app_deauthorized"}).json()[
                "deliveries"] if x["result"] == "delivered"])
        self.assertEqual(d[0]["status"], 200)
        v = wait_for(lambda: (lambda v: v if v["state"] == "NEEDS_REAUTH" else None)(
            self.connection()))
        self.assertTrue(v["deauthorized"])
        self.assertIn("deauthorized in Zoom", v["last_error"]["message"])
        self.assertIn(account, v["last_error"]["message"])
        self.assertEqual(v["last_error"]["hint_id"], "RECONNECT")
        res = v["last_error"]["resolution"]
        self.assertEqual(res["resolution"], FIX)
        self.assertEqual(res["title"], "App removed in Zoom")
        self.assertEqual(res["button"], {"label": "Reconnect", "href": "/oauth/zoom/connect"})
        self.assertEqual(self.tokens_stored(), (False, False))
        entries = self.audit()
        self.assertEqual(entries[0]["outcome"], "ok")
        self.assertEqual(entries[0]["actor"], "zoom:app_deauthorized")
        self.assertIn(account, entries[0]["detail"])
        # stored like every event
        r = self.deliver(body, ACME_TOKEN)  # a new one (its own body): acted on, already wiped
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["deauthorized"], {"connection": "already_wiped"})
        again = self.deliver(body, ACME_TOKEN)  # Zoom's retry of it: a duplicate
        self.assertEqual(again.json()["status"], "duplicate")
        self.assertEqual(again.json()["event_id"], r.json()["event_id"])
        # actions fail fast, without a Zoom call
        before = self.sim.requests_log()["total"]
        r = self.api("POST", "/api/v1/actions/list_users", {}, key=self.env.keys["operator"])
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json()["error"]["code"], "EREAUTH")
        self.assertEqual(self.sim.requests_log()["total"], before)
        # /readyz names the org and why
        conn = self.c.request("GET", "/readyz").json()["checks"]["connection"]
        (acme,) = [o for o in conn["orgs"] if o["org"] == "acme"]
        self.assertEqual(acme["state"], "NEEDS_REAUTH")
        self.assertTrue(acme["deauthorized"])
        self.assertEqual(acme["resolution"]["resolution"], FIX)
        # Disconnect now: no token is held, so nothing is sent to Zoom and
        # the answer says so (not "revoking failed")
        before = self.sim.requests_log()["total"]
        r = self.api("DELETE", "/api/v1/connection")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"disconnected": True, "revoked": False,
                                    "nothing_to_revoke": True})
        self.assertEqual(self.sim.requests_log()["total"], before)
        r = self.api("GET", "/api/v1/audit?limit=5")
        last = [e for e in r.json()["entries"] if e["action"] == "connection.disconnect"][0]
        self.assertIn("no token held to revoke", last["detail"])
        # Reconnect heals it
        self.connect_web()
        v = self.connection()
        self.assertEqual(v["state"], "VALID")
        self.assertNotIn("deauthorized", v)
        self.assertEqual(self.tokens_stored(), (True, True))
        self.assertEqual(self.api("POST", "/api/v1/actions/list_users", {},
                                  key=self.env.keys["operator"]).status, 200)
        self.sim.request("DELETE", "/_sim/webhooks", query={"client_id": "zoomsim-client"})
        self.api("DELETE", "/api/v1/connection")

    def deauth_body(self, account, client_id="zoomsim-client"):
        return {"event": "app_deauthorized", "payload": {
            "account_id": account, "user_id": "u-x", "signature": "ab" * 32,
            "deauthorization_time": "2026-12-02T10:00:00.000Z", "client_id": client_id,
            "event_ts": int(time.time() * 1000)}}

    def post(self, raw, ts, sig, org="acme"):
        h = {"Content-Type": "application/json"}
        if ts is not None:
            h["x-zm-request-timestamp"] = str(ts)
        if sig is not None:
            h["x-zm-signature"] = sig
        return self.c.request("POST", f"/webhooks/zoom/{org}", raw=raw, headers=h)

    def events_stored(self):
        (row,) = srvharness.store_sql(self.srv.store, "SELECT count(*) FROM webhook_events")
        return int(row[0])

    def test_hostile_deliveries_leave_the_connection(self):
        # an attacker who knows the org's URL and acme's account id, but not
        # its secret token: nothing is stored, nothing wiped, each refusal
        # says what is wrong and what to do
        self.api("DELETE", "/api/v1/connection")
        self.connect_web()
        account = self.connection()["account_id"]
        self.assertEqual(self.api("PUT", "/api/v1/webhook", {"secret_token": ACME_TOKEN}).status,
                         200)
        raw = json.dumps(self.deauth_body(account), separators=(",", ":")).encode()
        now = int(time.time())
        events, audits = self.events_stored(), len(self.audit())
        for what, ts, sig, words, hint_id in (
                ("the wrong token", now, sign("not-the-token", now, raw), "does not match",
                 "WEBHOOK_SECRET_MISMATCH"),
                ("no signature", now, None, "x-zm-signature", "WEBHOOK_SECRET_MISMATCH"),
                ("no timestamp", None, sign(ACME_TOKEN, now, raw), "x-zm-request-timestamp",
                 "WEBHOOK_CLOCK"),
                ("signed 10 minutes ago", now - 600, sign(ACME_TOKEN, now - 600, raw), "behind",
                 "WEBHOOK_CLOCK"),
                ("signed for later", now + 600, sign(ACME_TOKEN, now + 600, raw), "ahead of",
                 "WEBHOOK_CLOCK"),
                ("a right signature moved to another time", now + 1,
                 sign(ACME_TOKEN, now, raw), "does not match", "WEBHOOK_SECRET_MISMATCH")):
            with self.subTest(what=what):
                r = self.post(raw, ts, sig)
                self.assertEqual(r.status, 401, r)
                e = r.json()["error"]
                self.assertEqual((e["code"], e["status"], e["hint_id"]),
                                 ("EAUTH", 401, hint_id), e)
                self.assertIn(words, e["message"])
                self.assertTrue(e["hint"], e)
        # the body altered after signing (another account put in)
        sig = sign(ACME_TOKEN, now, raw)
        r = self.post(raw.replace(account.encode(), b"someone-else"), now, sig)
        self.assertEqual(r.status, 401, r)
        self.assertEqual(self.events_stored(), events)
        self.assertEqual(len(self.audit()), audits)
        self.assertEqual(self.connection()["state"], "VALID")
        self.assertEqual(self.tokens_stored(), (True, True))
        # signed right, but for a Zoom account acme is not connected to:
        # stored, looked at, left alone, the audit says so
        r = self.deliver(self.deauth_body("not-acmes-account"), ACME_TOKEN)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["deauthorized"], {"connection": "other_app"})
        entry = self.audit()[0]
        self.assertEqual(entry["outcome"], "ignored")
        self.assertIn("not-acmes-account", entry["detail"])
        self.assertIn(account, entry["detail"])
        self.assertEqual(self.tokens_stored(), (True, True))
        # a replay of that delivery, byte for byte: a duplicate
        raw = json.dumps(self.deauth_body("not-acmes-account"), separators=(",", ":")).encode()
        first = self.post(raw, now, sign(ACME_TOKEN, now, raw))
        again = self.post(raw, now, sign(ACME_TOKEN, now, raw))
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json()["status"], "duplicate")
        self.assertEqual(again.json()["event_id"], first.json()["event_id"])
        self.assertEqual(self.tokens_stored(), (True, True))
        self.api("DELETE", "/api/v1/connection")

    def test_store_failure_is_healed_by_zoom_retry(self):
        # the wipe cannot be written: the delivery is answered 5xx (Zoom
        # retries), the tokens are as they were; the retry, a duplicate,
        # wipes them
        self.api("DELETE", "/api/v1/connection")
        self.connect_web()
        account = self.connection()["account_id"]
        self.assertEqual(self.api("PUT", "/api/v1/webhook", {"secret_token": ACME_TOKEN}).status,
                         200)
        raw = json.dumps(self.deauth_body(account), separators=(",", ":")).encode()
        now = int(time.time())
        allow = srvharness.store_refuses(self.srv.store, "connections", "UPDATE")
        try:
            r = self.post(raw, now, sign(ACME_TOKEN, now, raw))
        finally:
            allow()
        self.assertGreaterEqual(r.status, 500, r)
        self.assertIn("refused by the test", r.json()["error"]["message"])
        self.assertEqual(self.tokens_stored(), (True, True))
        self.assertEqual(self.connection()["state"], "VALID")
        self.assertIn("app_deauthorized not acted on", self.srv.stderr())
        # Zoom's retry; the audit log refusing its record does not stop the wipe
        allow = srvharness.store_refuses(self.srv.store, "audit_log", "INSERT")
        try:
            r = self.post(raw, now, sign(ACME_TOKEN, now, raw))
        finally:
            allow()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "duplicate")
        self.assertEqual(r.json()["deauthorized"], {"connection": "wiped"})
        self.assertEqual(self.tokens_stored(), (False, False))
        self.assertEqual(self.connection()["state"], "NEEDS_REAUTH")
        self.assertIn("audit record of app_deauthorized not written", self.srv.stderr())
        self.api("DELETE", "/api/v1/connection")

    def test_zoom_example_shape_is_accepted(self):
        # Zoom's own example (the Marketplace webhooks file): no top-level
        # event_ts, no payload.object, a date string as payload.event_ts
        self.assertEqual(self.api("PUT", "/api/v1/webhook", {"secret_token": ACME_TOKEN}).status,
                         200)
        body = {"event": "app_deauthorized", "payload": {
            "account_id": "AAAAAABBBB", "user_id": "abcD3ojfdbjfg",
            "signature": "827edc3452044f0bc86bdd5684afb7d1e6becfa1a767f24df1b287853cf73000",
            "deauthorization_time": "2020-06-17T13:52:28.632Z",
            "client_id": "ABCDEFGHIJKLMNOPQRST!V", "event_ts": "2024-09-08 15:58:40"}}
        r = self.deliver(body, ACME_TOKEN)
        self.assertEqual(r.status, 200, r)
        self.assertIn(r.json()["status"], ("accepted", "duplicate"))
        self.assertEqual(r.json()["event"], "app_deauthorized")
        # without client_id it is refused naming it
        del body["payload"]["client_id"]
        r = self.deliver(body, ACME_TOKEN)
        self.assertEqual(r.status, 400, r)
        self.assertIn("payload.client_id", r.json()["error"]["message"])


if __name__ == "__main__":
    unittest.main()
