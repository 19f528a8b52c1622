"""zoomflow api [METHOD] PATH against zoomsim: methods, body/query flags,
--paginate, the SSRF refusals (nothing reaches zoomsim), refresh on 401 and
retries against injected faults; gh api's habits (-X and its default, -H,
--include, --silent, -F @file, key[] / key[sub] fields, --slurp, --jq), with
what was sent seen through a recording proxy in front of zoomsim."""
import json
import os
import socket
import unittest

from cliharness import CliEnv, ConnectedTest
from zfharness import PathProxy, Sim


def api_requests(sim):
    """Requests that reached zoomsim's API (control routes are never logged)."""
    return [r for r in sim.requests_log()["requests"] if r["path"].startswith("/v2")]


def refreshes(sim):
    log = sim.requests_log(route="oauth.token")["requests"]
    return [r for r in log if "refresh_token" in (r.get("detail") or "")]


def has_faults(sim):
    return sim.request("GET", "/_sim/faults").status == 200


class ApiTest(ConnectedTest):
    def setUp(self):
        if has_faults(self.sim):
            self.sim.request("DELETE", "/_sim/faults")

    def api(self, *args, **kw):
        return self.cli.run("api", *args, **kw)

    def test_get(self):
        p = self.api("GET", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["email"], "owner@example.com")

    def test_refusal_body_on_stdout_like_gh(self):
        """A Zoom error: its JSON body on stdout as gh api prints it (with
        --include after the status line and headers), the message and hint
        on stderr, a non-zero exit; --silent prints nothing."""
        p = self.api("GET", "/users/nobody@example.com")
        self.assertEqual(p.returncode, 6, p.err)
        body = json.loads(p.out)
        self.assertEqual(body["code"], 1001, p.out)
        self.assertIn("zoomflow:", p.err)
        self.assertNotIn(p.out.strip(), p.err)
        p = self.api("GET", "/users/nobody@example.com", "--include")
        self.assertEqual(p.returncode, 6, p.err)
        head, sep, rest = p.out.partition("\n\n")
        self.assertEqual(head.splitlines()[0], "HTTP 404 Not Found")
        self.assertEqual(json.loads(rest)["code"], 1001)
        p = self.api("GET", "/users/nobody@example.com", "--silent")
        self.assertEqual((p.returncode, p.out), (6, ""), p.err)
        # --paginate: the failing page's body too
        p = self.api("GET", "/meetings/123456789/registrants", "--paginate")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('"code"', p.out)

    def test_include_prints_status_and_headers(self):
        # like gh api: on stdout, the status line and headers, a blank line, the body
        p = self.api("GET", "/users/me", "--include")
        self.assertEqual(p.returncode, 0, p.err)
        head, sep, body = p.out.partition("\n\n")
        self.assertEqual(sep, "\n\n", p.out)
        self.assertEqual(head.splitlines()[0], "HTTP 200 OK")
        self.assertIn("content-type: application/json", head.lower())
        self.assertIn("x-ratelimit-category: light", head.lower())
        self.assertNotIn("\r", p.out)
        self.assertEqual(json.loads(body)["id"], "zsimOwner000000000001")
        self.assertEqual(p.err, "")

    def test_post_with_string_and_typed_fields(self):
        p = self.api("POST", "/users", "-f", "action=custCreate",
                     "-f", "user_info.email=fields@example.com",
                     "-F", "user_info.type=1", "-f", "user_info.first_name=007")
        self.assertEqual(p.returncode, 0, p.err)
        u = json.loads(p.out)
        self.assertEqual(u["email"], "fields@example.com")
        self.assertEqual(u["type"], 1)            # -F: a number
        self.assertEqual(u["first_name"], "007")  # -f: stays a string

    def test_post_with_input_file_and_stdin(self):
        body = {"action": "custCreate",
                "user_info": {"email": "input@example.com", "type": 1, "first_name": "In"}}
        path = os.path.join(self.cli.dir, "body.json")
        with open(path, "w") as f:
            json.dump(body, f)
        p = self.api("POST", "/users", "--input", path)
        self.assertEqual(p.returncode, 0, p.err)
        body["user_info"]["email"] = "stdin@example.com"
        p = self.api("POST", "/users", "--input", "-", input=json.dumps(body).encode())
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["email"], "stdin@example.com")
        # a conflict: the same email again is Zoom's 1005
        p = self.api("POST", "/users", "--input", path)
        self.assertEqual(p.returncode, 6, p.err)
        self.assertIn("already", p.err)

    def test_input_excludes_fields_and_must_be_json(self):
        n = len(api_requests(self.sim))
        p = self.api("POST", "/users", "--input", "-", "-f", "a=b", input=b"{}")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--input and -f/-F", p.err)
        p = self.api("POST", "/users", "--input", "-", input=b"{not json")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("--input -: invalid JSON at line 1, column", p.err)
        p = self.api("GET", "/users/me", "-f", "a=b")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("no body", p.err)
        self.assertEqual(len(api_requests(self.sim)), n)

    def test_patch_and_delete(self):
        p = self.api("POST", "/users/me/meetings", "-f", "topic=Patch me", "-F", "type=2")
        self.assertEqual(p.returncode, 0, p.err)
        mid = json.loads(p.out)["id"]
        p = self.api("PATCH", f"/meetings/{mid}", "-f", "topic=Patched")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(p.out, "")  # 204
        p = self.api("GET", f"/meetings/{mid}")
        self.assertEqual(json.loads(p.out)["topic"], "Patched")
        p = self.api("DELETE", f"/meetings/{mid}")
        self.assertEqual(p.returncode, 0, p.err)
        p = self.api("GET", f"/meetings/{mid}")
        self.assertEqual(p.returncode, 6)
        self.assertIn("Meeting does not exist", p.err)

    def test_query(self):
        p = self.api("GET", "/users", "-q", "status=pending", "-q", "page_size=5")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["page_size"], 5)
        p = self.api("GET", "/users", "-q", "status=bogus")
        self.assertEqual(p.returncode, 2, p.err)  # Zoom's 300: the query arrived

    def test_paginate_streams_every_page(self):
        r = self.sim.request("POST", "/_sim/seed/users",
                             body={"count": 250, "domain": "page.example"})
        self.assertEqual(r.status, 201, r)
        total = self.sim.state()["data"]["counts"]["users"]
        before = len(api_requests(self.sim))
        p = self.api("GET", "/users", "-q", "page_size=30", "--paginate")
        self.assertEqual(p.returncode, 0, p.err)
        lines = [json.loads(l) for l in p.out.splitlines()]
        emails = [u["email"] for u in lines]
        self.assertEqual(len(emails), len(set(emails)))  # nothing twice
        self.assertEqual(sum(e.endswith("@page.example") for e in emails), 250)
        self.assertEqual(len(lines), total)
        pages = len(api_requests(self.sim)) - before
        self.assertEqual(pages, (len(lines) + 29) // 30)

    def test_paginate_items_key_and_refusals(self):
        # a list key that is not there: exit 6 naming the keys that are
        p = self.api("GET", "/users", "--paginate", "--items", "nope")
        self.assertEqual(p.returncode, 6, p.err)
        self.assertEqual(p.out, "")
        self.assertIn('has no "nope"', p.err)
        self.assertIn("users", p.err)
        self.assertIn("--items users", p.err)
        # an answer that is no list: exit 6 naming its keys, nothing printed
        p = self.api("GET", "/users/me", "--paginate")
        self.assertEqual(p.returncode, 6, p.err)
        self.assertEqual(p.out, "")
        self.assertIn("is not a list", p.err)
        self.assertIn("email", p.err)
        self.assertIn("drop it", p.err)
        p = self.api("POST", "/users", "--paginate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("GET", p.err)
        p = self.api("GET", "/users", "--paginate", "--items", "page_size")
        self.assertEqual(p.returncode, 6)
        self.assertIn("--items", p.err)

    def test_ssrf_paths_are_refused_before_any_traffic(self):
        bad = ["https://evil.example/v2/users", "http://127.0.0.1:1/x", "//evil.example/x",
               "/users/../../oauth/token", "/users/%2e%2e/x", "/users/%252e%252e/x",
               "/users/..%2fme", "/users/me\r\nX-Evil: 1", "/users/me%0d%0aX: 1",
               "/users/me%00", "users/me", "/users/\\evil", "/users/" + "a" * 2100,
               "/users/me#frag", "@evil.example/x"]
        self.sim.request("DELETE", "/_sim/requests")
        for path in bad:
            p = self.api("GET", path)
            self.assertEqual(p.returncode, 2, (path, p.err))
            self.assertIn("zoomflow:", p.err)
            self.assertNotIn("Traceback", p.err)
        self.assertEqual(self.sim.requests_log()["total"], 0)
        # NUL cannot ride in argv; a body or query cannot smuggle a host either
        p = self.api("GET", "/users", "-q", "x=http://evil.example/")
        self.assertEqual(p.returncode, 0, p.err)

    def test_unknown_method_and_missing_arguments(self):
        p = self.api("TRACE", "/users/me")
        self.assertEqual(p.returncode, 2)
        self.assertIn("method", p.err)
        p = self.api("GET")
        self.assertEqual(p.returncode, 2)
        self.assertIn("METHOD and PATH", p.err)

    def test_not_connected_profile(self):
        p = self.cli.run("--profile", "nobody", "api", "GET", "/users/me")
        self.assertEqual(p.returncode, 3, p.err)

    def test_explicit_api_base_wins_over_api_url(self):
        # the connection's base is zoomsim's api_url; an explicit base wins
        with socket.socket() as sk:  # a port nobody listens on
            sk.bind(("127.0.0.1", 0))
            dead = sk.getsockname()[1]
        before = len(api_requests(self.sim))
        p = self.cli.run("api", "GET", "/users/me",
                         env={"ZOOMFLOW_API_BASE": f"http://127.0.0.1:{dead}"})
        self.assertEqual(p.returncode, 5, p.err)
        self.assertEqual(len(api_requests(self.sim)), before)
        p = self.cli.run("--api-base", f"http://localhost:{self.sim.port}", "meetings",
                         "create", "--user-id", "me", "--topic", "t", "--dry-run")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertTrue(json.loads(p.out)["url"].startswith(
            f"http://localhost:{self.sim.port}/v2/"), p.out)
        p = self.cli.run("--api-base", f"http://localhost:{self.sim.port}/v2", "api", "GET",
                         "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(len(api_requests(self.sim)), before + 1)
        p = self.cli.run("api", "GET", "/users/me", env={"ZOOMFLOW_API_BASE": "ftp://x"})
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("API base URL", p.err)

    def test_refresh_on_401_happens_once(self):
        before = len(refreshes(self.sim))
        self.sim.advance(3601)  # zoomsim expires the token; zoomflow's clock does not move
        p = self.api("GET", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(len(refreshes(self.sim)) - before, 1)
        p = self.api("GET", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(len(refreshes(self.sim)) - before, 1)

    def test_retries_injected_faults(self):
        if not has_faults(self.sim):
            self.skipTest("zoomsim without fault injection (sim-limits not merged)")
        r = self.sim.request("POST", "/_sim/faults", body={
            "kind": "status", "status": 503, "route": "users.get", "count": 2})
        self.assertEqual(r.status, 201, r)
        p = self.api("GET", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        r = self.sim.request("POST", "/_sim/faults", body={
            "kind": "drop_before", "route": "users.get", "count": 1})
        p = self.api("GET", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        # a POST cut after processing is ambiguous: exit 6, never resent blindly
        self.sim.request("POST", "/_sim/faults", body={
            "kind": "drop", "route": "users.create", "count": 1})
        seen = len(self.sim.requests_log(route="users.create")["requests"])
        p = self.api("POST", "/users", "-f", "action=custCreate",
                     "-f", "user_info.email=dropped@example.com", "-F", "user_info.type=1")
        self.assertEqual(p.returncode, 6, p.err)
        creates = self.sim.requests_log(route="users.create")["requests"][seen:]
        self.assertEqual([r["status"] for r in creates], [0])  # sent once, not repeated
        # server errors that persist: exit 5 with the hint
        self.sim.request("POST", "/_sim/faults", body={"kind": "status", "status": 500,
                                                       "route": "users.get"})
        p = self.api("GET", "/users/me", env={"ZOOMFLOW_TIMEOUT": "5"})
        self.assertEqual(p.returncode, 5, p.err)
        self.assertIn("hint:", p.err)


def header(req, name):
    """The values of header `name` in one request the proxy saw."""
    return [v for k, v in req["headers"] if k.lower() == name.lower()]


class GhHabitsTest(unittest.TestCase):
    """gh api's habits, each checked in what reached the API: the CLI talks
    to zoomsim through a PathProxy that records every request."""
    PATHS = ["/v2/users/me", "/v2/users", "/v2/users/me/meetings"]

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--auto-approve")
        cls.cli = CliEnv(cls.sim)
        p = cls.cli.connect()
        assert p.returncode == 0, p.err
        cls.px = PathProxy(cls.sim, {p: p for p in cls.PATHS})
        cls.env = {"ZOOMFLOW_API_BASE": cls.px.url}

    @classmethod
    def tearDownClass(cls):
        cls.px.stop()
        cls.sim.stop()

    def api(self, *args, **kw):
        del self.px.seen[:]
        return self.cli.run("api", *args, env=self.env, **kw)

    def sent(self):
        return list(self.px.seen)

    def test_method_default_and_X(self):
        p = self.api("/users/me")  # gh's form: PATH alone is a GET
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["email"], "owner@example.com")
        self.assertEqual([r["method"] for r in self.sent()], ["GET"])
        # fields make it a POST
        p = self.api("/users", "-f", "action=custCreate", "-f",
                     "user_info.email=default-post@example.com", "-F", "user_info.type=1")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual([r["method"] for r in self.sent()], ["POST"])
        self.assertEqual(json.loads(p.out)["email"], "default-post@example.com")
        # --input too
        p = self.api("/users/me/meetings", "--input", "-",
                     input=json.dumps({"topic": "by input", "type": 2}).encode())
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual([r["method"] for r in self.sent()], ["POST"])
        # -X / --method, any case, before or after PATH
        p = self.api("-X", "get", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual([r["method"] for r in self.sent()], ["GET"])
        p = self.api("/users/me/meetings", "--method", "POST", "-f", "topic=X", "-F", "type=2")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual([r["method"] for r in self.sent()], ["POST"])
        # the positional form still works, and agrees with -X or is refused
        p = self.api("get", "/users/me", "-X", "GET")
        self.assertEqual(p.returncode, 0, p.err)
        p = self.api("GET", "/users/me", "-X", "POST")
        self.assertEqual(p.returncode, 2)
        self.assertIn("two methods", p.err)
        # -f on a GET: refused, pointing at -q with the very pair
        p = self.api("-X", "GET", "/users", "-f", "status=pending")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no body", p.err)
        self.assertIn("-q 'status=pending'", p.err)
        self.assertEqual(self.sent(), [])
        p = self.api("-X", "GET", "/users", "-f", "ids[]=1")  # no one -q spells a list
        self.assertEqual(p.returncode, 2)
        self.assertIn("-q KEY=VALUE, one per parameter", p.err)
        p = self.api("-X", "GET", "/users", "-q", "status=pending")  # the hint works
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.sent()[0]["path"], "/v2/users?status=pending")

    def test_query_in_path_points_at_q(self):
        p = self.api("/users?status=pending&page_size=5")
        self.assertEqual(p.returncode, 2)
        self.assertIn("carries a query", p.err)
        hint = "zoomflow api GET /users -q 'status=pending' -q 'page_size=5'"
        self.assertIn(hint, p.err)
        self.assertEqual(self.sent(), [])
        p = self.api("GET", "/users", "-q", "status=pending", "-q", "page_size=5")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["page_size"], 5)
        p = self.api("GET", "/users?q=it%27s%20me")  # decoded, quoted for the shell
        self.assertIn("-q 'q=it'\\''s me'", p.err)

    def test_headers(self):
        p = self.api("/users/me", "-H", "Accept-Language: fr", "-H", "X-Trace-Id:abc 1",
                     "-H", "accept: application/json; charset=utf-8")
        self.assertEqual(p.returncode, 0, p.err)
        (r,) = self.sent()
        self.assertEqual(header(r, "Accept-Language"), ["fr"])
        self.assertEqual(header(r, "X-Trace-Id"), ["abc 1"])
        self.assertEqual(header(r, "Accept"), ["application/json; charset=utf-8"])  # replaced
        self.assertTrue(header(r, "Authorization")[0].startswith("Bearer "))
        # the token and the framing are zoomflow's: refused before anything is sent
        for h, why in [("Authorization: Bearer mine", "bearer token"),
                       ("host: evil.example", "bearer token"),
                       ("Content-Length: 5", "sets it itself"),
                       ("no colon here", "not 'Name: value'"),
                       ("X-A: 1\r\nX-B: 2", "control byte"),
                       (": empty", "not 'Name: value'")]:
            p = self.api("/users/me", "-H", h)
            self.assertEqual(p.returncode, 2, (h, p.err))
            self.assertIn(why, p.err, h)
        self.assertEqual(self.sent(), [])

    def test_silent(self):
        p = self.api("/users/me", "--silent")
        self.assertEqual((p.returncode, p.out), (0, ""), p.err)
        self.assertEqual(len(self.sent()), 1)
        p = self.api("/users/me", "--silent", "--include")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertTrue(p.out.startswith("HTTP 200 OK\n"), p.out)
        self.assertTrue(p.out.endswith("\n\n"), p.out)
        self.assertNotIn("owner@example.com", p.out)

    def test_typed_field_from_file_and_stdin(self):
        path = os.path.join(self.cli.dir, "agenda.txt")
        with open(path, "w") as f:
            f.write("line 1\n{not json}\n")
        p = self.api("/users/me/meetings", "-f", "topic=files", "-F", "type=2",
                     "-F", f"agenda=@{path}", "-F", "settings.alternative_hosts=@-",
                     input=b"alt@example.com")
        self.assertEqual(p.returncode, 0, p.err)
        body = json.loads(self.sent()[0]["body"])
        self.assertEqual(body["agenda"], "line 1\n{not json}\n")  # the bytes, as a string
        self.assertEqual(body["settings"], {"alternative_hosts": "alt@example.com"})
        self.assertEqual(json.loads(p.out)["agenda"], "line 1\n{not json}\n")
        p = self.api("/users/me/meetings", "-f", "topic=@not-a-file")  # -f is raw
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(self.sent()[0]["body"])["topic"], "@not-a-file")
        for args, why in [(["-F", "a=@-", "-F", "b=@-"], "already read"),
                          (["-F", "a=@" + path + ".missing"], f"-F a=@{path}.missing: "),
                          (["--input", "-", "-F", "a=@-"], "--input")]:
            p = self.api("/users/me/meetings", *args, input=b"x")
            self.assertEqual(p.returncode, 2, (args, p.err))
            self.assertIn(why, p.err, args)
        self.assertEqual(self.sent(), [])

    def test_array_and_object_fields_as_gh_builds_them(self):
        p = self.api("/users/me/meetings", "-f", "topic=arrays", "-F", "type=2",
                     "-f", "settings[alternative_hosts]=a@example.com",
                     "-F", "settings[join_before_host]=true",
                     "-f", "tracking_fields[][field]=team", "-f", "tracking_fields[][value]=hr",
                     "-f", "tracking_fields[][field]=site", "-F", "tracking_fields[][value]=7",
                     "-f", "settings.meeting_invitees[][email]=i@example.com",
                     "-f", "settings[authentication_domains]=example.com")
        self.assertEqual(p.returncode, 0, p.err)
        body = json.loads(self.sent()[0]["body"])
        self.assertEqual(body["settings"], {
            "alternative_hosts": "a@example.com", "join_before_host": True,
            "meeting_invitees": [{"email": "i@example.com"}],
            "authentication_domains": "example.com"})
        self.assertEqual(body["tracking_fields"], [{"field": "team", "value": "hr"},
                                                   {"field": "site", "value": 7}])
        self.assertEqual(json.loads(p.out)["settings"]["alternative_hosts"], "a@example.com")
        # plain arrays and the empty one (gh's key[] without a value)
        p = self.api("/users/me/meetings", "-f", "topic=t", "-f", "tags[]=a", "-F", "tags[]=2",
                     "-F", "none[]", "-f", "x[]=1", "-f", "x[]")
        body = json.loads(self.sent()[0]["body"])
        self.assertEqual((body["tags"], body["none"], body["x"]), (["a", 2], [], []))
        # malformed keys and clashes: exit 2 naming the field, nothing sent
        for f, why in [("a[b=1", "not closed"), ("a]=1", "without a '['"),
                       ("a[][]=1", "array of arrays"), ("a[b]c=1", "may follow"),
                       ("[a]=1", "needs a name"), ("a", "has no value"),
                       ("a[b][c=1", "not closed"), ("a[b][c", "has no value"), ("=v", "empty")]:
            p = self.api("/users/me/meetings", "-f", f)
            self.assertEqual(p.returncode, 2, (f, p.err))
            self.assertIn(why, p.err, f)
        for pair in [("a=1", "a[]=2"), ("a[]=1", "a[b]=2"), ("a[b]=1", "a=2"),
                     ("a[]=1", "a[][b]=2")]:
            p = self.api("/users/me/meetings", "-f", pair[0], "-f", pair[1])
            self.assertEqual(p.returncode, 2, (pair, p.err))
            self.assertIn("field 'a", p.err, pair)
        self.assertEqual(self.sent(), [])

    def test_jq(self):
        p = self.api("/users/me", "--jq", ".email")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(p.out, "owner@example.com\n")  # strings raw, as gh prints them
        p = self.api("/users/me", "--jq", "{id, type}, .type")
        self.assertEqual(p.out, '{"id":"zsimOwner000000000001","type":2}\n2\n')
        # a broken expression: exit 2 before anything is sent
        p = self.api("/users/me", "--jq", ".email[")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("--jq '.email[' does not compile", p.err)
        self.assertIn("syntax error", p.err)
        self.assertIn("line 1: .email[\n", p.err)  # one line, no trailing blanks
        self.assertEqual(self.sent(), [])
        # an expression the answer does not fit: exit 6 with jq's words
        p = self.api("/users/me", "--jq", ".email.x")
        self.assertEqual(p.returncode, 6, p.err)
        self.assertIn("Cannot index string", p.err)

    def test_paginate_slurp_jq_over_several_pages(self):
        r = self.sim.request("POST", "/_sim/seed/users",
                             body={"count": 70, "domain": "slurp.example"})
        self.assertEqual(r.status, 201, r)
        total = self.sim.state()["data"]["counts"]["users"]
        pages = (total + 29) // 30
        self.assertGreaterEqual(pages, 3)
        p = self.api("/users", "-q", "page_size=30", "--paginate", "--slurp")
        self.assertEqual(p.returncode, 0, p.err)
        got = json.loads(p.out)
        self.assertEqual(len(got), pages)  # one array of the pages, as gh --slurp
        self.assertEqual(len(self.sent()), pages)
        self.assertEqual(sum(len(pg["users"]) for pg in got), total)
        self.assertTrue(all("page_size" in pg for pg in got))
        # --jq over the slurped pages, and over each item without --slurp
        p = self.api("/users", "-q", "page_size=30", "--paginate", "--slurp",
                     "--jq", '[.[].users[].email | select(endswith("@slurp.example"))] | length')
        self.assertEqual((p.returncode, p.out), (0, "70\n"), p.err)
        self.assertEqual(len(self.sent()), pages)
        p = self.api("/users", "-q", "page_size=30", "--paginate", "--jq", ".email")
        self.assertEqual(p.returncode, 0, p.err)
        emails = p.out.splitlines()
        self.assertEqual(len(emails), total)
        self.assertEqual(len(set(emails)), total)
        p = self.api("/users", "--slurp")
        self.assertEqual(p.returncode, 2)
        self.assertIn("add --paginate", p.err)
        self.assertEqual(self.sent(), [])


if __name__ == "__main__":
    unittest.main()
