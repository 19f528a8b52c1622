"""zoomsim OAuth over real HTTP: authorize + consent, codes, PKCE, refresh
rotation, Server-to-Server, revoke, apps, errors, persistence."""
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import unittest
import urllib.parse

from zfharness import Sim, SimCase, binary, run, stop_clean

CID, SEC = "zoomsim-client", "zoomsim-secret"
S2S_CID, S2S_SEC = "zoomsim-s2s", "zoomsim-s2s-secret"
ACCOUNT = "zsimAcct0000000000001"
REDIR = "http://127.0.0.1:8765/callback"


def basic(cid, sec):
    raw = base64.b64encode(f"{cid}:{sec}".encode()).decode()
    return {"Authorization": "Basic " + raw}


def s256(verifier):
    d = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(d).decode().rstrip("=")



def jwt_parts(tok):
    """Zoom access tokens are JWTs: decoded header, payload, signature bytes."""
    parts = tok.split(".")
    assert len(parts) == 3, tok

    def dec(p):
        return base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))
    return json.loads(dec(parts[0])), json.loads(dec(parts[1])), dec(parts[2])


class Clean:
    """`with Sim(...) as s, Clean(s):` also checks the exit status."""
    def __init__(self, sim):
        self.sim = sim

    def __enter__(self):
        return self.sim

    def __exit__(self, *exc):
        if exc[0] is None:
            stop_clean(self.sim)


def location_params(r):
    loc = r.header("Location")
    assert loc, r
    parts = urllib.parse.urlsplit(loc)
    q = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    return loc, {k: v[0] for k, v in q.items()}


class OAuthCase(unittest.TestCase):
    """Helpers over one running zoomsim (consent page on, --control)."""
    sim = None

    def authorize(self, client_id=CID, redirect=REDIR, response_type="code", **extra):
        q = {"client_id": client_id, "redirect_uri": redirect}
        if response_type is not None:
            q["response_type"] = response_type
        q.update(extra)
        return self.sim.request("GET", "/oauth/authorize", query=q)

    def consent_id(self, r):
        self.assertEqual(r.status, 200, r)
        m = re.search(rb'name="consent" value="([^"]+)"', r.body)
        self.assertIsNotNone(m, r.body)
        return m.group(1).decode()

    def decide(self, consent, decision):
        return self.sim.request("POST", "/oauth/authorize/decision",
                                form={"consent": consent, "decision": decision})

    def code(self, client_id=CID, redirect=REDIR, state="st", **extra):
        r = self.authorize(client_id, redirect, state=state, **extra)
        r = self.decide(self.consent_id(r), "authorize")
        self.assertEqual(r.status, 302, r)
        _, q = location_params(r)
        self.assertEqual(q["state"], state)
        return q["code"]

    def token(self, form=None, query=None, cid=CID, sec=SEC):
        return self.sim.request("POST", "/oauth/token", form=form, query=query,
                                headers=basic(cid, sec) if cid else None)

    def exchange(self, code, redirect=REDIR, verifier=None, cid=CID, sec=SEC):
        f = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
        if verifier is not None:
            f["code_verifier"] = verifier
        return self.token(form=f, cid=cid, sec=sec)

    def connect(self, **kw):
        r = self.exchange(self.code(**kw))
        self.assertEqual(r.status, 200, r)
        return r.json()

    def refresh(self, rt, cid=CID, sec=SEC):
        return self.token(form={"grant_type": "refresh_token", "refresh_token": rt},
                          cid=cid, sec=sec)

    def me(self, access):
        return self.sim.request("GET", "/_sim/tokens/me", token=access)

    def introspect(self, tok):
        r = self.sim.request("GET", "/_sim/tokens/introspect", query={"token": tok})
        self.assertEqual(r.status, 200, r)
        return r.json()

    def assert_oauth_error(self, r, status, error, reason=None):
        self.assertEqual(r.status, status, r)
        j = r.json()
        self.assertEqual(set(j), {"reason", "error"}, j)
        self.assertEqual(j["error"], error, j)
        if reason is not None:
            self.assertIn(reason, j["reason"])

    def assert_api_124(self, access, message):
        r = self.me(access)
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json(), {"code": 124, "message": message})

    def add_app(self, **app):
        r = self.sim.request("POST", "/_sim/apps", body=app)
        self.assertEqual(r.status, 201, r)
        return r.json()


