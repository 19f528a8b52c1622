"""Issue 12, the runner: workflow runs exactly once in effect whatever
crashes, through the real CLI against zoomsim.

* new-hire-day-one end to end from `zoomflow run`: one user, one meeting
  (the manager hosts it, 09:00 in the hire's zone on the start date), one
  registrant; the same trigger id again makes no second run and no object;
* a create step killed while its request is in flight (zoomsim latency),
  its answer dropped after zoomsim processed it on a reused keep-alive
  connection: the next `zoomflow run` reconciles it (found), one object;
* a worker whose lease ended (SIGSTOP past the ttl) while another took the
  run over writes nothing when it wakes; a cancelled run stops;
* the daily meeting-create cap fails the step with the reset time;
* the crash test: N runs (ZF_TEST_CRASH_RUNS, default 200) executed by
  `zoomflow runs work` processes killed with SIGKILL at random moments (at
  least 20 kills) and restarted with a 2 s lease: exactly N users, N
  meetings and N registrants, every run done.
"""
import json
import os
import random
import signal
import subprocess
import tempfile
import time

import zfharness
from cliharness import ConnectedTest
from zfharness import SLOW, WRAP, binary

WF = os.path.join(zfharness.SOURCE_DIR, "examples", "workflows", "new-hire-day-one.yaml")
TTL = "2"


def hire(key, manager, start="2031-03-10", zone="America/New_York"):
    return {"email": f"{key}@example.com", "first_name": key, "last_name": "Test",
            "manager_email": manager, "start_date": start, "timezone": zone}


