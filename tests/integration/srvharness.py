"""Helpers for the service tests: `zoomflow serve` started on a free port
(--listen 127.0.0.1:0 --port-file) over a store of its own (SQLite in a
temporary directory, or with ZF_TEST_DB=postgresql a fresh schema on the
test server, as cliharness.CliEnv; the integ.*.pg twins), zoomsim as Zoom,
requests over real HTTP, raw sockets for what http.client will not send,
and the seed tool (tests/tools/zf_access_seed.c) for orgs, accounts and
keys.

    with Serve() as s:
        s.org("acme"); s.account("acme", "a@acme.test", "admin", PW)
        cookie, csrf = s.signin("a@acme.test", PW)
        r = s.request("GET", "/api/v1/keys", cookie=cookie)
"""
import http.client
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import weakref

import zfharness
from zfharness import SLOW, WRAP, binary

ON_PG = os.environ.get("ZF_TEST_DB", "sqlite") == "postgresql"
PW = "correct horse battery staple"


class Serve:
    """A running `zoomflow serve`. Use as a context manager or call stop()."""

    def __init__(self, *args, sim=None, tls=None, env=None, store=None, start=True):
        self.dir = tempfile.mkdtemp(prefix="zoomflow-serve-")
        self.store = store or zfharness.StoreDB(self.dir)
        if self.store.schema and store is None:
            weakref.finalize(self, self.store.drop)
        self.sim = sim
        self.tls = tls
        self.args = list(args)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.dir,
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_DATA_HOME": os.path.join(self.dir, "data"),
            "ZOOMFLOW_MASTER_KEY": secrets.token_hex(32),
            "ZOOMFLOW_DB": self.store.dsn,
        }
        if sim:
            self.env["ZOOMFLOW_OAUTH_BASE"] = sim.url
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]
        self.env.update(env or {})
        self.proc = None
        if start:
            self.start()

    def start(self, *extra):
        self.port_file = os.path.join(self.dir, "port")
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        cmd = WRAP + [binary("zoomflow"), "serve", "--listen", "127.0.0.1:0",
                      "--port-file", self.port_file] + self.args + list(extra)
        if self.tls:
            cmd += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        self.stdout_path = os.path.join(self.dir, "stdout")
        self.stderr_path = os.path.join(self.dir, "stderr")
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=self.env)
        deadline = time.time() + 15 * SLOW
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None:
                raise RuntimeError(f"zoomflow serve exited {self.proc.returncode}: "
                                   + self.stderr())
            if time.time() > deadline:
                self.stop(signal.SIGKILL)
                raise RuntimeError("zoomflow serve did not start: " + self.stderr())
            time.sleep(0.01)
        with open(self.port_file) as f:
            self.url = f.read().strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def stdout(self):
        with open(self.stdout_path) as f:
            return f.read()

    def stderr(self):
        try:
            with open(self.stderr_path) as f:
                return f.read()
        except OSError:
            return ""

    def log_lines(self):
        out = []
        for line in self.stderr().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"raw": line})
        return out

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    # --- seeding through access.h (tests/tools/zf_access_seed.c)
    def seed(self, *args):
        p = subprocess.run([binary("zf_access_seed"), self.store.dsn] + list(args),
                           capture_output=True, env=self.env, timeout=60 * SLOW)
        if p.returncode != 0:
            raise AssertionError(f"seed {args}: {p.stderr.decode()}")
        return p.stdout.decode().strip()

    def org(self, slug):
        return self.seed("org", slug)

    def account(self, org, email, role, password=PW):
        return int(self.seed("account", org, email, role, password))

    def key(self, org, name, role, expires_at=None):
        extra = [str(expires_at)] if expires_at is not None else []
        return self.seed("key", org, name, role, *extra)

    # --- HTTP
    def connection(self, timeout=30):
        if self.tls:
            ctx = ssl._create_unverified_context()
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout * SLOW,
                                               context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SLOW)

    def request(self, method, path, body=None, headers=None, cookie=None, csrf=None, key=None,
                conn=None, ctype="application/json"):
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if body is not None and ctype and "Content-Type" not in h:
            h["Content-Type"] = ctype
        if cookie:
            h["Cookie"] = "zf_session=" + cookie
        if csrf:
            h["X-CSRF-Token"] = csrf
        if key:
            h["Authorization"] = "Bearer " + key
        own = conn is None
        c = conn or self.connection()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return zfharness.Response(r.status, r.getheaders(), r.read().decode("utf-8",
                                                                                "replace"))
        finally:
            if own:
                c.close()

    def signin(self, email, password=PW, org=None):
        body = {"email": email, "password": password}
        if org:
            body["org"] = org
        r = self.request("POST", "/api/v1/session", body)
        if r.status != 200:
            raise AssertionError(f"sign-in of {email}: {r}")
        cookie = None
        for k, v in r.headers:
            if k.lower() == "set-cookie" and v.startswith("zf_session="):
                cookie = v.split(";", 1)[0].split("=", 1)[1]
        return cookie, r.json()["csrf_token"]

    def raw(self, data, timeout=10, read_all=True):
        """Sends bytes on a fresh socket; answers what came back (until the
        server closes or the timeout)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout * SLOW)
        try:
            s.sendall(data)
            out = b""
            while True:
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    break
                if not b:
                    break
                out += b
                if not read_all and b"\r\n\r\n" in out:
                    break
            return out
        finally:
            s.close()


def parse_raw(data):
    """(status, headers dict lowercased, body) of the first answer in data."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def self_signed(dir):
    """A self-signed certificate for 127.0.0.1 made by openssl: (cert, key)."""
    cert, key = os.path.join(dir, "cert.pem"), os.path.join(dir, "key.pem")
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1"], capture_output=True, timeout=60)
    if p.returncode != 0:
        raise unittest.SkipTest("openssl cannot make a certificate: " + p.stderr.decode())
    return cert, key


def store_sql(store, text):
    """Runs one statement on the test's store (SQLite file or PostgreSQL
    schema); the rows, each a list of text columns. For what only time can
    do to a row (an access token past its expiry)."""
    if store.schema:
        return [line.split("|") for line in zfharness.pg_sql(store.dsn, text)]
    import sqlite3
    db = sqlite3.connect(store.dsn.split(":", 1)[1], timeout=30)
    try:
        rows = [[None if v is None else str(v) for v in r] for r in db.execute(text).fetchall()]
        db.commit()
        return rows
    finally:
        db.close()


def store_refuses(store, table, op):
    """Makes the store refuse every `op` (INSERT, UPDATE, DELETE) on table
    with an error, as a full disk or a lost database would, until the
    function returned is called. A trigger, on SQLite and PostgreSQL."""
    name = f"zf_test_refuse_{table}_{op.lower()}"
    if store.schema:
        store_sql(store, f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                         f"$$BEGIN RAISE EXCEPTION 'refused by the test'; END$$; "
                         f"CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH ROW "
                         f"EXECUTE FUNCTION {name}()")
        return lambda: store_sql(store, f"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}()")
    store_sql(store, f"CREATE TRIGGER {name} BEFORE {op} ON {table} "
                     f"BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    return lambda: store_sql(store, f"DROP TRIGGER {name}")


def stop_clean(serve, test):
    """Stops the service and fails the test on a non-zero exit."""
    rc = serve.stop()
    test.assertEqual(rc, 0, f"zoomflow serve exited {rc}: {serve.stderr()[-3000:]}")
