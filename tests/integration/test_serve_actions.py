"""The service's action, connection and OAuth routes through the real
`zoomflow serve` and zoomsim: each action kind, dry runs that send nothing,
field errors, Idempotency-Key (sequential, 8 at once over two serve
processes on one store, another body, a dropped answer on a reused
keep-alive connection), call_api path tricks, the OAuth web flow through
zoomsim's consent page (approved, denied, an expired code, a reused state;
hostile callbacks: no, unknown, oversized, repeated or expired state, a
forged code, Zoom's error with markup, another org's state; Connect from a
cross-site page or when the store refuses the state),
Server-to-Server connect, disconnect revoking at zoomsim, missing scopes,
and the Zoom-call metrics.

On SQLite by default; ZF_TEST_DB=postgresql (integ.test_serve_actions.pg)
runs the same on a fresh PostgreSQL schema, so the two serve processes
share one database there too.
"""
import html
import http.client
import json
import os
import re
import shutil
import tempfile
import threading
import time
import unittest
import urllib.parse

import srvharness
from zfharness import SLOW, Sim

CALLBACK = "/oauth/zoom/callback"
SEED_AUTH_CAUSE = ("The OAuth authorization code has expired or the redirect URI "
                   "doesn't match.")
SEED_AUTH_FIX = "Re-initiate the OAuth flow from Settings > App Store > Zoom."
ADMIN_EMAIL, ADMIN_PW = "admin@acme.example", "correct horse battery"
OTHER_EMAIL = "admin@other.example"


