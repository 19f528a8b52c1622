"""zoomflow serve over real HTTP: the core's promises. Every bad input gets
a JSON error and never a crash or a hang (malformed JSON, wrong content
type, bodies over a route's limit, unknown routes and methods, path
tricks, huge headers, slow clients); keep-alive holds from the first
request; every answer carries a request id; --listen :0 prints the
address; health, readiness, metrics and the OpenAPI document; the page's
security headers; TLS."""
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import srvharness
import zfharness
from srvharness import PW, Serve, parse_raw
from zfharness import SLOW, heavy


class ServeCase(unittest.TestCase):
    """One service for the class; an org acme with an admin."""

    serve_args = ()

    @classmethod
    def setUpClass(cls):
        cls.s = Serve(*cls.serve_args)
        cls.s.org("acme")
        cls.s.account("acme", "admin@acme.test", "admin")
        cls.admin_key = cls.s.key("acme", "ci", "admin")

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop()
        if rc != 0:
            raise AssertionError(f"zoomflow serve exited {rc}: {cls.s.stderr()[-3000:]}")

    def err(self, r, status, code):
        self.assertEqual(r.status, status, r)
        e = r.json()["error"]
        self.assertEqual(e["code"], code, r)
        self.assertEqual(e["status"], status)
        self.assertTrue(e["message"])
        self.assertEqual(e["request_id"], r.header("X-Request-Id"))
        return e


class TestStart(unittest.TestCase):
    def test_listen_port_zero_prints_the_address(self):
        with Serve() as s:
            out = s.stdout()
            m = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", out)
            self.assertTrue(m, out)
            self.assertNotEqual(m.group(2), "0")
            self.assertEqual(m.group(1), s.url)  # the port file says the same
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            self.assertEqual(s.stop(), 0)

    def test_bad_settings_refused_clearly(self):
        d = tempfile.mkdtemp()
        env = {"ZOOMFLOW_MASTER_KEY": "00" * 32, "HOME": d, "PATH": os.environ["PATH"]}
        db = "sqlite:" + os.path.join(d, "db")
        for args, words in ((["--listen", "nohost"], "HOST:PORT"),
                            (["--listen", "127.0.0.1:99999"], "0-65535"),
                            (["--listen", "example.com:80"], "IP address"),
                            (["--tls-cert", "/nonexistent"], "together"),
                            (["--tls-cert", "/nonexistent/c", "--tls-key", "/nonexistent/k"],
                             "cannot read"),
                            (["--threads", "0"], "threads"),
                            (["--client-timeout", "x"], "client-timeout")):
            p = subprocess.run(zfharness.WRAP + [zfharness.binary("zoomflow"), "serve", "--db", db]
                               + args, capture_output=True, env=env, timeout=30 * SLOW)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertIn(words, p.stderr.decode(), args)

    def test_port_in_use_says_so_and_what_to_do(self):
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        d = tempfile.mkdtemp()
        env = {"ZOOMFLOW_MASTER_KEY": "00" * 32, "HOME": d, "PATH": os.environ["PATH"]}
        try:
            p = subprocess.run(zfharness.WRAP + [zfharness.binary("zoomflow"), "serve", "--db",
                                                 "sqlite:" + os.path.join(d, "db"), "--listen",
                                                 f"127.0.0.1:{port}"],
                               capture_output=True, env=env, timeout=30 * SLOW)
        finally:
            busy.close()
        err = p.stderr.decode()
        self.assertNotEqual(p.returncode, 0, err)
        self.assertIn(f"cannot listen on 127.0.0.1:{port}: Address already in use", err)
        self.assertIn("pick another --listen port", err)

    def test_env_and_config_file_give_the_settings(self):
        # flags > env > config file, as the CLI
        with Serve(env={"ZOOMFLOW_PUBLIC_URL": "https://zf.example.test/"}) as s:
            doc = s.request("GET", "/api/v1/openapi.json").json()
            self.assertEqual(doc["servers"][0]["url"], "https://zf.example.test")
        with Serve("--public-url", "https://flag.example.test",
                   env={"ZOOMFLOW_PUBLIC_URL": "https://env.example.test"}) as s:
            doc = s.request("GET", "/api/v1/openapi.json").json()
            self.assertEqual(doc["servers"][0]["url"], "https://flag.example.test")
        d = tempfile.mkdtemp()
        cfg = os.path.join(d, "config")
        with open(cfg, "w") as f:
            f.write("[default]\npublic_url = https://file.example.test\n")
        with Serve(env={"ZOOMFLOW_CONFIG": cfg}) as s:
            doc = s.request("GET", "/api/v1/openapi.json").json()
            self.assertEqual(doc["servers"][0]["url"], "https://file.example.test")


