"""Helpers for the `tock audit` tests (shared/spec/cli.md, `tock audit URL`).

Standard library only. Validators run on loopback ports 19100-19149 only:
tock serve 19100-19109, node validators 19110-19129, Python validators
19130-19139, the audit's jku/x5u listener 19140-19144 (test_audit_cli) and
19145-19149 (test_audit_validators), so that ctest -j can run both files. Every process and
server a test starts is stopped in tearDown / finally.
"""
import base64
import http.client
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TOCK = os.environ.get("TOCK_BIN", "")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
from serverlib import free_port, stop_process  # noqa: E402,F401 (re-exported)
ISSUER = "https://issuer.test"
AUDIENCE = "https://api.test"
TIME_SCALE = float(os.environ.get("TOCK_TIME_SCALE", "1"))


def require_binary():
    if not TOCK:
        sys.exit("set TOCK_BIN to the built tock binary")


def tock(*args, stdin=None, timeout=120):
    proc = subprocess.run([TOCK, *map(str, args)], input=stdin, capture_output=True, text=True,
                          timeout=timeout * TIME_SCALE)
    return proc.returncode, proc.stdout, proc.stderr


def b64u_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def header_of(token):
    return json.loads(b64u_decode(token.split(".")[0]))


class Keys:
    """An RSA signing key the validators trust: private PEM, SPKI PEM, JWKS."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tock-audit-")
        d = self.dir.name
        self.private = os.path.join(d, "signer.pem")
        self.public = os.path.join(d, "signer.pub.pem")
        self.jwks = os.path.join(d, "jwks.json")
        rc, _, err = tock("keygen", "--alg", "RS256", "--out", self.private)
        assert rc == 0, err
        subprocess.run(["openssl", "pkey", "-in", self.private, "-pubout", "-out", self.public],
                       check=True, capture_output=True)
        rc, out, err = tock("jwks", self.private)
        assert rc == 0, err
        with open(self.jwks, "w") as f:
            f.write(out)

    def sign(self, *extra):
        rc, out, err = tock("sign", "--key", self.private, "--iss", ISSUER, "--aud", AUDIENCE,
                            "--sub", "alice", *extra)
        assert rc == 0, err
        return out.strip()

    def close(self):
        self.dir.cleanup()


def audit(url, *args, timeout=120):
    """Runs `tock audit URL ARGS --json`; returns (exit code, document, stderr)."""
    rc, out, err = tock("audit", url, "--json", *args, timeout=timeout)
    try:
        doc = json.loads(out)
    except ValueError:
        raise AssertionError(f"audit printed no JSON (exit {rc}): {out!r} {err!r}")
    return rc, doc, err


def by_result(doc, result):
    return [(c["class"], c["name"]) for c in doc["cases"] if c["result"] == result]


def findings(doc):
    return [c for c in doc["cases"] if c["result"] in ("accepted", "error", "fetched")]


class PyValidator:
    """A validator in this process: |judge(token)| returns the status. It reads
    header lines up to 1 MiB (http.server's limit is 64 KiB, a 431 before
    |judge| sees the audit's 64 KiB token)."""

    def __init__(self, port, judge):
        http.client._MAXLINE = max(http.client._MAXLINE, 1 << 20)
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                auth = self.headers.get("Authorization", "")
                token = auth[7:] if auth.startswith("Bearer ") else ""
                status = judge(token)
                self.send_response(status)
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Bearer error="invalid_token"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{port}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def fetch_jku(token, timeout=5):
    """What a careless validator does: fetch the URL the token's jku names."""
    try:
        url = header_of(token).get("jku")
    except Exception:
        return
    if isinstance(url, str) and url.startswith("http://127.0.0.1:"):
        try:
            urllib.request.urlopen(url, timeout=timeout).read()
        except Exception:
            pass


class NodeValidator:
    """tests/audit/validators.mjs in MODE on |port|, trusting |public_pem|."""

    def __init__(self, node, mode, port, public_pem):
        self.proc = subprocess.Popen([node, os.path.join(HERE, "validators.mjs"), mode, str(port),
                                      public_pem], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=HERE)
        line = self.proc.stdout.readline()
        if not line.startswith("listening"):
            self.close()
            raise AssertionError(f"{mode} validator did not start: {line!r} "
                                 f"{self.proc.stderr.read()!r}")
        self.url = f"http://127.0.0.1:{port}/api"

    def close(self):
        stop_process(self.proc)


def wait_for_http(url, timeout=20):
    deadline = time.monotonic() + timeout * TIME_SCALE
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout}s")
