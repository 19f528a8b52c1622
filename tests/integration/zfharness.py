"""Shared harness for the integration tests: starts the real binaries
(zoomsim, zoomflow) on 127.0.0.1 with ports chosen at runtime and talks to
them over real HTTP. Standard library only.

Environment:
  ZF_BUILD_DIR  where the binaries are (default: <repo>/build)
  ZF_WRAP       command prefix for every binary started (e.g. valgrind ...)
  ZF_WRAP_SIM   command prefix for zoomsim alone, outside the emulator's own
                suites (test_sim_*, which always take ZF_WRAP); default
                ZF_WRAP. scripts/run-tests' valgrind stage sets it empty:
                the CLI and service suites check zoomflow under valgrind,
                zoomsim's suites check zoomsim (and the ASan stage runs
                zoomsim instrumented under every suite)
  ZF_TEST       the ctest name's module (CMakeLists.txt sets it)
  ZF_TEST_DB    the store StoreDB makes: sqlite (default) or postgresql, on
                the server ZF_TEST_PG_DSN or $ZF_TEST_PG_DIR/dsn names (as
                tests/unit/store_test_db.h)
"""
import http.client
import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("ZF_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..")))
BUILD_DIR = os.path.abspath(os.environ.get("ZF_BUILD_DIR", os.path.join(SOURCE_DIR, "build")))
WRAP = shlex.split(os.environ.get("ZF_WRAP", ""))
VALGRIND = bool(WRAP) and "valgrind" in os.path.basename(WRAP[0])
if "ZF_WRAP_SIM" in os.environ and not os.environ.get("ZF_TEST", "").startswith("test_sim_"):
    SIM_WRAP = shlex.split(os.environ["ZF_WRAP_SIM"])
else:
    SIM_WRAP = WRAP
# Slow wrappers (valgrind) need longer start-up and request timeouts.
SLOW = 10 if WRAP else 1


def binary(name):
    path = os.path.join(BUILD_DIR, name)
    if not os.path.exists(path):
        raise unittest.SkipTest(f"{path} not built")
    return path


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class Sim:
    """A running zoomsim. Use as a context manager or call stop()."""

    def __init__(self, *args, control=True, tls=None, env=None):
        self.tmp = tempfile.mkdtemp(prefix="zoomsim-")
        port_file = os.path.join(self.tmp, "port")
        cmd = SIM_WRAP + [binary("zoomsim"), "--port", "0", "--port-file", port_file, "--quiet"]
        if control:
            cmd.append("--control")
        if tls:
            cmd += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        cmd += list(args)
        self.stderr_path = os.path.join(self.tmp, "stderr")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=open(self.stderr_path, "w"),
                                     env={**os.environ, **(env or {})})
        deadline = time.time() + 10 * SLOW
        while not os.path.exists(port_file):
            if self.proc.poll() is not None:
                raise RuntimeError("zoomsim exited: " + self.stderr())
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("zoomsim did not start")
            time.sleep(0.01)
        self.port = int(open(port_file).read())
        self.scheme = "https" if tls else "http"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        self._conn = None

    def stderr(self):
        try:
            return open(self.stderr_path).read()
        except OSError:
            return ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self, sig=signal.SIGTERM):
        if self._conn:
            self._conn.close()
            self._conn = None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def _connection(self, fresh=False):
        if fresh or self._conn is None:
            if self._conn:
                self._conn.close()
            if self.scheme == "https":
                import ssl
                ctx = ssl._create_unverified_context()
                self._conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                                         timeout=30 * SLOW, context=ctx)
            else:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                        timeout=30 * SLOW)
        return self._conn

    def request(self, method, path, body=None, token=None, headers=None, query=None,
                form=None, raw=None):
        """One request over a keep-alive connection. body: JSON-encodable;
        form: dict sent as x-www-form-urlencoded; raw: bytes as they are."""
        h = dict(headers or {})
        data = None
        if query:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(query)
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif raw is not None:
            data = raw
        if token:
            h["Authorization"] = "Bearer " + token
        for attempt in (0, 1):
            conn = self._connection(fresh=attempt == 1)
            try:
                conn.request(method, path, body=data, headers=h)
                r = conn.getresponse()
                out = Response(r.status, r.getheaders(), r.read())
                if r.getheader("Connection", "").lower() == "close":
                    self._connection(fresh=True)
                return out
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError, http.client.CannotSendRequest):
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    # control plane helpers
    def token(self, **kw):
        r = self.request("POST", "/_sim/token", body=kw)
        assert r.status == 201, r
        return r.json()["access_token"]

    def reset(self):
        assert self.request("POST", "/_sim/reset").status == 204

    def limits(self, **kw):
        """POST /_sim/limits, e.g. limits(enabled=False) for tests of other
        behaviours that send bursts."""
        r = self.request("POST", "/_sim/limits", body=kw)
        assert r.status in (200, 204), r
        return r

    def advance(self, seconds):
        r = self.request("POST", "/_sim/clock/advance", body={"seconds": seconds})
        assert r.status == 200, r
        return r.json()

    def requests_log(self, route=None):
        q = {"route": route} if route else None
        return self.request("GET", "/_sim/requests", query=q).json()

    def state(self):
        return self.request("GET", "/_sim/state").json()


def run(cmd, input=None, env=None, timeout=120, check=False):
    """Runs a binary from the build dir (wrapped), returns CompletedProcess."""
    if isinstance(cmd, str):
        cmd = shlex.split(cmd)
    if not os.path.isabs(cmd[0]):
        cmd = [binary(cmd[0])] + cmd[1:]
    p = subprocess.run(WRAP + cmd, input=input, capture_output=True, env=env,
                       timeout=timeout * SLOW)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} failed {p.returncode}: {p.stderr.decode()}")
    return p


