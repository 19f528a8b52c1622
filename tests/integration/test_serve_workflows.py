"""Issue 12, the service side: `zoomflow serve --workflows DIR` triggers and
executes workflow runs, against zoomsim, on SQLite and (integ.*.pg, one
schema shared by the serve processes) PostgreSQL.

* POST /api/v1/events/employee.onboarded runs new-hire-day-one end to end
  in serve's worker pool: one user, one meeting, one registrant; the same
  event again (Idempotency-Key) makes no run and no object;
* the same event posted 5 times at once, over two serve processes on one
  store: one run, one of each object;
* bad input: an unknown event (404 naming the known ones), malformed JSON,
  a body that is no object, input-schema failures (every field, no run), a
  viewer's key;
* a recording.completed webhook signed as Zoom signs it, delivered twice
  (to two serve processes): the `zoom: recording.completed` workflow runs
  once, the event is consumed; an event no workflow listens to is consumed
  with no run;
* SIGTERM while a create is held by zoomsim (latency): serve finishes the
  step, releases the run and exits 0; restarted it completes the run, one
  object of each kind at zoomsim;
* a `* * * * *` schedule on two replicas (the scheduler's clock skewed so
  a minute turns soon): one run for the fire time; restarted three minutes
  "later", the most recent missed fire time fires once, not every one;
* an invalid definition stops the start with file:line:col;
* heavy, PostgreSQL only: 3 replicas on one schema, ZF_TEST_REPLICA_EVENTS
  (300) events posted across them, one replica SIGKILLed a third of the way
  in: every event has exactly one run, every run is done, and zoomsim holds
  one user, one meeting and one registrant per event;
* heavy, PostgreSQL only, everything at once (TestReplicasChaos): a
  PostgreSQL server of the test's own (scripts/pg-test-server), a user
  OAuth connection (rotating refresh tokens), 3 replicas, ZF_TEST_CHAOS_EVENTS
  (600) events posted across them at the pace of the runs, while zoomsim's
  sim clock moves past the access token's hour every 2 s, 10 % of the creates
  are spoilt (503 unprocessed; processed then dropped on a reused
  connection; processed then 500) and 10 % of the token endpoint's answers
  are 503; replicas SIGKILLed at a quarter and at a half of the runs done
  (and started again), the PostgreSQL server restarted between: exactly n
  users, meetings and registrants at zoomsim, every run done, exactly one
  refresh_token grant per expiry (the replicas share the token: single
  flight across processes) and no invalid_grant.
"""
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import srvharness
import zfharness
from test_serve_actions import ADMIN_EMAIL, ADMIN_PW, Client, follow_to_callback
from zfharness import SLOW, Sim, heavy

EXAMPLES = os.path.join(zfharness.SOURCE_DIR, "examples", "workflows")
SECRET = "Zs3cr3tT0ken-acme-wf"

NOTE = """name: recording-note
description: a read when a cloud recording is done
on:
  zoom: recording.completed
steps:
  - id: people
    action: list_users
"""

TICKER = """name: ticker
on:
  schedule: "* * * * *"
steps:
  - id: people
    action: list_users
"""


def sign(secret, ts, body):
    msg = b"v0:" + str(ts).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def wait_for(fn, timeout=60, what="a condition"):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def hire(name, manager, **kw):
    ev = {"email": f"{name.lower()}@example.com", "first_name": name, "last_name": "Test",
          "manager_email": manager, "start_date": "2031-03-10", "timezone": "America/New_York"}
    ev.update(kw)
    return ev


class WfCase(unittest.TestCase):
    """zoomsim, a workflows directory, serve processes over one store, the
    org acme with a key per role, connected to zoomsim (Server-to-Server)."""
    FILES = {"note.yaml": NOTE}
    SERVE_ARGS = ("--workers", "2", "--lease-ttl", "5")

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--s2s-app", "zoomsim-s2s:zoomsim-s2s-secret")
        cls.dir = tempfile.mkdtemp(prefix="zf-wfserve-")
        cls.wf = os.path.join(cls.dir, "workflows")
        os.mkdir(cls.wf)
        shutil.copy(os.path.join(EXAMPLES, "new-hire-day-one.yaml"), cls.wf)
        shutil.copy(os.path.join(EXAMPLES, "town-hall.yaml"), cls.wf)
        for name, text in cls.FILES.items():
            with open(os.path.join(cls.wf, name), "w") as f:
                f.write(text)
        cls.serves = []
        try:
            first = cls.serve()
            cls.store = first.store
            first.seed("org", "acme")
            cls.keys = {r: first.seed("key", "acme", r, r) for r in ("viewer", "operator",
                                                                     "admin")}
            r = first.request("POST", "/api/v1/connection", {
                "client_id": "zoomsim-s2s", "client_secret": "zoomsim-s2s-secret",
                "account_id": cls.sim.state()["account_id"]}, key=cls.keys["admin"])
            assert r.status == 200, r
            cls.sim.limits(enabled=False)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def serve(cls, *extra, start=True):
        kw = {}
        if cls.serves:
            kw = {"store": cls.store,
                  "env": {"ZOOMFLOW_MASTER_KEY": cls.serves[0].env["ZOOMFLOW_MASTER_KEY"]}}
        s = srvharness.Serve("--workflows", cls.wf, *cls.SERVE_ARGS, *extra, sim=cls.sim,
                             start=start, **kw)
        cls.serves.append(s)
        return s

    @classmethod
    def tearDownClass(cls):
        bad = []
        for s in reversed(cls.serves):
            killed = s.proc is not None and s.proc.returncode == -signal.SIGKILL
            rc = s.stop()
            if rc not in (0, None) and not killed:
                bad.append(f"zoomflow serve exited {rc}: {s.stderr()[-3000:]}")
        if cls.serves:
            cls.serves[0].store.drop()
        zfharness.stop_clean(cls.sim)
        shutil.rmtree(cls.dir, ignore_errors=True)
        if bad:
            raise AssertionError("\n".join(bad))

    def setUp(self):
        self.sim.request("DELETE", "/_sim/faults")

    # --- helpers
    def post(self, name, body, s=None, key=None, headers=None, raw=None):
        s = s or self.serves[0]
        return s.request("POST", f"/api/v1/events/{name}", raw if raw is not None else body,
                         headers=headers, key=key or self.keys["operator"])

    def sql(self, text):
        return srvharness.store_sql(self.store, text)

    def run_state(self, rid):
        rows = self.sql(f"SELECT state FROM workflow_runs WHERE id = {int(rid)}")
        return rows[0][0] if rows else None

    def wait_state(self, rid, state="done", timeout=90):
        wait_for(lambda: self.run_state(rid) in (state, "failed", "cancelled"), timeout,
                 f"run {rid} to be {state}")
        got = self.run_state(rid)
        if got != state:
            err = self.sql(f"SELECT error FROM workflow_runs WHERE id = {int(rid)}")
            self.fail(f"run {rid} is {got}, not {state}: {err}")

    def runs_of(self, trigger_id):
        return self.sql("SELECT id, workflow, trigger_kind, state FROM workflow_runs WHERE "
                        f"trigger_id = '{trigger_id}' ORDER BY id")

    def objects(self, first_name):
        d = self.sim.state()["data"]
        users = [u for u in d["users"] if u["email"] == f"{first_name.lower()}@example.com"]
        meetings = [m for m in d["meetings"] if m["topic"] == f"Day 1 orientation: {first_name}"]
        regs = sum(d["counts"]["registrants"].get(str(m["id"]), 0) for m in meetings)
        return len(users), len(meetings), regs

    def manager(self):
        return self.sim.state()["data"]["users"][0]["email"]

    def metric(self, s, line_start):
        text = s.request("GET", "/metrics").body
        for line in text.splitlines():
            if line.startswith(line_start):
                return float(line.rsplit(" ", 1)[1])
        return 0.0


