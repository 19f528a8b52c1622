"""zoomsim emits what Zoom emits, and how: every event the real data routes
raise reaches a receiver with Zoom's headers and a valid signature, its body
passes the schema Zoom's webhook OpenAPI file gives for that event
(validated with ajv, tests/tools/webhook_validate.js), and Zoom's own Node
SDK (@zoom/rivet's HttpReceiver, tests/tools/rivet_receiver.js) accepts
every delivery and answers the url_validation.

Needs node and the npm packages of package.json (scripts/install-deps
--test runs npm ci). Without them the node-based checks skip, except under
CI=true, where they fail: the checks must not vanish silently there."""
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
import unittest

import zfharness
from zfharness import Sim, stop_clean
from test_sim_webhooks import SECRET, Receiver, wait_for

SPEC = os.path.join(zfharness.SOURCE_DIR, "tests", "spec")
TOOLS = os.path.join(zfharness.SOURCE_DIR, "tests", "tools")
NODE_MODULES = os.path.join(zfharness.SOURCE_DIR, "node_modules")
SCHEMAS = [os.path.join(SPEC, "zoom-webhooks-subset.json"),
           os.path.join(SPEC, "zoom-users-webhooks.json")]
TRIM = os.path.join(SPEC, "trim_webhooks.py")
SHARED = [os.path.join(zfharness.SOURCE_DIR, "..", "shared", "zoom-openapi"),
          "/work/shared/zoom-openapi"]

# What the scenario below must make zoomsim send, in order.
EXPECTED = [
    "user.created", "user.created", "user.updated", "user.deactivated", "user.activated",
    "meeting.created", "meeting.updated",
    "meeting.registration_created", "meeting.registration_created",
    "meeting.registration_approved", "meeting.registration_denied",
    "meeting.registration_cancelled",
    "meeting.created", "meeting.registration_created", "meeting.updated", "meeting.deleted",
    "recording.completed", "meeting.deleted", "user.disassociated", "user.deleted",
]


def need_node(*packages):
    missing = [] if shutil.which("node") else ["node"]
    missing += [p for p in packages if not os.path.isdir(os.path.join(NODE_MODULES, p))]
    if not missing:
        return
    msg = (f"missing {', '.join(missing)}: run scripts/install-deps --test "
           f"(npm ci from package-lock.json)")
    if os.environ.get("CI"):
        raise AssertionError(msg)
    raise unittest.SkipTest(msg)


def validate(bodies):
    """ajv over raw bodies: [(event, ok, errors)]."""
    need_node("ajv", "ajv-formats")
    p = subprocess.run(["node", os.path.join(TOOLS, "webhook_validate.js")] + SCHEMAS,
                       input=b"\n".join(bodies) + b"\n", capture_output=True, timeout=120)
    out = [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]
    if len(out) != len(bodies):
        raise AssertionError(f"validator answered {len(out)} of {len(bodies)}: "
                             f"{p.stderr.decode()[-2000:]}")
    return [(o["event"], o["ok"], o["errors"]) for o in out]


