"""`me` on a Server-to-Server connection through the service (issue 13):
POST /api/v1/actions/{name} still sends it and answers 200 with the
warning in `warnings`, both on the tree path (get_user) and on a list
page shaped from Zoom's bytes (list_meetings); a user named by id adds
nothing; GET /api/v1/doctor's app_type then warns (hint NAME_USER) with
the count and the last action, for this org only."""
import unittest

from srvharness import Serve
from zfharness import Sim

WARNING = ("the request names the user `me`, but a Server-to-Server token has no user "
           "behind it: name the user by id or email instead")


class ServeS2SMe(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--auto-approve")
        try:
            cls.s = Serve(sim=cls.sim)
            for org in ("acme", "other"):
                cls.s.org(org)
            cls.admin = cls.s.key("acme", "k-admin", "admin")
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

    def connect(self, key):
        r = self.s.request("POST", "/api/v1/connection", {
            "client_id": "zoomsim-s2s", "client_secret": "zoomsim-s2s-secret",
            "account_id": self.sim.state()["account_id"]}, key=key)
        self.assertEqual(r.status, 200, r)

    def action(self, name, body, key=None):
        r = self.s.request("POST", "/api/v1/actions/" + name, body, key=key or self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def app_type(self, key):
        r = self.s.request("GET", "/api/v1/doctor", key=key)
        self.assertEqual(r.status, 200, r)
        return {c["check"]: c for c in r.json()["checks"]}["app_type"]

    def test_warnings_array_and_the_doctor(self):
        self.connect(self.admin)
        self.connect(self.other)
        c = self.app_type(self.admin)
        self.assertEqual(c["verdict"], "ok", c)
        out = self.action("get_user", {"user_id": "me"})
        self.assertTrue(out["output"]["id"], out)  # sent, and Zoom answered
        self.assertEqual(out["warnings"], ["get_user: " + WARNING], out)
        owner = out["output"]["id"]
        out = self.action("get_user", {"user_id": owner})
        self.assertEqual(out["warnings"], [], out)
        out = self.action("list_meetings", {"user_id": "me", "page_size": 5})
        self.assertEqual(out["warnings"], ["list_meetings: " + WARNING], out)
        self.assertIn("meetings", out["output"])
        out = self.action("list_meetings", {"user_id": owner, "page_size": 5})
        self.assertEqual(out["warnings"], [], out)
        # a dry run sends nothing and counts nothing
        r = self.s.request("POST", "/api/v1/actions/get_user?dry_run=1", {"user_id": "me"},
                           key=self.admin)
        self.assertEqual(r.status, 200, r)
        c = self.app_type(self.admin)
        self.assertEqual(c["verdict"], "warn", c)
        self.assertEqual(c["hint_id"], "NAME_USER", c)
        self.assertEqual(c["details"]["me_requests"]["count"], 2, c)
        self.assertIn(c["details"]["me_requests"]["last_action"], ("get_user", "list_meetings"))
        self.assertIn("2 requests in the last 24 h named the user `me`", c["found"])
        self.assertIn("by id or email", c["todo"])
        # the other org's doctor saw none of it
        o = self.app_type(self.other)
        self.assertEqual(o["verdict"], "ok", o)
        self.assertEqual(o["details"]["me_requests"]["count"], 0, o)


if __name__ == "__main__":
    unittest.main()
