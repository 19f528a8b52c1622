"""zoomflow serve: who may call what. The access matrix of the core's
routes (session, accounts, keys, audit) for anonymous, viewer, operator,
admin (session and key), another org's admin, an expired or revoked key,
an expired session; CSRF missing or wrong on state changes; org
isolation; sign-in (cookie attributes, throttle) and sign-out; the CRUD
of accounts and keys and the audit log they leave; no secret in the
logs."""
import itertools
import json
import re
import time
import unittest

from srvharness import PW, Serve
from zfharness import SLOW, heavy

seq = itertools.count(1)


class AccessCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Serve()
        for org in ("acme", "globex"):
            s.org(org)
        cls.ids = {}
        for role in ("viewer", "operator", "admin"):
            cls.ids[role] = s.account("acme", f"{role}@acme.test", role)
        cls.ids["globex"] = s.account("globex", "admin@globex.test", "admin")
        cls.keys = {role: s.key("acme", f"k-{role}", role) for role in ("viewer", "operator",
                                                                          "admin")}
        cls.keys["globex"] = s.key("globex", "k-admin", "admin")
        cls.keys["revoked"] = s.key("acme", "k-revoked", "admin")
        s.seed("revoke", "acme", cls.keys["revoked"].split("_")[1])
        cls.sessions = {role: s.signin(f"{role}@acme.test") for role in ("viewer", "operator",
                                                                          "admin")}
        cls.sessions["globex"] = s.signin("admin@globex.test")

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop()
        if rc != 0:
            raise AssertionError(f"zoomflow serve exited {rc}: {cls.s.stderr()[-3000:]}")

    def as_(self, who, method, path, body=None, csrf=True, headers=None):
        """who: 'anon', ('key', role), ('session', role)."""
        kw = {}
        if who != "anon":
            kind, role = who
            if kind == "key":
                kw["key"] = self.keys[role]
            else:
                cookie, token = self.sessions[role]
                kw["cookie"] = cookie
                if csrf is True:
                    kw["csrf"] = token
                elif csrf:
                    kw["csrf"] = csrf
        return self.s.request(method, path, body, headers=headers, **kw)

    def code(self, r):
        try:
            return r.json()["error"]["code"]
        except Exception:
            return None