def scenario(sim, tok):
    """Zoom activity through the REST routes, raising every event kind."""
    def call(method, path, body=None, status=None, query=None):
        r = sim.request(method, path, token=tok, body=body, query=query)
        if status is not None:
            assert r.status == status, (method, path, r.status, r.body[:500])
        return r

    u = call("POST", "/v2/users", {"action": "custCreate", "user_info": {
        "email": "dana@example.com", "type": 1, "first_name": "Dana", "last_name": "Ng"}},
        201).json()
    call("POST", "/v2/users", {"action": "create", "user_info": {
        "email": "eli@example.com", "type": 2}}, 201)
    call("PATCH", f"/v2/users/{u['id']}", {"first_name": "Dana Q", "dept": "Sales"}, 204)
    call("PUT", f"/v2/users/{u['id']}/status", {"action": "deactivate"}, 204)
    call("PUT", f"/v2/users/{u['id']}/status", {"action": "activate"}, 204)

    m = call("POST", "/v2/users/me/meetings", {
        "topic": "Board", "type": 2, "start_time": "2030-01-02T10:00:00Z", "duration": 45,
        "timezone": "Europe/Berlin", "settings": {"approval_type": 1}}, 201).json()
    call("PATCH", f"/v2/meetings/{m['id']}", {"topic": "Board (moved)", "duration": 60,
                                               "settings": {"waiting_room": True}}, 204)
    a = call("POST", f"/v2/meetings/{m['id']}/registrants",
             {"email": "ann@example.com", "first_name": "Ann"}, 201).json()
    b = call("POST", f"/v2/meetings/{m['id']}/registrants",
             {"email": "bob@example.com", "first_name": "Bob", "last_name": "Li"}, 201).json()
    call("PUT", f"/v2/meetings/{m['id']}/registrants/status",
         {"action": "approve", "registrants": [{"id": a["registrant_id"]}]}, 204)
    call("PUT", f"/v2/meetings/{m['id']}/registrants/status",
         {"action": "deny", "registrants": [{"id": b["registrant_id"]}]}, 204)
    call("PUT", f"/v2/meetings/{m['id']}/registrants/status",
         {"action": "cancel", "registrants": [{"email": "ann@example.com"}]}, 204)

    r = call("POST", "/v2/users/me/meetings", {
        "topic": "Standup", "type": 8, "start_time": "2030-02-03T09:00:00Z", "duration": 15,
        "timezone": "UTC", "recurrence": {"type": 1, "repeat_interval": 1, "end_times": 3},
        "settings": {"approval_type": 0}}, 201).json()
    call("POST", f"/v2/meetings/{r['id']}/registrants", {"email": "cy@example.com",
                                                          "first_name": "Cy"}, 201)
    occ = r["occurrences"][1]["occurrence_id"]
    call("PATCH", f"/v2/meetings/{r['id']}", {"duration": 20}, 204,
         query={"occurrence_id": occ})
    call("DELETE", f"/v2/meetings/{r['id']}", None, 204, query={"occurrence_id": occ})

    rec = sim.request("POST", "/_sim/recordings", body={
        "meeting_id": m["id"], "files": [{"file_type": "MP4", "size": 1024}]})
    assert rec.status in (200, 201), rec
    call("DELETE", f"/v2/meetings/{m['id']}", None, 204)
    call("DELETE", "/v2/users/eli@example.com", None, 204)
    call("DELETE", f"/v2/users/{u['id']}", None, 204, query={"action": "delete"})
    return {"user": u, "meeting": m, "recurring": r, "occurrence": occ,
            "registrants": (a, b)}


def received(rcv, n):
    """The first n non-validation deliveries (waits for them)."""
    def got():
        ev = [e for e in rcv.events() if e[1]["event"] != "endpoint.url_validation"]
        return ev if len(ev) >= n else None
    return wait_for(got)[:n]


