"""The OAuth client to the RFCs, end to end through the CLI and zoomsim:
client secrets with + % / : and space in HTTP Basic (RFC 6749 §2.3.1),
authorize/token/revoke endpoints other than Zoom's paths (through a proxy
that maps /custom/* to zoomsim's /oauth/*), kept with the connection;
errors that name the server that answered; and the one API-base rule that
the library, `zoomflow config` and docs/cli.md share."""
import json
import os
import unittest

import zfharness
from cliharness import CliEnv
from zfharness import PathProxy, SimCase

SECRET = "p+l%u/s:c o%2B"  # every character RFC 6749 §2.3.1 encoding changes
REDIRECTS = ["http://127.0.0.1:*/callback"]
CUSTOM = {"/custom/authorize": "/oauth/authorize", "/custom/token": "/oauth/token",
          "/custom/revoke": "/oauth/revoke"}


class OAuthRfcTest(SimCase):
    sim_args = ("--auto-approve",)

    def add_app(self, **app):
        r = self.sim.request("POST", "/_sim/apps", body=app)
        self.assertEqual(r.status, 201, r)

    def grants(self, grant):
        log = self.sim.requests_log(route="oauth.token")["requests"]
        return sum(1 for r in log if r.get("detail") == "grant_type=" + grant)

    def revokes(self):
        return [r["status"] for r in self.sim.requests_log(route="oauth.revoke")["requests"]]

    def status(self, cli):
        p = cli.run("status", "--json")
        return p.returncode, json.loads(p.out)

    def test_secret_needing_encoding_connect_refresh_revoke(self):
        self.add_app(client_id="rfc-app", client_secret=SECRET, redirect_uris=REDIRECTS)
        cli = CliEnv(self.sim, client_id="rfc-app", secret=SECRET)
        p = cli.connect()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.grants("authorization_code"), 1)
        self.sim.advance(3700)  # expired: the next call refreshes first
        p = cli.run("api", "GET", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.grants("refresh_token"), 1)
        p = cli.run("disconnect")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("revoked", p.out)
        self.assertEqual(self.revokes(), [200])

    def test_secret_needing_encoding_s2s(self):
        self.add_app(client_id="rfc-s2s", client_secret=SECRET, type="s2s")
        acct = self.sim.state()["account_id"]
        cli = CliEnv(self.sim, client_id="rfc-s2s", secret=SECRET)
        p = cli.run("connect", "--s2s", "--account-id", acct, "--client-secret-file",
                    cli.secret_file)
        self.assertEqual(p.returncode, 0, p.err)
        self.sim.advance(3700)
        p = cli.run("api", "GET", "/users/me")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.grants("account_credentials"), 2)
        p = cli.run("disconnect")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.revokes(), [200])

    def test_custom_endpoints_precedence_and_persistence(self):
        with PathProxy(self.sim, CUSTOM) as px:
            cli = CliEnv(self.sim)
            cfgdir = os.path.join(cli.dir, "config", "zoomflow")
            os.makedirs(cfgdir)
            with open(os.path.join(cfgdir, "config"), "w") as f:
                f.write("[default]\ntoken_endpoint = /file/token\n"
                        "revoke_endpoint = /custom/revoke\n"
                        "authorize_endpoint = /custom/authorize\n")
            env = {"ZOOMFLOW_OAUTH_BASE": px.url, "ZOOMFLOW_TOKEN_ENDPOINT": "/env/token"}
            p = cli.run("config", env=env)
            self.assertEqual(p.returncode, 0, p.err)
            shown = json.loads(p.out)
            self.assertEqual(shown["token_endpoint"], {"value": "/env/token",
                                                       "from": "environment"})
            self.assertEqual(shown["revoke_endpoint"], {"value": "/custom/revoke",
                                                        "from": "config file"})
            # file < env < flag: only the flag's path exists at the proxy
            p = cli.connect("--token-endpoint", "/custom/token", env=env)
            self.assertEqual(p.returncode, 0, p.err)
            self.assertIn(px.url + "/custom/authorize?response_type=code", p.err)
            rc, st = self.status(cli)
            self.assertEqual(rc, 0)
            self.assertEqual(st["token_endpoint"], "/custom/token")
            self.assertEqual(st["revoke_endpoint"], "/custom/revoke")
            self.assertEqual(st["oauth_base"], px.url)
            # later commands use the stored endpoints, whatever the settings say now
            os.remove(os.path.join(cfgdir, "config"))
            before = px.count
            self.sim.advance(3700)
            p = cli.run("api", "GET", "/users/me", env={"ZOOMFLOW_OAUTH_BASE": "http://127.0.0.1:9"})
            self.assertEqual(p.returncode, 0, p.err)
            self.assertEqual(self.grants("refresh_token"), 1)
            self.assertEqual(px.count, before + 1)
            p = cli.run("disconnect")
            self.assertEqual(p.returncode, 0, p.err)
            self.assertIn("revoked", p.out)
            self.assertEqual(px.count, before + 2)
            self.assertEqual(self.revokes(), [200])

    def test_bad_endpoint_is_refused_before_anything_is_sent(self):
        cli = CliEnv(self.sim)
        p = cli.connect("--token-endpoint", "custom/token", "--no-browser", "--wait", "5")
        self.assertEqual(p.returncode, 2, p.err)  # a configuration error
        self.assertIn("custom/token", p.err)
        self.assertIn("neither a path nor an http(s) URL", p.err)
        self.assertEqual(self.grants("authorization_code"), 0)

    def test_errors_name_the_server(self):
        cli = CliEnv(self.sim, secret="not-the-secret")
        p = cli.connect("--wait", "20")
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn(f"the authorization server at 127.0.0.1:{self.sim.port} rejected the "
                      "app credentials", p.err)
        self.assertNotIn("Zoom rejected", p.err)

    def test_api_base_rule_agrees_with_config_and_docs(self):
        docs = open(os.path.join(zfharness.SOURCE_DIR, "docs", "cli.md")).read()
        cli = CliEnv(self.sim)
        want = {"https://zoom.us": "https://api.zoom.us/v2",
                "https://zoomgov.com": "https://api.zoomgov.com/v2",
                "http://127.0.0.1:8999": "http://127.0.0.1:8999/v2"}
        for base, api in want.items():
            p = cli.run("--oauth-base", base, "config")
            self.assertEqual(p.returncode, 0, p.err)
            shown = json.loads(p.out)["api_base"]
            self.assertEqual((shown["value"], shown["from"]), (api, "default"), base)
            self.assertIn(f"`{base}` → `{api}`", docs)
            # a profile with no connection builds its URLs with the same rule
            p = cli.run("--profile", "nobody", "--oauth-base", base, "meetings", "create",
                        "--user-id", "me", "--topic", "t", "--dry-run")
            self.assertEqual(p.returncode, 0, p.err)
            self.assertTrue(json.loads(p.out)["url"].startswith(api + "/users/"), p.out)
        p = cli.run("--api-base", "https://proxy.example.com", "config")
        self.assertEqual(json.loads(p.out)["api_base"],
                         {"value": "https://proxy.example.com", "from": "flag"})

    def test_config_shows_the_api_base_without_opening_anything(self):
        # the session's rule over the settings alone: no key, no store made
        cli = CliEnv(self.sim)
        for args in (["--oauth-base", "https://zoomgov.com/", "config"],
                     ["--api-base", "http://127.0.0.1:1/v2/", "config"]):
            p = cli.run(*args)
            self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(json.loads(p.out)["api_base"]["value"], "http://127.0.0.1:1/v2/")
        p = cli.run("--oauth-base", "http://127.0.0.1:8999/", "config")
        self.assertEqual(json.loads(p.out)["api_base"]["value"], "http://127.0.0.1:8999/v2")
        self.assertFalse(cli.store_exists())
        self.assertFalse(os.path.exists(os.path.join(cli.dir, "config", "zoomflow",
                                                     "master.key")))


if __name__ == "__main__":
    unittest.main()
