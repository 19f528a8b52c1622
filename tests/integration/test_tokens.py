"""The token lifecycle against the real zoomsim, through zf_tokens_driver
(tests/tools/zf_tokens_driver.c): PKCE connect, proactive and on-401
refresh, rotation, NEEDS_REAUTH, S2S, and the refresh protocol across
processes and threads, including processes killed mid-refresh. On SQLite,
and with ZF_TEST_DB=postgresql on a PostgreSQL schema (integ.test_tokens.pg)."""
import base64
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import zfharness
from zfharness import Sim, binary, run

KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
ENV = {**os.environ, "ZOOMFLOW_MASTER_KEY": KEY}
# the library's neutral words (the driver prints them; the CLI adds its command)
REAUTH_HINT = ("The refresh token has expired or been revoked. Re-authenticate the "
               "integration: reconnect the Zoom connection")
KILLED = "never completed - the process was probably killed after the server rotated the token"
RECONNECT_HINT = "Reconnect the Zoom connection"


class Base(unittest.TestCase):
    sim_args = ("--auto-approve",)

    def setUp(self):
        self.sim = Sim(*self.sim_args)
        self.tmp = tempfile.mkdtemp(prefix="zf-tokens-")
        self.store = zfharness.StoreDB(self.tmp)  # SQLite, or ZF_TEST_DB=postgresql
        self.db = self.store.dsn

    def tearDown(self):
        self.sim.stop()
        self.store.drop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def argv(self, *args, sim_clock=True):
        a = [binary("zf_tokens_driver"), "--db", self.db, "--sim", self.sim.url]
        if sim_clock:
            a.append("--sim-clock")
        return a + list(args)

    def drv(self, *args, sim_clock=True, ok=True):
        p = run(self.argv(*args, sim_clock=sim_clock), env=ENV)
        out, err = p.stdout.decode(), p.stderr.decode()
        if ok:
            self.assertEqual(p.returncode, 0, f"{args}: {out} {err}")
        return p.returncode, out, err

    def info(self):
        _, out, _ = self.drv("info")
        return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)

    def grants(self, grant):
        log = self.sim.requests_log(route="oauth.token")["requests"]
        return sum(1 for r in log if r.get("detail") == "grant_type=" + grant)

    def status(self):
        """`zoomflow status --offline` (text and --json) on the driver's
        database: the stored view, so that it refreshes nothing itself."""
        env = {**ENV, "HOME": self.tmp, "XDG_CONFIG_HOME": os.path.join(self.tmp, "cfg"),
               "XDG_DATA_HOME": os.path.join(self.tmp, "data")}
        t = run([binary("zoomflow"), "--db", self.db, "status", "--offline"], env=env)
        j = run([binary("zoomflow"), "--db", self.db, "status", "--offline", "--json"],
                env=env)
        return t.returncode, t.stdout.decode(), j.returncode, json.loads(j.stdout)

    def assert_killed_mid_refresh(self, pid, err):
        """The NEEDS_REAUTH after a kill says so, in the error, the stored
        state and `zoomflow status`, not "expired or revoked"."""
        self.assertIn("EREAUTH", err)
        self.assertIn(KILLED, err)
        self.assertRegex(err, r"a refresh started at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by pid "
                              + (str(pid) if pid else r"\d+") + " on host ")
        self.assertIn(RECONNECT_HINT, err)
        self.assertNotIn("expired or been revoked", err)
        info = self.info()
        self.assertEqual(info["state"], "NEEDS_REAUTH")
        self.assertIn(KILLED, info["last_error"])
        self.assertEqual(info["refresh_interrupted"], "1")
        if pid:
            self.assertEqual(info["refresh_pid"], str(pid))
        trc, text, jrc, js = self.status()
        self.assertEqual((trc, jrc), (3, 3))
        self.assertIn("state:         NEEDS_REAUTH", text)
        self.assertRegex(text, r"interrupted: +a refresh started .* by pid \d+ on host .* never "
                               r"completed")
        self.assertIn(KILLED, js["last_error"])
        self.assertTrue(js["refresh_started"]["interrupted"])
        self.assertEqual(js["refresh_started"]["pid"], int(info["refresh_pid"]))
        self.assertIn(RECONNECT_HINT, js["hint"])

    def access(self, sim_clock=True):
        _, out, _ = self.drv("access", sim_clock=sim_clock)
        self.assertIn("status=200", out)
        return out.split("sha=")[1].split()[0], "rejected=1" in out



