"""Issue 3: tokens, secrets, codes and verifiers never appear in clear text
in zoomflow's output (logs, -vv HTTP traces, error messages) nor in its
database files or key directory listing.

One scenario runs every secret-handling path with -vv: OAuth connect (PKCE)
with the authorize redirect recorded by the fake browser, a failed connect
with a wrong secret, calls, a proactive refresh after the sim clock moves
3601 s, a failing call, status, disconnect; then the same for a
Server-to-Server connection. Every secret zoomsim knows is then looked for:
  * in clear: access tokens (/_sim/state), the authorization code (the
    recorded redirect), the client secrets, and zoomsim's token prefixes
    (access tokens are JWTs starting with the fixed header
    eyJhbGciOiJIUzUxMiIsInYiOiIyLjAi..., refresh tokens start zsr_) that no
    output may hold at all;
  * hashed: zoomsim keeps refresh tokens and codes as sha256 hex and the PKCE
    challenge as base64url(sha256(verifier)); every token-like word of the
    outputs and files is hashed both ways and compared, which finds the
    refresh tokens and the verifier without knowing them;
  * `code_verifier=` followed by anything but [redacted], in zoomflow's
    output and zoomsim's request log.
The traces must really be there: "Authorization: [redacted]" appears.
"""
import base64
import hashlib
import json
import os
import re
import unittest

from cliharness import CliEnv
from zfharness import Sim

WORD = re.compile(rb"[A-Za-z0-9_\-.~+/=]{16,}")
WRONG_SECRET = "wrong-secret-8f3Kq0ZpLm"


# base64url of '{"alg":"HS512","v":"2.0",' - every zoomsim access token starts so
JWT_HEAD = "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAi"


def candidates(data):
    """Token-like words of data (bytes), also split at '.' and '=' so that
    a secret inside key=value or a JWT-like string is found."""
    out = set()
    for w in WORD.findall(data):
        out.add(w)
        out.update(p for p in re.split(rb"[.=]", w) if len(p) >= 16)
    return out


def s256(word):
    return base64.urlsafe_b64encode(hashlib.sha256(word).digest()).rstrip(b"=").decode()