class AuthorizeTest(OAuthCase, SimCase):
    def test_consent_page_lists_app_and_scopes(self):
        r = self.authorize(state="s1")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        body = r.body.decode()
        self.assertIn("zoomsim OAuth app", body)
        for scope in ("meeting:write:meeting:admin", "user:read:list_users:admin",
                      "contact:read:list_contacts:admin"):
            self.assertIn(f'<code class="scope">{scope}</code>:', body)
        self.assertIn("Create meetings for any user on the account", body)
        self.assertIn('action="/oauth/authorize/decision"', body)
        self.assertIn('value="authorize">Authorize</button>', body)
        self.assertIn('value="deny">Deny</button>', body)
        self.assertIsNone(r.header("Location"))

    def test_consent_page_escapes_html(self):
        self.add_app(client_id="evil", client_secret="s", name="<b>Evil & Co</b>",
                     redirect_uris=["http://127.0.0.1:*/cb?a=<x>"], scopes=["user:read:user:admin"])
        r = self.authorize("evil", "http://127.0.0.1:9/cb?a=<x>")
        body = r.body.decode()
        self.assertIn("&lt;b&gt;Evil &amp; Co&lt;/b&gt;", body)
        self.assertNotIn("<b>Evil", body)
        self.assertIn("cb?a=&lt;x&gt;", body)
        self.assertEqual(body.count('class="scope"'), 1)

    def test_authorize_button_redirects_with_code_and_state(self):
        r = self.authorize(state="xyz")
        consent = self.consent_id(r)
        r = self.decide(consent, "authorize")
        self.assertEqual(r.status, 302, r)
        loc, q = location_params(r)
        self.assertTrue(loc.startswith(REDIR + "?code="), loc)
        self.assertEqual(q["state"], "xyz")
        self.assertGreaterEqual(len(q["code"]), 32)
        # the consent id is single use
        r2 = self.decide(consent, "authorize")
        self.assertEqual(r2.status, 400)
        self.assertIsNone(r2.header("Location"))
        self.assertEqual(self.exchange(q["code"]).status, 200)

    def test_deny_button_redirects_access_denied(self):
        r = self.decide(self.consent_id(self.authorize(state="keep me")), "deny")
        self.assertEqual(r.status, 302, r)
        _, q = location_params(r)
        self.assertEqual(q["error"], "access_denied")
        self.assertEqual(q["state"], "keep me")
        self.assertNotIn("code", q)

    def test_consent_unknown_id_or_decision(self):
        r = self.decide("no-such-consent", "authorize")
        self.assertEqual(r.status, 400)
        consent = self.consent_id(self.authorize())
        r = self.decide(consent, "maybe")
        self.assertEqual(r.status, 400)
        # a bad decision does not use the consent up
        self.assertEqual(self.decide(consent, "authorize").status, 302)

    def test_consent_expires(self):
        consent = self.consent_id(self.authorize())
        self.sim.advance(601)
        self.assertEqual(self.decide(consent, "authorize").status, 400)

    def test_state_echoed_exactly(self):
        state = "a b&c=d/é?%20+~"
        code_state = self.authorize(state=state)
        r = self.decide(self.consent_id(code_state), "authorize")
        loc, q = location_params(r)
        self.assertEqual(q["state"], state)
        self.assertIn("state=a%20b%26c%3Dd%2F%C3%A9%3F%2520%2B~", loc)

    def test_long_state(self):
        state = "s" * 1500
        r = self.decide(self.consent_id(self.authorize(state=state)), "authorize")
        self.assertEqual(r.status, 302, r)
        self.assertEqual(location_params(r)[1]["state"], state)
        r = self.authorize(state="s" * 3000, response_type="token")
        self.assertEqual(r.status, 400, r)
        self.assertIsNone(r.header("Location"))
        self.assertIn(b"shorter state", r.body)

    def test_no_state_no_state_param(self):
        r = self.authorize()
        r = self.decide(self.consent_id(r), "authorize")
        _, q = location_params(r)
        self.assertNotIn("state", q)

    def test_unknown_client_is_4702_page(self):
        r = self.authorize(client_id="nobody")
        self.assertEqual(r.status, 400)
        self.assertIsNone(r.header("Location"))
        self.assertIn(b"Invalid client_id: nobody", r.body)
        self.assertIn(b"4702", r.body)
        # an S2S app cannot run the user flow either
        r = self.authorize(client_id=S2S_CID)
        self.assertEqual(r.status, 400)
        self.assertIn(b"4702", r.body)

    def test_redirect_mismatch_is_4709_page_without_redirect(self):
        for bad in ("http://127.0.0.1:8765/callback/", "http://127.0.0.1:8765/other",
                    "http://evil.example:8765/callback", "https://127.0.0.1:8765/callback",
                    "http://127.0.0.1/callback"):
            r = self.authorize(redirect=bad, state="s")
            self.assertEqual(r.status, 400, bad)
            self.assertIsNone(r.header("Location"), bad)
            self.assertIn(b"4709", r.body)
            self.assertIn(b"Redirect URI mismatch", r.body)
        r = self.sim.request("GET", "/oauth/authorize",
                             query={"client_id": CID, "response_type": "code"})
        self.assertEqual(r.status, 400)
        self.assertIn(b"4709", r.body)

    def test_loopback_any_port_and_localhost(self):
        for redirect in ("http://127.0.0.1:1/callback", "http://127.0.0.1:65535/callback",
                         "http://localhost:40000/callback"):
            code = self.code(redirect=redirect)
            self.assertEqual(self.exchange(code, redirect=redirect).status, 200)

    def test_exact_redirect_app(self):
        self.add_app(client_id="exact", client_secret="s3",
                     redirect_uris=["https://app.example.com/oauth/cb/"])
        self.assertEqual(self.authorize("exact", "https://app.example.com/oauth/cb").status, 400)
        self.assertEqual(self.authorize("exact", "https://app.example.com:443/oauth/cb/").status,
                         400)
        code = self.code("exact", "https://app.example.com/oauth/cb/")
        r = self.exchange(code, "https://app.example.com/oauth/cb/", cid="exact", sec="s3")
        self.assertEqual(r.status, 200, r)

    def test_bad_response_type_and_pkce_method_redirect_with_error(self):
        r = self.authorize(response_type="token", state="s")
        self.assertEqual(r.status, 302)
        _, q = location_params(r)
        self.assertEqual((q["error"], q["state"]), ("unsupported_response_type", "s"))
        r = self.authorize(response_type=None)
        _, q = location_params(r)
        self.assertEqual(q["error"], "invalid_request")
        r = self.authorize(code_challenge=s256("v" * 50), code_challenge_method="S512")
        _, q = location_params(r)
        self.assertEqual(q["error"], "invalid_request")
        r = self.authorize(code_challenge="short", code_challenge_method="S256")
        _, q = location_params(r)
        self.assertEqual(q["error"], "invalid_request")


class AutoApproveTest(OAuthCase):
    def test_auto_approve_redirects_at_once(self):
        with Sim("--auto-approve") as sim, Clean(sim):
            self.sim = sim
            r = self.authorize(state="auto")
            self.assertEqual(r.status, 302, r)
            _, q = location_params(r)
            self.assertEqual(q["state"], "auto")
            r = self.exchange(q["code"])
            self.assertEqual(r.status, 200, r)


