"""zoomflow recordings download against zoomsim, with a small fault proxy in
front of it (cut or stalled downloads, a lying listing, a 401, a redirect to
another port) so every behaviour is deterministic."""
import hashlib
import http.client
import http.server
import json
import os
import signal
import socketserver
import subprocess
import threading
import time
import unittest
import urllib.parse
import urllib.request

from cliharness import CliEnv
from zfharness import SLOW, WRAP, Sim, binary

MB = 1024 * 1024


class Proxy:
    """Forwards everything to zoomsim, rewriting the sim's URLs in the
    recordings listing to its own. Knobs (set by tests):
      cuts:       list of byte counts; each download request pops one and
                  the connection is closed after that many body bytes
      stall:      byte count after which a download stops sending until
                  `release` is set (the test kills zoomflow meanwhile)
      sizes:      {file id: size} replaces file_size in listings
      fail_401:   number of download requests answered 401 (code 124)
      redirect:   base URL downloads are redirected to (302)
      foreign:    base URL put into download_url instead of the proxy's
      no_dl_token: drop download_access_token from listings (downloads then
                  use the connection's access token)
      mangle:     a function given each listing (parsed) to change in place
    Every download request's Range and Authorization are recorded."""

    def __init__(self, sim):
        self.sim = sim
        self.cuts, self.stall, self.sizes = [], None, {}
        self.status = None  # replaces every file's status in listings
        self.fail_401, self.redirect, self.foreign = 0, None, None
        self.ignore_range = False  # forward downloads without Range: 200, whole file
        self.no_dl_token = False
        self.mangle = None
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.downloads = []  # (range header, authorization header)
        self.listings = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                proxy.handle(self)

            def do_POST(self):
                proxy.handle(self)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def upstream(self, h):
        c = http.client.HTTPConnection("127.0.0.1", self.sim.port, timeout=60 * SLOW)
        keep = ("authorization", "content-type") + (() if self.ignore_range else ("range",))
        hdrs = {k: v for k, v in h.headers.items() if k.lower() in keep}
        n = int(h.headers.get("Content-Length") or 0)
        c.request(h.command, h.path, body=h.rfile.read(n) if n else None, headers=hdrs)
        return c, c.getresponse()

    def handle(self, h):
        if h.path.startswith("/rec/download/"):
            return self.download(h)
        c, r = self.upstream(h)
        body = r.read()
        c.close()
        ctype = r.getheader("Content-Type", "application/json")
        if "json" in ctype:
            body = body.replace(self.sim.url.encode(), self.url.encode())
        if "/recordings" in h.path and r.status == 200:
            self.listings += 1
            doc = json.loads(body)
            if self.no_dl_token:
                doc.pop("download_access_token", None)
            for f in doc.get("recording_files", []):
                if f.get("id") in self.sizes:
                    f["file_size"] = self.sizes[f["id"]]
                if self.status:
                    f["status"] = self.status
                base = self.foreign or self.url
                f["download_url"] = f["download_url"].replace(self.url, base)
            if self.mangle:
                self.mangle(doc)
            body = json.dumps(doc).encode()
        loc = r.getheader("Location")
        self.reply(h, r.status, body, ctype, [("Location", loc)] if loc else ())

    def reply(self, h, status, body, ctype="application/json", extra=()):
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def download(self, h):
        self.downloads.append((h.headers.get("Range"), h.headers.get("Authorization")))
        if self.fail_401 > 0:
            self.fail_401 -= 1
            return self.reply(h, 401, b'{"code":124,"message":"Access token is expired."}')
        if self.redirect:
            return self.reply(h, 302, b"", extra=[("Location", self.redirect + h.path)])
        c, r = self.upstream(h)
        h.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "date", "server"):
                h.send_header(k, v)
        h.end_headers()
        limit = self.cuts.pop(0) if self.cuts else None
        stall, sent = self.stall, 0
        while True:
            chunk = r.read(64 * 1024)
            if not chunk:
                break
            if limit is not None and sent + len(chunk) >= limit:
                h.wfile.write(chunk[:limit - sent])
                h.wfile.flush()
                h.close_connection = True
                h.connection.shutdown(2)
                break
            if stall is not None and sent + len(chunk) >= stall:
                h.wfile.write(chunk[:stall - sent])
                h.wfile.flush()
                self.stalled.set()
                self.release.wait(60)
                h.close_connection = True
                break
            h.wfile.write(chunk)
            sent += len(chunk)
        c.close()


