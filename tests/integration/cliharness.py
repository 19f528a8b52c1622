"""Helpers for CLI tests: an isolated HOME/db/key per test, a fake browser
that follows the authorize redirect like a user clicking Authorize, and a
`zoomflow` runner.

The store is a SQLite file in the CliEnv's directory, or with
ZF_TEST_DB=postgresql a fresh schema on the PostgreSQL test server (as
zfharness.StoreDB; the test skips when there is none), dropped when the
CliEnv is collected or at exit (the integ.*.pg twins in CMakeLists.txt)."""
import os
import re
import sqlite3
import stat
import subprocess
import tempfile
import textwrap
import unittest
import weakref

import zfharness
from zfharness import SLOW, WRAP, binary

# What the twins skip on PostgreSQL: tests of the SQLite file itself.
ON_PG = os.environ.get("ZF_TEST_DB", "sqlite") == "postgresql"

BROWSER_SCRIPT = textwrap.dedent("""\
    #!/usr/bin/env python3
    # Fake browser: GET the authorize URL, follow redirects (to zoomflow's
    # loopback callback). ZF_BROWSER_MODE=tamper changes the state first;
    # =replay delivers the same callback twice; =record saves the callback URL.
    import os, sys, urllib.request, urllib.parse, urllib.error
    url = sys.argv[1]
    mode = os.environ.get("ZF_BROWSER_MODE", "")
    if mode.startswith("deliver:"):
        # replay an old callback (its state and code) to this attempt's listener
        old = urllib.parse.urlsplit(open(mode[8:]).read())
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        new = urllib.parse.urlsplit(q["redirect_uri"][0])
        target = urllib.parse.urlunsplit((new.scheme, new.netloc, new.path, old.query, ""))
        try:
            urllib.request.urlopen(target, timeout=30).read()
        except Exception:
            pass
        sys.exit(0)
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    try:
        r = opener.open(url, timeout=30)
        loc = None
    except urllib.error.HTTPError as e:
        loc = e.headers.get("Location")
    if not loc:
        sys.exit(3)
    if mode == "tamper":
        loc = loc.replace("state=", "state=x")
    rec = os.environ.get("ZF_BROWSER_RECORD")
    if rec:
        open(rec, "w").write(loc)
    for _ in range(2 if mode == "replay" else 1):
        try:
            urllib.request.urlopen(loc, timeout=30).read()
        except Exception:
            pass
""")


