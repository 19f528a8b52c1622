"""zoomsim's seeding endpoints (POST /_sim/seed/users, /_sim/seed/meetings,
docs/zoomsim-control.md): what they make, and bad bodies refused with a 400
naming every wrong field at once, without seeding anything."""
import unittest

from zfharness import SimDataCase


class SeedTest(SimDataCase):
    def seed(self, what, body=None, raw=None):
        return self.sim.request("POST", "/_sim/seed/" + what, body=body, raw=raw)

    def assert_refused(self, r, fields):
        self.assertEqual(r.status, 400, r)
        j = r.json()
        self.assertEqual((j["code"], j["message"]), (300, "Validation Failed."), j)
        self.assertEqual(sorted(e["field"] for e in j["errors"]), sorted(fields), j)
        for e in j["errors"]:
            self.assertIn(e["field"], e["message"])  # each message names its field
        return j

    def user_count(self):
        return self.sim.state()["data"]["counts"]["users"]

    def test_users_with_status_and_domain(self):
        before = self.user_count()
        r = self.seed("users", {"count": 3, "status": "inactive", "domain": "seeded.example"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json(), {"created": 3, "total_users": before + 3})
        got = self.req("GET", "/v2/users", query={"status": "inactive", "page_size": 300}).json()
        mine = [u for u in got["users"] if u["email"].endswith("@seeded.example")]
        self.assertEqual(len(mine), 3, got)
        # seeding again makes new addresses, never a duplicate
        r = self.seed("users", {"count": 2, "domain": "seeded.example"})
        self.assertEqual(r.json()["created"], 2)
        self.assertEqual(self.user_count(), before + 5)

    def test_users_bad_fields_all_named(self):
        before = self.user_count()
        j = self.assert_refused(self.seed("users", {"count": 0, "status": "asleep",
                                                    "domain": "a@b.example"}),
                                ["count", "status", "domain"])
        self.assertIn("active, inactive or pending", str(j))
        for bad in ({"count": 1000001}, {"count": "5"}, {}):
            self.assert_refused(self.seed("users", bad), ["count"])
        for dom in ("", "x" * 61):
            self.assert_refused(self.seed("users", {"count": 1, "domain": dom}), ["domain"])
        self.assertEqual(self.user_count(), before)

    def test_not_a_json_object(self):
        for what in ("users", "meetings"):
            for raw in (b"", b"[1]", b"{", b'{"count": 1, "count": 2}'):
                with self.subTest(what=what, raw=raw):
                    r = self.seed(what, raw=raw)
                    self.assertEqual(r.status, 400, r)
                    self.assertIn("valid JSON object", r.json()["message"])

    def test_meetings_with_registrants_and_recordings(self):
        r = self.seed("meetings", {"count": 2, "registrants": 3, "with_recordings": True,
                                   "recording_file_size": 10, "files_per_recording": 3})
        self.assertEqual(r.status, 201, r)
        ids = r.json()["meeting_ids"]
        self.assertEqual(len(ids), 2)
        for mid in ids:
            m = self.req("GET", f"/v2/meetings/{mid}").json()
            self.assertEqual(m["settings"]["approval_type"], 0, m)  # registration on
            regs = self.req("GET", f"/v2/meetings/{mid}/registrants").json()
            self.assertEqual(regs["total_records"], 3, regs)
            rec = self.req("GET", f"/v2/meetings/{mid}/recordings").json()
            self.assertEqual([f["file_size"] for f in rec["recording_files"]], [10] * 3, rec)
        # for a named user, without registration: approval 2 (none)
        uid = self.req("GET", "/v2/users/me").json()["id"]
        r = self.seed("meetings", {"count": 1, "user_id": uid})
        self.assertEqual(r.status, 201, r)
        m = self.req("GET", f"/v2/meetings/{r.json()['meeting_ids'][0]}").json()
        self.assertEqual((m["host_id"], m["settings"]["approval_type"]), (uid, 2), m)

    def test_meetings_bad_fields_all_named(self):
        before = self.sim.state()["data"]["counts"]["meetings"]
        self.assert_refused(self.seed("meetings", {"user_id": "ghost@example.com", "count": 0,
                                                   "recording_file_size": -1,
                                                   "files_per_recording": 9,
                                                   "registrants": -1}),
                            ["user_id", "count", "recording_file_size", "files_per_recording",
                             "registrants"])
        self.assert_refused(self.seed("meetings", {"count": 100001, "files_per_recording": 0,
                                                   "registrants": 10 ** 9}),
                            ["count", "files_per_recording", "registrants"])
        self.assertEqual(self.sim.state()["data"]["counts"]["meetings"], before)


if __name__ == "__main__":
    unittest.main()
