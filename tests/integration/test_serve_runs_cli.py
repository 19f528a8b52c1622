"""zoomflow serve: the runs routes over runs the real CLI makes
(`zoomflow run FILE --org ORG [--queue]`) on the service's store against
zoomsim: acme is connected over Server-to-Server OAuth and one run's step
reads a meeting zoomsim does not have (404), so there is a failed run to
retry. Covered: the list newest first, its filters and keyset pages (every
run on exactly one page, also while runs are added between pages); show is
the CLI's `runs show --json` byte for byte; retry and cancel (audited; 409
with the hint when the state does not allow it; 8 racing cancels: one
wins; a running run cancelled while zoomsim holds its request: its worker
stops before the next step); roles; another org's ids are 404. The routes'
input checks and the workflows routes are test_serve_runs.py's."""
import json
import os
import subprocess
import threading
import time
import unittest

from srvharness import Serve
from zfharness import SLOW, WRAP, Sim, binary

WF = """name: {name}
description: {desc}
on: manual
steps:
  - id: look
    action: get_meeting
    with:
      meeting_id: "{{{{ event.meeting_id }}}}"
"""


class RunsCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--s2s-app", "zoomsim-s2s:zoomsim-s2s-secret")
        try:
            cls.setup()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def setup(cls):
        s = cls.s = Serve("--workers", "0", sim=cls.sim)  # runs wait in their states
        for org in ("acme", "globex"):
            s.org(org)
        cls.keys = {r: s.key("acme", f"k-{r}", r) for r in ("viewer", "operator", "admin")}
        cls.keys["globex"] = s.key("globex", "k-admin", "admin")
        r = cls.req("admin", "POST", "/api/v1/connection", {
            "client_id": "zoomsim-s2s", "client_secret": "zoomsim-s2s-secret",
            "account_id": cls.sim.state()["account_id"]})
        assert r.status == 200, r
        cls.files = {}
        cls.tid = iter(range(1, 1000000))
        cls.make_runs()

    @classmethod
    def make_runs(cls):
        for name in ("wf-probe-a", "wf-probe-b"):
            cls.files[name] = cls.write_wf(name, f"probe {name}")
        # acme: 4 queued a, 2 queued b, 1 failed a; globex: 1 queued a
        cls.queued = [cls.start("acme", "wf-probe-a") for _ in range(4)]
        cls.queued_b = [cls.start("acme", "wf-probe-b") for _ in range(2)]
        cls.failed = cls.start("acme", "wf-probe-a", queue=False)
        cls.other = cls.start("globex", "wf-probe-a")

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop() if getattr(cls, "s", None) else 0
        cls.sim.stop()
        if rc != 0:
            raise AssertionError(f"zoomflow serve exited {rc}: {cls.s.stderr()[-3000:]}")

    @classmethod
    def write_wf(cls, name, desc):
        path = os.path.join(cls.s.dir, name + ".yaml")
        with open(path, "w") as f:
            f.write(WF.format(name=name, desc=desc))
        return path

    @classmethod
    def cli(cls, *args):
        return subprocess.run(WRAP + [binary("zoomflow")] + list(args), capture_output=True,
                              text=True, env=cls.s.env, timeout=120 * SLOW)

    @classmethod
    def start(cls, org, name, queue=True):
        """A run of the workflow in org by the CLI; its id."""
        tid = f"t{next(cls.tid)}"
        args = ["run", cls.files[name], "--org", org, "--event", '{"meeting_id": 404404404}',
                "--trigger-id", tid]
        p = cls.cli(*args, *(["--queue", "--json"] if queue else []))
        if queue:
            assert p.returncode == 0, p.stderr
            return json.loads(p.stdout)["id"]
        assert p.returncode != 0, p.stdout + p.stderr
        rows = cls.get("admin", f"/api/v1/runs?state=failed&workflow={name}").json()["runs"]
        return rows[0]["id"]

    @classmethod
    def req(cls, who, method, path, body=None):
        return cls.s.request(method, path, body, key=cls.keys[who])

    @classmethod
    def get(cls, who, path):
        return cls.req(who, "GET", path)

    def error(self, r, status, code, hint=None):
        self.assertEqual(r.status, status, r)
        e = r.json()["error"]
        self.assertEqual(e["code"], code, r)
        if hint:
            self.assertEqual(e.get("hint_id"), hint, r)
            self.assertTrue(e.get("hint"), r)
        return e

    def audit(self):
        return self.get("admin", "/api/v1/audit?limit=200").json()["entries"]


