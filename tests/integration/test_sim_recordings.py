"""zoomsim recordings: GET /meetings/{id}/recordings by id and by UUID
(Zoom's double encoding), 3301, download_access_token, downloads with
Range (206/416), download tokens' reach, persistence of files, and the
lists GET /users/{id}/recordings and GET /accounts/{id}/recordings (one
month per request, Zoom's rule)."""
import os
import urllib.parse
import unittest

from zfharness import Sim, SimDataCase


RS_LIST = "cloud_recording:read:list_user_recordings:admin"
RS_ACCOUNT = "cloud_recording:read:list_account_recordings"


def path_of(url):
    return urllib.parse.urlsplit(url).path


class RecordingsTest(SimDataCase):
    def recorded(self, uuid=None, files=None):
        mid = self.req("POST", "/v2/users/me/meetings", body={"topic": "rec"}).json()["id"]
        body = {"meeting_id": mid, "files": files or [{"file_type": "MP4", "size": 300000},
                                                      {"file_type": "TRANSCRIPT", "size": 900}]}
        if uuid:
            body["uuid"] = uuid
        r = self.sim.request("POST", "/_sim/recordings", body=body)
        self.assertEqual(r.status, 201, r)
        return mid, r.json()

    def test_get_by_id_and_fields(self):
        mid, rec = self.recorded()
        r = self.req("GET", f"/v2/meetings/{mid}/recordings")
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(j["id"], mid)
        self.assertEqual(j["recording_count"], 2)
        self.assertEqual(j["total_size"], 300900)
        f = j["recording_files"][0]
        for k in ("id", "meeting_id", "recording_start", "recording_end", "file_type",
                  "file_extension", "file_size", "play_url", "download_url", "status",
                  "recording_type"):
            self.assertIn(k, f)
        self.assertEqual((f["file_type"], f["file_extension"]), ("MP4", "MP4"))
        self.assertNotIn("download_access_token", j)

    def test_no_recording_3301(self):
        mid = self.req("POST", "/v2/users/me/meetings", body={"topic": "x"}).json()["id"]
        for ident in (mid, "no-such-uuid=="):
            r = self.req("GET", f"/v2/meetings/{ident}/recordings")
            self.assertEqual(r.status, 404)
            self.assertEqual(r.json(), {"code": 3301,
                                        "message": "There is no recording for this meeting."})

    def test_uuid_double_encoding(self):
        uuid = "/ajXp112QmuoKj4854875=="
        mid, _ = self.recorded(uuid=uuid)
        once = urllib.parse.quote(uuid, safe="")
        twice = urllib.parse.quote(once, safe="")
        r = self.req("GET", f"/v2/meetings/{twice}/recordings")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["uuid"], uuid)
        r = self.req("GET", f"/v2/meetings/{once}/recordings")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["code"], 2300)
        # '+' and '=' survive one decoding; double encoding is always safe
        plain = "ab+cd/ef=="
        self.recorded(uuid=plain)
        r = self.req("GET", "/v2/meetings/" + urllib.parse.quote("ab+cdxef==", safe="") +
                     "/recordings")
        self.assertEqual(r.json()["code"], 3301)
        r = self.req("GET", "/v2/meetings/" + urllib.parse.quote(urllib.parse.quote(plain, safe=""),
                                                                 safe="") + "/recordings")
        self.assertEqual(r.json()["uuid"], plain)
        # a lone inner '/' survives Zoom's single decoding: encoding once works
        r = self.req("GET", "/v2/meetings/" + urllib.parse.quote(plain, safe="") + "/recordings")
        self.assertEqual(r.json()["uuid"], plain)
        # '//' inside breaks the route unless encoded twice
        dbl = "ab//cdef=="
        self.recorded(uuid=dbl)
        r = self.req("GET", "/v2/meetings/" + urllib.parse.quote(dbl, safe="") + "/recordings")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["code"], 2300)

    def test_download_and_ranges(self):
        mid, rec = self.recorded()
        url = path_of(rec["recording_files"][0]["download_url"])
        full = self.req("GET", url)
        self.assertEqual(full.status, 200)
        self.assertEqual(len(full.body), 300000)
        self.assertEqual(full.header("Content-Length"), "300000")
        self.assertEqual(full.header("Accept-Ranges"), "bytes")
        self.assertIn("filename=", full.header("Content-Disposition"))
        again = self.req("GET", url)
        self.assertEqual(again.body, full.body)
        part = self.req("GET", url, headers={"Range": "bytes=1000-1999"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body, full.body[1000:2000])
        self.assertEqual(part.header("Content-Range"), "bytes 1000-1999/300000")
        tail = self.req("GET", url, headers={"Range": "bytes=-500"})
        self.assertEqual(tail.body, full.body[-500:])
        opened = self.req("GET", url, headers={"Range": "bytes=299990-"})
        self.assertEqual(opened.body, full.body[299990:])
        bad = self.req("GET", url, headers={"Range": "bytes=300000-"})
        self.assertEqual(bad.status, 416)
        self.assertEqual(bad.header("Content-Range"), "bytes */300000")

    def test_download_tokens(self):
        mid, rec = self.recorded()
        url = path_of(rec["recording_files"][1]["download_url"])
        self.assertEqual(self.sim.request("GET", url).status, 401)
        self.assertEqual(self.sim.request("GET", url, token=rec["download_token"]).status, 200)
        r = self.req("GET", f"/v2/meetings/{mid}/recordings",
                     query={"include_fields": "download_access_token", "ttl": 60})
        dat = r.json()["download_access_token"]
        r = self.sim.request("GET", url + "?access_token=" + dat)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.body), 900)
        # a download token opens only its own meeting's files
        _, other = self.recorded()
        r = self.sim.request("GET", path_of(other["recording_files"][0]["download_url"]),
                             token=dat)
        self.assertEqual(r.status, 403)
        self.sim.advance(61)
        self.assertEqual(self.sim.request("GET", url, token=dat).json()["code"], 124)
        r = self.req("GET", f"/v2/meetings/{mid}/recordings",
                     query={"include_fields": "download_access_token", "ttl": 604801})
        self.assertEqual(r.status, 400)

    def test_large_file_costs_no_memory(self):
        mid, rec = self.recorded(files=[{"file_type": "MP4", "size": 8 << 30}])
        url = path_of(rec["recording_files"][0]["download_url"])
        r = self.req("GET", url, headers={"Range": "bytes=%d-%d" % ((8 << 30) - 10, (8 << 30) - 1)})
        self.assertEqual(r.status, 206)
        self.assertEqual(len(r.body), 10)

    def test_seed_with_recordings_and_scope(self):
        r = self.sim.request("POST", "/_sim/seed/meetings",
                             body={"count": 3, "with_recordings": True, "files_per_recording": 3,
                                   "recording_file_size": 1234})
        mid = r.json()["meeting_ids"][2]
        j = self.req("GET", f"/v2/meetings/{mid}/recordings").json()
        self.assertEqual(j["recording_count"], 3)
        weak = self.sim.token(scopes="meeting:read:meeting:admin")
        r = self.sim.request("GET", f"/v2/meetings/{mid}/recordings", token=weak)
        self.assertEqual(r.json()["code"], 4711)

    def test_recordings_survive_restart(self):
        path = os.path.join(self.sim.tmp, "rec-state.json")
        with Sim("--state", path) as a:
            tok = a.token()
            mid = a.request("POST", "/v2/users/me/meetings", token=tok, body={}).json()["id"]
            rec = a.request("POST", "/_sim/recordings", body={
                "meeting_id": mid, "files": [{"file_type": "M4A", "size": 5000}]}).json()
            url = path_of(rec["recording_files"][0]["download_url"])
            before = a.request("GET", url, token=tok).body
        with Sim("--state", path) as b:
            after = b.request("GET", url, token=tok)
            self.assertEqual(after.status, 200, after)
            self.assertEqual(after.body, before)


