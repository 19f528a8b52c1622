"""Zoom's token endpoint unavailable (503) while a refresh is due: the
error is the token endpoint's (HTTP 503, ESERVER, exit 5), not the 401
of the API call that started the refresh; it says the endpoint was
unavailable, that the stored tokens were kept and to retry later; the
stored tokens are unchanged and the connection stays connected; once the
endpoint is back the next call succeeds with exactly one refresh. Both
ways a refresh comes due: the token expired at Zoom only (the call's 401
starts it) and expired in the store (refreshed before the call). On
SQLite and on PostgreSQL (the .pg twin)."""
import json
import unittest

from cliharness import ConnectedTest

TOKEN_COLS = ("access_token_sealed", "refresh_token_sealed", "access_expires_at", "state",
              "refresh_count")


def refreshes(sim):
    """Requests that reached the token endpoint (a faulted one has no detail)."""
    return len(sim.requests_log(route="oauth.token")["requests"])


class TokenOutage(ConnectedTest):
    def row(self):
        return [self.cli.sql(f"SELECT {c} FROM connections")[0] for c in TOKEN_COLS]

    def fault(self, *rules):
        r = self.sim.request("POST", "/_sim/faults", body={"rules": list(rules)})
        self.assertEqual(r.status, 201, r)

    def call(self):
        return self.cli.run("-v", "api", "GET", "/users/me")

    def assert_outage(self, p):
        self.assertEqual(p.returncode, 5, p.err)  # ESERVER
        self.assertIn("was unavailable (HTTP 503", p.err)
        self.assertIn("the stored tokens were kept, retry later", p.err)
        self.assertIn("(ESERVER, HTTP 503,", p.err)
        self.assertNotIn("HTTP 401", p.err)
        self.assertNotIn("Zoom code 124", p.err)
        self.assertNotIn("Reconnect", p.err)

    def outage_then_back(self, expire):
        p = self.call()
        self.assertEqual(p.returncode, 0, p.err)
        expire()
        before = self.row()
        n0 = refreshes(self.sim)
        # 503 at the token endpoint, slowed too; every API call in between works
        self.fault({"kind": "latency", "route": "oauth.token", "delay_ms": 300},
                   {"kind": "status", "route": "oauth.token", "status": 503})
        for _ in range(2):
            self.assert_outage(self.call())
        self.assertEqual(self.row(), before)  # tokens, expiry, state and count kept
        self.assertGreaterEqual(refreshes(self.sim), n0 + 2)
        status = self.cli.run("status")
        self.assertNotIn("NEEDS_REAUTH", status.out + status.err)
        # back: the next call refreshes once and succeeds
        self.sim.request("DELETE", "/_sim/faults")
        n1 = refreshes(self.sim)
        p = self.call()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["email"], "owner@example.com")
        self.assertEqual(refreshes(self.sim), n1 + 1)
        after = self.row()
        self.assertNotEqual(after[0], before[0])
        self.assertEqual(int(after[4]), int(before[4]) + 1)
        p = self.call()  # and no more refreshes after that
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(refreshes(self.sim), n1 + 1)

    def test_expired_at_zoom_401_then_503(self):
        """The reported case: the API's 401 starts the refresh, which gets a
        503; the error carried the 401 and code 124."""
        self.outage_then_back(lambda: self.sim.advance(3700))

    def test_expired_in_store_then_503(self):
        self.outage_then_back(
            lambda: self.cli.sql("UPDATE connections SET access_expires_at = 1"))

    def test_other_5xx_and_a_refused_token_still_say_so(self):
        """A 500 says it failed (not unavailable); a 401 from the API whose
        refresh is refused keeps the 401 and code 124's words."""
        self.sim.advance(3700)
        self.fault({"kind": "status", "route": "oauth.token", "status": 500, "count": 1})
        p = self.call()
        self.assertEqual(p.returncode, 5, p.err)
        self.assertIn("failed with HTTP 500", p.err)
        self.assertIn("(ESERVER, HTTP 500,", p.err)
        self.sim.request("DELETE", "/_sim/faults")
        p = self.call()
        self.assertEqual(p.returncode, 0, p.err)


if __name__ == "__main__":
    unittest.main()