class TestList(RunsCase):
    def test_newest_first_org_only(self):
        r = self.get("viewer", "/api/v1/runs")
        self.assertEqual(r.status, 200, r)
        runs = r.json()["runs"]
        ids = [x["id"] for x in runs]
        self.assertEqual(ids, sorted(ids, reverse=True))
        for want in self.queued + self.queued_b + [self.failed]:
            self.assertIn(want, ids)
        self.assertNotIn(self.other, ids)
        self.assertTrue(all(x["org"] == "acme" for x in runs))
        self.assertTrue(all("steps" not in x for x in runs))
        self.assertIsNone(r.json()["next_before"])

    def test_filters(self):
        q = self.get("viewer", "/api/v1/runs?state=queued&workflow=wf-probe-b").json()["runs"]
        self.assertEqual(sorted(x["id"] for x in q), sorted(self.queued_b))
        f = self.get("viewer", "/api/v1/runs?state=failed").json()["runs"]
        self.assertIn(self.failed, [x["id"] for x in f])
        self.assertTrue(all(x["state"] == "failed" for x in f))
        a = self.get("viewer", "/api/v1/runs?workflow=wf-probe-a").json()["runs"]
        self.assertTrue(all(x["workflow"] == "wf-probe-a" for x in a))
        self.assertTrue(set(self.queued) <= {x["id"] for x in a})
        none = self.get("viewer", "/api/v1/runs?workflow=no-such-thing")
        self.assertEqual(none.json(), {"runs": [], "next_before": None})

    def test_pages_while_runs_are_added(self):
        seen = []
        before = None
        added = []
        for page in range(100):
            path = "/api/v1/runs?limit=2" + (f"&before={before}" if before else "")
            r = self.get("viewer", path)
            self.assertEqual(r.status, 200, r)
            body = r.json()
            self.assertLessEqual(len(body["runs"]), 2)
            seen += [x["id"] for x in body["runs"]]
            if page == 1:  # a run created meanwhile is newer: never on a later page
                added.append(self.start("acme", "wf-probe-b"))
            before = body["next_before"]
            if before is None:
                break
            self.assertIsInstance(before, str)
        self.assertEqual(len(seen), len(set(seen)), seen)
        self.assertEqual(seen, sorted(seen, reverse=True))
        self.assertNotIn(added[0], seen)
        everything = [x["id"] for x in self.get("viewer", "/api/v1/runs?limit=200").json()["runs"]]
        self.assertEqual(seen, [i for i in everything if i not in added])

    def test_cli_pages_as_rest(self):
        """`runs list --limit 3 [--before ID]`: the same pages as the REST
        list, its next_before the --before of the next page; the text form
        says how to get the next page on stderr."""
        rest = [x["id"] for x in self.get("viewer", "/api/v1/runs?limit=200").json()["runs"]]
        seen, before = [], None
        for _ in range(100):
            p = self.cli("runs", "list", "--org", "acme", "--limit", "3", "--json",
                         *(["--before", str(before)] if before else []))
            self.assertEqual(p.returncode, 0, p.stderr)
            body = json.loads(p.stdout)
            self.assertLessEqual(len(body["runs"]), 3)
            seen += [x["id"] for x in body["runs"]]
            before = body["next_before"]
            if before is None:
                break
            self.assertEqual(before, seen[-1])
        self.assertEqual(seen, rest)
        p = self.cli("runs", "list", "--org", "acme", "--limit", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout.splitlines()), 2)
        self.assertIn(f"the same command with --before {rest[1]} shows the next page", p.stderr)
        for bad in ("0", "r12", "-3", "x"):
            p = self.cli("runs", "list", "--org", "acme", "--before", bad)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertIn("--before", p.stderr)
            self.assertIn("run id", p.stderr)


