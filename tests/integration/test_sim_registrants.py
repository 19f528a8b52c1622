"""zoomsim registrants: add (validation, duplicates, manual approval,
registration off, capacity 3043, unknown meeting 1001, required
registration questions), list (status filter, paging, 3001), status
changes (approve, deny, cancel) and the registration questions."""
import unittest

from zfharness import Sim, SimDataCase


class RegistrantsTest(SimDataCase):
    def meeting(self, approval=0):
        r = self.req("POST", "/v2/users/me/meetings",
                     body={"topic": "Town hall", "settings": {"approval_type": approval}})
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def add(self, mid, **body):
        return self.req("POST", f"/v2/meetings/{mid}/registrants", body=body)

    def test_add_and_duplicate_returns_same_registrant(self):
        mid = self.meeting()
        r = self.add(mid, email="Ann@example.com", first_name="Ann", org="ACME",
                     no_of_employees="1-20", language="de-DE")
        self.assertEqual(r.status, 201, r)
        a = r.json()
        self.assertEqual(a["id"], mid)
        self.assertIn("join_url", a)
        r = self.add(mid, email="ann@EXAMPLE.com", first_name="Annie")
        self.assertEqual(r.status, 201)
        self.assertEqual(r.json()["registrant_id"], a["registrant_id"])
        self.assertEqual(r.json()["join_url"], a["join_url"])
        self.assertEqual(r.json()["participant_pin_code"], a["participant_pin_code"])
        other = self.add(mid, email="bob@example.com", first_name="Bob").json()
        self.assertNotEqual(other["participant_pin_code"], a["participant_pin_code"])
        self.assertTrue(100000 <= other["participant_pin_code"] <= 999999)
        lst = self.req("GET", f"/v2/meetings/{mid}/registrants").json()
        self.assertEqual(lst["total_records"], 2)
        reg = [x for x in lst["registrants"] if x["email"].lower() == "ann@example.com"][0]
        self.assertEqual((reg["first_name"], reg["org"], reg["status"]), ("Ann", "ACME", "approved"))

    def test_validation(self):
        mid = self.meeting()
        r = self.add(mid, email="not-an-email", last_name="x" * 65,
                     purchasing_time_frame="someday", custom_questions=[{"title": "q",
                                                                         "value": "v" * 129}])
        self.assertEqual(r.status, 400)
        fields = {e["field"] for e in r.json()["errors"]}
        self.assertEqual(fields, {"email", "first_name", "last_name", "purchasing_time_frame",
                                  "custom_questions"})

    def test_manual_approval_pending_without_join_url(self):
        mid = self.meeting(approval=1)
        r = self.add(mid, email="p@example.com", first_name="P")
        self.assertEqual(r.status, 201)
        self.assertNotIn("join_url", r.json())
        self.assertEqual(self.req("GET", f"/v2/meetings/{mid}/registrants").json()["total_records"], 0)
        pend = self.req("GET", f"/v2/meetings/{mid}/registrants", query={"status": "pending"}).json()
        self.assertEqual(pend["registrants"][0]["email"], "p@example.com")
        r = self.add(mid, email="auto@example.com", first_name="A", auto_approve=True)
        self.assertIn("join_url", r.json())

    def test_registration_not_enabled(self):
        mid = self.meeting(approval=2)
        r = self.add(mid, email="x@example.com", first_name="X")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json(), {"code": 404, "message":
                                    f"Registration has not been enabled for this meeting: {mid}."})

    def test_unknown_meeting(self):
        r = self.add(99999999999, email="x@example.com", first_name="X")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["code"], 1001)
        r = self.req("GET", "/v2/meetings/99999999999/registrants")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["code"], 3001)

    def test_capacity_3043(self):
        r = self.sim.request("POST", "/_sim/seed/meetings", body={"count": 1, "registrants": 4999})
        mid = r.json()["meeting_ids"][0]
        self.assertEqual(self.sim.state()["data"]["counts"]["registrants"][str(mid)], 4999)
        r = self.add(mid, email="late@example.com", first_name="Late")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["code"], 3043)
        # an existing registrant still gets their registration back
        r = self.add(mid, email="registrant7@example.net", first_name="Again")
        self.assertEqual(r.status, 201)

    # --- status

    def status(self, mid, action, *who, **query):
        return self.req("PUT", f"/v2/meetings/{mid}/registrants/status", query=query or None,
                        body={"action": action, "registrants": list(who)})

    def statuses(self, mid):
        out = {}
        for st in ("approved", "pending", "denied"):
            lst = self.req("GET", f"/v2/meetings/{mid}/registrants", query={"status": st}).json()
            for r in lst["registrants"]:
                out[r["email"]] = st
        return out

    def test_status_approve_deny_cancel(self):
        mid = self.meeting(approval=1)
        ids = {e: self.add(mid, email=e, first_name="R").json()["registrant_id"]
               for e in ("a@example.com", "b@example.com", "c@example.com")}
        r = self.status(mid, "approve", {"id": ids["a@example.com"]}, {"email": "B@Example.com"},
                        {"email": "nobody@example.com"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(self.statuses(mid), {"a@example.com": "approved",
                                              "b@example.com": "approved",
                                              "c@example.com": "pending"})
        log = self.sim.requests_log(route="registrants.status")["requests"]
        self.assertEqual(log[-1]["detail"], "approve: 2 of 3 changed")
        approved = self.req("GET", f"/v2/meetings/{mid}/registrants").json()
        self.assertEqual(approved["total_records"], 2)
        self.assertTrue(all("join_url" in x for x in approved["registrants"]))
        # cancel takes back an approval only; deny turns anyone away
        self.status(mid, "cancel", {"email": "a@example.com"}, {"email": "c@example.com"})
        self.status(mid, "deny", {"email": "b@example.com"})
        self.assertEqual(self.statuses(mid), {"a@example.com": "denied",
                                              "b@example.com": "denied",
                                              "c@example.com": "pending"})
        self.assertEqual(self.status(mid, "approve", {"email": "a@example.com"}).status, 204)
        self.assertEqual(self.statuses(mid)["a@example.com"], "approved")

    def test_status_errors(self):
        mid = self.meeting(approval=1)
        r = self.req("PUT", f"/v2/meetings/{mid}/registrants/status",
                     body={"action": "promote", "registrants": [{"name": "x"}] + [
                         {"email": f"r{i}@example.com"} for i in range(30)]})
        self.assertEqual(r.status, 400, r)
        msgs = [e["message"] for e in r.json()["errors"]]
        self.assertEqual([e["field"] for e in r.json()["errors"]],
                         ["action", "registrants", "registrants"])
        self.assertIn("at most 30", " ".join(msgs))
        self.assertEqual(self.req("PUT", f"/v2/meetings/{mid}/registrants/status",
                                  body={}).json()["errors"][0]["field"], "action")
        r = self.status(99999999999, "approve", {"email": "a@example.com"})
        self.assertEqual((r.status, r.json()["code"]), (404, 3001))
        closed = self.meeting(approval=2)
        r = self.status(closed, "approve", {"email": "a@example.com"})
        self.assertEqual((r.status, r.json()["code"]), (400, 404))
        r = self.status(mid, "approve", {"email": "a@example.com"}, occurrence_id="123")
        self.assertEqual(r.json(), {"code": 300, "message": "Invalid parameter: occurrence_id."})

    # --- registration questions

    def test_questions_get_patch_and_validation(self):
        mid = self.meeting()
        q = self.req("GET", f"/v2/meetings/{mid}/registrants/questions").json()
        self.assertEqual(q, {"questions": [], "custom_questions": []})
        body = {"questions": [{"field_name": "org", "required": True},
                              {"field_name": "city", "required": False}],
                "custom_questions": [{"title": "Shirt", "type": "single", "required": True,
                                      "answers": ["S", "M", "L"]},
                                     {"title": "Why?", "type": "short"}]}
        r = self.req("PATCH", f"/v2/meetings/{mid}/registrants/questions", body=body)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.req("GET", f"/v2/meetings/{mid}/registrants/questions").json(),
                         body)
        # a list given replaces that list; a list not given stays
        self.req("PATCH", f"/v2/meetings/{mid}/registrants/questions", body={"questions": []})
        q = self.req("GET", f"/v2/meetings/{mid}/registrants/questions").json()
        self.assertEqual((q["questions"], q["custom_questions"]), ([], body["custom_questions"]))
        r = self.req("PATCH", f"/v2/meetings/{mid}/registrants/questions", body={
            "questions": [{"field_name": "email", "required": "yes"}],
            "custom_questions": [{"type": "single"}, {"title": "t", "type": "short",
                                                      "answers": ["a"]}, {"title": "u",
                                                                           "type": "long"}]})
        self.assertEqual(r.status, 400, r)
        self.assertEqual({e["field"] for e in r.json()["errors"]},
                         {"questions.field_name", "questions.required", "custom_questions.title",
                          "custom_questions.answers", "custom_questions.type"})
        closed = self.meeting(approval=2)
        for method in ("GET", "PATCH"):
            r = self.req(method, f"/v2/meetings/{closed}/registrants/questions",
                         body={} if method == "PATCH" else None)
            self.assertEqual((r.status, r.json()["code"]), (400, 404))
            r = self.req(method, "/v2/meetings/99999999999/registrants/questions",
                         body={} if method == "PATCH" else None)
            self.assertEqual((r.status, r.json()["code"]), (404, 3001))

    def test_add_respects_required_questions(self):
        mid = self.meeting()
        self.req("PATCH", f"/v2/meetings/{mid}/registrants/questions", body={
            "questions": [{"field_name": "org", "required": True},
                          {"field_name": "job_title", "required": False}],
            "custom_questions": [{"title": "Shirt", "type": "single", "required": True,
                                  "answers": ["S", "M"]},
                                 {"title": "Diet", "type": "single", "answers": ["veg", "any"]}]})
        r = self.add(mid, email="q@example.com", first_name="Q",
                     custom_questions=[{"title": "Diet", "value": "fish"}])
        self.assertEqual(r.status, 400, r)
        errs = r.json()["errors"]
        self.assertEqual([e["field"] for e in errs], ["org", "custom_questions",
                                                      "custom_questions"])
        self.assertIn('"Shirt" is required', errs[1]["message"])
        self.assertIn('"fish" is not one of the answers', errs[2]["message"])
        self.assertEqual(self.req("GET", f"/v2/meetings/{mid}/registrants").json()
                         ["total_records"], 0)
        r = self.add(mid, email="q@example.com", first_name="Q", org="ACME",
                     custom_questions=[{"title": "Shirt", "value": "M"}])
        self.assertEqual(r.status, 201, r)

    def test_list_paging_and_growth(self):
        mid = self.meeting()
        for i in range(7):
            self.add(mid, email=f"r{i}@example.com", first_name="R")
        p = self.req("GET", f"/v2/meetings/{mid}/registrants", query={"page_size": 3}).json()
        seen = [r["id"] for r in p["registrants"]]
        self.add(mid, email="r7@example.com", first_name="R")
        tok = p["next_page_token"]
        while tok:
            p = self.req("GET", f"/v2/meetings/{mid}/registrants",
                         query={"page_size": 3, "next_page_token": tok}).json()
            seen += [r["id"] for r in p["registrants"]]
            tok = p["next_page_token"]
        self.assertEqual(len(seen), 8)
        self.assertEqual(len(set(seen)), 8)
        r = self.req("GET", f"/v2/meetings/{mid}/registrants", query={"page_size": 301})
        self.assertEqual(r.json()["errors"][0]["field"], "page_size")
        r = self.req("GET", f"/v2/meetings/{mid}/registrants", query={"next_page_token": "bogus"})
        self.assertEqual(r.json()["message"], "The next page token is invalid or expired.")


if __name__ == "__main__":
    unittest.main()
