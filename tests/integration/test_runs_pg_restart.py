"""Issue 12: the PostgreSQL server restarts while 3 processes claim and
work runs (zf_runs_driver --tolerate-errors). A write cut off by the
restart may or may not have happened; the worker leaves that run, its
lease runs out and another takes it over. Nothing is lost and nothing is
done twice: every run ends done, each step was recorded sent once (so its
request went out once), no lease went to two owners.

A dedicated server (scripts/pg-test-server start/restart/stop in a
temporary directory), not the ctest fixture's, as test_pg_restart.py."""
import collections
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import zfharness
from runsharness import check, lines_of, seed, start_workers, wait_workers
from zfharness import SLOW

SCRIPT = os.path.join(zfharness.SOURCE_DIR, "scripts", "pg-test-server")
PG_BIN = "/usr/lib/postgresql/15/bin"
RUNS = 200


def pg_installed():
    return all(os.access(os.path.join(PG_BIN, b), os.X_OK) for b in ("initdb", "pg_ctl", "psql"))


@unittest.skipUnless(pg_installed(), "PostgreSQL 15 is not installed (scripts/install-deps --test)")
class RunsPgRestartTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="zf-runs-restart-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.pgdir = os.path.join(self.tmp, "pg")
        p = subprocess.run([SCRIPT, "start", self.pgdir], capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.addCleanup(subprocess.run, [SCRIPT, "stop", self.pgdir], timeout=120)
        self.dsn = p.stdout.decode().strip()

    @zfharness.heavy
    def test_restart_during_claims(self):
        seed(self, self.dsn, RUNS)
        w = start_workers(self, self.dsn, 3, "--ttl", "2", "--batch", "2", "--tolerate-errors",
                          "--max-seconds", "90")
        deadline = time.monotonic() + 30 * SLOW
        while sum(1 for e in lines_of(w) if e[0] == "done") < 30:
            self.assertLess(time.monotonic(), deadline, "no progress before the restart")
            time.sleep(0.02)
        p = subprocess.run([SCRIPT, "restart", self.pgdir, "1"], capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        wait_workers(self, w, 120)
        ev = check(self, self.dsn, w, RUNS, faults=True)
        kinds = collections.Counter(e[0] for e in ev)
        print(f"\n{dict(kinds)}")
        self.assertGreater(kinds["error"], 0, "the restart cut nothing off")
        for e in ev:
            if e[0] == "error":  # every failure is the store's, naming the lost server
                self.assertEqual(e[1], "ESTORE", " ".join(e))


if __name__ == "__main__":
    unittest.main()
