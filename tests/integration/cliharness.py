"""Helpers for CLI tests: an isolated HOME/db/key per test, a fake browser
that follows the authorize redirect like a user clicking Authorize, and a
`zoomflow` runner."""
import os
import stat
import subprocess
import tempfile
import textwrap

from zfharness import SLOW, WRAP, binary

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
        self.db_path = os.path.join(self.dir, "zoomflow.db")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.dir,
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_DATA_HOME": os.path.join(self.dir, "data"),
            "ZOOMFLOW_DB": "sqlite:" + self.db_path,
            "ZOOMFLOW_OAUTH_BASE": sim.url,
            "ZOOMFLOW_CLIENT_ID": client_id,
            "BROWSER": self.browser,
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]

    def run(self, *args, input=None, env=None, timeout=120, cwd=None):
        cmd = WRAP + [binary("zoomflow")] + list(args)
        p = subprocess.run(cmd, input=input, capture_output=True, cwd=cwd,
                           env={**self.env, **(env or {})}, timeout=timeout * SLOW)
        p.out = p.stdout.decode(errors="replace")
        p.err = p.stderr.decode(errors="replace")
        return p

    def connect(self, *extra, **kw):
        return self.run("connect", "--client-secret-file", self.secret_file, *extra, **kw)

    def db_bytes(self):
        data = b""
        for suffix in ("", "-wal", "-shm"):
            try:
                data += open(self.db_path + suffix, "rb").read()
            except OSError:
                pass
        return data