class TokenTest(OAuthCase, SimCase):
    def test_code_exchange_answer(self):
        t = self.connect()
        self.assertEqual(set(t), {"access_token", "token_type", "refresh_token", "expires_in",
                                  "scope", "api_url"})
        self.assertEqual(t["token_type"], "bearer")
        self.assertEqual(t["expires_in"], 3599)
        self.assertEqual(t["api_url"], self.sim.url)
        self.assertIn("meeting:write:meeting:admin", t["scope"].split(" "))
        me = self.me(t["access_token"])
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json()["user_id"], "zsimOwner000000000001")
        self.assertEqual(me.json()["account_id"], ACCOUNT)
        self.assertEqual(me.json()["client_id"], CID)

    def test_access_token_is_a_zoom_shaped_jwt(self):
        t = self.connect()
        hdr, claims, sig = jwt_parts(t["access_token"])
        self.assertEqual(hdr["alg"], "HS512")
        self.assertEqual(hdr["v"], "2.0")
        self.assertTrue(hdr["kid"])
        self.assertEqual(len(sig), 64)  # HMAC-SHA512
        self.assertEqual(claims["aid"], ACCOUNT)
        self.assertEqual(claims["uid"], "zsimOwner000000000001")
        self.assertEqual(claims["iss"], "zm:cid:" + CID)
        self.assertEqual(claims["aud"], "https://oauth.zoom.us")
        self.assertEqual(claims["type"], 3)
        self.assertEqual(claims["exp"] - claims["iat"], 3600)
        self.assertEqual(claims["nbf"], claims["iat"])
        self.assertTrue(claims["auid"])
        for k in ("ver", "gno"):
            self.assertIsInstance(claims[k], int)
        # the table, not the claims, makes a token valid: a re-signed or
        # altered token is unknown
        h, p, _ = t["access_token"].split(".")
        self.assert_api_124(h + "." + p + "." + "A" * 86, "Invalid access token.")
        t2 = self.refresh(t["refresh_token"]).json()
        self.assertNotEqual(jwt_parts(t2["access_token"])[1]["auid"], claims["auid"])

    def test_params_in_query_string(self):
        code = self.code()
        self.sim.request("DELETE", "/_sim/requests")
        r = self.token(query={"grant_type": "authorization_code", "code": code,
                              "redirect_uri": REDIR})
        self.assertEqual(r.status, 200, r)
        log = self.sim.requests_log()
        self.assertEqual([e["detail"] for e in log["requests"]], ["grant_type=authorization_code"])
        dumped = json.dumps(log)
        for secret in (code, SEC, r.json()["access_token"], r.json()["refresh_token"]):
            self.assertNotIn(secret, dumped)

    def test_pkce_s256(self):
        verifier = secrets.token_urlsafe(48)
        code = self.code(code_challenge=s256(verifier), code_challenge_method="S256")
        r = self.exchange(code, verifier=secrets.token_urlsafe(48))
        self.assert_oauth_error(r, 400, "invalid_grant", "code_verifier")
        r = self.exchange(code)
        self.assert_oauth_error(r, 400, "invalid_request", "code_verifier")
        r = self.exchange(code, verifier=verifier)
        self.assertEqual(r.status, 200, r)

    def test_pkce_plain_default_method(self):
        verifier = secrets.token_urlsafe(40)
        code = self.code(code_challenge=verifier)  # no method: plain
        self.assert_oauth_error(self.exchange(code, verifier=s256(verifier)), 400, "invalid_grant")
        self.assertEqual(self.exchange(code, verifier=verifier).status, 200)

    def test_pkce_verifier_length(self):
        short = "a" * 42
        code = self.code(code_challenge=s256(short), code_challenge_method="S256")
        r = self.exchange(code, verifier=short)
        self.assert_oauth_error(r, 400, "invalid_request", "43-128")
        long_ = "a" * 129
        r = self.exchange(code, verifier=long_)
        self.assert_oauth_error(r, 400, "invalid_request", "43-128")

    def test_code_reuse_fails_and_kills_its_tokens(self):
        code = self.code()
        t = self.exchange(code).json()
        self.assertEqual(self.me(t["access_token"]).status, 200)
        r = self.exchange(code)
        self.assert_oauth_error(r, 400, "invalid_request", "Invalid authorization code")
        self.assert_api_124(t["access_token"], "Invalid access token.")
        self.assert_oauth_error(self.refresh(t["refresh_token"]), 400, "invalid_grant",
                                "Invalid Token!")

    def test_unknown_code(self):
        r = self.exchange("not-a-code")
        self.assert_oauth_error(r, 400, "invalid_request", "Invalid authorization code")

    def test_code_expires_after_5_minutes(self):
        code = self.code()
        self.sim.advance(301)
        r = self.exchange(code)
        self.assert_oauth_error(r, 400, "invalid_request", "expired")

    def test_code_bound_to_client(self):
        self.add_app(client_id="other", client_secret="o", redirect_uris=[REDIR])
        code = self.code()
        r = self.exchange(code, cid="other", sec="o")
        self.assert_oauth_error(r, 400, "invalid_request", "Invalid authorization code")
        self.assertEqual(self.exchange(code).status, 200)

    def test_redirect_mismatch_on_token(self):
        code = self.code(redirect="http://127.0.0.1:4000/callback")
        for bad in ("http://127.0.0.1:4001/callback", "http://127.0.0.1:4000/callback/",
                    "http://127.0.0.1:*/callback"):
            self.assert_oauth_error(self.exchange(code, redirect=bad), 400, "invalid_request",
                                    "Redirect URI mismatch")
        f = {"grant_type": "authorization_code", "code": code}
        self.assert_oauth_error(self.token(form=f), 400, "invalid_request",
                                "Redirect URI mismatch")
        self.assertEqual(self.exchange(code, redirect="http://127.0.0.1:4000/callback").status,
                         200)

    def test_bad_client_credentials(self):
        code = self.code()
        for cid, sec in ((CID, "wrong"), ("nobody", SEC), (CID, "")):
            r = self.exchange(code, cid=cid, sec=sec)
            self.assert_oauth_error(r, 401, "invalid_client",
                                    "Invalid client_id or client_secret")
        r = self.token(form={"grant_type": "authorization_code", "code": code,
                             "redirect_uri": REDIR, "client_id": CID, "client_secret": SEC},
                       cid=None)
        self.assert_oauth_error(r, 401, "invalid_client")
        self.assertIn("Basic", r.header("WWW-Authenticate"))
        self.assertEqual(self.exchange(code).status, 200)  # failures did not use the code

    def test_grant_type_missing_or_unsupported(self):
        self.assert_oauth_error(self.token(form={"code": "x"}), 400, "invalid_request",
                                "Missing grant type")
        self.assert_oauth_error(self.token(form={"grant_type": "password"}), 400,
                                "unsupported_grant_type", "unsupported grant type")

    def test_refresh_rotation(self):
        t = self.connect()
        self.sim.request("DELETE", "/_sim/requests")
        r = self.refresh(t["refresh_token"])
        self.assertEqual(r.status, 200, r)
        t2 = r.json()
        self.assertNotEqual(t2["refresh_token"], t["refresh_token"])
        self.assertNotEqual(t2["access_token"], t["access_token"])
        self.assertEqual(t2["expires_in"], 3599)
        self.assert_oauth_error(self.refresh(t["refresh_token"]), 400, "invalid_grant",
                                "Invalid Token!")
        self.assertEqual(self.refresh(t["refresh_token"]).json(),
                         {"reason": "Invalid Token!", "error": "invalid_grant"})
        r = self.refresh(t2["refresh_token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.me(r.json()["access_token"]).status, 200)
        log = self.sim.requests_log(route="oauth.token")
        details = [e.get("detail") for e in log["requests"]]
        self.assertEqual(details.count("grant_type=refresh_token"), 4)
        self.assertEqual([e["status"] for e in log["requests"]], [200, 400, 400, 200])
        for e in log["requests"]:
            self.assertNotIn(t["refresh_token"], json.dumps(e))

    def test_refresh_token_bound_to_client(self):
        self.add_app(client_id="other", client_secret="o", redirect_uris=[REDIR])
        t = self.connect()
        self.assert_oauth_error(self.refresh(t["refresh_token"], cid="other", sec="o"), 400,
                                "invalid_grant")
        self.assertEqual(self.refresh(t["refresh_token"]).status, 200)

    def test_access_token_expires_after_an_hour(self):
        t = self.connect()
        self.sim.advance(3500)
        self.assertEqual(self.me(t["access_token"]).status, 200)
        self.sim.advance(101)
        self.assert_api_124(t["access_token"], "Access token is expired.")
        self.assertEqual(self.introspect(t["access_token"])["status"], "expired")
        r = self.refresh(t["refresh_token"])  # refresh tokens have no fixed expiry
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.me(r.json()["access_token"]).status, 200)

    def test_reauthorization_invalidates_earlier_grant(self):
        first = self.connect()
        second = self.connect()
        self.assert_api_124(first["access_token"], "Invalid access token.")
        self.assert_oauth_error(self.refresh(first["refresh_token"]), 400, "invalid_grant")
        self.assertEqual(self.me(second["access_token"]).status, 200)
        self.assertEqual(self.refresh(second["refresh_token"]).status, 200)

    def test_other_apps_grant_survives_reauthorization(self):
        self.add_app(client_id="other", client_secret="o", redirect_uris=[REDIR])
        mine = self.connect()
        r = self.exchange(self.code(client_id="other"), cid="other", sec="o")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.me(mine["access_token"]).status, 200)

    def test_narrowed_scopes(self):
        self.add_app(client_id="narrow", client_secret="n", redirect_uris=[REDIR],
                     scopes=["user:read:list_users:admin", "meeting:read:meeting:admin"])
        r = self.authorize("narrow")
        self.assertEqual(r.body.count(b'class="scope"'), 2)
        t = self.exchange(self.code("narrow"), cid="narrow", sec="n").json()
        self.assertEqual(t["scope"], "user:read:list_users:admin meeting:read:meeting:admin")