class TestEvents(WfCase):
    def test_new_hire_end_to_end(self):
        s = self.serves[0]
        r = self.post("employee.onboarded", hire("Ada", self.manager()),
                      headers={"Idempotency-Key": "hire-ada"})
        self.assertEqual(r.status, 202, r)
        b = r.json()
        self.assertEqual(b["event"], "employee.onboarded")
        self.assertEqual(b["trigger_id"], "hire-ada")
        self.assertEqual(len(b["runs"]), 1, b)
        run = b["runs"][0]
        self.assertEqual(run["workflow"], "new-hire-day-one")
        self.assertTrue(run["created"])
        self.assertIn(run["state"], ("queued", "running"))
        self.wait_state(run["id"])
        self.assertEqual(self.objects("Ada"), (1, 1, 1))
        steps = self.sql(f"SELECT step_id, state FROM workflow_steps WHERE run_id = {run['id']} "
                         "ORDER BY step_index")
        self.assertEqual(steps, [["account", "done"], ["orientation", "done"], ["invite", "done"]])
        # the run keeps the latest stored version of the workflow
        latest = self.sql("SELECT MAX(version) FROM workflow_versions WHERE org = 'acme' AND "
                          "name = 'new-hire-day-one'")
        self.assertEqual(int(latest[0][0]), run["version"])
        # the same event again: the same run, nothing new at zoomsim
        r = self.post("employee.onboarded", hire("Ada", self.manager()),
                      headers={"Idempotency-Key": "hire-ada"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json()["runs"][0]["id"], run["id"])
        self.assertFalse(r.json()["runs"][0]["created"])
        self.assertEqual(r.json()["runs"][0]["state"], "done")
        time.sleep(1)
        self.assertEqual(self.objects("Ada"), (1, 1, 1))
        self.assertEqual(len(self.runs_of("hire-ada")), 1)
        # log lines and metrics of the run
        fin = sum(self.metric(x, 'zoomflow_workflow_runs_finished_total{workflow='
                              '"new-hire-day-one",state="done"}') for x in self.serves)
        self.assertGreaterEqual(fin, 1)
        self.assertGreaterEqual(self.metric(s, 'zoomflow_workflow_runs_started_total{workflow='
                                            '"new-hire-day-one"}'), 1)
        all_logs = "".join(x.stderr() for x in self.serves)
        self.assertIn(f"run {run['id']} of new-hire-day-one done", all_logs)
        self.assertIn(f"run {run['id']} of new-hire-day-one version", all_logs)

    @heavy  # valgrind stage budget: its C paths run in test_new_hire_end_to_end there
    def test_town_hall_from_rest(self):
        """town-hall.yaml from POST /api/v1/events/town_hall.attendees: one
        run registers every attendee (for_each, concurrency 4); posted
        again, the same run and no new registrant."""
        r = self.serves[0].request("POST", "/api/v1/actions/create_meeting", {
            "user_id": self.manager(), "topic": "Town hall", "type": 2,
            "start_time": "2031-04-01T16:00:00Z", "duration": 60,
            "settings": {"approval_type": 0}}, key=self.keys["operator"])
        self.assertIn(r.status, (200, 201), r)
        mid = r.json()["output"]["id"]
        people = [{"email": f"th{i}@example.com", "first_name": f"T{i}"} for i in range(12)]
        body = {"meeting_id": mid, "attendees": people}
        r = self.post("town_hall.attendees", body, headers={"Idempotency-Key": "th-1"})
        self.assertEqual(r.status, 202, r)
        (run,) = r.json()["runs"]
        self.assertEqual(run["workflow"], "town-hall")
        self.wait_state(run["id"])
        regs = lambda: self.sim.state()["data"]["counts"]["registrants"].get(str(mid), 0)
        self.assertEqual(regs(), 12)
        before = self.sim.requests_log()["total"]
        r = self.post("town_hall.attendees", body, headers={"Idempotency-Key": "th-1"})
        self.assertEqual(r.json()["runs"][0]["id"], run["id"])
        self.assertFalse(r.json()["runs"][0]["created"])
        time.sleep(1)
        self.assertEqual(regs(), 12)
        self.assertEqual(self.sim.requests_log()["total"], before)

    @heavy  # valgrind stage budget (9 min for this file there); ASan runs it
    def test_same_event_five_times_at_once_two_processes(self):
        second = self.serves[1] if len(self.serves) > 1 else self.serve()
        ev = hire("Bea", self.manager(), id="evt-bea-5x")
        out = [None] * 5
        go = threading.Barrier(5)

        def send(i):
            go.wait()
            out[i] = self.post("employee.onboarded", ev, s=(self.serves[0], second)[i % 2])

        ts = [threading.Thread(target=send, args=(i,)) for i in range(5)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for r in out:
            self.assertEqual(r.status, 202, r)
        ids = {r.json()["runs"][0]["id"] for r in out}
        self.assertEqual(len(ids), 1, [r.json() for r in out])
        self.assertEqual(sum(r.json()["runs"][0]["created"] for r in out), 1)
        self.assertEqual(len(self.runs_of("evt-bea-5x")), 1)
        self.wait_state(ids.pop())
        self.assertEqual(self.objects("Bea"), (1, 1, 1))

    def test_bad_input(self):
        op = self.keys["operator"]
        r = self.post("employee.offboarded", {"email": "x@example.com"})
        self.assertEqual(r.status, 404, r)
        e = r.json()["error"]
        self.assertEqual(e["code"], "ENOTFOUND")
        self.assertEqual(e["hint_id"], "UNKNOWN_EVENT")
        self.assertIn("employee.onboarded", e["message"])
        self.assertIn("employee.offboarded", e["message"])
        self.assertEqual(e["known_events"], ["employee.onboarded", "town_hall.attendees"])
        # malformed JSON: the core's 400 naming the place
        r = self.serves[0].request("POST", "/api/v1/events/employee.onboarded",
                                   '{"email": "a@example.com",', key=op)
        self.assertEqual(r.status, 400, r)
        self.assertIn("line", r.json()["error"]["message"])
        # not an object
        r = self.serves[0].request("POST", "/api/v1/events/employee.onboarded", "[1, 2]", key=op)
        self.assertEqual(r.status, 422, r)
        self.assertIn("JSON object", r.json()["error"]["message"])
        # the input schema: every field named, no run made
        r = self.post("employee.onboarded",
                      {"email": "not-an-email", "start_date": "2031-02-30", "first_name": 7,
                       "id": "evt-bad-schema"})
        self.assertEqual(r.status, 422, r)
        e = r.json()["error"]
        self.assertEqual(e["code"], "EVALIDATION")
        self.assertEqual(e["hint_id"], "CHECK_RUN_DATA")
        fields = {p["field"] for p in e["problems"]}
        for f in ("email", "start_date", "first_name", "manager_email", "timezone"):
            self.assertIn(f, fields, e["problems"])
        self.assertTrue(all(p["workflow"] == "new-hire-day-one" for p in e["problems"]))
        self.assertIn("new-hire-day-one", e["message"])
        self.assertEqual(self.runs_of("evt-bad-schema"), [])
        # an unusable id
        r = self.post("employee.onboarded", hire("Cy", self.manager(), id={"x": 1}))
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["problems"][0]["field"], "id")
        # a viewer may not post events
        r = self.post("employee.onboarded", hire("Cy", self.manager()),
                      key=self.keys["viewer"])
        self.assertEqual(r.status, 403, r)
        # the route is in the document
        doc = self.serves[0].request("GET", "/api/v1/openapi.json").json()
        self.assertIn("/api/v1/events/{name}", doc["paths"])

    def test_zoom_webhook_runs_once(self):
        first = self.serves[0]
        second = self.serves[1] if len(self.serves) > 1 else self.serve()
        r = first.request("PUT", "/api/v1/webhook", {"secret_token": SECRET},
                          key=self.keys["admin"])
        self.assertEqual(r.status, 200, r)
        body = json.dumps({"event": "recording.completed", "event_ts": int(time.time() * 1000),
                           "payload": {"account_id": "acc-1", "object": {
                               "uuid": "rec-uuid-1==", "id": 123456789,
                               "topic": "weekly"}}}, separators=(",", ":")).encode()
        answers = []
        for s in (first, second):  # Zoom delivers again (a retry), here to the other replica
            ts = int(time.time())
            r = s.request("POST", "/webhooks/zoom/acme", body, headers={
                "x-zm-signature": sign(SECRET, ts, body), "x-zm-request-timestamp": str(ts)})
            self.assertEqual(r.status, 200, r)
            answers.append(r.json())
        self.assertEqual([a["status"] for a in answers], ["accepted", "duplicate"])
        eid = answers[0]["event_id"]
        wait_for(lambda: self.sql("SELECT state FROM webhook_events WHERE event_id = "
                                  f"'{eid}'") == [["consumed"]], 30, "the event consumed")
        runs = self.runs_of(eid)
        self.assertEqual(len(runs), 1, runs)
        self.assertEqual(runs[0][1:3], ["recording-note", "zoom"])
        self.wait_state(runs[0][0])
        # a sweep later: still one
        time.sleep(6)
        self.assertEqual(len(self.runs_of(eid)), 1)
        # an event no workflow listens to is consumed, no run
        body2 = json.dumps({"event": "meeting.started", "event_ts": int(time.time() * 1000),
                            "payload": {"account_id": "acc-1", "object": {"id": 42}}}).encode()
        ts = int(time.time())
        r = first.request("POST", "/webhooks/zoom/acme", body2, headers={
            "x-zm-signature": sign(SECRET, ts, body2), "x-zm-request-timestamp": str(ts)})
        self.assertEqual(r.status, 200, r)
        eid2 = r.json()["event_id"]
        wait_for(lambda: self.sql("SELECT state FROM webhook_events WHERE event_id = "
                                  f"'{eid2}'") == [["consumed"]], 30, "the event consumed")
        self.assertEqual(self.runs_of(eid2), [])


    def test_store_refusing_the_run_then_the_consume(self):
        # the run of a Zoom event cannot be written: the event stays new and
        # Zoom's retry creates it; then the event cannot be marked consumed:
        # dispatched again, it still makes one run. Each delivery wakes the
        # dispatcher at once (its sweep without one is 5 s: the waits are 3)
        s = self.serves[0]
        r = s.request("PUT", "/api/v1/webhook", {"secret_token": SECRET}, key=self.keys["admin"])
        self.assertEqual(r.status, 200, r)
        body = json.dumps({"event": "recording.completed", "event_ts": int(time.time() * 1000),
                           "payload": {"account_id": "acc-1", "object": {
                               "uuid": "rec-refused==", "id": 987654321,
                               "topic": "refused"}}}, separators=(",", ":")).encode()

        def deliver():
            ts = int(time.time())
            r = s.request("POST", "/webhooks/zoom/acme", body, headers={
                "x-zm-signature": sign(SECRET, ts, body), "x-zm-request-timestamp": str(ts)})
            self.assertEqual(r.status, 200, r)
            return r.json()

        def event_state():
            return self.sql(f"SELECT state FROM webhook_events WHERE event_id = '{eid}'")

        allow = srvharness.store_refuses(self.store, "workflow_runs", "INSERT")
        try:
            eid = deliver()["event_id"]
            wait_for(lambda: f"Zoom event recording.completed ({eid}): run of recording-note "
                             "not created, tried again: " in s.stderr(), 3, "the refusal")
            self.assertEqual(event_state(), [["new"]])
            self.assertEqual(self.runs_of(eid), [])
        finally:
            allow()
        allow = srvharness.store_refuses(self.store, "webhook_events", "UPDATE")
        try:
            self.assertEqual(deliver()["status"], "duplicate")  # Zoom's retry
            wait_for(lambda: f"Zoom event {eid} not marked consumed (dispatched again)"
                     in s.stderr(), 3, "the consume refused")
            wait_for(lambda: len(self.runs_of(eid)) == 1, 3, "the run")
            self.assertEqual(event_state(), [["new"]])
        finally:
            allow()
        self.assertEqual(deliver()["status"], "duplicate")
        wait_for(lambda: event_state() == [["consumed"]], 3, "the event consumed")
        runs = self.runs_of(eid)
        self.assertEqual(len(runs), 1, runs)
        self.wait_state(runs[0][0])


class TestRestart(WfCase):
    SERVE_ARGS = ("--workers", "1", "--lease-ttl", "30")

    @heavy  # valgrind stage budget: its C paths run in test_new_hire_end_to_end there
    def test_sigterm_mid_run_then_restart(self):
        s = self.serves[0]
        # zoomsim holds the meeting create 4 s: SIGTERM lands while it is in flight
        r = self.sim.request("POST", "/_sim/faults", body={"rules": [
            {"kind": "latency", "route": "meetings.create", "delay_ms": 4000, "count": 1}]})
        self.assertEqual(r.status, 201, r)
        r = self.post("employee.onboarded", hire("Dee", self.manager(), id="evt-dee"))
        self.assertEqual(r.status, 202, r)
        rid = r.json()["runs"][0]["id"]

        def held():
            rules = self.sim.request("GET", "/_sim/faults").json()["rules"]
            return sum(x["fired"] for x in rules if x["kind"] == "latency")

        wait_for(held, 60, "the create held by zoomsim")
        t0 = time.time()
        rc = s.stop(signal.SIGTERM)
        self.assertEqual(rc, 0, s.stderr()[-3000:])
        self.assertGreater(time.time() - t0, 1.0)  # it waited for the step in flight
        # released, not half written: queued, the create recorded done, the invite not sent
        self.assertEqual(self.run_state(rid), "queued")
        steps = dict(map(tuple, self.sql("SELECT step_id, state FROM workflow_steps WHERE "
                                         f"run_id = {rid}")))
        self.assertEqual(steps.get("orientation"), "done", steps)
        self.assertNotIn(steps.get("invite"), ("sent", "done"), steps)
        self.assertIn("released (stopping)", s.stderr())
        self.assertEqual(self.objects("Dee"), (1, 1, 0))
        s.start()
        self.wait_state(rid)
        self.assertEqual(self.objects("Dee"), (1, 1, 1))
        self.assertEqual(len(self.runs_of("evt-dee")), 1)
        creates = self.sim.requests_log("meetings.create")["counts"].get("meetings.create", 0)
        self.assertEqual(creates, 1)


class TestSchedule(WfCase):
    FILES = {"tick.yaml": TICKER}
    SERVE_ARGS = ("--workers", "0")

    @classmethod
    def setUpClass(cls):
        # the scheduler's clock 57 s into a minute at start: the next minute
        # turns a few seconds later
        now = time.time()
        cls.skew = int((57 - now % 60) % 60)
        cls.SERVE_ARGS = ("--workers", "0", "--clock-skew", str(cls.skew))
        super().setUpClass()

    def schedule_runs(self):
        return self.sql("SELECT trigger_id FROM workflow_runs WHERE workflow = 'ticker' AND "
                        "trigger_kind = 'schedule' ORDER BY trigger_id")

    @heavy  # valgrind stage budget: its C paths run in test_new_hire_end_to_end there
    def test_fires_once_per_minute_and_once_after_downtime(self):
        second = self.serve()  # a replica firing the same minutes
        got = wait_for(self.schedule_runs, 60, "a schedule run")
        time.sleep(3)
        got = self.schedule_runs()
        self.assertEqual(len(got), 1, got)
        fire = got[0][0]
        self.assertRegex(fire, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$")
        for s in self.serves:
            self.assertEqual(s.stop(), 0, s.stderr()[-2000:])
        # three minutes "later" (the clock skewed 180 s more): the missed
        # fire times fire once, as the latest of them
        first = self.serves[0]
        # only --clock-skew's value: the skew may equal another argument
        # (0 and --workers 0: the restart then asked for 180 workers)
        at = first.args.index("--clock-skew") + 1
        first.args[at] = str(self.skew + 180)
        first.start()
        got = wait_for(lambda: len(self.schedule_runs()) >= 2 and self.schedule_runs(), 60,
                       "the missed fire")
        time.sleep(3)
        got = self.schedule_runs()
        self.assertEqual(len(got), 2, got)
        t1 = time.strptime(fire, "%Y-%m-%dT%H:%M:%SZ")
        t2 = time.strptime(got[1][0], "%Y-%m-%dT%H:%M:%SZ")
        gap = (time.mktime(t2) - time.mktime(t1))
        self.assertGreaterEqual(gap, 180, got)
        self.assertIn("fired the latest", first.stderr())
        del second


@unittest.skipUnless(srvharness.ON_PG, "replicas share a PostgreSQL schema (the .pg twin)")
class TestReplicas(WfCase):
    SERVE_ARGS = ("--workers", "2", "--lease-ttl", "3")

    @heavy
    def test_three_replicas_one_killed(self):
        for _ in range(2):
            self.serve()
        reps = list(self.serves[:3])
        n = int(os.environ.get("ZF_TEST_REPLICA_EVENTS", "300"))
        # Zoom's cap: 100 meeting creates a day per host, so the meetings are
        # spread over hosts of their own
        hosts = n // 80 + 1
        r = self.sim.request("POST", "/_sim/seed/users", body={"count": hosts,
                                                               "domain": "mgr.test"})
        self.assertIn(r.status, (200, 201), r)
        mgrs = [u["email"] for u in self.sim.state()["data"]["users"]
                if u["email"].endswith("@mgr.test")]
        self.assertEqual(len(mgrs), hosts)
        dead = set()
        lock = threading.Lock()
        done_posts = [0]
        retried = [0]

        def post_one(i):
            ev = hire(f"R{i:04d}", mgrs[i % hosts])
            key = {"Idempotency-Key": f"rep-{i}"}
            order = [reps[(i + k) % 3] for k in range(3)]
            for s in order:
                with lock:
                    if id(s) in dead:
                        continue
                try:
                    r = self.post("employee.onboarded", ev, s=s, headers=key)
                except OSError:
                    with lock:
                        retried[0] += 1
                    continue  # the replica died under this request: the next one
                self.assertEqual(r.status, 202, r)
                with lock:
                    done_posts[0] += 1
                return
            self.fail(f"event {i}: no replica answered")

        errors = []

        def worker(start):
            try:
                for i in range(start, n, 6):
                    post_one(i)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        def killer():
            # a third of the runs done: every replica is mid-run (and its
            # workers mid-step), then the third replica dies at once
            try:
                wait_for(lambda: int(self.sql("SELECT COUNT(*) FROM workflow_runs WHERE state "
                                              "= 'done' AND trigger_id LIKE 'rep-%'")[0][0])
                         >= n // 3, 300, "a third of the runs done")
            finally:
                with lock:
                    dead.add(id(reps[2]))
                reps[2].stop(signal.SIGKILL)

        ts = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
        ts.append(threading.Thread(target=killer))
        t0 = time.time()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])
        self.assertTrue(dead, "the replica was not killed")
        posted = time.time() - t0

        def all_done():
            rows = self.sql("SELECT state, COUNT(*) FROM workflow_runs WHERE trigger_id LIKE "
                            "'rep-%' GROUP BY state")
            states = {r[0]: int(r[1]) for r in rows}
            self.assertNotIn("failed", states, self.sql(
                "SELECT error FROM workflow_runs WHERE state = 'failed' LIMIT 3"))
            return states.get("done") == n

        wait_for(all_done, 600, f"{n} runs done")
        took = time.time() - t0
        rows = self.sql("SELECT COUNT(*), COUNT(DISTINCT trigger_id) FROM workflow_runs WHERE "
                        "trigger_id LIKE 'rep-%'")
        self.assertEqual(rows, [[str(n), str(n)]])
        # the dead replica's runs were taken over (a second lease) and finished
        taken = int(self.sql("SELECT COUNT(*) FROM workflow_runs WHERE trigger_id LIKE 'rep-%' "
                             "AND lease_seq > 1")[0][0])
        self.assertGreaterEqual(taken, 1)
        d = self.sim.state()["data"]
        users = [u["email"] for u in d["users"] if re.match(r"^r\d{4}@example\.com$", u["email"])]
        meetings = [m for m in d["meetings"] if m["topic"].startswith("Day 1 orientation: R")]
        topics = [m["topic"] for m in meetings]
        self.assertEqual(len(users), n)
        self.assertEqual(len(set(users)), n)
        self.assertEqual(len(topics), n, "a meeting made twice")
        self.assertEqual(len(set(topics)), n)
        for m in meetings:
            self.assertEqual(d["counts"]["registrants"].get(str(m["id"]), 0), 1, m["topic"])
        print(f"\n{n} events over 3 replicas (one SIGKILLed, {retried[0]} posts sent again, "
              f"{taken} runs taken over): posted and killed in {posted:.1f} s, all runs done in "
              f"{took:.1f} s", flush=True)


PG_SCRIPT = os.path.join(zfharness.SOURCE_DIR, "scripts", "pg-test-server")
APP, APP_SECRET = "cid-chaos", "zoomsim-chaos-secret"
CREATE_ROUTES = ("users.create", "meetings.create", "registrants.create")


@unittest.skipUnless(srvharness.ON_PG, "replicas share a PostgreSQL schema (the .pg twin)")
class TestReplicasChaos(WfCase):
    """Issue 12's replica promise with everything at once, on a PostgreSQL
    server of the test's own (scripts/pg-test-server, so restarting it does
    not disturb the ctest fixture's) and a user OAuth connection (refresh
    tokens that rotate: a second refresh of one token is invalid_grant)."""
    SERVE_ARGS = ("--workers", "2", "--lease-ttl", "3")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="zf-chaos-")
        cls.pgdir = os.path.join(cls.tmp, "pg")
        p = subprocess.run([PG_SCRIPT, "start", cls.pgdir], capture_output=True, timeout=120)
        if p.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise AssertionError("pg-test-server start: " + p.stderr.decode())
        old = os.environ.get("ZF_TEST_PG_DSN")
        os.environ["ZF_TEST_PG_DSN"] = p.stdout.decode().strip()  # StoreDB's server
        cls.sim = Sim("--auto-approve",
                      "--app", f"{APP}:{APP_SECRET}:http://127.0.0.1:*/oauth/zoom/callback")
        cls.dir = tempfile.mkdtemp(prefix="zf-wfchaos-")
        cls.wf = os.path.join(cls.dir, "workflows")
        os.mkdir(cls.wf)
        # the example with a retry policy on every step: two 5xx in a row are
        # 1 in 100 attempts here, and the example's invite step has none
        with open(os.path.join(EXAMPLES, "new-hire-day-one.yaml")) as f:
            text = re.sub(r"\n    retry: \{[^}]*\}", "", f.read())
        retry = "\n    retry: {max_attempts: 6, backoff: fixed, delay_ms: 200}"
        text = text.rstrip("\n").replace("\n\n  - id:", retry + "\n\n  - id:") + retry + "\n"
        with open(os.path.join(cls.wf, "new-hire-day-one.yaml"), "w") as f:
            f.write(text)
        secret = os.path.join(cls.dir, "client.secret")
        with open(secret, "w") as f:
            f.write(APP_SECRET + "\n")
        os.chmod(secret, 0o600)
        cls.SERVE_ARGS = cls.SERVE_ARGS + ("--client-id", APP, "--client-secret-file", secret)
        cls.serves = []
        try:
            first = cls.serve()
            cls.store = first.store
            first.seed("org", "acme")
            cls.keys = {"operator": first.seed("key", "acme", "operator", "operator")}
            first.account("acme", ADMIN_EMAIL, "admin", ADMIN_PW)
            c = Client(first.port)
            r = c.request("POST", "/api/v1/session",
                          {"email": ADMIN_EMAIL, "password": ADMIN_PW, "org": "acme"})
            assert r.status == 200, r
            cookie = r.header("Set-Cookie").split(";")[0]
            r = c.request("GET", follow_to_callback(first.port, cls.sim, cookie))
            c.close()
            assert r.status == 200 and b"connect=ok" in r.body, r
            cls.sim.limits(enabled=False)
        except BaseException:
            cls.tearDownClass()
            raise
        finally:
            if old is None:
                os.environ.pop("ZF_TEST_PG_DSN", None)
            else:
                os.environ["ZF_TEST_PG_DSN"] = old

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            subprocess.run([PG_SCRIPT, "stop", cls.pgdir], capture_output=True, timeout=120)
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def token_log(self):
        """zoomsim's oauth.token entries: (refreshes answered 200, refresh
        attempts, invalid_grant answers)."""
        reqs = self.sim.requests_log("oauth.token")["requests"]
        refresh = [q for q in reqs if "grant_type=refresh_token" in (q.get("detail") or "")]
        ok = sum(1 for q in refresh if q["status"] == 200)
        bad = [q for q in reqs if q["status"] in (400, 401)]  # invalid_grant, invalid_client
        return ok, len(refresh), bad

    @heavy
    def test_three_replicas_expiry_faults_kills_pg_restart(self):
        for _ in range(2):
            self.serve()
        reps = list(self.serves[:3])
        n = int(os.environ.get("ZF_TEST_CHAOS_EVENTS", "600"))
        hosts = n // 80 + 1  # Zoom's 100 meeting creates a day per host
        r = self.sim.request("POST", "/_sim/seed/users", body={"count": hosts,
                                                               "domain": "mgr.test"})
        self.assertIn(r.status, (200, 201), r)
        mgrs = [u["email"] for u in self.sim.state()["data"]["users"]
                if u["email"].endswith("@mgr.test")]
        self.assertEqual(len(mgrs), hosts)
        # 10 % of the creates spoilt: 4 % refused (503, not processed), 3 %
        # processed and the connection dropped on a reused connection (the
        # resend libcurl would make), 3 % processed and answered 500
        rules = []
        for route in CREATE_ROUTES:
            rules += [{"kind": "status", "status": 503, "route": route, "probability": 0.04},
                      {"kind": "drop", "route": route, "connection": "reused",
                       "probability": 0.03},
                      {"kind": "status_after", "status": 500, "route": route,
                       "probability": 0.03}]
        # and 10 % of the token endpoint's answers a 503 before it is processed
        # (a refresh cut off after Zoom rotated is the loss tokens.c documents)
        rules.append({"kind": "status", "status": 503, "route": "oauth.token",
                      "probability": 0.1})
        r = self.sim.request("POST", "/_sim/faults", body={"seed": 1212, "rules": rules})
        self.assertEqual(r.status, 201, r)
        self.sim.request("DELETE", "/_sim/requests")

        last = [0]

        def done_count():  # the last count while the server restarts
            try:
                last[0] = int(self.sql("SELECT COUNT(*) FROM workflow_runs WHERE state = "
                                       "'done' AND trigger_id LIKE 'chaos-%'")[0][0])
            except AssertionError:
                pass
            return last[0]

        lock = threading.Lock()  # dead, posted, retried
        dead = set()
        retried = [0]
        quiet = threading.Lock()  # held by the clock from an advance until its refresh
        stop = threading.Event()
        advances = [0]
        errors = []

        posted_n = [0]

        def post_one(i):
            # the posts keep pace with the runs (at most 120 ahead), so they
            # go on through the kills and the restart
            while posted_n[0] - done_count() >= 120 and not stop.is_set():
                time.sleep(0.2)
            ev = hire(f"C{i:04d}", mgrs[i % hosts])
            key = {"Idempotency-Key": f"chaos-{i}"}
            for _ in range(20):
                for k in range(3):
                    s = reps[(i + k) % 3]
                    with lock:
                        if id(s) in dead:
                            continue
                    try:
                        r = self.post("employee.onboarded", ev, s=s, headers=key)
                    except OSError:
                        with lock:
                            retried[0] += 1
                        continue  # died under the request: the next replica
                    if r.status == 202:
                        with lock:
                            posted_n[0] += 1
                        return
                    with lock:  # the store away (the restart): again
                        retried[0] += 1
                time.sleep(0.5)
            self.fail(f"event {i}: no replica took it")

        def guarded(fn):
            def run(*a):
                try:
                    fn(*a)
                except BaseException as e:  # noqa: BLE001 - reported below
                    errors.append(e)
                    stop.set()
            return run

        def poster(start):
            for i in range(start, n, 6):
                post_one(i)

        def clock():
            # every 2 s of load, sim time moves past the token's hour; the
            # next one waits for the refresh it caused, so each advance
            # expired exactly one token
            while not stop.is_set():
                time.sleep(2)
                with quiet:
                    if stop.is_set() or n - done_count() < 40:
                        return
                    r = self.sim.request("POST", "/_sim/clock/advance", body={"seconds": 3700})
                    assert r.status == 200, r
                    advances[0] += 1
                    wait_for(lambda: self.token_log()[0] >= advances[0] or stop.is_set(), 120,
                             f"the refresh after advance {advances[0]}")

        def chaos():
            # a replica SIGKILLed at a quarter and another at a half of the
            # runs done (not while a refresh is in flight: a refresh killed
            # after Zoom answered is the one loss tokens.c documents), the
            # PostgreSQL server restarted between them; the killed ones come
            # back after a while
            for frac, victim in ((4, 2), (3, None), (2, 1)):
                wait_for(lambda: done_count() >= n // frac or stop.is_set(), 300,
                         f"1/{frac} of the runs done")
                if stop.is_set():
                    return
                if victim is None:
                    p = subprocess.run([PG_SCRIPT, "restart", self.pgdir, "1"],
                                       capture_output=True, timeout=120)
                    assert p.returncode == 0, p.stderr.decode()
                    continue
                with quiet:
                    with lock:
                        dead.add(id(reps[victim]))
                    reps[victim].stop(signal.SIGKILL)
                killed.append(victim)
            time.sleep(3)
            for v in killed:
                reps[v].start()
                with lock:
                    dead.discard(id(reps[v]))

        killed = []
        ts = [threading.Thread(target=guarded(poster), args=(k,)) for k in range(6)]
        ts += [threading.Thread(target=guarded(clock)), threading.Thread(target=guarded(chaos))]
        t0 = time.time()
        for t in ts:
            t.start()
        for t in ts[:6]:
            t.join()
        posted = time.time() - t0
        for t in ts[7:]:
            t.join()

        def all_done():
            if errors:
                return True
            rows = self.sql("SELECT state, COUNT(*) FROM workflow_runs WHERE trigger_id LIKE "
                            "'chaos-%' GROUP BY state")
            states = {r[0]: int(r[1]) for r in rows}
            self.assertNotIn("failed", states, self.sql(
                "SELECT error FROM workflow_runs WHERE state = 'failed' LIMIT 3"))
            return states.get("done") == n

        try:
            wait_for(all_done, 600, f"{n} runs done")
        finally:
            stop.set()
            ts[6].join()
        self.assertEqual(errors, [])
        took = time.time() - t0
        self.assertEqual(killed, [2, 1])
        rows = self.sql("SELECT COUNT(*), COUNT(DISTINCT trigger_id) FROM workflow_runs WHERE "
                        "trigger_id LIKE 'chaos-%'")
        self.assertEqual(rows, [[str(n), str(n)]])
        taken = int(self.sql("SELECT COUNT(*) FROM workflow_runs WHERE trigger_id LIKE "
                             "'chaos-%' AND lease_seq > 1")[0][0])
        self.assertGreaterEqual(taken, 1)
        d = self.sim.state()["data"]
        users = [u["email"] for u in d["users"] if re.match(r"^c\d{4}@example\.com$", u["email"])]
        topics = [m["topic"] for m in d["meetings"]
                  if m["topic"].startswith("Day 1 orientation: C")]
        self.assertEqual((len(users), len(set(users))), (n, n), "a user made twice")
        self.assertEqual((len(topics), len(set(topics))), (n, n), "a meeting made twice")
        regs = {str(m["id"]): d["counts"]["registrants"].get(str(m["id"]), 0)
                for m in d["meetings"] if m["topic"].startswith("Day 1 orientation: C")}
        self.assertEqual(sorted(set(regs.values())), [1], "a registrant missing or twice")
        ok, attempts, bad = self.token_log()
        self.assertEqual(bad, [], "invalid_grant: a refresh token used twice")
        self.assertGreaterEqual(advances[0], 3, "the clock never expired the token")
        self.assertEqual(ok, advances[0], f"{ok} refreshes for {advances[0]} expiries")
        logs = "".join(x.stderr() for x in reps)
        self.assertNotIn("invalid_grant", logs)
        faults = self.sim.request("GET", "/_sim/faults").json()["rules"]
        fired = sum(x["fired"] for x in faults)
        token_503 = sum(x["fired"] for x in faults if x.get("route") == "oauth.token")
        for route in CREATE_ROUTES:
            self.assertGreater(sum(x["fired"] for x in faults if x.get("route") == route), 0,
                               route)
        print(f"\n{n} events over 3 replicas ({len(killed)} SIGKILLed, PostgreSQL restarted, "
              f"{retried[0]} posts sent again, {taken} runs taken over, {fired} faults, "
              f"{token_503} token 503s, {advances[0]} expiries, {ok} refreshes of {attempts} "
              f"processed): posted in "
              f"{posted:.1f} s, all runs done in {took:.1f} s", flush=True)


