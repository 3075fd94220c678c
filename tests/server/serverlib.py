"""Helpers for the `tock serve` tests (shared/spec/server.md).

Standard library only. Every test starts the real built binary on a loopback
port in 18400-18599 with a temporary data directory and config, and talks
HTTP to it. The binary comes from $TOCK_BIN (set by ctest); $TOCK_SERVE_BIN
may name another binary that has the `serve` command.
"""
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

TOCK = os.environ.get("TOCK_BIN", "")
SERVE = os.environ.get("TOCK_SERVE_BIN", "") or TOCK


def require_binary():
    if not TOCK or not SERVE:
        sys.exit("set TOCK_BIN (and optionally TOCK_SERVE_BIN) to the built tock binary")


def _bindable(port):
    """Whether tock serve could listen on |port|. Probing with SO_REUSEADDR,
    as the server binds, refuses only a port someone listens on, not one a
    closed connection holds in TIME_WAIT (each shutdown leaves one, and a few
    runs in a row would use up a block)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_ports(block, count, size=10):
    """Returns |count| distinct free loopback ports of [block, block + size),
    for servers that are all created before any of them listens."""
    ports = [port for port in range(block, block + size) if _bindable(port)][:count]
    if len(ports) < count:
        raise RuntimeError(f"fewer than {count} free ports in {block}..{block + size - 1}")
    return ports


def free_port(block, size=10):
    """Returns a loopback port of [block, block + size) (a test file's block)
    that tock serve can listen on."""
    return free_ports(block, 1, size)[0]


def stop_process(proc, sig=signal.SIGTERM, timeout=10):
    """Stops |proc| with |sig|, kills it after |timeout| s, closes its pipes;
    returns its exit code."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream and not stream.closed:
            stream.close()
    return proc.returncode


# Two issuer clients many tests share: "billing" with a secret and
# "jwtclient" with private_key_jwt (its keys from make_key(tmp, "jwtclient")).
CLIENT_SECRET = "correct horse battery staple, 32+ bytes long"
CLIENT_AUD = "https://api.example.com"
TWO_CLIENTS = f'''
[[client]]
id = "billing"
secret = "{CLIENT_SECRET}"
scopes = ["read:data", "write:data"]
audiences = ["{CLIENT_AUD}", "https://other.example.com"]

[[client]]
id = "jwtclient"
jwks_file = "jwtclient.jwks.json"
scopes = ["read:data"]
audiences = ["{CLIENT_AUD}"]
'''


def b64u_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def token_parts(token):
    header, payload, _ = token.split(".")
    return json.loads(b64u_decode(header)), json.loads(b64u_decode(payload))


def tock(*args, stdin=None):
    """Runs the tock CLI; returns (exit code, stdout, stderr)."""
    proc = subprocess.run([TOCK, *args], input=stdin, capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def basic(client_id, secret):
    raw = urllib.parse.quote(client_id, safe="") + ":" + urllib.parse.quote(secret, safe="")
    return "Basic " + base64.b64encode(raw.encode()).decode()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body)


class Server:
    """A running `tock serve` with its own data dir and config."""

    def __init__(self, block, config="", extra_args=(), data_dir=None, port=None, ssl_context=None):
        """ssl_context: talk HTTPS with it (the config must set tls_cert and tls_key)."""
        self.tmp = tempfile.mkdtemp(prefix="tock-serve-")
        self.port = port or free_port(block)
        self.ssl_context = ssl_context
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self.port}"
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.log_file = os.path.join(self.tmp, "tock.log")
        self.config_path = os.path.join(self.tmp, "tock.toml")
        with open(self.config_path, "w") as f:
            f.write(f'listen = "127.0.0.1:{self.port}"\n')
            f.write(f'data_dir = "{self.data_dir}"\n')
            f.write(f'log_file = "{self.log_file}"\n')
            f.write(config)
        self.extra_args = list(extra_args)
        self.proc = None
        self.stdout = ""
        self.stderr = ""

    def start(self, ready_status=200):
        """Starts tock serve and waits until /healthz answers |ready_status|
        (503: a server whose replay store is meant to be unavailable)."""
        self.proc = subprocess.Popen([SERVE, "serve", "--config", self.config_path, *self.extra_args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("tock serve exited %d: %s" % (self.proc.returncode, self.proc.stderr.read()))
            try:
                if self.get("/healthz").status == ready_status:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"tock serve did not answer /healthz with {ready_status} within 20s")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and not self.proc.stdout.closed:
            self.stdout = self.proc.stdout.read()
            self.stderr = self.proc.stderr.read()
            self.proc.stdout.close()
            self.proc.stderr.close()
        return self.proc.returncode if self.proc else None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def request(self, method, path, headers=None, body=None, timeout=10):
        if self.ssl_context:
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               context=self.ssl_context)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            res = conn.getresponse()
            data = res.read().decode("utf-8", "replace")
            return Response(res.status, {k.lower(): v for k, v in res.getheaders()}, data)
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers)

    def post_form(self, path, fields, headers=None):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, h, urllib.parse.urlencode(fields))

    def token(self, client_id, secret, **fields):
        fields.setdefault("grant_type", "client_credentials")
        return self.post_form("/token", fields, {"Authorization": basic(client_id, secret)})

    def validate(self, token, query=""):
        return self.get("/validate" + query, {"Authorization": "Bearer " + token})

    def log_lines(self):
        with open(self.log_file) as f:
            return [json.loads(line) for line in f if line.strip()]


def write(path, content):
    with open(path, "w") as f:
        f.write(content)
    return path


def make_key(tmp, name, alg="ES256"):
    """Writes a private key and its public JWKS; returns (key path, jwks path)."""
    key_path = os.path.join(tmp, name + ".pem")
    code, _, err = tock("keygen", "--alg", alg, "--out", key_path)
    if code != 0:
        raise RuntimeError("tock keygen failed: " + err)
    code, out, err = tock("jwks", key_path)
    if code != 0:
        raise RuntimeError("tock jwks failed: " + err)
    return key_path, write(os.path.join(tmp, name + ".jwks.json"), out)


def sign(key_path, *args):
    code, out, err = tock("sign", "--key", key_path, *args)
    if code != 0:
        raise RuntimeError("tock sign failed: " + err)
    return out.strip()


class RedisServer:
    """A throw-away redis-server on a loopback port (no persistence);
    |args| are more redis-server options, e.g. "--requirepass", "pw"."""

    def __init__(self, port, *args):
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server not found: run scripts/install-deps (package redis-server)")
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="tock-redis-")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