class TestBadInput(ServeCase):
    def post_key(self, body, ctype="application/json", headers=None):
        return self.s.request("POST", "/api/v1/keys", body, ctype=ctype, key=self.admin_key,
                              headers=headers)

    def test_malformed_json_names_line_and_column(self):
        r = self.post_key('{"name": "x",\n  "role": }')
        e = self.err(r, 400, "EVALIDATION")
        self.assertIn("line 2", e["message"])
        self.assertIn("column", e["message"])
        self.assertEqual(e["hint_id"], "SEND_JSON")
        for bad in ("{", "[1,]", '{"a":1}{', "\x00", '{"a":"\\ud800"}', "nul"):
            self.err(self.post_key(bad), 400, "EVALIDATION")

    def test_wrong_content_type_is_415(self):
        for ct in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx", None):
            h = {} if ct else {"Content-Type": ""}
            r = self.post_key('{"name":"x","role":"viewer"}', ctype=ct, headers=h)
            e = self.err(r, 415, "EVALIDATION")
            self.assertIn("application/json", e["message"])
        # parameters after the type are fine
        r = self.post_key('{"name":"x","role":"viewer"}', ctype="application/json; charset=utf-8")
        self.assertEqual(r.status, 201, r)

    def test_body_over_the_route_limit_is_413(self):
        big = json.dumps({"name": "x" * 9000, "role": "viewer"})  # the keys route takes 8 KiB
        r = self.post_key(big)
        e = self.err(r, 413, "ETOOBIG")
        self.assertEqual(e["hint_id"], "SMALLER_BODY")
        # a body under the default limit elsewhere (64 KiB) is not refused for size
        r = self.s.request("POST", "/api/v1/session",
                           {"email": "a@b.c", "password": "p" * 9000})
        self.err(r, 413, "ETOOBIG")  # sign-in takes 8 KiB too

    def test_content_length_over_the_limit_answered_before_the_body(self):
        # announce 10 MB, send nothing more: the 413 comes anyway, at once
        req = (b"POST /api/v1/keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Authorization: Bearer " + self.admin_key.encode() +
               b"\r\nContent-Length: 10000000\r\n\r\n{")
        t0 = time.time()
        out = self.s.raw(req, timeout=5)
        status, headers, body = parse_raw(out)
        self.assertEqual(status, 413, out[:500])
        self.assertLess(time.time() - t0, 4 * SLOW)
        self.assertEqual(json.loads(body)["error"]["code"], "ETOOBIG")

    def test_chunked_body_over_the_limit(self):
        chunk = b"x" * 4096
        body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(4)) + b"0\r\n\r\n"
        req = (b"POST /api/v1/keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Authorization: Bearer " + self.admin_key.encode() +
               b"\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
        status, _, body = parse_raw(self.s.raw(req, timeout=5))
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(body)["error"]["code"], "ETOOBIG")

    def test_unknown_route_404_and_wrong_method_405_with_allow(self):
        e = self.err(self.s.request("GET", "/api/v1/nothing"), 404, "ENOTFOUND")
        self.assertEqual(e["hint_id"], "CHECK_ROUTE")
        self.err(self.s.request("GET", "/api/v1/keys/"), 404, "ENOTFOUND")
        r = self.s.request("PUT", "/api/v1/keys")
        self.err(r, 405, "EVALIDATION")
        self.assertEqual(sorted(r.header("Allow").split(", ")), ["GET", "POST"])
        r = self.s.request("POST", "/healthz", "{}")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "GET")
        r = self.s.request("GET", "/api/v1/keys/abc")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "DELETE")
        # HEAD is GET without a body
        r = self.s.request("HEAD", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, "")

    def test_path_tricks_are_400(self):
        for path in ("/api/v1/%2e%2e/keys", "/api/v1/%2E%2e/keys", "/api/v1/../v1/keys",
                     "/api/v1/./keys", "/api/v1//keys", "/assets/..%5c..%5cetc",
                     "/assets/a%00b", "/api/v1/keys/%zz", "/api/v1/keys/%4",
                     "/webhooks/zoom/acme%2fother", "/api/v1/keys/a%0d%0aX-Evil:%201",
                     "/assets/%2e%2e", "/" + "a/" * 40 + "b", "/x" + "y" * 3000):
            out = self.s.raw(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), timeout=5,
                             read_all=False)
            status, headers, body = parse_raw(out)
            self.assertEqual(status, 400, (path, out[:300]))
            self.assertEqual(headers["content-type"], "application/json")
            e = json.loads(body[:int(headers["content-length"])])["error"]
            self.assertEqual(e["code"], "EVALIDATION", path)
            self.assertIn("path refused", e["message"])
        # a backslash sent raw
        out = self.s.raw(b"GET /assets\\..\\x HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5,
                         read_all=False)
        self.assertIn(parse_raw(out)[0], (400,))

    def test_bad_query_is_400(self):
        r = self.s.request("GET", "/api/v1/audit?limit=%zz", key=self.admin_key)
        self.err(r, 400, "EVALIDATION")
        # a value the route does not accept, or a parameter it does not take:
        # 400 naming it and what it accepts (422 is for a body)
        for q, field, says in (("limit=0", "limit", "from 1 to 500"),
                               ("limit=abc", "limit", "from 1 to 500"),
                               ("limit=501", "limit", "from 1 to 500"),
                               ("limit=5&colour=red", "colour", "?limit=, ?before=")):
            r = self.s.request("GET", "/api/v1/audit?" + q, key=self.admin_key)
            e = self.err(r, 400, "EVALIDATION")
            self.assertEqual(e["status"], 400, q)
            self.assertEqual(e["problems"][0]["field"], field, q)
            self.assertIn("?" + field + "=", e["message"])
            self.assertIn(says, e["message"])
            self.assertTrue(e.get("hint"), q)
        for path in ("/api/v1/accounts?x=1", "/api/v1/keys?page=2", "/api/v1/workflows?all=1"):
            e = self.err(self.s.request("GET", path, key=self.admin_key), 400, "EVALIDATION")
            self.assertIn("takes none", e["message"], path)
            self.assertEqual(e["hint_id"], "FIX_QUERY", path)
        # the document says so
        doc = self.s.request("GET", "/api/v1/openapi.json").json()
        op = doc["paths"]["/api/v1/runs"]["get"]
        self.assertIn("400", op["responses"])
        self.assertEqual({p["name"] for p in op["parameters"]},
                         {"state", "workflow", "trigger", "limit", "before"})

    def test_huge_header_is_refused_not_a_crash(self):
        big = b"X-Big: " + b"a" * (64 * 1024) + b"\r\n"
        out = self.s.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n", timeout=10)
        status = parse_raw(out)[0] if out else 0
        self.assertIn(status, (0, 400, 413, 414, 431), out[:300])
        # many headers, together large
        many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(700))
        out = self.s.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n", timeout=10)
        self.assertIn(parse_raw(out)[0] if out else 0, (0, 400, 413, 414, 431))
        # and the service still answers
        self.assertEqual(self.s.request("GET", "/healthz").status, 200)

    def test_out_of_descriptors_waits_then_serves(self):
        # a flood of connections while the process is at its descriptor
        # limit: accept fails (EMFILE), the listener says so and pauses
        # instead of spinning, and answers once descriptors are free again
        import resource
        pid = self.s.proc.pid
        old = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        socks = []
        try:
            used = len(os.listdir(f"/proc/{pid}/fd"))
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (used, old[1]))
            t0 = time.time()
            for _ in range(8):
                socks.append(socket.create_connection(("127.0.0.1", self.s.port), timeout=5))
            deadline = time.time() + 10 * SLOW
            words = "accept: Too many open files: retrying in 100 ms"
            while words not in self.s.stderr() and time.time() < deadline:
                time.sleep(0.02)
            self.assertIn(words, self.s.stderr())
            time.sleep(0.3)
            # at most one try per 100 ms, not a busy loop
            tries = self.s.stderr().count(words)
            self.assertLessEqual(tries, (time.time() - t0) / 0.1 + 2)
        finally:
            for c in socks:
                c.close()
            resource.prlimit(pid, resource.RLIMIT_NOFILE, old)
        self.assertEqual(self.s.request("GET", "/healthz").status, 200)

    def test_garbage_request_line(self):
        for junk in (b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"G\xffT / HTTP/1.1\r\nHost: x\r\n\r\n"):
            self.s.raw(junk, timeout=3)
        self.assertEqual(self.s.request("GET", "/healthz").status, 200)


