"""Shared by test_runs_claim.py and test_runs_pg_restart.py: runs
zf_runs_driver (tests/tools/zf_runs_driver.c) as several processes on one
store and checks what they printed and what the store holds."""
import collections
import os
import shutil
import sqlite3
import subprocess
import tempfile

import zfharness
from zfharness import SLOW, binary, pg_sql


def store_sql(dsn, text):
    """The first column of each row of text, as strings, on a sqlite: or
    postgresql: DSN."""
    if dsn.startswith("sqlite:"):
        with sqlite3.connect(dsn[len("sqlite:"):]) as db:
            return [str(r[0]) for r in db.execute(text)]
    return pg_sql(dsn, text)


def seed(test, dsn, runs):
    p = subprocess.run(zfharness.WRAP + [binary("zf_runs_driver"), "--db", dsn, "seed",
                                         "--runs", str(runs)],
                       capture_output=True, text=True, timeout=120 * SLOW)
    test.assertEqual(p.returncode, 0, p.stderr)
    return p.stdout


def start_workers(test, dsn, n, *args):
    """n worker processes; each one's stdout goes to a file (no pipe to
    fill while the others wait). Returns [(popen, path)]; a worker still
    running at the test's end is killed."""
    out = []
    tmp = tempfile.mkdtemp(prefix="zf-runs-")
    test.addCleanup(shutil.rmtree, tmp, True)
    for i in range(n):
        path = os.path.join(tmp, f"w{i}.out")
        f = open(path, "w")
        p = subprocess.Popen(zfharness.WRAP + [binary("zf_runs_driver"), "--db", dsn, "work",
                                               "--owner", f"w{i}", *args],
                             stdout=f, stderr=subprocess.PIPE, text=True)
        f.close()
        test.addCleanup(stop, p)
        out.append((p, path))
    return out


def stop(p):
    if p.poll() is None:
        p.kill()
        p.communicate()


def lines_of(workers):
    ev = []
    for _, path in workers:
        with open(path) as f:
            ev += [l.split() for l in f.read().splitlines() if l.strip()]
    return ev


def wait_workers(test, workers, timeout):
    for p, _ in workers:
        try:
            _, err = p.communicate(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            test.fail("a worker hung")
        test.assertEqual(p.returncode, 0, err[-2000:])


def check(test, dsn, workers, runs, faults=False):
    """The promises, from the lines printed and the store's rows:
      - no lease (run id, seq) was handed out twice;
      - every run's step s1 was recorded sent exactly once (attempts 1), so
        its request went out once: a later owner reconciled it;
      - every run is done.
    Without faults every lease a claim made was printed (seqs 1..k)."""
    ev = lines_of(workers)
    claims = collections.Counter((e[1], e[2]) for e in ev if e[0] == "claim")
    twice = [k for k, c in claims.items() if c > 1]
    test.assertEqual(twice, [], "leases handed to two owners")
    sends = collections.Counter(e[1] for e in ev if e[0] == "send")
    test.assertEqual([k for k, c in sends.items() if c > 1], [], "a step sent twice")
    test.assertEqual(store_sql(dsn, "SELECT COUNT(*) FROM workflow_runs WHERE state = 'done'"),
                     [str(runs)])
    test.assertEqual(store_sql(dsn, "SELECT COUNT(*) FROM workflow_steps WHERE state = 'done' "
                                    "AND attempts = 1"), [str(runs)])
    test.assertEqual(store_sql(dsn, "SELECT COUNT(*) FROM workflow_steps"), [str(runs)])
    if not faults:
        test.assertEqual(len(sends), runs)
        by_run = collections.defaultdict(list)
        for rid, seq in claims:
            by_run[rid].append(int(seq))
        test.assertEqual(len(by_run), runs)
        for rid, seqs in by_run.items():
            test.assertEqual(sorted(seqs), list(range(1, len(seqs) + 1)), rid)
        test.assertEqual(store_sql(dsn, "SELECT SUM(lease_seq) FROM workflow_runs"),
                         [str(len(claims))])
    return ev
