"""Issue 12, the runner's features through the real CLI against zoomsim:

* a step's `retry:` policy over a transient 5xx (zoomsim status fault,
  count 2): the step is done on its third attempt;
* for_each with concurrency: 50 registrants with concurrency 8 and with 1,
  exactly 50 each; the requests of concurrency 8 overlap in zoomsim's log
  (arrived_ms / answered_ms), those of concurrency 1 never do;
* a concurrent for_each killed (SIGKILL) with requests in flight and
  answers dropped, then resumed: every registrant sent exactly once;
* the town hall example, 300 attendees with zoomsim's rate limits on: the
  shared pacer keeps 429s to almost none;
* recordings-archive.yaml from `zoomflow run --event @payload.json` with a
  recording.completed event: every file in the archive directory, the
  manifest right; killed in the middle of a download (a truncated body,
  then the resume held by a latency rule), resumed: files complete, hashes
  right, each file once in the manifest;
* `zoomflow run --csv` on a terminal: the progress bar on stderr, the
  summary; nothing on stderr off a terminal.
"""
import hashlib
import json
import os
import signal
import subprocess
import time
import urllib.request

import zfharness
from cliharness import ConnectedTest
from zfharness import SLOW, WRAP, binary

EXAMPLES = os.path.join(zfharness.SOURCE_DIR, "examples", "workflows")
TOWN_HALL = os.path.join(EXAMPLES, "town-hall.yaml")
ARCHIVE = os.path.join(EXAMPLES, "recordings-archive.yaml")
NEW_HIRE = os.path.join(EXAMPLES, "new-hire-day-one.yaml")
MB = 1024 * 1024

REGISTER = """name: register-{conc}
on: manual
steps:
  - id: register
    action: add_meeting_registrant
    for_each: "{{{{ event.attendees }}}}"
    concurrency: {conc}
    with:
      meeting_id: "{{{{ event.meeting_id }}}}"
      email: "{{{{ item.email }}}}"
      first_name: "{{{{ item.first_name }}}}"
      auto_approve: true
    retry: {{max_attempts: 5, delay_ms: 200}}
"""


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(MB), b""):
            h.update(b)
    return h.hexdigest()


def max_in_flight(entries):
    """The most requests of entries that were at zoomsim at one moment."""
    ev = []
    for e in entries:
        ev.append((e["arrived_ms"], 1))
        ev.append((e["answered_ms"], -1))
    ev.sort(key=lambda x: (x[0], x[1]))  # an answer before an arrival at the same ms
    cur = best = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


