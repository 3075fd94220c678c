"""`tock serve` as a validator: GET /validate, [[trust]], remote JWKS cache (server.md)."""
import http.server
import json
import os
import threading
import time
import unittest

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"
PARTNER = "https://login.partner.example"
REMOTE = "https://remote.partner.example"


class Upstream:
    """A JWKS server of the test's own: counts fetches, can go down."""

    def __init__(self, port, jwks):
        self.jwks = jwks
        self.fetches = 0
        self.down = False
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                upstream.fetches += 1
                if upstream.down:
                    self.send_response(500)
                    self.end_headers()
                    return
                body = upstream.jwks.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "max-age=3600")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class ValidateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(18420)
        tmp = cls.server.tmp
        cls.partner_key, _ = sl.make_key(tmp, "partner")
        cls.remote_key, remote_jwks = sl.make_key(tmp, "remote")
        cls.rotated_key, rotated_jwks = sl.make_key(tmp, "rotated")
        with open(remote_jwks) as f:
            cls.remote_jwks = f.read()
        with open(rotated_jwks) as f:
            cls.both_jwks = json.dumps({"keys": json.loads(cls.remote_jwks)["keys"] + json.loads(f.read())["keys"]})
        cls.upstream = Upstream(sl.free_port(18430), cls.remote_jwks)
        upstream_url = "http://127.0.0.1:%d/jwks.json" % cls.upstream.httpd.server_address[1]
        with open(cls.server.config_path, "a") as f:
            f.write(f'''
[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read", "write"]
audiences = ["{AUD}", "https://b.example.com"]

[[trust]]
issuer = "{PARTNER}"
jwks_file = "partner.jwks.json"
audiences = ["{AUD}"]
skew = "30s"

[[trust]]
issuer = "{REMOTE}"
jwks_uri = "{upstream_url}"
audiences = ["{AUD}"]
cooldown = "2s"
''')
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.upstream.close()

    def own_token(self, **fields):
        res = self.server.token("billing", SECRET, **fields)
        self.assertEqual(res.status, 200, res.body)
        return res.json()["access_token"]

    def partner_token(self, *args):
        return sl.sign(self.partner_key, "--iss", PARTNER, "--sub", "svc", "--aud", AUD, *args)

    def test_own_token_is_accepted_with_auth_headers(self):
        token = self.own_token(scope="read")
        _, claims = sl.token_parts(token)
        res = self.server.validate(token)
        self.assertEqual(res.status, 204, res.body)
        self.assertEqual(res.header("X-Auth-Subject"), "billing")
        self.assertEqual(res.header("X-Auth-Issuer"), self.server.url)
        self.assertEqual(res.header("X-Auth-Scope"), "read")
        self.assertEqual(res.header("X-Auth-Expires"), str(claims["exp"]))

    def test_no_authorization_is_401_with_bare_challenge(self):
        res = self.server.get("/validate")
        self.assertEqual(res.status, 401)
        self.assertEqual(res.header("WWW-Authenticate"), "Bearer")
        body = res.json()
        self.assertFalse(body["valid"])
        self.assertEqual(body["error"]["code"], "malformed")

    def test_garbage_token_is_401_invalid_token_malformed(self):
        res = self.server.validate("not-a-token")
        self.assertEqual(res.status, 401)
        self.assertTrue(res.header("WWW-Authenticate").startswith('Bearer error="invalid_token", error_description="'))
        self.assertEqual(res.json()["error"]["code"], "malformed")
        self.assertEqual(res.json()["problems"][0]["code"], "malformed")

    def test_untrusted_issuer_is_iss_mismatch(self):
        token = sl.sign(self.partner_key, "--iss", "https://stranger.example", "--aud", AUD)
        res = self.server.validate(token)
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"]["code"], "iss_mismatch")

    def test_token_without_iss_is_missing_claim_iss(self):
        token = sl.sign(self.partner_key, "--aud", AUD)
        res = self.server.validate(token)
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"]["code"], "missing_claim")
        self.assertEqual(res.json()["error"]["claim"], "iss")

    def test_trusted_partner_token_is_accepted(self):
        res = self.server.validate(self.partner_token())
        self.assertEqual(res.status, 204, res.body)
        self.assertEqual(res.header("X-Auth-Issuer"), PARTNER)
        self.assertEqual(res.header("X-Auth-Scope"), "")

    def test_expired_partner_token_reports_times(self):
        token = self.partner_token("--now", "2020-01-01T00:00:00Z")
        res = self.server.validate(token)
        self.assertEqual(res.status, 401)
        err = res.json()["error"]
        self.assertEqual(err["code"], "expired")
        self.assertEqual(err["skew_s"], 30)
        self.assertIn("expired", res.header("WWW-Authenticate"))

    def test_partner_token_signed_by_wrong_key_is_rejected(self):
        token = sl.sign(self.remote_key, "--iss", PARTNER, "--aud", AUD, "--no-kid")
        res = self.server.validate(token)
        self.assertEqual(res.status, 401)
        self.assertIn(res.json()["error"]["code"], ("bad_signature", "key_not_found"))

    def test_location_audience_refuses_token_for_other_audience(self):
        token = self.own_token(audience="https://b.example.com")
        self.assertEqual(self.server.validate(token, "?aud=https%3A%2F%2Fb.example.com").status, 204)
        res = self.server.validate(token, "?aud=https%3A%2F%2Fapi.example.com")
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"]["code"], "aud_mismatch")

    def test_location_scope_refuses_token_lacking_it_with_403(self):
        token = self.own_token(scope="read")
        self.assertEqual(self.server.validate(token, "?scope=read").status, 204)
        res = self.server.validate(token, "?scope=write")
        self.assertEqual(res.status, 403)
        self.assertTrue(res.header("WWW-Authenticate").startswith('Bearer error="insufficient_scope"'))
        self.assertEqual(res.json()["error"]["code"], "insufficient_scope")

    def test_location_scope_decodes_plus_as_space(self):
        both = self.own_token(scope="read write")
        self.assertEqual(self.server.validate(both, "?scope=read+write").status, 204)
        self.assertEqual(self.server.validate(both, "?scope=read%20w%72ite").status, 204)
        res = self.server.validate(self.own_token(scope="read"), "?scope=read+write")
        self.assertEqual(res.status, 403)
        self.assertEqual(res.json()["error"]["expected"], "read write")

    def test_query_with_bad_percent_escape_is_400_not_an_absent_requirement(self):
        # A location whose ?aud= does not decode must not lose its audience check.
        token = self.own_token(audience="https://b.example.com")
        for query in ("?aud=%zz", "?aud=https%3A%2F%2Fapi.example.com%4", "?scope=read%"):
            res = self.server.validate(token, query)
            self.assertEqual(res.status, 400, query)
            self.assertEqual(res.json(), {
                "error": "invalid_request",
                "error_description": 'the query string has a bad %-escape ("%" must be followed by two hex digits)'})

    def test_error_description_holds_only_rfc6750_characters(self):
        token = sl.sign(self.partner_key, "--iss", 'evil"\\é', "--aud", AUD)
        res = self.server.validate(token)
        self.assertEqual(res.status, 401)
        header = res.header("WWW-Authenticate")
        description = header.split('error_description="', 1)[1][:-1]
        self.assertIn("evil????", description)  # quote, backslash and two UTF-8 bytes
        for ch in description:
            self.assertTrue(0x20 <= ord(ch) <= 0x7E and ch not in '"\\', repr(ch))
        self.assertIn('evil"\\é', res.json()["error"]["message"])  # the body keeps the exact text

    def test_rejections_are_logged_as_json_without_the_token(self):
        token = self.partner_token("--now", "2020-01-01T00:00:00Z")
        self.server.validate(token)
        with open(self.server.log_file) as f:
            text = f.read()
        self.assertNotIn(token, text)
        self.assertNotIn(token.split(".")[2], text)
        lines = [l for l in self.server.log_lines() if l.get("event") == "token_rejected" and l.get("code") == "expired"]
        self.assertTrue(lines)
        line = lines[-1]
        for field in ("ts", "level", "message", "endpoint", "remote", "iss", "sub", "exp", "iat", "nbf", "now"):
            self.assertIn(field, line)
        self.assertEqual(line["iss"], PARTNER)

    def test_remote_jwks_is_fetched_and_cached(self):
        before = self.upstream.fetches
        token = sl.sign(self.remote_key, "--iss", REMOTE, "--aud", AUD)
        self.assertEqual(self.server.validate(token).status, 204)
        self.assertEqual(self.server.validate(token).status, 204)
        self.assertLessEqual(self.upstream.fetches - before, 1)

    def test_unknown_kid_refreshes_at_most_once_per_cooldown(self):
        token = sl.sign(self.remote_key, "--iss", REMOTE, "--aud", AUD)
        self.assertEqual(self.server.validate(token).status, 204)
        time.sleep(2.1)  # let any earlier cooldown end
        before = self.upstream.fetches
        unknown = sl.sign(self.remote_key, "--iss", REMOTE, "--aud", AUD, "--kid", "nope")
        for _ in range(3):
            res = self.server.validate(unknown)
            self.assertEqual(res.status, 401)
            self.assertEqual(res.json()["error"]["code"], "key_not_found")
        self.assertEqual(self.upstream.fetches - before, 1)

    def test_rotated_key_is_picked_up_on_unknown_kid(self):
        time.sleep(2.1)
        self.upstream.jwks = self.both_jwks
        try:
            token = sl.sign(self.rotated_key, "--iss", REMOTE, "--aud", AUD)
            self.assertEqual(self.server.validate(token).status, 204)
        finally:
            self.upstream.jwks = self.remote_jwks

    def test_upstream_down_keeps_serving_cached_keys(self):
        token = sl.sign(self.remote_key, "--iss", REMOTE, "--aud", AUD)
        self.assertEqual(self.server.validate(token).status, 204)
        self.upstream.down = True
        try:
            time.sleep(2.1)
            unknown = sl.sign(self.remote_key, "--iss", REMOTE, "--aud", AUD, "--kid", "other")
            self.assertEqual(self.server.validate(unknown).json()["error"]["code"], "key_not_found")
            self.assertEqual(self.server.validate(token).status, 204)
        finally:
            self.upstream.down = False

    def test_skew_histogram_counts_each_token_once(self):
        token = sl.sign(self.partner_key, "--iss", PARTNER, "--aud", AUD, "--iat-backdate", "3s")
        for _ in range(3):
            self.assertEqual(self.server.validate(token).status, 204)
        text = self.server.get("/metrics").body
        count = [l for l in text.splitlines()
                 if l.startswith('tock_observed_issuer_skew_seconds_count{issuer="%s"}' % PARTNER)]
        self.assertEqual(len(count), 1)
        before = int(count[0].split()[-1])
        self.assertGreaterEqual(before, 1)
        self.server.validate(token)
        text = self.server.get("/metrics").body
        self.assertIn('tock_observed_issuer_skew_seconds_count{issuer="%s"} %d' % (PARTNER, before), text)
        self.assertIn('tock_validations_total{issuer="%s",result="accepted",code="ok"}' % PARTNER, text)


class UnreachableJwksTest(unittest.TestCase):
    def test_never_fetched_jwks_is_503_network_error_with_retry_after(self):
        server = sl.Server(18440, f'''
[[trust]]
issuer = "{REMOTE}"
jwks_uri = "http://127.0.0.1:9/jwks.json"
audiences = ["*"]
fetch_timeout = "1s"
''')
        try:
            server.start()
            key, _ = sl.make_key(server.tmp, "k")
            res = server.validate(sl.sign(key, "--iss", REMOTE))
            self.assertEqual(res.status, 503)
            self.assertTrue(res.header("Retry-After"))
            self.assertEqual(res.json()["error"]["code"], "network_error")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
