"""/readyz and the connection gauges through the real `zoomflow serve` and
zoomsim: the process is ready while the store answers; each org's Zoom
connection, as stored, is in the body (checks.connection) and in /metrics;
?require=connection makes a connection that needs a person a 503; a
broken store is a 503 naming it.

On SQLite by default; ZF_TEST_DB=postgresql (integ.test_serve_ready.pg) on
a fresh PostgreSQL schema.
"""
import os
import re
import unittest

import srvharness
from test_serve_actions import ServeCase, auth

REFRESH_FIX = "Re-authenticate the integration to generate new tokens."


class ReadyCase(ServeCase):
    def admin(self, method, path, body=None, key=None):
        return self.c.request(method, path, body, auth(key or self.env.keys["admin"]))

    def connect_s2s(self):
        r = self.admin("POST", "/api/v1/connection", {
            "client_id": "zoomsim-s2s", "client_secret": "zoomsim-s2s-secret",
            "account_id": self.sim.state()["account_id"]})
        self.assertEqual(r.status, 200, r)

    def ready(self, query=""):
        return self.c.request("GET", "/readyz" + query)

    def test_connection_states(self):
        self.admin("DELETE", "/api/v1/connection")
        # no org connected: ready, nobody listed, both orgs counted absent
        r = self.ready()
        self.assertEqual(r.status, 200, r)
        conn = r.json()["checks"]["connection"]
        self.assertEqual(conn["status"], "ok")
        self.assertEqual(conn["orgs"], [])
        self.assertEqual(conn["counts"]["ABSENT"], 2)
        # connected: VALID, ok, and ?require=connection is 200 too
        self.connect_s2s()
        r = self.ready("?require=connection")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["status"], "ready")
        self.assertNotIn("degraded", body)
        conn = body["checks"]["connection"]
        self.assertEqual(conn["status"], "ok")
        self.assertEqual([(o["org"], o["state"]) for o in conn["orgs"]], [("acme", "VALID")])
        m = self.c.request("GET", "/metrics").body.decode()
        self.assertRegex(m, r'(?m)^zoomflow_zoom_connection_usable\{org="acme"\} 1$')
        self.assertRegex(m, r'(?m)^zoomflow_zoom_connections\{state="VALID"\} 1$')
        # Zoom rejects the token (zoomsim's clock past its life) and the new
        # one is refused at the token endpoint: NEEDS_REAUTH, stored
        self.sim.advance(3700)
        self.sim.request("POST", "/_sim/faults", body={
            "kind": "status", "route": "oauth.token", "status": 401, "code": 124,
            "message": "Invalid client_id or client_secret"})
        r = self.c.request("POST", "/api/v1/actions/list_users", {},
                           auth(self.env.keys["operator"]))
        self.assertIn(r.status, (401, 409), r)
        before = self.sim.requests_log()["total"]
        # the process is still ready; the body says which org needs what
        r = self.ready()
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["degraded"], "connection")
        conn = body["checks"]["connection"]
        self.assertEqual(conn["status"], "degraded")
        self.assertEqual(conn["attention"], ["acme"])
        self.assertIn("acme", conn["message"])
        (acme,) = conn["orgs"]
        self.assertEqual((acme["org"], acme["state"], acme["hint_id"]),
                         ("acme", "NEEDS_REAUTH", "RECONNECT"))
        self.assertEqual(acme["resolution"]["resolution"], REFRESH_FIX)
        self.assertEqual(acme["resolution"]["button"],
                         {"label": "Reconnect", "href": "/oauth/zoom/connect"})
        self.assertTrue(acme["message"])
        # no Zoom call for a probe: zoomsim saw nothing from /readyz
        self.ready()
        self.c.request("GET", "/metrics")
        self.assertEqual(self.sim.requests_log()["total"], before)
        # ?require=connection: a 503 naming it, with the same checks
        r = self.ready("?require=connection")
        self.assertEqual(r.status, 503, r)
        e = r.json()
        self.assertEqual(e["status"], "not ready")
        self.assertIn("connection", e["error"]["message"])
        self.assertIn("acme", e["error"]["message"])
        self.assertEqual(e["checks"]["connection"]["orgs"][0]["state"], "NEEDS_REAUTH")
        self.assertTrue(r.header("Retry-After"))
        m = self.c.request("GET", "/metrics").body.decode()
        self.assertRegex(m, r'(?m)^zoomflow_zoom_connection_usable\{org="acme"\} 0$')
        self.assertRegex(m, r'(?m)^zoomflow_zoom_connections\{state="NEEDS_REAUTH"\} 1$')
        # reconnecting heals it
        self.sim.request("DELETE", "/_sim/faults")
        self.connect_s2s()
        self.assertEqual(self.ready("?require=connection").status, 200)
        self.admin("DELETE", "/api/v1/connection")

    def test_expired_token_whose_refresh_fails(self):
        self.admin("DELETE", "/api/v1/connection")
        self.connect_s2s()
        # the access token past its expiry (what an hour does), then the new
        # one cannot be had: Zoom's token endpoint answers 500
        srvharness.store_sql(self.srv.store, "UPDATE connections SET access_expires_at = 1 "
                             "WHERE id = 'acme'")
        self.sim.request("POST", "/_sim/faults", body={
            "kind": "status", "route": "oauth.token", "status": 500})
        r = self.c.request("POST", "/api/v1/actions/list_users", {},
                           auth(self.env.keys["operator"]))
        self.assertGreaterEqual(r.status, 500, r)
        body = self.ready().json()
        self.assertEqual(body["degraded"], "connection")
        (acme,) = body["checks"]["connection"]["orgs"]
        self.assertEqual((acme["state"], acme["hint_id"]), ("REFRESH_FAILING", "RETRY_LATER"))
        self.assertIn("token refresh failed", acme["message"])
        self.assertEqual(acme["resolution"]["title"], "API errors (5xx)")
        self.assertEqual(self.ready("?require=connection").status, 503)
        # Zoom back: the next call refreshes, and it is VALID again
        self.sim.request("DELETE", "/_sim/faults")
        r = self.c.request("POST", "/api/v1/actions/list_users", {},
                           auth(self.env.keys["operator"]))
        self.assertEqual(r.status, 200, r)
        (acme,) = self.ready().json()["checks"]["connection"]["orgs"]
        self.assertEqual(acme["state"], "VALID")
        self.admin("DELETE", "/api/v1/connection")

    def test_unknown_require_is_refused(self):
        r = self.ready("?require=zoom-weather")
        self.assertEqual(r.status, 400, r)
        e = r.json()["error"]
        self.assertIn("zoom-weather", e["message"])
        self.assertIn("require=connection", e["hint"])


class TestStoreGone(unittest.TestCase):
    @unittest.skipIf(srvharness.ON_PG, "the SQLite file is spoiled here; PostgreSQL's hang "
                     "is test_serve_http.TestReadyBound")
    def test_spoiled_store_is_503(self):
        with srvharness.Serve() as s:
            s.org("acme")
            self.assertEqual(s.request("GET", "/readyz").status, 200)
            path = s.store.dsn.split(":", 1)[1]
            size = os.path.getsize(path)
            with open(path, "r+b") as f:  # the same inode: the open handles see it
                f.write(b"not a database" * (size // 14 + 1))
            for wal in (path + "-wal", path + "-shm"):
                if os.path.exists(wal):
                    with open(wal, "r+b") as f:
                        f.write(b"\0" * 64)
            r = s.request("GET", "/readyz")
            self.assertEqual(r.status, 503, r)
            e = r.json()
            self.assertEqual(e["error"]["code"], "ESTORE")
            self.assertEqual(e["checks"]["store"]["status"], "failed")
            self.assertNotIn("connection", e["checks"])
            self.assertTrue(re.search(r"store", e["error"]["message"]))
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            srvharness.stop_clean(s, self)


if __name__ == "__main__":
    unittest.main()
