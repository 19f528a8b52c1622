"""zoomflow on the PostgreSQL store, through the CLI: connect (OAuth with
PKCE at zoomsim), status and an API call on a fresh schema of the test
server (the ctest fixture's, ZF_TEST_PG_DIR, or ZF_TEST_PG_DSN; without one
that test skips). With no server at all: a DSN's password never shows, not
in `zoomflow config`, not in the error of a server that cannot be reached."""
import os
import shutil
import socket
import unittest

from cliharness import CliEnv
from zfharness import Sim, pg_server_dsn, pg_sql, pg_with_schema, psql_path


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class CliOnPostgres(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--auto-approve")

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.cli = CliEnv(self.sim)
        self.addCleanup(shutil.rmtree, self.cli.dir, True)

    def test_connect_status_and_call_on_a_fresh_schema(self):
        base = pg_server_dsn()
        if not base or not psql_path():
            self.skipTest("no PostgreSQL test server (ctest starts one when PostgreSQL 15 "
                          "is installed: scripts/install-deps --test)")
        schema = f"zc_{os.getpid()}"
        pg_sql(base, f"CREATE SCHEMA {schema}")
        self.addCleanup(pg_sql, base, f"DROP SCHEMA {schema} CASCADE")
        dsn = pg_with_schema(base, schema)
        env = {"ZOOMFLOW_DB": dsn}
        p = self.cli.connect(env=env)
        self.assertEqual(p.returncode, 0, p.err)
        p = self.cli.run("status", env=env)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("VALID", p.out)
        p = self.cli.run("api", "GET", "/users/me", env=env)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn('"id"', p.out)
        self.assertEqual(pg_sql(dsn, "SELECT id FROM connections"), ["default"])
        # each migration once; numbers are reserved per branch, so they have gaps
        self.assertEqual(pg_sql(dsn, "SELECT COUNT(DISTINCT version) FROM schema_version"),
                         pg_sql(dsn, "SELECT COUNT(*) FROM schema_version"))
        self.assertGreaterEqual(int(pg_sql(dsn, "SELECT MAX(version) FROM schema_version")[0]),
                                int(pg_sql(dsn, "SELECT COUNT(*) FROM schema_version")[0]))
        stored = "\n".join(pg_sql(dsn, "SELECT c::text FROM connections c"))
        for t in self.sim.state()["auth"]["tokens"]:  # sealed, never in clear
            self.assertNotIn(t["token"], stored)
        self.assertNotIn("zoomsim-secret", stored)
        self.assertIn("zoomsim-client", stored)  # the check can see the row

    def test_password_never_shown(self):
        port = closed_port()
        dsn = f"postgresql://zf:hunter2-pw@127.0.0.1:{port}/zoomflow"
        p = self.cli.run("--db", dsn, "config")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertNotIn("hunter2-pw", p.out + p.err)
        self.assertIn(f"postgresql://zf:[redacted]@127.0.0.1:{port}/zoomflow", p.out)
        p = self.cli.run("--db", dsn, "status")
        self.assertEqual(p.returncode, 1, p.err)
        self.assertIn(f"cannot connect to the database postgresql://zf@127.0.0.1:{port}/zoomflow",
                      p.err)
        self.assertIn("Connection refused", p.err)
        self.assertIn("hint: check the DSN's host and port", p.err)
        self.assertNotIn("hunter2-pw", p.out + p.err)
        p = self.cli.run("--db", "postgresql:host=127.0.0.1 port=%d password='hunter2-pw' "
                         "dbname=zoomflow" % port, "config")
        self.assertNotIn("hunter2-pw", p.out + p.err)
        self.assertIn("password=[redacted]", p.out)


if __name__ == "__main__":
    unittest.main()