UUIDISH = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class EventsConformTest(unittest.TestCase):
    """One pass of the scenario into a Python receiver: headers, signature,
    order, payload facts, and every body against Zoom's schema."""

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim()
        cls.sim.limits(enabled=False)
        cls.rcv = Receiver()
        r = cls.sim.request("POST", "/_sim/webhooks", body={"url": cls.rcv.url, "secret": SECRET})
        assert r.status == 202, r
        wait_for(lambda: cls.sim.request("GET", "/_sim/webhooks").json()["subscription"]
                 == "active")
        cls.tok = cls.sim.token()
        cls.facts = scenario(cls.sim, cls.tok)
        cls.got = received(cls.rcv, len(EXPECTED))
        with cls.rcv.lock:
            cls.raw = [raw for hd, raw, t, ok in cls.rcv.got]

    @classmethod
    def tearDownClass(cls):
        cls.rcv.stop()
        stop_clean(cls.sim)

    def by_event(self, name):
        return [b for _, b, _, _ in self.got if b["event"] == name]

    def test_every_event_in_order(self):
        self.assertEqual([b["event"] for _, b, _, _ in self.got], EXPECTED)
        time.sleep(0.3)
        extra = [e[1]["event"] for e in self.rcv.events()[len(EXPECTED) + 1:]]
        self.assertEqual(extra, [], "events nobody asked for")

    def test_headers_and_signature(self):
        ids = set()
        for hd, body, _, ok in self.got:
            with self.subTest(event=body["event"]):
                self.assertTrue(ok, "x-zm-signature must verify with a fresh timestamp")
                self.assertEqual(hd["content-type"], "application/json; charset=utf-8")
                self.assertRegex(hd["x-zm-request-id"], UUIDISH)
                self.assertRegex(hd["x-zm-trackingid"], r"^v=2\.0;clid=\w+;rid=\S+$")
                self.assertEqual(hd["user-agent"], "Zoom Marketplace/1.0a")
                self.assertRegex(hd["x-zm-signature"], r"^v0=[0-9a-f]{64}$")
                ids.add(hd["x-zm-request-id"])
        self.assertEqual(len(ids), len(self.got), "one request id per event")

    def test_every_body_passes_zoom_schema(self):
        results = validate(self.raw)
        self.assertEqual(len(results), len(EXPECTED) + 1)  # + the url_validation
        for event, ok, errors in results:
            if event == "endpoint.url_validation":
                continue  # the file does not describe it (tested in test_sim_webhooks)
            with self.subTest(event=event):
                self.assertTrue(ok, errors)

    def test_schema_check_catches_drift(self):
        # the validator is no rubber stamp: the faults the issue names, put
        # back into real bodies, are refused
        reg = json.loads(next(r for r in self.raw if b"registration_created" in r
                              and b'"type":2' in r))
        no_url = json.loads(json.dumps(reg))
        del no_url["payload"]["object"]["registrant"]["join_url"]
        upd = json.loads(next(r for r in self.raw if b"meeting.updated" in r))
        del upd["payload"]["old_object"]
        made = json.loads(next(r for r in self.raw if b"meeting.created" in r))
        made["payload"]["object"]["type"] = 6
        del made["payload"]["operator"]
        results = validate([json.dumps(x).encode() for x in (no_url, upd, made)]
                           + [b'{"event":"meeting.nonsense","event_ts":1,"payload":{}}'])
        self.assertEqual([ok for _, ok, _ in results], [False] * 4, results)
        self.assertTrue(any("join_url" in e for e in results[0][2]), results[0])
        self.assertTrue(any("old_object" in e for e in results[1][2]), results[1])

    def test_operator_is_the_token_user(self):
        owner = self.sim.request("GET", "/v2/users/me", token=self.tok).json()
        for _, body, _, _ in self.got:
            pl = body["payload"]
            if body["event"] in ("meeting.registration_created", "recording.completed"):
                self.assertNotIn("operator", pl)  # the attendee / Zoom did it
                continue
            with self.subTest(event=body["event"]):
                self.assertEqual((pl["operator"], pl["operator_id"]),
                                 (owner["email"], owner["id"]))
                self.assertEqual(pl["account_id"], owner["account_id"])

    def test_user_events(self):
        created = self.by_event("user.created")
        self.assertEqual([c["payload"]["creation_type"] for c in created],
                         ["custCreate", "create"])
        u = created[0]["payload"]["object"]
        self.assertEqual((u["id"], u["email"], u["first_name"], u["type"]),
                         (self.facts["user"]["id"], "dana@example.com", "Dana", 1))
        (upd,) = self.by_event("user.updated")
        pl = upd["payload"]
        self.assertEqual(pl["object"], {"id": u["id"], "first_name": "Dana Q", "dept": "Sales"})
        self.assertEqual(pl["old_object"], {"id": u["id"], "first_name": "Dana"})
        self.assertLess(abs(pl["time_stamp"] - upd["event_ts"]), 5000)
        for name in ("user.deactivated", "user.activated", "user.deleted"):
            (e,) = self.by_event(name)
            self.assertEqual(e["payload"]["object"]["id"], u["id"])
        (gone,) = self.by_event("user.disassociated")
        self.assertEqual(gone["payload"]["object"]["email"], "eli@example.com")

    def test_meeting_updated_carries_old_object(self):
        m = self.facts["meeting"]
        upd = self.by_event("meeting.updated")[0]["payload"]
        self.assertEqual(upd["object"]["id"], m["id"])
        self.assertEqual(upd["object"]["topic"], "Board (moved)")
        self.assertEqual(upd["old_object"]["topic"], "Board")
        self.assertEqual((upd["object"]["duration"], upd["old_object"]["duration"]), (60, 45))
        self.assertEqual(upd["object"]["settings"], {"waiting_room": True})
        self.assertEqual(upd["old_object"]["settings"], {"waiting_room": False})
        self.assertNotIn("agenda", upd["object"], "only what changed")
        self.assertNotIn("scope", upd)  # not a recurring meeting

    def test_occurrence_events(self):
        r, occ = self.facts["recurring"], self.facts["occurrence"]
        made = self.by_event("meeting.created")[1]["payload"]["object"]
        self.assertEqual([o["occurrence_id"] for o in made["occurrences"]],
                         [o["occurrence_id"] for o in r["occurrences"]])
        upd = self.by_event("meeting.updated")[1]["payload"]
        self.assertEqual(upd["scope"], "single")
        self.assertEqual([o["occurrence_id"] for o in upd["object"]["occurrences"]], [occ])
        self.assertEqual((upd["object"]["duration"], upd["old_object"]["duration"]), (20, 15))
        dele = self.by_event("meeting.deleted")[0]["payload"]
        self.assertEqual(dele["operation"], "single")
        self.assertEqual([o["occurrence_id"] for o in dele["object"]["occurrences"]], [occ])
        whole = self.by_event("meeting.deleted")[1]["payload"]
        self.assertEqual(whole["object"]["id"], self.facts["meeting"]["id"])
        self.assertNotIn("operation", whole)

    def test_registration_events(self):
        a, b = self.facts["registrants"]
        created = self.by_event("meeting.registration_created")
        pend = created[0]["payload"]["object"]["registrant"]
        self.assertEqual((pend["id"], pend["status"]), (a["registrant_id"], "pending"))
        self.assertTrue(pend["join_url"].startswith("http"), "pending registrants too")
        self.assertNotIn("occurrences", created[0]["payload"]["object"])
        rec = created[2]["payload"]["object"]
        self.assertEqual(len(rec["occurrences"]), 3, "type 8: every occurrence")
        self.assertEqual(set(rec["occurrences"][0]), {"occurrence_id", "start_time"})
        (ap,) = self.by_event("meeting.registration_approved")
        self.assertEqual(ap["payload"]["object"]["registrant"]["id"], a["registrant_id"])
        self.assertIn("join_url", ap["payload"]["object"]["registrant"])
        (de,) = self.by_event("meeting.registration_denied")
        self.assertEqual(de["payload"]["object"]["registrant"]["id"], b["registrant_id"])
        (ca,) = self.by_event("meeting.registration_cancelled")
        self.assertEqual(ca["payload"]["object"]["registrant"]["email"], "ann@example.com")


