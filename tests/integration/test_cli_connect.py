"""zoomflow connect / status / disconnect against zoomsim's OAuth server."""
import json
import os
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from cliharness import CliEnv
from zfharness import SLOW, WRAP, Sim, binary


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
        self.assertIn(b"zoomsim-client", db)  # the search sees the rows
        p = self.cli.run("disconnect")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("revoked", p.out)
        rc, st = self.status()
        self.assertEqual(rc, 3)
        self.assertEqual(st["state"], "ABSENT")

    def test_state_tampered_is_refused(self):
        p = self.cli.connect("--wait", "5", env={"ZF_BROWSER_MODE": "tamper"})
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn("state", p.err.lower())
        rc, _ = self.status()
        self.assertEqual(rc, 3)

    def test_callback_replay_is_refused(self):
        rec = os.path.join(self.cli.dir, "callback-url")
        p = self.cli.connect(env={"ZF_BROWSER_RECORD": rec})
        self.assertEqual(p.returncode, 0, p.err)
        # the same callback (state + code) delivered again, to a new attempt
        p = self.cli.connect("--wait", "5", env={"ZF_BROWSER_MODE": "deliver:" + rec})
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

    def assert_authorize_error_page(self, err, code):
        # zoomsim, like Zoom, answers a bad authorize request with its own
        # error page and no redirect (zoom-api.md B2)
        url = next(l.strip() for l in err.splitlines() if "/oauth/authorize?" in l)
        st, loc, body = authorize(url)
        self.assertEqual(st, 400)
        self.assertIsNone(loc)
        self.assertIn(str(code), body)

    def test_redirect_mismatch_is_an_auth_failure_naming_the_uri(self):
        # the default app allows /callback only: Zoom shows an error page
        # (4709) and never redirects, so nothing reaches zoomflow
        with socket.socket() as sk:
            sk.bind(("127.0.0.1", 0))
            port = sk.getsockname()[1]
        uri = f"http://127.0.0.1:{port}/elsewhere"
        p = self.cli.connect("--redirect-uri", uri, "--wait", "3")
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn("Authentication failure", p.err)
        self.assertIn(f"redirect URL is not {uri}", p.err)
        self.assertIn(f"add exactly {uri} as a redirect URL", p.err)
        self.assertIn("zoomsim-client", p.err)
        self.assert_authorize_error_page(p.err, 4709)
        p = self.cli.connect("--redirect-uri", "https://example.com/cb")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("loopback", p.err)

    def test_unknown_client_id_is_an_auth_failure_naming_it(self):
        cli = CliEnv(self.sim, client_id="no-such-client")
        p = cli.connect("--wait", "3")
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn("Authentication failure", p.err)
        self.assertIn("client id no-such-client is wrong", p.err)
        self.assertIn("/callback as a redirect URL", p.err)
        self.assert_authorize_error_page(p.err, 4702)

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


def authorize(url):
    """GET an authorize URL without following the redirect: (status, Location, body)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    try:
        r = urllib.request.build_opener(NoRedirect).open(url, timeout=30 * SLOW)
        return r.status, None, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location"), e.read().decode(errors="replace")


class Connecting:
    """`zoomflow connect --no-browser` in the background; the test is the
    browser, talking raw HTTP to the loopback listener."""

    def __init__(self, cli, *extra):
        cmd = WRAP + [binary("zoomflow"), "connect", "--client-secret-file", cli.secret_file,
                      "--no-browser", *extra]
        # unbuffered: the lines read here must not hide bytes from communicate()
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=cli.env, bufsize=0)
        self.url = self.redirect = None
        head = []
        while self.redirect is None:
            line = self.p.stderr.readline().decode(errors="replace")
            if not line:
                raise AssertionError("connect ended early: " + "".join(head))
            head.append(line)
            if "/oauth/authorize?" in line:
                self.url = line.strip()
            if line.startswith("Waiting for the authorization on "):
                self.redirect = line.split(" on ", 1)[1].rsplit(" ...", 1)[0]
        u = urllib.parse.urlsplit(self.redirect)
        self.port, self.authority, self.path = u.port, u.netloc, u.path
        self.state = urllib.parse.parse_qs(urllib.parse.urlsplit(self.url).query)["state"][0]

    def callback_target(self):
        """What clicking Authorize at Zoom yields: the callback's path?query."""
        st, loc, _ = authorize(self.url)
        self.assert_true(st == 302 and loc, f"authorize answered {st}")
        u = urllib.parse.urlsplit(loc)
        return u.path + "?" + u.query

    @staticmethod
    def assert_true(cond, msg):
        if not cond:
            raise AssertionError(msg)

    def open(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=30 * SLOW)

    def send(self, raw):
        """Sends raw request bytes; returns (status, whole answer text)."""
        with self.open() as sk:
            sk.sendall(raw)
            data = b""
            while True:
                chunk = sk.recv(65536)
                if not chunk:
                    break
                data += chunk
        text = data.decode(errors="replace")
        self.assert_true(text.startswith("HTTP/1.1 "), "no HTTP answer: %r" % text[:200])
        return int(text.split(" ", 2)[1]), text

    def get(self, target, host=None, extra=""):
        host = self.authority if host is None else host
        return self.send(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode())

    def finish(self):
        out, err = self.p.communicate(timeout=120 * SLOW)
        return self.p.returncode, out.decode(errors="replace"), err.decode(errors="replace")

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.communicate()


