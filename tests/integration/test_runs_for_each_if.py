"""`for_each` with an `if:` rendered per item (docs/workflows.md), through
the real CLI against zoomsim: a town-hall style list where some attendees
are filtered out. An item whose `if` is false is skipped, recorded as a
skipped step row with its index and as {"skipped", "item"} in the step's
output, and never reaches Zoom; the others run, with concurrency, a 503
fault retried by the step's policy; an item the `if` cannot render fails
alone (continue_on_error); the same trigger again sends nothing; a bad
`if` is refused at load with its line:column."""
import json

from cliharness import ConnectedTest

TOWN_HALL = """name: town-hall-filtered
on: manual
steps:
  - id: register
    action: add_meeting_registrant
    for_each: "{{ event.attendees }}"
    concurrency: 3
    if: "{{ item.status != 'cancelled' }}"
    with:
      meeting_id: "{{ event.meeting_id }}"
      email: "{{ item.email }}"
      first_name: "{{ item.first_name }}"
      auto_approve: true
    retry: {max_attempts: 4, backoff: fixed, delay_ms: 100}
    continue_on_error: true
"""

CANCELLED = {1, 4, 7, 8}
NO_STATUS = 9  # `item.status` missing: the if does not render


def attendees():
    out = []
    for i in range(11):
        a = {"email": f"att{i}@example.com", "first_name": f"A{i}"}
        if i != NO_STATUS:
            a["status"] = "cancelled" if i in CANCELLED else "confirmed"
        out.append(a)
    return out


class ForEachIf(ConnectedTest):
    def sent(self):
        return [json.loads(e["body"])["email"] if e.get("body") else e
                for e in self.sim.requests_log(route="registrants.create")["requests"]]

    def test_filtered_items_are_skipped_with_their_index(self):
        mid = self.meeting()
        wf = self.write("town-hall.yaml", TOWN_HALL)
        self.sim.request("DELETE", "/_sim/requests")
        self.sim.request("POST", "/_sim/faults", body={"rules": [
            {"kind": "status", "status": 503, "route": "registrants.create", "count": 2}]})
        event = json.dumps({"meeting_id": mid, "attendees": attendees()})
        p = self.cli.run("run", wf, "--event", event, "--trigger-id", "th-1", "--json")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        run = json.loads(p.out)
        self.assertEqual(run["state"], "done", run)
        rows = {s["item"]: s for s in run["steps"] if s["id"] == "register"}
        self.assertEqual(sorted(rows), list(range(11)))
        for i, s in rows.items():
            if i in CANCELLED:
                self.assertEqual(s["state"], "skipped", s)
                self.assertEqual(s["attempts"], 0, s)
            elif i == NO_STATUS:
                self.assertEqual(s["state"], "failed", s)
                self.assertIn("status", json.dumps(s["error"]))
            else:
                self.assertEqual(s["state"], "done", s)
        # Zoom saw the confirmed ones only (two 503s retried), each once
        confirmed = {f"att{i}@example.com" for i in range(11)
                     if i not in CANCELLED and i != NO_STATUS}
        log = self.sim.requests_log(route="registrants.create")["requests"]
        self.assertEqual(len(log), len(confirmed) + 2, log)
        regs = self.sim.state()["data"]["counts"]["registrants"].get(str(mid), 0)
        self.assertEqual(regs, len(confirmed))
        # the same trigger again: nothing new is sent
        p = self.cli.run("run", wf, "--event", event, "--trigger-id", "th-1", "--json")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertEqual(len(self.sim.requests_log(route="registrants.create")["requests"]),
                         len(log))

    def test_all_filtered_and_none_filtered(self):
        mid = self.meeting()
        wf = self.write("th2.yaml", TOWN_HALL.replace("town-hall-filtered", "th2"))
        everyone = [{"email": f"c{i}@example.com", "first_name": "C", "status": "cancelled"}
                    for i in range(5)]
        self.sim.request("DELETE", "/_sim/requests")
        p = self.cli.run("run", wf, "--event", json.dumps({"meeting_id": mid,
                                                           "attendees": everyone}),
                         "--trigger-id", "th-all", "--json")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        run = json.loads(p.out)
        self.assertEqual(run["state"], "done")
        self.assertEqual([s["state"] for s in run["steps"]], ["skipped"] * 5)
        self.assertEqual(sorted(s["item"] for s in run["steps"]), list(range(5)))
        self.assertEqual(self.sim.requests_log(route="registrants.create")["requests"], [])
        ok = [{"email": f"k{i}@example.com", "first_name": "K", "status": "confirmed"}
              for i in range(3)]
        p = self.cli.run("run", wf, "--event", json.dumps({"meeting_id": mid, "attendees": ok}),
                         "--trigger-id", "th-none", "--json")
        self.assertEqual(p.returncode, 0, p.out + p.err)
        self.assertEqual([s["state"] for s in json.loads(p.out)["steps"]], ["done"] * 3)

    def test_bad_if_is_refused_at_load_with_its_place(self):
        self.sim.request("DELETE", "/_sim/requests")
        for bad, words in (("{{ item.status == }}", ""),
                           ("{{ item.status | lowr }}", "lower"),
                           ("{{ itme.status != 'x' }}", "")):
            text = TOWN_HALL.replace("{{ item.status != 'cancelled' }}", bad)
            wf = self.write("bad.yaml", text)
            p = self.cli.run("run", wf, "--event", '{"meeting_id": 1, "attendees": []}')
            self.assertNotEqual(p.returncode, 0, bad)
            self.assertIn("bad.yaml:8:", p.err, (bad, p.err))  # the if: line
            self.assertIn(words, p.err, bad)
        self.assertEqual(self.sim.requests_log(route="registrants.create")["requests"], [])