class RecordingListsTest(SimDataCase):
    def recorded_at(self, when, host="me", topic="rec"):
        mid = self.req("POST", f"/v2/users/{host}/meetings", body={"topic": topic}).json()["id"]
        r = self.sim.request("POST", "/_sim/recordings", body={"meeting_id": mid,
                                                               "start_time": when})
        self.assertEqual(r.status, 201, r)
        return r.json()

    def uuids(self, path, **query):
        r = self.req("GET", path, query=query)
        self.assertEqual(r.status, 200, r)
        return [m["uuid"] for m in r.json()["meetings"]], r.json()

    def test_user_list_by_date_inclusive_utc_days(self):
        jan31 = self.recorded_at("2025-01-31T23:59:59Z")["uuid"]
        feb1 = self.recorded_at("2025-02-01T00:00:00Z")["uuid"]
        self.recorded_at("2025-03-15T10:00:00Z")
        got, j = self.uuids("/v2/users/me/recordings", **{"from": "2025-01-31", "to": "2025-01-31"})
        self.assertEqual(got, [jan31])
        self.assertEqual((j["from"], j["to"], j["total_records"]), ("2025-01-31", "2025-01-31", 1))
        got, _ = self.uuids("/v2/users/me/recordings", **{"from": "2025-02-01", "to": "2025-02-28"})
        self.assertEqual(got, [feb1])
        item = j["meetings"][0]
        for k in ("uuid", "id", "account_id", "host_id", "topic", "type", "start_time", "duration",
                  "total_size", "recording_count", "recording_files"):
            self.assertIn(k, item)
        self.assertEqual(item["start_time"], "2025-01-31T23:59:59Z")

    def test_range_over_a_month_is_cut_to_one_month(self):
        a = self.recorded_at("2025-01-20T12:00:00Z")["uuid"]
        b = self.recorded_at("2025-02-15T12:00:00Z")["uuid"]   # the last day Zoom answers
        self.recorded_at("2025-02-16T12:00:00Z")               # beyond: silently left out
        got, j = self.uuids("/v2/users/me/recordings", **{"from": "2025-01-15", "to": "2025-12-31"})
        self.assertEqual(got, [a, b])
        self.assertEqual(j["to"], "2025-02-15")
        # from the 31st, the month ends on the next month's last day
        _, j = self.uuids("/v2/users/me/recordings", **{"from": "2025-01-31", "to": "2025-06-30"})
        self.assertEqual(j["to"], "2025-02-28")

    def test_defaults_validation_and_unknown_user(self):
        r = self.req("GET", "/v2/users/me/recordings")
        j = r.json()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(j["meetings"], [])
        self.assertLess(j["from"], j["to"])  # today and tomorrow
        r = self.req("GET", "/v2/users/me/recordings",
                     query={"from": "2025-02-30", "to": "2025-13-01", "trash": "maybe",
                            "trash_type": "x", "mc": "no", "page_size": 301, "meeting_id": "12a"})
        self.assertEqual((r.status, r.json()["code"]), (400, 300))
        self.assertEqual({e["field"] for e in r.json()["errors"]},
                         {"from", "to", "trash", "trash_type", "mc", "page_size", "meeting_id"})
        r = self.req("GET", "/v2/users/me/recordings", query={"from": "2025-03-02",
                                                            "to": "2025-03-01"})
        self.assertEqual(r.json()["errors"][0]["field"], "to")
        r = self.req("GET", "/v2/users/ghost@example.com/recordings")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"code": 1001, "message": "User ghost@example.com does not "
                                                             "exist, or does not belong to this "
                                                             "account."})
        weak = self.sim.token(scopes=RS_LIST)
        self.assertEqual(self.sim.request("GET", "/v2/users/me/recordings", token=weak).status,
                         200)
        weak = self.sim.token(scopes="cloud_recording:read:list_recording_files:admin")
        r = self.sim.request("GET", "/v2/users/me/recordings", token=weak)
        self.assertEqual(r.json()["code"], 4711)

    def test_filters_trash_and_paging(self):
        recs = [self.recorded_at(f"2025-04-{d:02d}T09:00:00Z") for d in range(1, 6)]
        one = recs[2]
        got, _ = self.uuids("/v2/users/me/recordings", meeting_id=one["id"],
                            **{"from": "2025-04-01", "to": "2025-04-30"})
        self.assertEqual(got, [one["uuid"]])
        got, _ = self.uuids("/v2/users/me/recordings", trash="true")
        self.assertEqual(got, [])  # nothing is ever trashed here
        first, j = self.uuids("/v2/users/me/recordings", page_size=2,
                              **{"from": "2025-04-01", "to": "2025-04-30"})
        self.assertEqual(j["total_records"], 5)
        seen = list(first)
        while j["next_page_token"]:
            more, j = self.uuids("/v2/users/me/recordings", page_size=2,
                                 next_page_token=j["next_page_token"],
                                 **{"from": "2025-04-01", "to": "2025-04-30"})
            seen += more
        self.assertEqual(seen, [r["uuid"] for r in recs])
        # a token is bound to its range
        r = self.req("GET", "/v2/users/me/recordings",
                     query={"page_size": 2, "next_page_token": self.req(
                         "GET", "/v2/users/me/recordings",
                         query={"page_size": 2, "from": "2025-04-01", "to": "2025-04-30"}
                     ).json()["next_page_token"], "from": "2025-04-02", "to": "2025-04-30"})
        self.assertEqual((r.status, r.json()["code"]), (400, 300))

    def test_account_list_covers_every_user(self):
        self.req("POST", "/v2/users", body={"action": "custCreate",
                                            "user_info": {"email": "other@example.com", "type": 2}})
        mine = self.recorded_at("2025-05-05T10:00:00Z")["uuid"]
        theirs = self.recorded_at("2025-05-06T10:00:00Z", host="other@example.com")["uuid"]
        got, j = self.uuids("/v2/accounts/me/recordings", **{"from": "2025-05-01",
                                                           "to": "2025-05-31"})
        self.assertEqual(got, [mine, theirs])
        self.assertEqual(j["meetings"][1]["host_email"], "other@example.com")
        got, _ = self.uuids("/v2/users/other@example.com/recordings",
                            **{"from": "2025-05-01", "to": "2025-05-31"})
        self.assertEqual(got, [theirs])
        # the account's own id needs the :master scope; another account does not exist
        acct = self.req("GET", "/v2/users/me").json()["account_id"]
        got, _ = self.uuids(f"/v2/accounts/{acct}/recordings", **{"from": "2025-05-01",
                                                                "to": "2025-05-31"})
        self.assertEqual(len(got), 2)
        r = self.req("GET", "/v2/accounts/someoneelse/recordings")
        self.assertEqual((r.status, r.json()["code"]), (404, 2001))
        admin = self.sim.token(scopes=RS_ACCOUNT + ":admin")
        self.assertEqual(self.sim.request("GET", "/v2/accounts/me/recordings",
                                          token=admin).status, 200)
        r = self.sim.request("GET", f"/v2/accounts/{acct}/recordings", token=admin)
        self.assertEqual((r.status, r.json()["code"]), (400, 4711))
        self.assertIn(RS_ACCOUNT + ":master", r.json()["message"])

    def test_deleted_meeting_leaves_the_lists(self):
        rec = self.recorded_at("2025-06-01T10:00:00Z")
        self.assertEqual(self.req("DELETE", f"/v2/meetings/{rec['id']}").status, 204)
        got, _ = self.uuids("/v2/users/me/recordings", **{"from": "2025-06-01", "to": "2025-06-01"})
        self.assertEqual(got, [])
        r = self.sim.request("POST", "/_sim/recordings", body={"meeting_id": rec["id"] + 1,
                                                               "start_time": "soon"})
        self.assertEqual(r.status, 404)
        mid = self.req("POST", "/v2/users/me/meetings", body={}).json()["id"]
        r = self.sim.request("POST", "/_sim/recordings", body={"meeting_id": mid,
                                                               "start_time": "2025-01-01T10:00:00"})
        self.assertEqual(r.json()["errors"][0]["field"], "start_time")  # no zone


if __name__ == "__main__":
    unittest.main()