class TestSettings(unittest.TestCase):
    def test_invalid_definition_stops_the_start(self):
        d = tempfile.mkdtemp(prefix="zf-wfbad-")
        self.addCleanup(shutil.rmtree, d, True)
        with open(os.path.join(d, "bad.yaml"), "w") as f:
            f.write("name: bad\non:\n  event: x.y\nsteps:\n  - id: a\n    action: create_meting\n")
        s = first = srvharness.Serve("--workflows", d, start=False)
        self.addCleanup(s.store.drop)  # first owns the store (a PostgreSQL schema)
        with self.assertRaises(RuntimeError) as cm:
            s.start()
        msg = str(cm.exception)
        self.assertIn("bad.yaml:6:", msg)
        self.assertIn("create_meeting", msg)  # the did-you-mean
        self.assertEqual(s.proc.returncode, 1)
        # the directory from the environment: the same check
        s = srvharness.Serve(store=s.store, env={"ZOOMFLOW_WORKFLOWS": d}, start=False)
        with self.assertRaises(RuntimeError) as cm:
            s.start()
        self.assertIn("bad.yaml:6:", str(cm.exception))
        del first

    def test_workflows_org_list_and_a_stored_definition_that_does_not_load(self):
        d = tempfile.mkdtemp(prefix="zf-wforgs-")
        self.addCleanup(shutil.rmtree, d, True)
        with open(os.path.join(d, "note.yaml"), "w") as f:
            f.write(NOTE)
        with open(os.path.join(d, "strict.yaml"), "w") as f:
            f.write(NOTE.replace("recording-note", "strict-note")
                    + "input:\n  properties:\n    download_token: {type: string}\n"
                      "  required: [download_token]\n")
        s = srvharness.Serve("--workflows", d, "--workflows-org", " beta ,acme, ghost",
                             "--workers", "0", start=False)
        self.addCleanup(s.store.drop)
        for org in ("acme", "beta", "gamma"):
            s.seed("org", org)
        # a stored version that no longer loads (written by hand, or by a
        # newer release): skipped with a warning, it triggers nothing
        srvharness.store_sql(s.store, "INSERT INTO workflow_versions (org, name, version, "
                             "source, definition, content_hash, created_at) VALUES ('gamma', "
                             "'broken', 1, 'x', '{\"name\": 5}', 'h', 1)")
        s.start()
        try:
            wait_for(lambda: "workflows.start" in s.stderr(), 30, "the workflows started")
            # the orgs listed (spaces around names allowed) get the directory's
            # definitions, the others none; one not there yet is named, with the fix
            self.assertEqual(srvharness.store_sql(s.store, "SELECT org, name FROM "
                                                  "workflow_versions ORDER BY org, name"),
                             [["acme", "recording-note"], ["acme", "strict-note"],
                              ["beta", "recording-note"], ["beta", "strict-note"],
                              ["gamma", "broken"]])
            self.assertEqual([e["msg"] for e in s.log_lines() if e.get("event") == "workflows.org"],
                             ['--workflows-org names org "ghost", which does not exist yet: '
                              "create it (zoomflow admin create ... --org ghost); its workflows "
                              "are saved when it first shows up"])
            # a Zoom event for gamma reads its workflows: the broken one is skipped
            key = s.key("gamma", "k", "admin")
            r = s.request("PUT", "/api/v1/webhook", {"secret_token": SECRET}, key=key)
            self.assertEqual(r.status, 200, r)
            body = json.dumps({"event": "recording.completed", "event_ts":
                               int(time.time() * 1000), "payload": {
                                   "account_id": "acc-1", "object": {"uuid": "u=="}}}).encode()
            ts = int(time.time())
            r = s.request("POST", "/webhooks/zoom/gamma", body, headers={
                "x-zm-signature": sign(SECRET, ts, body), "x-zm-request-timestamp": str(ts)})
            self.assertEqual(r.status, 200, r)
            wait_for(lambda: "workflow.skipped" in s.stderr(), 30, "the broken one skipped")
            self.assertIn("org gamma: workflow broken version 1 does not load, it triggers "
                          "nothing: ", s.stderr())
            self.assertEqual(srvharness.store_sql(s.store, "SELECT count(*) FROM workflow_runs"),
                             [["0"]])
            # an event to acme without the field strict-note's input requires:
            # its run is refused (not retried), recording-note's made
            key = s.key("acme", "k", "admin")
            r = s.request("PUT", "/api/v1/webhook", {"secret_token": SECRET}, key=key)
            self.assertEqual(r.status, 200, r)
            r = s.request("POST", "/webhooks/zoom/acme", body, headers={
                "x-zm-signature": sign(SECRET, ts, body), "x-zm-request-timestamp": str(ts)})
            self.assertEqual(r.status, 200, r)
            eid = r.json()["event_id"]
            wait_for(lambda: srvharness.store_sql(s.store, "SELECT state FROM webhook_events "
                                                  f"WHERE event_id = '{eid}' AND org = 'acme'")
                     == [["consumed"]], 3, "the event consumed (at once, not at the sweep)")
            self.assertEqual(srvharness.store_sql(s.store, "SELECT workflow FROM workflow_runs"),
                             [["recording-note"]])
            (msg,) = [e["msg"] for e in s.log_lines() if e.get("event") == "workflow.refused"]
            self.assertTrue(msg.startswith(f"org acme: Zoom event recording.completed ({eid}) "
                                           "starts no run of strict-note: the input of workflow "
                                           "strict-note: "), msg)
            self.assertIn("download_token", msg)
        finally:
            self.assertEqual(s.stop(), 0, s.stderr()[-2000:])

    def test_bad_settings(self):
        s = first = srvharness.Serve("--workers", "65", start=False)
        self.addCleanup(s.store.drop)  # first owns the store (a PostgreSQL schema)
        with self.assertRaises(RuntimeError) as cm:
            s.start()
        self.assertIn("--workers", str(cm.exception))
        self.assertEqual(s.proc.returncode, 2)
        s = srvharness.Serve(store=s.store, env={"ZOOMFLOW_LEASE_TTL": "soon"}, start=False)
        with self.assertRaises(RuntimeError) as cm:
            s.start()
        self.assertIn("ZOOMFLOW_LEASE_TTL", str(cm.exception))
        # a flag wins over the environment
        s = srvharness.Serve("--workers", "0", store=s.store, env={"ZOOMFLOW_WORKERS": "3"})
        try:
            # the workflows start once the service listens
            wait_for(lambda: "workflows.start" in s.stderr(), 30, "the workflows started")
            r = s.request("GET", "/metrics")
            self.assertIn("zoomflow_workflow_workers 0", r.body)
        finally:
            self.assertEqual(s.stop(), 0, s.stderr()[-2000:])
        s = srvharness.Serve(store=s.store, env={"ZOOMFLOW_WORKERS": "3"})
        try:
            wait_for(lambda: "workflows.start" in s.stderr(), 30, "the workflows started")
            r = s.request("GET", "/metrics")
            self.assertIn("zoomflow_workflow_workers 3", r.body)
            self.assertIn('zoomflow_workflow_runs{state="queued"} 0', r.body)
        finally:
            self.assertEqual(s.stop(), 0, s.stderr()[-2000:])
        del first


if __name__ == "__main__":
    unittest.main()