class TestKeepAlive(ServeCase):
    def test_one_connection_many_requests_from_the_first(self):
        c = self.s.connection()
        try:
            ports = set()
            for i in range(20):
                path = ("/healthz", "/api/v1/nothing", "/api/v1/openapi.json")[i % 3]
                r = self.s.request("GET", path, conn=c)
                self.assertIn(r.status, (200, 404))
                ports.add(c.sock.getsockname()[1])
                self.assertNotEqual((r.header("Connection") or "").lower(), "close")
            # a POST with a body and an error on the same connection
            r = self.s.request("POST", "/api/v1/keys", "{bad", key=self.admin_key, conn=c)
            self.assertEqual(r.status, 400)
            r = self.s.request("GET", "/healthz", conn=c)
            self.assertEqual(r.status, 200)
            ports.add(c.sock.getsockname()[1])
            self.assertEqual(len(ports), 1, "the connection was not reused")
        finally:
            c.close()

    def test_pipelined_requests_on_a_raw_socket(self):
        req = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3
        out = self.s.raw(req, timeout=2)
        self.assertEqual(out.count(b"HTTP/1.1 200"), 3, out[:600])


class TestRequestId(ServeCase):
    def test_kept_when_safe_else_new(self):
        r = self.s.request("GET", "/healthz", headers={"X-Request-Id": "abc.DEF_12-3"})
        self.assertEqual(r.header("X-Request-Id"), "abc.DEF_12-3")
        r = self.s.request("GET", "/nope", headers={"X-Request-Id": "trace-42"})
        self.assertEqual(r.header("X-Request-Id"), "trace-42")
        self.assertEqual(r.json()["error"]["request_id"], "trace-42")
        seen = set()
        for bad in ("", "a b", "x" * 65, "<script>", "a\u00e9"):
            r = self.s.request("GET", "/healthz", headers={"X-Request-Id": bad})
            rid = r.header("X-Request-Id")
            self.assertNotEqual(rid, bad)
            self.assertRegex(rid, r"^[A-Za-z0-9._-]{1,64}$")
            seen.add(rid)
        self.assertEqual(len(seen), 5)
        # and in the log line of that request
        time.sleep(0.1)
        lines = [l for l in self.s.log_lines() if l.get("request_id") == "trace-42"]
        self.assertTrue(lines)
        self.assertEqual(lines[-1]["status"], 404)
        self.assertEqual(lines[-1]["route"], "(none)")