class RunnerTest(ConnectedTest):
    NO_LIMITS = True

    def setUp(self):
        super().setUp()
        self.workers = []

    def tearDown(self):
        for p in self.workers:
            if p.poll() is None:
                p.kill()
                p.wait(30)

    # ---- helpers -----------------------------------------------------------
    def faults(self, *rules):
        r = self.sim.request("POST", "/_sim/faults", body={"rules": list(rules)})
        self.assertEqual(r.status, 201, r)

    def latency_fired(self):
        rules = self.sim.request("GET", "/_sim/faults").json()["rules"]
        return sum(r["fired"] for r in rules if r["kind"] == "latency")

    def data(self):
        return self.sim.state()["data"]

    def objects(self, prefix):
        """(users, meetings, registrants) a run with first names starting
        with prefix made at zoomsim."""
        d = self.data()
        users = [u for u in d["users"] if u["email"].startswith(prefix.lower())]
        meetings = [m for m in d["meetings"]
                    if m["topic"].startswith("Day 1 orientation: " + prefix)]
        regs = sum(d["counts"]["registrants"].get(str(m["id"]), 0) for m in meetings)
        return users, meetings, regs

    def owner(self):
        return self.data()["users"][0]["email"]

    def run_wf(self, ev, tid, *extra):
        return self.cli.run("run", WF, "--event", json.dumps(ev), "--trigger-id", tid, *extra)

    def worker(self, *extra, log=None):
        out = open(log or os.devnull, "ab")
        p = subprocess.Popen(WRAP + [binary("zoomflow"), "runs", "work", "--lease-ttl", TTL,
                                     *extra], env=self.cli.env, stdout=out, stderr=out)
        out.close()
        self.workers.append(p)
        return p

    @staticmethod
    def tail(log):
        with open(log, errors="replace") as f:
            return f.read()[-3000:]

    def step_state(self, step, tid):
        rows = self.cli.sql("SELECT s.state FROM workflow_steps s JOIN workflow_runs r ON "
                            f"r.id = s.run_id WHERE s.step_id = '{step}' AND "
                            f"r.trigger_id = '{tid}'")
        return rows[0] if rows else None

    def wait_for(self, what, timeout=30):
        end = time.time() + timeout * SLOW
        while time.time() < end:
            v = what()
            if v:
                return v
            time.sleep(0.05)
        self.fail("timed out waiting")

    def show(self, tid):
        rows = self.cli.sql(f"SELECT id FROM workflow_runs WHERE trigger_id = '{tid}'")
        self.assertEqual(len(rows), 1, rows)
        p = self.cli.run("runs", "show", rows[0], "--json")
        self.assertEqual(p.returncode, 0, p.err)
        return json.loads(p.out)

    # ---- tests -------------------------------------------------------------
    def test_new_hire_end_to_end(self):
        mgr = self.owner()
        ev = hire("Ada", mgr)
        p = self.run_wf(ev, "hire-ada")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        for step in ("account", "orientation", "invite"):
            self.assertIn(f"{step}: done (created)", p.out)
        users, meetings, regs = self.objects("Ada")
        self.assertEqual((len(users), len(meetings), regs), (1, 1, 1))
        m = meetings[0]
        # 09:00 in New York on 2031-03-10 (EDT, -4): 13:00 UTC
        self.assertEqual(m["start_time"], 1930914000)
        self.assertEqual(m["timezone"], "America/New_York")
        host = [u for u in self.data()["users"] if u["id"] == m["host_id"]][0]
        self.assertEqual(host["email"], mgr)
        # the same trigger id: the run is there, nothing new at zoomsim
        before = self.sim.requests_log()["total"]
        p = self.run_wf(ev, "hire-ada", "--json")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("is there already (done)", p.err)
        run = json.loads(p.out)
        self.assertEqual(run["state"], "done")
        self.assertEqual([s["state"] for s in run["steps"]], ["done"] * 3)
        self.assertEqual(run["steps"][1]["input"]["start_time"], "2031-03-10T09:00:00")
        self.assertEqual(self.sim.requests_log()["total"], before)
        self.assertEqual(self.objects("Ada")[1:], (meetings, 1))
        p = self.cli.run("runs", "list", "--json")
        ids = [r["id"] for r in json.loads(p.out)["runs"] if r["trigger"]["id"] == "hire-ada"]
        self.assertEqual(len(ids), 1)

    def test_bad_event_names_fields(self):
        p = self.run_wf({"email": "not-an-email"}, "bad-1")
        self.assertNotEqual(p.returncode, 0)
        for field in ("email", "first_name", "manager_email", "start_date"):
            self.assertIn(field, p.err)
        self.assertEqual(self.cli.sql("SELECT count(*) FROM workflow_runs WHERE "
                                      "trigger_id = 'bad-1'"), ["0"])

    def test_killed_while_sent_then_reconciled(self):
        """latency + drop after processing on a reused connection + SIGKILL."""
        mgr = self.owner()
        self.faults({"kind": "latency", "route": "meetings.create", "delay_ms": 1500},
                    {"kind": "drop", "route": "meetings.create", "connection": "reused",
                     "count": 1})
        ev = hire("Kim", mgr)
        proc = subprocess.Popen(WRAP + [binary("zoomflow"), "run", WF, "--event", json.dumps(ev),
                                        "--trigger-id", "hire-kim", "--lease-ttl", TTL],
                                env=self.cli.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.workers.append(proc)
        self.wait_for(lambda: self.step_state("orientation", "hire-kim") == "sent")
        # "sent" is written before the request leaves; under valgrind the
        # kill could land between the two, so wait until zoomsim holds the
        # create in its latency rule (fired) and only then kill
        self.wait_for(lambda: self.latency_fired() >= 1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        # zoomsim finishes the create the dead process sent
        self.wait_for(lambda: len(self.objects("Kim")[1]) == 1, timeout=20)
        self.sim.request("DELETE", "/_sim/faults")
        # the lease (2 s) must end before another process may take the run
        p = self.wait_for(lambda: (lambda q: q if "lease" not in q.err else None)(
            self.run_wf(ev, "hire-kim")), timeout=20)
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("orientation: done (found", p.out)
        users, meetings, regs = self.objects("Kim")
        self.assertEqual((len(users), len(meetings), regs), (1, 1, 1))
        run = self.show("hire-kim")
        orient = [s for s in run["steps"] if s["id"] == "orientation"][0]
        self.assertTrue(orient["output"]["found"])
        self.assertFalse(orient["output"]["created"])
        self.assertEqual(orient["attempts"], 1)

    # timed against a 2 s lease: under valgrind B renews late and loses its
    # own lease too (seq 3); ASan and TSan run it
    @zfharness.heavy
    def test_lost_lease_never_writes(self):
        mgr = self.owner()
        self.faults({"kind": "latency", "route": "meetings.create", "delay_ms": 1200})
        p = self.run_wf(hire("Lou", mgr), "hire-lou", "--queue")
        self.assertEqual(p.returncode, 0, p.err)
        a = self.worker("--once")
        self.wait_for(lambda: self.step_state("orientation", "hire-lou") == "sent")
        a.send_signal(signal.SIGSTOP)
        time.sleep(float(TTL) + 0.5)  # A's lease ends
        b = self.worker("--once")
        self.assertEqual(b.wait(60 * SLOW), 0)
        run = self.show("hire-lou")
        self.assertEqual(run["state"], "done")
        before = self.cli.sql("SELECT updated_at, output FROM workflow_steps WHERE "
                              f"run_id = {run['id']} ORDER BY step_index")
        seq = self.cli.sql(f"SELECT lease_seq FROM workflow_runs WHERE id = {run['id']}")
        a.send_signal(signal.SIGCONT)
        self.assertEqual(a.wait(60 * SLOW), 0)
        after = self.cli.sql("SELECT updated_at, output FROM workflow_steps WHERE "
                             f"run_id = {run['id']} ORDER BY step_index")
        self.assertEqual(before, after)  # A wrote nothing after waking
        self.assertEqual(self.cli.sql(f"SELECT lease_seq FROM workflow_runs WHERE "
                                      f"id = {run['id']}"), seq)
        self.assertEqual(seq, ["2"])
        users, meetings, regs = self.objects("Lou")
        self.assertEqual((len(users), len(meetings), regs), (1, 1, 1))

    # the cancel must land within a 1.5 s request: a CLI under valgrind
    # takes longer to start; ASan and TSan run it
    @zfharness.heavy
    def test_cancel_stops_the_run(self):
        mgr = self.owner()
        self.faults({"kind": "latency", "route": "meetings.create", "delay_ms": 1500})
        p = self.run_wf(hire("Cy", mgr), "hire-cy", "--queue", "--json")
        run_id = json.loads(p.out)["id"]
        w = self.worker()
        self.wait_for(lambda: self.step_state("orientation", "hire-cy") == "sent")
        p = self.cli.run("runs", "cancel", str(run_id))
        self.assertEqual(p.returncode, 0, p.err)
        time.sleep(2.5)
        w.send_signal(signal.SIGTERM)
        self.assertEqual(w.wait(30 * SLOW), 0)
        run = self.show("hire-cy")
        self.assertEqual(run["state"], "cancelled")
        self.assertNotIn("invite", [s["id"] for s in run["steps"]])
        self.assertEqual(self.objects("Cy")[2], 0)  # never registered
        p = self.cli.run("runs", "cancel", str(run_id))
        self.assertNotEqual(p.returncode, 0)

    def test_daily_cap_fails_with_reset_time(self):
        mgr = self.owner()
        self.faults({"kind": "rate_limit", "route": "meetings.create", "type": "Daily-limit",
                     "count": 5})
        p = self.run_wf(hire("Dee", mgr), "hire-dee")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("orientation: failed", p.out)
        self.assertIn("resets at", p.err)
        run = self.show("hire-dee")
        self.assertEqual(run["state"], "failed")
        self.assertEqual(run["error"]["code"], "EDAILYLIMIT")
        self.assertIn("reset_at", run["error"])
        self.assertEqual(run["error"]["step"], "orientation")
        # retried after the cap: goes on from the failed step
        self.sim.request("DELETE", "/_sim/faults")
        p = self.cli.run("runs", "retry", str(run["id"]))
        self.assertEqual(p.returncode, 0, p.err)
        w = self.worker("--once")
        self.assertEqual(w.wait(60 * SLOW), 0)
        self.assertEqual(self.show("hire-dee")["state"], "done")
        users, meetings, regs = self.objects("Dee")
        self.assertEqual((len(users), len(meetings), regs), (1, 1, 1))

    def test_town_hall_for_each_continue_on_error(self):
        r = self.sim.request("POST", "/_sim/seed/meetings", body={"count": 1,
                                                                  "registration": True})
        mid = r.json()["meeting_ids"][0]
        people = [{"email": f" Town{i}@Example.com ", "first_name": f"T{i}"} for i in range(4)]
        people.insert(2, {"email": "not-an-email", "first_name": "Bad"})
        wf = os.path.join(zfharness.SOURCE_DIR, "examples", "workflows", "town-hall.yaml")
        ev = {"meeting_id": mid, "attendees": people}
        p = self.cli.run("run", wf, "--event", json.dumps(ev), "--trigger-id", "th-1", "--json")
        self.assertEqual(p.returncode, 0, p.err)
        run = json.loads(p.out)
        self.assertEqual(run["state"], "done")  # continue_on_error
        states = [(s["item"], s["state"]) for s in run["steps"]]
        self.assertEqual(states, [(0, "done"), (1, "done"), (2, "failed"), (3, "done"),
                                  (4, "done")])
        self.assertIn("email", run["steps"][2]["error"]["message"])
        self.assertEqual(self.data()["counts"]["registrants"].get(str(mid)), 4)
        self.assertEqual(run["steps"][0]["input"]["email"], "town0@example.com")

    def test_csv_one_run_per_row_with_summary(self):
        mgr = self.owner()
        csv = os.path.join(self.cli.dir, "rows.csv")
        with open(csv, "w") as f:
            f.write("email,first_name,manager_email,start_date,timezone\n")
            for i in range(3):
                f.write(f"row{i}@example.com,Row{i}y,{mgr},2031-04-01,Asia/Tokyo\n")
        p = self.cli.run("run", WF, "--csv", csv, "--key", "email")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("3 created, 0 already there, 0 failed", p.out)
        p = self.cli.run("run", WF, "--csv", csv, "--key", "email")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertIn("0 created, 3 already there, 0 failed", p.out)
        users, meetings, regs = self.objects("Row")
        self.assertEqual((len(users), len(meetings), regs), (3, 3, 3))
        # 09:00 in Tokyo (+9) on 2031-04-01 is 00:00 UTC
        self.assertEqual({m["start_time"] for m in meetings}, {1932768000})

    @zfharness.heavy
    def test_crash_sigkill_workers(self):
        n = int(os.environ.get("ZF_TEST_CRASH_RUNS", "200"))
        kills = int(os.environ.get("ZF_TEST_CRASH_KILLS", "20"))
        r = self.sim.request("POST", "/_sim/seed/users", body={"count": 4, "domain": "mgr.test"})
        self.assertEqual(r.status, 201, r)
        mgrs = [u["email"] for u in self.data()["users"] if u["email"].endswith("@mgr.test")]
        self.assertEqual(len(mgrs), 4)
        rows = ["email,first_name,last_name,manager_email,start_date,timezone"]
        for i in range(n):
            rows.append(f"crash{i}@example.com,Crash{i}x,T,{mgrs[i % 4]},2031-03-10,Europe/Berlin")
        csv = os.path.join(self.cli.dir, "hires.csv")
        with open(csv, "w") as f:
            f.write("\n".join(rows) + "\n")
        p = self.cli.run("run", WF, "--csv", csv, "--key", "email", "--queue", timeout=300)
        self.assertEqual(p.returncode, 0, p.err[-2000:])
        self.assertIn(f"{n} created", p.out)
        # widen the windows: creates held a while, some answers dropped
        self.faults({"kind": "latency", "route": "users.create", "delay_ms": 150,
                     "probability": 0.3},
                    {"kind": "latency", "route": "meetings.create", "delay_ms": 250,
                     "probability": 0.3},
                    {"kind": "drop", "route": "registrants.create", "count": 3},
                    {"kind": "drop", "route": "meetings.create", "connection": "reused",
                     "count": 3})
        rnd = random.Random(os.environ.get("ZF_TEST_SEED", "12"))
        log = os.path.join(self.cli.dir, "workers.log")
        start = time.time()
        for _ in range(kills):
            w = self.worker("--workers", "2", log=log)
            time.sleep(rnd.uniform(0.15, 0.6))
            w.send_signal(signal.SIGKILL)
            w.wait(30)
        done_at_kills = int(self.cli.sql("SELECT count(*) FROM workflow_runs WHERE "
                                         "state = 'done' AND trigger_id LIKE 'crash%'")[0])
        w = self.worker("--workers", "2", "--once", log=log)
        self.assertEqual(w.wait(240 * SLOW), 0, self.tail(log))
        took = time.time() - start
        states = self.cli.sql("SELECT state || ' ' || count(*) FROM workflow_runs "
                              "WHERE trigger_id LIKE 'crash%' GROUP BY state")
        self.assertEqual(states, [f"done {n}"], self.tail(log))
        with open(log, errors="replace") as f:
            text = f.read()
        self.assertNotIn("Sanitizer", text)  # the ASan build's workers
        self.assertNotIn("runtime error", text)
        users, meetings, regs = self.objects("Crash")
        users = [u for u in users if u["email"].startswith("crash")]
        d = self.data()
        crash_users = [u for u in d["users"] if u["email"].startswith("crash")]
        self.assertEqual(len(crash_users), n)
        self.assertEqual(len({u["email"] for u in crash_users}), n)
        self.assertEqual(len(meetings), n)
        self.assertEqual(len({m["topic"] for m in meetings}), n)
        self.assertEqual(regs, n)
        found = self.cli.sql("SELECT count(*) FROM workflow_steps s JOIN workflow_runs r ON "
                             "r.id = s.run_id WHERE r.trigger_id LIKE 'crash%' AND "
                             "s.output LIKE '%\"found\":true%'")
        print(f"\ncrash test: {n} runs, {kills} kills ({done_at_kills} done by then), "
              f"{took:.1f} s, {found[0]} steps reconciled as found")
