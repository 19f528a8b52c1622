"""`me` on a Server-to-Server connection (issue 13, docs/doctor.md
app_type): the request is still sent, but the CLI warns on stderr, a
workflow step's line carries the warning, and the doctor's app_type check
warns with the count, the last action and the fix (hint NAME_USER). A user
named by id or email adds nothing; a user OAuth connection may say `me`."""
import json
import os
import time
import unittest

from cliharness import CliEnv
from zfharness import Sim

WARNING = ("the request names the user `me`, but a Server-to-Server token has no user "
           "behind it: name the user by id or email instead")

WF = """name: whoami
on:
  event: whoami.asked
steps:
  - id: me
    action: get_user
    with:
      user_id: me
"""


class S2SMe(unittest.TestCase):
    def setUp(self):
        self.sim = Sim("--auto-approve")
        self.addCleanup(self.sim.stop)

    def s2s(self):
        cli = CliEnv(self.sim, client_id="zoomsim-s2s", secret="zoomsim-s2s-secret")
        p = cli.run("connect", "--s2s", "--account-id", self.sim.state()["account_id"],
                    "--client-secret-file", "-", input=b"zoomsim-s2s-secret\n")
        self.assertEqual(p.returncode, 0, p.err)
        return cli

    def app_type(self, cli):
        p = cli.run("doctor", "--json", "--offline")
        self.assertTrue(p.out.strip(), p.err)
        return {c["check"]: c for c in json.loads(p.out)["checks"]}["app_type"]

    def requests_to(self, path):
        return [r for r in self.sim.requests_log() if r.get("path", "").endswith(path)]

    def owner(self, cli):
        p = cli.run("users", "list", "--format", "json")
        self.assertEqual(p.returncode, 0, p.err)
        users = json.loads(p.out)["users"]
        self.assertTrue(users, p.out)
        return users[0]

    def test_me_is_sent_warned_and_counted(self):
        cli = self.s2s()
        c = self.app_type(cli)
        self.assertEqual(c["verdict"], "ok", c)  # nothing named `me` yet
        self.assertEqual(c["details"]["me_requests"]["count"], 0)
        p = cli.run("users", "get", "--user-id", "me", "--format", "json")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertTrue(json.loads(p.out)["id"], p.out)  # sent: Zoom answered
        lines = [ln for ln in p.err.splitlines() if ln.startswith("warning: ")]
        self.assertEqual(lines, ["warning: get_user: " + WARNING], p.err)
        c = self.app_type(cli)
        self.assertEqual(c["verdict"], "warn", c)
        self.assertEqual(c["hint_id"], "NAME_USER", c)
        self.assertEqual(c["details"]["me_requests"]["count"], 1, c)
        self.assertEqual(c["details"]["me_requests"]["last_action"], "get_user", c)
        self.assertGreater(c["details"]["me_requests"]["last_at"], 0, c)
        self.assertIn("1 request in the last 24 h named the user `me`", c["found"])
        self.assertIn("the last: get_user", c["found"])
        self.assertIn("user_id", c["todo"])
        self.assertIn("get_user", c["todo"])
        # the doctor warns, it does not fail: exit 0 when nothing fails
        p = cli.run("doctor", "--offline")
        line = [ln for ln in p.out.splitlines() if ln[6:].startswith("app_type ")]
        self.assertTrue(line and line[0].startswith("WARN"), p.out)
        # a path naming `me` deeper down, and a raw call, count too
        p = cli.run("meetings", "list", "--user-id", "me", "--format", "json")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("warning: list_meetings: " + WARNING, p.err)
        time.sleep(1.1)  # signals keep seconds: the last is the newest second's
        p = cli.run("api", "/users/me/settings")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("warning: call_api: " + WARNING, p.err)
        c = self.app_type(cli)
        self.assertEqual(c["details"]["me_requests"]["count"], 3, c)
        self.assertEqual(c["details"]["me_requests"]["last_action"], "call_api", c)
        self.assertIn("3 requests", c["found"])
        self.assertIn("call_api's path", c["todo"])

    def test_an_explicit_user_adds_nothing(self):
        cli = self.s2s()
        u = self.owner(cli)
        for who in (u["id"], u["email"]):
            p = cli.run("users", "get", "--user-id", who, "--format", "json")
            self.assertEqual(p.returncode, 0, p.err)
            self.assertNotIn("warning", p.err)
        # a segment that only contains "me" is not `me`
        p = cli.run("api", "/users/" + u["id"] + "/meetings", "-q", "type=scheduled")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertNotIn("warning", p.err)
        c = self.app_type(cli)
        self.assertEqual(c["verdict"], "ok", c)
        self.assertEqual(c["details"]["me_requests"], {"count": 0, "last_action": None,
                                                       "last_at": 0})

    def test_user_oauth_may_say_me(self):
        cli = CliEnv(self.sim)
        p = cli.connect()
        self.assertEqual(p.returncode, 0, p.err)
        p = cli.run("users", "get", "--user-id", "me", "--format", "json")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertNotIn("warning", p.err)
        p = cli.run("api", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertNotIn("warning", p.err)
        c = self.app_type(cli)
        self.assertEqual(c["verdict"], "ok", c)
        self.assertEqual(c["details"]["me_requests"]["count"], 0, c)

    def test_workflow_step_carries_the_warning(self):
        cli = self.s2s()
        wf = os.path.join(cli.dir, "whoami.yaml")
        with open(wf, "w") as f:
            f.write(WF)
        p = cli.run("run", wf, "--event", "{}", "--trigger-id", "w-1")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        line = [ln for ln in p.out.splitlines() if " me: done" in ln]
        self.assertEqual(len(line), 1, p.out)
        self.assertIn(" -- warning: get_user: " + WARNING, line[0])
        c = self.app_type(cli)
        self.assertEqual(c["verdict"], "warn", c)
        self.assertEqual(c["details"]["me_requests"]["count"], 1, c)


if __name__ == "__main__":
    unittest.main()
