"""`tock serve` as an issuer: discovery, JWKS, POST /token (server.md)."""
import base64
import os
import stat
import time
import unittest

import serverlib as sl

SECRET = sl.CLIENT_SECRET
AUD = sl.CLIENT_AUD
UNIFORM = "client authentication failed"


class IssuerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.tmp_keys = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".")
        cls.server = sl.Server(18400)
        cls.client_key, cls.client_jwks = sl.make_key(cls.server.tmp, "jwtclient")
        cls.server_config = sl.TWO_CLIENTS
        with open(cls.server.config_path, "a") as f:
            f.write(cls.server_config)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertion(self, *args, aud=None, ttl="60s"):
        return sl.sign(self.client_key, "--iss", "jwtclient", "--sub", "jwtclient",
                       "--aud", aud or self.server.url, "--ttl", ttl, *args)

    def rejection(self, code):
        """The last /token rejection log line with |code| (waiting up to 5 s
        for a buffered log)."""
        deadline = time.time() + 5
        while True:
            lines = [l for l in self.server.log_lines()
                     if l.get("endpoint") == "/token" and l.get("code") == code]
            if lines or time.time() > deadline:
                self.assertTrue(lines, "no /token rejection logged with code " + code)
                return lines[-1]
            time.sleep(0.05)

    def post_assertion(self, assertion):
        return self.server.post_form("/token", {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion})

    def test_discovery_lists_endpoints_and_methods(self):
        res = self.server.get("/.well-known/openid-configuration")
        self.assertEqual(res.status, 200)
        doc = res.json()
        self.assertEqual(doc["issuer"], self.server.url)
        self.assertEqual(doc["jwks_uri"], self.server.url + "/.well-known/jwks.json")
        self.assertEqual(doc["token_endpoint"], self.server.url + "/token")
        self.assertEqual(doc["token_endpoint_auth_methods_supported"], ["client_secret_basic", "private_key_jwt"])
        self.assertIn("ES256", doc["token_endpoint_auth_signing_alg_values_supported"])
        self.assertNotIn("HS256", doc["token_endpoint_auth_signing_alg_values_supported"])
        self.assertEqual(doc["grant_types_supported"], ["client_credentials"])

    def test_jwks_has_kid_use_alg_and_cache_control(self):
        res = self.server.get("/.well-known/jwks.json")
        self.assertEqual(res.status, 200)
        self.assertEqual(res.header("Cache-Control"), "public, max-age=300")
        keys = res.json()["keys"]
        self.assertEqual(len(keys), 1)
        self.assertEqual(keys[0]["kty"], "EC")
        self.assertEqual(keys[0]["use"], "sig")
        self.assertEqual(keys[0]["alg"], "ES256")
        self.assertTrue(keys[0]["kid"])
        self.assertNotIn("d", keys[0])

    def test_data_dir_is_0700_and_key_files_0600(self):
        self.assertEqual(stat.S_IMODE(os.stat(self.server.data_dir).st_mode), 0o700)
        keys_dir = os.path.join(self.server.data_dir, "keys")
        self.assertEqual(stat.S_IMODE(os.stat(keys_dir).st_mode), 0o700)
        pems = [f for f in os.listdir(keys_dir) if f.endswith(".pem")]
        self.assertEqual(len(pems), 1)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(keys_dir, pems[0])).st_mode), 0o600)

    def test_basic_token_is_rfc9068_access_token(self):
        res = self.server.token("billing", SECRET)
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(res.header("Cache-Control"), "no-store")
        body = res.json()
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 600)
        self.assertEqual(body["scope"], "read:data write:data")  # no scope asked: all of them
        header, claims = sl.token_parts(body["access_token"])
        kid = self.server.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
        self.assertEqual(header, {"alg": "ES256", "typ": "at+jwt", "kid": kid})
        self.assertEqual(claims["iss"], self.server.url)
        self.assertEqual(claims["sub"], "billing")
        self.assertEqual(claims["client_id"], "billing")
        self.assertEqual(claims["aud"], AUD)  # the first audience when none is asked
        self.assertEqual(claims["nbf"], claims["iat"] - 60)
        self.assertEqual(claims["exp"], claims["iat"] + 600)
        self.assertEqual(len(claims["jti"]), 22)

    def test_issued_token_verifies_with_tock_verify_against_our_jwks(self):
        token = self.server.token("billing", SECRET).json()["access_token"]
        code, out, err = sl.tock("verify", "--jwks", self.server.url + "/.well-known/jwks.json",
                                 "--iss", self.server.url, "--aud", AUD, "--typ", "at+jwt", token)
        self.assertEqual(code, 0, out + err)

    def test_requested_scope_and_audience_are_granted(self):
        res = self.server.token("billing", SECRET, scope="read:data", audience="https://other.example.com")
        self.assertEqual(res.status, 200, res.body)
        _, claims = sl.token_parts(res.json()["access_token"])
        self.assertEqual(claims["scope"], "read:data")
        self.assertEqual(claims["aud"], "https://other.example.com")

    def test_unregistered_audience_is_invalid_target(self):
        res = self.server.token("billing", SECRET, audience="https://evil.example.com")
        self.assertEqual(res.status, 400)
        self.assertEqual(res.json()["error"], "invalid_target")
        self.assertIn("https://evil.example.com", res.json()["error_description"])

    def test_unregistered_scope_is_invalid_scope(self):
        res = self.server.token("billing", SECRET, scope="admin")
        self.assertEqual(res.status, 400)
        self.assertEqual(res.json()["error"], "invalid_scope")

    def test_wrong_secret_is_invalid_client_with_basic_challenge(self):
        res = self.server.token("billing", SECRET + "x")
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"], "invalid_client")
        # server.md round 2: one description for every failed client
        # authentication; the cause is in the log.
        self.assertEqual(res.json()["error_description"], UNIFORM)
        self.assertIn("wrong client secret", self.rejection("bad_secret")["message"])
        self.assertEqual(res.header("WWW-Authenticate"), 'Basic realm="tock"')

    def test_secret_sent_without_form_urlencoding_is_accepted(self):
        # curl -u sends "billing:correct horse ..., 32+ bytes" as is: its '+'
        # would form-decode to a space, so the secret as sent is tried too.
        raw = "Basic " + base64.b64encode(f"billing:{SECRET}".encode()).decode()
        res = self.server.post_form("/token", {"grant_type": "client_credentials"},
                                    {"Authorization": raw})
        self.assertEqual(res.status, 200, res.body)

    def test_basic_header_that_is_not_base64_is_invalid_client(self):
        res = self.server.post_form("/token", {"grant_type": "client_credentials"},
                                    {"Authorization": "Basic not base64!"})
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error_description"], UNIFORM)
        self.assertIn("not valid HTTP Basic", self.rejection("malformed")["message"])

    def post_raw_form(self, body, authorization=None):
        return self.server.request("POST", "/token", {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": authorization or sl.basic("billing", SECRET)}, body)

    def test_form_body_decodes_percent_escapes_and_plus_as_space(self):
        res = self.post_raw_form("grant_type=client_credentials&scope=read%3Adata+write%3adata"
                                 "&&audience=https%3A%2F%2Fother.example.com")
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(res.json()["scope"], "read:data write:data")
        _, claims = sl.token_parts(res.json()["access_token"])
        self.assertEqual(claims["aud"], "https://other.example.com")

    def test_form_body_with_bad_percent_escape_is_invalid_request(self):
        for bad in ("scope=%zz", "scope=read%4", "scope=read%", "sc%g0pe=read"):
            res = self.post_raw_form("grant_type=client_credentials&" + bad)
            self.assertEqual(res.status, 400, bad)
            self.assertEqual(res.json()["error"], "invalid_request", bad)
            self.assertEqual(res.json()["error_description"],
                             'the form body has a bad %-escape ("%" must be followed by two hex digits)')

    def test_form_body_with_unencoded_space_is_invalid_request(self):
        res = self.post_raw_form("grant_type=client_credentials&scope=read:data write:data")
        self.assertEqual(res.status, 400)
        self.assertEqual(res.json()["error"], "invalid_request")
        self.assertEqual(res.json()["error_description"],
                         "the form body has a character that must be %-encoded (RFC 3986 section 3.4)")

    def test_basic_credentials_are_form_decoded_with_plus_as_space(self):
        # RFC 6749 section 2.3.1: id and secret are form-urlencoded, so '+' is a space.
        encoded = SECRET.replace("+", "%2B").replace(" ", "+").replace(",", "%2c")
        raw = "Basic " + base64.b64encode(f"bil%6Cing:{encoded}".encode()).decode()
        res = self.post_raw_form("grant_type=client_credentials", raw)
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(sl.token_parts(res.json()["access_token"])[1]["sub"], "billing")

    def test_basic_credentials_with_bad_percent_escape_are_invalid_client(self):
        raw = "Basic " + base64.b64encode(b"billing%zz:secret").decode()
        res = self.post_raw_form("grant_type=client_credentials", raw)
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"], "invalid_client")
        self.assertEqual(res.json()["error_description"], UNIFORM)
        self.assertEqual(self.rejection("malformed")["message"],
                         "the Basic credentials have a bad %-escape")

    def test_unknown_client_is_invalid_client(self):
        res = self.server.token("nobody", SECRET)
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"], "invalid_client")

    def test_unsupported_grant_type(self):
        res = self.server.token("billing", SECRET, grant_type="password")
        self.assertEqual(res.status, 400)
        self.assertEqual(res.json()["error"], "unsupported_grant_type")

    def test_missing_grant_type_is_invalid_request(self):
        res = self.server.post_form("/token", {}, {"Authorization": sl.basic("billing", SECRET)})
        self.assertEqual(res.status, 400)
        self.assertEqual(res.json()["error"], "invalid_request")

    def test_no_client_authentication_is_invalid_client(self):
        res = self.server.post_form("/token", {"grant_type": "client_credentials"})
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"], "invalid_client")

    def test_private_key_jwt_assertion_gets_token(self):
        res = self.post_assertion(self.assertion())
        self.assertEqual(res.status, 200, res.body)
        _, claims = sl.token_parts(res.json()["access_token"])
        self.assertEqual(claims["sub"], "jwtclient")

    def test_replayed_assertion_is_invalid_client_replayed(self):
        assertion = self.assertion()
        self.assertEqual(self.post_assertion(assertion).status, 200)
        res = self.post_assertion(assertion)
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"], "invalid_client")
        self.assertEqual(res.json()["error_description"], UNIFORM)
        self.assertIn("replayed", self.rejection("replayed")["message"])

    def test_assertion_for_token_endpoint_audience_is_refused_by_default(self):
        res = self.post_assertion(self.assertion(aud=self.server.url + "/token"))
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"], "invalid_client")
        self.assertEqual(res.json()["error_description"], UNIFORM)
        self.assertIn('aud "%s/token"' % self.server.url, self.rejection("aud_mismatch")["message"])

    def test_assertion_with_too_long_lifetime_is_refused(self):
        res = self.post_assertion(self.assertion(ttl="1h"))
        self.assertEqual(res.status, 401)
        self.assertIn("lifetime", res.json()["error_description"])

    def test_expired_assertion_is_refused_with_verify_message(self):
        res = self.post_assertion(self.assertion("--now", "2020-01-01T00:00:00Z"))
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"], "invalid_client")
        self.assertIn("expired", res.json()["error_description"])

    def test_assertion_signed_by_another_key_is_bad_signature(self):
        other_key, _ = sl.make_key(self.server.tmp, "intruder")
        assertion = sl.sign(other_key, "--iss", "jwtclient", "--sub", "jwtclient", "--aud",
                            self.server.url, "--ttl", "60s", "--no-kid")
        res = self.post_assertion(assertion)
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error_description"], UNIFORM)
        self.assertIn("signature", self.rejection("bad_signature")["message"])

    def test_issued_tokens_are_logged_without_the_token(self):
        token = self.server.token("billing", SECRET).json()["access_token"]
        _, claims = sl.token_parts(token)
        with open(self.server.log_file) as f:
            text = f.read()
        self.assertNotIn(token.split(".")[2], text)
        issued = [l for l in self.server.log_lines() if l.get("event") == "token_issued" and l.get("jti") == claims["jti"]]
        self.assertEqual(len(issued), 1)
        line = issued[0]
        self.assertEqual(line["client"], "billing")
        self.assertEqual(line["aud"], AUD)
        self.assertEqual(line["iat"], claims["iat"])
        self.assertEqual(line["exp"], claims["exp"])
        self.assertTrue(line["kid"])

    def test_metrics_count_issued_tokens(self):
        self.server.token("billing", SECRET)
        text = self.server.get("/metrics").body
        self.assertIn('tock_tokens_issued_total{client="billing"}', text)
        self.assertIn('tock_requests_total{endpoint="/token",status="200"}', text)
        for name in ("tock_validations_total", "tock_jwks_refresh_total", "tock_observed_issuer_skew_seconds"):
            self.assertIn("# TYPE " + name, text)


class RestartTest(unittest.TestCase):
    def test_assertion_accepted_before_restart_is_replayed_after_it(self):
        server = sl.Server(18410)
        try:
            key, _ = sl.make_key(server.tmp, "c1")
            with open(server.config_path, "a") as f:
                f.write('[[client]]\nid = "c1"\njwks_file = "c1.jwks.json"\naudiences = ["a"]\n')
            server.start()
            assertion = sl.sign(key, "--iss", "c1", "--sub", "c1", "--aud", server.url, "--ttl", "60s")
            fields = {"grant_type": "client_credentials",
                      "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                      "client_assertion": assertion}
            self.assertEqual(server.post_form("/token", fields).status, 200)
            self.assertEqual(server.stop(), 0)
            server.start()
            res = server.post_form("/token", fields)
            self.assertEqual(res.status, 401)
            self.assertEqual(res.json()["error_description"], "client authentication failed")
            self.assertTrue([l for l in server.log_lines() if l.get("code") == "replayed"])
        finally:
            server.cleanup()

    def test_token_rate_beyond_limit_is_429_with_retry_after(self):
        server = sl.Server(18410, "[limits]\ntoken_rate = 2\n")
        try:
            server.start()
            statuses = [server.post_form("/token", {"grant_type": "client_credentials"}) for _ in range(6)]
            limited = [r for r in statuses if r.status == 429]
            self.assertTrue(limited, [r.status for r in statuses])
            self.assertEqual(limited[0].header("Retry-After"), "1")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