class TestHealthMetricsDoc(ServeCase):
    def test_healthz_readyz(self):
        r = self.s.request("GET", "/healthz")
        self.assertEqual(r.json(), {"status": "ok"})
        r = self.s.request("GET", "/readyz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["checks"]["store"]["status"], "ok")

    def test_metrics_count_requests_by_route_and_status(self):
        for _ in range(3):
            self.s.request("GET", "/healthz")
        self.s.request("GET", "/api/v1/keys")  # 401
        r = self.s.request("GET", "/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/plain; version=0.0.4"))
        text = r.body
        m = re.search(r'^zoomflow_http_requests_total\{route="/healthz",method="GET",'
                      r'status="200"\} (\d+)', text, re.M)
        self.assertTrue(m, text[:2000])
        self.assertGreaterEqual(int(m.group(1)), 3)
        self.assertRegex(text, r'zoomflow_http_requests_total\{route="/api/v1/keys",'
                               r'method="GET",status="401"\} \d')
        self.assertIn("# TYPE zoomflow_http_request_duration_seconds histogram", text)
        self.assertRegex(text, r'zoomflow_http_request_duration_seconds_bucket\{'
                               r'route="/healthz",le="\+Inf"\} \d')
        self.assertRegex(text, r'zoomflow_http_request_duration_seconds_count\{'
                               r'route="/healthz"\} \d')
        # every sample line is name{labels} value or name value
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInf]+$')

    def test_openapi_document_from_the_table(self):
        r = self.s.request("GET", "/api/v1/openapi.json")
        self.assertEqual(r.status, 200)
        doc = r.json()
        self.assertEqual(doc["openapi"], "3.1.0")
        paths = doc["paths"]
        for p, m in (("/healthz", "get"), ("/api/v1/session", "post"),
                     ("/api/v1/keys/{id}", "delete"), ("/api/v1/accounts/{id}", "patch"),
                     ("/api/v1/audit", "get")):
            self.assertIn(m, paths[p], p)
        op = paths["/api/v1/keys/{id}"]["delete"]
        self.assertEqual(op["parameters"][0]["name"], "id")
        self.assertEqual(op["parameters"][0]["in"], "path")
        self.assertEqual(op["x-min-role"], "admin")
        self.assertEqual(paths["/healthz"]["get"]["security"], [])
        schemes = doc["components"]["securitySchemes"]
        self.assertEqual(schemes["session"]["in"], "cookie")
        self.assertEqual(schemes["session"]["name"], "zf_session")
        self.assertEqual(schemes["bearer"]["scheme"], "bearer")
        self.assertIn("Error", doc["components"]["schemas"])
        # every $ref resolves
        refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc))
        self.assertTrue(refs)
        for name in refs:
            self.assertIn(name, doc["components"]["schemas"])
        names = [q["name"] for q in paths["/api/v1/audit"]["get"]["parameters"]]
        self.assertEqual(names, ["limit", "before"])
        # the page is not an API operation
        self.assertNotIn("/", paths)

    def test_openapi_validates_when_a_validator_is_there(self):
        try:
            import jsonschema  # noqa: F401
        except ImportError:
            self.skipTest("python3-jsonschema not installed")
        doc = self.s.request("GET", "/api/v1/openapi.json").json()
        # each schema in components is a valid JSON Schema (2020-12)
        from jsonschema import Draft202012Validator
        for name, schema in doc["components"]["schemas"].items():
            Draft202012Validator.check_schema(schema)
        # and the error bodies the service answers match the Error schema
        err_schema = dict(doc["components"]["schemas"]["Error"])
        err_schema["$defs"] = {}
        r = self.s.request("GET", "/nope")
        Draft202012Validator(err_schema).validate(r.json())


