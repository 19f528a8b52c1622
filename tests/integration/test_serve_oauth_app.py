"""The web flow's Zoom OAuth app of `zoomflow serve`: --client-id and
--client-secret-file, ZOOMFLOW_CLIENT_ID / ZOOMFLOW_CLIENT_SECRET_FILE and
the config file's client_id / client_secret_file, each used alone and
against each other (flags > env > config), through the real binary and
zoomsim's authorize and token endpoints; a missing or empty secret file,
or half an app, stops the start with a message naming the file and the
fix; the secret is never in argv, /proc/PID/cmdline or the logs.

On SQLite by default; ZF_TEST_DB=postgresql (integ.test_serve_oauth_app.pg)
on a fresh PostgreSQL schema.
"""
import html
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

import srvharness
from test_serve_actions import ADMIN_EMAIL, ADMIN_PW, Client, follow_to_callback
from zfharness import SLOW, WRAP, Sim, binary

SECRET = "zoomsim-secret"


class AppCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="zf-oauthapp-")
        cls.sim = Sim("--auto-approve",
                      "--app", f"cid-flag:{SECRET}:http://127.0.0.1:*/oauth/zoom/callback",
                      "--app", f"cid-env:{SECRET}:http://127.0.0.1:*/oauth/zoom/callback",
                      "--app", f"cid-config:{SECRET}:http://127.0.0.1:*/oauth/zoom/callback")
        cls.secret_file = cls.file("client.secret", SECRET + "\n")

    @classmethod
    def tearDownClass(cls):
        rc = cls.sim.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)
        if rc != 0:
            raise AssertionError(f"zoomsim exited {rc}")

    @classmethod
    def file(cls, name, text, mode=0o600):
        path = os.path.join(cls.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def config(self, cid, secret_file):
        return self.file("config", f"[default]\nclient_id = {cid}\n"
                                   f"client_secret_file = {secret_file}\n")

    def serve(self, *args, env=None):
        s = srvharness.Serve(*args, sim=self.sim, env=env or {})
        self.addCleanup(srvharness.stop_clean, s, self)  # exit 0: sanitizers, leaks
        s.org("acme")
        s.account("acme", ADMIN_EMAIL, "admin", ADMIN_PW)
        return s

    def client_id_used(self, s):
        """The client id GET /oauth/zoom/connect sends the admin to Zoom with."""
        c = Client(s.port)
        r = c.request("POST", "/api/v1/session",
                      {"email": ADMIN_EMAIL, "password": ADMIN_PW, "org": "acme"})
        self.assertEqual(r.status, 200, r)
        cookie = r.header("Set-Cookie").split(";")[0]
        r = c.request("GET", "/oauth/zoom/connect", headers={"Cookie": cookie})
        c.close()
        self.assertEqual(r.status, 303, r)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(r.header("Location")).query)
        return q["client_id"][0], cookie

    def connects(self, s, cookie):
        """The whole flow through zoomsim: the secret read is the right one
        (zoomsim's token endpoint checks it)."""
        r = self.callback(s, cookie)
        self.assertEqual(r.status, 200, r)
        self.assertIn(b"connect=ok", r.body)

    def callback(self, s, cookie):
        """Zoom's redirect back, without the cookie (another site)."""
        path = follow_to_callback(s.port, self.sim, cookie)
        c = Client(s.port)
        try:
            return c.request("GET", path)
        finally:
            c.close()

    def assert_secret_hidden(self, s):
        with open(f"/proc/{s.proc.pid}/cmdline", "rb") as f:
            self.assertNotIn(SECRET.encode(), f.read())
        self.assertNotIn(SECRET, s.stderr())
        self.assertNotIn(SECRET, s.stdout())


