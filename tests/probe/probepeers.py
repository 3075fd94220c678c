"""Helpers for the `tock probe` tests against real validators: tock serve
(tests/server/serverlib.py), node validators (validators.mjs, packages pinned
in this folder's package-lock.json) and nginx auth_request in front of tock
serve. Standard library only; loopback ports 19010-19049 (this folder's
block; tests/cli/test_probe.py has 19000-19009)."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import nginxlib  # noqa: E402
import serverlib as sl  # noqa: E402

ISSUER = "https://partner.example"
AUDIENCE = "https://api.example"
NODE = shutil.which("node")


def trust_config(jwks_path, skew):
    return f'''
[[trust]]
issuer = "{ISSUER}"
jwks_file = "{jwks_path}"
audiences = ["{AUDIENCE}"]
skew = "{skew}"
'''


def start_probe(url, key_path, *args, issuer=ISSUER):
    """Starts `tock probe URL --json` with the test key and claims; returns
    the Popen (stdout/stderr text pipes)."""
    cmd = [sl.TOCK, "probe", url, "--key", key_path, "--iss", issuer, "--aud", AUDIENCE,
           "--json", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_probe(proc, timeout=240):
    """Waits for a probe; returns (exit code, JSON document or None, stderr)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    try:
        doc = json.loads(out) if out.strip() else None
    except ValueError:
        doc = None
    return proc.returncode, doc, err


class NodeValidator:
    """validators.mjs KIND on |port|; stops in stop()."""

    def __init__(self, kind, port, jwks_path, offset_s, tolerance_s=None):
        if not NODE:
            raise RuntimeError("node not found: run scripts/install-deps")
        if not os.path.isdir(os.path.join(HERE, "node_modules", "express-oauth2-jwt-bearer")):
            raise RuntimeError("tests/probe/node_modules is missing: run scripts/install-deps "
                               "(it runs npm ci in tests/probe)")
        args = [NODE, os.path.join(HERE, "validators.mjs"), kind, str(port), jwks_path, ISSUER,
                AUDIENCE, str(offset_s)]
        if tolerance_s is not None:
            args.append(str(tolerance_s))
        self.port = port
        self.proc = subprocess.Popen(args, cwd=HERE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # "listening", or EOF when it failed
        if line.strip() != "listening":
            self.stop()
            raise RuntimeError(f"node validator {kind} did not start: {self.proc.stderr.read()}")

    def stop(self):
        sl.stop_process(self.proc)


def Nginx(prefix, port, tock_port):
    """nginx on |port| with auth_request to tock serve's /validate in front
    of a static /api/index.html (as docs/nginx.md configures it)."""
    return nginxlib.Nginx(prefix, port, tock_port, nginxlib.auth_location("api"), {"api": "ok\n"})
