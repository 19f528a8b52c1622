"""zoomflow connect / status / disconnect against zoomsim's OAuth server."""
import json
import os
import unittest

from cliharness import CliEnv
from zfharness import Sim


class ConnectTest(unittest.TestCase):
    def setUp(self):
        self.sim = Sim("--auto-approve")
        self.cli = CliEnv(self.sim)

    def tearDown(self):
        self.sim.stop()

    def status(self):
        p = self.cli.run("status", "--json")
        return p.returncode, json.loads(p.out) if p.out.strip() else None

    def test_connect_status_disconnect(self):
        p = self.cli.connect()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("Connected profile 'default'", p.out)
        self.assertIn("/oauth/authorize?", p.err)
        self.assertIn("code_challenge_method=S256", p.err)
        rc, st = self.status()
        self.assertEqual(rc, 0)
        self.assertEqual(st["state"], "VALID")
        self.assertEqual(st["kind"], "oauth")
        self.assertEqual(st["missing_scopes"], [])
        self.assertGreater(st["access_expires_at"], 0)
        # Zoom's token answer names no account: it comes from the access
        # token's "aid" claim
        acct = self.sim.state()["account_id"]
        self.assertEqual(st["account_id"], acct)
        # text status too
        p = self.cli.run("status")
        self.assertEqual(p.returncode, 0)
        self.assertIn("VALID", p.out)
        self.assertIn("account:       " + acct, p.out)
        self.assertNotIn("(unknown)", p.out)
        # no token or secret in clear anywhere in the database
        db = self.cli.db_bytes()
        tokens = [t["token"] for t in self.sim.state()["auth"]["tokens"]]
        self.assertTrue(tokens)
        for t in tokens:
            self.assertNotIn(t.encode(), db)
        self.assertNotIn(b"zoomsim-secret", db)
        p = self.cli.run("disconnect")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("revoked", p.out)
        rc, st = self.status()
        self.assertEqual(rc, 3)
        self.assertEqual(st["state"], "ABSENT")

    def test_state_tampered_is_refused(self):
        p = self.cli.connect("--wait", "20", env={"ZF_BROWSER_MODE": "tamper"})
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn("state", p.err.lower())
        rc, _ = self.status()
        self.assertEqual(rc, 3)

    def test_callback_replay_is_refused(self):
        rec = os.path.join(self.cli.dir, "callback-url")
        p = self.cli.connect(env={"ZF_BROWSER_RECORD": rec})
        self.assertEqual(p.returncode, 0, p.err)
        # the same callback (state + code) delivered again, to a new attempt
        p = self.cli.connect("--wait", "20", env={"ZF_BROWSER_MODE": "deliver:" + rec})
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn("state", p.err.lower())

    def test_client_secret_on_argv_is_refused(self):
        p = self.cli.run("connect", "--client-secret", "zoomsim-secret")
        self.assertEqual(p.returncode, 2)
        self.assertIn("process list", p.err)

    def test_missing_client_id(self):
        p = self.cli.run("connect", env={"ZOOMFLOW_CLIENT_ID": ""})
        self.assertEqual(p.returncode, 2)
        self.assertIn("client id", p.err)

    def test_wrong_secret_is_an_auth_failure(self):
        with open(self.cli.secret_file, "w") as f:
            f.write("not-the-secret")
        p = self.cli.connect("--wait", "20")
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn("client", p.err.lower())

    def test_redirect_mismatch_times_out_with_hint(self):
        # the default app allows /callback only: Zoom shows an error page
        # (4709) and never redirects, so nothing reaches zoomflow
        import socket
        with socket.socket() as sk:
            sk.bind(("127.0.0.1", 0))
            port = sk.getsockname()[1]
        p = self.cli.connect("--redirect-uri", f"http://127.0.0.1:{port}/elsewhere",
                             "--wait", "3")
        self.assertEqual(p.returncode, 5, p.err)
        self.assertIn("no authorization arrived", p.err)
        p = self.cli.connect("--redirect-uri", "https://example.com/cb")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("loopback", p.err)

    def test_s2s(self):
        acct = self.sim.state()["account_id"]
        cli = CliEnv(self.sim, client_id="zoomsim-s2s", secret="zoomsim-s2s-secret")
        p = cli.run("connect", "--s2s", "--account-id", acct, "--client-secret-file", "-",
                    input=b"zoomsim-s2s-secret\n")
        self.assertEqual(p.returncode, 0, p.err)
        p = cli.run("status", "--json")
        st = json.loads(p.out)
        self.assertEqual(st["kind"], "s2s")
        self.assertEqual(st["account_id"], acct)
        p = cli.run("connect", "--s2s", "--account-id", "wrong-account",
                    "--client-secret-file", cli.secret_file)
        self.assertEqual(p.returncode, 3, p.err)

    def test_profiles_are_separate(self):
        self.assertEqual(self.cli.connect().returncode, 0)
        p = self.cli.run("--profile", "other", "status", "--json")
        self.assertEqual(p.returncode, 3)
        self.assertEqual(json.loads(p.out)["profile"], "other")


if __name__ == "__main__":
    unittest.main()