class S2STest(OAuthCase, SimCase):
    def s2s(self, account=ACCOUNT, cid=S2S_CID, sec=S2S_SEC):
        return self.token(query={"grant_type": "account_credentials", "account_id": account},
                          cid=cid, sec=sec)

    def test_account_credentials(self):
        r = self.s2s()
        self.assertEqual(r.status, 200, r)
        t = r.json()
        self.assertEqual(set(t), {"access_token", "token_type", "expires_in", "scope", "api_url"})
        self.assertEqual(t["expires_in"], 3600)
        self.assertEqual(t["token_type"], "bearer")
        me = self.me(t["access_token"]).json()
        self.assertTrue(me["s2s"])
        self.assertEqual(me["account_id"], ACCOUNT)
        claims = jwt_parts(t["access_token"])[1]
        self.assertEqual((claims["aid"], claims["type"]), (ACCOUNT, 0))
        self.assertEqual(claims["iss"], "zm:cid:" + S2S_CID)
        # several tokens live at once
        t2 = self.s2s().json()
        self.assertEqual(self.me(t["access_token"]).status, 200)
        self.assertEqual(self.me(t2["access_token"]).status, 200)
        self.sim.advance(3601)
        self.assert_api_124(t["access_token"], "Access token is expired.")

    def test_account_credentials_in_form_body(self):
        r = self.token(form={"grant_type": "account_credentials", "account_id": ACCOUNT},
                       cid=S2S_CID, sec=S2S_SEC)
        self.assertEqual(r.status, 200, r)

    def test_wrong_or_missing_account_id(self):
        self.assert_oauth_error(self.s2s(account="someoneElse"), 400, "invalid_request",
                                "account_id")
        r = self.token(query={"grant_type": "account_credentials"}, cid=S2S_CID, sec=S2S_SEC)
        self.assert_oauth_error(r, 400, "invalid_request", "account_id")

    def test_oauth_app_cannot_use_account_credentials(self):
        self.assert_oauth_error(self.s2s(cid=CID, sec=SEC), 400, "unsupported_grant_type")

    def test_s2s_app_cannot_use_user_grants(self):
        r = self.token(form={"grant_type": "authorization_code", "code": "x",
                             "redirect_uri": REDIR}, cid=S2S_CID, sec=S2S_SEC)
        self.assert_oauth_error(r, 400, "unsupported_grant_type")
        r = self.token(form={"grant_type": "refresh_token", "refresh_token": "x"},
                       cid=S2S_CID, sec=S2S_SEC)
        self.assert_oauth_error(r, 400, "unsupported_grant_type")

    def test_bad_s2s_secret(self):
        self.assert_oauth_error(self.s2s(sec="nope"), 401, "invalid_client")

    def test_revoke_s2s_token_leaves_others(self):
        a = self.s2s().json()["access_token"]
        b = self.s2s().json()["access_token"]
        r = self.sim.request("POST", "/oauth/revoke", query={"token": a},
                             headers=basic(S2S_CID, S2S_SEC))
        self.assertEqual(r.json(), {"status": "success"})
        self.assert_api_124(a, "Invalid access token.")
        self.assertEqual(self.me(b).status, 200)