class DecimalsTest(unittest.TestCase):
    def test_decimals_are_shortest_round_trip(self):
        with Sim() as sim:
            rcv = Receiver()
            try:
                sim.request("POST", "/_sim/webhooks", body={"url": rcv.url, "secret": SECRET})
                wait_for(lambda: sim.request("GET", "/_sim/webhooks").json()["subscription"]
                         == "active")
                vals = [0.1, 0.30000000000000004, 5.0, -0.0, 1e21, 1.5e-7, 123456789.125,
                        2.5e-5, 1e300]
                sim.request("POST", "/_sim/webhooks/emit", body={
                    "event": "meeting.alert", "object": {"v": vals}})
                (hd, body, _, ok), = wait_for(lambda: rcv.events("meeting.alert"))
                with rcv.lock:
                    raw = [r for _, r, _, _ in rcv.got if b"meeting.alert" in r][0]
                self.assertIn(b'"v":[0.1,0.30000000000000004,5,0,1e+21,1.5e-7,'
                              b'123456789.125,0.000025,1e+300]', raw)
                self.assertEqual(body["payload"]["object"]["v"], vals)
                # the API answers use the same writer
                r = sim.request("POST", "/_sim/faults", body={"kind": "status",
                                                            "probability": 0.1})
                self.assertIn(b'"probability":0.1,', sim.request("GET", "/_sim/faults").body)
                self.assertEqual(r.status, 201)
            finally:
                rcv.stop()


