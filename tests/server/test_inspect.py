"""POST /api/inspect (server.md): decode + verification, no proxy, 400 on bad JSON."""
import json
import os
import unittest

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"
PARTNER = "https://login.partner.example"


class InspectTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(18510)
        tmp = cls.server.tmp
        cls.partner_key, partner_jwks = sl.make_key(tmp, "partner")
        with open(partner_jwks) as f:
            cls.partner_jwks = json.load(f)
        cls.other_key, _ = sl.make_key(tmp, "other")
        with open(cls.server.config_path, "a") as f:
            f.write(f'''
[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read"]
audiences = ["{AUD}"]

[[trust]]
issuer = "{PARTNER}"
jwks_file = "partner.jwks.json"
audiences = ["{AUD}"]
''')
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def inspect(self, doc):
        body = doc if isinstance(doc, str) else json.dumps(doc)
        return self.server.request("POST", "/api/inspect", {"Content-Type": "application/json"}, body)

    def own_token(self):
        res = self.server.token("billing", SECRET)
        self.assertEqual(res.status, 200, res.body)
        return res.json()["access_token"]

    def partner_token(self, *args):
        return sl.sign(self.partner_key, "--iss", PARTNER, "--sub", "svc", "--aud", AUD, *args)

    def test_own_token_is_decoded_and_verified_by_our_keys(self):
        res = self.inspect({"token": self.own_token()})
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(res.header("Cache-Control"), "no-store")
        doc = res.json()
        self.assertEqual(doc["payload"]["sub"], "billing")
        self.assertEqual(doc["header"]["typ"], "at+jwt")
        self.assertEqual(doc["status"], "valid_now")
        self.assertIs(doc["verification"]["valid"], True)
        self.assertEqual(doc["verification"]["claims"]["iss"], self.server.url)

    def test_trusted_issuer_with_jwks_file_is_verified(self):
        doc = self.inspect({"token": self.partner_token()}).json()
        self.assertIs(doc["verification"]["valid"], True)

    def test_untrusted_issuer_without_key_has_no_verification(self):
        token = sl.sign(self.other_key, "--iss", "https://nobody.example")
        res = self.inspect({"token": token})
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(res.json()["payload"]["iss"], "https://nobody.example")
        self.assertNotIn("verification", res.json())

    def test_key_as_jwks_object_verifies(self):
        doc = self.inspect({"token": self.partner_token(), "key": self.partner_jwks}).json()
        self.assertIs(doc["verification"]["valid"], True)

    def test_key_as_pem_string_verifies(self):
        with open(self.partner_key) as f:
            pem = f.read()
        doc = self.inspect({"token": self.partner_token(), "key": pem}).json()
        self.assertIs(doc["verification"]["valid"], True, doc)

    def test_wrong_key_is_a_rejection_in_verification(self):
        with open(self.other_key) as f:
            pem = f.read()
        token = sl.sign(self.partner_key, "--iss", "https://nobody.example")
        doc = self.inspect({"token": token, "key": pem}).json()
        self.assertIs(doc["verification"]["valid"], False)
        self.assertEqual(doc["verification"]["error"]["code"], "bad_signature")

    def test_unusable_key_is_a_key_error_in_verification(self):
        doc = self.inspect({"token": self.partner_token(), "key": "not a key"}).json()
        self.assertEqual(doc["verification"]["error"]["code"], "key_error")

    def test_policy_audience_mismatch_is_reported(self):
        doc = self.inspect({"token": self.partner_token(), "policy": {"aud": ["https://other"]}}).json()
        self.assertEqual(doc["verification"]["error"]["code"], "aud_mismatch")

    def test_now_moves_the_timeline_and_the_verdict(self):
        token = self.partner_token("--ttl", "10m")
        _, claims = sl.token_parts(token)
        later = claims["exp"] + 3600
        doc = self.inspect({"token": token, "now": later}).json()
        self.assertEqual(doc["now"], later)
        self.assertEqual(doc["status"], "expired")
        self.assertEqual(doc["verification"]["error"]["code"], "expired")

    def test_token_that_does_not_decode_gets_the_error_document(self):
        res = self.inspect({"token": "not-a-token"})
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(res.json()["error"]["code"], "malformed")
        self.assertNotIn("verification", res.json())

    def test_own_jwks_uri_is_used(self):
        uri = self.server.url + "/.well-known/jwks.json"
        doc = self.inspect({"token": self.own_token(), "jwks_uri": uri}).json()
        self.assertIs(doc["verification"]["valid"], True)

    def test_other_jwks_uri_is_400_no_proxy(self):
        res = self.inspect({"token": self.own_token(), "jwks_uri": "http://127.0.0.1:9/jwks.json"})
        self.assertEqual(res.status, 400, res.body)
        self.assertEqual(res.json()["error"]["code"], "usage")
        self.assertIn("no other URL", res.json()["error"]["message"])

    def test_body_that_is_not_json_is_400(self):
        for body in ("token=abc", "", '{"token":"a","token":"b"}', "[]"):
            res = self.inspect(body)
            self.assertEqual(res.status, 400, body)
            self.assertEqual(res.json()["error"]["code"], "bad_json", body)

    def test_json_of_the_wrong_shape_is_400(self):
        for doc in ({}, {"token": 1}, {"token": "t", "policy": {"skew": "soon"}}, {"token": "t", "x": 1}):
            res = self.inspect(doc)
            self.assertEqual(res.status, 400, doc)
            self.assertEqual(res.json()["error"]["code"], "usage", doc)


if __name__ == "__main__":
    unittest.main()
