"""Runs `prism proxy` (the pinned @stoplight/prism-cli in node_modules) in
front of an upstream and reads the violations Prism reports. Standard
library only.

How Prism 5.14.2's proxy reports problems (read from its source,
prism-http-server/dist/server.js and prism-core/dist/factory.js):
  * every request/response violation it finds, of any severity, goes into
    the `sl-violations` response header as a JSON array of
    {location: ["request"|"response", ...], severity, code?, message};
    when the JSON is longer than ~8 KB the header is cut and starts with
    "Too many violations!";
  * with --errors, a request violation stops the request before it reaches
    the upstream (422/401 problem+json from Prism) and an error-severity
    response violation replaces the answer with a 422. Warnings (e.g. a
    status code the spec does not declare, or a path the spec lacks) never
    fail a request, even with --errors.
We run without --errors and judge the header ourselves: that forwards the
deliberately invalid requests (so zoomsim's own 400/300 answers are checked
too) and treats warnings as failures unless a test names them.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("ZF_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..")))
PRISM = os.path.join(SOURCE_DIR, "node_modules", ".bin", "prism")
SPEC = os.path.join(HERE, "zoom-openapi-trimmed.json")
START_TIMEOUT = float(os.environ.get("ZF_PRISM_START_TIMEOUT", "60"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrismError(RuntimeError):
    pass


class Prism:
    """`prism proxy SPEC UPSTREAM` on a free loopback port. Requests sent to
    http://127.0.0.1:PORT/users go to UPSTREAM/users, so with an upstream of
    http://127.0.0.1:SIM/v2 the spec's paths (/users, no /v2) line up with
    zoomsim's."""

    def __init__(self, upstream, spec=SPEC, attempts=3):
        if not os.access(PRISM, os.X_OK):
            raise PrismError(f"{PRISM} not found: run scripts/install-deps --test "
                             f"(it runs `npm ci` from package-lock.json), or set "
                             f"ZF_SKIP_CONTRACT=1 to skip the contract tests")
        self.proc = None
        self.log_path = None
        last = ""
        for _ in range(attempts):
            self.port = free_port()
            if self._start(spec, upstream):
                return
            last = self.log()
        raise PrismError(f"prism proxy did not start ({attempts} tries):\n{last[-3000:]}")

    def _start(self, spec, upstream):
        fd, self.log_path = tempfile.mkstemp(prefix="prism-", suffix=".log")
        log = os.fdopen(fd, "w")
        self.proc = subprocess.Popen(
            [PRISM, "proxy", "-h", "127.0.0.1", "-p", str(self.port), spec, upstream],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False  # e.g. EADDRINUSE: another process took the port
            if "Prism is listening on" in self.log():
                return True
            time.sleep(0.05)
        self.stop()
        raise PrismError(f"prism proxy not ready after {START_TIMEOUT:.0f} s:\n{self.log()[-3000:]}")

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)
            self.log_path = None

    def request(self, method, path, body=None, token=None):
        """One exchange through Prism: (status, headers dict lower-cased,
        parsed JSON body or None, violations list)."""
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            # Prism re-serializes JSON bodies with JSON.stringify and keeps our
            # Content-Length, so send compact ASCII JSON that round-trips.
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=True).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = "Bearer " + token
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                     headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, hdrs, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        h = {k.lower(): v for k, v in hdrs.items()}
        parsed = json.loads(raw) if raw.strip() else None
        return status, h, parsed, violations(h)


def violations(headers):
    """The violations Prism reported for one exchange ([] when none)."""
    v = headers.get("sl-violations")
    if not v:
        return []
    if v.startswith("Too many violations!"):
        raise AssertionError("Prism reported more violations than fit in a header: " + v[:2000])
    return json.loads(v)


def describe(v):
    return f"{'.'.join(v.get('location', []))} [{v.get('severity')}] " \
           f"{v.get('code', '')}: {v.get('message')}"