class Target:
    """Another origin (another port) that downloads may be redirected to:
    records the headers it got and serves the file with its own sim token."""

    def __init__(self, sim):
        self.seen = []
        self.status = None  # answer every request with this status instead
        token = sim.token()
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                target.seen.append(dict(self.headers.items()))
                if target.status:
                    body = b'{"code":124,"message":"Invalid access token."}'
                    self.send_response(target.status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                c = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=60 * SLOW)
                c.request("GET", self.path, headers={"Authorization": "Bearer " + token})
                r = c.getresponse()
                body = r.read()
                c.close()
                self.send_response(r.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(MB), b""):
            h.update(b)
    return h.hexdigest()


class DownloadTest(unittest.TestCase):
    def setUp(self):
        self.sim = Sim("--auto-approve")
        self.proxy = Proxy(self.sim)
        self.cli = CliEnv(self.sim)
        # OAuth through the proxy: the token's api_url (the API base) is the
        # proxy's, so listings and downloads pass through it
        self.cli.env["ZOOMFLOW_OAUTH_BASE"] = self.proxy.url
        p = self.cli.connect()
        self.assertEqual(p.returncode, 0, p.err)
        r = self.sim.request("POST", "/_sim/seed/meetings", body={"count": 1})
        self.mid = str(r.json()["meeting_ids"][0])
        self.dir = os.path.join(self.cli.dir, "rec")

    def tearDown(self):
        self.proxy.stop()
        self.sim.stop()

    def record(self, files):
        r = self.sim.request("POST", "/_sim/recordings", body={
            "meeting_id": int(self.mid),
            "files": [{"file_type": t, "size": s} for t, s in files]})
        self.assertEqual(r.status, 201, r)
        return r.json()

    def plain_sha(self, rec):
        """sha256 of each file by an independent download (urllib, no Range)."""
        tok = self.sim.token()
        out = {}
        for f in rec["recording_files"]:
            req = urllib.request.Request(f["download_url"],
                                         headers={"Authorization": "Bearer " + tok})
            h = hashlib.sha256()
            with urllib.request.urlopen(req, timeout=60 * SLOW) as r:
                for b in iter(lambda: r.read(MB), b""):
                    h.update(b)
            out[f["download_url"].rsplit("/", 1)[1]] = h.hexdigest()
        return out

    def manifest(self):
        with open(os.path.join(self.dir, "SHA256SUMS")) as f:
            lines = f.read().splitlines()
        return {name: hexd for hexd, name in (ln.split("  ", 1) for ln in lines)}

    def download(self, *extra, **kw):
        return self.cli.run("recordings", "download", self.mid, "--dir", self.dir, *extra, **kw)

    def by_id(self, m):
        """manifest keyed by the file id inside each name"""
        return {name.split("_")[-1].rsplit(".", 1)[0]: h for name, h in m.items()}

    def test_download_verify_and_skip(self):
        rec = self.record([("MP4", 20 * MB), ("M4A", 300000), ("TRANSCRIPT", 4000)])
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("3 files: 3 downloaded, 0 skipped", p.out)
        self.assertEqual(p.err, "")  # not a terminal: no progress bar
        m = self.manifest()
        self.assertEqual(len(m), 3)
        self.assertEqual(self.by_id(m), self.plain_sha(rec))
        for name, hexd in m.items():
            self.assertEqual(sha256_file(os.path.join(self.dir, name)), hexd)
            self.assertFalse(name.startswith("."))
        self.assertFalse([n for n in os.listdir(self.dir) if n.endswith(".part")])
        sc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=self.dir,
                            capture_output=True)
        self.assertEqual(sc.returncode, 0, sc.stdout + sc.stderr)
        # names are stable: the same listing gives the same names
        before = sorted(os.listdir(self.dir))
        n = len(self.proxy.downloads)
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("3 files: 0 downloaded, 3 skipped", p.out)
        self.assertIn("(0 bytes) received", p.out)
        self.assertEqual(len(self.proxy.downloads), n)
        self.assertEqual(sorted(os.listdir(self.dir)), before)
        # a lost manifest is rebuilt from the files, without downloading
        sums = os.path.join(self.dir, "SHA256SUMS")
        with open(sums) as f:
            text = f.read()
        os.unlink(sums)
        p = self.download()
        self.assertIn("0 downloaded, 3 skipped", p.out)
        with open(sums) as f:
            self.assertEqual(f.read(), text)
        self.assertEqual(len(self.proxy.downloads), n)

    def test_200_to_a_range_request_restarts_from_zero(self):
        rec = self.record([("M4A", 300000)])
        fid = rec["recording_files"][0]["id"]
        self.proxy.cuts = [100000]
        self.proxy.ignore_range = True
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.proxy.downloads[1][0], "bytes=100000-")  # asked to resume
        self.assertIn("(400000 bytes) received", p.out)  # the cut 100000 + all again
        self.assertEqual(self.by_id(self.manifest()), self.plain_sha(rec))
        name = [n for n in os.listdir(self.dir) if fid in n][0]
        self.assertEqual(os.path.getsize(os.path.join(self.dir, name)), 300000)

    def test_200_restart_after_megabytes_drops_what_the_hasher_had_queued(self):
        # cut after several 256 KiB write buffers went to the SHA-256 thread
        # (some still queued), then the whole file again: the manifest is the
        # file's hash, not one that still holds the first 3 MiB
        rec = self.record([("MP4", 5 * MB)])
        fid = rec["recording_files"][0]["id"]
        self.proxy.cuts = [3 * MB + 12345]
        self.proxy.ignore_range = True
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.proxy.downloads[1][0], "bytes=%d-" % (3 * MB + 12345))
        self.assertEqual(self.by_id(self.manifest()), self.plain_sha(rec))
        name = [n for n in os.listdir(self.dir) if fid in n][0]
        self.assertEqual([sha256_file(os.path.join(self.dir, name))],
                         list(self.plain_sha(rec).values()))
        self.assertEqual(os.path.getsize(os.path.join(self.dir, name)), 5 * MB)

    def test_progress_bar_on_a_terminal(self):
        self.record([("MP4", 8 * MB)])
        t0 = time.monotonic()
        rc, out, err = self.cli.run_tty("recordings", "download", self.mid, "--dir", self.dir)
        out = out.decode()
        elapsed = time.monotonic() - t0
        # at most 10 redraws a second, plus one per file start/end
        self.assertLessEqual(err.count(b"\r"), 2 + 10 * elapsed + 1)
        self.assertEqual(rc, 0, err)
        self.assertIn("1 downloaded", out)
        self.assertIn(b"\r\x1b[K[", err)
        self.assertIn(b"100%", err)
        self.assertIn(b"file 1/1", err)
        # --no-progress silences it even on a terminal
        os.unlink(os.path.join(self.dir, [n for n in os.listdir(self.dir) if n.endswith(".mp4")][0]))
        rc, _, rest = self.cli.run_tty("recordings", "download", self.mid, "--dir", self.dir,
                                       "--no-progress")
        self.assertEqual(rc, 0, rest)
        self.assertEqual(rest, b"")

    def test_corrupt_complete_file_is_fetched_again(self):
        self.record([("M4A", 100000)])
        self.assertEqual(self.download().returncode, 0)
        name = next(iter(self.manifest()))
        path = os.path.join(self.dir, name)
        with open(path, "r+b") as f:
            f.write(b"X")  # same size, wrong bytes: only the manifest can tell
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("1 downloaded, 0 skipped", p.out)
        self.assertEqual(sha256_file(path), self.manifest()[name])

    def test_cut_three_times_resumes_in_one_run(self):
        rec = self.record([("MP4", 20 * MB)])
        self.proxy.cuts = [3 * MB + 17, 2 * MB + 5, 7 * MB + 3]
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        ranges = [r for r, _ in self.proxy.downloads]
        self.assertEqual(len(ranges), 4, ranges)
        self.assertIsNone(ranges[0])
        offs = [int(r[len("bytes="):-1]) for r in ranges[1:]]
        self.assertEqual(offs, sorted(offs))  # each retry continues further on
        self.assertEqual(offs[-1], 3 * MB + 17 + 2 * MB + 5 + 7 * MB + 3)
        self.assertEqual(self.by_id(self.manifest()), self.plain_sha(rec))

    def test_killed_three_times_resumes_byte_identical(self):
        rec = self.record([("MP4", 20 * MB), ("M4A", 50000)])
        resumed_from, sizes = [], []
        for k in range(3):
            self.proxy.stall = 4 * MB + 1234 * (k + 1)  # bytes into this request
            self.proxy.stalled.clear()
            self.proxy.release.clear()
            before = len(self.proxy.downloads)
            cmd = WRAP + [binary("zoomflow"), "recordings", "download", self.mid, "--dir",
                          self.dir]
            proc = subprocess.Popen(cmd, env=self.cli.env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            self.assertTrue(self.proxy.stalled.wait(60 * SLOW), "download never stalled")
            time.sleep(0.3)  # let zoomflow write what it received
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            self.proxy.release.set()
            part = [n for n in os.listdir(self.dir) if n.endswith(".part")]
            self.assertEqual(len(part), 1)
            size = os.path.getsize(os.path.join(self.dir, part[0]))
            self.assertGreater(size, 0)
            self.assertLess(size, 20 * MB)
            if k:
                r = self.proxy.downloads[before][0]
                resumed_from.append(int(r[len("bytes="):-1]))
            sizes.append(size)
        self.proxy.stall = None
        before = len(self.proxy.downloads)
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.proxy.downloads[before][0], "bytes=%d-" % sizes[-1])
        # each run continued exactly where the killed one left its .part
        self.assertEqual(resumed_from, sizes[:2])
        self.assertEqual(sizes, sorted(sizes))
        self.assertEqual(self.by_id(self.manifest()), self.plain_sha(rec))

    def test_wrong_listed_size_is_a_clear_error(self):
        rec = self.record([("M4A", 100000)])
        fid = rec["recording_files"][0]["id"]
        self.proxy.sizes[fid] = 123456
        p = self.download()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("received 100000 bytes but the listing says 123456 bytes", p.err)
        self.assertIn(fid, p.err)
        parts = [n for n in os.listdir(self.dir) if n.endswith(".part")]
        self.assertEqual(len(parts), 1)  # kept for a later resume
        self.assertEqual(os.path.getsize(os.path.join(self.dir, parts[0])), 100000)
        # once the listing is right, the kept .part finishes with a 416
        del self.proxy.sizes[fid]
        before = len(self.proxy.downloads)
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.proxy.downloads[before][0], "bytes=100000-")
        self.assertEqual(self.by_id(self.manifest()), self.plain_sha(rec))

    def test_file_still_processing_is_a_clear_error(self):
        self.record([("M4A", 1000)])
        self.proxy.status = "processing"
        p = self.download()
        self.assertEqual(p.returncode, 1, p.err)
        self.assertIn("is still processing at Zoom", p.err)
        self.assertIn("in a few minutes", p.err)
        self.assertEqual(self.proxy.downloads, [])

    def test_a_listing_zoom_would_not_send_is_named(self):
        """A listing with a file that is not an object, one without its
        download_url, a file_size that is negative or not a number, or no
        files at all: each named, nothing downloaded, nothing written."""
        self.record([("M4A", 1000), ("TRANSCRIPT", 400)])

        def second(change):
            return lambda doc: change(doc["recording_files"][1])

        cases = [
            (lambda doc: doc["recording_files"].__setitem__(0, "x"),
             "recording file 1 is not a JSON object"),
            (second(lambda f: f.pop("download_url")), "has no download_url"),
            (second(lambda f: f.__setitem__("download_url", "")), "has no download_url"),
            (second(lambda f: f.__setitem__("file_size", -5)),
             "has a file_size that is not a non-negative integer"),
            (second(lambda f: f.__setitem__("file_size", "400")),
             "has a file_size that is not a non-negative integer"),
            (lambda doc: doc.__setitem__("recording_files", []),
             f"meeting {self.mid} has a recording but no files in it"),
            (lambda doc: doc.pop("recording_files"), "but no files in it"),
        ]
        for mangle, words in cases:
            with self.subTest(words=words):
                self.proxy.mangle = mangle
                p = self.download()
                self.assertNotIn(p.returncode, (0, 2), p.err)
                self.assertIn(words, p.err)
                self.assertEqual(self.proxy.downloads, [])
                self.assertFalse(os.path.exists(os.path.join(self.dir, "SHA256SUMS")))
        self.proxy.mangle = None
        # a --dir that is a file: named before anything is fetched
        path = os.path.join(self.cli.dir, "plain-file")
        open(path, "w").close()
        listings = self.proxy.listings
        p = self.cli.run("recordings", "download", self.mid, "--dir", path)
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn(f"{path} exists and is not a directory", p.err)
        self.assertEqual(self.proxy.listings, listings)
        self.assertEqual(self.download().returncode, 0)  # the real listing still works

    def test_one_download_per_directory(self):
        import fcntl
        self.record([("M4A", 1000)])
        os.mkdir(self.dir)
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # as a running download holds it
            p = self.download()
            self.assertEqual(p.returncode, 1, p.err)
            self.assertIn("another download is writing into", p.err)
            self.assertEqual(self.proxy.listings, 0)
        finally:
            os.close(fd)
        self.assertEqual(self.download().returncode, 0)

    def test_401_refreshes_the_download_token_by_listing_again(self):
        rec = self.record([("M4A", 200000)])
        self.proxy.fail_401 = 1
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.proxy.listings, 2)
        (_, first), (_, second) = self.proxy.downloads[:2]
        self.assertTrue(first.startswith("Bearer ") and second.startswith("Bearer "))
        self.assertNotEqual(first, second)
        self.assertEqual(self.by_id(self.manifest()), self.plain_sha(rec))
        # a download token that keeps failing ends in a clear error
        os.unlink(os.path.join(self.dir, next(iter(self.manifest()))))
        self.proxy.fail_401 = 10
        p = self.download()
        self.assertEqual(p.returncode, 3, p.err)
        self.assertIn("even after listing the recording again", p.err)

    def test_401_from_another_host_does_not_renew_the_zoom_token(self):
        """Downloads on the connection's access token (no download_access_token)
        redirected to a host that answers 401, even with code 124: zoomflow
        used to renew the Zoom token for it, once per re-listing."""
        self.record([("M4A", 70000)])
        target = Target(self.sim)
        try:
            self.proxy.no_dl_token = True
            self.proxy.redirect = target.url
            target.status = 401
            self.sim.request("DELETE", "/_sim/requests")
            p = self.download()
            counts = self.sim.requests_log()["counts"]
            self.assertEqual(counts.get("oauth.token", 0), 0, counts)
            self.assertEqual(p.returncode, 3, p.err)
            self.assertIn(f"the host {self.proxy.url} redirected to refused the download "
                          "token (401) even after listing the recording again", p.err)
            self.assertIn("only the API's own 401 with code 124", p.err)
            self.assertEqual(len(target.seen), 3)  # the first try and two re-listings
            self.assertEqual(self.proxy.listings, 3)
        finally:
            target.stop()
        # the API origin's own 401 code 124 still renews it
        self.proxy.redirect = None
        self.proxy.fail_401 = 1
        p = self.download()
        self.assertEqual(p.returncode, 0, p.err)
        counts = self.sim.requests_log()["counts"]
        self.assertEqual(counts.get("oauth.token", 0), 1, counts)

    def test_redirect_does_not_carry_the_token_to_another_port(self):
        rec = self.record([("M4A", 70000)])
        target = Target(self.sim)
        try:
            self.proxy.redirect = target.url
            p = self.download()
            self.assertEqual(p.returncode, 0, p.err)
            self.assertEqual(len(target.seen), 1)
            self.assertNotIn("authorization", {k.lower() for k in target.seen[0]})
            self.assertTrue(self.proxy.downloads[0][1].startswith("Bearer "))
            self.assertEqual(self.by_id(self.manifest()), self.plain_sha(rec))
        finally:
            target.stop()

    def test_token_is_never_sent_to_a_foreign_download_url(self):
        self.record([("M4A", 1000)])
        target = Target(self.sim)
        try:
            self.proxy.foreign = target.url
            p = self.download()
            self.assertEqual(p.returncode, 2, p.err)
            self.assertIn("refusing to send the download token", p.err)
            self.assertIn(target.url, p.err)
            self.assertEqual(target.seen, [])
        finally:
            target.stop()

    def test_uuid_with_slashes_is_double_encoded(self):
        r = self.sim.request("POST", "/_sim/recordings", body={
            "meeting_id": int(self.mid), "uuid": "/ab//cd==",
            "files": [{"file_type": "CHAT", "size": 500}]})
        self.assertEqual(r.status, 201, r)
        p = self.cli.run("recordings", "download", "/ab//cd==", "--dir", self.dir)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("1 file: 1 downloaded", p.out)

    def test_unknown_meeting_and_usage(self):
        p = self.cli.run("recordings", "download", "999999999", "--dir", self.dir)
        self.assertEqual(p.returncode, 6, p.err)
        self.assertIn("There is no recording for this meeting", p.err)
        p = self.cli.run("recordings", "download")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--meeting-id ID is required", p.err)
        p = self.cli.run("recordings", "download", self.mid, "--meeting-id", "1234567890")
        self.assertEqual(p.returncode, 2)
        self.assertIn("two meetings given", p.err)
        # a --dir whose parent is missing is the caller's path: exit 2, named,
        # before anything is fetched (the last part alone is created)
        before = self.sim.requests_log()["total"]
        gone = os.path.join(self.dir, "nonexist", "sub")
        p = self.cli.run("recordings", "download", self.mid, "--dir", gone)
        self.assertEqual(p.returncode, 2, p.err)
        self.assertIn(f"cannot create the directory {gone}", p.err)
        self.assertIn("only the last part of the path is created", p.err)
        self.assertEqual(self.sim.requests_log()["total"], before)

    def test_meeting_id_flag_and_dir_defaults_to_cwd(self):
        # --meeting-id like every other command; no --dir: the current directory
        self.record([("M4A", 300000), ("TRANSCRIPT", 4000)])
        os.makedirs(self.dir)
        p = self.cli.run("recordings", "download", "--meeting-id", self.mid, cwd=self.dir)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("2 files: 2 downloaded", p.out)
        self.assertEqual(len(self.manifest()), 2)
        # the positional still works, and agrees with the flag
        p = self.cli.run("recordings", "download", self.mid, "--meeting-id", self.mid,
                         "--dir", self.dir)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertIn("2 skipped", p.out)


