"""zoomflow serve: the workflows and runs routes (docs/service.md,
docs/runs.md). Definitions POSTed as JSON and YAML (every problem with
its line:column, an unchanged re-POST keeps its version), runs listed with
filters and paged by the opaque next_before without dupes or gaps, one run
with its steps, retry and cancel with their 409s and audit rows, the
roles, and another org's runs answering 404."""
import json
import time
import unittest

from srvharness import Serve, store_sql

WF_YAML = """name: greet
description: Make a meeting
on: manual
steps:
  - id: make
    action: create_meeting
    with:
      user_id: me
      topic: "Hello {{ event.who }}"
"""

BAD_YAML = """name: broken
on: manual
steps:
  - id: make
    action: no_such_action
    with:
      topic: x
"""


class RunsCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Serve("--workers", "0")  # the tests set the runs' states: no worker may move them
        for org in ("acme", "globex"):
            s.org(org)
        cls.keys = {r: s.key("acme", "k-" + r, r) for r in ("viewer", "operator", "admin")}
        cls.keys["globex"] = s.key("globex", "k-g", "admin")

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop()
        if rc != 0:
            raise AssertionError(f"zoomflow serve exited {rc}: {cls.s.stderr()[-3000:]}")

    def req(self, who, method, path, body=None, ctype="application/json"):
        return self.s.request(method, path, body, key=self.keys[who], ctype=ctype)

    def post_wf(self, text, ctype="application/yaml", who="admin"):
        return self.req(who, "POST", "/api/v1/workflows", text, ctype=ctype)

    def err(self, r):
        return r.json()["error"]

    def insert_run(self, org, state, workflow="greet", trigger="manual", error=None,
                   steps=()):
        now = int(time.time())
        err = "NULL" if error is None else "'" + json.dumps(error).replace("'", "''") + "'"
        fin = now if state in ("done", "failed", "cancelled") else 0
        rows = store_sql(self.s.store,
                         "INSERT INTO workflow_runs (org, workflow, version, trigger_kind, "
                         "trigger_id, input, state, created_at, updated_at, finished_at, error) "
                         f"VALUES ('{org}', '{workflow}', 1, '{trigger}', NULL, "
                         f"'{{\"who\": \"x\"}}', '{state}', {now}, {now}, {fin}, {err}) "
                         "RETURNING id")
        rid = int(rows[0][0])
        for i, (sid, sstate, out, serr) in enumerate(steps):
            o = "NULL" if out is None else "'" + json.dumps(out) + "'"
            e = "NULL" if serr is None else "'" + json.dumps(serr) + "'"
            store_sql(self.s.store,
                      "INSERT INTO workflow_steps (run_id, step_id, item, step_index, state, "
                      "input, output, error, attempts, updated_at) VALUES "
                      f"({rid}, '{sid}', -1, {i}, '{sstate}', '{{\"topic\": \"t\"}}', {o}, {e}, "
                      f"1, {now})")
        return rid