class TestMatrix(AccessCase):
    """Every core route x every kind of caller."""

    def fresh_account(self, org="acme"):
        return self.s.account(org, f"victim{next(seq)}@{org}.test", "viewer")

    def fresh_key_id(self, org="acme"):
        return self.s.key(org, f"victim{next(seq)}", "viewer").split("_")[1]

    def routes(self):
        """(method, path maker, body maker, min role)"""
        return [
            ("GET", lambda: "/api/v1/session", None, "viewer"),
            ("GET", lambda: "/api/v1/accounts", None, "admin"),
            ("POST", lambda: "/api/v1/accounts",
             lambda: {"email": f"new{next(seq)}@acme.test", "password": PW, "role": "viewer"},
             "admin"),
            ("PATCH", lambda: f"/api/v1/accounts/{self.fresh_account()}",
             lambda: {"role": "operator"}, "admin"),
            ("DELETE", lambda: f"/api/v1/accounts/{self.fresh_account()}", None, "admin"),
            ("GET", lambda: "/api/v1/keys", None, "admin"),
            ("POST", lambda: "/api/v1/keys", lambda: {"name": "m", "role": "viewer"}, "admin"),
            ("DELETE", lambda: f"/api/v1/keys/{self.fresh_key_id()}", None, "admin"),
            ("GET", lambda: "/api/v1/audit?limit=5", None, "admin"),
        ]

    RANK = {"viewer": 1, "operator": 2, "admin": 3}

    def test_matrix(self):
        callers = ["anon"] + [(k, r) for k in ("key", "session")
                              for r in ("viewer", "operator", "admin")]
        checked = 0
        for method, path, body, need in self.routes():
            for who in callers:
                p = path()
                r = self.as_(who, method, p, body() if body else None)
                label = f"{method} {p} as {who}"
                if who == "anon":
                    self.assertEqual(r.status, 401, label)
                    self.assertEqual(self.code(r), "EAUTH", label)
                    self.assertIn("Bearer", r.header("WWW-Authenticate") or "", label)
                elif self.RANK[who[1]] < self.RANK[need]:
                    self.assertEqual(r.status, 403, f"{label}: {r}")
                    e = r.json()["error"]
                    self.assertEqual(e["code"], "EFORBIDDEN")
                    self.assertIn(f"needs the {need} role", e["message"], label)
                    self.assertEqual(e["hint_id"], "NEED_ROLE")
                else:
                    self.assertIn(r.status, (200, 201), f"{label}: {r}")
                checked += 1
        self.assertEqual(checked, 9 * 7)

    def test_dead_credentials_are_401_everywhere(self):
        dead = [("key", self.keys["revoked"]), ("key", "zfk_0000000000000000_" + "A" * 43),
                ("key", "zfk_garbage"), ("key", "not-a-zoomflow-key"),
                ("cookie", "A" * 43), ("cookie", "")]
        for method, path, body, need in self.routes():
            for kind, value in dead:
                p = path()
                kw = {"key": value} if kind == "key" else {"cookie": value or "x"}
                r = self.s.request(method, p, body() if body else None, **kw)
                self.assertEqual(r.status, 401, f"{method} {p} with {kind} {value[:12]}: {r}")
                self.assertEqual(self.code(r), "EAUTH")
                self.assertTrue(r.header("WWW-Authenticate"))
        # an Authorization header that is not Bearer
        r = self.s.request("GET", "/api/v1/session", headers={"Authorization": "Basic YTpi"})
        self.assertEqual(r.status, 401)

    def test_csrf_missing_or_wrong_on_session_changes(self):
        for method, path, body, need in self.routes():
            if method == "GET":
                continue
            for csrf in (None, "wrong-token", self.sessions["viewer"][1]):
                p = path()
                r = self.as_(("session", "admin"), method, p, body() if body else None,
                             csrf=csrf or False)
                self.assertEqual(r.status, 403, f"{method} {p} csrf={csrf}: {r}")
                e = r.json()["error"]
                self.assertEqual(e["code"], "EFORBIDDEN")
                self.assertIn("X-CSRF-Token", e["message"])
        # sign-out needs it too
        r = self.as_(("session", "viewer"), "DELETE", "/api/v1/session", csrf=False)
        self.assertEqual(r.status, 403)
        # a key needs none
        r = self.as_(("key", "admin"), "POST", "/api/v1/keys", {"name": "n", "role": "viewer"})
        self.assertEqual(r.status, 201)
        # GET needs none
        r = self.as_(("session", "admin"), "GET", "/api/v1/keys", csrf=False)
        self.assertEqual(r.status, 200)