def pg_server_dsn():
    """The PostgreSQL test server's DSN (ZF_TEST_PG_DSN, or the one ctest's
    fixture wrote to $ZF_TEST_PG_DIR/dsn), or None."""
    dsn = os.environ.get("ZF_TEST_PG_DSN")
    if dsn:
        return dsn
    d = os.environ.get("ZF_TEST_PG_DIR")
    if d and os.path.exists(os.path.join(d, "dsn")):
        with open(os.path.join(d, "dsn")) as f:
            return f.read().strip()
    return None


def psql_path():
    for p in ("/usr/lib/postgresql/15/bin/psql", shutil.which("psql")):
        if p and os.path.exists(p):
            return p
    return None


def pg_sql(dsn, text):
    """Runs text on dsn with psql; the first column of each row."""
    p = subprocess.run([psql_path(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
                        dsn, "-c", text], capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"{text}: {p.stderr.decode()}")
    return p.stdout.decode().split("\n")[:-1]


def pg_with_schema(dsn, schema):
    """dsn (a URI) with schema first in its search_path. Under valgrind a
    longer connect_timeout than the store's 10 s: a loaded 2-core machine
    running valgrind-slowed clients timed the connect out (test_runs_claim.pg)."""
    dsn = dsn + ("&" if "?" in dsn else "?") + "options=-csearch_path%3D" + schema
    return dsn + "&connect_timeout=60" if VALGRIND else dsn


class StoreDB:
    """The store one test uses: a SQLite file in dir, or with
    ZF_TEST_DB=postgresql a fresh schema on the test server (the test is
    skipped when there is none). .dsn is for --db; drop() removes the
    schema."""
    seq = 0

    def __init__(self, dir):
        self.schema = None
        if os.environ.get("ZF_TEST_DB", "sqlite") != "postgresql":
            self.dsn = "sqlite:" + os.path.join(dir, "zf.db")
            return
        self.base = pg_server_dsn()
        if not self.base or not psql_path():
            raise unittest.SkipTest("ZF_TEST_DB=postgresql but no PostgreSQL test server "
                                    "(ctest starts one when PostgreSQL 15 is installed)")
        StoreDB.seq += 1
        self.schema = f"zi_{os.getpid()}_{StoreDB.seq}"
        pg_sql(self.base, f"CREATE SCHEMA {self.schema}")
        self.dsn = pg_with_schema(self.base, self.schema)

    def drop(self):
        if self.schema:
            pg_sql(self.base, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            self.schema = None


def heavy(fn):
    """Marks a test too heavy for valgrind runs (load, many processes)."""
    return unittest.skipIf(VALGRIND, "heavy test, skipped under valgrind")(fn)


def spread(items, n):
    """All of items, or under valgrind (where each process costs seconds) n
    of them spread over the list, first and last included: for loops whose
    rounds run the same C code on different table rows."""
    items = list(items)
    if not VALGRIND or len(items) <= n:
        return items
    if n <= 1:
        return items[:1]
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


def stop_clean(sim):
    """Stops zoomsim and fails on a non-zero exit (sanitizer reports, leaks)."""
    rc = sim.stop()
    if rc != 0:
        raise AssertionError(f"zoomsim exited {rc}: {sim.stderr()[-3000:]}")


class SimCase(unittest.TestCase):
    """One zoomsim (started with sim_args) for the class, reset before each
    test; its exit status must be 0 at the end, so sanitizer and valgrind
    findings inside zoomsim fail the class."""

    sim_args = ()

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(*cls.sim_args)

    @classmethod
    def tearDownClass(cls):
        stop_clean(cls.sim)

    def setUp(self):
        self.sim.reset()


class SimDataCase(SimCase):
    """SimCase with rate limits off (they have their own tests; these send
    bursts) and a fresh token with every scope; self.req() sends with it."""

    def setUp(self):
        super().setUp()
        self.sim.limits(enabled=False)
        self.tok = self.sim.token()

    def req(self, method, path, **kw):
        kw.setdefault("token", self.tok)
        return self.sim.request(method, path, **kw)


class PathProxy:
    """A tiny HTTP proxy on a free loopback port in front of `upstream` (a
    Sim): a request for a path in `paths` (e.g. {"/custom/token":
    "/oauth/token"}) is forwarded to the mapped path, query kept, headers
    (Authorization included) and body as they came, and the answer returned
    as it is (redirects are not followed); anything else gets 404. `hold`
    (seconds) delays the answer after the upstream has processed the
    request (a slow network on the way back); `forwarded` is set each time
    one has been. `seen` lists every request as it arrived: {"method",
    "path" (with the query), "headers" (a list of (name, value)), "body"}.
    Use as a context manager or call stop()."""

    def __init__(self, upstream, paths, hold=0.0):
        import http.server
        import threading
        proxy = self
        self.paths, self.hold, self.count, self.seen = dict(paths), hold, 0, []
        self.forwarded = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def relay(self):
                path, _, query = self.path.partition("?")
                target = proxy.paths.get(path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.seen.append({"method": self.command, "path": self.path,
                                   "headers": list(self.headers.items()), "body": body})
                if target is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                skip = {"host", "content-length", "connection"}
                hdrs = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                c = http.client.HTTPConnection("127.0.0.1", upstream.port, timeout=30 * SLOW)
                c.request(self.command, target + ("?" + query if query else ""),
                          body=body or None, headers=hdrs)
                r = c.getresponse()
                data = r.read()
                c.close()
                proxy.count += 1
                proxy.forwarded.set()
                if proxy.hold:
                    time.sleep(proxy.hold)
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding",
                                         "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = relay

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a held answer does not delay stop()
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