class TestWorkflows(RunsCase):
    def test_post_yaml_then_json_same_content_keeps_version(self):
        r = self.post_wf(WF_YAML)
        self.assertIn(r.status, (200, 201), r.body)
        v = r.json()["version"]
        self.assertEqual(r.json()["name"], "greet")
        self.assertEqual(len(r.json()["sha256"]), 64)
        again = self.post_wf(WF_YAML)
        self.assertEqual(again.status, 200, again.body)
        self.assertFalse(again.json()["created"])
        self.assertEqual(again.json()["version"], v)
        # the same model as JSON is the same content: the same version
        model = {"name": "greet", "description": "Make a meeting", "on": "manual",
                 "steps": [{"id": "make", "action": "create_meeting",
                            "with": {"user_id": "me", "topic": "Hello {{ event.who }}"}}]}
        j = self.post_wf(json.dumps(model), ctype="application/json")
        self.assertIn(j.status, (200, 201), j.body)
        # a changed definition is a new version
        changed = self.post_wf(WF_YAML.replace("Make a meeting", "Make one meeting"))
        self.assertEqual(changed.status, 201, changed.body)
        self.assertTrue(changed.json()["created"])
        self.assertGreater(changed.json()["version"], j.json()["version"])
        got = self.req("viewer", "GET", "/api/v1/workflows/greet")
        self.assertEqual(got.status, 200, got.body)
        self.assertEqual(got.json()["version"], changed.json()["version"])
        self.assertEqual(got.json()["definition"]["description"], "Make one meeting")
        old = self.req("viewer", "GET", f"/api/v1/workflows/greet?version={v}")
        self.assertEqual(old.json()["definition"]["description"], "Make a meeting")
        self.assertEqual(old.json()["version"], v)
        lst = self.req("viewer", "GET", "/api/v1/workflows")
        self.assertEqual(lst.status, 200)
        names = [w["name"] for w in lst.json()["workflows"]]
        self.assertIn("greet", names)
        row = [w for w in lst.json()["workflows"] if w["name"] == "greet"][0]
        self.assertEqual(row["version"], changed.json()["version"])
        self.assertEqual(row["on"], "manual")
        # audited: one row per saved version, none for the unchanged re-POST
        audit = self.req("admin", "GET", "/api/v1/audit?limit=500").json()["entries"]
        saves = [a for a in audit if a["action"] == "workflow.save"
                 and a["detail"].startswith("workflow greet ")]
        self.assertEqual(len(saves), len({v, j.json()["version"], changed.json()["version"]}))
        self.assertTrue(all(a["actor"].startswith("key:") for a in saves))

    def test_yaml_problems_have_positions(self):
        r = self.post_wf(BAD_YAML)
        self.assertEqual(r.status, 422, r.body)
        e = self.err(r)
        self.assertEqual(e["code"], "EVALIDATION")
        self.assertIn("5:", e["message"])
        p = e["problems"]
        self.assertTrue(any(x["line"] == 5 and x["column"] > 0 and "no_such_action" in x["message"]
                            for x in p), p)
        self.assertTrue(all(x["field"] == f"{x['line']}:{x['column']}" for x in p if x["line"]))
        # a YAML syntax error has a place too
        r = self.post_wf("name: x\non: manual\nsteps: [\n  - id: a\n")
        self.assertEqual(r.status, 422, r.body)
        self.assertGreater(self.err(r)["problems"][0]["line"], 0)
        # nothing saved
        self.assertEqual(self.req("viewer", "GET", "/api/v1/workflows/broken").status, 404)

    def test_bad_requests(self):
        r = self.post_wf(WF_YAML, ctype="text/plain")
        self.assertEqual(r.status, 415, r.body)
        self.assertIn("application/yaml", self.err(r)["message"])
        r = self.post_wf("{not json", ctype="application/json")
        self.assertEqual(r.status, 422, r.body)
        r = self.req("viewer", "GET", "/api/v1/workflows/greet?version=abc")
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(self.err(r)["problems"][0]["field"], "version")
        r = self.req("viewer", "GET", "/api/v1/workflows/greet?versoin=2")
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(self.err(r)["problems"][0]["field"], "versoin")
        self.assertIn("?version=", self.err(r)["message"])
        r = self.req("viewer", "GET", "/api/v1/workflows/nope")
        self.assertEqual(r.status, 404, r.body)
        self.assertEqual(self.err(r)["code"], "ENOTFOUND")

    def test_roles_and_orgs(self):
        self.assertEqual(self.post_wf(WF_YAML, who="operator").status, 403)
        self.assertEqual(self.post_wf(WF_YAML, who="viewer").status, 403)
        self.assertEqual(self.s.request("GET", "/api/v1/workflows").status, 401)
        self.assertEqual(self.post_wf(WF_YAML).status in (200, 201), True)
        # another org sees none of acme's workflows
        g = self.req("globex", "GET", "/api/v1/workflows")
        self.assertEqual(g.json()["workflows"], [])
        self.assertEqual(self.req("globex", "GET", "/api/v1/workflows/greet").status, 404)


GONE_YAML = """name: gone
on: {event: gone.happened}
steps:
  - id: make
    action: create_meeting
    with:
      user_id: me
      topic: "Gone {{ event.who }}"
"""


