"""Helpers for the `tock token` tests (shared/spec/cli.md, `tock token`).

Standard library only. The tock binary comes from $TOCK_BIN (set by ctest).
Ports: 19050-19099 (this folder's block). `tock serve` is started with the
helpers of tests/server/serverlib.py.
"""
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import serverlib as sl  # noqa: E402

TOCK = sl.TOCK


def tock(*args, env=None, timeout=60):
    """Runs tock; returns (exit code, stdout, stderr)."""
    proc = subprocess.run([TOCK, *args], capture_output=True, text=True, timeout=timeout,
                          env=env)
    return proc.returncode, proc.stdout, proc.stderr


def issued(server, client):
    """tock_tokens_issued_total{client=...} from the server's /metrics."""
    body = server.get("/metrics").body
    m = re.search(r'^tock_tokens_issued_total\{client="%s"\} (\d+)' % re.escape(client), body, re.M)
    return int(m.group(1)) if m else 0


def serve_has_clock_offset():
    """True when `tock serve` takes --clock-offset (the probe issue's flag)."""
    code, out, err = tock("serve", "--help")
    return "--clock-offset" in out + err


def serve_sends_date(server):
    """True when tock serve's /token answers carry a Date header (issue 11)."""
    res = server.post_form("/token", {"grant_type": "client_credentials"})
    return res.header("date") is not None


CLOCK_WARNING = re.compile(r"warning: the issuer's clock is (\d+)s (ahead of|behind) this machine's")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)
