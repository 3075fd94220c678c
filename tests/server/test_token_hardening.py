"""POST /token hardening (server.md, "Hostile input costs nothing" → "Token
endpoint"): RFC 8707 `resource`, rate limits nobody can turn against a
client, one error_description for every failed client authentication (the
log has the cause) except the time rules of an assertion whose signature
verified, and an assertion `aud` that names this issuer alone.

Ports: 18700-18709 (tock serve). Attacks come from 127.0.0.2 / 127.0.0.3
(client sockets bound there), the genuine client from 127.0.0.1.
"""
import http.client
import threading
import time
import unittest
import urllib.parse

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"
OTHER = "https://other.example.com"
UNIFORM = "client authentication failed"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenHardeningTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(18700)
        cls.client_key, _ = sl.make_key(cls.server.tmp, "jwtclient")
        cls.intruder_key, _ = sl.make_key(cls.server.tmp, "intruder")
        with open(cls.server.config_path, "a") as f:
            f.write(f'''
[replay]
backend = "memory"

[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read:data"]
audiences = ["{AUD}", "{OTHER}"]

[[client]]
id = "jwtclient"
jwks_file = "jwtclient.jwks.json"
scopes = ["read:data"]
audiences = ["{AUD}"]
''')
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    # -- helpers -----------------------------------------------------------
    def assertion(self, *args, key=None, client="jwtclient", aud=None, ttl="60s"):
        aud_args = [] if aud is False else ["--aud", aud or self.server.url]
        return sl.sign(key or self.client_key, "--iss", client, "--sub", client,
                       *aud_args, "--ttl", ttl, *args)

    def post_assertion(self, assertion, source=None):
        fields = {"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER,
                  "client_assertion": assertion}
        if source is None:
            return self.server.post_form("/token", fields)
        return self.post_from(source, fields)

    def post_from(self, source, fields, headers=None):
        """POST /token from the loopback address |source| (bound client socket)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30,
                                          source_address=(source, 0))
        try:
            h = {"Content-Type": "application/x-www-form-urlencoded"}
            h.update(headers or {})
            conn.request("POST", "/token", urllib.parse.urlencode(fields), h)
            res = conn.getresponse()
            return sl.Response(res.status, {k.lower(): v for k, v in res.getheaders()},
                               res.read().decode())
        finally:
            conn.close()

    def rejection_line(self, event, code, client=None):
        """The last log line of |event| with |code| (and |client|), waiting briefly."""
        deadline = time.time() + 5
        while True:
            lines = [l for l in self.server.log_lines()
                     if l.get("event") == event and l.get("code") == code
                     and (client is None or l.get("client") == client)]
            if lines or time.time() > deadline:
                self.assertTrue(lines, f"no {event} line with code {code}")
                return lines[-1]
            time.sleep(0.05)

    def assertUniformFailure(self, res):
        self.assertEqual(res.status, 401, res.body)
        self.assertEqual(res.json()["error"], "invalid_client")
        self.assertEqual(res.json()["error_description"], UNIFORM)

    # -- 1. resource (RFC 8707) ---------------------------------------------
    def test_resource_is_accepted_like_audience(self):
        res = self.server.token("billing", SECRET, resource=OTHER)
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(sl.token_parts(res.json()["access_token"])[1]["aud"], OTHER)

    def test_resource_equal_to_audience_is_accepted(self):
        res = self.server.token("billing", SECRET, resource=OTHER, audience=OTHER)
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(sl.token_parts(res.json()["access_token"])[1]["aud"], OTHER)

    def test_resource_and_audience_that_differ_are_invalid_request(self):
        res = self.server.token("billing", SECRET, resource=OTHER, audience=AUD)
        self.assertEqual(res.status, 400, res.body)
        self.assertEqual(res.json()["error"], "invalid_request")

    def test_unregistered_resource_is_invalid_target(self):
        res = self.server.token("billing", SECRET, resource="https://evil.example.com")
        self.assertEqual(res.status, 400, res.body)
        self.assertEqual(res.json()["error"], "invalid_target")
        self.assertIn("https://evil.example.com", res.json()["error_description"])

    # -- 2. nobody can lock a client out --------------------------------------
    def test_failures_in_a_clients_name_do_not_lock_it_out(self):
        # Bad assertions naming `billing` from 127.0.0.2 and 127.0.0.3 (at
        # least 60 each, as fast as they go, for as long as billing asks for
        # tokens from 127.0.0.1): only the attacking addresses slow down.
        bad = self.assertion(key=self.intruder_key, client="billing")
        statuses = {"127.0.0.2": [], "127.0.0.3": []}
        done = threading.Event()

        def attack(source):
            deadline = time.monotonic() + 60
            while (len(statuses[source]) < 60 or not done.is_set()) and time.monotonic() < deadline:
                statuses[source].append(self.post_assertion(bad, source).status)

        threads = [threading.Thread(target=attack, args=(s,)) for s in statuses]
        for t in threads:
            t.start()
        try:
            wait_until = time.monotonic() + 30
            while min(len(v) for v in statuses.values()) < 30 and time.monotonic() < wait_until:
                time.sleep(0.02)
            genuine = []
            for _ in range(3):
                genuine.append(self.post_from("127.0.0.1", {"grant_type": "client_credentials"},
                                              {"Authorization": sl.basic("billing", SECRET)}))
                time.sleep(0.1)
        finally:
            done.set()
            for t in threads:
                t.join(120)
        self.assertEqual([r.status for r in genuine], [200, 200, 200],
                         [r.body for r in genuine])
        for source, seen in statuses.items():
            self.assertGreaterEqual(len(seen), 60)
            self.assertEqual(set(seen) - {401, 429}, set(), source)
            self.assertIn(429, seen, f"{source}: failed authentications are charged to it")
        # A few seconds later the attacking address itself is served again.
        time.sleep(1.2)
        res = self.post_from("127.0.0.2", {"grant_type": "client_credentials"},
                             {"Authorization": sl.basic("billing", SECRET)})
        self.assertEqual(res.status, 200, res.body)

    # -- 3. one description for every failed authentication -------------------
    def test_unknown_client_gets_the_uniform_description(self):
        res = self.server.token("nobody", SECRET)
        self.assertUniformFailure(res)
        self.assertEqual(res.header("WWW-Authenticate"), 'Basic realm="tock"')
        line = self.rejection_line("client_rejected", "unknown_client", "nobody")
        self.assertIn("unknown client", line["message"])
        self.assertEqual(line["error"], "invalid_client")

    def test_wrong_secret_gets_the_uniform_description(self):
        res = self.server.token("billing", SECRET + "x")
        self.assertUniformFailure(res)
        line = self.rejection_line("client_rejected", "bad_secret", "billing")
        self.assertIn("wrong client secret", line["message"])
        with open(self.server.log_file) as f:
            self.assertNotIn(SECRET, f.read())

    def test_assertion_with_a_bad_signature_gets_the_uniform_description(self):
        assertion = self.assertion("--no-kid", key=self.intruder_key)
        res = self.post_assertion(assertion)
        self.assertUniformFailure(res)
        line = self.rejection_line("assertion_rejected", "bad_signature", "jwtclient")
        self.assertIn("signature", line["message"])
        self.assertNotIn(assertion.split(".")[2], open(self.server.log_file).read())

    def test_assertion_of_unknown_client_gets_the_uniform_description(self):
        res = self.post_assertion(self.assertion(client="ghost"))
        self.assertUniformFailure(res)
        self.rejection_line("assertion_rejected", "unknown_client", "ghost")

    def test_replayed_assertion_gets_the_uniform_description(self):
        assertion = self.assertion()
        self.assertEqual(self.post_assertion(assertion).status, 200)
        res = self.post_assertion(assertion)
        self.assertUniformFailure(res)
        self.rejection_line("assertion_rejected", "replayed", "jwtclient")

    def test_forged_assertion_does_not_burn_the_jti(self):
        jti = "forged-then-genuine-%f" % time.time()
        forged = self.assertion("--jti", jti, "--no-kid", key=self.intruder_key)
        self.assertUniformFailure(self.post_assertion(forged))
        res = self.post_assertion(self.assertion("--jti", jti))
        self.assertEqual(res.status, 200, res.body)

    def test_expired_assertion_with_good_signature_says_why(self):
        res = self.post_assertion(self.assertion("--now", "2020-01-01T00:00:00Z"))
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"], "invalid_client")
        description = res.json()["error_description"]
        self.assertIn("token expired: exp 2020-01-01T00:01:00Z is", description)
        self.assertIn("before now", description)
        self.rejection_line("assertion_rejected", "expired", "jwtclient")

    def test_assertion_from_the_future_with_good_signature_says_why(self):
        future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        res = self.post_assertion(self.assertion("--now", future))
        self.assertEqual(res.status, 401)
        description = res.json()["error_description"]
        self.assertNotEqual(description, UNIFORM)
        self.assertRegex(description, r"^token (not yet valid|issued in the future): ")
        self.assertIn("after now", description)

    def test_assertion_with_too_long_lifetime_says_why(self):
        res = self.post_assertion(self.assertion(ttl="1h"))
        self.assertEqual(res.status, 401)
        self.assertIn("token lifetime too long: exp - iat is 3600s",
                      res.json()["error_description"])

    def test_expired_assertion_with_a_bad_signature_gets_the_uniform_description(self):
        res = self.post_assertion(self.assertion("--now", "2020-01-01T00:00:00Z", "--no-kid",
                                                 key=self.intruder_key))
        self.assertUniformFailure(res)

    def test_every_token_response_has_a_date_header(self):
        for res in (self.server.token("billing", SECRET), self.server.token("billing", "x"),
                    self.server.token("billing", SECRET, grant_type="password")):
            date = res.header("Date")
            self.assertTrue(date, res.status)
            parsed = time.mktime(time.strptime(date, "%a, %d %b %Y %H:%M:%S GMT")) - time.timezone
            self.assertLess(abs(parsed - time.time()), 30)

    # -- 4. assertion aud ----------------------------------------------------
    def test_assertion_aud_as_one_element_array_is_accepted(self):
        res = self.post_assertion(self.assertion("--claim", f'aud=["{self.server.url}"]', aud=False))
        self.assertEqual(res.status, 200, res.body)

    def test_assertion_aud_array_with_another_audience_is_refused(self):
        assertion = sl.sign(self.client_key, "--iss", "jwtclient", "--sub", "jwtclient",
                            "--aud", self.server.url, "--aud", "https://elsewhere.example.com",
                            "--ttl", "60s")
        res = self.post_assertion(assertion)
        self.assertUniformFailure(res)
        self.rejection_line("assertion_rejected", "aud_mismatch", "jwtclient")

    def test_assertion_for_token_endpoint_is_refused_by_default(self):
        res = self.post_assertion(self.assertion(aud=self.server.url + "/token"))
        self.assertUniformFailure(res)
        line = self.rejection_line("assertion_rejected", "aud_mismatch", "jwtclient")
        self.assertIn("/token", line["message"])


if __name__ == "__main__":
    unittest.main()