class TokenToleranceTest(OAuthCase, SimCase):
    """Zoom keeps only so many access tokens of a grant valid: a new one
    invalidates the oldest at once (docs/zoomsim-oauth.md, Token tolerance)."""

    def s2s(self, cid=S2S_CID, sec=S2S_SEC, **extra):
        return self.token(query={"grant_type": "account_credentials", "account_id": ACCOUNT,
                                 **extra}, cid=cid, sec=sec)

    def assert_superseded(self, access):
        self.assert_api_124(access, "Invalid access token.")
        r = self.sim.request("GET", "/v2/users/me", token=access)  # any API route
        self.assertEqual((r.status, r.json()["code"]), (401, 124), r)
        info = self.introspect(access)
        self.assertEqual((info["status"], info["active"]), ("superseded", False), info)

    def test_refresh_supersedes_the_previous_access_token(self):
        t = self.connect()
        self.assertEqual(self.me(t["access_token"]).status, 200)
        t2 = self.refresh(t["refresh_token"]).json()
        self.assert_superseded(t["access_token"])
        self.assertEqual(self.me(t2["access_token"]).status, 200)
        self.assertEqual(self.introspect(t2["access_token"])["status"], "active")
        t3 = self.refresh(t2["refresh_token"]).json()  # rotation goes on as before
        self.assert_superseded(t2["access_token"])
        self.assertEqual(self.me(t3["access_token"]).status, 200)
        # other users' and other apps' grants are other lineages
        self.add_app(client_id="other", client_secret="o", redirect_uris=[REDIR])
        o = self.exchange(self.code(client_id="other"), cid="other", sec="o").json()
        self.refresh(self.refresh(o["refresh_token"], cid="other", sec="o").json()
                     ["refresh_token"], cid="other", sec="o")
        self.assertEqual(self.me(t3["access_token"]).status, 200)

    def test_raised_tolerance_keeps_the_newest(self):
        app = self.add_app(client_id="tol3", client_secret="s", redirect_uris=[REDIR],
                           token_tolerance=3)
        self.assertEqual(app["token_tolerance"], 3)
        t = [self.exchange(self.code(client_id="tol3"), cid="tol3", sec="s").json()]
        for _ in range(3):
            t.append(self.refresh(t[-1]["refresh_token"], cid="tol3", sec="s").json())
        self.assert_superseded(t[0]["access_token"])  # the fourth pushed out the first
        for x in t[1:]:
            self.assertEqual(self.me(x["access_token"]).status, 200)

    def test_tolerance_zero_is_no_limit(self):
        self.add_app(client_id="lax", client_secret="s", redirect_uris=[REDIR], token_tolerance=0)
        t = [self.exchange(self.code(client_id="lax"), cid="lax", sec="s").json()]
        for _ in range(3):
            t.append(self.refresh(t[-1]["refresh_token"], cid="lax", sec="s").json())
        for x in t:
            self.assertEqual(self.me(x["access_token"]).status, 200)

    def test_s2s_default_is_current_zoom_every_token_lives(self):
        apps = {a["client_id"]: a for a in self.sim.request("GET", "/_sim/apps").json()["apps"]}
        self.assertEqual((apps[CID]["token_tolerance"], apps[S2S_CID]["token_tolerance"]), (1, 0))
        toks = [self.s2s(token_index="7").json()["access_token"] for _ in range(4)]  # ignored
        for x in toks:
            self.assertEqual(self.me(x).status, 200)

    def test_s2s_tolerance_one_supersedes_on_each_request(self):
        """Zoom's Server-to-Server behaviour until 2023: a new token
        invalidated the previous one of the app."""
        self.add_app(client_id="s2s1", client_secret="x", type="s2s", token_tolerance=1)
        a = self.s2s("s2s1", "x").json()["access_token"]
        b = self.s2s("s2s1", "x").json()["access_token"]
        self.assert_superseded(a)
        self.assertEqual(self.me(b).status, 200)
        other = self.s2s().json()["access_token"]  # another app: untouched, and touches not
        self.assertEqual(self.me(b).status, 200)
        self.assertEqual(self.me(other).status, 200)

    def test_s2s_token_index_slots(self):
        self.add_app(client_id="s2s2", client_secret="x", type="s2s", token_tolerance=2)
        a = self.s2s("s2s2", "x", token_index="0").json()["access_token"]
        b = self.s2s("s2s2", "x", token_index="1").json()["access_token"]
        self.assertEqual((self.me(a).status, self.me(b).status), (200, 200))
        c = self.s2s("s2s2", "x", token_index="0").json()["access_token"]  # slot 0 again
        self.assert_superseded(a)
        self.assertEqual((self.me(b).status, self.me(c).status), (200, 200))
        d = self.s2s("s2s2", "x", index="1").json()["access_token"]  # the older name
        self.assert_superseded(b)
        self.assertEqual((self.me(c).status, self.me(d).status), (200, 200))
        for bad in ("2", "-1", "x", "", "0001"):
            r = self.s2s("s2s2", "x", token_index=bad)
            self.assert_oauth_error(r, 400, "invalid_request", "token_index")
            self.assertIn("use 0 to 1", r.json()["reason"])
        self.assertEqual((self.me(c).status, self.me(d).status), (200, 200))  # nothing issued

    def test_superseded_token_downloads_nothing(self):
        t = self.connect()
        m = self.sim.request("POST", "/v2/users/me/meetings", body={"topic": "rec"},
                             token=t["access_token"])
        self.assertEqual(m.status, 201, m)
        rec = self.sim.request("POST", "/_sim/recordings", body={
            "meeting_id": m.json()["id"], "files": [{"file_type": "MP4", "size": 1000}]}).json()
        url = urllib.parse.urlsplit(rec["recording_files"][0]["download_url"]).path
        self.assertEqual(self.sim.request("GET", url, token=t["access_token"]).status, 200)
        t2 = self.refresh(t["refresh_token"]).json()
        r = self.sim.request("GET", url, token=t["access_token"])
        self.assertEqual((r.status, r.json()), (401, {"code": 124,
                                                      "message": "Invalid access token."}))
        self.assertEqual(self.sim.request("GET", url, token=t2["access_token"]).status, 200)

    def test_bad_token_tolerance_refused(self):
        for v in (-1, 101, "2", 1.5, None):
            r = self.sim.request("POST", "/_sim/apps", body={
                "client_id": "t", "client_secret": "x", "redirect_uris": [REDIR],
                "token_tolerance": v})
            self.assertEqual(r.status, 400, (v, r))
            self.assertIn("token_tolerance", r.json()["message"])
            self.assertIn("0 (no limit) to 100", r.json()["message"])


