"""zoomflow api METHOD PATH against zoomsim: methods, body/query flags,
--paginate, the SSRF refusals (nothing reaches zoomsim), refresh on 401 and
retries against injected faults."""
import json
import os
import socket
import unittest

from cliharness import CliEnv
from zfharness import Sim


def api_requests(sim):
    """Requests that reached zoomsim's API (control routes are never logged)."""
    return [r for r in sim.requests_log()["requests"] if r["path"].startswith("/v2")]


def refreshes(sim):
    log = sim.requests_log(route="oauth.token")["requests"]
    return [r for r in log if "refresh_token" in (r.get("detail") or "")]


def has_faults(sim):
    return sim.request("GET", "/_sim/faults").status == 200


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--auto-approve")
        cls.cli = CliEnv(cls.sim)
        p = cls.cli.connect()
        assert p.returncode == 0, p.err

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        if has_faults(self.sim):
            self.sim.request("DELETE", "/_sim/faults")

    def api(self, *args, **kw):
        return self.cli.run("api", *args, **kw)

    def test_get(self):
        p = self.api("GET", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["email"], "owner@example.com")

    def test_include_prints_status_and_headers(self):
        p = self.api("GET", "/users/me", "--include")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("HTTP 200", p.err)
        self.assertIn("content-type: application/json", p.err.lower())
        self.assertIn("x-ratelimit-category: light", p.err.lower())
        self.assertNotIn("\r", p.err)
        self.assertEqual(json.loads(p.out)["id"], "zsimOwner000000000001")

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
        p = self.api("GET", "/users", "--paginate", "--items", "nope")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(p.out, "")
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


if __name__ == "__main__":
    unittest.main()