class SimFaultTest(unittest.TestCase):
    """The same resume, driven by zoomsim's own fault rules (no proxy)."""

    def setUp(self):
        self.sim = Sim("--auto-approve")
        self.cli = CliEnv(self.sim)
        p = self.cli.connect()
        self.assertEqual(p.returncode, 0, p.err)
        r = self.sim.request("POST", "/_sim/seed/meetings", body={"count": 1})
        self.mid = str(r.json()["meeting_ids"][0])
        self.dir = os.path.join(self.cli.dir, "rec")

    def tearDown(self):
        self.sim.stop()

    def test_truncated_three_times_and_5xx_resume_byte_identical(self):
        r = self.sim.request("POST", "/_sim/recordings", body={
            "meeting_id": int(self.mid), "files": [{"file_type": "MP4", "size": 20 * MB}]})
        rec = r.json()
        r = self.sim.request("POST", "/_sim/faults", body={"seed": 7, "rules": [
            {"kind": "truncate", "path_prefix": "/rec/download/", "count": 3},
            {"kind": "status", "status": 503, "path_prefix": "/rec/download/", "count": 1}]})
        self.assertEqual(r.status, 201, r)
        p = self.cli.run("recordings", "download", self.mid, "--dir", self.dir)
        self.assertEqual(p.returncode, 0, p.err)
        fired = [x["fired"] for x in self.sim.request("GET", "/_sim/faults").json()["rules"]]
        self.assertEqual(fired, [3, 1])
        name = [n for n in os.listdir(self.dir) if n.endswith(".mp4")][0]
        tok = self.sim.token()
        req = urllib.request.Request(rec["recording_files"][0]["download_url"],
                                     headers={"Authorization": "Bearer " + tok})
        with urllib.request.urlopen(req, timeout=60 * SLOW) as resp:
            want = hashlib.sha256(resp.read()).hexdigest()
        self.assertEqual(sha256_file(os.path.join(self.dir, name)), want)
        with open(os.path.join(self.dir, "SHA256SUMS")) as f:
            self.assertEqual(f.read(), f"{want}  {name}\n")

    def test_persistent_cuts_give_up_and_keep_the_part(self):
        self.sim.request("POST", "/_sim/recordings", body={
            "meeting_id": int(self.mid), "files": [{"file_type": "M4A", "size": 3 * MB}]})
        self.sim.request("POST", "/_sim/faults", body={
            "kind": "truncate", "path_prefix": "/rec/download/"})
        p = self.cli.run("recordings", "download", self.mid, "--dir", self.dir)
        self.assertEqual(p.returncode, 5, p.err)
        self.assertIn("failed after 6 attempts", p.err)
        self.assertIn(".part is kept", p.err)
        parts = [n for n in os.listdir(self.dir) if n.endswith(".part")]
        self.assertEqual(len(parts), 1)
        self.assertGreater(os.path.getsize(os.path.join(self.dir, parts[0])), 0)
        self.sim.request("DELETE", "/_sim/faults")
        p = self.cli.run("recordings", "download", self.mid, "--dir", self.dir)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertFalse([n for n in os.listdir(self.dir) if n.endswith(".part")])


if __name__ == "__main__":
    unittest.main()
