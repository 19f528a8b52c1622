"""zoomsim meetings: create/list/get/patch/delete, Zoom's errors (1001,
3001, 300 with errors), the 100 creates+updates per host per day, list
filters and paging."""
import unittest

from zfharness import Sim, SimDataCase


class MeetingsTest(SimDataCase):
    def test_create_response_fields(self):
        r = self.req("POST", "/v2/users/me/meetings", body={
            "topic": "Day 1 orientation", "type": 2, "start_time": "2031-03-02T09:00:00",
            "timezone": "America/New_York", "duration": 45, "agenda": "Welcome",
            "password": "a1@_*-!#", "settings": {"approval_type": 0, "audio": "voip",
                                                 "not_a_setting": 5},
            "tracking_fields": [{"field": "cost_center", "value": "42"}]})
        self.assertEqual(r.status, 201, r)
        m = r.json()
        self.assertEqual(len(str(m["id"])), 11)
        self.assertEqual(len(m["uuid"]), 24)
        self.assertEqual(m["start_time"], "2031-03-02T14:00:00Z")
        self.assertEqual(m["timezone"], "America/New_York")
        self.assertEqual(m["password"], "a1@_*-!#")
        self.assertTrue(m["join_url"].startswith(self.sim.url + "/j/" + str(m["id"])))
        self.assertIn("start_url", m)
        self.assertIn("registration_url", m)
        self.assertEqual(m["settings"]["audio"], "voip")
        self.assertNotIn("not_a_setting", m["settings"])
        self.assertEqual(m["tracking_fields"], [{"field": "cost_center", "value": "42"}])
        self.assertEqual(m["host_id"], self.req("GET", "/v2/users/me").json()["id"])
        g = self.req("GET", f"/v2/meetings/{m['id']}").json()
        self.assertEqual(g["uuid"], m["uuid"])

    def test_no_registration_url_without_registration(self):
        m = self.req("POST", "/v2/users/me/meetings", body={"topic": "t"}).json()
        self.assertNotIn("registration_url", m)
        self.assertEqual(m["settings"]["approval_type"], 2)

    def test_validation_errors(self):
        r = self.req("POST", "/v2/users/me/meetings", body={
            "topic": "t" * 201, "type": 4, "duration": 0, "timezone": "Nowhere/City",
            "agenda": "a" * 2001, "password": "toolongpassword",
            "settings": {"approval_type": 5, "auto_recording": "tape"}})
        self.assertEqual(r.status, 400)
        j = r.json()
        self.assertEqual(j["code"], 300)
        fields = {e["field"] for e in j["errors"]}
        self.assertEqual(fields, {"topic", "type", "duration", "timezone", "agenda", "password",
                                  "settings.approval_type", "settings.auto_recording"})

    def test_recurring_type8_occurrences(self):
        r = self.req("POST", "/v2/users/me/meetings", body={
            "type": 8, "start_time": "2031-01-05T10:00:00Z",
            "recurrence": {"type": 1, "repeat_interval": 2, "end_times": 3}})
        self.assertEqual(r.status, 201, r)
        occ = r.json()["occurrences"]
        self.assertEqual([o["start_time"] for o in occ],
                         ["2031-01-05T10:00:00Z", "2031-01-07T10:00:00Z", "2031-01-09T10:00:00Z"])
        self.assertTrue(all(o["occurrence_id"].isdigit() for o in occ))

    def test_recurring_occurrences_keep_local_time_across_dst(self):
        """Occurrences used to repeat the first one's UTC time: a weekly 09:30
        New York series gave 14:30Z after the March change (13:30Z is 09:30)."""
        cases = [
            ({"type": 8, "start_time": "2031-03-04T09:30:00", "timezone": "America/New_York",
              "recurrence": {"type": 2, "weekly_days": "3", "end_times": 3}},
             ["2031-03-04T14:30:00Z", "2031-03-11T13:30:00Z", "2031-03-18T13:30:00Z"]),
            ({"type": 8, "start_time": "2031-10-28T09:30:00", "timezone": "America/New_York",
              "recurrence": {"type": 2, "weekly_days": "3", "end_times": 2}},
             ["2031-10-28T13:30:00Z", "2031-11-04T14:30:00Z"]),
            ({"type": 8, "start_time": "2031-03-29T09:00:00", "timezone": "Europe/Berlin",
              "recurrence": {"type": 1, "repeat_interval": 1, "end_times": 2}},
             ["2031-03-29T08:00:00Z", "2031-03-30T07:00:00Z"]),
            ({"type": 8, "start_time": "2031-02-10T09:00:00", "timezone": "Europe/Berlin",
              "recurrence": {"type": 3, "monthly_day": 10, "end_times": 2,
                             "repeat_interval": 2}},
             ["2031-02-10T08:00:00Z", "2031-04-10T07:00:00Z"]),
            # a start given in UTC is still laid out on the zone's local days:
            # 23:30Z Monday is 08:30 Tuesday in Tokyo, so the weekday is Tuesday
            ({"type": 8, "start_time": "2031-03-03T23:30:00Z", "timezone": "Asia/Tokyo",
              "recurrence": {"type": 2, "end_times": 2}},
             ["2031-03-03T23:30:00Z", "2031-03-10T23:30:00Z"]),
        ]
        for body, want in cases:
            r = self.req("POST", "/v2/users/me/meetings", body=body)
            self.assertEqual(r.status, 201, r)
            got = [o["start_time"] for o in r.json()["occurrences"]]
            self.assertEqual(got, want, body)

    def test_unknown_host_1001_and_meeting_3001(self):
        r = self.req("POST", "/v2/users/ghost@example.com/meetings", body={"topic": "t"})
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["code"], 1001)
        r = self.req("GET", "/v2/users/ghost@example.com/meetings")
        self.assertEqual(r.json()["code"], 1001)
        for method in ("GET", "PATCH", "DELETE"):
            r = self.req(method, "/v2/meetings/12345678901",
                         body={"topic": "x"} if method == "PATCH" else None)
            self.assertEqual(r.status, 404, method)
            self.assertEqual(r.json(), {"code": 3001,
                                        "message": "Meeting does not exist: 12345678901."})

    def test_patch_and_delete(self):
        m = self.req("POST", "/v2/users/me/meetings", body={"topic": "before"}).json()
        r = self.req("PATCH", f"/v2/meetings/{m['id']}",
                     body={"topic": "after", "settings": {"approval_type": 1}})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        g = self.req("GET", f"/v2/meetings/{m['id']}").json()
        self.assertEqual(g["topic"], "after")
        self.assertEqual(g["settings"]["approval_type"], 1)
        self.assertEqual(g["password"], m["password"])
        self.assertEqual(g["start_time"], m["start_time"])
        r = self.req("PATCH", f"/v2/meetings/{m['id']}", body={"duration": 5000})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["errors"][0]["field"], "duration")
        self.assertEqual(self.req("DELETE", f"/v2/meetings/{m['id']}").status, 204)
        self.assertEqual(self.req("GET", f"/v2/meetings/{m['id']}").json()["code"], 3001)
        lst = self.req("GET", "/v2/users/me/meetings").json()
        self.assertEqual(lst["total_records"], 0)

    def test_daily_limit_100_creates_and_updates(self):
        first = None
        for i in range(99):
            r = self.req("POST", "/v2/users/me/meetings", body={"topic": f"m{i}"})
            self.assertEqual(r.status, 201, r)
            first = first or r.json()["id"]
        self.assertEqual(self.req("PATCH", f"/v2/meetings/{first}", body={"topic": "x"}).status,
                         204)
        for r in (self.req("POST", "/v2/users/me/meetings", body={"topic": "over"}),
                  self.req("PATCH", f"/v2/meetings/{first}", body={"topic": "y"})):
            self.assertEqual(r.status, 429)
            self.assertEqual(r.json()["message"],
                             "You have exceeded the daily rate limit (100) of Meeting "
                             "Create/Update API requests permitted for this particular user. "
                             "You may resume these requests at GMT 00:00:00.")
            self.assertEqual(r.header("X-RateLimit-Type"), "Daily-limit")
            self.assertTrue(r.header("Retry-After").endswith("T00:00:00Z"))
        # another host is not affected
        other = self.req("POST", "/v2/users", body={
            "action": "custCreate", "user_info": {"email": "o@example.com", "type": 2}})
        r = self.req("POST", "/v2/users/o@example.com/meetings", body={"topic": "fine"})
        self.assertEqual(r.status, 201, other)
        self.sim.advance(86400)
        self.tok = self.sim.token()
        self.assertEqual(self.req("POST", "/v2/users/me/meetings", body={"topic": "ok"}).status,
                         201)

    def test_list_types_and_paging(self):
        ids = [self.req("POST", "/v2/users/me/meetings",
                        body={"topic": f"m{i}", "start_time": "2031-06-0%dT10:00:00Z" % (i + 1)}
                        ).json()["id"] for i in range(5)]
        p = self.req("GET", "/v2/users/me/meetings", query={"page_size": 2}).json()
        self.assertEqual((p["total_records"], p["page_count"]), (5, 3))
        got = [m["id"] for m in p["meetings"]]
        tok = p["next_page_token"]
        while tok:
            p = self.req("GET", "/v2/users/me/meetings",
                         query={"page_size": 2, "next_page_token": tok}).json()
            got += [m["id"] for m in p["meetings"]]
            tok = p["next_page_token"]
        self.assertEqual(got, ids)
        up = self.req("GET", "/v2/users/me/meetings", query={"type": "upcoming"}).json()
        self.assertEqual(up["total_records"], 5)
        prev = self.req("GET", "/v2/users/me/meetings", query={"type": "previous_meetings"}).json()
        self.assertEqual(prev["total_records"], 0)
        rng = self.req("GET", "/v2/users/me/meetings",
                       query={"from": "2031-06-02", "to": "2031-06-03"}).json()
        self.assertEqual(rng["total_records"], 2)
        bad = self.req("GET", "/v2/users/me/meetings",
                       query={"type": "someday", "from": "06/02/2031", "page_size": 301})
        self.assertEqual({e["field"] for e in bad.json()["errors"]}, {"type", "from", "page_size"})

    def test_scope_4711(self):
        tok = self.sim.token(scopes="meeting:read:meeting:admin")
        r = self.sim.request("POST", "/v2/users/me/meetings", token=tok, body={"topic": "t"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["code"], 4711)


if __name__ == "__main__":
    unittest.main()