class RevokeTest(OAuthCase, SimCase):
    def revoke(self, tok, cid=CID, sec=SEC, form=True):
        kw = {"form": {"token": tok}} if form else {"query": {"token": tok}}
        return self.sim.request("POST", "/oauth/revoke", headers=basic(cid, sec), **kw)

    def test_revoke_access_token_kills_grant(self):
        t = self.connect()
        r = self.revoke(t["access_token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"status": "success"})
        self.assert_api_124(t["access_token"], "Invalid access token.")
        self.assert_oauth_error(self.refresh(t["refresh_token"]), 400, "invalid_grant")
        self.assertFalse(self.introspect(t["refresh_token"])["active"])

    def test_revoke_refresh_token_in_query(self):
        t = self.connect()
        self.assertEqual(self.revoke(t["refresh_token"], form=False).status, 200)
        self.assert_api_124(t["access_token"], "Invalid access token.")

    def test_revoke_after_refresh_kills_every_access_token(self):
        # two live access tokens of one grant need a raised tolerance (Zoom
        # raises it per app on request; its default is 1: TokenToleranceTest)
        self.add_app(client_id="tol2", client_secret="t2", redirect_uris=[REDIR],
                     token_tolerance=2)
        t = self.exchange(self.code(client_id="tol2"), cid="tol2", sec="t2").json()
        t2 = self.refresh(t["refresh_token"], cid="tol2", sec="t2").json()
        self.assertEqual(self.me(t["access_token"]).status, 200)  # still valid after refresh
        self.assertEqual(self.revoke(t2["access_token"], cid="tol2", sec="t2").status, 200)
        self.assert_api_124(t["access_token"], "Invalid access token.")
        self.assert_api_124(t2["access_token"], "Invalid access token.")

    def test_revoke_unknown_or_foreign_token(self):
        self.assert_oauth_error(self.revoke("no-such-token"), 400, "invalid_request",
                                "Invalid Token!")
        self.assert_oauth_error(self.revoke(""), 400, "invalid_request")
        self.add_app(client_id="other", client_secret="o", redirect_uris=[REDIR])
        t = self.connect()
        self.assert_oauth_error(self.revoke(t["access_token"], cid="other", sec="o"), 400,
                                "invalid_request")
        self.assertEqual(self.me(t["access_token"]).status, 200)

    def test_revoke_needs_client_auth(self):
        t = self.connect()
        self.assert_oauth_error(self.revoke(t["access_token"], sec="bad"), 401, "invalid_client")
        r = self.sim.request("POST", "/oauth/revoke", form={"token": t["access_token"]})
        self.assert_oauth_error(r, 401, "invalid_client")
        self.assertEqual(self.me(t["access_token"]).status, 200)


class AppsTest(OAuthCase, SimCase):
    def test_list_has_defaults_without_secrets(self):
        r = self.sim.request("GET", "/_sim/apps")
        self.assertEqual(r.status, 200)
        apps = {a["client_id"]: a for a in r.json()["apps"]}
        self.assertEqual(set(apps), {CID, S2S_CID})
        self.assertEqual(apps[CID]["type"], "oauth")
        self.assertEqual(apps[CID]["redirect_uris"], ["http://127.0.0.1:*/callback",
                                                       "http://localhost:*/callback"])
        self.assertEqual(apps[S2S_CID]["type"], "s2s")
        for scope in ("meeting:read:list_meetings:admin", "meeting:read:meeting:admin",
                      "meeting:write:meeting:admin", "meeting:read:list_registrants:admin",
                      "meeting:write:registrant:admin", "user:read:list_users:admin",
                      "user:read:settings:admin", "user:write:user:admin",
                      "cloud_recording:read:list_recording_files:admin",
                      "contact:read:list_contacts:admin", "user:read:user:admin"):
            self.assertIn(scope, apps[CID]["scopes"])
            self.assertIn(scope, apps[S2S_CID]["scopes"])
        self.assertNotIn(b"zoomsim-secret", r.body)
        self.assertNotIn(b"client_secret", r.body)

    def test_register_generates_credentials(self):
        app = self.add_app(redirect_uris=["http://127.0.0.1:*/cb"])
        self.assertTrue(app["client_id"] and app["client_secret"])
        self.assertEqual(app["source"], "runtime")
        code = self.code(app["client_id"], "http://127.0.0.1:7/cb")
        r = self.exchange(code, "http://127.0.0.1:7/cb", cid=app["client_id"],
                          sec=app["client_secret"])
        self.assertEqual(r.status, 200, r)
        listed = self.sim.request("GET", "/_sim/apps").json()["apps"]
        self.assertNotIn(app["client_secret"], json.dumps(listed))

    def test_register_s2s(self):
        self.add_app(client_id="svc", client_secret="x", type="s2s", scopes="user:read:user:admin")
        r = self.token(query={"grant_type": "account_credentials", "account_id": ACCOUNT},
                       cid="svc", sec="x")
        self.assertEqual(r.json()["scope"], "user:read:user:admin")

    def test_register_errors(self):
        cases = [
            ({"client_id": CID, "client_secret": "x", "redirect_uris": [REDIR]}, 409),
            ({"client_id": "a", "client_secret": "x",
              "redirect_uris": ["http://example.com:*/cb"]}, 400),
            ({"client_id": "a", "client_secret": "x"}, 400),
            ({"client_id": "a", "client_secret": "x", "type": "s2s", "redirect_uris": [REDIR]},
             400),
            ({"client_id": "a", "client_secret": "x", "redirect_uris": [REDIR], "scopes": []},
             400),
            ({"client_id": "a", "client_secret": "x", "redirect_uri": REDIR}, 400),
            ({"client_id": "bad id", "client_secret": "x", "redirect_uris": [REDIR]}, 400),
        ]
        for body, status in cases:
            r = self.sim.request("POST", "/_sim/apps", body=body)
            self.assertEqual(r.status, status, (body, r))
            self.assertTrue(r.json()["message"], r)
        r = self.sim.request("POST", "/_sim/apps", body={"client_id": "a", "client_secret": "x",
                                                          "redirect_uris": ["http://example.com:*/cb"]})
        self.assertIn("loopback", r.json()["message"])

    def test_reset_drops_runtime_apps(self):
        self.add_app(client_id="temp", client_secret="t", redirect_uris=[REDIR])
        self.sim.reset()
        ids = [a["client_id"] for a in self.sim.request("GET", "/_sim/apps").json()["apps"]]
        self.assertEqual(sorted(ids), [CID, S2S_CID])

    def test_apps_need_control_plane(self):
        with Sim(control=False) as s:
            self.assertEqual(s.request("GET", "/_sim/apps").status, 404)
            self.assertEqual(s.request("GET", "/_sim/tokens/introspect?token=x").status, 404)


class StartupTest(OAuthCase):
    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="zoomsim-oauth-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def test_bad_app_spec_exits_2_naming_spec_and_fix(self):
        p = run([binary("zoomsim"), "--port", "0", "--app", "myapp:topsecret:ftp://x/cb"])
        self.assertEqual(p.returncode, 2, p.stderr)
        err = p.stderr.decode()
        self.assertIn("--app 'myapp:<secret>:ftp://x/cb'", err)
        self.assertIn("http://", err)
        self.assertIn("CLIENT_ID:SECRET:REDIRECT", err)
        self.assertNotIn("topsecret", err)
        p = run([binary("zoomsim"), "--port", "0", "--app", "a:b:http://example.com:*/cb"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"loopback", p.stderr)
        p = run([binary("zoomsim"), "--port", "0", "--s2s-app", "justanid"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--s2s-app", p.stderr)

    def test_bad_config_app_exits_2(self):
        path = os.path.join(self.tmpdir(), "bad.json")
        with open(path, "w") as f:
            json.dump({"apps": [{"client_id": "c", "client_secret": "s", "redirect_uris": [],
                                 "type": "oauth"}]}, f)
        p = run([binary("zoomsim"), "--port", "0", "--config", path])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"apps[0]", p.stderr)
        self.assertIn(b"redirect URI", p.stderr)

    def test_apps_from_cli_and_config(self):
        path = os.path.join(self.tmpdir(), "cfg.json")
        with open(path, "w") as f:
            json.dump({"apps": [{"client_id": "cfg", "client_secret": "cs", "name": "From config",
                                 "redirect_uris": ["http://localhost:*/done"],
                                 "scopes": ["user:read:user:admin"]},
                                {"client_id": "cfgs2s", "client_secret": "ss", "type": "s2s"}]}, f)
        with Sim("--config", path, "--app", "cli:cs2:http://127.0.0.1:*/cb:user:write:user:admin",
                 "--s2s-app", "svc:ss2:user:read:list_users:admin",
                 "--account-id", "acctX") as sim, Clean(sim):
            self.sim = sim
            ids = {a["client_id"]: a for a in sim.request("GET", "/_sim/apps").json()["apps"]}
            self.assertEqual(set(ids), {"cfg", "cfgs2s", "cli", "svc"})
            self.assertEqual(ids["cfg"]["name"], "From config")
            self.assertEqual(ids["cli"]["scopes"], ["user:write:user:admin"])
            t = self.exchange(self.code("cli", "http://127.0.0.1:9/cb"), "http://127.0.0.1:9/cb",
                              cid="cli", sec="cs2").json()
            self.assertEqual(t["scope"], "user:write:user:admin")
            r = self.token(query={"grant_type": "account_credentials", "account_id": "acctX"},
                           cid="svc", sec="ss2")
            self.assertEqual(r.json()["scope"], "user:read:list_users:admin")
            r = self.token(query={"grant_type": "account_credentials", "account_id": "acctX"},
                           cid="cfgs2s", sec="ss")
            self.assertEqual(r.status, 200, r)
            # defaults exist only when nothing is configured
            self.assertEqual(self.authorize().status, 400)

    def test_token_tolerance_flag(self):
        with Sim("--token-tolerance", "0") as sim, Clean(sim):  # lenient, not Zoom
            self.sim = sim
            t = self.connect()
            t2 = self.refresh(t["refresh_token"]).json()
            self.assertEqual(self.me(t["access_token"]).status, 200)
            self.assertEqual(self.me(t2["access_token"]).status, 200)
        path = os.path.join(self.tmpdir(), "cfg.json")
        with open(path, "w") as f:
            json.dump({"apps": [{"client_id": "own", "client_secret": "s", "type": "s2s",
                                 "token_tolerance": 0}]}, f)
        with Sim("--token-tolerance", "1", "--config", path,
                 "--s2s-app", "flagged:s") as sim, Clean(sim):
            self.sim = sim
            apps = {a["client_id"]: a["token_tolerance"]
                    for a in sim.request("GET", "/_sim/apps").json()["apps"]}
            self.assertEqual(apps, {"own": 0, "flagged": 1})  # an app's own value wins
            q = {"grant_type": "account_credentials", "account_id": ACCOUNT}
            a = self.token(query=q, cid="flagged", sec="s").json()["access_token"]
            self.token(query=q, cid="flagged", sec="s")
            self.assert_api_124(a, "Invalid access token.")
        for bad in ("-1", "101", "some"):
            p = run([binary("zoomsim"), "--port", "0", "--token-tolerance", bad])
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn(b"--token-tolerance", p.stderr)
            self.assertIn(b"0 (no limit) to 100", p.stderr)

    def test_state_file_keeps_superseded_tokens_dead(self):
        path = os.path.join(self.tmpdir(), "state.json")
        with Sim("--state", path) as sim, Clean(sim):
            self.sim = sim
            self.add_app(client_id="s2", client_secret="x", type="s2s", token_tolerance=2)
            t = self.connect()
            t2 = self.refresh(t["refresh_token"]).json()
            q = {"grant_type": "account_credentials", "account_id": ACCOUNT}
            s2s = [self.token(query=q, cid="s2", sec="x").json()["access_token"]
                   for _ in range(2)]
        with Sim("--state", path) as sim, Clean(sim):
            self.sim = sim
            self.assert_api_124(t["access_token"], "Invalid access token.")
            self.assertEqual(self.introspect(t["access_token"])["status"], "superseded")
            self.assertEqual(self.me(t2["access_token"]).status, 200)
            # the issue order came back too: the oldest of the app's two goes next
            self.token(query=q, cid="s2", sec="x")
            self.assert_api_124(s2s[0], "Invalid access token.")
            self.assertEqual(self.me(s2s[1]).status, 200)

    def test_refresh_ttl(self):
        with Sim("--refresh-ttl", "600") as sim, Clean(sim):
            self.sim = sim
            t = self.connect()
            sim.advance(500)
            t2 = self.refresh(t["refresh_token"]).json()  # the new one gets a fresh 600 s
            sim.advance(500)
            t3 = self.refresh(t2["refresh_token"])
            self.assertEqual(t3.status, 200, t3)
            sim.advance(601)
            self.assert_oauth_error(self.refresh(t3.json()["refresh_token"]), 400,
                                    "invalid_grant", "Invalid Token!")
        p = run([binary("zoomsim"), "--refresh-ttl", "soon"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--refresh-ttl", p.stderr)

    def test_state_file_keeps_sandbox_connected(self):
        path = os.path.join(self.tmpdir(), "state.json")
        with Sim("--state", path) as sim, Clean(sim):
            self.sim = sim
            self.add_app(client_id="rt", client_secret="rs", redirect_uris=[REDIR])
            t = self.connect()
            pending = self.code()  # a code not yet exchanged
            used = self.code(client_id="rt")
            self.assertEqual(self.exchange(used, cid="rt", sec="rs").status, 200)
        with open(path) as f:
            raw = f.read()
        self.assertNotIn(t["refresh_token"], raw)
        self.assertNotIn(pending, raw)
        with Sim("--state", path) as sim, Clean(sim):
            self.sim = sim
            self.assertEqual(self.me(t["access_token"]).status, 200)
            # grant ids keep counting after a restart: revoking a new S2S
            # token must not touch the user grant made before
            s2 = self.token(form={"grant_type": "account_credentials", "account_id": ACCOUNT},
                            cid=S2S_CID, sec=S2S_SEC).json()
            rv = self.sim.request("POST", "/oauth/revoke", form={"token": s2["access_token"]},
                                  headers=basic(S2S_CID, S2S_SEC))
            self.assertEqual(rv.status, 200, rv)
            self.assert_api_124(s2["access_token"], "Invalid access token.")
            self.assertEqual(self.me(t["access_token"]).status, 200)
            r = self.refresh(t["refresh_token"])
            self.assertEqual(r.status, 200, r)
            p = self.exchange(pending)
            self.assertEqual(p.status, 200, p)
            # the pending code was a newer authorization of the same app
            self.assert_api_124(r.json()["access_token"], "Invalid access token.")
            self.assertEqual(self.me(p.json()["access_token"]).status, 200)
            self.assert_oauth_error(self.exchange(used, cid="rt", sec="rs"), 400,
                                    "invalid_request")

if __name__ == "__main__":
    unittest.main()