class TestPage(ServeCase):
    def test_page_and_assets_with_security_headers(self):
        r = self.s.request("GET", "/")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        csp = r.header("Content-Security-Policy")
        self.assertIn("default-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        etag = r.header("ETag")
        self.assertTrue(etag and etag.startswith('"'))
        r2 = self.s.request("GET", "/", headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 304)
        # the assets the page names are served; others are 404
        for ref in re.findall(r'(?:src|href)="/assets/([^"]+)"', r.body):
            a = self.s.request("GET", "/assets/" + ref)
            self.assertEqual(a.status, 200, ref)
            self.assertEqual(a.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(self.s.request("GET", "/assets/nope.js").status, 404)
        self.assertEqual(self.s.request("GET", "/assets/index.html").status, 404)
        self.assertEqual(self.s.request("GET", "/assets/%2e%2e").status, 400)


@heavy
class TestSlowClients(unittest.TestCase):
    def test_slowloris_is_cut_and_others_are_answered_meanwhile(self):
        with Serve("--client-timeout", "3") as s:
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=20)
            dripping = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
            stop = threading.Event()
            cut = {}

            def drip():
                t0 = time.time()
                for b in dripping:
                    if stop.is_set():
                        return
                    try:
                        sock.send(bytes([b]))
                    except OSError:
                        cut["after"] = time.time() - t0
                        return
                    time.sleep(0.5)
                cut["never"] = True

            t = threading.Thread(target=drip)
            t.start()
            t0 = time.time()
            # others are answered while it drips
            while time.time() - t0 < 2:
                self.assertEqual(s.request("GET", "/healthz").status, 200)
            # and it is dropped after the timeout: the server closes its side
            sock.settimeout(15)
            got = b""
            try:
                while True:
                    b = sock.recv(4096)
                    if not b:
                        break
                    got += b
            except OSError:
                pass
            waited = time.time() - t0
            stop.set()
            t.join()
            sock.close()
            self.assertNotIn(b"200 OK", got)
            self.assertLess(waited, 10, "the slow client was not cut")
            self.assertGreater(waited, 2.5)
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            self.assertEqual(s.stop(), 0)

    def test_slow_body_is_cut(self):
        with Serve("--client-timeout", "2") as s:
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=20)
            sock.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            t0 = time.time()
            got = b""
            try:
                for _ in range(20):
                    sock.send(b" ")
                    time.sleep(0.5)
                    sock.settimeout(0.01)
                    try:
                        b = sock.recv(4096)
                        if not b:
                            break
                        got += b
                    except socket.timeout:
                        pass
                    sock.settimeout(20)
            except OSError:
                pass
            self.assertLess(time.time() - t0, 8)
            sock.close()
            self.assertEqual(s.stop(), 0)

    def test_idle_keepalive_closed_after_timeout(self):
        with Serve("--client-timeout", "2") as s:
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=20)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            first = sock.recv(4096)
            self.assertIn(b"200 OK", first)
            t0 = time.time()
            sock.settimeout(15)
            rest = sock.recv(4096)
            self.assertEqual(rest, b"")
            self.assertLess(time.time() - t0, 8)
            sock.close()


