"""`tock serve` over HTTPS (server.md: tls_cert / tls_key enable HTTPS).

A self-signed certificate for 127.0.0.1 is made with the openssl CLI in a
temporary folder; Python's ssl module trusts exactly that certificate.
Port block 18580-18589.
"""
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import unittest

import serverlib as sl

BLOCK = 18580
SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"


def make_cert(folder, name):
    """Writes NAME.crt (self-signed, SAN IP:127.0.0.1) and NAME.key (P-256)."""
    cert, key = os.path.join(folder, name + ".crt"), os.path.join(folder, name + ".key")
    proc = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError("openssl req failed: " + proc.stderr)
    return cert, key


def tls_config(cert, key):
    return f'tls_cert = "{cert}"\ntls_key = "{key}"\n'


class TlsServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        if not shutil.which("openssl"):
            raise RuntimeError("openssl not found: run scripts/install-deps")
        cls.certs = tempfile.mkdtemp(prefix="tock-tls-")
        cls.cert, cls.key = make_cert(cls.certs, "server")
        cls.context = ssl.create_default_context(cafile=cls.cert)
        config = tls_config(cls.cert, cls.key) + f'''
[[client]]
id = "billing"
secret = "{SECRET}"
audiences = ["{AUD}"]
'''
        cls.server = sl.Server(BLOCK, config, ssl_context=cls.context)
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            shutil.rmtree(cls.certs, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.certs, ignore_errors=True)

    def test_healthz_over_https(self):
        res = self.server.get("/healthz")
        self.assertEqual(res.status, 200)
        self.assertEqual(res.body, "ok\n")

    def test_jwks_and_discovery_over_https_name_https_urls(self):
        res = self.server.get("/.well-known/jwks.json")
        self.assertEqual(res.status, 200)
        keys = res.json()["keys"]
        self.assertEqual(len(keys), 1)
        self.assertEqual(keys[0]["use"], "sig")
        self.assertTrue(res.header("Cache-Control").startswith("public, max-age="))
        doc = self.server.get("/.well-known/openid-configuration").json()
        # server.md: the default issuer is https:// + the listen address with TLS.
        self.assertEqual(doc["issuer"], f"https://127.0.0.1:{self.server.port}")
        self.assertEqual(doc["jwks_uri"], f"https://127.0.0.1:{self.server.port}/.well-known/jwks.json")

    def test_token_issued_over_https_validates_over_https(self):
        res = self.server.token("billing", SECRET)
        self.assertEqual(res.status, 200, res.body)
        token = res.json()["access_token"]
        self.assertEqual(sl.token_parts(token)[1]["iss"], f"https://127.0.0.1:{self.server.port}")
        self.assertEqual(self.server.validate(token).status, 204)

    def test_client_that_does_not_trust_the_certificate_fails_the_handshake(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=10,
                                           context=ssl.create_default_context())
        try:
            with self.assertRaises(ssl.SSLCertVerificationError):
                conn.request("GET", "/healthz")
        finally:
            conn.close()

    def test_plain_http_to_the_tls_port_is_closed_and_the_server_stays_up(self):
        for _ in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            try:
                # The server reads a ClientHello, gets "GET /", fails the
                # handshake and closes without an HTTP answer.
                with self.assertRaises((ConnectionError, http.client.HTTPException)):
                    conn.request("GET", "/healthz")
                    conn.getresponse().read()
            finally:
                conn.close()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as raw:
            raw.sendall(b"\x00" * 64 + b"\r\n\r\n")
            raw.settimeout(10)
            data = raw.recv(4096)  # a TLS alert at most, then EOF; never a hang
            self.assertFalse(data.startswith(b"HTTP/"))
        self.assertIsNone(self.server.proc.poll())
        self.assertEqual(self.server.get("/healthz").status, 200)


class TlsStartupErrorTest(unittest.TestCase):
    """Bad TLS files: exit 2 before listening, with the reason (server.md:
    a bad config exits 2 with the file, line and reason)."""

    def setUp(self):
        sl.require_binary()
        self.tmp = tempfile.mkdtemp(prefix="tock-tls-bad-")
        self.cert, self.key = make_cert(self.tmp, "good")
        self.port = sl.free_port(BLOCK + 5)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serve(self, body):
        config = sl.write(os.path.join(self.tmp, "tock.toml"),
                          f'listen = "127.0.0.1:{self.port}"\n'
                          f'data_dir = "{os.path.join(self.tmp, "data")}"\n' + body)
        proc = subprocess.run([sl.SERVE, "serve", "--config", config],
                              capture_output=True, text=True, timeout=60)
        return proc.returncode, proc.stderr, config

    def assertNotListening(self):
        with socket.socket() as s:
            self.assertNotEqual(s.connect_ex(("127.0.0.1", self.port)), 0)

    def test_missing_certificate_file_is_a_config_error_with_its_line(self):
        missing = os.path.join(self.tmp, "missing.crt")
        code, err, config = self.serve(tls_config(missing, self.key))
        self.assertEqual(code, 2, err)
        self.assertEqual(err.strip(),
                         f'{config}:3: "tls_cert": cannot read {missing}: No such file or directory')
        self.assertNotListening()

    def test_missing_key_file_is_a_config_error_with_its_line(self):
        missing = os.path.join(self.tmp, "missing.key")
        code, err, config = self.serve(tls_config(self.cert, missing))
        self.assertEqual(code, 2, err)
        self.assertEqual(err.strip(),
                         f'{config}:4: "tls_key": cannot read {missing}: No such file or directory')

    def test_relative_paths_are_read_from_the_config_folder(self):
        code, err, config = self.serve(tls_config("nothere.crt", self.key))
        self.assertEqual(code, 2, err)
        self.assertIn(f'"tls_cert": cannot read {os.path.join(self.tmp, "nothere.crt")}:', err)

    def test_file_that_is_not_a_certificate_exits_2_naming_it(self):
        garbage = sl.write(os.path.join(self.tmp, "garbage.crt"), "not a certificate\n")
        code, err, _ = self.serve(tls_config(garbage, self.key))
        self.assertEqual(code, 2, err)
        self.assertTrue(err.startswith(f"tock serve: cannot use tls_cert {garbage}: "), err)
        self.assertNotListening()

    def test_key_of_another_certificate_exits_2_naming_the_key(self):
        _, other_key = make_cert(self.tmp, "other")
        code, err, _ = self.serve(tls_config(self.cert, other_key))
        self.assertEqual(code, 2, err)
        self.assertTrue(err.startswith(f"tock serve: cannot use tls_key {other_key}: "), err)
        self.assertIn("mismatch", err)
        self.assertNotListening()

    def test_certificate_without_key_is_a_config_error(self):
        code, err, config = self.serve(f'tls_cert = "{self.cert}"\n')
        self.assertEqual(code, 2, err)
        self.assertEqual(err.strip(), f'{config}:3: "tls_cert" and "tls_key" go together')


if __name__ == "__main__":
    unittest.main()