class TokensTest(Base):
    def test_connect_with_pkce(self):
        _, out, _ = self.drv("connect")
        self.assertIn("connected default", out)
        self.assertEqual(self.grants("authorization_code"), 1)
        self.access()
        info = self.info()
        self.assertEqual(info["state"], "VALID")
        self.assertEqual(info["api_base"], self.sim.url + "/v2")  # api_url honoured
        self.assertEqual(info["missing_scopes"], "")
        # the code was bound to an S256 challenge and redeemed with its verifier
        codes = self.sim.state()["oauth"]["codes"]
        self.assertEqual([(c["method"], c["used"]) for c in codes], [("S256", True)])
        self.assertEqual(len(codes[0]["challenge"]), 43)

    def test_proactive_refresh_and_rotation(self):
        self.drv("connect")
        first, _ = self.access()
        self.sim.advance(3400)  # within the 300 s margin of expiry
        second, rejected = self.access()
        self.assertFalse(rejected)  # refreshed before use, not after a 401
        self.assertNotEqual(first, second)
        self.assertEqual(self.grants("refresh_token"), 1)
        self.assertEqual(self.access()[0], second)  # fresh: no refresh
        self.sim.advance(3400)  # the rotated refresh token works
        third, _ = self.access()
        self.assertNotEqual(third, second)
        self.assertEqual(self.grants("refresh_token"), 2)
        self.assertEqual(self.info()["refresh_count"], "2")

    def test_refresh_on_401(self):
        self.drv("connect")
        first, _ = self.access(sim_clock=False)
        self.sim.advance(3700)  # expired at Zoom; the driver's clock does not know
        second, rejected = self.access(sim_clock=False)
        self.assertTrue(rejected)
        self.assertNotEqual(first, second)
        self.assertEqual(self.grants("refresh_token"), 1)

    def test_disconnect_revokes(self):
        self.drv("connect")
        _, out, _ = self.drv("disconnect")
        self.assertEqual(out.strip(), "disconnected")
        revokes = self.sim.requests_log(route="oauth.revoke")["requests"]
        self.assertEqual([r["status"] for r in revokes], [200])
        rc, _, err = self.drv("access", ok=False)
        self.assertEqual(rc, 3)
        self.assertIn("ENOTCONNECTED", err)

    def test_s2s(self):
        acct = self.sim.state().get("account_id", "zsimAcct0000000000001")
        self.drv("connect-s2s", acct)
        first, _ = self.access()
        self.assertEqual(self.info()["kind"], "s2s")
        self.sim.advance(3400)
        second, _ = self.access()
        self.assertNotEqual(first, second)
        self.assertEqual(self.grants("account_credentials"), 2)
        self.assertEqual(self.grants("refresh_token"), 0)

    @zfharness.heavy
    def test_concurrent_processes_refresh_once(self):
        self.drv("connect")
        self.sim.advance(3700)  # expired for everyone
        self.hammer_once(4)

    def hammer_once(self, nprocs, *extra):
        """nprocs driver processes x 8 threads x 3 calls through the one
        expired connection: every call succeeds, and zoomsim saw exactly one
        refresh."""
        procs = [subprocess.Popen(zfharness.WRAP + self.argv("--threads", "8", "--calls", "3",
                                                             *extra, "hammer"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
                 for _ in range(nprocs)]
        for p in procs:
            out, err = p.communicate(timeout=120 * zfharness.SLOW)
            self.assertEqual(p.returncode, 0, err.decode())
            self.assertIn("hammer ok=24 failed=0", out.decode())
        self.assertEqual(self.grants("refresh_token"), 1)
        self.assertEqual(self.info()["refresh_count"], "1")

    @zfharness.heavy
    def test_concurrent_pools_refresh_once(self):
        """3 processes x 8 threads, each thread with its own store handle
        (its own pool) and tokens object (--own-store): no in-process mutex
        orders them, only the store's row lock. The refresh takes 300 ms at
        zoomsim, so that the others arrive while it is in flight."""
        self.drv("connect")
        self.sim.request("POST", "/_sim/faults", body={"kind": "latency", "delay_ms": 300,
                                                        "route": "oauth.token"})
        self.sim.advance(3700)  # expired for everyone
        self.hammer_once(3, "--own-store")
        self.assertEqual(self.info()["state"], "VALID")

    @zfharness.heavy
    def test_kill_during_refresh(self):
        """kill -9 at random moments while the token endpoint takes 400 ms:
        a kill while the request is at zoomsim (which rotates the token all
        the same) is the one unavoidable loss, and it must say so."""
        self.drv("connect")
        self.sim.request("POST", "/_sim/faults", body={"kind": "latency", "delay_ms": 400,
                                                        "route": "oauth.token"})
        rnd = random.Random(1234)
        outcomes = {"valid": 0, "reauth": 0}
        for _ in range(20):
            self.sim.advance(3700)
            p = subprocess.Popen(zfharness.WRAP + self.argv("--threads", "4", "--calls", "2",
                                                            "hammer"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
            time.sleep(rnd.uniform(0.0, 0.6))
            p.send_signal(signal.SIGKILL)
            p.wait()
            rc, out, err = self.drv("access", ok=False)
            if rc == 0:
                self.assertIn("status=200", out)
                self.assertEqual(self.info()["refresh_started_at"], "0")
                outcomes["valid"] += 1
            else:  # the one unavoidable case: Zoom rotated, the answer died with us
                self.assertEqual(rc, 3, err)
                self.assert_killed_mid_refresh(p.pid, err)
                outcomes["reauth"] += 1
                self.drv("connect")
                self.assertEqual(self.info()["refresh_started_at"], "0")
        self.assertEqual(sum(outcomes.values()), 20)
        print(f"kill -9 outcomes: {outcomes}")
        self.access()

    def test_kill_after_server_rotated(self):
        """Deterministic: zoomsim has rotated the token, its answer is held
        on the way back, and the refreshing process is killed then."""
        with zfharness.PathProxy(self.sim, {"/oauth/token": "/oauth/token"}) as px:
            self.drv("--token-endpoint", px.url + "/oauth/token", "connect")
            self.assertEqual(self.info()["token_endpoint"], px.url + "/oauth/token")
            self.sim.advance(3700)
            px.hold = 20
            px.forwarded.clear()
            p = subprocess.Popen(zfharness.WRAP + self.argv("hammer"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
            self.assertTrue(px.forwarded.wait(30 * zfharness.SLOW), "no refresh arrived")
            trc, text, _, js = self.status()  # while it waits: in flight, not interrupted
            self.assertEqual(trc, 0, text)
            self.assertIn("refreshing:    since", text)
            self.assertFalse(js["refresh_started"]["interrupted"])
            p.send_signal(signal.SIGKILL)
            p.wait()
            _, text, _, js = self.status()  # before anyone refreshes again
            self.assertIn("state:         VALID", text)
            self.assertIn("never completed (if it reached the server", text)
            self.assertTrue(js["refresh_started"]["interrupted"])
            px.hold = 0
            rc, _, err = self.drv("access", ok=False)
            self.assertEqual(rc, 3, err)
            self.assert_killed_mid_refresh(0 if zfharness.WRAP else p.pid, err)
            self.assertEqual(self.grants("refresh_token"), 2)
            rc, _, err = self.drv("access", ok=False)  # fails fast, same story
            self.assertIn(KILLED, err)
            self.assertEqual(self.grants("refresh_token"), 2)
            self.drv("--token-endpoint", px.url + "/oauth/token", "connect")
            self.access()
            trc, _, _, js = self.status()
            self.assertEqual(trc, 0)
            self.assertIsNone(js["refresh_started"])

    def test_revoked_refresh_token_still_says_revoked(self):
        self.drv("connect")
        tok = [t for t in self.sim.state()["auth"]["tokens"]]
        self.assertTrue(tok)
        basic = base64.b64encode(b"zoomsim-client:zoomsim-secret").decode()
        r = self.sim.request("POST", "/oauth/revoke", form={"token": tok[-1]["token"]},
                             headers={"Authorization": "Basic " + basic})
        self.assertEqual(r.status, 200, r.body)
        self.sim.advance(3700)
        rc, _, err = self.drv("access", ok=False)
        self.assertEqual(rc, 3, err)
        self.assertIn(REAUTH_HINT, err)
        self.assertNotIn("never completed", err)
        self.assertIn("the authorization server at 127.0.0.1:", err)  # not "Zoom"
        info = self.info()
        self.assertEqual(info["refresh_started_at"], "0")
        self.assertEqual(info["refresh_interrupted"], "0")


class ExpiringRefreshTest(Base):
    """A sim whose refresh tokens die after 3000 s."""
    sim_args = ("--auto-approve", "--refresh-ttl", "3000")

    def test_dead_refresh_token_needs_reauth_once(self):
        self.drv("connect")
        self.sim.advance(3400)
        for _ in range(3):
            rc, _, err = self.drv("access", ok=False)
            self.assertEqual(rc, 3, err)
            self.assertIn("EREAUTH", err)
            self.assertIn(REAUTH_HINT, err)
            self.assertNotIn("never completed", err)
        self.assertEqual(self.grants("refresh_token"), 1)  # no retry storm
        info = self.info()
        self.assertEqual(info["state"], "NEEDS_REAUTH")
        self.assertIn("Invalid Token!", info["last_error"])
        self.assertIn("Re-authenticate", info["last_hint"])
        self.drv("connect")  # reconnecting heals it
        self.assertEqual(self.info()["state"], "VALID")


if __name__ == "__main__":
    unittest.main()
