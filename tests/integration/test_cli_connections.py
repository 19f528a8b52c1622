"""Connections you can trust (issue 9): one grant per user and app at
connect, a live `status`, and `status --all`, through the real binary
against zoomsim."""
import base64
import json
import unittest

from cliharness import CliEnv
from zfharness import Sim

S2S = ("zoomsim-s2s", "zoomsim-s2s-secret")


class ConnectionsTest(unittest.TestCase):
    def setUp(self):
        self.sim = Sim("--auto-approve")
        self.cli = CliEnv(self.sim)

    def tearDown(self):
        self.sim.stop()

    def status(self, *args, profile="default"):
        p = self.cli.run("--profile", profile, "status", "--json", *args)
        return p, json.loads(p.out) if p.out.strip() else None

    def connect(self, profile, *extra):
        return self.cli.connect(*extra, env={"ZOOMFLOW_PROFILE": profile})

    def connect_s2s(self, profile):
        acct = self.sim.state()["account_id"]
        return self.cli.run("--profile", profile, "connect", "--s2s", "--account-id", acct,
                            "--client-secret-file", "-", input=(S2S[1] + "\n").encode(),
                            env={"ZOOMFLOW_CLIENT_ID": S2S[0]})

    def revoke_at_zoom(self, client_id="zoomsim-client", secret="zoomsim-secret"):
        """Revokes every live grant of the app at zoomsim, as an admin
        removing the app would: the tokens come from the control API's
        state dump, the revocation is Zoom's own POST /oauth/revoke."""
        tokens = [t for t in self.sim.state()["auth"]["tokens"]
                  if t.get("client_id") == client_id]
        self.assertTrue(tokens, self.sim.state()["auth"])
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        for t in tokens:
            r = self.sim.request("POST", "/oauth/revoke", form={"token": t["token"]},
                                 headers={"Authorization": "Basic " + basic})
            self.assertIn(r.status, (200, 400), r.body)

    def test_second_profile_with_the_same_app_is_refused(self):
        self.assertEqual(self.connect("default").returncode, 0)
        p = self.connect("work")
        self.assertEqual(p.returncode, 2, p.err)
        # names the other profile, what would happen, and what to do
        self.assertIn("profile 'default' is already connected with this Zoom app", p.err)
        self.assertIn("client id zoomsim-client", p.err)
        self.assertIn("revokes the grant of 'default'", p.err)
        self.assertIn("--force", p.err)
        self.assertIn("nothing was sent to Zoom", p.err)
        # nothing was sent: no authorize URL, no new token, default still works
        self.assertNotIn("/oauth/authorize?", p.err)
        p, st = self.status(profile="work")
        self.assertEqual(p.returncode, 3)
        self.assertEqual(st["state"], "ABSENT")
        p, st = self.status()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(st["state"], "VALID")
        self.assertTrue(st["live"])

    def live_tokens(self, client_id="zoomsim-client"):
        return [t for t in self.sim.state()["auth"]["tokens"] if t["client_id"] == client_id]

    def test_force_marks_the_superseded_profile(self):
        self.assertEqual(self.connect("default").returncode, 0)
        first = {t["token"] for t in self.live_tokens()}
        p = self.connect("work", "--force")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("Connected profile 'work'", p.out)
        self.assertIn("profile 'default' was connected as the same Zoom user", p.err)
        self.assertIn("NEEDS_REAUTH", p.err)
        self.assertIn("zoomflow --profile default connect --force", p.err)
        # zoomsim, like Zoom, really revoked the first grant ...
        self.assertTrue(first)
        for t in first:
            r = self.sim.request("GET", "/_sim/tokens/introspect", query={"token": t})
            self.assertEqual(r.status, 200, r.body)
            self.assertFalse(r.json()["active"], r.body)
        # ... and default is marked with the reason
        p, st = self.status("--offline")
        self.assertEqual(p.returncode, 3)
        self.assertEqual(st["state"], "NEEDS_REAUTH")
        self.assertFalse(st["live"])
        self.assertIn("revoked by Zoom", st["last_error"])
        self.assertIn("profile 'work'", st["last_error"])
        self.assertIn("revokes 'work' in turn", st["last_error"])
        # ... and the text status says it, with what to do
        p = self.cli.run("status")
        self.assertEqual(p.returncode, 3)
        self.assertIn("NEEDS_REAUTH", p.out)
        self.assertIn("revoked by Zoom", p.out)
        # the hint is one that works: connect without --force is refused here
        self.assertIn("profile 'work' holds this app's grant", p.err)
        self.assertIn("zoomflow --profile default connect --force", p.err)
        self.assertEqual(self.connect("default").returncode, 2)
        # the call on the marked profile fails fast with the reason
        p = self.cli.run("users", "list")
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn("revoked by Zoom", p.err)
        p, st = self.status(profile="work")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(st["state"], "VALID")
        self.assertEqual(st["user_id"], self.live_tokens()[-1]["user_id"])

    def test_status_live_catches_a_grant_revoked_at_zoom(self):
        self.assertEqual(self.connect("default").returncode, 0)
        self.revoke_at_zoom()
        # the stored view still says VALID ...
        p, st = self.status("--offline")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(st["state"], "VALID")
        self.assertFalse(st["live"])
        p = self.cli.run("status", "--offline")
        self.assertEqual(p.returncode, 0)
        self.assertIn("stored state only (--offline)", p.out)
        # ... the live check asks Zoom, which refuses the token and then the
        # refresh token: NEEDS_REAUTH with Zoom's reason, exit 3
        p, st = self.status()
        self.assertEqual(p.returncode, 3, p.err)
        self.assertEqual(st["state"], "NEEDS_REAUTH")
        self.assertTrue(st["live"])
        self.assertIn("Invalid Token!", st["last_error"])
        self.assertIn("zoomflow --profile default connect", p.err)
        # and it stays so (stored): --offline now says it too
        p, st = self.status("--offline")
        self.assertEqual(p.returncode, 3)
        self.assertEqual(st["state"], "NEEDS_REAUTH")
        # the text form
        p = self.cli.run("status")
        self.assertEqual(p.returncode, 3)
        self.assertIn("state:         NEEDS_REAUTH", p.out)
        self.assertIn("Invalid Token!", p.out)

    def test_status_live_refreshes_an_expired_token(self):
        self.assertEqual(self.connect("default").returncode, 0)
        self.sim.advance(4000)
        p, st = self.status()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(st["state"], "VALID")
        self.assertEqual(st["refresh_count"], 1)
        self.assertIsNone(st["live_error"])

    def test_status_live_failure_is_not_reported_valid(self):
        self.assertEqual(self.connect("default").returncode, 0)
        self.sim.stop()
        p, st = self.status()
        self.assertEqual(p.returncode, 5, p.err)
        self.assertEqual(st["state"], "VALID")
        self.assertTrue(st["live_error"])
        self.assertIn("hint:", p.err)
        p, st = self.status("--offline")
        self.assertEqual(p.returncode, 0, p.err)

    def test_status_all_lists_every_profile(self):
        self.assertEqual(self.connect("default").returncode, 0)
        self.assertEqual(self.connect_s2s("robot").returncode, 0)
        self.assertEqual(self.connect("work", "--force").returncode, 0)
        p = self.cli.run("status", "--all", "--json")
        self.assertEqual(p.returncode, 3, p.err)  # default needs re-authorization
        rows = json.loads(p.out)
        self.assertEqual([r["profile"] for r in rows], ["default", "robot", "work"])
        by = {r["profile"]: r for r in rows}
        self.assertEqual(by["default"]["state"], "NEEDS_REAUTH")
        self.assertIn("revoked by Zoom", by["default"]["error"])
        self.assertEqual(by["robot"]["kind"], "s2s")
        self.assertEqual(by["work"]["kind"], "oauth")
        for name in ("robot", "work"):
            self.assertEqual(by[name]["state"], "VALID")
            self.assertTrue(by[name]["live"])
            self.assertIsNone(by[name]["error"])
            self.assertEqual(by[name]["account_id"], self.sim.state()["account_id"])
            self.assertGreater(by[name]["access_expires_at"], 0)
            self.assertTrue(by[name]["expires"].endswith("Z"))
        self.assertIn("NEEDS_REAUTH", p.err)
        # --format json is the same list; ndjson one per line
        p2 = self.cli.run("status", "--all", "--format", "json")
        self.assertEqual([r["profile"] for r in json.loads(p2.out)],
                         ["default", "robot", "work"])
        p2 = self.cli.run("status", "--all", "--format", "ndjson", "--offline")
        lines = [json.loads(l) for l in p2.out.splitlines()]
        self.assertEqual(len(lines), 3)
        self.assertFalse(any(l["live"] for l in lines))
        # the table names them with their states
        p2 = self.cli.run("status", "--all")
        self.assertEqual(p2.returncode, 3)
        for word in ("profile", "default", "robot", "work", "NEEDS_REAUTH", "VALID", "s2s"):
            self.assertIn(word, p2.out)
        # reconnecting default (forced) leaves work superseded instead
        self.assertEqual(self.connect("default", "--force").returncode, 0)
        p = self.cli.run("status", "--all", "--json")
        by = {r["profile"]: r for r in json.loads(p.out)}
        self.assertEqual(by["default"]["state"], "VALID")
        self.assertEqual(by["work"]["state"], "NEEDS_REAUTH")
        self.cli.run("--profile", "work", "disconnect")
        p = self.cli.run("status", "--all", "--json")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual([r["profile"] for r in json.loads(p.out)], ["default", "robot"])

    def test_status_all_with_nothing_connected(self):
        p = self.cli.run("status", "--all", "--json")
        self.assertEqual(p.returncode, 3)
        self.assertEqual(json.loads(p.out), [])
        self.assertIn("connect", p.err)

    def test_unknown_profile_lists_the_connections(self):
        self.assertEqual(self.connect("default").returncode, 0)
        self.assertEqual(self.connect_s2s("robot").returncode, 0)
        for cmd in (["status"], ["disconnect"]):
            p = self.cli.run("--profile", "wrok", *cmd)
            self.assertEqual(p.returncode, 3, p.err)
            self.assertIn('no Zoom connection named "wrok"', p.err)
            self.assertIn("the profiles connected are: default, robot", p.err)
            self.assertIn("`zoomflow status --all` lists the profiles", p.err)
        # with nothing connected at all it says to connect
        cli = CliEnv(self.sim)
        p = cli.run("--profile", "wrok", "status")
        self.assertEqual(p.returncode, 3)
        self.assertIn("zoomflow --profile wrok connect", p.err)
        self.assertNotIn("status --all", p.err)

    def test_status_format_checks(self):
        p = self.cli.run("status", "--format", "csv")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--all", p.err)
        p = self.cli.run("status", "--all", "--format", "yaml")
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