class TestShow(RunsCase):
    def test_same_as_cli(self):
        for rid in (self.failed, self.queued[0]):
            r = self.get("viewer", f"/api/v1/runs/{rid}")
            self.assertEqual(r.status, 200, r)
            p = self.cli("runs", "show", str(rid), "--org", "acme", "--json")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(r.json(), json.loads(p.stdout))

    def test_failed_run_says_why(self):
        run = self.get("viewer", f"/api/v1/runs/{self.failed}").json()
        self.assertEqual(run["state"], "failed")
        self.assertEqual(run["workflow"], "wf-probe-a")
        self.assertEqual(run["input"], {"meeting_id": 404404404})
        self.assertTrue(run["error"]["message"], run)
        self.assertIsInstance(run["steps"], list)

    def test_unknown_and_bad_ids(self):
        for rid in ("999999999", "abc", "0", "-1", "1.5", "99999999999999999999"):
            e = self.error(self.get("viewer", f"/api/v1/runs/{rid}"), 404, "ENOTFOUND",
                           "LIST_RUNS")
            self.assertIn("run", e["message"])
        for rid in ("abc", "999999999"):
            self.error(self.req("operator", "POST", f"/api/v1/runs/{rid}/retry"), 404,
                       "ENOTFOUND", "LIST_RUNS")

    def test_other_org_is_404(self):
        for method, path in (("GET", f"/api/v1/runs/{self.queued[0]}"),
                             ("POST", f"/api/v1/runs/{self.queued[0]}/cancel"),
                             ("POST", f"/api/v1/runs/{self.failed}/retry")):
            self.error(self.req("globex", method, path), 404, "ENOTFOUND")
        self.assertEqual(self.get("admin", f"/api/v1/runs/{self.queued[0]}").json()["state"],
                         "queued")
        g = self.get("globex", "/api/v1/runs").json()["runs"]
        self.assertEqual([x["id"] for x in g], [self.other])
        self.error(self.get("admin", f"/api/v1/runs/{self.other}"), 404, "ENOTFOUND")


class TestChange(RunsCase):
    def test_retry_failed_then_409(self):
        before = self.get("viewer", f"/api/v1/runs/{self.failed}").json()
        r = self.req("operator", "POST", f"/api/v1/runs/{self.failed}/retry")
        self.assertEqual(r.status, 200, r)
        run = r.json()
        self.assertEqual(run["state"], "queued")
        self.assertEqual(run["attempts"], before["attempts"] + 1)
        self.assertIsNone(run["error"])
        self.assertIn("steps", run)
        e = self.error(self.req("operator", "POST", f"/api/v1/runs/{self.failed}/retry"), 409,
                       "ECONFLICT", "RUN_NOT_FAILED")
        self.assertIn(f"run {self.failed} is queued", e["message"])
        mine = [a for a in self.audit() if a["action"] == "run.retry"
                and a["detail"].startswith(f"run {self.failed} ")]
        self.assertEqual([a["outcome"] for a in mine], ["ok"])
        self.assertTrue(all(a["actor"].startswith("key:") for a in mine))

    def test_cancel_queued_then_409(self):
        rid = self.queued[1]
        r = self.req("operator", "POST", f"/api/v1/runs/{rid}/cancel")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "cancelled")
        self.assertIsNotNone(r.json()["finished_at"])
        e = self.error(self.req("admin", "POST", f"/api/v1/runs/{rid}/cancel"), 409, "ECONFLICT",
                       "RUN_FINISHED")
        self.assertIn("cancelled", e["message"])
        e = self.error(self.req("operator", "POST", f"/api/v1/runs/{rid}/retry"), 409,
                       "ECONFLICT", "RUN_NOT_FAILED")
        self.assertIn(f"run {rid} is cancelled", e["message"])
        cancels = [a for a in self.audit() if a["action"] == "run.cancel"
                   and a["detail"].startswith(f"run {rid} ")]
        self.assertEqual([a["outcome"] for a in cancels], ["ok"])

    def test_racing_cancels_one_wins(self):
        rid = self.queued[2]
        out = []

        def cancel():
            out.append(self.req("operator", "POST", f"/api/v1/runs/{rid}/cancel").status)

        threads = [threading.Thread(target=cancel) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120 * SLOW)
        self.assertEqual(sorted(out), [200] + [409] * 7, out)

    def test_viewer_refused(self):
        rid = self.queued[3]
        for action in ("retry", "cancel"):
            e = self.error(self.req("viewer", "POST", f"/api/v1/runs/{rid}/{action}"), 403,
                           "EFORBIDDEN", "NEED_ROLE")
            self.assertIn("operator", e["message"])
        self.assertEqual(self.get("viewer", f"/api/v1/runs/{rid}").json()["state"], "queued")
        r = self.s.request("POST", f"/api/v1/runs/{rid}/cancel")
        self.error(r, 401, "EAUTH")


