"""zoomsim meetings: create/list/get/patch/delete, Zoom's errors (1001,
3001, 300 with errors), the 100 creates+updates per host per day, list
filters and paging; occurrences of a recurring meeting (get, patch and
delete one, previous ones, Zoom's list of what an occurrence may change);
past meetings and their participants (the /_sim/past_meetings seed, paging,
Zoom's one-participant and one-year rules)."""
import datetime
import unittest
import urllib.parse

from zfharness import Sim, SimDataCase


def iso(t):
    """Unix seconds as Zoom's UTC date-time."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


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

    # --- occurrences

    def series(self, **extra):
        body = {"topic": "Weekly", "type": 8, "start_time": "2031-01-05T10:00:00Z",
                "duration": 60, "recurrence": {"type": 1, "end_times": 3}}
        body.update(extra)
        r = self.req("POST", "/v2/users/me/meetings", body=body)
        self.assertEqual(r.status, 201, r)
        m = r.json()
        return m, [o["occurrence_id"] for o in m["occurrences"]]

    def test_patch_one_occurrence_changes_only_it(self):
        m, occ = self.series()
        r = self.req("PATCH", f"/v2/meetings/{m['id']}", query={"occurrence_id": occ[1]},
                     body={"start_time": "2031-01-06T12:30:00Z", "duration": 30,
                           "agenda": "moved", "settings": {"waiting_room": True}})
        self.assertEqual(r.status, 204, r)
        one = self.req("GET", f"/v2/meetings/{m['id']}", query={"occurrence_id": occ[1]}).json()
        self.assertEqual((one["start_time"], one["duration"], one["agenda"]),
                         ("2031-01-06T12:30:00Z", 30, "moved"))
        self.assertIs(one["settings"]["waiting_room"], True)
        self.assertEqual(one["occurrences"], [{"occurrence_id": occ[1], "start_time":
                                               "2031-01-06T12:30:00Z", "duration": 30,
                                               "status": "available"}])
        whole = self.req("GET", f"/v2/meetings/{m['id']}").json()
        self.assertEqual([(o["start_time"], o["duration"]) for o in whole["occurrences"]],
                         [("2031-01-05T10:00:00Z", 60), ("2031-01-06T12:30:00Z", 30),
                          ("2031-01-07T10:00:00Z", 60)])
        self.assertIs(whole["settings"]["waiting_room"], False)
        self.assertEqual(whole["agenda"], "")

    def test_patch_occurrence_refuses_what_zoom_does_not_change(self):
        m, occ = self.series()
        r = self.req("PATCH", f"/v2/meetings/{m['id']}", query={"occurrence_id": occ[0]},
                     body={"topic": "x", "timezone": "UTC", "duration": 0,
                           "settings": {"audio": "voip", "mute_upon_entry": True}})
        self.assertEqual(r.status, 400, r)
        self.assertEqual({e["field"] for e in r.json()["errors"]},
                         {"topic", "timezone", "duration", "settings.audio"})
        # nothing changed, not even the allowed setting
        one = self.req("GET", f"/v2/meetings/{m['id']}", query={"occurrence_id": occ[0]}).json()
        self.assertIs(one["settings"]["mute_upon_entry"], False)
        for oid, mid in (("1", m["id"]), (occ[0], self.req("POST", "/v2/users/me/meetings",
                                                            body={"topic": "single"}).json()["id"])):
            for method in ("GET", "PATCH", "DELETE"):
                r = self.req(method, f"/v2/meetings/{mid}", query={"occurrence_id": oid},
                             body={"agenda": "a"} if method == "PATCH" else None)
                self.assertEqual(r.status, 400, (method, r))
                self.assertEqual(r.json(), {"code": 300,
                                            "message": "Invalid parameter: occurrence_id."})

    def test_patch_start_time_in_the_past_is_ignored(self):
        m = self.req("POST", "/v2/users/me/meetings",
                     body={"topic": "t", "start_time": "2031-05-01T09:00:00Z"}).json()
        r = self.req("PATCH", f"/v2/meetings/{m['id']}",
                     body={"start_time": "2001-05-01T09:00:00Z", "topic": "renamed"})
        self.assertEqual(r.status, 204, r)
        g = self.req("GET", f"/v2/meetings/{m['id']}").json()
        self.assertEqual((g["start_time"], g["topic"]), ("2031-05-01T09:00:00Z", "renamed"))
        # a local future time is read in the meeting's zone
        self.req("PATCH", f"/v2/meetings/{m['id']}", body={"timezone": "Europe/Berlin"})
        self.req("PATCH", f"/v2/meetings/{m['id']}", body={"start_time": "2031-06-01T09:00:00"})
        g = self.req("GET", f"/v2/meetings/{m['id']}").json()
        self.assertEqual(g["start_time"], "2031-06-01T07:00:00Z")
        _, occ = self.series()
        mid = self.req("GET", "/v2/users/me/meetings").json()["meetings"][-1]["id"]
        self.req("PATCH", f"/v2/meetings/{mid}", query={"occurrence_id": occ[0]},
                 body={"start_time": "2001-01-05T10:00:00Z"})
        one = self.req("GET", f"/v2/meetings/{mid}", query={"occurrence_id": occ[0]}).json()
        self.assertEqual(one["start_time"], "2031-01-05T10:00:00Z")

    def test_delete_one_occurrence_and_reminders(self):
        m, occ = self.series()
        r = self.req("DELETE", f"/v2/meetings/{m['id']}",
                     query={"occurrence_id": occ[1], "cancel_meeting_reminder": "true",
                            "schedule_for_reminder": "false"})
        self.assertEqual(r.status, 204, r)
        log = self.sim.requests_log(route="meetings.delete")["requests"]
        self.assertEqual(log[-1]["detail"],
                         f"occurrence {occ[1]}; email host: no, registrants: yes")
        g = self.req("GET", f"/v2/meetings/{m['id']}").json()
        self.assertEqual([o["status"] for o in g["occurrences"]],
                         ["available", "deleted", "available"])
        # a deleted occurrence is no longer one of the meeting's
        r = self.req("DELETE", f"/v2/meetings/{m['id']}", query={"occurrence_id": occ[1]})
        self.assertEqual((r.status, r.json()["code"]), (400, 300))
        r = self.req("DELETE", f"/v2/meetings/{m['id']}",
                     query={"schedule_for_reminder": "yes", "cancel_meeting_reminder": "1"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual({e["field"] for e in r.json()["errors"]},
                         {"schedule_for_reminder", "cancel_meeting_reminder"})
        self.assertEqual(self.req("DELETE", f"/v2/meetings/{m['id']}").status, 204)
        self.assertEqual(self.req("GET", f"/v2/meetings/{m['id']}").json()["code"], 3001)
        r = self.req("DELETE", f"/v2/meetings/{m['id']}")
        self.assertEqual((r.status, r.json()["code"]), (404, 3001))

    def test_previous_occurrences_only_when_asked(self):
        start = self.sim.request("GET", "/_sim/clock").json()["now"] + 3600
        m, occ = self.series(start_time=iso(start))
        self.sim.advance(3 * 3600)  # the first occurrence (1 h from now, 1 h long) is over
        self.tok = self.sim.token()
        now = self.req("GET", f"/v2/meetings/{m['id']}").json()["occurrences"]
        self.assertEqual([o["occurrence_id"] for o in now], occ[1:])
        every = self.req("GET", f"/v2/meetings/{m['id']}",
                         query={"show_previous_occurrences": "true"}).json()["occurrences"]
        self.assertEqual([o["occurrence_id"] for o in every], occ)
        r = self.req("GET", f"/v2/meetings/{m['id']}",
                     query={"show_previous_occurrences": "maybe"})
        self.assertEqual(r.json()["errors"][0]["field"], "show_previous_occurrences")

    # --- past meetings and participants

    def past(self, mid, **body):
        r = self.sim.request("POST", "/_sim/past_meetings", body={"meeting_id": mid, **body})
        return r

    def test_past_meeting_participants_paged(self):
        m = self.req("POST", "/v2/users/me/meetings", body={"topic": "Training"}).json()
        r = self.past(m["id"], participant_count=7)
        self.assertEqual(r.status, 201, r)
        inst = r.json()
        self.assertEqual((inst["id"], inst["uuid"], inst["participants_count"]),
                         (m["id"], m["uuid"], 7))
        got, tok = [], None
        while True:
            q = {"page_size": 3, **({"next_page_token": tok} if tok else {})}
            p = self.req("GET", f"/v2/past_meetings/{m['id']}/participants", query=q).json()
            self.assertEqual(p["total_records"], 7)
            got += p["participants"]
            tok = p["next_page_token"]
            if not tok:
                break
        self.assertEqual([x["name"] for x in got], [f"Participant {i}" for i in range(1, 8)])
        self.assertEqual(got[0]["duration"], m["duration"] * 60)
        self.assertEqual(set(got[0]), {"id", "user_id", "name", "user_email", "join_time",
                                       "leave_time", "duration", "failover", "status",
                                       "internal_user"})
        r = self.req("GET", f"/v2/past_meetings/{m['id']}/participants",
                     query={"page_size": 301})
        self.assertEqual(r.json()["errors"][0]["field"], "page_size")

    def test_past_meeting_given_participants_latest_instance_and_uuid(self):
        m = self.req("POST", "/v2/users/me/meetings", body={"topic": "Training"}).json()
        clock = self.sim.request("GET", "/_sim/clock").json()["now"]
        first = self.past(m["id"], uuid="/a//b==", start_time=iso(clock - 7 * 86400),
                          duration=30, participants=[{"name": "Early"}, {"name": "Bird"}])
        self.assertEqual(first.status, 201, first)
        r = self.past(m["id"], start_time=iso(clock - 86400), duration=60, participants=[
            {"name": "Owner", "user_email": "owner@example.com"},
            {"name": "Guest", "user_email": "g@example.net", "join_time": iso(clock - 86400 + 600),
             "leave_time": iso(clock - 86400 + 1500), "status": "in_waiting_room"}])
        self.assertEqual(r.status, 201, r)
        latest = self.req("GET", f"/v2/past_meetings/{m['id']}/participants").json()
        owner, guest = latest["participants"]
        self.assertEqual((owner["internal_user"], owner["id"]),
                         (True, self.req("GET", "/v2/users/me").json()["id"]))
        self.assertEqual((guest["internal_user"], guest["id"], guest["duration"],
                          guest["status"]), (False, "", 900, "in_waiting_room"))
        # the older instance by its UUID, encoded twice as Zoom wants for "/" and "//"
        twice = urllib.parse.quote(urllib.parse.quote("/a//b==", safe=""), safe="")
        old = self.req("GET", f"/v2/past_meetings/{twice}/participants").json()
        self.assertEqual([x["name"] for x in old["participants"]], ["Early", "Bird"])

    def test_past_meeting_zoom_rules(self):
        m = self.req("POST", "/v2/users/me/meetings", body={"topic": "Alone"}).json()
        r = self.req("GET", f"/v2/past_meetings/{m['id']}/participants")
        self.assertEqual((r.status, r.json()["code"]), (404, 3001))
        self.assertEqual(self.past(m["id"], participants=[{"name": "Solo"}]).status, 201)
        one = self.req("GET", f"/v2/past_meetings/{m['id']}/participants").json()
        self.assertEqual((one["total_records"], one["participants"]), (0, []))
        self.sim.advance(366 * 86400)
        self.tok = self.sim.token()
        r = self.req("GET", f"/v2/past_meetings/{m['id']}/participants")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json(), {"code": 12702, "message": "Can not access a meeting a year ago."})

    def test_past_meeting_seed_validation(self):
        m = self.req("POST", "/v2/users/me/meetings", body={"topic": "t"}).json()
        r = self.past(m["id"], participant_count=2, participants=[], duration=0,
                      start_time="2999-01-01T00:00:00Z")
        self.assertEqual(r.status, 400, r)
        self.assertEqual({e["field"] for e in r.json()["errors"]},
                         {"participants", "duration", "start_time"})
        r = self.past(m["id"], participants=[{"user_email": "x@example.com"},
                                             {"name": "n", "join_time": "soon"},
                                             {"name": "late", "join_time": "2020-01-01T10:00:00Z",
                                              "leave_time": "2020-01-01T09:00:00Z"}])
        self.assertEqual({e["field"] for e in r.json()["errors"]},
                         {"participants[0]", "participants[1]", "participants[2]"})
        self.assertEqual(self.past(99999999999).status, 404)
        self.assertEqual(self.past(m["id"]).status, 201)
        r = self.past(m["id"], uuid=m["uuid"])
        self.assertEqual(r.json()["errors"][0]["field"], "uuid")

    def test_state_keeps_occurrences_questions_and_past_meetings(self):
        m, occ = self.series(settings={"approval_type": 0})
        self.req("DELETE", f"/v2/meetings/{m['id']}", query={"occurrence_id": occ[2]})
        self.req("PATCH", f"/v2/meetings/{m['id']}/registrants/questions",
                 body={"questions": [{"field_name": "org", "required": True}]})
        day_ago = self.sim.request("GET", "/_sim/clock").json()["now"] - 86400
        self.past(m["id"], start_time=iso(day_ago), participant_count=2)
        state = self.sim.state()
        self.assertEqual(self.sim.request("PUT", "/_sim/state", body=state).status, 204)
        self.tok = self.sim.token()
        g = self.req("GET", f"/v2/meetings/{m['id']}").json()
        self.assertEqual(g["occurrences"][2]["status"], "deleted")
        q = self.req("GET", f"/v2/meetings/{m['id']}/registrants/questions").json()
        self.assertEqual(q["questions"], [{"field_name": "org", "required": True}])
        p = self.req("GET", f"/v2/past_meetings/{m['id']}/participants").json()
        self.assertEqual(p["total_records"], 2)

    def test_scope_4711(self):
        tok = self.sim.token(scopes="meeting:read:meeting:admin")
        r = self.sim.request("POST", "/v2/users/me/meetings", token=tok, body={"topic": "t"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["code"], 4711)


if __name__ == "__main__":
    unittest.main()