class TestOrgIsolation(AccessCase):
    def test_another_orgs_admin_sees_and_touches_nothing_of_acme(self):
        for who in (("key", "globex"), ("session", "globex")):
            r = self.as_(who, "GET", "/api/v1/accounts")
            emails = [a["email"] for a in r.json()["accounts"]]
            self.assertTrue(emails)
            self.assertTrue(all(e.endswith("@globex.test") for e in emails), emails)
            r = self.as_(who, "GET", "/api/v1/keys")
            self.assertTrue(all(k["name"] != "k-operator" for k in r.json()["keys"]))
            r = self.as_(who, "GET", "/api/v1/audit?limit=500")
            self.assertFalse([x for x in r.json()["entries"] if "acme" in x["detail"]],
                             r.json()["entries"][:3])
            # acme's ids: 404, exactly as an id that does not exist
            victim = self.ids["viewer"]
            r = self.as_(who, "PATCH", f"/api/v1/accounts/{victim}", {"role": "admin"})
            self.assertEqual(r.status, 404, r)
            r = self.as_(who, "DELETE", f"/api/v1/accounts/{victim}")
            self.assertEqual(r.status, 404, r)
            r404 = self.as_(who, "DELETE", "/api/v1/accounts/999999")
            self.assertEqual(r404.status, 404)
            self.assertEqual(r.json()["error"]["message"].replace(str(victim), "N"),
                             r404.json()["error"]["message"].replace("999999", "N"))
            kid = self.keys["operator"].split("_")[1]
            r = self.as_(who, "DELETE", f"/api/v1/keys/{kid}")
            self.assertEqual(r.status, 404, r)
        # acme's still fine
        r = self.as_(("key", "operator"), "GET", "/api/v1/session")
        self.assertEqual(r.status, 200)
        r = self.as_(("key", "admin"), "GET", f"/api/v1/accounts")
        roles = {a["email"]: a["role"] for a in r.json()["accounts"]}
        self.assertEqual(roles["viewer@acme.test"], "viewer")

    def test_the_org_comes_from_the_credential_not_the_request(self):
        # a sign-in to another org's name with acme's account fails like a wrong password
        r = self.s.request("POST", "/api/v1/session",
                           {"email": "admin@acme.test", "password": PW, "org": "globex"})
        self.assertEqual(r.status, 401, r)
        # headers naming another org change nothing
        r = self.as_(("key", "globex"), "GET", "/api/v1/accounts",
                     headers={"X-Org": "acme", "Host": "acme"})
        self.assertTrue(all(a["email"].endswith("@globex.test") for a in r.json()["accounts"]))


class TestSession(AccessCase):
    def test_sign_in_cookie_attributes_and_answer(self):
        r = self.s.request("POST", "/api/v1/session",
                           {"email": "operator@acme.test", "password": PW})
        self.assertEqual(r.status, 200, r)
        sc = r.header("Set-Cookie")
        self.assertRegex(sc, r"^zf_session=[A-Za-z0-9_-]{43};")
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="):
            self.assertIn(attr, sc)
        self.assertNotIn("Secure", sc)  # plain HTTP, no https public URL
        j = r.json()
        self.assertEqual(j["org"], "acme")
        self.assertEqual(j["role"], "operator")
        self.assertEqual(j["account"]["email"], "operator@acme.test")
        self.assertEqual(j["account"]["id"], self.ids["operator"])
        self.assertTrue(j["csrf_token"])
        self.assertGreater(j["expires_at"], time.time())
        # GET answers the same token again (a page reload)
        cookie = sc.split(";")[0].split("=", 1)[1]
        g = self.s.request("GET", "/api/v1/session", cookie=cookie).json()
        self.assertEqual(g["csrf_token"], j["csrf_token"])
        self.assertEqual(g["role"], "operator")

    def test_sign_in_bad_input(self):
        for body in ({}, {"email": "a@b.c"}, {"email": 1, "password": PW}, [], '"x"', "1"):
            r = self.s.request("POST", "/api/v1/session", body)
            self.assertEqual(r.status, 422, (body, r))
        r = self.s.request("POST", "/api/v1/session", {"email": "x@acme.test", "password": 1})
        self.assertEqual(r.json()["error"]["problems"][0]["field"], "password")
        for email, pw in (("nobody@acme.test", PW), ("viewer@acme.test", "wrong password!")):
            r = self.s.request("POST", "/api/v1/session", {"email": email, "password": pw})
            self.assertEqual(r.status, 401)
            self.assertEqual(r.json()["error"]["code"], "EAUTH")
            self.assertIsNone(r.header("Set-Cookie"))

    def test_sign_out_ends_the_session(self):
        cookie, csrf = self.s.signin("viewer@acme.test")
        r = self.s.request("DELETE", "/api/v1/session", cookie=cookie, csrf=csrf)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Max-Age=0", r.header("Set-Cookie"))
        r = self.s.request("GET", "/api/v1/session", cookie=cookie)
        self.assertEqual(r.status, 401)
        # a key has no session to end
        r = self.as_(("key", "viewer"), "DELETE", "/api/v1/session")
        self.assertEqual(r.status, 422)

    def test_sign_in_throttle_429_with_retry_after(self):
        self.s.account("acme", "locked@acme.test", "viewer")
        statuses = []
        for _ in range(6):
            r = self.s.request("POST", "/api/v1/session",
                               {"email": "locked@acme.test", "password": "not the password"})
            statuses.append(r.status)
        self.assertEqual(statuses[:5], [401] * 5)
        self.assertEqual(statuses[5], 429, r)
        self.assertTrue(int(r.header("Retry-After")) > 0)
        e = r.json()["error"]
        self.assertEqual(e["code"], "ERATELIMIT")
        self.assertGreater(e["retry_after"], 0)
        # the right password is refused too while locked
        r = self.s.request("POST", "/api/v1/session", {"email": "locked@acme.test",
                                                        "password": PW})
        self.assertEqual(r.status, 429)
        # others are not locked
        self.s.signin("operator@acme.test")


