"""`tock serve` HTTP behaviour: limits, keep-alive, shutdown, config errors (server.md)."""
import http.client
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import serverlib as sl


def port_in(block):
    """Kept for the tests that call it: the shared free_port probes like the server binds."""
    return sl.free_port(block)


def raw_exchange(port, data, wait=5):
    """Sends raw bytes and returns what the server answered before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (ConnectionResetError, socket.timeout):
            pass
    return b"".join(chunks).decode("latin-1")


class LimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(18450, '[limits]\nheader_timeout = "1s"\nbody_timeout = "1s"\n',
                               port=port_in(18450)).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_headers_over_16_kib_are_431(self):
        res = self.server.get("/healthz", {"X-Big": "a" * 17000})
        self.assertEqual(res.status, 431)

    def test_body_over_64_kib_is_413(self):
        res = self.server.request("POST", "/token", {"Content-Type": "application/x-www-form-urlencoded"},
                                  "a=" + "b" * 70000)
        self.assertEqual(res.status, 413)

    def test_slow_headers_are_408(self):
        answer = raw_exchange(self.server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        self.assertTrue(answer.startswith("HTTP/1.1 408 "), answer)

    def test_slow_body_is_408(self):
        answer = raw_exchange(self.server.port, b"POST /token HTTP/1.1\r\nHost: x\r\n"
                              b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nab")
        self.assertTrue(answer.startswith("HTTP/1.1 408 "), answer)

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        try:
            for _ in range(3):
                conn.request("GET", "/healthz")
                res = conn.getresponse()
                self.assertEqual(res.status, 200)
                self.assertEqual(res.read(), b"ok\n")
        finally:
            conn.close()

    def test_unknown_path_is_404_and_wrong_method_405(self):
        self.assertEqual(self.server.get("/nope").status, 404)
        res = self.server.request("DELETE", "/token")
        self.assertEqual(res.status, 405)
        self.assertEqual(res.header("Allow"), "POST")

    def test_metrics_are_prometheus_text_with_the_spec_names(self):
        res = self.server.get("/metrics")
        self.assertEqual(res.status, 200)
        self.assertTrue(res.header("Content-Type").startswith("text/plain; version=0.0.4"))
        for name in ("tock_requests_total", "tock_tokens_issued_total", "tock_validations_total",
                     "tock_jwks_refresh_total", "tock_observed_issuer_skew_seconds"):
            self.assertIn("# TYPE " + name + " ", res.body)
        self.assertIn('tock_requests_total{endpoint="/healthz",status="200"}', res.body)

    def test_garbage_request_line_is_400(self):
        answer = raw_exchange(self.server.port, b"BLAH\x01 / HTTP/1.1\r\n\r\n")
        self.assertTrue(answer.startswith("HTTP/1.1 400 "), answer)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_finishes_in_flight_request_and_exits_0(self):
        server = sl.Server(18460, port=port_in(18460)).start()
        s = None
        try:
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            # Headers arrived: the request is in flight; its body comes later.
            # Expect: 100-continue makes the server say when it has read the
            # headers, so the signal surely lands with the request in flight.
            s.sendall(b"POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      b"Expect: 100-continue\r\nContent-Length: 29\r\n\r\n")
            interim = s.recv(65536).decode("latin-1")
            self.assertTrue(interim.startswith("HTTP/1.1 100 "), interim)
            s.sendall(b"grant_type=")
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            self.assertIsNone(server.proc.poll(), "exited with a request in flight")
            # A new connection is no longer accepted.
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
            s.sendall(b"client_credentials")
            answer = s.recv(65536).decode("latin-1")
            answered = time.time()
            self.assertTrue(answer.startswith("HTTP/1.1 401 "), answer)
            self.assertIn("Connection: close", answer)
            # The client keeps its end open: the server's lingering close is
            # bounded (2 s), so the exit does not wait for the 10 s grace.
            self.assertEqual(server.proc.wait(timeout=15), 0)
            self.assertLess(time.time() - answered, 6)
            # Our own server answered (not another one left on the port).
            requests = [(l["path"], l["status"]) for l in server.log_lines() if l["event"] == "request"]
            self.assertIn(("/token", 401), requests)
        finally:
            if s:
                s.close()
            server.cleanup()

    def test_sigterm_during_start_up_exits_0(self):
        server = sl.Server(18460, port=port_in(18460))
        server.proc = subprocess.Popen([sl.SERVE, "serve", "--config", server.config_path],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # The data dir appears while keys and stores are set up, before
            # listening: the signal must be handled (held until the server
            # runs), not kill the process by the default action.
            deadline = time.time() + 20
            while not os.path.exists(server.data_dir) and time.time() < deadline:
                self.assertIsNone(server.proc.poll(), "exited before start-up")
                time.sleep(0.002)
            server.proc.send_signal(signal.SIGTERM)
            self.assertEqual(server.proc.wait(timeout=15), 0)
        finally:
            server.cleanup()

    def test_sigint_with_idle_connections_exits_0_at_once(self):
        server = sl.Server(18460, port=port_in(18460)).start()
        try:
            idle = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            started = time.time()
            server.proc.send_signal(signal.SIGINT)
            self.assertEqual(server.proc.wait(timeout=15), 0)
            self.assertLess(time.time() - started, 5)
            idle.close()
        finally:
            server.cleanup()


class ConfigTest(unittest.TestCase):
    def run_serve(self, config, *args):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.toml")
            with open(path, "w") as f:
                f.write(config)
            proc = subprocess.run([sl.SERVE, "serve", "--config", path, "--data-dir",
                                   os.path.join(tmp, "data"), *args],
                                  capture_output=True, text=True, timeout=30)
            return proc.returncode, proc.stderr.replace(path, "FILE"), os.path.exists(os.path.join(tmp, "data"))

    def test_unknown_key_exits_2_with_file_and_line(self):
        code, err, _ = self.run_serve('listen = "127.0.0.1:18469"\n\n[token]\nttll = "5m"\n')
        self.assertEqual(code, 2)
        self.assertIn('FILE:4: unknown key "ttll" in [token]', err)

    def test_toml_syntax_error_exits_2_with_line(self):
        code, err, _ = self.run_serve('listen = "127.0.0.1:18469"\nissuer = \n')
        self.assertEqual(code, 2)
        self.assertIn("FILE:2: ", err)

    def test_bad_duration_names_the_key(self):
        code, err, _ = self.run_serve('[token]\nttl = "ten minutes"\n')
        self.assertEqual(code, 2)
        self.assertIn('FILE:2: "ttl"', err)

    def test_client_without_audiences_is_an_error(self):
        code, err, data = self.run_serve('[[client]]\nid = "x"\nsecret = "%s"\n' % ("s" * 40))
        self.assertEqual(code, 2)
        self.assertIn('FILE:1: client "x" has no "audiences"', err)
        self.assertFalse(data, "the data dir was created before the config was checked")

    def test_wildcard_listen_without_issuer_is_an_error(self):
        code, err, _ = self.run_serve('listen = "0.0.0.0:18469"\n')
        self.assertEqual(code, 2)
        self.assertIn("FILE:1: listening on the wildcard address 0.0.0.0 needs an explicit", err)

    def test_short_client_secret_is_an_error(self):
        code, err, _ = self.run_serve('[[client]]\nid = "x"\nsecret = "short"\naudiences = ["a"]\n')
        self.assertEqual(code, 2)
        self.assertIn('FILE:3: client "x": "secret" is 5 bytes; at least 32 are required', err)

    def test_issuer_defaults_to_listen_address(self):
        server = sl.Server(18465, port=port_in(18465)).start()
        try:
            self.assertEqual(server.get("/.well-known/openid-configuration").json()["issuer"], server.url)
        finally:
            server.cleanup()

    def test_issuer_flag_overrides_config(self):
        server = sl.Server(18465, extra_args=["--issuer", "https://issuer.example"], port=port_in(18465)).start()
        try:
            self.assertEqual(server.get("/.well-known/openid-configuration").json()["issuer"],
                             "https://issuer.example")
        finally:
            server.cleanup()


class HashSecretTest(unittest.TestCase):
    def test_hash_secret_output_is_accepted_as_secret_hash(self):
        secret = "another secret that is long enough to use"
        code, out, err = sl.tock("hash-secret", stdin=secret + "\n")
        self.assertEqual(code, 0, err)
        digest = out.strip()
        self.assertTrue(digest.startswith("$scrypt$ln=15,r=8,p=1$"), digest)
        code2, out2, _ = sl.tock("hash-secret", stdin=secret)
        self.assertNotEqual(out2.strip(), digest, "two hashes of one secret must differ (salt)")
        server = sl.Server(18465, '[[client]]\nid = "h"\nsecret_hash = \'%s\'\naudiences = ["a"]\n' % digest,
                           port=port_in(18465)).start()
        try:
            self.assertEqual(server.token("h", secret).status, 200)
            self.assertEqual(server.token("h", secret + "!").status, 401)
        finally:
            server.cleanup()

    def test_hash_secret_refuses_short_secret(self):
        code, _, err = sl.tock("hash-secret", stdin="short\n")
        self.assertEqual(code, 2)
        self.assertIn("at least 32", err)


if __name__ == "__main__":
    unittest.main()
