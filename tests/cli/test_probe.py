"""`tock probe URL` (shared/spec/cli.md) against stdlib fake validators on
loopback ports 19000-19009: the safety limits (429 and 5xx stop it, the
request cap, the rate), the gates, the refused baseline, the request flags
and the usage errors. The fakes read the token's claims without checking the
signature and apply the spec's time rules with their own skew.
tests/probe/ measures real validators."""
import base64
import http.server
import json
import socket
import subprocess
import threading
import time
import unittest

import tockcli

SECRET = tockcli.SECRET.decode()
BLOCK = 19000


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class Fake(http.server.ThreadingHTTPServer):
    """A validator with |skew| whose clock runs |offset| s ahead; |mode|:
    "rules", "refuse" (401 with a challenge), "429" or "503" from request
    |fail_after| + 1 on."""

    daemon_threads = True

    def __init__(self, port, mode="rules", offset=0, skew=0, fail_after=0,
                 bearer_header="Authorization", accepted_status=204):
        super().__init__(("127.0.0.1", port), Handler)
        self.mode, self.offset, self.skew = mode, offset, skew
        self.fail_after = fail_after
        self.bearer_header = bearer_header
        self.accepted_status = accepted_status
        self.requests = []  # (arrival time, method, headers)
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def judge(self, claims):
        now = int(time.time() + self.offset)
        if "exp" in claims and not now < claims["exp"] + self.skew:
            return False
        if "nbf" in claims and now < claims["nbf"] - self.skew:
            return False
        return not ("iat" in claims and claims["iat"] > now + self.skew)

    def stop(self):
        self.shutdown()
        self.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        fake = self.server
        with fake.lock:
            fake.requests.append((time.time(), self.command, dict(self.headers)))
            count = len(fake.requests)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if fake.mode in ("429", "503") and count > fake.fail_after:
            return self.reply(int(fake.mode))
        value = self.headers.get(fake.bearer_header, "")
        token = value[7:] if value.startswith("Bearer ") else ""
        if fake.mode == "refuse" or not token:
            return self.reply(401, {"WWW-Authenticate": 'Bearer error="invalid_token", '
                                                        'error_description="audience mismatch"'})
        if fake.judge(claims_of(token)):
            return self.reply(fake.accepted_status)
        return self.reply(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})

    def reply(self, status, headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = answer


def free_port(offset):
    port = BLOCK + offset
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
    return port


def probe(url, *args, timeout=200):
    proc = subprocess.run([tockcli.TOCK, "probe", url, "--secret", SECRET, *args],
                          capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


class ProbeCommand(unittest.TestCase):
    def start(self, offset, **kwargs):
        fake = Fake(free_port(offset), **kwargs)
        self.addCleanup(fake.stop)
        return fake, f"http://127.0.0.1:{fake.server_address[1]}/api"

    def test_min_skew_gate_fails_on_a_zero_skew_validator_with_exit_1(self):
        fake, url = self.start(0, skew=0)
        code, out, err = probe(url, "--json", "--min-skew", "30s", "--max-offset", "5s")
        self.assertEqual(code, 1, err)
        doc = json.loads(out)
        self.assertLessEqual(abs(doc["offset_s"]), 1)
        self.assertLessEqual(abs(doc["skew_s"]), 1)
        self.assertEqual(doc["requests"], len(fake.requests))
        self.assertIn("--min-skew 30s", err)
        self.assertNotIn("--max-offset", err)

    def test_429_stops_the_probe_with_exit_2_before_the_cap(self):
        fake, url = self.start(1, mode="429", fail_after=3)
        code, out, err = probe(url, "--json")
        self.assertEqual(code, 2, err)
        doc = json.loads(out)
        self.assertEqual(doc["error"]["code"], "probe_error")
        self.assertIn("HTTP 429", doc["error"]["message"])
        self.assertEqual(len(fake.requests), 4)
        self.assertLess(len(fake.requests), 64)

    def test_5xx_stops_the_probe(self):
        fake, url = self.start(2, mode="503", fail_after=0)
        code, out, err = probe(url)
        self.assertEqual(code, 2)
        self.assertIn("HTTP 503", err)
        self.assertEqual(len(fake.requests), 1)

    def test_refused_baseline_is_exit_2_quoting_www_authenticate(self):
        fake, url = self.start(3, mode="refuse")
        code, out, err = probe(url, "--json")
        self.assertEqual(code, 2)
        self.assertIn('WWW-Authenticate: Bearer error="invalid_token", '
                      'error_description="audience mismatch"', err)
        self.assertEqual(json.loads(out)["error"]["code"], "probe_error")
        self.assertLessEqual(len(fake.requests), 2)

    def test_at_max_1h_at_most_56_requests_paced_by_the_rate(self):
        fake, url = self.start(4, skew=3000)
        code, out, err = probe(url, "--json", "--max", "1h")
        self.assertEqual(code, 0, err)
        doc = json.loads(out)
        self.assertLessEqual(doc["requests"], 56)
        self.assertEqual(doc["requests"], len(fake.requests))
        self.assertLessEqual(abs(doc["offset_s"]), 1)
        self.assertLessEqual(abs(doc["skew_s"] - 3000), 1)
        arrivals = [t for t, _, _ in fake.requests]
        gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
        self.assertGreater(min(gaps), 0.09)  # --rate 10 at most

    def test_request_cap_is_exit_2(self):
        fake, url = self.start(5, skew=20)
        code, out, err = probe(url, "--max-requests", "5", "--json")
        self.assertEqual(code, 2)
        self.assertIn("--max-requests 5", json.loads(out)["error"]["message"])
        self.assertEqual(len(fake.requests), 5)

    def test_method_headers_bearer_header_and_accept(self):
        fake, url = self.start(6, skew=120, bearer_header="X-Token", accepted_status=200)
        code, out, err = probe(url, "--method", "POST", "--header", "X-Api-Key: k1",
                               "--bearer-header", "X-Token", "--accept", "200", "--max", "10m",
                               "--json")
        self.assertEqual(code, 0, err)
        self.assertLessEqual(abs(json.loads(out)["skew_s"] - 120), 1)
        for _, method, headers in fake.requests:
            self.assertEqual(method, "POST")
            self.assertEqual(headers.get("X-Api-Key"), "k1")
            self.assertNotIn("Authorization", headers)

    def test_edge_beyond_max_is_exit_2(self):
        fake, url = self.start(7, skew=120)
        code, out, err = probe(url, "--max", "30s", "--json")
        self.assertEqual(code, 2)
        self.assertIn("beyond --max 30s", json.loads(out)["error"]["message"])

    def test_now_is_refused_and_bad_flags_are_usage_errors(self):
        url = f"http://127.0.0.1:{BLOCK + 9}/api"
        for args in (["--now", "1781255830"], ["--accept", "2yy"], ["--rate", "0"],
                     ["--header", "no colon"], ["--max", "0s"]):
            code, out, err = probe(url, "--json", *args)
            self.assertEqual(code, 2, args)
            self.assertEqual(json.loads(out)["error"]["code"], "usage", args)

    def test_nothing_listening_is_network_error(self):
        code, out, _ = probe(f"http://127.0.0.1:{BLOCK + 9}/api", "--json")
        self.assertEqual(code, 2)
        self.assertEqual(json.loads(out)["error"]["code"], "network_error")

    def test_probe_is_in_tock_help(self):
        proc = subprocess.run([tockcli.TOCK, "--help"], capture_output=True, text=True)
        self.assertIn("probe", proc.stdout)


if __name__ == "__main__":
    tockcli.main()