class TestCrud(AccessCase):
    def test_accounts(self):
        adm = ("key", "admin")
        r = self.as_(adm, "POST", "/api/v1/accounts",
                     {"email": "Carol@Acme.test", "password": PW, "role": "operator"})
        self.assertEqual(r.status, 201, r)
        a = r.json()
        self.assertEqual(a["email"], "carol@acme.test")
        self.assertEqual(a["role"], "operator")
        self.assertTrue(a["created"])
        self.s.signin("carol@acme.test")
        r = self.as_(adm, "POST", "/api/v1/accounts", {"email": "carol@acme.test", "password": PW})
        self.assertEqual(r.status, 409, r)
        for bad in ({"email": "nope"}, {"email": "d@acme.test", "password": "short"},
                    {"email": "d@acme.test", "password": PW, "role": "root"},
                    {"email": "d@acme.test", "password": PW, "extra": 1}):
            r = self.as_(adm, "POST", "/api/v1/accounts", bad)
            self.assertEqual(r.status, 422, (bad, r))
        r = self.as_(adm, "PATCH", f"/api/v1/accounts/{a['id']}", {"role": "viewer"})
        self.assertEqual(r.json()["role"], "viewer")
        r = self.as_(adm, "PATCH", f"/api/v1/accounts/{a['id']}", {"disabled": True})
        self.assertTrue(r.json()["disabled"])
        r = self.s.request("POST", "/api/v1/session", {"email": "carol@acme.test",
                                                        "password": PW})
        self.assertEqual(r.status, 401)
        for bad in ("abc", "0", "-1", "99999999999999999999"):
            r = self.as_(adm, "PATCH", f"/api/v1/accounts/{bad}", {"role": "viewer"})
            self.assertEqual(r.status, 404, bad)
        r = self.as_(adm, "DELETE", f"/api/v1/accounts/{a['id']}")
        self.assertEqual(r.status, 200)
        r = self.as_(adm, "DELETE", f"/api/v1/accounts/{a['id']}")
        self.assertEqual(r.status, 404)
        # the last admin of an org stays
        r = self.as_(("key", "globex"), "PATCH", f"/api/v1/accounts/{self.ids['globex']}",
                     {"role": "viewer"})
        self.assertEqual(r.status, 409, r)
        # the audit log has it, with the actor
        entries = self.as_(adm, "GET", "/api/v1/audit?limit=50").json()["entries"]
        actions = [(x["action"], x["actor"]) for x in entries]
        kid = self.keys["admin"].split("_")[1]
        self.assertIn(("account.create", f"key:{kid}"), actions)
        self.assertTrue(any(act.startswith("account.") and act != "account.create"
                            for act, _ in actions), actions)

    def test_keys_shown_once_and_revocable(self):
        adm = ("session", "admin")
        r = self.as_(adm, "POST", "/api/v1/keys", {"name": "deploy", "role": "operator",
                                                   "expires_in": 3600})
        self.assertEqual(r.status, 201, r)
        k = r.json()
        self.assertRegex(k["key"], r"^zfk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")
        self.assertTrue(k["key"].startswith("zfk_" + k["id"] + "_"))
        self.assertGreater(k["expires_at"], time.time())
        r = self.s.request("GET", "/api/v1/session", key=k["key"])
        self.assertEqual(r.json()["role"], "operator")
        listed = self.as_(adm, "GET", "/api/v1/keys")
        self.assertNotIn(k["key"].split("_", 2)[2], listed.body)
        mine = [x for x in listed.json()["keys"] if x["id"] == k["id"]][0]
        self.assertEqual(mine["created_by"], "account:admin@acme.test")
        self.assertIsNone(mine["revoked_at"])
        r = self.as_(adm, "DELETE", f"/api/v1/keys/{k['id']}")
        self.assertEqual(r.status, 200)
        r = self.s.request("GET", "/api/v1/session", key=k["key"])
        self.assertEqual(r.status, 401)
        for bad in ({"name": "x"}, {"role": "viewer"}, {"name": "x", "role": "viewer",
                                                         "expires_in": -5},
                    {"name": "x", "role": "viewer", "expires_at": 1},
                    {"name": "", "role": "viewer"}):
            r = self.as_(adm, "POST", "/api/v1/keys", bad)
            self.assertEqual(r.status, 422, (bad, r))

    def test_audit_paging(self):
        adm = ("key", "admin")
        for i in range(4):
            self.as_(adm, "POST", "/api/v1/keys", {"name": f"page{i}", "role": "viewer"})
        p1 = self.as_(adm, "GET", "/api/v1/audit?limit=2").json()
        self.assertEqual(len(p1["entries"]), 2)
        self.assertIsNotNone(p1["next_before"])
        p2 = self.as_(adm, "GET", f"/api/v1/audit?limit=2&before={p1['next_before']}").json()
        ids1 = [x["id"] for x in p1["entries"]]
        ids2 = [x["id"] for x in p2["entries"]]
        self.assertTrue(max(ids2) < min(ids1), (ids1, ids2))
        self.assertEqual(ids1, sorted(ids1, reverse=True))


