"""`zoomflow config` shows what the settings come to, and a mistyped
--key-file never silently starts a second master key: against zoomsim,
through the real binary.

  * effective.db / effective.key_file: absolute paths, where each came
    from, whether it exists; effective.api_base: the connection's api_url
    when no api_base is set;
  * a key file that does not exist beside a store that holds connections
    is refused (exit 2, ECONFIG) and not created; on an empty store the
    first use creates it, as before.
"""
import json
import os
import shutil
import unittest

from cliharness import CliEnv
from zfharness import Sim


class ConfigAndKey(unittest.TestCase):
    def setUp(self):
        self.sim = Sim("--auto-approve")
        self.cli = CliEnv(self.sim)
        p = self.cli.connect()
        self.assertEqual(p.returncode, 0, p.err)
        self.key = os.path.join(self.cli.env["XDG_CONFIG_HOME"], "zoomflow", "master.key")
        self.assertTrue(os.path.exists(self.key))

    def tearDown(self):
        self.sim.stop()
        shutil.rmtree(self.cli.dir, ignore_errors=True)

    def config(self, *args, **kw):
        p = self.cli.run(*args, "config", **kw)
        self.assertEqual(p.returncode, 0, p.err)
        return json.loads(p.out)["effective"]

    def test_effective_values(self):
        e = self.config()
        if self.cli.store.schema:  # a DSN (no password in it) has no path
            self.assertEqual(e["db"], {"value": self.cli.db_url, "from": "environment"})
        else:
            self.assertEqual(e["db"], {"value": self.cli.db_url, "from": "environment",
                                       "path": self.cli.db_path, "exists": True})
        self.assertEqual(e["key_file"], {"value": self.key, "from": "default", "exists": True})
        self.assertTrue(e["api_base"]["value"].endswith("/v2"), e)
        # a relative store path is shown absolute, from the flag
        e = self.config("--db", "sqlite:rel.db", cwd=self.cli.dir)
        self.assertEqual(e["db"]["path"], os.path.join(self.cli.dir, "rel.db"))
        self.assertEqual((e["db"]["from"], e["db"]["exists"]), ("flag", False))
        self.assertFalse(os.path.exists(os.path.join(self.cli.dir, "rel.db")))
        # a pinned api_base wins over the connection's
        e = self.config("--api-base", "http://127.0.0.1:9/v2")
        self.assertEqual(e["api_base"], {"value": "http://127.0.0.1:9/v2", "from": "flag"})
        # the key itself in the environment
        e = self.config(env={"ZOOMFLOW_MASTER_KEY": "00" * 32})
        self.assertEqual(e["key_file"], {"value": "ZOOMFLOW_MASTER_KEY", "from": "environment"})

    def test_connection_api_base(self):
        # zoomsim's token response names its api_url: config shows the one calls use
        e = self.config()
        dry = self.cli.run("users", "list", "--dry-run")
        self.assertEqual(dry.returncode, 0, dry.err)
        self.assertTrue(json.loads(dry.out)["url"].startswith(e["api_base"]["value"] + "/"),
                        (e, dry.out))

    def test_mistyped_key_file_is_refused(self):
        typo = os.path.join(self.cli.dir, "config", "zoomflow", "master.kye")
        for args in (["--key-file", typo, "status"], ["status", "--key-file", typo],
                     ["--key-file", typo, "users", "list"]):
            with self.subTest(args=args):
                p = self.cli.run(*args)
                self.assertEqual(p.returncode, 2, p.err)
                self.assertIn(f"the key file {typo} does not exist, but the store already "
                              "holds 1 connection (default)", p.err)
                self.assertIn("--key-file FILE", p.err)
                self.assertFalse(os.path.exists(typo))
        # the same for a lost default key file
        os.rename(self.key, self.key + ".bak")
        p = self.cli.run("status")
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn("does not exist", p.err)
        self.assertFalse(os.path.exists(self.key))
        os.rename(self.key + ".bak", self.key)
        p = self.cli.run("status")
        self.assertEqual(p.returncode, 0, p.err)

    def test_new_key_on_an_empty_store(self):
        fresh = os.path.join(self.cli.dir, "fresh.key")
        db = "sqlite:" + os.path.join(self.cli.dir, "fresh.db")
        p = self.cli.run("--db", db, "--key-file", fresh, "connect", "--client-secret-file",
                         self.cli.secret_file)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertTrue(os.path.exists(fresh))
        p = self.cli.run("--db", db, "--key-file", fresh, "status")
        self.assertEqual(p.returncode, 0, p.err)


if __name__ == "__main__":
    unittest.main()