class TestTLS(unittest.TestCase):
    def test_https_with_a_self_signed_certificate(self):
        d = tempfile.mkdtemp()
        cert, key = srvharness.self_signed(d)
        with Serve(tls=(cert, key)) as s:
            self.assertTrue(s.url.startswith("https://127.0.0.1:"), s.url)
            self.assertIn("listening on https://", s.stdout())
            ctx = ssl.create_default_context(cafile=cert)
            import http.client
            c = http.client.HTTPSConnection("127.0.0.1", s.port, context=ctx, timeout=10)
            for _ in range(3):  # keep-alive over TLS too
                c.request("GET", "/healthz")
                r = c.getresponse()
                self.assertEqual(r.status, 200)
                r.read()
            c.close()
            # sign-in over TLS: the cookie is Secure
            s.org("acme")
            s.account("acme", "a@acme.test", "admin")
            r = s.request("POST", "/api/v1/session", {"email": "a@acme.test", "password": PW})
            self.assertEqual(r.status, 200, r)
            self.assertIn("; Secure", r.header("Set-Cookie"))
            # plain HTTP to the TLS port gets no answer in the clear
            out = s.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
            self.assertNotIn(b"200 OK", out)
            self.assertEqual(s.stop(), 0)


@heavy
class TestShutdown(unittest.TestCase):
    def test_sigterm_lets_a_request_in_flight_finish(self):
        with Serve() as s:
            s.org("acme")
            s.account("acme", "a@acme.test", "admin")
            body = json.dumps({"email": "a@acme.test", "password": PW}).encode()
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
            sock.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                         % len(body) + body[:10])
            time.sleep(0.3)
            s.proc.send_signal(15)
            time.sleep(0.5)
            # no new connections are taken...
            refused = False
            try:
                c = socket.create_connection(("127.0.0.1", s.port), timeout=2)
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                refused = c.recv(100) == b""
                c.close()
            except OSError:
                refused = True
            self.assertTrue(refused, "a new connection was served after SIGTERM")
            # ...but the one in flight completes
            sock.sendall(body[10:])
            got = b""
            while b"\r\n\r\n" not in got:
                b = sock.recv(4096)
                if not b:
                    break
                got += b
            sock.close()
            self.assertIn(b"HTTP/1.1 200", got, got[:300])
            self.assertEqual(s.proc.wait(timeout=30), 0)
            self.assertIn('"event":"stop"', s.stderr())

    def test_sigterm_amid_keep_alive_traffic_always_exits_0(self):
        # SIGTERM while clients keep sending on keep-alive connections and
        # opening new ones: every stop exits 0 (libmicrohttpd's own quiesce
        # used to abort the process here now and then: "Failed to remove
        # listen FD from epoll set"), and once the listening socket is
        # closed a new connection is refused, not accepted and dropped.
        for cycle in range(12):
            with Serve("--threads", "4") as s:
                stop = threading.Event()
                served = []

                def client():
                    while not stop.is_set():
                        try:
                            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
                            for _ in range(20):
                                c.request("GET", "/healthz")
                                c.getresponse().read()
                                served.append(1)
                            c.close()
                        except (OSError, http.client.HTTPException):
                            pass  # the stop cut it: expected

                ts = [threading.Thread(target=client, daemon=True) for _ in range(4)]
                for t in ts:
                    t.start()
                time.sleep(0.05 + 0.03 * cycle)
                while not served:  # the traffic is on before the signal
                    time.sleep(0.01)
                s.proc.send_signal(signal.SIGTERM)
                rc = s.proc.wait(timeout=30 * SLOW)
                stop.set()
                for t in ts:
                    t.join(timeout=10)
                self.assertEqual(rc, 0, f"cycle {cycle}: {s.stderr()[-2000:]}")
                self.assertNotIn("Fatal error", s.stderr())
                with self.assertRaises(ConnectionRefusedError):
                    socket.create_connection(("127.0.0.1", s.port), timeout=2).close()

    def test_sigint_stops_idle_service_with_0(self):
        with Serve() as s:
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            self.assertEqual(s.stop(signal.SIGINT if False else 2), 0)