class TestDelete(RunsCase):
    """DELETE /api/v1/workflows/{name}: admin only, the name gone from the
    list, the latest and the event triggers at once; its versions stay, so
    a run in progress keeps its definition; 404 naming the org's workflows
    when absent (again, never saved, another org's); audited; posting it
    again brings it back."""

    def test_delete(self):
        self.assertIn(self.post_wf(WF_YAML).status, (200, 201))
        r = self.post_wf(GONE_YAML)
        self.assertIn(r.status, (200, 201), r.body)
        v = r.json()["version"]
        ev = self.req("operator", "POST", "/api/v1/events/gone.happened", {"who": "a", "id": "e1"})
        self.assertEqual(ev.status, 202, ev.body)
        rid = ev.json()["runs"][0]["id"]
        store_sql(self.s.store, f"UPDATE workflow_runs SET state = 'running' WHERE id = {rid}")
        # the roles below admin, anonymous, another org's admin: refused, nothing deleted
        for who, status in (("viewer", 403), ("operator", 403), ("globex", 404)):
            r = self.req(who, "DELETE", "/api/v1/workflows/gone")
            self.assertEqual(r.status, status, (who, r.body))
        self.assertEqual(self.s.request("DELETE", "/api/v1/workflows/gone").status, 401)
        self.assertEqual(self.req("viewer", "GET", "/api/v1/workflows/gone").status, 200)
        # the admin deletes it
        r = self.req("admin", "DELETE", "/api/v1/workflows/gone")
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual((body["name"], body["version"], body["deleted"]), ("gone", v, True))
        self.assertEqual(body["runs_in_progress"], {"queued": 0, "running": 1})
        self.assertIn("cancel", body["note"])
        # gone from the list and the latest; the run's version still reads
        names = [w["name"] for w in self.req("viewer", "GET", "/api/v1/workflows").json()
                 ["workflows"]]
        self.assertNotIn("gone", names)
        self.assertIn("greet", names)
        self.assertEqual(self.req("viewer", "GET", "/api/v1/workflows/gone").status, 404)
        old = self.req("viewer", "GET", f"/api/v1/workflows/gone?version={v}")
        self.assertEqual(old.status, 200, old.body)
        run = self.req("viewer", "GET", f"/api/v1/runs/{rid}")
        self.assertEqual(run.status, 200, run.body)
        self.assertEqual((run.json()["state"], run.json()["version"]), ("running", v))
        # its trigger stopped: the event starts nothing
        ev = self.req("operator", "POST", "/api/v1/events/gone.happened", {"who": "b", "id": "e2"})
        self.assertEqual(ev.status, 404, ev.body)
        self.assertEqual(self.err(ev)["hint_id"], "UNKNOWN_EVENT")
        # again, a name never saved: 404 naming the ones there are
        for name in ("gone", "nope"):
            r = self.req("admin", "DELETE", "/api/v1/workflows/" + name)
            self.assertEqual(r.status, 404, r.body)
            e = self.err(r)
            self.assertIn(f'no workflow "{name}" to delete', e["message"])
            self.assertIn("greet", e["message"])
            self.assertEqual(e["hint_id"], "LIST_WORKFLOWS")
        # audited once, by the admin's key
        audit = self.req("admin", "GET", "/api/v1/audit?limit=500").json()["entries"]
        dels = [a for a in audit if a["action"] == "workflow.delete"]
        self.assertEqual(len(dels), 1, dels)
        self.assertIn("workflow gone", dels[0]["detail"])
        self.assertTrue(dels[0]["actor"].startswith("key:"))
        # posting it again brings it back, with its trigger
        r = self.post_wf(GONE_YAML)
        self.assertIn(r.status, (200, 201), r.body)
        self.assertEqual(self.req("viewer", "GET", "/api/v1/workflows/gone").status, 200)
        ev = self.req("operator", "POST", "/api/v1/events/gone.happened", {"who": "c", "id": "e3"})
        self.assertEqual(ev.status, 202, ev.body)
        # a changed definition after a delete is the next version
        self.assertEqual(self.req("admin", "DELETE", "/api/v1/workflows/gone").status, 200)
        r = self.post_wf(GONE_YAML.replace("Gone ", "Went "))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["version"], v + 1)
        self.assertEqual(self.req("viewer", "GET", "/api/v1/workflows/gone").json()["version"],
                         v + 1)