class CliEnv:
    def __init__(self, sim, client_id="zoomsim-client", secret="zoomsim-secret"):
        self.dir = tempfile.mkdtemp(prefix="zoomflow-cli-")
        self.sim = sim
        self.secret_file = os.path.join(self.dir, "secret")
        with open(self.secret_file, "w") as f:
            f.write(secret + "\n")
        self.browser = os.path.join(self.dir, "browser")
        with open(self.browser, "w") as f:
            f.write(BROWSER_SCRIPT)
        os.chmod(self.browser, stat.S_IRWXU)
        self.db_path = os.path.join(self.dir, "zoomflow.db")  # SQLite only
        self.store = zfharness.StoreDB(self.dir)  # SkipTest on PG without a server
        if self.store.schema:
            self.db_url = self.store.dsn
            weakref.finalize(self, self.store.drop)
        else:
            self.db_url = "sqlite:" + self.db_path
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.dir,
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_DATA_HOME": os.path.join(self.dir, "data"),
            "ZOOMFLOW_DB": self.db_url,
            "ZOOMFLOW_OAUTH_BASE": sim.url,
            "ZOOMFLOW_CLIENT_ID": client_id,
            "BROWSER": self.browser,
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]

    def run(self, *args, input=None, env=None, timeout=120, cwd=None):
        cmd = WRAP + [binary("zoomflow")] + list(args)
        p = subprocess.run(cmd, input=input, capture_output=True, cwd=cwd,
                           env={**self.env, **(env or {})}, timeout=timeout * SLOW)
        p.out = p.stdout.decode(errors="replace")
        p.err = p.stderr.decode(errors="replace")
        return p

    def run_tty(self, *args, input=None, timeout=120):
        """zoomflow with stderr on a terminal (a pty) and stdout a pipe, as
        a progress bar wants it. The pty is read while the process runs (a
        full pty would block it). Returns (returncode, stdout, stderr bytes)."""
        import pty
        import threading
        master, slave = pty.openpty()
        proc = subprocess.Popen(WRAP + [binary("zoomflow")] + list(args), env=self.env,
                                stdin=subprocess.PIPE if input is not None else None,
                                stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        chunks = []

        def drain():
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the last writer closed
                    return
                if not chunk:
                    return
                chunks.append(chunk)
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            out, _ = proc.communicate(input, timeout=timeout * SLOW)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            reader.join(10)
            os.close(master)
        return proc.returncode, out, b"".join(chunks)

    def connect(self, *extra, **kw):
        return self.run("connect", "--client-secret-file", self.secret_file, *extra, **kw)

    def pg_dump(self):
        """The schema's rows as pg_dump prints them (COPY text; bytea as \\x
        hex), each bytea value also decoded, so that a search of the result
        finds a secret stored in clear in a text or a bytea column."""
        pg_dump = os.path.join(os.path.dirname(zfharness.psql_path()), "pg_dump")
        p = subprocess.run([pg_dump, "--data-only", "--schema", self.store.schema, "-d",
                            self.store.base], capture_output=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError("pg_dump: " + p.stderr.decode())
        data = p.stdout
        for h in re.findall(rb"\\\\x((?:[0-9a-f]{2})+)", data):
            data += b"\n" + bytes.fromhex(h.decode())
        return data

    def store_exists(self):
        """Whether anything made the store: the SQLite file, or a table in
        the schema."""
        if not self.store.schema:
            return os.path.exists(self.db_path)
        return zfharness.pg_sql(self.store.base, "SELECT count(*) FROM pg_tables WHERE "
                                f"schemaname = '{self.store.schema}'") != ["0"]

    def sql(self, text):
        """Runs one statement on the store (SQL both engines take)."""
        if self.store.schema:
            return zfharness.pg_sql(self.store.dsn, text)
        db = sqlite3.connect(self.db_path)
        try:
            rows = [str(r[0]) for r in db.execute(text)]
            db.commit()
            return rows
        finally:
            db.close()

    def db_bytes(self):
        if self.store.schema:
            return self.pg_dump()
        data = b""
        for suffix in ("", "-wal", "-shm"):
            try:
                data += open(self.db_path + suffix, "rb").read()
            except OSError:
                pass
        return data


class ConnectedTest(unittest.TestCase):
    """A zoomsim (SIM_ARGS) and one CliEnv connected to it for the whole
    class; each test starts without fault rules (and, with NO_LIMITS,
    without rate limits)."""
    SIM_ARGS = ("--auto-approve",)
    NO_LIMITS = False

    @classmethod
    def setUpClass(cls):
        cls.sim = zfharness.Sim(*cls.SIM_ARGS)
        try:
            cls.cli = CliEnv(cls.sim)
            p = cls.cli.connect()
            assert p.returncode == 0, p.err
        except BaseException:
            zfharness.stop_clean(cls.sim)
            raise

    @classmethod
    def tearDownClass(cls):
        zfharness.stop_clean(cls.sim)

    def setUp(self):
        self.sim.request("DELETE", "/_sim/faults")
        if self.NO_LIMITS:
            self.sim.limits(enabled=False)

    def write(self, name, text):
        """text in a file in the CLI's directory; its path."""
        path = os.path.join(self.cli.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def app_cli(self, name, scopes):
        """A CliEnv for a new OAuth app at zoomsim (NAME-app) that grants
        only scopes, and the result of connecting it: (cli, process)."""
        app = {"client_id": f"{name}-app", "client_secret": f"{name}-secret", "type": "oauth",
               "redirect_uris": ["http://127.0.0.1:*/callback"], "scopes": list(scopes)}
        r = self.sim.request("POST", "/_sim/apps", body=app)
        self.assertEqual(r.status, 201, r)
        cli = CliEnv(self.sim, client_id=app["client_id"], secret=app["client_secret"])
        return cli, cli.connect()

    def meeting(self):
        """The id of a new meeting at zoomsim, registration on."""
        r = self.sim.request("POST", "/_sim/seed/meetings",
                             body={"count": 1, "registration": True})
        self.assertEqual(r.status, 201, r)
        return r.json()["meeting_ids"][0]