class Client:
    """Keep-alive HTTP/1.1 to one serve process."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None, headers=None, raw=None):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        for attempt in (0, 1):
            if self.conn is None or attempt:
                if self.conn:
                    self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=60 * SLOW)
            try:
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                return Resp(r.status, r.getheaders(), r.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                if attempt:
                    raise

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body) if self.body else None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<Resp {self.status} {self.body[:400]!r}>"


class Env:
    """zoomsim, `zoomflow serve` processes (srvharness.Serve) over one store
    and one master key, the org acme (an admin account, a key per role) and
    the org other (an admin key, no connection)."""

    def __init__(self, sim_args=()):
        self.dir = tempfile.mkdtemp(prefix="zf-svcact-")
        self.sim = Sim("--app", f"zoomsim-client:zoomsim-secret:http://127.0.0.1:*{CALLBACK}",
                       "--s2s-app", "zoomsim-s2s:zoomsim-s2s-secret", *sim_args)
        secret_file = os.path.join(self.dir, "client.secret")
        with open(secret_file, "w") as f:
            f.write("zoomsim-secret\n")
        os.chmod(secret_file, 0o600)
        self.app_env = {"ZOOMFLOW_CLIENT_ID": "zoomsim-client",
                        "ZOOMFLOW_CLIENT_SECRET_FILE": secret_file}
        self.serves = []
        first = self.serve()
        self.db = first.store
        self.app_env["ZOOMFLOW_MASTER_KEY"] = first.env["ZOOMFLOW_MASTER_KEY"]
        self.seed = first.seed
        self.seed("org", "acme")
        self.seed("org", "other")
        self.keys = {r: self.seed("key", "acme", r, r) for r in ("viewer", "operator", "admin")}
        self.other_admin = self.seed("key", "other", "admin", "admin")
        self.seed("account", "acme", ADMIN_EMAIL, "admin", ADMIN_PW)
        self.seed("account", "other", OTHER_EMAIL, "admin", ADMIN_PW)

    def serve(self, threads=4):
        kw = {"store": self.db} if self.serves else {}
        s = srvharness.Serve("--threads", str(threads), sim=self.sim, env=self.app_env, **kw)
        self.serves.append(s)
        return s

    def close(self):
        """Stops everything; the serve processes that did not exit 0 (a
        crash, or valgrind's 99), with their stderr's end."""
        bad = []
        for s in self.serves:
            rc = s.stop()
            if rc != 0:
                bad.append((rc, s.stderr()[-3000:]))
        self.sim.stop()
        self.db.drop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return bad


def auth(role_key, extra=None):
    return {"Authorization": "Bearer " + role_key, **(extra or {})}


class ServeCase(unittest.TestCase):
    sim_args = ()

    @classmethod
    def setUpClass(cls):
        cls.env = Env(cls.sim_args)
        cls.srv = cls.env.serves[0]

    @classmethod
    def tearDownClass(cls):
        bad = cls.env.close()
        if bad:
            raise AssertionError(f"zoomflow serve exited non-zero: {bad}")

    def setUp(self):
        self.sim = self.env.sim
        self.sim.request("DELETE", "/_sim/faults")
        self.c = Client(self.srv.port)
        self.addCleanup(self.c.close)

    def op(self, method, path, body=None, role="operator", headers=None, client=None):
        return (client or self.c).request(method, path, body,
                                          auth(self.env.keys[role], headers))

    def connect_s2s(self):
        r = self.op("POST", "/api/v1/connection", {
            "client_id": "zoomsim-s2s", "client_secret": "zoomsim-s2s-secret",
            "account_id": self.sim.state()["account_id"]}, role="admin")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def meetings(self):
        return self.sim.state()["data"]["counts"]["meetings"]

    def creates(self):
        return self.sim.requests_log("meetings.create")["counts"].get("meetings.create", 0)


class TestActions(ServeCase):
    def setUp(self):
        super().setUp()
        self.connect_s2s()

    def test_list_and_one(self):
        r = self.op("GET", "/api/v1/actions", role="viewer")
        self.assertEqual(r.status, 200, r)
        names = [a["name"] for a in r.json()["actions"]]
        self.assertIn("create_meeting", names)
        self.assertIn("call_api", names)
        r = self.op("GET", "/api/v1/actions/create_meeting", role="viewer")
        a = r.json()
        self.assertEqual((a["kind"], a["words"]), ("create", ["meetings", "create"]))
        self.assertEqual(a["scopes"], ["meeting:write:meeting:admin"])
        self.assertIn("topic", a["input_schema"]["properties"])
        r = self.op("GET", "/api/v1/actions/no_such", role="viewer")
        self.assertEqual(r.status, 404, r)
        # a viewer may look but not run
        r = self.op("POST", "/api/v1/actions/list_users", {}, role="viewer")
        self.assertEqual(r.status, 403, r)

    def test_each_kind(self):
        r = self.op("POST", "/api/v1/actions/list_users", {"page_size": 5})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["outcome"], "read")
        self.assertGreaterEqual(len(r.json()["output"]["users"]), 1)
        r = self.op("POST", "/api/v1/actions/create_meeting",
                    {"user_id": "me", "topic": "Kinds", "duration": 30})
        self.assertEqual(r.status, 200, r)
        out = r.json()
        self.assertEqual((out["action"], out["outcome"]), ("create_meeting", "created"))
        mid = out["output"]["id"]
        r = self.op("POST", "/api/v1/actions/update_meeting",
                    {"meeting_id": mid, "topic": "Kinds renamed"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["outcome"], "written")
        r = self.op("POST", "/api/v1/actions/get_meeting", {"meeting_id": mid})
        self.assertEqual(r.json()["output"]["topic"], "Kinds renamed")
        r = self.op("POST", "/api/v1/actions/delete_meeting", {"meeting_id": mid})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json()["output"]["deleted"])
        r = self.op("POST", "/api/v1/actions/get_meeting", {"meeting_id": mid})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json()["error"]["code"], "ENOTFOUND")
        # call_api: a plain GET under /v2
        r = self.op("POST", "/api/v1/actions/call_api",
                    {"method": "GET", "path": "/users", "query": {"page_size": 1}})
        self.assertEqual(r.status, 200, r)

    def test_one_page_bytes_equal_the_tree_path(self):
        """A one-page list is shaped from zoomsim's bytes; with an
        Idempotency-Key it takes the jansson tree. Both answers must be the
        same bytes, names that need escaping included."""
        names = ["Jos\u00e9 \u65e5\u672c", "\U0001F600 \"q\" \\ / end", "caf\u00e9 <&> 'x' 100%"]
        for i, name in enumerate(names):
            r = self.op("POST", "/api/v1/actions/create_user",
                        {"action": "create",
                         "user_info": {"email": f"esc{i}-{os.getpid()}@example.com", "type": 1,
                                       "first_name": name, "last_name": "\u00fcber"}})
            self.assertEqual(r.status, 200, r)
        # new users are pending until they accept
        for n, body in enumerate(({"page_size": 300, "status": "pending"},
                                  {"page_size": 1, "status": "pending"}, {"page_size": 2},
                                  {"page_size": 5, "status": "inactive"})):
            fast = self.op("POST", "/api/v1/actions/list_users", body)
            tree = self.op("POST", "/api/v1/actions/list_users", body,
                           headers={"Idempotency-Key": f"tree-{os.getpid()}-{n}"})
            self.assertEqual(fast.status, 200, fast)
            self.assertEqual(tree.status, 200, tree)
            # zoomsim's next_page_token is a signed cursor that carries its
            # issue time (src/sim/paging.c): two calls a second apart (a slow
            # ASan build) get different tokens. Every other byte must match.
            tok = re.compile(rb'"next_page_token":"[A-Za-z0-9_-]*"')
            self.assertEqual(len(tok.findall(fast.body)), len(tok.findall(tree.body)))
            self.assertEqual(tok.sub(b'"next_page_token":"T"', fast.body),
                             tok.sub(b'"next_page_token":"T"', tree.body))
        out = self.op("POST", "/api/v1/actions/list_users",
                      {"page_size": 300, "status": "pending"}).json()
        firsts = {u.get("first_name") for u in out["output"]["users"]}
        for name in names:
            self.assertIn(name, firsts)

    def test_dry_run_sends_nothing(self):
        before = self.sim.requests_log()["total"]
        n = self.meetings()
        r = self.op("POST", "/api/v1/actions/create_meeting?dry_run=1",
                    {"user_id": "host@example.com", "topic": "Dry", "duration": 15})
        self.assertEqual(r.status, 200, r)
        req = r.json()["request"]
        self.assertTrue(r.json()["dry_run"])
        self.assertEqual(req["method"], "POST")
        self.assertEqual(req["path"], "/v2/users/host%40example.com/meetings")
        self.assertEqual(req["body"]["topic"], "Dry")
        r = self.op("POST", "/api/v1/actions/list_users?dry_run=1", {"status": "active"})
        self.assertEqual(r.json()["request"]["query"]["status"], "active")
        # a dry run that does not validate says which field, and sends nothing either
        r = self.op("POST", "/api/v1/actions/create_meeting?dry_run=1",
                    {"user_id": "me", "topic": "Dry", "duration": "45m"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["problems"][0]["field"], "duration")
        self.assertEqual(self.sim.requests_log()["total"], before)
        self.assertEqual(self.meetings(), n)

    def test_field_error_names_the_field(self):
        before = self.sim.requests_log()["total"]
        r = self.op("POST", "/api/v1/actions/create_meeting",
                    {"user_id": "me", "topic": "x" * 201, "type": 99})
        self.assertEqual(r.status, 422, r)
        e = r.json()["error"]
        self.assertEqual(e["code"], "EVALIDATION")
        fields = {p["field"] for p in e["problems"]}
        self.assertTrue({"topic", "type"} <= fields, e)
        self.assertEqual(self.sim.requests_log()["total"], before)
        r = self.op("POST", "/api/v1/actions/create_meeting", [1, 2])
        self.assertEqual(r.status, 422, r)

    def test_call_api_path_tricks(self):
        before = self.sim.requests_log()["total"]
        for path in ["https://evil.example/v2/users", "//evil.example/users",
                     "/users/../../oauth/token", "/users/%2e%2e/%2e%2e/oauth/token",
                     "/users/%252e%252e/x", "/v2/users", "users", "/users?x=1",
                     "/users#x", "/a\\b", "/users/\u00e9", "/users/%0d%0aHost:x",
                     "@evil.example/users"]:
            r = self.op("POST", "/api/v1/actions/call_api", {"method": "GET", "path": path})
            self.assertEqual(r.status, 422, (path, r))
            self.assertEqual(r.json()["error"]["problems"][0]["field"], "path", path)
        self.assertEqual(self.sim.requests_log()["total"], before)

    def test_not_connected(self):
        c = Client(self.srv.port)
        self.addCleanup(c.close)
        r = c.request("POST", "/api/v1/actions/list_users", {},
                      auth(self.env.other_admin))
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json()["error"]["code"], "ENOTCONNECTED")
        self.assertEqual(r.json()["error"]["hint_id"], "CONNECT")

    def test_openapi_has_every_input(self):
        doc = self.c.request("GET", "/api/v1/openapi.json").json()
        schemas = doc["components"]["schemas"]
        for a in self.op("GET", "/api/v1/actions", role="viewer").json()["actions"]:
            s = schemas["Input_" + a["name"]]
            self.assertEqual(s.get("properties", {}).keys(),
                             a["input_schema"].get("properties", {}).keys())
        refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc))
        self.assertTrue(set(refs) <= set(schemas), set(refs) - set(schemas))
        post = doc["paths"]["/api/v1/actions/{name}"]["post"]
        self.assertIn("ActionInput", json.dumps(post["requestBody"]))

    def test_metrics_count_zoom_calls(self):
        self.op("POST", "/api/v1/actions/list_users", {"page_size": 1})
        m = self.c.request("GET", "/metrics").body.decode()
        self.assertRegex(m, r'zoomflow_zoom_requests_total\{endpoint="list_users",'
                            r'status="2xx"\} [1-9]')
        self.assertIn("zoomflow_zoom_token_refreshes_total", m)


class TestIdempotency(ServeCase):
    def setUp(self):
        super().setUp()
        self.connect_s2s()

    def create(self, key, topic, client=None):
        return self.op("POST", "/api/v1/actions/create_meeting",
                       {"user_id": "me", "topic": topic}, headers={"Idempotency-Key": key},
                       client=client)

    def test_sequential_replay_and_other_body(self):
        n = self.meetings()
        first = self.create("seq-1", "Once")
        self.assertEqual(first.status, 200, first)
        self.assertIsNone(first.header("Idempotent-Replayed"))
        again = self.create("seq-1", "Once")
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), first.json())
        # members in another order are the same request
        r = self.op("POST", "/api/v1/actions/create_meeting", {"topic": "Once", "user_id": "me"},
                    headers={"Idempotency-Key": "seq-1"})
        self.assertEqual(r.header("Idempotent-Replayed"), "true")
        other = self.create("seq-1", "Another")
        self.assertEqual(other.status, 422, other)
        self.assertIn('"seq-1"', other.json()["error"]["message"])
        self.assertEqual(other.json()["error"]["hint_id"], "NEW_IDEMPOTENCY_KEY")
        self.assertIn("send a new Idempotency-Key", other.json()["error"]["hint"])
        self.assertEqual(self.meetings(), n + 1)
        # a validation failure stores nothing: the key still runs once fixed
        bad = self.op("POST", "/api/v1/actions/create_meeting",
                      {"user_id": "me", "topic": "Fix", "duration": "x"},
                      headers={"Idempotency-Key": "seq-2"})
        self.assertEqual(bad.status, 422)
        ok = self.create("seq-2", "Fix")
        self.assertEqual(ok.status, 200, ok)
        self.assertIsNone(ok.header("Idempotent-Replayed"))
        bad_key = self.create("with space", "x")
        self.assertEqual(bad_key.status, 422, bad_key)

    def test_eight_at_once_two_processes(self):
        second = self.env.serve()
        n, c0 = self.meetings(), self.creates()
        # slow the create down so the others arrive while it runs
        self.sim.request("POST", "/_sim/faults", body={"rules": [
            {"kind": "latency", "route": "meetings.create", "delay_ms": 600 * SLOW,
             "count": 1}]})
        results = [None] * 8
        go = threading.Barrier(8)

        def one(i):
            c = Client((self.srv if i % 2 else second).port)
            try:
                go.wait()
                results[i] = self.create("race-1", "Raced", client=c)
            finally:
                c.close()

        ts = [threading.Thread(target=one, args=(i,)) for i in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        statuses = sorted(r.status for r in results)
        ran = [r for r in results if r.status == 200 and not r.header("Idempotent-Replayed")]
        self.assertEqual(len(ran), 1, results)
        for r in results:
            self.assertIn(r.status, (200, 409), r)
            if r.status == 409:
                self.assertIn("in progress", r.json()["error"]["message"])
                self.assertTrue(r.header("Retry-After"), r)
        self.assertIn(409, statuses)
        self.assertEqual(self.meetings(), n + 1)
        self.assertEqual(self.creates(), c0 + 1)
        # once done, every repeat on either process gets the one answer
        for s in (self.srv, second):
            c = Client(s.port)
            r = self.create("race-1", "Raced", client=c)
            c.close()
            self.assertEqual(r.header("Idempotent-Replayed"), "true")
            self.assertEqual(r.json()["output"]["id"], ran[0].json()["output"]["id"])

    def test_dropped_answer_then_repeat(self):
        # one worker thread: its Zoom client holds a keep-alive connection to
        # zoomsim (the read first), then the create; zoomsim processes the
        # create and drops its answer. A create on the reused connection
        # would be resent by libcurl when dropped: the client never sends
        # one there (the first rule never matches), the second fires.
        one = self.env.serve(threads=1)
        self.c = Client(one.port)
        self.addCleanup(self.c.close)
        self.assertEqual(self.op("POST", "/api/v1/actions/list_users", {}).status, 200)
        n, c0 = self.meetings(), self.creates()
        self.sim.request("POST", "/_sim/faults", body={"rules": [
            {"kind": "drop", "route": "meetings.create", "connection": "reused", "count": 1},
            {"kind": "drop", "route": "meetings.create", "count": 1}]})
        first = self.create("drop-1", "Dropped")
        self.assertEqual(first.status, 200, first)
        self.assertEqual(first.json()["outcome"], "found", first)
        again = self.create("drop-1", "Dropped")
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(self.meetings(), n + 1)
        rules = self.sim.request("GET", "/_sim/faults").json()["rules"]
        self.assertEqual((rules[0]["matched"], rules[1]["fired"]), (0, 1), rules)
        self.assertEqual(self.creates(), c0 + 1)
        # a new key after the answer came: a second meeting, as asked
        self.assertIsNone(self.create("drop-2", "Dropped").header("Idempotent-Replayed"))
        self.assertEqual(self.meetings(), n + 2)


def follow_to_callback(serve_port, sim, cookie, decide=None, hold=None):
    """GET /oauth/zoom/connect with the admin's cookie, then Zoom's
    authorize page (no cookie: another site), optionally its consent form;
    returns the callback path Zoom redirects the browser to."""
    c = Client(serve_port)
    r = c.request("GET", "/oauth/zoom/connect", headers={"Cookie": cookie})
    c.close()
    assert r.status == 303, r
    loc = urllib.parse.urlsplit(r.header("Location"))
    authz = loc.path + "?" + loc.query
    r = sim.request("GET", authz)
    if r.status == 200 and decide:
        consent = re.search(rb'name="consent"\s+value="([^"]+)"', r.body)
        assert consent, r.body[:500]
        r = sim.request("POST", "/oauth/authorize/decision",
                        form={"consent": consent.group(1).decode(), "decision": decide})
    assert r.status == 302, r
    back = urllib.parse.urlsplit(r.header("Location"))
    assert back.path == CALLBACK, back
    return back.path + "?" + back.query


class OAuthCase(ServeCase):
    def sign_in(self, email=ADMIN_EMAIL, org="acme"):
        r = self.c.request("POST", "/api/v1/session",
                           {"email": email, "password": ADMIN_PW, "org": org})
        self.assertEqual(r.status, 200, r)
        cookie = r.header("Set-Cookie").split(";")[0]
        return cookie, r.json()["csrf_token"]

    def callback(self, path):
        c = Client(self.srv.port)  # no cookie: SameSite=Strict is not sent cross-site
        r = c.request("GET", path)
        c.close()
        return r

    def disconnect(self):
        self.op("DELETE", "/api/v1/connection", role="admin")


def landed(r):
    """The landing page's result: the fragment's fields (one value each)."""
    m = re.search(rb'http-equiv="refresh" content="0; url=([^"]+)"', r.body)
    assert m, r
    url = html.unescape(m.group(1).decode())
    return {k: v[0] for k, v in urllib.parse.parse_qs(url.split("?", 1)[1]).items()}


class TestOAuthApproved(OAuthCase):
    sim_args = ("--auto-approve",)

    def states(self):
        return srvharness.store_sql(self.srv.store, "SELECT conn_id FROM oauth_states")

    def state_of(self, cookie):
        """GET /oauth/zoom/connect: the state it stored (sent to Zoom)."""
        r = self.c.request("GET", "/oauth/zoom/connect", headers={"Cookie": cookie})
        self.assertEqual(r.status, 303, r)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(r.header("Location")).query)
        return q["state"][0]

    def callback_client_request(self, path, headers):
        c = Client(self.srv.port)
        try:
            return c.request("GET", path, headers=headers)
        finally:
            c.close()

    def refused(self, path, code, message, hint_id, title=True):
        """The callback lands on an error naming what is wrong and the fix;
        acme is not connected."""
        r = self.callback(path)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        f = landed(r)
        if isinstance(message, re.Pattern):
            self.assertRegex(f["message"], message)
            message = f["message"]
        self.assertEqual((f["connect"], f["code"], f["message"], f["hint_id"]),
                         ("error", code, message, hint_id))
        if title:
            self.assertEqual(f["title"], "Authentication failure")
            self.assertEqual(f["cause"], SEED_AUTH_CAUSE)
            self.assertEqual(f["resolution"], SEED_AUTH_FIX)
        shown = re.search(rb'<span id="resolution">([^<]*)</span>', r.body)
        self.assertEqual(html.unescape(shown.group(1).decode()), f["resolution"])
        self.assertEqual(self.op("GET", "/api/v1/connection", role="viewer").json()["state"],
                         "ABSENT")
        return f

    def test_hostile_callbacks_change_nothing(self):
        # what an attacker can send without a state the service issued:
        # each refused with the reason and the fix, no state consumed
        self.disconnect()
        cookie, _ = self.sign_in()
        pending = self.state_of(cookie)
        before = self.states()
        no_state = "the OAuth callback has no state parameter"
        unknown = "the OAuth state is unknown or was already used"
        by_hand = "Open the callback only through Zoom's redirect; connect again."
        for query, code, message, hint_id, seed in (
                ("", "ESTATE", no_state, "CONNECT", True),
                ("?code=abc", "ESTATE", no_state, "CONNECT", True),
                ("?code=abc&state=", "ESTATE", no_state, "CONNECT", True),
                ("?state=never-issued&code=abc", "ESTATE", unknown, "CONNECT", True),
                ("?error=access_denied&state=never-issued", "ESTATE", unknown, "CONNECT", True),
                ("?state=" + pending.upper() + "&code=abc", "ESTATE", unknown, "CONNECT", True),
                ("?code=c&state=" + "x" * 8200, "ETOOBIG",
                 "OAuth callback query is 8213 bytes (limit 8192)", "CONNECT", False),
                (f"?state={pending}&code=a&state=never-issued", "EPARSE",
                 'OAuth callback repeats the "state" parameter', "CONNECT", False),
                (f"?state={pending}&code=a&code=b", "EPARSE",
                 'OAuth callback repeats the "code" parameter', "CONNECT", False),
                (f"?state={pending}&code=%01", "EPARSE",
                 'OAuth callback parameter "code" is not valid percent-encoding', "CONNECT",
                 False)):
            with self.subTest(query=query[:60]):
                f = self.refused(CALLBACK + query, code, message, hint_id, title=seed)
                if not seed:
                    self.assertEqual(f["resolution"], by_hand)
                    self.assertNotIn("title", f)
        self.assertEqual(self.states(), before)  # the pending state still there
        # a cross-site page cannot start a flow for the admin: the
        # SameSite=Strict cookie is not sent, and a forged one is no session
        for headers, message in (({}, "sign in or send an API key"),
                                 ({"Cookie": "zf_session=forged-session-id"},
                                  "the session has ended: sign in again")):
            r = self.callback_client_request("/oauth/zoom/connect", headers)
            self.assertEqual(r.status, 401, r)
            e = r.json()["error"]
            self.assertEqual((e["code"], e["message"], e["hint_id"], e["hint"]),
                             ("EAUTH", message, "SIGN_IN_AGAIN",
                              "sign in again (POST /api/v1/session), or send a valid API key"))
            self.assertIsNone(r.header("Location"))
        self.assertEqual(self.states(), before)
        # what the service's own query parser refuses is a 400 before the route
        r = self.callback(CALLBACK + "?state=%zz&code=1")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json()["error"]["code"], "EVALIDATION")
        self.assertIn("query refused", r.json()["error"]["message"])
        self.assertEqual(self.states(), before)

    def test_issued_state_misused(self):
        self.disconnect()
        cookie, _ = self.sign_in()
        n0 = len(self.states())
        # a code Zoom never issued with a real state: Zoom's token endpoint
        # refuses it; the state is spent (one try), nothing stored
        state = self.state_of(cookie)
        tokens = self.sim.requests_log("oauth.token")["counts"].get("oauth.token", 0)
        self.refused(f"{CALLBACK}?code=forged-code&state={state}", "EAUTH",
                     re.compile(r"^the authorization server at 127\.0\.0\.1:\d+ refused the "
                                r"code exchange: the authorization code is expired, used or "
                                r"invalid: Invalid authorization code forged-code$"),
                     "CHECK_REDIRECT_URI")
        self.assertEqual(self.sim.requests_log("oauth.token")["counts"]["oauth.token"],
                         tokens + 1)
        self.assertEqual(len(self.states()), n0)
        self.refused(f"{CALLBACK}?code=forged-code&state={state}", "ESTATE",
                     "the OAuth state is unknown or was already used", "CONNECT")
        # Zoom's error other than a declined consent, its description with
        # markup: escaped on the page, the redirect URI to check named
        state = self.state_of(cookie)
        r = self.callback(f"{CALLBACK}?state={state}&error=invalid_scope&error_description="
                          + urllib.parse.quote('<script>alert("x")</script>\'&'))
        self.assertEqual(r.status, 400, r)
        self.assertNotIn(b"<script>", r.body)
        self.assertIn(b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;", r.body)
        f = landed(r)
        self.assertEqual((f["code"], f["hint_id"]), ("EAUTH", "CHECK_REDIRECT_URI"))
        self.assertTrue(f["message"].endswith(
            'did not authorize the app: invalid_scope: <script>alert("x")</script>\'&'), f)
        # no code with a real state
        state = self.state_of(cookie)
        self.refused(f"{CALLBACK}?state={state}", "EAUTH", "the OAuth callback has no code",
                     "CONNECT")
        # past its time: refused as expired, and spent
        path = follow_to_callback(self.srv.port, self.sim, cookie)
        srvharness.store_sql(self.srv.store,
                             "UPDATE oauth_states SET expires_at = created_at - 1")
        self.refused(path, "ESTATE",
                     "the OAuth state expired (authorizations must finish within 600 s)",
                     "CONNECT")
        self.assertEqual(len(self.states()), n0)
        # the org other's state, completed in acme's admin's browser (with
        # acme's cookie): it connects other, the org its state names, not acme
        other, _ = self.sign_in(OTHER_EMAIL, "other")
        path = follow_to_callback(self.srv.port, self.sim, other)
        r = self.c.request("GET", path, headers={"Cookie": cookie})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(landed(r), {"connect": "ok"})
        self.assertEqual(self.op("GET", "/api/v1/connection", role="viewer").json()["state"],
                         "ABSENT")
        c = Client(self.srv.port)
        v = c.request("GET", "/api/v1/connection", headers=auth(self.env.other_admin)).json()
        self.assertEqual(v["state"], "VALID")
        log = c.request("GET", "/api/v1/audit?limit=20", headers=auth(self.env.other_admin))
        self.assertIn(OTHER_EMAIL, json.dumps(log.json()["entries"]))
        c.request("DELETE", "/api/v1/connection", headers=auth(self.env.other_admin))
        c.close()

    def test_connect_when_the_store_refuses(self):
        # the state cannot be stored: no trip to Zoom with a state that
        # would never be found; the page says why
        cookie, _ = self.sign_in()
        allow = srvharness.store_refuses(self.srv.store, "oauth_states", "INSERT")
        try:
            r = self.c.request("GET", "/oauth/zoom/connect", headers={"Cookie": cookie})
        finally:
            allow()
        self.assertEqual(r.status, 400, r)
        self.assertIsNone(r.header("Location"))
        f = landed(r)
        self.assertEqual(f["connect"], "error")
        self.assertIn("refused by the test", f["message"])

    def test_web_flow_then_disconnect_revokes(self):
        self.disconnect()
        cookie, csrf = self.sign_in()
        path = follow_to_callback(self.srv.port, self.sim, cookie)
        r = self.callback(path)
        self.assertEqual(r.status, 200, r)
        self.assertIn(b'url=/#zoom?connect=ok', r.body)
        v = self.op("GET", "/api/v1/connection", role="viewer").json()
        self.assertEqual((v["state"], v["kind"]), ("VALID", "oauth"))
        self.assertEqual(v["missing_scopes"], [])
        self.assertEqual(v["account_id"], self.sim.state()["account_id"])
        self.assertGreater(v["access_expires_at"], time.time())
        self.assertTrue(v["oauth"]["redirect_uri"].endswith(CALLBACK))
        # the connection works for actions
        r = self.op("POST", "/api/v1/actions/list_users", {})
        self.assertEqual(r.status, 200, r)
        # reused state: the same callback again lands on the seed's words
        r = self.callback(path)
        self.assertEqual(r.status, 400, r)
        page = html.unescape(r.body.decode())
        self.assertIn(SEED_AUTH_CAUSE, page)
        self.assertIn(SEED_AUTH_FIX, page)
        self.assertIn("connect=error", page)
        # audit: who connected (the admin, recorded through the state row)
        log = self.op("GET", "/api/v1/audit?limit=50", role="admin").json()
        text = json.dumps(log["entries"])
        self.assertIn(ADMIN_EMAIL, text)
        # disconnect: revoked at zoomsim, wiped, audited
        revokes = self.sim.requests_log("oauth.revoke")["counts"].get("oauth.revoke", 0)
        r = self.op("DELETE", "/api/v1/connection", role="admin")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"disconnected": True, "revoked": True})
        self.assertEqual(self.sim.requests_log("oauth.revoke")["counts"]["oauth.revoke"],
                         revokes + 1)
        v = self.op("GET", "/api/v1/connection", role="viewer").json()
        self.assertEqual(v["state"], "ABSENT")
        r = self.op("DELETE", "/api/v1/connection", role="admin")
        self.assertEqual(r.status, 409, r)
        # an operator may not disconnect, nor start the flow with a key
        self.connect_s2s()
        self.assertEqual(self.op("DELETE", "/api/v1/connection").status, 403)
        r = self.op("GET", "/oauth/zoom/connect", role="admin")
        self.assertEqual(r.status, 403, r)

    def test_redirect_uri_mismatch_at_the_token_endpoint(self):
        cookie, _ = self.sign_in()
        path = follow_to_callback(self.srv.port, self.sim, cookie)
        self.sim.request("POST", "/_sim/faults", body={"rules": [
            {"kind": "status", "route": "oauth.token", "status": 400, "code": 4709,
             "message": "Redirect URI mismatch.", "count": 1}]})
        r = self.callback(path)
        self.assertEqual(r.status, 400, r)
        page = html.unescape(r.body.decode())
        self.assertIn("Authentication failure", page)
        self.assertIn(SEED_AUTH_CAUSE, page)
        self.assertIn(SEED_AUTH_FIX, page)

    def test_refresh_failure_shows_the_resolution(self):
        # acme connects; then the same Zoom user authorizes the same app for
        # the org other, which ends acme's grant at Zoom (one grant per user
        # and app); once acme's access token expires its refresh fails
        self.disconnect()
        cookie, _ = self.sign_in()
        self.assertEqual(self.callback(follow_to_callback(self.srv.port, self.sim,
                                                          cookie)).status, 200)
        cookie2, _ = self.sign_in(OTHER_EMAIL, "other")
        self.assertEqual(self.callback(follow_to_callback(self.srv.port, self.sim,
                                                          cookie2)).status, 200)
        self.sim.advance(3700)
        r = self.op("POST", "/api/v1/actions/list_users", {})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json()["error"]["code"], "EREAUTH")
        v = self.op("GET", "/api/v1/connection", role="viewer").json()
        self.assertEqual(v["state"], "NEEDS_REAUTH")
        le = v["last_error"]
        self.assertEqual(le["hint_id"], "RECONNECT")
        self.assertEqual(le["resolution"]["title"], "Token refresh failure")
        self.assertEqual(le["resolution"]["cause"],
                         "The refresh token has expired or been revoked.")
        self.assertEqual(le["resolution"]["resolution"],
                         "Re-authenticate the integration to generate new tokens.")
        self.assertEqual(le["resolution"]["button"],
                         {"label": "Reconnect", "href": "/oauth/zoom/connect"})
        m = self.c.request("GET", "/metrics").body.decode()
        self.assertRegex(m, r'zoomflow_zoom_token_refreshes_total\{org="acme",'
                            r'result="failed"\} [1-9]')
        # Reconnect works again
        self.assertEqual(self.callback(follow_to_callback(self.srv.port, self.sim,
                                                          cookie)).status, 200)
        self.assertEqual(self.op("POST", "/api/v1/actions/list_users", {}).status, 200)
        c = Client(self.srv.port)
        c.request("DELETE", "/api/v1/connection", headers=auth(self.env.other_admin))
        c.close()
        self.disconnect()

    def test_expired_code(self):
        cookie, _ = self.sign_in()
        path = follow_to_callback(self.srv.port, self.sim, cookie)
        self.sim.advance(400)  # codes live 5 minutes
        r = self.callback(path)
        self.assertEqual(r.status, 400, r)
        page = html.unescape(r.body.decode())
        self.assertIn("Authentication failure", page)
        self.assertIn(SEED_AUTH_CAUSE, page)
        self.assertIn(SEED_AUTH_FIX, page)


class TestOAuthConsent(OAuthCase):
    def test_denied_consent(self):
        cookie, _ = self.sign_in()
        path = follow_to_callback(self.srv.port, self.sim, cookie, decide="deny")
        self.assertIn("error=access_denied", path)
        r = self.callback(path)
        self.assertEqual(r.status, 400, r)
        page = html.unescape(r.body.decode())
        self.assertIn(SEED_AUTH_CAUSE, page)
        self.assertIn("access_denied", page)
        self.assertEqual(self.op("GET", "/api/v1/connection", role="viewer").json()["state"],
                         "ABSENT")

    def test_consent_approved(self):
        cookie, _ = self.sign_in()
        path = follow_to_callback(self.srv.port, self.sim, cookie, decide="authorize")
        r = self.callback(path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.op("GET", "/api/v1/connection", role="viewer").json()["state"],
                         "VALID")
        self.disconnect()


class TestConnectionViews(ServeCase):
    sim_args = ("--s2s-app", "narrow-s2s:narrow-secret:user:read:list_users:admin")

    def test_s2s_bad_credentials_and_fields(self):
        r = self.op("POST", "/api/v1/connection", {"client_id": "zoomsim-s2s"}, role="admin")
        self.assertEqual(r.status, 422, r)
        self.assertEqual({p["field"] for p in r.json()["error"]["problems"]},
                         {"client_secret", "account_id"})
        r = self.op("POST", "/api/v1/connection", {
            "client_id": "zoomsim-s2s", "client_secret": "wrong",
            "account_id": self.sim.state()["account_id"]}, role="admin")
        self.assertEqual(r.status, 401, r)
        self.assertEqual(self.op("POST", "/api/v1/connection", {}, role="operator").status, 403)

    def test_missing_scopes_disable_actions(self):
        r = self.op("POST", "/api/v1/connection", {
            "client_id": "narrow-s2s", "client_secret": "narrow-secret",
            "account_id": self.sim.state()["account_id"]}, role="admin")
        self.assertEqual(r.status, 200, r)
        v = self.op("GET", "/api/v1/connection", role="viewer").json()
        self.assertEqual(v["granted_scopes"], ["user:read:list_users:admin"])
        missing = {m["scope"]: m["actions"] for m in v["missing_scopes"]}
        self.assertNotIn("user:read:list_users:admin", missing)
        self.assertIn("create_meeting", missing["meeting:write:meeting:admin"])
        self.assertIn("create_meeting", [u["action"] for u in v["unavailable_actions"]])
        before = self.sim.requests_log("meetings.create")["counts"].get("meetings.create", 0)
        r = self.op("POST", "/api/v1/actions/create_meeting", {"user_id": "me", "topic": "t"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json()["error"]["code"], "ESCOPE")
        self.assertEqual(
            self.sim.requests_log("meetings.create")["counts"].get("meetings.create", 0), before)
        self.assertEqual(self.op("POST", "/api/v1/actions/list_users", {}).status, 200)


if __name__ == "__main__":
    unittest.main()
