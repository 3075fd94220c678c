"""Helpers for the `tock probe` tests against real validators: tock serve
(tests/server/serverlib.py), node validators (validators.mjs, packages pinned
in this folder's package-lock.json) and nginx auth_request in front of tock
serve. Standard library only; loopback ports 19010-19049 (this folder's
block; tests/cli/test_probe.py has 19000-19009)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import serverlib as sl  # noqa: E402

ISSUER = "https://partner.example"
AUDIENCE = "https://api.example"
NODE = shutil.which("node")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


NGINX_CONF = '''worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    upstream tock_validate {{
        server 127.0.0.1:{tock_port};
        keepalive 4;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/html;
        location = /_auth {{
            internal;
            proxy_pass http://tock_validate/validate;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host localhost;  # tock on loopback answers loopback names only
        }}
        location /api/ {{
            auth_request /_auth;
        }}
    }}
}}
'''


class Nginx:
    """nginx on |port| with auth_request to tock serve's /validate in front
    of a static /api/index.html (as docs/nginx.md configures it)."""

    def __init__(self, prefix, port, tock_port):
        if not os.path.exists(NGINX):
            raise RuntimeError("nginx not found: run scripts/install-deps (nginx-light)")
        self.port = port
        os.makedirs(os.path.join(prefix, "tmp"))
        os.makedirs(os.path.join(prefix, "html", "api"))
        sl.write(os.path.join(prefix, "html", "api", "index.html"), "ok\n")
        temp = "".join(f"    {kind}_temp_path {prefix}/tmp/{kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = sl.write(os.path.join(prefix, "nginx.conf"), NGINX_CONF.format(
            temp=temp, tock_port=tock_port, port=port, prefix=prefix))
        self.proc = subprocess.Popen(
            [NGINX, "-p", prefix, "-c", conf, "-e", "stderr", "-g",
             f"daemon off; pid {prefix}/nginx.pid; error_log stderr;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.proc.stderr.read())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if time.time() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()