class SecretsNeverInClear(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--auto-approve")
        try:
            cls.scenario()
        except BaseException:
            cls.sim.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    @classmethod
    def snap(cls):
        """Collects the secrets zoomsim holds now, and zoomflow's files."""
        st = cls.sim.state()
        for t in st["auth"]["tokens"]:
            cls.clear.add(t["token"])
        for g in st["oauth"]["grants"]:
            cls.hex_hashes.add(g["refresh_hash"])
        for c in st["oauth"]["codes"]:
            cls.hex_hashes.add(c["hash"])
            cls.challenges.add(c["challenge"])
        for cli in cls.clis:
            cls.files.append(("db", cli.db_bytes()))
            for d in (os.path.join(cli.dir, "config", "zoomflow"),
                      os.path.join(cli.dir, "data", "zoomflow")):
                if os.path.isdir(d):
                    cls.listings.append((d, "\n".join(sorted(os.listdir(d)))))

    @classmethod
    def zf(cls, cli, *args, rc=0, **kw):
        p = cli.run("-vv", *args, **kw)
        cls.outputs.append((args, p.out + p.err))
        assert p.returncode == rc, (args, p.returncode, p.err[-2000:])
        return p

    @classmethod
    def scenario(cls):
        cls.clear = {"zoomsim-secret", "zoomsim-s2s-secret", WRONG_SECRET}
        cls.hex_hashes, cls.challenges = set(), set()
        cls.outputs, cls.files, cls.listings = [], [], []
        sim = cls.sim

        # user OAuth with PKCE
        oauth = CliEnv(sim)
        cls.clis = [oauth]
        record = os.path.join(oauth.dir, "callback")
        cls.zf(oauth, "connect", "--client-secret-file", oauth.secret_file,
               env={"ZF_BROWSER_RECORD": record})
        with open(record) as f:
            cls.code = re.search(r"[?&]code=([^&]+)", f.read()).group(1)
        cls.clear.add(cls.code)
        cls.snap()
        cls.zf(oauth, "status", "--json")
        cls.zf(oauth, "api", "GET", "/users/me")
        cls.zf(oauth, "meetings", "create", "--user-id", "me", "--topic", "Secret-free")
        sim.advance(3601)
        cls.zf(oauth, "api", "GET", "/users/me")  # proactive refresh, rotation
        cls.snap()
        cls.zf(oauth, "api", "GET", "/users/nobody@example.com", rc=6)
        bad = CliEnv(sim, secret=WRONG_SECRET)
        cls.clis.append(bad)
        cls.zf(bad, "connect", "--client-secret-file", bad.secret_file, rc=3)
        cls.zf(bad, "api", "GET", "/users/me", rc=3)
        cls.snap()
        cls.zf(oauth, "disconnect")
        cls.snap()

        # Server-to-Server
        acct = sim.state()["account_id"]
        s2s = CliEnv(sim, client_id="zoomsim-s2s", secret="zoomsim-s2s-secret")
        cls.clis.append(s2s)
        cls.zf(s2s, "connect", "--s2s", "--account-id", acct, "--client-secret-file", "-",
               input=b"zoomsim-s2s-secret\n")
        cls.snap()
        cls.zf(s2s, "users", "list", "--page-size", "5")
        sim.advance(3601)
        cls.zf(s2s, "api", "GET", "/users/me")  # a new S2S token
        cls.zf(s2s, "api", "GET", "/meetings/99999999999", rc=6)
        cls.snap()
        cls.zf(s2s, "disconnect")
        cls.snap()
        cls.log = sim.requests_log()

    def everything(self):
        """(where, bytes) for every output and file snapshot."""
        for args, text in self.outputs:
            yield f"output of zoomflow -vv {' '.join(args)}", text.encode()
        for i, (_, data) in enumerate(self.files):
            yield f"database files (snapshot {i})", data
        for d, names in self.listings:
            yield f"listing of {d}", names.encode()

    def test_scenario_really_exercised_secrets(self):
        tokens = [s for s in self.clear if s.startswith(JWT_HEAD)]
        self.assertGreaterEqual(len(tokens), 4, "OAuth and S2S tokens, before/after refresh")
        self.assertGreaterEqual(len(self.hex_hashes), 2)
        self.assertTrue(self.challenges)
        details = [r.get("detail") or "" for r in self.log["requests"]]
        self.assertIn("grant_type=refresh_token", " ".join(details))
        # the hashed search is sound: the recorded code hashes to zoomsim's entry
        self.assertIn(hashlib.sha256(self.code.encode()).hexdigest(), self.hex_hashes)
        self.assertTrue(any(len(data) > 4096 for _, data in self.files), "no database seen")
        self.assertTrue(any("master.key" in names.split("\n") for _, names in self.listings),
                        self.listings)

    def test_traces_were_produced_with_authorization_redacted(self):
        text = "\n".join(t for _, t in self.outputs)
        self.assertIn("Authorization: [redacted]", text)
        self.assertIn("POST /oauth/token", text)  # the token exchanges were traced too
        self.assertIn("> GET /v2/users/me", text)

    def test_no_secret_in_clear(self):
        for where, data in self.everything():
            for s in sorted(self.clear):
                self.assertFalse(s.encode() in data, f"{s[:8]}... found in {where}")
            for prefix in (JWT_HEAD.encode(), b"zsr_"):
                self.assertFalse(prefix in data, f"a zoomsim token ({prefix!r}) in {where}")

    def test_no_refresh_token_code_or_verifier_by_hash(self):
        for where, data in self.everything():
            for w in candidates(data):
                self.assertFalse(hashlib.sha256(w).hexdigest() in self.hex_hashes,
                                 f"a refresh token or code ({w[:8]}...) in {where}")
                self.assertFalse(s256(w) in self.challenges,
                                 f"the PKCE code_verifier ({w[:8]}...) in {where}")

    def test_code_verifier_only_redacted(self):
        leak = re.compile(rb"code_verifier=(?!\[redacted\])")
        for where, data in self.everything():
            self.assertIsNone(leak.search(data), where)
        for r in self.log["requests"]:
            self.assertIsNone(leak.search((r.get("detail") or "").encode()), r)
        text = b"\n".join(t.encode() for _, t in self.outputs)
        self.assertIn(b"code_verifier=[redacted]", text)


if __name__ == "__main__":
    unittest.main()