class WorkflowFeaturesTest(ConnectedTest):
    NO_LIMITS = True

    def setUp(self):
        super().setUp()
        self.procs = []
        self.sim.request("DELETE", "/_sim/requests")

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(30)

    # ---- helpers -----------------------------------------------------------
    def faults(self, *rules):
        r = self.sim.request("POST", "/_sim/faults", body={"rules": list(rules)})
        self.assertEqual(r.status, 201, r)

    def fired(self, kind):
        rules = self.sim.request("GET", "/_sim/faults").json()["rules"]
        return sum(r["fired"] for r in rules if r["kind"] == kind)

    def registrants(self, mid):
        return self.sim.state()["data"]["counts"]["registrants"].get(str(mid), 0)

    def log(self, route):
        return self.sim.requests_log(route=route)["requests"]

    def run_id(self, tid):
        rows = self.cli.sql(f"SELECT id FROM workflow_runs WHERE trigger_id = '{tid}'")
        self.assertEqual(len(rows), 1, rows)
        return rows[0]

    def show(self, tid):
        p = self.cli.run("runs", "show", self.run_id(tid), "--json")
        self.assertEqual(p.returncode, 0, p.err)
        return json.loads(p.out)

    def count_steps(self, tid, state):
        return int(self.cli.sql("SELECT count(*) FROM workflow_steps s JOIN workflow_runs r ON "
                                f"r.id = s.run_id WHERE r.trigger_id = '{tid}' AND "
                                f"s.state = '{state}'")[0])

    def wait_for(self, what, timeout=30):
        end = time.time() + timeout * SLOW
        while time.time() < end:
            v = what()
            if v:
                return v
            time.sleep(0.05)
        self.fail("timed out waiting")

    def background(self, *args, env=None):
        p = subprocess.Popen(WRAP + [binary("zoomflow"), *args], env={**self.cli.env, **(env or {})},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def rerun_after_lease(self, *args, env=None):
        """The same command again once the dead process's lease (2 s) ended."""
        def attempt():
            p = self.cli.run(*args, env=env)
            return p if "lease" not in p.err else None
        return self.wait_for(attempt, timeout=30)

    # ---- retry ----------------------------------------------------------------
    def test_transient_5xx_retried_by_the_steps_policy(self):
        wf = self.write("retry.yaml", """name: retry-user
on: manual
steps:
  - id: account
    action: create_user
    with:
      action: create
      user_info: {email: "{{ event.email }}", type: 1, first_name: Rita}
    retry: {max_attempts: 3, backoff: fixed, delay_ms: 100}
""")
        # each attempt of a create_user step is the action's two tries (the
        # create; after a 5xx a look that finds nothing; the create again),
        # so a 5xx that lasts 4 requests costs the step two attempts
        self.faults({"kind": "status", "status": 503, "route": "users.create", "count": 4})
        p = self.cli.run("run", wf, "--event", '{"email": "rita@example.com"}',
                         "--trigger-id", "retry-1", "--json")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        run = json.loads(p.out)
        self.assertEqual(run["state"], "done")
        step = run["steps"][0]
        self.assertEqual((step["state"], step["attempts"]), ("done", 3))
        self.assertIn("retry 2 of 3 in 100 ms", p.err)
        self.assertIn("retry 3 of 3 in 100 ms", p.err)
        statuses = [e["status"] for e in self.log("users.create")]
        self.assertEqual(statuses, [503, 503, 503, 503, 201])
        users = [u for u in self.sim.state()["data"]["users"] if u["email"] == "rita@example.com"]
        self.assertEqual(len(users), 1)
        # count 2: the action's own second try gets one, the policy the other
        self.faults({"kind": "status", "status": 500, "route": "users.create", "count": 2})
        p = self.cli.run("run", wf, "--event", '{"email": "rita1@example.com"}',
                         "--trigger-id", "retry-2", "--json")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertEqual(json.loads(p.out)["steps"][0]["attempts"], 2)
        # a fault that outlasts the policy: failed after its 3 attempts
        self.faults({"kind": "status", "status": 502, "route": "users.create", "count": 6})
        p = self.cli.run("run", wf, "--event", '{"email": "rita2@example.com"}',
                         "--trigger-id", "retry-3", "--json")
        self.assertNotEqual(p.returncode, 0)
        self.assertTrue(p.out, p.err)
        run = json.loads(p.out)
        self.assertEqual(run["state"], "failed")
        self.assertEqual(run["steps"][0]["attempts"], 3)
        self.assertEqual(run["error"]["step"], "account")
        self.assertFalse([u for u in self.sim.state()["data"]["users"]
                          if u["email"] in ("rita2@example.com",)])

    # ---- concurrency ------------------------------------------------------------
    def register(self, conc, n, tid, prefix):
        mid = self.meeting()
        wf = self.write(f"register-{conc}.yaml", REGISTER.format(conc=conc))
        ev = {"meeting_id": mid, "attendees": [{"email": f"{prefix}{i}@example.com",
                                                "first_name": f"P{i}"} for i in range(n)]}
        evf = self.write(f"{tid}.json", json.dumps(ev))
        self.sim.request("DELETE", "/_sim/requests")
        p = self.cli.run("run", wf, "--event", "@" + evf, "--trigger-id", tid, timeout=300)
        self.assertEqual(p.returncode, 0, p.out[-2000:] + p.err[-2000:])
        return mid, self.log("registrants.create")

    @zfharness.heavy  # valgrind runs one thread at a time: no overlap to see
    def test_concurrency_8_overlaps_and_1_does_not(self):
        self.faults({"kind": "latency", "route": "registrants.create", "delay_ms": 100})
        mid8, log8 = self.register(8, 50, "conc-8", "eight")
        mid1, log1 = self.register(1, 50, "conc-1", "one")
        self.assertEqual(self.registrants(mid8), 50)
        self.assertEqual(self.registrants(mid1), 50)
        self.assertEqual((len(log8), len(log1)), (50, 50))  # one request per item
        self.assertTrue(all(e["status"] == 201 for e in log8 + log1))
        self.assertEqual(self.count_steps("conc-8", "done"), 50)
        over8, over1 = max_in_flight(log8), max_in_flight(log1)
        self.assertGreaterEqual(over8, 2, "concurrency 8: requests never overlapped")
        self.assertLessEqual(over8, 8)
        self.assertEqual(over1, 1)
        span = lambda log: max(e["answered_ms"] for e in log) - min(e["arrived_ms"] for e in log)
        self.assertLess(span(log8), span(log1))
        print(f"\nconcurrency: 8 -> {over8} in flight at most, {span(log8)} ms; "
              f"1 -> {span(log1)} ms")

    @zfharness.heavy  # valgrind runs one thread at a time: no overlap to see
    def test_kill_during_concurrent_for_each_then_resume(self):
        n = 60
        mid = self.meeting()
        wf = self.write("register-8.yaml", REGISTER.format(conc=8))
        ev = {"meeting_id": mid, "attendees": [{"email": f"kill{i}@example.com",
                                                "first_name": f"K{i}"} for i in range(n)]}
        evf = self.write("kill.json", json.dumps(ev))
        self.faults({"kind": "latency", "route": "registrants.create", "delay_ms": 400},
                    {"kind": "drop", "route": "registrants.create", "skip": 5, "count": 2})
        args = ("run", wf, "--event", "@" + evf, "--trigger-id", "kill-1", "--lease-ttl", "2")
        p = self.background(*args)
        self.wait_for(lambda: self.count_steps("kill-1", "done") >= 12, timeout=60)
        self.wait_for(lambda: self.count_steps("kill-1", "sent") >= 2)
        p.send_signal(signal.SIGKILL)
        p.wait(30)
        sent_at_kill = self.count_steps("kill-1", "sent")
        self.assertGreaterEqual(sent_at_kill, 1)
        time.sleep(0.6)  # the held requests land at zoomsim
        self.sim.request("DELETE", "/_sim/faults")
        q = self.rerun_after_lease(*args[:-2])
        self.assertEqual(q.returncode, 0, q.out[-2000:] + q.err[-2000:])
        self.assertEqual(self.show("kill-1")["state"], "done")
        self.assertEqual(self.count_steps("kill-1", "done"), n)
        self.assertEqual(self.registrants(mid), n)
        # every item reached zoomsim exactly once (processed, answered or
        # dropped): nothing was sent twice
        log = self.log("registrants.create")
        self.assertEqual(len(log), n, [e["status"] for e in log])
        self.assertEqual(len({e["seq"] for e in log}), n)
        print(f"\nkill: {sent_at_kill} items sent at the kill, resumed to {n}")

    @zfharness.heavy
    def test_town_hall_300_under_rate_limits(self):
        n = int(os.environ.get("ZF_TEST_TOWN_HALL", "300"))
        self.sim.limits(enabled=True, plan="pro")
        mid = self.meeting()
        ev = {"meeting_id": mid, "attendees": [{"email": f"th{i}@example.com",
                                                "first_name": f"T{i}"} for i in range(n)]}
        evf = self.write("th.json", json.dumps(ev))
        self.sim.request("DELETE", "/_sim/requests")
        t0 = time.time()
        p = self.cli.run("run", TOWN_HALL, "--event", "@" + evf, "--trigger-id", "th-300",
                         timeout=600)
        took = time.time() - t0
        self.assertEqual(p.returncode, 0, p.out[-2000:] + p.err[-2000:])
        self.assertEqual(self.registrants(mid), n)
        log = self.log("registrants.create")
        limited = sum(1 for e in log if e["status"] == 429)
        self.assertEqual(sum(1 for e in log if e["status"] == 201), n)
        self.assertLessEqual(limited, max(3, n // 100), "the pacer let 429s through")
        self.assertEqual(self.show("th-300")["state"], "done")
        print(f"\ntown hall: {n} registrants in {took:.1f} s, {limited} answered 429")

    # ---- download: recording ------------------------------------------------------
    def recording(self, files):
        r = self.sim.request("POST", "/_sim/seed/meetings", body={"count": 1})
        mid = r.json()["meeting_ids"][0]
        r = self.sim.request("POST", "/_sim/recordings", body={
            "meeting_id": mid, "files": [{"file_type": t, "size": s} for t, s in files]})
        self.assertEqual(r.status, 201, r)
        rec = r.json()
        payload = {"event": "recording.completed", "event_ts": int(time.time() * 1000),
                   "payload": {"account_id": rec.get("account_id", ""), "object": rec},
                   "download_token": rec.get("download_token", "")}
        return mid, rec, self.write(f"payload-{mid}.json", json.dumps(payload))

    def plain_sha(self, rec):
        tok = self.sim.token()
        out = {}
        for f in rec["recording_files"]:
            req = urllib.request.Request(f["download_url"],
                                         headers={"Authorization": "Bearer " + tok})
            h = hashlib.sha256()
            with urllib.request.urlopen(req, timeout=60 * SLOW) as r:
                for b in iter(lambda: r.read(MB), b""):
                    h.update(b)
            out[f["id"]] = h.hexdigest()
        return out

    def manifest(self, d):
        with open(os.path.join(d, "SHA256SUMS")) as f:
            lines = f.read().splitlines()
        names = [ln.split("  ", 1)[1] for ln in lines]
        self.assertEqual(len(names), len(set(names)), lines)  # each file once
        return {ln.split("  ", 1)[1]: ln.split("  ", 1)[0] for ln in lines}

    def check_archive(self, d, rec):
        m = self.manifest(d)
        want = self.plain_sha(rec)
        self.assertEqual(len(m), len(want))
        by_id = {name.split("_")[-1].rsplit(".", 1)[0]: h for name, h in m.items()}
        self.assertEqual(by_id, want)
        for name, hexd in m.items():
            self.assertEqual(sha256_file(os.path.join(d, name)), hexd)
        self.assertEqual([n for n in os.listdir(d) if n.endswith(".part")], [])
        sc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=d, capture_output=True)
        self.assertEqual(sc.returncode, 0, sc.stdout + sc.stderr)

    def archive_env(self):
        root = os.path.join(self.cli.dir, "archive")
        os.makedirs(root, exist_ok=True)
        return root, {"ARCHIVE_DIR": root}

    def test_recordings_archive_end_to_end(self):
        mid, rec, payload = self.recording([("MP4", 3 * MB), ("M4A", 200000),
                                            ("TRANSCRIPT", 4000)])
        root, env = self.archive_env()
        args = ("run", ARCHIVE, "--env", "ARCHIVE_DIR", "--event", "@" + payload,
                "--trigger-id", "rec-1", "--json")
        p = self.cli.run(*args, env=env)
        self.assertEqual(p.returncode, 0, p.out + p.err)
        run = json.loads(p.out)
        self.assertEqual(run["state"], "done")
        out = run["steps"][0]["output"]
        self.assertEqual((out["files"], out["downloaded"], out["skipped"]), (3, 3, 0))
        self.assertEqual(out["total"], 3 * MB + 200000 + 4000)
        d = os.path.join(root, str(mid))
        self.assertEqual(out["dir"], d)
        self.check_archive(d, rec)
        # the same webhook delivered again (another trigger id): nothing fetched
        n = len(self.log("recordings.download"))
        p = self.cli.run(*args[:-2], "rec-2", "--json", env=env)
        self.assertEqual(p.returncode, 0, p.err)
        out = json.loads(p.out)["steps"][0]["output"]
        self.assertEqual((out["downloaded"], out["skipped"], out["bytes"]), (0, 3, 0))
        self.assertEqual(len(self.log("recordings.download")), n)
        self.check_archive(d, rec)
        # without --env the template cannot read the variable: a clear error
        p = self.cli.run("run", ARCHIVE, "--event", "@" + payload, "--trigger-id", "rec-3",
                         env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ARCHIVE_DIR", p.out + p.err)

    def test_recordings_archive_killed_mid_download_then_resumed(self):
        size = 24 * MB
        mid, rec, payload = self.recording([("MP4", size), ("M4A", 300000)])
        root, env = self.archive_env()
        d = os.path.join(root, str(mid))
        # the first download's body stops half way; its resume (Range) is
        # held 30 s at zoomsim, and the process is killed meanwhile
        self.faults({"kind": "truncate", "route": "recordings.download", "count": 1},
                    {"kind": "latency", "route": "recordings.download", "delay_ms": 30000,
                     "skip": 1, "count": 1})
        args = ("run", ARCHIVE, "--env", "ARCHIVE_DIR", "--event", "@" + payload,
                "--trigger-id", "rec-kill", "--lease-ttl", "2")
        p = self.background(*args, env=env)
        self.wait_for(lambda: self.fired("latency") >= 1, timeout=60)
        parts = [n for n in os.listdir(d) if n.endswith(".part")]
        self.assertEqual(len(parts), 1, os.listdir(d))
        half = os.path.getsize(os.path.join(d, parts[0]))
        self.assertTrue(0 < half < size, half)
        self.assertEqual(self.count_steps("rec-kill", "sent"), 1)
        p.send_signal(signal.SIGKILL)
        p.wait(30)
        self.sim.request("DELETE", "/_sim/faults")
        self.sim.request("DELETE", "/_sim/requests")
        q = self.rerun_after_lease(*args[:-2], "--json", env=env)
        self.assertEqual(q.returncode, 0, q.out + q.err)
        run = json.loads(q.out)
        self.assertEqual(run["state"], "done")
        out = run["steps"][0]["output"]
        self.assertEqual((out["files"], out["downloaded"], out["skipped"]), (2, 2, 0))
        # the resume asked only for what was missing of the big file
        self.assertLess(out["bytes"], size + 300000)
        self.assertEqual(out["bytes"], size + 300000 - half)
        self.check_archive(d, rec)
        self.assertEqual(run["steps"][0]["attempts"], 2)  # sent before the kill, and again

    # ---- --csv ---------------------------------------------------------------------
    def test_csv_progress_bar_on_a_terminal_and_summary(self):
        mgr = self.sim.state()["data"]["users"][0]["email"]
        csv = self.write("bar.csv", "email,first_name,manager_email,start_date,timezone\n" +
                         "".join(f"bar{i}@example.com,Bar{i}z,{mgr},2031-05-01,UTC\n"
                                 for i in range(3)) +
                         "not-an-email,Bad,{},2031-05-01,UTC\n".format(mgr))
        rc, out, err = self.cli.run_tty("run", NEW_HIRE, "--csv", csv, "--key", "email")
        out = out.decode()
        self.assertEqual(rc, 1, err)  # one row failed
        self.assertIn(b"\r\x1b[K[", err)
        self.assertIn(b"4/4 rows", err)
        self.assertIn(b"100%", err)
        self.assertIn(b"3 created, 0 already there, 1 failed", err)
        self.assertIn("failed: not-an-email", out)
        self.assertIn("3 created, 0 already there, 1 failed", out)
        # off a terminal: no bar; the rows again are there already
        p = self.cli.run("run", NEW_HIRE, "--csv", csv, "--key", "email")
        self.assertNotIn("\r", p.err)
        self.assertNotIn("rows/s", p.err)
        self.assertIn("0 created, 3 already there, 1 failed", p.out)
        # --no-progress on a terminal: no bar either
        rc, out, err = self.cli.run_tty("run", NEW_HIRE, "--csv", csv, "--key", "email",
                                        "--no-progress")
        self.assertNotIn(b"rows/s", err)
        self.assertIn("0 created, 3 already there, 1 failed", out.decode())