class TestAuditKeyset(AccessCase):
    """GET /api/v1/audit pages by the store's keyset cursor: more rows than
    the old scan read (5,000), seeded through the store in one transaction,
    many sharing a timestamp; every row once, newest first by (at, id)."""
    N = 5200

    def page(self, cursor=None, limit=500):
        q = f"/api/v1/audit?limit={limit}" + (f"&before={cursor}" if cursor is not None else "")
        return self.as_(("key", "admin"), "GET", q)

    def test_every_row_once_in_order(self):
        first = self.page().json()
        self.assertIsNone(first["next_before"])
        existing = len(first["entries"])
        self.assertGreater(existing, 0)
        # about 13 rows a timestamp, ids in no order of time; globex's rows
        # between never show in acme's log
        self.s.seed("audit", "acme", str(self.N), "401")
        self.s.seed("audit", "globex", "300", "7")
        seen, cursor, pages = [], None, 0
        while True:
            r = self.page(cursor)
            self.assertEqual(r.status, 200, r.json())
            body = r.json()
            seen += body["entries"]
            pages += 1
            if body["next_before"] is None:
                break
            self.assertEqual(len(body["entries"]), 500)
            self.assertIsInstance(body["next_before"], str)
            # the same cursor twice: the same page (a read, not a position held)
            if pages == 1:
                again = self.page(body["next_before"]).json()
                self.assertEqual(again, self.page(body["next_before"]).json())
            if pages == 2:
                # a change while paging is newer than every cursor: not on a later page
                r = self.as_(("key", "admin"), "POST", "/api/v1/keys",
                             {"name": "while-paging", "role": "viewer"})
                self.assertEqual(r.status, 201, r.json())
            cursor = body["next_before"]
        self.assertEqual(len(seen), existing + self.N)
        keys = [(e["at"], e["id"]) for e in seen]
        self.assertEqual(keys, sorted(keys, reverse=True))
        self.assertEqual(len(set(keys)), len(keys), "a row twice")
        seeded = sorted(int(e["action"][5:]) for e in seen if e["action"].startswith("seed."))
        self.assertEqual(seeded, list(range(self.N)))
        self.assertEqual(pages, (existing + self.N) // 500 + 1)
        # the newest page now starts with the key made while paging
        top = self.page(limit=1).json()["entries"][0]
        self.assertIn("while-paging", top["detail"] + top["action"])

    def test_bad_cursor_is_refused_with_the_field(self):
        good = self.page(limit=1).json()["next_before"]  # the seeding left a few rows
        self.assertIsNotNone(good)
        for bad in ("123", "", good.upper(), good[:-1], good + "0", "%20" + good,
                    "0" * 32):
            r = self.page(bad)
            self.assertEqual(r.status, 400, (bad, r.json()))
            e = r.json()["error"]
            self.assertEqual(e["code"], "EVALIDATION", bad)
            self.assertEqual(e["status"], 400, bad)
            self.assertEqual(e["hint_id"], "AUDIT_CURSOR", bad)
            self.assertIn("?before=", e["message"])
            self.assertIn("is not an audit log cursor", e["message"])
            self.assertEqual(e["problems"][0]["field"], "before")


class TestLogs(AccessCase):
    def test_no_secret_in_the_logs(self):
        cookie, csrf = self.s.signin("admin@acme.test")
        r = self.s.request("POST", "/api/v1/keys", {"name": "logcheck", "role": "viewer"},
                           cookie=cookie, csrf=csrf)
        new_key = r.json()["key"]
        self.s.request("GET", "/api/v1/session", key=new_key)
        self.s.request("POST", "/api/v1/session", {"email": "admin@acme.test",
                                                   "password": "a wrong secret pw"})
        time.sleep(0.2)
        err = self.s.stderr()
        # "zfk_<id>_<secret>": the secret is base64url, so it may hold "_" itself
        def key_secret(k):
            s = k.split("_", 2)[2]
            self.assertGreaterEqual(len(s), 40, k)
            return s

        for secret in [PW, "a wrong secret pw", cookie, csrf, new_key, key_secret(new_key)] + \
                [key_secret(k) for k in self.keys.values()] + \
                [c for c, _ in self.sessions.values()]:
            self.assertNotIn(secret, err)
        lines = [json.loads(l) for l in err.splitlines()]
        http = [l for l in lines if l.get("event") == "http"]
        self.assertTrue(http)
        for l in http:
            for k in ("ts", "request_id", "method", "route", "status", "ms"):
                self.assertIn(k, l)
        mine = [l for l in http if l.get("actor") == "account:admin@acme.test"]
        self.assertTrue(any(l["route"] == "/api/v1/keys" and l["status"] == 201 for l in mine))


class TestExpiry(unittest.TestCase):
    def test_expired_session_and_key(self):
        with Serve("--session-idle", "2") as s:
            s.org("acme")
            s.account("acme", "a@acme.test", "admin")
            cookie, csrf = s.signin("a@acme.test")
            key = s.key("acme", "short", "admin", int(time.time()) + 2)
            self.assertEqual(s.request("GET", "/api/v1/session", cookie=cookie).status, 200)
            self.assertEqual(s.request("GET", "/api/v1/session", key=key).status, 200)
            time.sleep(3.5)
            for kw in ({"cookie": cookie}, {"key": key}):
                r = s.request("GET", "/api/v1/keys", **kw)
                self.assertEqual(r.status, 401, (kw, r))
                self.assertEqual(r.json()["error"]["code"], "EAUTH")
                self.assertTrue(r.header("WWW-Authenticate"))
            self.assertEqual(s.stop(), 0)

    def test_secure_cookie_behind_an_https_public_url(self):
        with Serve("--public-url", "https://zf.example.test") as s:
            s.org("acme")
            s.account("acme", "a@acme.test", "admin")
            r = s.request("POST", "/api/v1/session", {"email": "a@acme.test", "password": PW})
            self.assertIn("; Secure", r.header("Set-Cookie"))
            self.assertEqual(s.stop(), 0)


class TestTrustedProxy(unittest.TestCase):
    """Behind a proxy every request comes from the proxy's address: the
    per-address sign-in limit must count the client its X-Forwarded-For
    names, and only when the proxy is trusted (anyone may send the header)."""

    def fail_signins(self, s, xff, n):
        out = []
        for _ in range(n):
            r = s.request("POST", "/api/v1/session",
                          {"email": f"nobody{next(seq)}@acme.test", "password": "wrong one!"},
                          headers={"X-Forwarded-For": xff} if xff else None)
            out.append(r.status)
        return out

    def signin_from(self, s, xff):
        return s.request("POST", "/api/v1/session", {"email": "admin@acme.test", "password": PW},
                         headers={"X-Forwarded-For": xff}).status

    def test_trusted_proxy_limits_the_client_not_the_proxy(self):
        with Serve("--trusted-proxy", "10.9.0.0/16, 127.0.0.1") as s:
            s.org("acme")
            s.account("acme", "admin@acme.test", "admin")
            # a client that spoofs a first hop: the proxy appends the real
            # one, and the rightmost untrusted hop is what counts
            statuses = self.fail_signins(s, "1.2.3.4, 203.0.113.5", 20)
            self.assertEqual(statuses, [401] * 20)
            self.assertEqual(self.fail_signins(s, "203.0.113.5", 1), [429])
            self.assertEqual(self.fail_signins(s, "9.9.9.9, 203.0.113.5, 10.9.3.4", 1), [429])
            # another client behind the same proxy is not locked out
            self.assertEqual(self.signin_from(s, "198.51.100.7"), 200)
            # nor a client named in IPv6 or through two trusted hops
            self.assertEqual(self.signin_from(s, "2001:db8::7, 10.9.0.1"), 200)
            # a header that is not a list of bare addresses: the peer is the
            # client (here the proxy itself, not locked)
            self.assertEqual(self.signin_from(s, "unknown"), 200)
            clients = {line.get("client") for line in s.log_lines()
                       if line.get("path") == "/api/v1/session"}
            self.assertIn("203.0.113.5", clients)
            self.assertIn("2001:db8::7", clients)
            self.assertNotIn("1.2.3.4", clients)
            self.assertEqual(s.stop(), 0)

    def test_untrusted_header_is_ignored(self):
        with Serve() as s:
            s.org("acme")
            s.account("acme", "admin@acme.test", "admin")
            # without --trusted-proxy a changing header does not escape the limit
            statuses = [self.fail_signins(s, f"203.0.113.{i}", 1)[0] for i in range(21)]
            self.assertEqual(statuses, [401] * 20 + [429])
            clients = {line.get("client") for line in s.log_lines()
                       if line.get("path") == "/api/v1/session"}
            self.assertEqual(clients, {"127.0.0.1"})
            self.assertEqual(s.stop(), 0)

    def test_bad_list_refuses_to_start(self):
        for bad, named in (("10.0.0.1/8", "10.0.0.1/8"), ("proxy.local", "proxy.local"),
                           ("127.0.0.1, ::1/129", "::1/129")):
            s = Serve("--trusted-proxy", bad, start=False)
            with self.assertRaises(RuntimeError) as cm:
                s.start()
            self.assertIn(f'trusted proxy "{named}"', str(cm.exception))
            self.assertIn("CIDR", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