class TestCancelRunning(RunsCase):
    """A store of its own: the worker claims every queued run of the store."""

    @classmethod
    def make_runs(cls):
        cls.files = {}

    def test_cancel_running_stops_the_worker(self):
        """A run in flight (its first request held 3 s by zoomsim) cancelled
        over REST: the worker stops at its next write, the second step is
        never sent."""
        path = os.path.join(self.s.dir, "two.yaml")
        with open(path, "w") as f:
            f.write("name: wf-probe-two\non: manual\nsteps:\n"
                    "  - id: people\n    action: list_users\n    with: {}\n"
                    "  - id: look\n    action: get_meeting\n    with:\n"
                    "      meeting_id: \"{{ event.meeting_id }}\"\n")
        self.files["wf-probe-two"] = path
        r = self.sim.request("POST", "/_sim/faults", body={"rules": [
            {"kind": "latency", "route": "users.list", "delay_ms": 3000}]})
        self.assertEqual(r.status, 201, r)
        try:
            rid = self.start("acme", "wf-probe-two")
            worker = subprocess.Popen(WRAP + [binary("zoomflow"), "runs", "work", "--org", "acme",
                                              "--once", "--lease-ttl", "10"], env=self.s.env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                end = time.time() + 60 * SLOW
                while time.time() < end:
                    run = self.get("viewer", f"/api/v1/runs/{rid}").json()
                    sent = [x for x in run.get("steps", []) if x["id"] == "people"
                            and x["state"] == "sent"]
                    if run["state"] == "running" and sent:
                        break
                    time.sleep(0.05)
                else:
                    self.fail(f"the run did not get to its first request: {run}")
                r = self.req("operator", "POST", f"/api/v1/runs/{rid}/cancel")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["state"], "cancelled")
                self.assertNotIn("lease", r.json())
                worker.wait(120 * SLOW)
            finally:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
                err = worker.stderr.read().decode(errors="replace")
                worker.stderr.close()
        finally:
            self.sim.request("DELETE", "/_sim/faults")
        self.assertEqual(worker.returncode, 0, err)
        run = self.get("viewer", f"/api/v1/runs/{rid}").json()
        self.assertEqual(run["state"], "cancelled", err)
        look = [x for x in run["steps"] if x["id"] == "look"]
        self.assertTrue(all(x["state"] == "pending" for x in look), run)
        self.assertEqual(self.sim.requests_log(route="meetings.get")["requests"], [], err)
        self.assertEqual(len(self.sim.requests_log(route="users.list")["requests"]), 1, err)


if __name__ == "__main__":
    unittest.main()
