"""zoomsim recordings: GET /meetings/{id}/recordings by id and by UUID
(Zoom's double encoding), 3301, download_access_token, downloads with
Range (206/416), download tokens' reach, and persistence of files."""
import os
import urllib.parse
import unittest

from zfharness import Sim, SimDataCase


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


if __name__ == "__main__":
    unittest.main()