class RivetReceiver:
    """tests/tools/rivet_receiver.js: Zoom's SDK on a free loopback port.
    Its stdout is read from the raw descriptor into our own buffer: a
    buffered readline after select() would pull several lines into Python's
    buffer, where the next select() cannot see them (a loaded machine, where
    node writes faster than the test reads, then waited out the deadline)."""

    def __init__(self, secret):
        need_node("@zoom/rivet")
        self.proc = subprocess.Popen(["node", os.path.join(TOOLS, "rivet_receiver.js"), secret],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.buf = b""
        line = self._line(30)
        if not line:
            self.stop()
            raise AssertionError("rivet receiver did not start: " + self.proc.stderr.read().decode())
        self.port = json.loads(line)["port"]
        self.url = f"http://127.0.0.1:{self.port}/zoom/events"
        self.events = []

    def _line(self, timeout):
        deadline = time.monotonic() + timeout * zfharness.SLOW
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return ""
            chunk = os.read(fd, 65536)
            if not chunk:
                return ""
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def wait(self, n, timeout=30):
        deadline = time.monotonic() + timeout * zfharness.SLOW
        while len(self.events) < n and time.monotonic() < deadline:
            line = self._line(max(0.1, deadline - time.monotonic()) / zfharness.SLOW)
            if line:
                self.events.append(json.loads(line))
        return self.events

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


class RivetAcceptsTest(unittest.TestCase):
    """Zoom's own SDK verifies zoomsim's url_validation and signatures. It
    checks the signature over JSON.stringify of the parsed body, so this also
    proves zoomsim's bytes are their own JSON.stringify image."""

    def setUp(self):
        self.sim = Sim()
        self.sim.limits(enabled=False)

    def tearDown(self):
        stop_clean(self.sim)

    def subscribe(self, url, secret):
        # Zoom's retry delays (5, 20, 60 min) scaled to 0.6, 2.4 and 7.2 s:
        # a delivery that misses the 3 s answer limit on a loaded machine
        # (zoomsim under valgrind, two suites at once) comes again within
        # the test's wait instead of five minutes later
        r = self.sim.request("POST", "/_sim/webhooks",
                             body={"url": url, "secret": secret, "retry_scale": 0.002})
        self.assertEqual(r.status, 202, r)
        return wait_for(lambda: (lambda j: j if j["subscription"] != "pending" else None)(
            self.sim.request("GET", "/_sim/webhooks").json()))

    def test_sdk_accepts_every_event(self):
        rv = RivetReceiver(SECRET)
        try:
            st = self.subscribe(rv.url, SECRET)
            self.assertEqual(st["subscription"], "active", st)
            scenario(self.sim, self.sim.token())
            # bodies JSON.stringify would write differently: decimals, an
            # index-like key, control characters, non-ASCII
            tricky = {"b": 0.1, "10": 1, "2": [5.0, 1e21, 1.5e-7],
                      "s": "a\u0001\u001fb\"\\/\n\u00e9\u2028\u007f"}
            self.sim.request("POST", "/_sim/webhooks/emit",
                             body={"event": "meeting.alert", "object": tricky})
            want = EXPECTED + ["meeting.alert"]
            # A retried event reaches Rivet twice (its first answer came too
            # late for zoomsim) with the same body: count each body once.
            seen, got = set(), []
            while len(got) < len(want):
                before = len(rv.events)
                rv.wait(before + 1)
                if len(rv.events) == before:
                    break
                e = rv.events[-1]
                key = json.dumps(e["body"], sort_keys=True)
                if key not in seen:
                    seen.add(key)
                    got.append(e)
            d = self.sim.request("GET", "/_sim/webhooks/deliveries").json()["deliveries"]
            late = [x for x in d if x["result"] != "delivered" and x["result"] != "validated"]
            # every attempt that failed is one that came too late (never a
            # refusal: Rivet answers 400 to a signature it rejects), and
            # every event was delivered in the end
            for x in late:
                self.assertEqual(x["result"], "failed, retry scheduled", d)
                self.assertIn("no answer within", x.get("error", ""), d)
            self.assertEqual({(x["result"], x["status"]) for x in d if x not in late},
                             {("validated", 200), ("delivered", 200)}, d)
            names = [e["event"] for e in got]
            if late:
                # a retry comes after the events queued behind it
                self.assertEqual(sorted(names), sorted(want), (late, names))
            else:
                self.assertEqual(names, want)
            self.assertEqual(next(e for e in got if e["event"] == "meeting.alert")
                             ["body"]["payload"]["object"], tricky)
        finally:
            rv.stop()

    def test_sdk_refuses_another_secret(self):
        # the control: Rivet really checks (a subscription signed with
        # another secret fails validation, since Rivet answers 400)
        rv = RivetReceiver("not-" + SECRET)
        try:
            st = self.subscribe(rv.url, SECRET)
            self.assertEqual(st["subscription"], "failed")
            self.assertIn("400", st["reason"])
        finally:
            rv.stop()


class SchemaSubsetTest(unittest.TestCase):
    def test_committed_subset_is_current(self):
        d = next((d for d in SHARED if os.path.exists(
            os.path.join(d, "zoom-meetings-webhooks-2026-03.json"))), None)
        if not d:
            raise unittest.SkipTest("Zoom's OpenAPI files are not beside this checkout")
        r = subprocess.run([sys.executable, TRIM, "--check", d], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("is current", r.stdout)


if __name__ == "__main__":
    unittest.main()