class TestSources(AppCase):
    def test_flags(self):
        s = self.serve("--client-id", "cid-flag", "--client-secret-file", self.secret_file)
        cid, cookie = self.client_id_used(s)
        self.assertEqual(cid, "cid-flag")
        self.connects(s, cookie)
        self.assert_secret_hidden(s)

    def test_env(self):
        s = self.serve(env={"ZOOMFLOW_CLIENT_ID": "cid-env",
                            "ZOOMFLOW_CLIENT_SECRET_FILE": self.secret_file})
        cid, cookie = self.client_id_used(s)
        self.assertEqual(cid, "cid-env")
        self.connects(s, cookie)
        self.assert_secret_hidden(s)

    def test_config_file(self):
        cfg = self.config("cid-config", self.secret_file)
        s = self.serve(env={"ZOOMFLOW_CONFIG": cfg})
        cid, cookie = self.client_id_used(s)
        self.assertEqual(cid, "cid-config")
        self.connects(s, cookie)

    def test_precedence(self):
        wrong = self.file("wrong.secret", "not-the-secret\n")
        cfg = self.config("cid-config", wrong)
        env = {"ZOOMFLOW_CONFIG": cfg, "ZOOMFLOW_CLIENT_ID": "cid-env",
               "ZOOMFLOW_CLIENT_SECRET_FILE": self.secret_file}
        # env over config: the id and the file
        s = self.serve(env=env)
        cid, cookie = self.client_id_used(s)
        self.assertEqual(cid, "cid-env")
        self.connects(s, cookie)
        s.stop()
        # flags over env and config
        env["ZOOMFLOW_CLIENT_SECRET_FILE"] = wrong
        s = self.serve("--client-id", "cid-flag", "--client-secret-file", self.secret_file,
                       env=env)
        cid, cookie = self.client_id_used(s)
        self.assertEqual(cid, "cid-flag")
        self.connects(s, cookie)
        s.stop()
        # the wrong secret from the env is what zoomsim's token endpoint refuses
        s = self.serve(env=env)
        cid, cookie = self.client_id_used(s)
        r = self.callback(s, cookie)
        self.assertNotEqual(r.status, 200, r)
        self.assertNotIn(b"not-the-secret", r.body)
        self.assertNotIn("not-the-secret", s.stderr())

    def test_no_app_is_s2s_only(self):
        s = self.serve()
        r = s.request("GET", "/api/v1/connection", key=s.key("acme", "k", "viewer"))
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json()["oauth"]["configured"])
        # an admin's Connect then lands on what is missing and how to add it,
        # without a trip to Zoom or a state stored
        cookie = s.signin(ADMIN_EMAIL, ADMIN_PW, org="acme")[0]
        r = s.request("GET", "/oauth/zoom/connect", cookie=cookie)
        self.assertEqual(r.status, 400, r)
        self.assertIsNone(r.header("Location"))
        m = re.search(r'url=/#zoom\?([^"]+)"', r.body)
        f = dict(urllib.parse.parse_qsl(html.unescape(m.group(1))))
        self.assertEqual(f, {
            "connect": "error", "code": "ECONFIG", "hint_id": "APP_CREDENTIALS",
            "message": "this service has no Zoom OAuth app configured (its client id and "
                       "client secret file)",
            "resolution": "Start the service with --client-id and --client-secret-file (or "
                          "ZOOMFLOW_CLIENT_ID and ZOOMFLOW_CLIENT_SECRET_FILE), from the Zoom "
                          "app's App Credentials page."})
        shown = re.search(r'<span id="resolution">([^<]*)</span>', r.body)
        self.assertEqual(html.unescape(shown.group(1)), f["resolution"])
        self.assertEqual(srvharness.store_sql(s.store, "SELECT count(*) FROM oauth_states"),
                         [["0"]])
        # and a callback to it is refused as one with no state issued
        r = s.request("GET", "/oauth/zoom/callback?code=x&state=y")
        self.assertEqual(r.status, 400, r)
        self.assertIn("connect=error&amp;code=ESTATE", r.body)


class TestRefusals(AppCase):
    def start_fails(self, *args, env=None):
        s = srvharness.Serve(*args, sim=self.sim, env=env or {}, start=False)
        cmd = WRAP + [binary("zoomflow"), "serve", "--listen", "127.0.0.1:0"] + list(args)
        p = subprocess.run(cmd, capture_output=True, env=s.env, timeout=60 * SLOW)
        return p.returncode, p.stderr.decode()

    def test_missing_secret_file(self):
        gone = os.path.join(self.dir, "no-such.secret")
        for args, env, named in (
                (("--client-id", "cid-flag", "--client-secret-file", gone), {},
                 "--client-secret-file"),
                ((), {"ZOOMFLOW_CLIENT_ID": "cid-env", "ZOOMFLOW_CLIENT_SECRET_FILE": gone},
                 "ZOOMFLOW_CLIENT_SECRET_FILE"),
                ((), {"ZOOMFLOW_CONFIG": self.config("cid-config", gone)},
                 "client_secret_file in ")):
            rc, err = self.start_fails(*args, env=env)
            self.assertEqual(rc, 2, err)
            self.assertIn(gone, err)
            self.assertIn(named, err)
            self.assertIn("No such file", err)
            self.assertIn("App Credentials", err)  # the fix
            self.assertNotIn("listening on", err)

    def test_empty_secret_file(self):
        empty = self.file("empty.secret", "\n")
        rc, err = self.start_fails("--client-id", "cid-flag", "--client-secret-file", empty)
        self.assertEqual(rc, 2, err)
        self.assertIn("empty", err)
        self.assertIn("--client-secret-file", err)

    def test_half_an_app(self):
        rc, err = self.start_fails("--client-secret-file", self.secret_file)
        self.assertEqual(rc, 2, err)
        self.assertIn("client id", err)
        self.assertIn("--client-id", err)
        rc, err = self.start_fails("--client-id", "cid-flag")
        self.assertEqual(rc, 2, err)
        self.assertIn("client secret is missing", err)
        self.assertIn("--client-secret-file", err)

    def test_secret_in_the_environment_is_not_read(self):
        rc, err = self.start_fails("--client-id", "cid-flag",
                                   env={"ZOOMFLOW_CLIENT_SECRET": SECRET})
        self.assertEqual(rc, 2, err)
        self.assertIn("client secret is missing", err)
        self.assertIn("ZOOMFLOW_CLIENT_SECRET_FILE", err)

    def test_secret_on_the_command_line_is_refused(self):
        rc, err = self.start_fails("--client-id", "cid-flag", "--client-secret", SECRET)
        self.assertEqual(rc, 2, err)
        self.assertIn("process list", err)
        self.assertIn("--client-secret-file", err)

    def test_help_names_the_flags(self):
        p = subprocess.run([binary("zoomflow"), "serve", "--help"], capture_output=True,
                           timeout=30 * SLOW)
        out = p.stdout.decode()
        self.assertIn("--client-id", out)
        self.assertIn("--client-secret-file", out)
        self.assertNotIn("--client-secret ", out)


if __name__ == "__main__":
    unittest.main()
