"""zoomsim users: POST/GET /users, GET/PATCH/DELETE /users/{id}, settings,
contacts, paging (tokens, expiry, filters, growth between pages), seeding,
quotas, token errors (124, 4711), offboarding (disassociate vs delete, the
transfers) and --state persistence."""
import os
import unittest
import urllib.parse

from zfharness import Sim, SimDataCase, heavy


class UsersTest(SimDataCase):
    def create(self, email, action="custCreate", **info):
        return self.req("POST", "/v2/users",
                        body={"action": action, "user_info": {"email": email, "type": 1, **info}})

    def test_owner_is_me(self):
        r = self.req("GET", "/v2/users/me")
        self.assertEqual(r.status, 200, r)
        me = r.json()
        self.assertEqual(me["type"], 2)
        self.assertEqual(me["status"], "active")
        self.assertEqual(me["role_name"], "Owner")
        by_email = self.req("GET", "/v2/users/" + me["email"].upper()).json()
        self.assertEqual(by_email["id"], me["id"])

    def test_unknown_user_is_1001(self):
        r = self.req("GET", "/v2/users/nobody@example.com")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"code": 1001,
                                    "message": "User does not exist: nobody@example.com."})
        self.assertEqual(self.req("GET", "/v2/users/zzz/settings").json()["code"], 1001)

    def test_create_user_and_duplicate_1005(self):
        r = self.create("New.Hire@example.com", first_name="New", last_name="Hire")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["email"], "New.Hire@example.com")
        uid = r.json()["id"]
        self.assertEqual(self.req("GET", "/v2/users/" + uid).json()["first_name"], "New")
        r = self.create("new.hire@EXAMPLE.com")
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["code"], 1005)

    def test_validation_300_lists_errors(self):
        r = self.req("POST", "/v2/users", body={"action": "create",
                                                "user_info": {"email": "x" * 120 + "@example.com",
                                                              "type": 99,
                                                              "display_name": "d" * 129}})
        self.assertEqual(r.status, 400)
        j = r.json()
        self.assertEqual(j["code"], 300)
        self.assertEqual(j["message"], "Validation Failed.")
        fields = {e["field"] for e in j["errors"]}
        self.assertEqual(fields, {"user_info.email", "user_info.type", "user_info.display_name"})
        self.assertTrue(all(e["message"] for e in j["errors"]))
        r = self.req("POST", "/v2/users", body={"action": "autoCreate",
                                                "user_info": {"email": "p@example.com", "type": 1,
                                                              "password": "12345678"}})
        self.assertEqual([e["field"] for e in r.json()["errors"]], ["user_info.password"])

    def test_pending_users_have_no_id_in_list(self):
        self.create("invitee@example.com", action="create")
        r = self.req("GET", "/v2/users", query={"status": "pending"}).json()
        self.assertEqual(r["total_records"], 1)
        self.assertNotIn("id", r["users"][0])
        self.assertEqual(r["users"][0]["status"], "pending")
        active = self.req("GET", "/v2/users").json()
        self.assertEqual(active["total_records"], 1)  # only the owner

    def test_list_validation(self):
        r = self.req("GET", "/v2/users", query={"page_size": 2001})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["errors"][0]["field"], "page_size")
        r = self.req("GET", "/v2/users", query={"status": "gone"})
        self.assertEqual(r.json()["code"], 300)

    def test_role_filter(self):
        self.sim.request("POST", "/_sim/seed/users", body={"count": 5})
        owners = self.req("GET", "/v2/users", query={"role_id": "0"}).json()
        self.assertEqual(owners["total_records"], 1)
        members = self.req("GET", "/v2/users", query={"role_id": "2"}).json()
        self.assertEqual(members["total_records"], 5)

    def test_paging_tokens(self):
        self.sim.request("POST", "/_sim/seed/users", body={"count": 10})
        p1 = self.req("GET", "/v2/users", query={"page_size": 4}).json()
        self.assertEqual((p1["page_count"], p1["page_number"], p1["total_records"]), (3, 1, 11))
        tok = p1["next_page_token"]
        self.assertEqual(len(tok), 32)
        # users added between pages are neither skipped nor duplicated
        self.sim.request("POST", "/_sim/seed/users", body={"count": 3})
        seen = [u["id"] for u in p1["users"]]
        while tok:
            p = self.req("GET", "/v2/users", query={"page_size": 4, "next_page_token": tok}).json()
            seen += [u["id"] for u in p["users"]]
            tok = p["next_page_token"]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(len(seen), 14)
        # deprecated page_number still works
        p3 = self.req("GET", "/v2/users", query={"page_size": 4, "page_number": 3}).json()
        self.assertEqual(p3["page_number"], 3)
        self.assertEqual([u["id"] for u in p3["users"]], seen[8:12])

    def test_page_token_bound_to_filters_and_expires(self):
        self.sim.request("POST", "/_sim/seed/users", body={"count": 5})
        tok = self.req("GET", "/v2/users", query={"page_size": 2}).json()["next_page_token"]
        r = self.req("GET", "/v2/users", query={"status": "inactive", "next_page_token": tok})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json(), {"code": 300,
                                    "message": "The next page token is invalid or expired."})
        ok = self.req("GET", "/v2/users", query={"page_size": 2, "next_page_token": tok})
        self.assertEqual(ok.status, 200)
        self.sim.advance(901)
        tok2 = ok.json()["next_page_token"]
        self.tok = self.sim.token()
        r = self.req("GET", "/v2/users", query={"page_size": 2, "next_page_token": tok2})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["code"], 300)

    def test_token_errors_124_and_4711(self):
        weak = self.sim.token(scopes="meeting:read:meeting:admin")
        r = self.sim.request("GET", "/v2/users", token=weak)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["code"], 4711)
        self.assertIn("user:read:list_users:admin", r.json()["message"])
        self.sim.advance(3601)
        r = self.req("GET", "/v2/users")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json(), {"code": 124, "message": "Access token is expired."})

    def test_settings(self):
        s = self.req("GET", "/v2/users/me/settings").json()
        for k in ("schedule_meeting", "in_meeting", "email_notification", "recording",
                  "telephony", "feature", "security"):
            self.assertIn(k, s)
        self.assertIn("password_requirement", s["security"])

    def test_contacts(self):
        self.create("zed@example.com", first_name="Zed", last_name="Zebra")
        self.create("zoe@example.com", first_name="Zoe", last_name="Zebra")
        r = self.req("GET", "/v2/contacts", query={"search_key": "zebra"}).json()
        self.assertEqual(r["page_size"], 1)
        self.assertEqual(len(r["contacts"]), 1)
        r2 = self.req("GET", "/v2/contacts", query={"search_key": "zebra",
                                                     "next_page_token": r["next_page_token"],
                                                     "query_presence_status": "true"}).json()
        self.assertEqual(r2["contacts"][0]["email"], "zoe@example.com")
        self.assertIn("presence_status", r2["contacts"][0])
        self.assertEqual(r2["next_page_token"], "")
        r = self.req("GET", "/v2/contacts", query={"search_key": "z", "page_size": 26})
        self.assertEqual(r.status, 400)
        r = self.req("GET", "/v2/contacts")
        self.assertEqual(r.json()["errors"][0]["field"], "search_key")

    @heavy
    def test_seed_100k_and_page_through(self):
        r = self.sim.request("POST", "/_sim/seed/users", body={"count": 100000})
        self.assertEqual(r.status, 201, r)
        for size in (2000, 300):
            ids, tok, pages = set(), None, 0
            while True:
                q = {"page_size": size}
                if tok:
                    q["next_page_token"] = tok
                p = self.req("GET", "/v2/users", query=q).json()
                self.assertEqual(p["total_records"], 100001)
                for u in p["users"]:
                    self.assertNotIn(u["id"], ids)
                    ids.add(u["id"])
                pages += 1
                tok = p["next_page_token"]
                if not tok:
                    break
            self.assertEqual(len(ids), 100001)
            self.assertEqual(pages, -(-100001 // size))
        self.assertEqual(self.sim.state()["data"]["counts"]["users"], 100001)


class QuotaTest(unittest.TestCase):
    def test_user_create_quota_free_plan(self):
        with Sim("--plan", "free") as sim:
            sim.limits(enabled=False)  # the per-second limits of Free are not the point
            tok = sim.token()
            for i in range(50):
                r = sim.request("POST", "/v2/users", token=tok, body={
                    "action": "create", "user_info": {"email": f"q{i}@example.com", "type": 1}})
                self.assertEqual(r.status, 201, r)
            r = sim.request("POST", "/v2/users", token=tok, body={
                "action": "create", "user_info": {"email": "q50@example.com", "type": 1}})
            self.assertEqual(r.status, 429)
            self.assertEqual(r.json()["code"], 429)
            self.assertEqual(r.header("X-RateLimit-Type"), "Daily-limit")
            self.assertRegex(r.header("Retry-After"), r"^\d{4}-\d\d-\d\dT00:00:00Z$")
            sim.advance(86400)
            tok = sim.token()
            r = sim.request("POST", "/v2/users", token=tok, body={
                "action": "create", "user_info": {"email": "q50@example.com", "type": 1}})
            self.assertEqual(r.status, 201)


class ProfileAndOffboardingTest(SimDataCase):
    """PATCH /users/{userId} and DELETE /users/{userId}."""
    create = UsersTest.create

    # --- PATCH /users/{userId}

    def test_patch_changes_only_given_fields(self):
        uid = self.create("patch.me@example.com", first_name="Pat", last_name="Ch").json()["id"]
        before = self.req("GET", "/v2/users/" + uid).json()
        r = self.req("PATCH", "/v2/users/" + uid,
                     body={"job_title": "Engineer", "timezone": "Europe/Berlin", "dept": "IT",
                           "phone_numbers": [{"country": "US", "label": "Office",
                                              "number": "5550100"}],
                           "unknown_key": "ignored"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        after = self.req("GET", "/v2/users/patch.me@example.com").json()
        self.assertEqual(after["job_title"], "Engineer")
        self.assertEqual(after["timezone"], "Europe/Berlin")
        self.assertEqual(after["dept"], "IT")
        self.assertEqual(after["phone_numbers"][0]["number"], "5550100")
        self.assertNotIn("unknown_key", after)
        for k in ("first_name", "last_name", "display_name", "email", "type", "pmi"):
            self.assertEqual(after[k], before[k], k)
        # an empty display name is derived from the names, after this patch's names
        self.req("PATCH", "/v2/users/" + uid, body={"first_name": "Patricia", "display_name": ""})
        after = self.req("GET", "/v2/users/" + uid).json()
        self.assertEqual(after["display_name"], "Patricia Ch")
        self.assertEqual(after["job_title"], "Engineer")  # earlier patches stay

    def test_patch_validation_300_all_at_once(self):
        uid = self.create("patch.bad@example.com").json()["id"]
        r = self.req("PATCH", "/v2/users/" + uid,
                     body={"first_name": "f" * 65, "type": 3, "pmi": 123, "timezone": "Mars/X",
                           "host_key": "12ab56", "about_me": "see www.example.com",
                           "linkedin_url": "https://example.com/me", "pronouns_option": 4,
                           "phone_numbers": [{}, {}, {}, {}], "plan_united_type": "7"})
        self.assertEqual(r.status, 400)
        j = r.json()
        self.assertEqual(j["code"], 300)
        self.assertEqual({e["field"] for e in j["errors"]},
                         {"first_name", "type", "pmi", "timezone", "host_key", "about_me",
                          "linkedin_url", "pronouns_option", "phone_numbers",
                          "plan_united_type"})
        self.assertIn("hyperlinks", [e for e in j["errors"] if e["field"] == "about_me"][0]
                      ["message"])
        # nothing changed
        self.assertEqual(self.req("GET", "/v2/users/" + uid).json()["type"], 1)

    def test_patch_rules_and_404(self):
        r = self.req("PATCH", "/v2/users/ghost@example.com", body={"first_name": "G"})
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"code": 1001, "message": "User does not exist: "
                                                             "ghost@example.com."})
        uid = self.create("nomeet@example.com", type=4).json()["id"]
        r = self.req("PATCH", "/v2/users/" + uid, body={"pmi": 3542471135})
        self.assertEqual((r.status, r.json()["code"]), (400, 200))
        self.assertEqual(self.req("PATCH", "/v2/users/" + uid,
                                  body={"type": 2, "pmi": 3542471135}).status, 204)
        self.assertEqual(self.req("GET", "/v2/users/" + uid).json()["pmi"], 3542471135)
        weak = self.sim.token(scopes="user:read:user:admin")
        r = self.sim.request("PATCH", "/v2/users/" + uid, token=weak, body={"dept": "x"})
        self.assertEqual(r.json()["code"], 4711)

    # --- DELETE /users/{userId}

    def meeting_of(self, email, topic):
        r = self.req("POST", f"/v2/users/{email}/meetings", body={"topic": topic})
        self.assertEqual(r.status, 201, r)
        return r.json()

    def test_delete_disassociates_by_default_and_frees_the_email(self):
        self.create("leaver@example.com")
        m = self.meeting_of("leaver@example.com", "Leaver's standup")
        r = self.req("DELETE", "/v2/users/leaver@example.com")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.req("GET", "/v2/users/leaver@example.com").json()["code"], 1001)
        # a repeat is a 404: the user is gone
        r = self.req("DELETE", "/v2/users/leaver@example.com")
        self.assertEqual((r.status, r.json()["code"]), (404, 1001))
        # without transfer_meeting the meetings left with the user
        self.assertEqual(self.req("GET", f"/v2/meetings/{m['id']}").json()["code"], 3001)
        emails = [u["email"] for u in self.req("GET", "/v2/users").json()["users"]]
        self.assertNotIn("leaver@example.com", emails)
        self.assertEqual(self.sim.state()["data"]["counts"]["users"], 1)
        # the email can join again
        self.assertEqual(self.create("leaver@example.com").status, 201)

    def test_delete_with_transfers(self):
        self.create("leaver2@example.com")
        self.create("boss@example.com")
        m = self.meeting_of("leaver2@example.com", "Handed over")
        kept = self.meeting_of("leaver2@example.com", "Recorded, not handed over")
        self.sim.request("POST", "/_sim/recordings", body={"meeting_id": kept["id"]})
        r = self.req("DELETE", "/v2/users/leaver2@example.com",
                     query={"action": "delete", "transfer_email": "BOSS@example.com",
                            "transfer_meeting": "true", "transfer_recording": "true",
                            "transfer_webinar": "false", "transfer_whiteboard": "true"})
        self.assertEqual(r.status, 204, r)
        got = self.req("GET", f"/v2/meetings/{m['id']}").json()
        boss = self.req("GET", "/v2/users/boss@example.com").json()
        self.assertEqual(got["host_id"], boss["id"])
        listed = self.req("GET", "/v2/users/boss@example.com/meetings").json()["meetings"]
        self.assertEqual(sorted(x["topic"] for x in listed),
                         ["Handed over", "Recorded, not handed over"])
        recs = self.req("GET", f"/v2/meetings/{kept['id']}/recordings").json()
        self.assertEqual(recs["host_id"], boss["id"])

    def test_delete_recordings_without_the_meetings(self):
        self.create("leaver3@example.com")
        self.create("archivist@example.com")
        m = self.meeting_of("leaver3@example.com", "Recorded")
        rec = self.sim.request("POST", "/_sim/recordings", body={"meeting_id": m["id"]}).json()
        r = self.req("DELETE", "/v2/users/leaver3@example.com",
                     query={"transfer_email": "archivist@example.com",
                            "transfer_recording": "true"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.req("GET", f"/v2/meetings/{m['id']}").json()["code"], 3001)
        # the recording outlives its meeting, in the archivist's cloud
        j = self.req("GET", "/v2/meetings/" + urllib.parse.quote(
            urllib.parse.quote(rec["uuid"], safe=""), safe="") + "/recordings").json()
        self.assertEqual(j["uuid"], rec["uuid"])
        url = urllib.parse.urlsplit(rec["recording_files"][0]["download_url"]).path
        self.assertEqual(self.req("GET", url).status, 200)

    def test_delete_refusals(self):
        self.create("member@example.com")
        cases = [
            ({"action": "purge"}, 400, 300),
            ({"transfer_meeting": "yes", "transfer_email": "owner@example.com"}, 400, 300),
            ({"transfer_recording": "true"}, 400, 300),               # no transfer_email
            ({"transfer_email": "MEMBER@example.com", "transfer_meeting": "true"}, 400, 300),
            ({"transfer_email": "nobody@example.com", "transfer_meeting": "true"}, 400, 300),
        ]
        for query, status, code in cases:
            with self.subTest(query=query):
                r = self.req("DELETE", "/v2/users/member@example.com", query=query)
                self.assertEqual((r.status, r.json()["code"]), (status, code), r)
        r = self.req("DELETE", "/v2/users/member@example.com", query={"action": "purge",
                                                                      "transfer_docs": "1"})
        self.assertEqual({e["field"] for e in r.json()["errors"]}, {"action", "transfer_docs"})
        self.assertIn("cannot be the same", self.req(
            "DELETE", "/v2/users/member@example.com",
            query={"transfer_email": "member@example.com"}).json()["message"])
        # Zoom's own rules: no disassociating an admin, no deleting the owner, and a
        # pending user can only be disassociated
        r = self.req("DELETE", "/v2/users/me")
        self.assertEqual((r.status, r.json()["code"]), (400, 1117))
        r = self.req("DELETE", "/v2/users/me", query={"action": "delete"})
        self.assertEqual((r.status, r.json()["code"]), (400, 200))
        self.create("invited@example.com", action="create")
        r = self.req("DELETE", "/v2/users/invited@example.com", query={"action": "delete"})
        self.assertEqual((r.status, r.json()["code"]), (400, 300))
        self.assertEqual(self.req("DELETE", "/v2/users/invited@example.com").status, 204)
        self.assertEqual(self.req("GET", "/v2/users", query={"status": "pending"})
                         .json()["total_records"], 0)
        self.assertEqual(self.req("GET", "/v2/users/member@example.com").status, 200)
        weak = self.sim.token(scopes="user:write:user:admin")
        r = self.sim.request("DELETE", "/v2/users/member@example.com", token=weak)
        self.assertEqual(r.json()["code"], 4711)

    def test_paging_skips_deleted_users(self):
        self.sim.request("POST", "/_sim/seed/users", body={"count": 6, "domain": "gone.example"})
        page = self.req("GET", "/v2/users", query={"page_size": 3}).json()
        # delete one user of the next page between the pages
        self.assertEqual(self.req("DELETE", "/v2/users/user4@gone.example").status, 204)
        rest = self.req("GET", "/v2/users", query={"page_size": 3,
                                                   "next_page_token": page["next_page_token"]})
        emails = [u["email"] for u in page["users"] + rest.json()["users"]]
        self.assertNotIn("user4@gone.example", emails)
        self.assertEqual(len(emails), len(set(emails)))


class StateTest(unittest.TestCase):
    def test_state_survives_restart(self):
        with Sim() as first:
            path = os.path.join(first.tmp, "state.json")
        first = Sim("--state", path)
        tok = first.token()
        uid = first.request("POST", "/v2/users", token=tok, body={
            "action": "custCreate", "user_info": {"email": "keep@example.com", "type": 2}}).json()["id"]
        m = first.request("POST", "/v2/users/keep@example.com/meetings", token=tok,
                          body={"topic": "persist", "settings": {"approval_type": 0}}).json()
        first.request("POST", f"/v2/meetings/{m['id']}/registrants", token=tok,
                      body={"email": "r@example.com", "first_name": "R"})
        self.assertEqual(first.stop(), 0)
        with Sim("--state", path) as second:
            r = second.request("GET", "/v2/users/" + uid, token=tok)
            self.assertEqual(r.status, 200, r)
            g = second.request("GET", f"/v2/meetings/{m['id']}", token=tok).json()
            self.assertEqual(g["topic"], "persist")
            self.assertEqual(g["uuid"], m["uuid"])
            regs = second.request("GET", f"/v2/meetings/{m['id']}/registrants", token=tok).json()
            self.assertEqual(regs["total_records"], 1)
            st = second.state()["data"]["counts"]
            self.assertEqual(st["users"], 2)
            self.assertEqual(st["registrants"][str(m["id"])], 1)

    def test_patched_and_deleted_users_survive_restart(self):
        with Sim() as first:
            path = os.path.join(first.tmp, "state2.json")
        first = Sim("--state", path)
        tok = first.token()
        for email in ("stays@example.com", "goes@example.com", "heir@example.com"):
            first.request("POST", "/v2/users", token=tok, body={
                "action": "custCreate", "user_info": {"email": email, "type": 2}})
        first.request("PATCH", "/v2/users/stays@example.com", token=tok,
                      body={"job_title": "Keeper", "use_pmi": True})
        m = first.request("POST", "/v2/users/goes@example.com/meetings", token=tok,
                          body={"topic": "rec"}).json()
        rec = first.request("POST", "/_sim/recordings", body={"meeting_id": m["id"]}).json()
        r = first.request("DELETE", "/v2/users/goes@example.com", token=tok,
                          query={"transfer_email": "heir@example.com",
                                 "transfer_recording": "true"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(first.stop(), 0)
        with Sim("--state", path) as second:
            u = second.request("GET", "/v2/users/stays@example.com", token=tok).json()
            self.assertEqual((u["job_title"], u["use_pmi"]), ("Keeper", True))
            self.assertEqual(second.request("GET", "/v2/users/goes@example.com",
                                            token=tok).status, 404)
            self.assertEqual(second.state()["data"]["counts"]["users"], 3)
            heir = second.request("GET", "/v2/users/heir@example.com", token=tok).json()
            got = second.request("GET", "/v2/users/heir@example.com/recordings", token=tok,
                                 query={"from": rec["start_time"][:10],
                                        "to": rec["start_time"][:10]}).json()
            self.assertEqual([x["uuid"] for x in got["meetings"]], [rec["uuid"]])
            self.assertEqual(got["meetings"][0]["host_id"], heir["id"])


if __name__ == "__main__":
    unittest.main()