class TestRuns(RunsCase):
    def test_get_one_with_steps_and_cross_org(self):
        rid = self.insert_run("acme", "failed", error={"code": "ZF_EZOOM", "message": "boom",
                                                       "step": "make"},
                              steps=[("make", "failed", None, {"message": "boom"})])
        r = self.req("viewer", "GET", f"/api/v1/runs/{rid}")
        self.assertEqual(r.status, 200, r.body)
        j = r.json()
        self.assertEqual(j["id"], rid)
        self.assertEqual(j["state"], "failed")
        self.assertEqual(j["input"], {"who": "x"})
        self.assertEqual(j["error"]["message"], "boom")
        self.assertEqual(j["steps"][0]["id"], "make")
        self.assertEqual(j["steps"][0]["state"], "failed")
        self.assertEqual(j["steps"][0]["attempts"], 1)
        self.assertEqual(j["steps"][0]["input"], {"topic": "t"})
        self.assertEqual(j["steps"][0]["error"], {"message": "boom"})
        # another org: 404 for read, retry and cancel, and the run is untouched
        for m, p in (("GET", ""), ("POST", "/retry"), ("POST", "/cancel")):
            g = self.req("globex", m, f"/api/v1/runs/{rid}{p}")
            self.assertEqual(g.status, 404, (m, p, g.body))
            self.assertEqual(self.err(g)["code"], "ENOTFOUND")
        self.assertEqual(self.req("viewer", "GET", f"/api/v1/runs/{rid}").json()["state"],
                         "failed")
        gl = self.req("globex", "GET", "/api/v1/runs").json()["runs"]
        self.assertNotIn(rid, [x["id"] for x in gl])

    def test_bad_ids(self):
        for bad in ("0", "-1", "abc", "99999999999999999999"):
            r = self.req("viewer", "GET", f"/api/v1/runs/{bad}")
            self.assertEqual(r.status, 404, (bad, r.body))
        self.assertEqual(self.req("viewer", "GET", "/api/v1/runs/987654321").status, 404)

    def test_retry_and_cancel(self):
        failed = self.insert_run("acme", "failed", error={"message": "x"},
                                 steps=[("make", "failed", None, {"message": "x"})])
        queued = self.insert_run("acme", "queued")
        done = self.insert_run("acme", "done", steps=[("make", "done", {"id": 1}, None)])
        # viewer may not change runs
        self.assertEqual(self.req("viewer", "POST", f"/api/v1/runs/{failed}/retry").status, 403)
        self.assertEqual(self.req("viewer", "POST", f"/api/v1/runs/{queued}/cancel").status, 403)
        r = self.req("operator", "POST", f"/api/v1/runs/{failed}/retry")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["state"], "queued")
        self.assertEqual(r.json()["attempts"], 2)
        self.assertEqual(r.json()["steps"][0]["state"], "pending")
        # a queued run cannot be retried: a clear 409
        again = self.req("operator", "POST", f"/api/v1/runs/{failed}/retry")
        self.assertEqual(again.status, 409, again.body)
        self.assertIn("queued", self.err(again)["message"])
        self.assertIn("failed", self.err(again)["hint"])
        c = self.req("operator", "POST", f"/api/v1/runs/{queued}/cancel")
        self.assertEqual(c.status, 200, c.body)
        self.assertEqual(c.json()["state"], "cancelled")
        for rid in (queued, done):
            x = self.req("admin", "POST", f"/api/v1/runs/{rid}/cancel")
            self.assertEqual(x.status, 409, x.body)
            self.assertEqual(self.err(x)["code"], "ECONFLICT")
        self.assertEqual(self.req("admin", "POST", f"/api/v1/runs/{done}/retry").status, 409)
        audit = self.req("admin", "GET", "/api/v1/audit?limit=500").json()["entries"]
        acts = {(a["action"], a["detail"].split(" ")[1]) for a in audit
                if a["action"].startswith("run.")}
        self.assertIn(("run.retry", str(failed)), acts)
        self.assertIn(("run.cancel", str(queued)), acts)
        self.assertNotIn(("run.cancel", str(done)), acts)

    def test_list_filters_and_pagination(self):
        ids = [self.insert_run("acme", st, workflow="pager", trigger=tk)
               for st, tk in [("queued", "manual"), ("done", "zoom"), ("failed", "event")] * 9]
        self.insert_run("globex", "queued", workflow="pager")
        seen = []
        path = "/api/v1/runs?workflow=pager&limit=4"
        pages = 0
        while True:
            r = self.req("viewer", "GET", path)
            self.assertEqual(r.status, 200, r.body)
            page = r.json()
            self.assertLessEqual(len(page["runs"]), 4)
            seen += [x["id"] for x in page["runs"]]
            pages += 1
            if page["next_before"] is None:
                break
            path = "/api/v1/runs?workflow=pager&limit=4&before=" + page["next_before"]
            # a run created meanwhile never shifts the pages after it
            if pages == 2:
                ids.append(self.insert_run("acme", "queued", workflow="pager"))
        self.assertEqual(len(seen), len(set(seen)), "a run on two pages")
        self.assertEqual(seen, sorted(ids[:27], reverse=True), "gaps or wrong order")
        self.assertGreaterEqual(pages, 7)
        def only(q):
            r = self.req("viewer", "GET", "/api/v1/runs?workflow=pager&limit=1000&" + q)
            self.assertEqual(r.status, 200, r.body)
            return r.json()["runs"]
        self.assertEqual({x["state"] for x in only("state=failed")}, {"failed"})
        self.assertEqual(len(only("state=failed")), 9)
        self.assertEqual({x["trigger"]["kind"] for x in only("trigger=zoom")}, {"zoom"})
        self.assertEqual(len(only("trigger=zoom&state=done")), 9)
        self.assertEqual(only("trigger=zoom&state=queued"), [])
        self.assertNotIn("steps", only("state=done")[0])

    def test_bad_filters_and_cursors(self):
        for q, field in (("state=sleeping", "state"), ("trigger=cron", "trigger"),
                         ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"),
                         ("before=", "before"), ("before=12", "before"), ("before=r", "before"),
                         ("before=r-5", "before"), ("before=r12x", "before"),
                         ("before=r99999999999999999999", "before"), ("workflow=", "workflow")):
            r = self.req("viewer", "GET", "/api/v1/runs?" + q)
            self.assertEqual(r.status, 400, (q, r.body))
            e = self.err(r)
            self.assertEqual((e["code"], e["status"]), ("EVALIDATION", 400), q)
            self.assertEqual(e["problems"][0]["field"], field, q)
            self.assertIn("?" + field + "=", e["message"])
            self.assertTrue(e.get("hint"), q)

    def test_bad_query_is_400_naming_what_it_accepts(self):
        """422 is for a body that fails its schema: a query the route
        refuses is 400, naming the parameter and what it accepts, alone or
        among good ones, first or last, and for every role."""
        cases = (("state=bogus", "state", "queued, running, done, failed, cancelled"),
                 ("limit=abc", "limit", "from 1 to 1000"),
                 ("limit=0", "limit", "from 1 to 1000"),
                 ("limit=-3", "limit", "from 1 to 1000"),
                 ("limit=1%200", "limit", "from 1 to 1000"),
                 ("trigger=webhook", "trigger", "event, zoom, schedule, manual, api"),
                 ("bogus=1", "bogus", "?state=, ?workflow=, ?trigger=, ?limit=, ?before="),
                 ("State=failed", "State", "?state="),
                 ("state=failed&limit=5&pagesize=5", "pagesize", "?limit="),
                 ("pagesize=5&state=failed", "pagesize", "?limit="),
                 ("limit=5&state=", "state", "queued, running"),
                 ("limit", "limit", "from 1 to 1000"))
        for who in ("viewer", "operator", "admin"):
            for q, field, says in cases:
                r = self.req(who, "GET", "/api/v1/runs?" + q)
                self.assertEqual(r.status, 400, (q, r.body))
                e = self.err(r)
                self.assertEqual(e["status"], 400, q)
                self.assertEqual(e["code"], "EVALIDATION", q)
                self.assertEqual(e["problems"][0]["field"], field, q)
                self.assertIn("?" + field + "=", e["message"], q)
                self.assertIn(says, e["message"], q)
                self.assertTrue(e.get("hint"), q)
        self.assertEqual(self.err(self.req("viewer", "GET", "/api/v1/runs?bogus=1"))["hint_id"],
                         "FIX_QUERY")
        # the good ones still answer
        for q in ("", "state=failed", "limit=1", "limit=1000&trigger=zoom&workflow=greet"):
            self.assertEqual(self.req("viewer", "GET", "/api/v1/runs?" + q).status, 200, q)
        # who asks is checked before the query: anonymous is 401 still
        self.assertEqual(self.s.request("GET", "/api/v1/runs?bogus=1").status, 401)

    def test_anonymous(self):
        for m, p in (("GET", "/api/v1/runs"), ("GET", "/api/v1/runs/1"),
                     ("POST", "/api/v1/runs/1/retry")):
            self.assertEqual(self.s.request(m, p).status, 401)


if __name__ == "__main__":
    unittest.main()
