#!/usr/bin/env python3
"""First run of `tock serve` (docs/server.md, "First run").

Started with neither --config nor --issuer on a loopback address, `tock serve`
has a client `demo` whose secret it creates once in DATA/demo-client.secret
(0600), and its banner prints two shell lines that get a token and validate
it. These tests start it as a newcomer would, in a fresh folder, read the
banner, and run its lines as printed through `sh -c`. Ports: 19150-19199
(and port 0, the system's choice).
"""
import os
import queue
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import unittest

import serverlib
from serverlib import SERVE, free_port, token_parts

BLOCK = 19150
SCALE = float(os.environ.get("TOCK_TIME_SCALE", "1"))
SECRET_NAME = "demo-client.secret"


def non_loopback_ipv4():
    """A local address that is not loopback (no packet is sent: a UDP
    connect only picks the route), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


class Banner:
    """A `tock serve` started in |cwd| whose stdout is read line by line."""

    def __init__(self, cwd, *args):
        self.cwd = cwd
        self.stderr_path = os.path.join(cwd, "serve.stderr")
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([SERVE, "serve", *args], cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True)
        self.lines = []
        self._queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern, timeout=30):
        """Returns the first banner line matching |pattern|, or None when the
        server exits or the banner ends without it."""
        deadline = time.time() + timeout * SCALE
        for line in self.lines:
            if re.search(pattern, line):
                return line
        while time.time() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                return None
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        return None

    def listening_url(self):
        line = self.wait_for(r"^tock serve: listening on ")
        if line is None:
            raise AssertionError("no banner; stderr: " + self.read_stderr())
        return re.search(r"listening on (\S+)", line).group(1)

    def banner_complete(self):
        """Waits for the endpoint list's last line."""
        return self.wait_for(r"^\s+metrics\s+curl ") is not None

    def demo_block(self):
        """The banner's shell lines from `TOKEN=` to the /validate line."""
        if self.wait_for(r"/validate\?aud=") is None:
            raise AssertionError("no demo lines in the banner:\n" + "\n".join(self.lines))
        start = next(i for i, line in enumerate(self.lines) if line.startswith("TOKEN="))
        end = next(i for i, line in enumerate(self.lines) if "/validate?aud=" in line)
        return self.lines[start:end + 1]

    def read_stderr(self):
        self.stderr.flush()
        with open(self.stderr_path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15 * SCALE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.stderr.close()
        return self.proc.returncode


class FirstRunTest(unittest.TestCase):
    def setUp(self):
        if shutil.which("curl") is None or shutil.which("sed") is None:
            self.skipTest("the banner's lines need curl and sed")
        self.cwd = tempfile.mkdtemp(prefix="tock-first-run-")
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.cwd, ignore_errors=True)

    def start(self, *args):
        server = Banner(self.cwd, *args)
        self.servers.append(server)
        return server

    def secret_path(self):
        return os.path.join(self.cwd, "tock-data", SECRET_NAME)

    def run_lines(self, block):
        """Runs the banner's lines as printed in one `sh -c`, then prints
        $TOKEN so that the test can read what the first line set."""
        script = "\n".join(block) + '\necho "token-was:$TOKEN"\n'
        proc = subprocess.run(["sh", "-c", script], cwd=self.cwd, capture_output=True, text=True,
                              timeout=60 * SCALE)
        return proc

    def request_statuses(self, server, path):
        found = re.findall(r'"path":"%s","status":(\d+)' % re.escape(path), server.read_stderr())
        return [int(s) for s in found]

    def check_lines_work(self, server):
        url = server.listening_url()
        port = int(url.rsplit(":", 1)[1])
        self.assertNotEqual(port, 0, "the banner must name the port actually bound")
        block = server.demo_block()
        self.assertEqual(len(block), 2, block)
        secret = os.path.realpath(self.secret_path())
        self.assertIn(secret, block[0], "the /token line names the absolute secret path")
        self.assertIn(f"{url}/token", block[0])
        aud = f"{url}/api".replace("[", "%5B").replace("]", "%5D")
        self.assertIn(f"{url}/validate?aud={aud}", block[1])
        self.assertNotIn("jq", "\n".join(block))
        proc = self.run_lines(block)
        self.assertIn("HTTP/1.1 204", proc.stdout, proc.stdout + proc.stderr)
        token = re.search(r"token-was:(\S*)", proc.stdout).group(1)
        header, claims = token_parts(token)
        self.assertEqual(header["typ"], "at+jwt")
        self.assertEqual(claims["sub"], "demo")
        self.assertEqual(claims["scope"], "demo")
        self.assertEqual(claims["aud"], f"{url}/api")
        self.assertEqual(claims["iss"], url)
        # The access log (stderr) saw the /token answer 200 and /validate 204.
        deadline = time.time() + 5 * SCALE
        while time.time() < deadline and 204 not in self.request_statuses(server, "/validate"):
            time.sleep(0.05)
        self.assertIn(200, self.request_statuses(server, "/token"))
        self.assertIn(204, self.request_statuses(server, "/validate"))
        return port

    def test_banner_lines_work_verbatim_and_the_secret_is_kept(self):
        server = self.start("--listen", "127.0.0.1:0")
        self.check_lines_work(server)
        with open(self.secret_path(), "rb") as f:
            secret = f.read()
        self.assertRegex(secret.decode("ascii"), r"^[A-Za-z0-9_-]{43}$",
                         "32 random bytes, base64url, no trailing newline")
        self.assertEqual(stat.S_IMODE(os.stat(self.secret_path()).st_mode), 0o600)
        self.assertEqual(server.stop(), 0)
        # A restart keeps the secret, and the new banner's lines work too.
        again = self.start("--listen", "127.0.0.1:0")
        self.check_lines_work(again)
        with open(self.secret_path(), "rb") as f:
            self.assertEqual(f.read(), secret)

    def test_default_listen_address_has_the_demo_client(self):
        # The exact start of scripts/run, but on a port of this file's block.
        port = free_port(BLOCK)
        server = self.start("--listen", f"127.0.0.1:{port}")
        self.assertEqual(self.check_lines_work(server), port)

    def test_ipv6_loopback_lines_work_too(self):
        with socket.socket(socket.AF_INET6) as s:
            try:
                s.bind(("::1", 0))
            except OSError:
                self.skipTest("no IPv6 loopback on this machine")
        # "[::1]" must be quoted for the shell and percent-encoded in ?aud=.
        server = self.start("--listen", "[::1]:0")
        self.check_lines_work(server)

    def test_a_non_loopback_address_has_no_demo_client(self):
        address = non_loopback_ipv4()
        if address is None:
            self.skipTest("no non-loopback IPv4 address on this machine")
        port = free_port(BLOCK + 10)
        server = self.start("--listen", f"{address}:{port}")
        self.assert_no_demo_client(server)

    def assert_no_demo_client(self, server):
        """The banner is printed without the demo lines and no secret file exists."""
        server.listening_url()
        self.assertTrue(server.banner_complete())
        self.assertIsNone(server.wait_for(r"^TOKEN=|First run", timeout=1))
        self.assertFalse(os.path.exists(self.secret_path()))

    def assert_demo_refused(self, port):
        """/token on 127.0.0.1:|port| does not know a client demo."""
        conn = serverlib.Server.__new__(serverlib.Server)
        conn.port, conn.ssl_context = port, None
        self.assertEqual(conn.token("demo", "x" * 43).status, 401)

    def test_a_wildcard_address_has_no_demo_client(self):
        port = free_port(BLOCK + 20)
        server = self.start("--listen", f"0.0.0.0:{port}", "--issuer", f"http://127.0.0.1:{port}")
        self.assert_no_demo_client(server)
        self.assert_demo_refused(port)  # traffic on loopback only

    def test_issuer_flag_has_no_demo_client(self):
        port = free_port(BLOCK + 30)
        server = self.start("--listen", f"127.0.0.1:{port}", "--issuer", f"http://127.0.0.1:{port}")
        self.assert_no_demo_client(server)

    def test_a_config_file_has_no_demo_client(self):
        port = free_port(BLOCK + 40)
        with open(os.path.join(self.cwd, "tock.toml"), "w") as f:
            f.write(f'listen = "127.0.0.1:{port}"\n')
        server = self.start("--config", "tock.toml")
        self.assert_no_demo_client(server)
        self.assert_demo_refused(port)

    def test_a_secret_file_others_can_read_is_refused(self):
        os.makedirs(os.path.join(self.cwd, "tock-data"), mode=0o700)
        with open(self.secret_path(), "w") as f:
            f.write("A" * 43)
        os.chmod(self.secret_path(), 0o644)
        server = self.start("--listen", "127.0.0.1:0")
        self.assertEqual(server.proc.wait(timeout=30 * SCALE), 2)
        self.assertIn("demo-client.secret", server.read_stderr())
        self.assertIn("0600", server.read_stderr())


if __name__ == "__main__":
    serverlib.require_binary()
    unittest.main()