class FreezingProxy:
    """A TCP relay to (host, port) that stops passing bytes while frozen,
    as a database that hangs does."""

    def __init__(self, host, port):
        self.up = (host, port)
        self.frozen = threading.Event()
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closed:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            u = socket.create_connection(self.up)
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self.relay, args=(a, b), daemon=True).start()

    def relay(self, a, b):
        while True:
            try:
                data = a.recv(65536)
            except OSError:
                return
            if not data:
                b.close()
                return
            while self.frozen.is_set():
                time.sleep(0.05)
            try:
                b.sendall(data)
            except OSError:
                return

    def close(self):
        self.closed = True
        self.lsock.close()


@unittest.skipUnless(srvharness.ON_PG, "a hanging database is made with PostgreSQL")
class TestReadyBound(unittest.TestCase):
    def test_readyz_answers_503_within_its_bound_when_the_store_hangs(self):
        import types
        import urllib.parse
        d = tempfile.mkdtemp()
        db = zfharness.StoreDB(d)
        self.addCleanup(db.drop)
        u = urllib.parse.urlsplit(db.dsn)
        proxy = FreezingProxy(u.hostname, u.port)
        self.addCleanup(proxy.close)
        netloc = u.netloc.rsplit(":", 1)[0] + f":{proxy.port}"
        # the password file names the port: one for the proxy's
        q = urllib.parse.parse_qsl(u.query)
        out = []
        for k, v in q:
            if k == "passfile":
                with open(v) as f:
                    lines = f.read().splitlines()
                mine = os.path.join(d, "pgpass")
                with open(mine, "w") as f:
                    for line in lines:
                        parts = line.split(":")
                        parts[1] = str(proxy.port)
                        f.write(":".join(parts) + "\n")
                os.chmod(mine, 0o600)
                v = mine
            out.append((k, v))
        query = urllib.parse.urlencode(out, quote_via=urllib.parse.quote)
        via = urllib.parse.urlunsplit((u.scheme, netloc, u.path, query, u.fragment))
        with Serve(store=types.SimpleNamespace(dsn=via, schema=None)) as s:
            self.assertEqual(s.request("GET", "/readyz").status, 200)
            proxy.frozen.set()
            t0 = time.time()
            r = s.request("GET", "/readyz")
            took = time.time() - t0
            self.assertEqual(r.status, 503, r)
            self.assertLess(took, 5 * SLOW)
            e = r.json()
            self.assertEqual(e["error"]["code"], "ESTORE")
            self.assertEqual(e["checks"]["store"]["status"], "failed")
            self.assertIn("2 s", e["checks"]["store"]["message"])
            self.assertTrue(r.header("Retry-After"))
            # the process itself still answers
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            proxy.frozen.clear()
            deadline = time.time() + 10
            while s.request("GET", "/readyz").status != 200:
                self.assertLess(time.time(), deadline)
                time.sleep(0.2)
            self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
