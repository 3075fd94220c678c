"""`tock serve` HTTP hardening (server.md "Hostile input costs nothing", "Health"):
the Host rule (421), X-Forwarded-For from [limits] trusted_proxies only,
requests_per_connection, the Date header from the server's clock, /livez.
Ports 18900-18919 (TCP) and UDP 18919 (a scripted SNTP server)."""
import email.utils
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import serverlib as sl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clock"))
import clockpeers  # noqa: E402  (tests/clock: the scripted SNTP responder)

SECRET = "correct horse battery staple, 32+ bytes long"
CLIENT = f'''
[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read"]
audiences = ["https://api.example.com"]
'''
IMF_FIXDATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d "
                         r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")
SNTP_PORT = 18919


def raw_request(port, head, body="", timeout=5):
    """Sends |head| (request line and header lines, no final CRLF) and |body|;
    returns (status, raw response text) of the first response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall((head + "\r\n\r\n" + body).encode("latin-1"))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    text = data.decode("latin-1")
    return int(text.split(" ", 2)[1]) if text.startswith("HTTP/") else 0, text


def get_with_host(port, host, path="/healthz"):
    return raw_request(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close")[0]


class HostHeaderTest(unittest.TestCase):
    """Listening on 127.0.0.1 with the issuer https://auth.example.com."""

    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(18900, 'issuer = "https://Auth.Example.com/"\n' + CLIENT).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_loopback_names_and_the_issuer_host_are_served(self):
        port = self.server.port
        for host in ("localhost", f"localhost:{port}", "LocalHost.", "127.0.0.1", f"127.0.0.1:{port}",
                     "127.8.9.10:1", "[::1]", f"[::1]:{port}", "auth.example.com",
                     "AUTH.example.com:443", "auth.example.com:8443"):
            self.assertEqual(get_with_host(port, host), 200, host)

    def test_a_foreign_host_is_421(self):
        port = self.server.port
        for host in ("evil.example", f"evil.example:{port}", "localhost.evil.example",
                     "127.0.0.1.nip.io", "192.168.1.10", "[::2]", "example.com", "auth.example.com.evil"):
            self.assertEqual(get_with_host(port, host), 421, host)

    def test_421_on_every_endpoint_with_a_json_error(self):
        status, text = raw_request(self.server.port,
                                   "POST /token HTTP/1.1\r\nHost: rebound.attacker.example\r\n"
                                   "Authorization: " + sl.basic("billing", SECRET) + "\r\n"
                                   "Content-Type: application/x-www-form-urlencoded\r\n"
                                   "Content-Length: 29\r\nConnection: close",
                                   "grant_type=client_credentials")
        self.assertEqual(status, 421, text)
        self.assertIn('"error":"misdirected_request"', text)
        self.assertEqual(get_with_host(self.server.port, "evil.example", "/.well-known/jwks.json"), 421)

    def test_malformed_or_missing_host_is_400(self):
        port = self.server.port
        for host in ("user@localhost", "localhost:port", "[::1", ""):
            self.assertEqual(get_with_host(port, host), 400, repr(host))
        two = raw_request(port, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: evil.example")[0]
        self.assertEqual(two, 400)
        self.assertEqual(raw_request(port, "GET /healthz HTTP/1.1\r\nConnection: close")[0], 400)
        # HTTP/1.0 may omit Host (a browser never does).
        self.assertEqual(raw_request(port, "GET /healthz HTTP/1.0")[0], 200)


class ForwardedForTest(unittest.TestCase):
    """The test client is 127.0.0.1: a trusted proxy only when the config says so."""

    XFF = "198.51.100.23, 203.0.113.7, 127.0.0.9"

    def start(self, limits):
        server = sl.Server(18900, CLIENT + "[limits]\ntoken_rate = 0.01\n" + limits)
        self.addCleanup(server.cleanup)
        return server.start()

    def remotes(self, server, path):
        return [l["remote"] for l in server.log_lines() if l.get("event") == "request" and l["path"] == path]

    def test_trusted_proxy_gives_the_last_untrusted_forwarded_address(self):
        server = self.start('trusted_proxies = ["127.0.0.0/8", "203.0.113.0/24"]\n')
        server.get("/healthz?a", {"X-Forwarded-For": self.XFF})
        server.get("/livez", {"X-Forwarded-For": "garbage, 127.0.0.3"})
        server.get("/metrics")
        time.sleep(0.3)  # the access log is written after the response
        # assertIn: the start-up probes' /healthz lines may land after ours
        # (each is written when its response is sent, on either I/O thread).
        self.assertIn("198.51.100.23", self.remotes(server, "/healthz"))
        # An element that is no address ends the walk at the last trusted hop.
        self.assertEqual(self.remotes(server, "/livez"), ["127.0.0.3"])
        self.assertEqual(self.remotes(server, "/metrics"), ["127.0.0.1"])

    def test_forwarded_for_from_an_untrusted_peer_is_ignored(self):
        server = self.start('trusted_proxies = ["10.0.0.0/8", "::1"]\n')
        server.get("/healthz", {"X-Forwarded-For": "198.51.100.23"})
        time.sleep(0.3)
        self.assertEqual(set(self.remotes(server, "/healthz")), {"127.0.0.1"})

    def bad_token(self, server, forwarded):
        """A /token request with a failed client authentication: charged to the
        address (each time another unknown client, so no client bucket counts)."""
        self.unknown = getattr(self, "unknown", 0) + 1
        return server.post_form("/token", {"grant_type": "client_credentials"},
                                {"Authorization": sl.basic(f"nobody{self.unknown}", "wrong secret"),
                                 "X-Forwarded-For": forwarded}).status

    def test_token_rate_per_address_uses_the_forwarded_address(self):
        trusted = self.start('trusted_proxies = ["127.0.0.1/32"]\n')
        self.assertEqual(self.bad_token(trusted, "198.51.100.1"), 401)
        self.assertEqual(self.bad_token(trusted, "198.51.100.1"), 429)
        self.assertEqual(self.bad_token(trusted, "198.51.100.2"), 401)

    def test_token_rate_without_trusted_proxies_uses_the_peer(self):
        untrusted = self.start("")
        self.assertEqual(self.bad_token(untrusted, "198.51.100.1"), 401)
        self.assertEqual(self.bad_token(untrusted, "198.51.100.2"), 429)

    def test_bad_cidr_is_a_config_error_with_file_and_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = sl.write(os.path.join(tmp, "bad.toml"),
                            '[limits]\ntrusted_proxies = [\n  "10.0.0.0/8",\n  "10.0.0.0/33",\n]\n')
            proc = subprocess.run([sl.SERVE, "serve", "--config", path, "--data-dir",
                                   os.path.join(tmp, "data")], capture_output=True, text=True, timeout=30)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn(path + ':4: ', proc.stderr)
            self.assertIn('"10.0.0.0/33"', proc.stderr)
            path = sl.write(os.path.join(tmp, "bits.toml"), '[limits]\ntrusted_proxies = ["10.1.2.3/8"]\n')
            proc = subprocess.run([sl.SERVE, "serve", "--config", path, "--data-dir",
                                   os.path.join(tmp, "data")], capture_output=True, text=True, timeout=30)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn(path + ':2: ', proc.stderr)
            self.assertIn("10.0.0.0/8", proc.stderr)


class RequestsPerConnectionTest(unittest.TestCase):
    def test_connection_closes_after_requests_per_connection(self):
        server = sl.Server(18900, "[limits]\nrequests_per_connection = 3\n")
        self.addCleanup(server.cleanup)
        server.start()
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            answers = []
            for _ in range(3):
                s.sendall(b"GET /livez HTTP/1.1\r\nHost: localhost\r\n\r\n")
                data = b""
                while not data.endswith(b"ok\n"):
                    chunk = s.recv(65536)
                    self.assertTrue(chunk, "closed early: %r" % data)
                    data += chunk
                answers.append(data.decode("latin-1"))
            self.assertNotIn("Connection: close", answers[0])
            self.assertNotIn("Connection: close", answers[1])
            self.assertIn("Connection: close", answers[2])
            self.assertEqual(s.recv(65536), b"", "the server kept the connection open")


def response_date(res):
    value = res.header("Date")
    if value is None:
        raise AssertionError("no Date header")
    if not IMF_FIXDATE.match(value):
        raise AssertionError("Date is not an IMF-fixdate: " + value)
    return email.utils.parsedate_to_datetime(value).timestamp()


class DateHeaderTest(unittest.TestCase):
    def test_token_and_validate_responses_carry_the_date(self):
        server = sl.Server(18900, CLIENT)
        self.addCleanup(server.cleanup)
        server.start()
        issued = server.token("billing", SECRET)
        self.assertEqual(issued.status, 200)
        refused = server.token("billing", "not the secret")
        self.assertEqual(refused.status, 401)
        accepted = server.validate(issued.json()["access_token"])
        self.assertEqual(accepted.status, 204)
        for res in (issued, refused, accepted, server.validate("garbage"), server.get("/nope")):
            self.assertLess(abs(response_date(res) - time.time()), 5)

    def test_date_follows_the_corrected_clock(self):
        offset = 240  # within the default max_offset (10m), so it is applied
        with SntpResponder(SNTP_PORT, offset):
            server = sl.Server(18900, CLIENT + f'[clock]\nservers = ["127.0.0.1:{SNTP_PORT}"]\n')
            self.addCleanup(server.cleanup)
            server.start()
            # The first measurement runs in the background after listening.
            deadline = time.time() + 15
            while time.time() < deadline and response_date(server.get("/livez")) - time.time() < offset - 10:
                time.sleep(0.2)
            issued = server.token("billing", SECRET)
            self.assertEqual(issued.status, 200)
            iat = sl.token_parts(issued.json()["access_token"])[1]["iat"]
            for res in (issued, server.validate(issued.json()["access_token"])):
                date = response_date(res)
                self.assertLess(abs(date - (time.time() + offset)), 5, res.header("Date"))
                self.assertLess(abs(date - iat), 5)


class SntpResponder(clockpeers.Responder):
    """clockpeers' scripted SNTP server, on a UDP port of this file's block."""

    def __init__(self, port, offset):  # pylint: disable=super-init-not-called
        # Responder.__init__ would bind an ephemeral port; the same fields here.
        self.offset = offset
        self.mode = "time"
        self.requests = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.05)
        self.port = port
        self.server = f"127.0.0.1:{port}"
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)


class LivezTest(unittest.TestCase):
    def test_livez_is_200_while_healthz_is_503_for_a_dead_store(self):
        # Nothing listens on 18918: the Redis replay store is unreachable.
        server = sl.Server(18900, '[replay]\nbackend = "redis"\nurl = "redis://127.0.0.1:18918/0"\n')
        self.addCleanup(server.cleanup)
        server.start(ready_status=503)
        live = server.get("/livez")
        self.assertEqual(live.status, 200)
        self.assertEqual(live.body, "ok\n")
        self.assertEqual(server.get("/healthz").status, 503)
        self.assertEqual(server.request("POST", "/livez").status, 405)


if __name__ == "__main__":
    sl.require_binary()
    unittest.main()
