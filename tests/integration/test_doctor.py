"""zoomflow doctor (docs/doctor.md): one test per check, each with zoomsim
(or the setup) causing the failure, asserting the verdict, the words and
the exit status; an all-ok run; the --json shape; colours only on a tty.
Under valgrind (CI's valgrind stage, where this file took 480 s) eight run:
the ones whose C paths differ most (all ok, the JSON, a revoked grant,
missing scopes, clock skew, 429s, daily caps, TLS); the rest are @heavy,
and the main and ASan stages run them all."""
import base64
import json
import os
import pty
import re
import socket
import subprocess
import threading
import unittest

from cliharness import CliEnv
from zfharness import SLOW, WRAP, Sim, binary, heavy

CHECKS = ["connection", "scopes", "app_type", "clock", "reachability", "rate_limits",
          "webhooks", "store"]
REQUIRED = ["meeting:read:list_meetings:admin", "meeting:read:meeting:admin",
            "meeting:write:meeting:admin", "meeting:read:list_registrants:admin",
            "meeting:write:registrant:admin", "user:read:list_users:admin",
            "user:read:settings:admin", "user:write:user:admin",
            "cloud_recording:read:list_recording_files:admin",
            "contact:read:list_contacts:admin"]


class Plain400:
    """A loopback port that answers each connection as a plain HTTP port
    answers a TLS ClientHello: it reads the record whole, writes a 400 and
    closes after the client, so no reset comes before the 400 (zoomsim may
    close first, which OpenSSL reports as a bare SSL_ERROR_SYSCALL, no
    code). A context manager; url is https:// to it."""

    def __enter__(self):
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(8)
        self.url = f"https://127.0.0.1:{self.ls.getsockname()[1]}"
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.ls.shutdown(socket.SHUT_RDWR)
        self.ls.close()
        self.thread.join(30)

    def serve(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            with c:
                try:
                    self.answer(c)
                except OSError:  # the client went first: the next one
                    pass

    @staticmethod
    def answer(c):
        c.settimeout(30)
        buf = b""
        while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
            chunk = c.recv(16384)
            if not chunk:
                break
            buf += chunk
        c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        c.shutdown(socket.SHUT_WR)
        while c.recv(16384):
            pass


class DoctorTest(unittest.TestCase):
    SIM_ARGS = ("--auto-approve",)

    def setUp(self):
        self.sim = Sim(*self.SIM_ARGS)
        self.addCleanup(self.sim.stop)
        self.cli = CliEnv(self.sim)

    def connect(self):
        p = self.cli.connect()
        self.assertEqual(p.returncode, 0, p.err)

    def doctor(self, *args, env=None):
        p = self.cli.run("doctor", "--json", *args, env=env)
        self.assertTrue(p.out.strip(), p.err)
        r = json.loads(p.out)
        return p.returncode, r, {c["check"]: c for c in r["checks"]}

    def text(self, *args, env=None):
        return self.cli.run("doctor", *args, env=env)

    def line(self, out, check):
        for ln in out.splitlines():
            if ln[6:].startswith(check + " "):
                return ln
        self.fail(f"no line for {check} in:\n{out}")


class AllOk(DoctorTest):
    def test_everything_ok(self):
        self.connect()
        rc, r, by = self.doctor()
        self.assertEqual(rc, 0, json.dumps(r, indent=1))
        self.assertEqual(r["verdict"], "ok")
        self.assertEqual([c["check"] for c in r["checks"]], CHECKS)
        for c in r["checks"]:
            self.assertEqual(c["verdict"], "ok", c)
            self.assertIsNone(c["todo"], c)
            self.assertIsNone(c["hint_id"], c)
        self.assertEqual(r["counts"], {"ok": 8, "warn": 0, "fail": 0})
        self.assertIn("Zoom accepted its token just now", by["connection"]["found"])
        self.assertEqual(by["connection"]["details"]["state"], "VALID")
        self.assertIn("all 10 required scopes granted", by["scopes"]["found"])
        self.assertLess(abs(by["clock"]["details"]["skew_seconds"]), 30)
        self.assertEqual(len(by["reachability"]["details"]["probes"]), 2)
        self.assertIn(by["store"]["details"]["backend"], ("sqlite", "postgresql"))
        self.assertEqual(by["store"]["details"]["schema_version"], 14)
        self.assertNotIn("password", by["store"]["details"]["dsn"].lower().replace(
            "[redacted]", ""))
        p = self.text()
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("0 failed, 0 warnings, 8 ok", p.out)
        self.assertNotIn("\033[", p.out)  # a pipe: no colours
        self.assertTrue(self.line(p.out, "clock").startswith("ok "))

    def test_json_shape(self):
        self.connect()
        rc, r, _ = self.doctor("--offline")
        self.assertEqual(rc, 0, r)
        self.assertEqual(set(r), {"connection", "at", "verdict", "counts", "checks"})
        self.assertEqual(r["connection"], "default")
        self.assertIsInstance(r["at"], int)
        for c in r["checks"]:
            self.assertEqual(set(c), {"check", "title", "verdict", "found", "todo", "hint_id",
                                      "details"}, c)
            self.assertIn(c["verdict"], ("ok", "warn", "fail"))
            self.assertIsInstance(c["found"], str)
            self.assertTrue(c["found"])
            self.assertIsInstance(c["details"], dict)
        by = {c["check"]: c for c in r["checks"]}
        # offline: Zoom is not asked at all
        self.assertIn("offline", by["clock"]["found"])
        self.assertIn("offline", by["reachability"]["found"])
        self.assertNotIn("users.list", json.dumps(self.sim.requests_log()["counts"]))
        # --help comes from the option table
        p = self.cli.run("doctor", "--help")
        self.assertEqual(p.returncode, 0)
        for flag in ("--json", "--offline", "--archive-dir", "--webhooks"):
            self.assertIn(flag, p.out)

    @heavy
    def test_colours_only_on_a_tty(self):
        self.connect()
        master, slave = pty.openpty()
        proc = subprocess.Popen(WRAP + [binary("zoomflow"), "doctor", "--offline"],
                                env=self.cli.env, stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        chunks = []

        def drain():
            while True:
                try:
                    b = os.read(master, 65536)
                except OSError:
                    return
                if not b:
                    return
                chunks.append(b)
        t = threading.Thread(target=drain, daemon=True)
        t.start()
        proc.wait(timeout=120 * SLOW)
        t.join(10)
        os.close(master)
        proc.stderr.close()
        out = b"".join(chunks).decode()
        self.assertEqual(proc.returncode, 0, out)
        self.assertIn("\033[32mok", out)
        self.assertIn("\033[0m", out)
        # NO_COLOR wins even on a terminal
        master, slave = pty.openpty()
        proc = subprocess.Popen(WRAP + [binary("zoomflow"), "doctor", "--offline"],
                                env={**self.cli.env, "NO_COLOR": "1"}, stdout=slave,
                                stderr=subprocess.DEVNULL)
        os.close(slave)
        chunks = []
        t = threading.Thread(target=drain, daemon=True)
        t.start()
        proc.wait(timeout=120 * SLOW)
        t.join(10)
        os.close(master)
        self.assertNotIn("\033[", b"".join(chunks).decode())


class Connection(DoctorTest):
    @heavy
    def test_not_connected(self):
        rc, r, by = self.doctor("--offline")
        self.assertEqual(rc, 1)
        self.assertEqual(by["connection"]["verdict"], "fail")
        self.assertEqual(by["connection"]["hint_id"], "CONNECT")
        self.assertEqual(by["connection"]["details"]["state"], "ABSENT")
        self.assertEqual(by["scopes"]["verdict"], "warn")
        self.assertIn("no usable connection", by["scopes"]["found"])

    def test_needs_reauth_after_a_revoked_grant(self):
        self.connect()
        tokens = [t for t in self.sim.state()["auth"]["tokens"]
                  if t.get("client_id") == "zoomsim-client"]
        basic = base64.b64encode(b"zoomsim-client:zoomsim-secret").decode()
        for t in tokens:
            self.sim.request("POST", "/oauth/revoke", form={"token": t["token"]},
                             headers={"Authorization": "Basic " + basic})
        rc, r, by = self.doctor()
        self.assertEqual(rc, 1, r)
        c = by["connection"]
        self.assertEqual(c["verdict"], "fail")
        self.assertEqual(c["details"]["state"], "NEEDS_REAUTH")
        self.assertIn("NEEDS_REAUTH", c["found"])
        self.assertEqual(c["hint_id"], "RECONNECT")
        # the seed's resolution, word for word
        self.assertEqual(c["todo"], "Re-authenticate the integration to generate new tokens.")
        self.assertEqual(c["details"]["resolution"]["title"], "Token refresh failure")
        p = self.text()
        self.assertEqual(p.returncode, 1)
        self.assertTrue(self.line(p.out, "connection").startswith("FAIL"))
        self.assertIn("what to do:   Re-authenticate the integration", p.out)

    @heavy
    def test_refresh_failing(self):
        self.connect()
        self.cli.sql("UPDATE connections SET access_expires_at = 1000")
        self.sim.request("POST", "/_sim/faults",
                         body={"kind": "status", "status": 503, "route": "oauth.token"})
        rc, r, by = self.doctor()
        self.assertEqual(rc, 1, r)
        c = by["connection"]
        self.assertEqual(c["verdict"], "fail", c)
        self.assertEqual(c["details"]["state"], "REFRESH_FAILING")
        self.assertIn("the last refresh failed", c["found"])
        self.assertEqual(c["hint_id"], "RETRY_LATER")
        self.assertEqual(c["todo"], "Check the Zoom status page and retry the operation.")


class Scopes(DoctorTest):
    GRANTED = [s for s in REQUIRED if s not in ("user:write:user:admin",
                                                "contact:read:list_contacts:admin")]
    SIM_ARGS = ("--auto-approve", "--app",
                "zoomsim-client:zoomsim-secret:http://127.0.0.1:*/callback:" +
                ",".join(GRANTED))

    def test_missing_scopes_and_the_actions_they_disable(self):
        self.connect()
        rc, r, by = self.doctor()
        self.assertEqual(rc, 1, r)
        c = by["scopes"]
        self.assertEqual(c["verdict"], "fail")
        self.assertEqual(c["hint_id"], "ADD_SCOPE")
        self.assertIn("2 of the 10 required scopes not granted", c["found"])
        self.assertIn("user:write:user:admin (disables", c["found"])
        self.assertIn("create_user", c["found"])
        missing = {m["scope"]: m["actions"] for m in c["details"]["missing"]}
        self.assertEqual(set(missing), {"user:write:user:admin",
                                        "contact:read:list_contacts:admin"})
        self.assertIn("create_user", missing["user:write:user:admin"])
        self.assertEqual(by["app_type"]["verdict"], "ok")
        p = self.text()
        self.assertEqual(p.returncode, 1)
        self.assertTrue(self.line(p.out, "scopes").startswith("FAIL"))


class AppType(DoctorTest):
    # a user-managed app: granular but user-level scopes only
    SIM_ARGS = ("--auto-approve", "--app",
                "zoomsim-client:zoomsim-secret:http://127.0.0.1:*/callback:"
                "meeting:read:meeting,meeting:write:meeting,user:read:user,user:read:settings")

    @heavy
    def test_user_managed_app(self):
        p = self.cli.connect()
        self.assertEqual(p.returncode, 0, p.err)
        rc, r, by = self.doctor("--offline")
        self.assertEqual(rc, 1, r)
        c = by["app_type"]
        self.assertEqual(c["verdict"], "fail")
        self.assertEqual(c["hint_id"], "MATCH_APP_TYPE")
        self.assertIn("user-managed OAuth app", c["found"])
        self.assertIn("admin-managed", c["todo"])
        self.assertEqual(c["details"]["admin_scopes"], 0)
        self.assertEqual(c["details"]["user_scopes"], 4)
        p = self.text("--offline")
        self.assertEqual(p.returncode, 1)
        self.assertTrue(self.line(p.out, "app_type").startswith("FAIL"))


class AppTypeS2S(DoctorTest):
    @heavy
    def test_s2s_is_named_with_the_me_advice(self):
        acct = self.sim.state()["account_id"]
        cli = CliEnv(self.sim, client_id="zoomsim-s2s", secret="zoomsim-s2s-secret")
        p = cli.run("connect", "--s2s", "--account-id", acct, "--client-secret-file", "-",
                    input=b"zoomsim-s2s-secret\n")
        self.assertEqual(p.returncode, 0, p.err)
        p = cli.run("doctor", "--json", "--offline")
        by = {c["check"]: c for c in json.loads(p.out)["checks"]}
        self.assertEqual(by["app_type"]["verdict"], "ok", by["app_type"])
        self.assertIn("Server-to-Server", by["app_type"]["found"])
        self.assertIn("rather than `me`", by["app_type"]["found"])
        self.assertEqual(by["connection"]["details"]["kind"], "s2s")


class Clock(DoctorTest):
    def test_skew_against_zooms_date(self):
        self.connect()
        self.sim.advance(600)  # zoomsim's Date header follows its clock
        rc, r, by = self.doctor()
        self.assertEqual(rc, 1, r)
        c = by["clock"]
        self.assertEqual(c["verdict"], "fail")
        self.assertEqual(c["hint_id"], "FIX_CLOCK")
        self.assertIn("behind Zoom's", c["found"])
        self.assertIn("webhook timestamps", c["found"])
        self.assertLess(c["details"]["skew_seconds"], -590)
        self.assertGreater(c["details"]["skew_seconds"], -620)
        p = self.text()
        self.assertEqual(p.returncode, 1)
        self.assertTrue(self.line(p.out, "clock").startswith("FAIL"))

    @heavy
    def test_small_skew_warns(self):
        self.connect()
        self.sim.advance(60)
        rc, r, by = self.doctor()
        self.assertEqual(rc, 0, r)  # a warning needs no action now
        self.assertEqual(by["clock"]["verdict"], "warn")
        self.assertEqual(r["verdict"], "warn")


class Reachability(DoctorTest):
    def test_tls_failure_is_named(self):
        self.connect()
        # the API base over https, to a server that speaks plain HTTP
        base = self.sim.url.replace("http://", "https://")
        rc, r, by = self.doctor(env={"ZOOMFLOW_API_BASE": base})
        self.assertEqual(rc, 1, r)
        c = by["reachability"]
        self.assertEqual(c["verdict"], "fail")
        self.assertIn("TLS failed", c["found"])
        self.assertIn(base, c["found"])
        self.assertEqual(c["hint_id"], "TRUST_CA")
        probes = {p["url"]: p for p in c["details"]["probes"]}
        self.assertEqual(probes[base + "/v2"]["error"], "ETLS")
        # doctor keeps OpenSSL's words; every other command runs OpenSSL
        # without them and names the code to look up (http.h)
        with Plain400() as plain:
            rc, r, by = self.doctor(env={"ZOOMFLOW_API_BASE": plain.url})
            p = self.cli.run("api", "GET", "/users/me", env={"ZOOMFLOW_API_BASE": plain.url})
        self.assertEqual(rc, 1, r)
        self.assertIn("SSL routines", by["reachability"]["found"])
        self.assertNotIn("openssl errstr", by["reachability"]["found"])
        self.assertNotEqual(p.returncode, 0, p.out)
        m = re.search(r"TLS handshake with 127\.0\.0\.1:\d+ failed: .*error:([0-9A-F]{8}):lib\(\d+\)"
                      r".*; `openssl errstr \1` names OpenSSL's reason", p.err)
        self.assertTrue(m, p.err)
        self.assertNotIn("SSL routines", p.err)
        # and the code is OpenSSL's: its command line names it
        words = subprocess.run(["openssl", "errstr", m.group(1)], capture_output=True,
                               text=True).stdout
        self.assertIn("SSL routines", words)

    @heavy
    def test_unreachable_api_host_and_proxy_reported(self):
        self.connect()
        with socket.socket() as sk:  # a port nobody listens on
            sk.bind(("127.0.0.1", 0))
            closed = f"http://127.0.0.1:{sk.getsockname()[1]}"
        env = {"HTTPS_PROXY": "http://user:s3cret@127.0.0.1:9", "no_proxy": "127.0.0.1",
               "ZOOMFLOW_API_BASE": closed}
        rc, r, by = self.doctor(env=env)
        self.assertEqual(rc, 1, r)
        c = by["reachability"]
        self.assertEqual(c["details"]["proxy"]["HTTPS_PROXY"], "http://[redacted]@127.0.0.1:9")
        self.assertEqual(c["details"]["proxy"]["no_proxy"], "127.0.0.1")
        self.assertNotIn("s3cret", json.dumps(r))
        self.assertIn("HTTPS_PROXY=http://[redacted]@127.0.0.1:9", c["found"])
        self.assertEqual(c["verdict"], "fail", c)
        self.assertEqual(c["hint_id"], "CHECK_NETWORK")
        self.assertIn(closed + "/v2: ", c["found"])
        probes = {p["url"]: p for p in c["details"]["probes"]}
        self.assertEqual(probes[closed + "/v2"]["error"], "ENET")
        self.assertEqual(probes[self.sim.url + "/oauth/token"]["status"], 405)
        # the clock cannot be read when Zoom does not answer: said, not guessed
        self.assertEqual(by["clock"]["verdict"], "warn")


class RateLimits(DoctorTest):
    def test_recent_429s_by_category(self):
        self.connect()
        self.sim.request("POST", "/_sim/faults",
                         body={"kind": "rate_limit", "route": "users.list", "count": 2,
                               "retry_after": 1})
        p = self.cli.run("users", "list")
        self.assertEqual(p.returncode, 0, p.err)
        rc, r, by = self.doctor("--offline")
        self.assertEqual(rc, 0, r)
        c = by["rate_limits"]
        self.assertEqual(c["verdict"], "warn", c)
        self.assertEqual(c["hint_id"], "SLOW_DOWN")
        self.assertIn("2 rate-limited answers (429)", c["found"])
        self.assertEqual(c["details"]["rate_limited"]["Medium"]["count"], 2)

    def test_daily_cap_and_its_reset(self):
        self.connect()
        self.sim.request("POST", "/_sim/faults",
                         body={"kind": "rate_limit", "type": "Daily-limit",
                               "route": "users.list", "count": 1})
        p = self.cli.run("users", "list")
        self.assertEqual(p.returncode, 7, p.err)
        rc, r, by = self.doctor("--offline")
        self.assertEqual(rc, 1, r)
        c = by["rate_limits"]
        self.assertEqual(c["verdict"], "fail", c)
        self.assertEqual(c["hint_id"], "WAIT_FOR_RESET")
        self.assertIn("a daily limit is reached", c["found"])
        self.assertIn("resets", c["found"])
        d = c["details"]["daily_limits"]
        self.assertEqual(len(d), 1)
        self.assertGreater(d[0]["resets_at"], r["at"])
        self.assertEqual(d[0]["resets_at"] % 86400, 0)
        p = self.text("--offline")
        self.assertTrue(self.line(p.out, "rate_limits").startswith("FAIL"))


    @heavy
    def test_faults_combined(self):
        """429s answered late, a dropped answer and then a daily limit, all in
        one day: the doctor names the daily limit (fail) and still counts
        every 429 the client met, retried ones included, by category."""
        self.connect()
        self.sim.request("POST", "/_sim/faults", body={"rules": [
            {"kind": "latency", "delay_ms": 200, "route": "users.list", "count": 3},
            {"kind": "rate_limit", "route": "users.list", "count": 2, "retry_after": 1},
            {"kind": "drop", "route": "users.get", "count": 1}]})
        self.assertEqual(self.cli.run("users", "list").returncode, 0)
        self.cli.run("users", "get", "--user-id", "me")  # dropped once, retried
        self.sim.request("DELETE", "/_sim/faults")
        self.sim.request("POST", "/_sim/faults",
                         body={"kind": "rate_limit", "type": "Daily-limit",
                               "route": "users.list", "count": 1})
        self.assertEqual(self.cli.run("users", "list").returncode, 7)
        rc, r, by = self.doctor("--offline")
        self.assertEqual(rc, 1, r)
        c = by["rate_limits"]
        self.assertEqual(c["verdict"], "fail")
        self.assertIn("a daily limit is reached", c["found"])
        self.assertIn("429s in the last 24 h: Medium 2", c["found"])
        self.assertEqual(c["details"]["rate_limited"]["Medium"]["count"], 2)
        self.assertEqual(len(c["details"]["daily_limits"]), 1)


class Webhooks(DoctorTest):
    @heavy
    def test_no_secret_warns_when_webhooks_matter(self):
        self.connect()
        rc, r, by = self.doctor("--offline")
        self.assertEqual(by["webhooks"]["verdict"], "ok")
        rc, r, by = self.doctor("--offline", "--webhooks")
        self.assertEqual(rc, 0, r)
        c = by["webhooks"]
        self.assertEqual(c["verdict"], "warn")
        self.assertEqual(c["hint_id"], "WEBHOOK_SECRET")
        self.assertIn("no webhook secret token is set", c["found"])
        self.assertFalse(c["details"]["secret_set"])


class Store(DoctorTest):
    @heavy
    def test_archive_dir_unreadable(self):
        self.connect()
        missing = os.path.join(self.cli.dir, "no-such-archive")
        rc, r, by = self.doctor("--offline", "--archive-dir", missing)
        self.assertEqual(rc, 1, r)
        c = by["store"]
        self.assertEqual(c["verdict"], "fail")
        self.assertIn("cannot be read", c["found"])
        self.assertEqual(c["hint_id"], "FREE_DISK")
        rc, r, by = self.doctor("--offline", "--archive-dir", self.cli.dir)
        self.assertIn("GiB free in " + self.cli.dir, by["store"]["found"])
        self.assertGreater(by["store"]["details"]["archive"]["free_bytes"], 0)

    @heavy
    def test_store_that_cannot_open(self):
        self.connect()
        rc, r, by = self.doctor("--offline", env={"ZOOMFLOW_KEY_FILE": "/nonexistent/key",
                                                  "ZOOMFLOW_MASTER_KEY": ""})
        self.assertEqual(rc, 1, r)
        self.assertEqual(by["store"]["verdict"], "fail")
        self.assertEqual(by["connection"]["verdict"], "fail")


if __name__ == "__main__":
    unittest.main()
