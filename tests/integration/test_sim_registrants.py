"""zoomsim registrants: add (validation, duplicates, manual approval,
registration off, capacity 3043, unknown meeting 1001) and list (status
filter, paging, 3001)."""
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
        lst = self.req("GET", f"/v2/meetings/{mid}/registrants").json()
        self.assertEqual(lst["total_records"], 1)
        reg = lst["registrants"][0]
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
