"""[[trust]] with neither jwks_uri nor jwks_file: the jwks_uri is discovered
from {issuer}/.well-known/openid-configuration (server.md), here of a real
`tock serve` as the upstream issuer."""
import http.server
import json
import threading
import unittest

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"


class DiscoveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.upstream = sl.Server(18530, f'''
[[client]]
id = "billing"
secret = "{SECRET}"
audiences = ["{AUD}"]
''')
        cls.upstream.start()
        # A fake issuer whose discovery document names another issuer.
        cls.liar_port = sl.free_port(18540)
        liar_url = f"http://127.0.0.1:{cls.liar_port}"

        class Liar(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps({"issuer": "https://someone.else", "jwks_uri": liar_url + "/jwks"}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        cls.liar = http.server.ThreadingHTTPServer(("127.0.0.1", cls.liar_port), Liar)
        threading.Thread(target=cls.liar.serve_forever, daemon=True).start()
        cls.server = sl.Server(18535, f'''
[[trust]]
issuer = "{cls.upstream.url}"
audiences = ["{AUD}"]

[[trust]]
issuer = "{liar_url}"
audiences = ["{AUD}"]
fetch_timeout = "2s"
''')
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.upstream.cleanup()
        cls.liar.shutdown()
        cls.liar.server_close()

    def test_token_of_the_discovered_issuer_is_accepted(self):
        res = self.upstream.token("billing", SECRET)
        self.assertEqual(res.status, 200, res.body)
        res = self.server.validate(res.json()["access_token"])
        self.assertEqual(res.status, 204, res.body)
        self.assertEqual(res.header("X-Auth-Issuer"), self.upstream.url)
        self.assertEqual(res.header("X-Auth-Subject"), "billing")

    def test_forged_token_for_the_discovered_issuer_is_rejected(self):
        key, _ = sl.make_key(self.server.tmp, "forger")
        token = sl.sign(key, "--iss", self.upstream.url, "--aud", AUD, "--sub", "billing")
        res = self.server.validate(token)
        self.assertEqual(res.status, 401, res.body)
        self.assertIn(res.json()["error"]["code"], ("key_not_found", "bad_signature"))

    def test_discovery_document_for_another_issuer_gives_no_keys(self):
        key, _ = sl.make_key(self.server.tmp, "liar")
        token = sl.sign(key, "--iss", f"http://127.0.0.1:{self.liar_port}")
        res = self.server.validate(token)
        self.assertEqual(res.status, 503, res.body)
        self.assertEqual(res.json()["error"]["code"], "network_error")
        self.assertIn("https://someone.else", res.json()["error"]["message"])

    def test_plain_http_issuer_off_loopback_is_a_config_error(self):
        config = sl.write(self.server.tmp + "/bad.toml",
                          'data_dir = "data"\n[[trust]]\nissuer = "http://partner.example"\naudiences = ["x"]\n')
        code, _, err = sl.tock("serve", "--config", config)
        self.assertEqual(code, 2)
        self.assertIn("http://partner.example", err)
        self.assertIn("https://", err)


if __name__ == "__main__":
    unittest.main()
