"""Issue 12: workflow runs claimed by several processes on one store
(zf_runs_driver, as replicas would: SQLite's one writer, or PostgreSQL's
FOR UPDATE SKIP LOCKED; integ.test_runs_claim.pg runs it on the fixture's
server). Checked: no lease is handed to two owners, each run's step goes
out once, abandoned runs are taken over when their lease ends and the
step a dead owner recorded sent is reconciled, not sent again. The server
restart is test_runs_pg_restart.py."""
import collections
import shutil
import tempfile
import unittest

from runsharness import check, seed, start_workers, wait_workers
from zfharness import StoreDB

RUNS = 120


class RunsClaimTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="zf-runs-claim-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.db = StoreDB(self.tmp)
        self.addCleanup(self.db.drop)

    def test_three_processes_each_run_once(self):
        self.assertIn(f"created={RUNS}", seed(self, self.db.dsn, RUNS))
        # seeding again (a trigger delivered again) makes no run
        self.assertIn("created=0", seed(self, self.db.dsn, RUNS))
        w = start_workers(self, self.db.dsn, 3, "--ttl", "30", "--batch", "4")
        wait_workers(self, w, 120)
        ev = check(self, self.db.dsn, w, RUNS)
        self.assertEqual(sum(1 for e in ev if e[0] == "claim"), RUNS)  # no takeover needed
        self.assertEqual(sum(1 for e in ev if e[0] == "worked"), 3)

    def test_abandoned_runs_are_taken_over(self):
        seed(self, self.db.dsn, RUNS)
        w = start_workers(self, self.db.dsn, 3, "--ttl", "1", "--batch", "3", "--abandon-every", "20")
        wait_workers(self, w, 120)
        ev = check(self, self.db.dsn, w, RUNS)
        kinds = collections.Counter(e[0] for e in ev)
        self.assertGreater(kinds["abandon"], 0)
        self.assertGreater(kinds["reconcile"], 0)  # sent by a dead owner: not sent again
        self.assertGreater(kinds["claim"], RUNS)


if __name__ == "__main__":
    unittest.main()