class CallbackListenerTest(unittest.TestCase):
    """The loopback listener refuses what is not this attempt's callback,
    says why, and keeps waiting for the real one (issue 8 section 4)."""

    def setUp(self):
        self.sim = Sim("--auto-approve")
        self.cli = CliEnv(self.sim)
        self.c = Connecting(self.cli, "--wait", "60")

    def tearDown(self):
        self.c.kill()
        self.sim.stop()

    def connected(self, target):
        st, text = self.c.get(target)
        self.assertEqual(st, 200, text)
        rc, out, err = self.c.finish()
        self.assertEqual(rc, 0, err)
        self.assertIn("Connected profile 'default'", out)
        return err

    def test_forged_host_is_refused_then_the_real_callback_connects(self):
        target = self.c.callback_target()
        st, text = self.c.get(target, host="evil.example.com")
        self.assertEqual(st, 421, text)
        self.assertIn("Host header does not name this listener", text)
        st, text = self.c.get(target, host=f"evil.example.com:{self.c.port}")
        self.assertEqual(st, 421, text)
        st, text = self.c.get(target, extra="Origin: http://evil.example.com\r\n")
        self.assertEqual(st, 403, text)
        err = self.connected(target)
        self.assertIn("Refused a request to the callback listener (421", err)

    def test_http10_without_host_and_foreign_origin_is_refused(self):
        target = self.c.callback_target()
        st, text = self.c.send(f"GET {target} HTTP/1.0\r\n"
                               "Origin: http://evil.example.com\r\n\r\n".encode())
        self.assertEqual(st, 400, text)
        self.assertIn("no Host header", text)
        st, text = self.c.send(f"GET {target} HTTP/1.0\r\n\r\n".encode())
        self.assertEqual(st, 400, text)
        # the listener's own origin is fine
        st, text = self.c.get(target, extra=f"Origin: http://{self.c.authority}\r\n")
        self.assertEqual(st, 200, text)
        rc, _, err = self.c.finish()
        self.assertEqual(rc, 0, err)

    def test_wrong_state_then_the_right_one_connects(self):
        target = self.c.callback_target()
        st, text = self.c.get(target.replace("state=", "state=x"))
        self.assertEqual(st, 400, text)
        self.assertIn("state is not this connect attempt", text)
        st, text = self.c.get(f"{self.c.path}?code=abc")
        self.assertEqual(st, 400, text)
        self.assertIn("no state", text)
        st, text = self.c.get(f"{self.c.path}?state={self.c.state}")
        self.assertEqual(st, 400, text)
        self.assertIn("no code", text)
        st, text = self.c.get(f"{self.c.path}?code=%zz&state={self.c.state}")
        self.assertEqual(st, 400, text)
        self.assertIn("malformed", text)
        st, text = self.c.get("/elsewhere" + target[len(self.c.path):])
        self.assertEqual(st, 404, text)
        st, text = self.c.send(b"POST " + target.encode() + b" HTTP/1.1\r\nHost: "
                               + self.c.authority.encode() + b"\r\n\r\n")
        self.assertEqual(st, 405, text)
        st, text = self.c.send(b"GET / HTTP/2.0\r\n\r\n")
        self.assertEqual(st, 505, text)
        self.connected(target)

    def test_denied_with_the_right_state_ends_the_flow(self):
        st, text = self.c.get(f"{self.c.path}?error=access_denied&state={self.c.state}")
        self.assertEqual(st, 400, text)
        rc, _, err = self.c.finish()
        self.assertEqual(rc, 3, err)
        self.assertIn("access_denied", err)
        self.assertIn("declined", err)

    def test_idle_connections_do_not_block_the_callback(self):
        target = self.c.callback_target()
        idle = [self.c.open() for _ in range(6)]
        idle[0].sendall(b"GET /callback?code=")  # a slow loris
        try:
            time.sleep(0.3)
            t0 = time.monotonic()
            st, text = self.c.get(target)
            took = time.monotonic() - t0
            self.assertEqual(st, 200, text)
            self.assertLess(took, 3 * SLOW, "the callback waited behind idle connections")
            rc, _, err = self.c.finish()
            self.assertEqual(rc, 0, err)
        finally:
            for sk in idle:
                sk.close()

    def test_more_connections_than_slots_do_not_block_the_callback(self):
        target = self.c.callback_target()
        idle = [self.c.open() for _ in range(40)]
        try:
            time.sleep(0.3)
            st, text = self.c.get(target)
            self.assertEqual(st, 200, text)
            rc, _, err = self.c.finish()
            self.assertEqual(rc, 0, err)
        finally:
            for sk in idle:
                sk.close()

    def test_clients_that_reset_before_the_answer_do_not_end_connect(self):
        # answering a connection the peer has reset must not raise SIGPIPE
        import struct
        target = self.c.callback_target()
        for i in range(40):
            sk = self.c.open()
            if i % 2:
                sk.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sk.sendall(f"GET {target} HTTP/1.1\r\nHost: evil.example.com\r\n\r\n".encode())
            sk.close()
        time.sleep(0.5)
        self.connected(target)

    def test_long_request_line_gets_414(self):
        target = self.c.callback_target()
        junk = "j" * (9 * 1024)
        st, text = self.c.get(f"{self.c.path}?pad={junk}&" + target.split("?", 1)[1])
        self.assertEqual(st, 414, text)
        err = self.connected(target)
        self.assertIn("414 URI Too Long", err)
        self.assertNotIn("jjjj", err)
        self.assertNotIn(target.split("?", 1)[1], err)

    def test_large_headers_get_431(self):
        target = self.c.callback_target()
        pad = "".join(f"X-Pad-{i}: {'p' * 1000}\r\n" for i in range(20))
        st, text = self.c.get(target, extra=pad)
        self.assertEqual(st, 431, text)
        err = self.connected(target)
        self.assertIn("431 Request Header Fields Too Large", err)
        self.assertNotIn("pppp", err)


if __name__ == "__main__":
    unittest.main()
