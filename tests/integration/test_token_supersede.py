"""A token superseded behind a process's back, across real processes.

Zoom invalidates a grant's previous access token the moment it issues a new
one (docs/zoomsim-oauth.md, "Token tolerance"). Here process A is a real
`zoomflow api GET /users --paginate`: one of its page requests is held at
zoomsim (a latency fault) with the token it read from the store, while
process B (tests/tools/zf_tokens_driver, same store) refreshes. When A's
request is let through, zoomsim checks its token again and answers 401 code
124; A must re-read the store, take B's token, not refresh again, and
finish every page (DESIGN §5: lock, re-read, refresh only if still needed).
Refreshes are counted at zoomsim, in its request log."""
import json
import shutil
import subprocess
import time
import unittest

import zfharness
from cliharness import CliEnv
from zfharness import SLOW, Sim, binary, stop_clean

KEY = "8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677"
ACCOUNT = "zsimAcct0000000000001"
USERS = 45        # seeded, plus the owner: 46 users, 5 pages of 10
PAGE = 10
HOLD_MS = 4000    # A's second page waits this long at zoomsim (times SLOW)


class Supersede(unittest.TestCase):
    sim_args = ("--auto-approve",)
    s2s = False

    def setUp(self):
        self.sim = Sim(*self.sim_args)
        self.addCleanup(stop_clean, self.sim)
        if self.s2s:
            self.cli = CliEnv(self.sim, client_id="zoomsim-s2s", secret="zoomsim-s2s-secret")
        else:
            self.cli = CliEnv(self.sim)
        self.addCleanup(shutil.rmtree, self.cli.dir, True)
        self.cli.env["ZOOMFLOW_MASTER_KEY"] = KEY  # the driver reads the same store
        p = self.cli.connect("--s2s", "--account-id", ACCOUNT) if self.s2s else self.cli.connect()
        self.assertEqual(p.returncode, 0, p.err)
        r = self.sim.request("POST", "/_sim/seed/users", body={"count": USERS,
                                                              "domain": "held.example"})
        self.assertEqual(r.status, 201, r)
        self.sim.request("DELETE", "/_sim/requests")

    # --- the two processes

    def start_a(self):
        """A: every user, page by page; its second page is held at zoomsim."""
        self.fault({"kind": "latency", "route": "users.list", "skip": 1, "count": 1,
                    "delay_ms": HOLD_MS * SLOW})
        a = subprocess.Popen(zfharness.WRAP + [binary("zoomflow"), "api", "GET", "/users",
                                               "-q", f"page_size={PAGE}", "--paginate"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.cli.env)
        self.addCleanup(lambda: a.poll() is None and (a.kill(), a.wait()))
        deadline = time.time() + 30 * SLOW
        while self.fired("users.list") == 0:  # then the held request is at zoomsim
            if a.poll() is not None:
                self.fail("A ended before its second page: " + a.stderr.read().decode())
            self.assertLess(time.time(), deadline, "A's second page never arrived")
            time.sleep(0.02)
        return a

    def run_b(self, *args):
        """B: refreshes now, though the stored token still works (margin 3600
        s > the 3599 s any token lives), then calls with what it got."""
        cmd = [binary("zf_tokens_driver"), "--db", self.cli.env["ZOOMFLOW_DB"], "--sim",
               self.sim.url, "--margin", "3600"] + list(args or ["access"])
        return zfharness.run(cmd, env=self.cli.env)

    def finish_a(self, a, b_done):
        out, err = a.communicate(timeout=60 * SLOW)
        self.assertTrue(b_done, "B finished after A's held page went on: raise HOLD_MS")
        return a.returncode, out.decode(), err.decode()

    def race(self):
        """A held, B refreshes, A goes on. Returns A's (rc, out, err) and B's
        CompletedProcess."""
        a = self.start_a()
        b = self.run_b()
        b_done = a.poll() is None
        return self.finish_a(a, b_done), b

    # --- what zoomsim saw

    def fault(self, rule):
        r = self.sim.request("POST", "/_sim/faults", body=rule)
        self.assertEqual(r.status, 201, r)

    def fired(self, route):
        rules = self.sim.request("GET", "/_sim/faults").json()["rules"]
        return sum(x["fired"] for x in rules if x.get("route") == route)

    def token_calls(self, grant):
        """Statuses of the token endpoint calls since connecting (0: dropped),
        all of them of this grant type (a call dropped before the handler
        ran carries no detail)."""
        log = self.sim.requests_log(route="oauth.token")["requests"]
        for r in log:
            self.assertIn(r.get("detail"), (None, "grant_type=" + grant), r)
        return [r["status"] for r in log]

    def users_statuses(self):
        return [r["status"] for r in self.sim.requests_log(route="users.list")["requests"]]

    def status(self):
        p = self.cli.run("status", "--json")
        return p.returncode, json.loads(p.out)

    def assert_every_user(self, out):
        emails = [json.loads(line)["email"] for line in out.splitlines()]
        self.assertEqual(len(emails), USERS + 1)
        self.assertEqual(len(set(emails)), USERS + 1)

    def assert_valid(self):
        rc, st = self.status()
        self.assertEqual((rc, st["state"]), (0, "VALID"), st)
        return st


class UserOAuthTest(Supersede):
    def test_a_uses_the_token_b_stored_and_does_not_refresh(self):
        (rc, out, err), b = self.race()
        self.assertEqual(b.returncode, 0, b.stderr)
        self.assertIn("status=200 rejected=0", b.stdout.decode())
        self.assertEqual(rc, 0, err)
        self.assert_every_user(out)
        # page 2 met the superseded token once; its retry and the rest passed
        statuses = self.users_statuses()
        self.assertEqual(statuses.count(401), 1, statuses)
        self.assertEqual(statuses.count(200), (USERS + 1 + PAGE - 1) // PAGE, statuses)
        self.assertEqual(self.token_calls("refresh_token"), [200])  # B's, and only B's
        self.assertEqual(self.assert_valid()["refresh_count"], 1)

    def test_ambiguous_unprocessed_refresh_keeps_the_connection(self):
        """B's refresh is cut before zoomsim processed it: B cannot tell it
        from a lost answer, but nothing rotated, A's token still works, and
        the next refresh (with the same refresh token) succeeds."""
        self.fault({"kind": "drop_before", "route": "oauth.token", "count": 1})
        (rc, out, err), b = self.race()
        self.assertEqual(b.returncode, 0, b.stderr)  # B fell back on the old token
        self.assertEqual(rc, 0, err)
        self.assert_every_user(out)
        self.assertNotIn(401, self.users_statuses())
        self.assertEqual(self.token_calls("refresh_token"), [0])
        st = self.assert_valid()
        self.assertIn("may have reached the token endpoint", st["last_error"])
        b = self.run_b()  # the stored refresh token was never used up
        self.assertEqual(b.returncode, 0, b.stderr)
        self.assertEqual(self.token_calls("refresh_token"), [0, 200])
        self.assertEqual(self.assert_valid()["refresh_count"], 1)

    def test_processed_refresh_with_lost_answer_is_the_one_loss(self):
        """B's refresh is processed and its answer dropped: Zoom rotated the
        refresh token and superseded A's access token, and the new pair
        exists nowhere. Exactly one more refresh finds the rotation (by B,
        whose fallback token got 124); A then fails at once, without asking
        Zoom, and every message says an earlier refresh's answer was lost."""
        self.fault({"kind": "drop", "route": "oauth.token", "count": 1})
        (rc, out, err), b = self.race()
        self.assertEqual(b.returncode, 3, b.stderr)
        self.assertEqual(rc, 3, err)
        self.assertEqual(self.token_calls("refresh_token"), [0, 400])
        self.assertEqual(self.users_statuses().count(401), 1)
        rc, st = self.status()
        self.assertEqual((rc, st["state"]), (3, "NEEDS_REAUTH"))
        self.assertIsNone(st["refresh_started"])  # no process was killed
        for text in (b.stderr.decode(), err, st["last_error"]):
            self.assertIn("the refresh before this one was cut off after it was sent", text)
            self.assertIn("its answer was lost", text)
        for hint in (b.stderr.decode(), err, st["hint"]):
            self.assertIn("A refresh whose answer is lost on the way back cannot be "
                          "recovered", hint)
            self.assertNotIn("expired or been revoked", hint)
        self.assertIn("run `zoomflow --profile default connect`", err)


class S2SStrictTest(Supersede):
    """Server-to-Server with a tolerance of 1: Zoom's behaviour until 2023,
    and what zoomflow's one shared S2S token per connection is built for."""
    sim_args = ("--auto-approve", "--token-tolerance", "1")
    s2s = True

    def test_a_uses_the_token_b_stored_and_does_not_request_one(self):
        (rc, out, err), b = self.race()
        self.assertEqual(b.returncode, 0, b.stderr)
        self.assertEqual(rc, 0, err)
        self.assert_every_user(out)
        self.assertEqual(self.users_statuses().count(401), 1)
        self.assertEqual(self.token_calls("account_credentials"), [200])  # B's
        self.assert_valid()

    def test_lost_token_answer_costs_one_more_token_not_the_connection(self):
        """B's token request is processed (superseding A's token) and the
        answer dropped. B's fallback on the old token gets 124, B asks once
        more and stores that token; A's held page gets 124 and takes it."""
        self.fault({"kind": "drop", "route": "oauth.token", "count": 1})
        (rc, out, err), b = self.race()
        self.assertEqual(b.returncode, 0, b.stderr)
        self.assertIn("status=200 rejected=1", b.stdout.decode())
        self.assertEqual(rc, 0, err)
        self.assert_every_user(out)
        self.assertEqual(self.users_statuses().count(401), 1)
        self.assertEqual(self.token_calls("account_credentials"), [0, 200])
        st = self.assert_valid()
        self.assertFalse(st.get("last_error"), st)


class S2SNoLimitTest(Supersede):
    """Zoom's Server-to-Server default today: tokens do not supersede."""
    s2s = True

    def test_old_token_keeps_working(self):
        (rc, out, err), b = self.race()
        self.assertEqual((b.returncode, rc), (0, 0), (b.stderr, err))
        self.assert_every_user(out)
        self.assertNotIn(401, self.users_statuses())
        self.assertEqual(self.token_calls("account_credentials"), [200])


if __name__ == "__main__":
    unittest.main()
