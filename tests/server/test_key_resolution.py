"""The one key resolution of `tock serve` (server/key_resolution.h) and the
wire output of its rejections, byte for byte: /validate's iss rules through
the issuer table, insufficient_scope as a library ErrorCode rendered like
every other rejection, /api/inspect choosing keys by iss or jwks_uri.
Ports 19400-19409."""
import json
import unittest

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"
ZED = "https://zed.partner.example"
ALPHA = "https://alpha.partner.example"


class KeyResolutionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(19400)
        tmp = cls.server.tmp
        cls.zed_key, _ = sl.make_key(tmp, "zed")
        cls.alpha_key, _ = sl.make_key(tmp, "alpha")
        # Config order (zed, alpha) differs from name order: the diagnosis
        # lists our issuer first, then the trusted ones by name.
        with open(cls.server.config_path, "a") as f:
            f.write(f'''
[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read", "write"]
audiences = ["{AUD}"]

[[trust]]
issuer = "{ZED}"
jwks_file = "zed.jwks.json"
audiences = ["{AUD}"]

[[trust]]
issuer = "{ALPHA}"
jwks_file = "alpha.jwks.json"
audiences = ["{AUD}"]
''')
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def own_token(self, **fields):
        res = self.server.token("billing", SECRET, **fields)
        self.assertEqual(res.status, 200, res.body)
        return res.json()["access_token"]

    def test_insufficient_scope_wire_output(self):
        token = self.own_token(scope="read")
        res = self.server.validate(token, "?scope=read+write")
        self.assertEqual(res.status, 403)
        message = 'the token\'s scope "read" lacks "write", which this location requires'
        error = {"code": "insufficient_scope", "message": message, "claim": "scope",
                 "expected": "read write", "actual": "read"}
        self.assertEqual(res.body,
                         json.dumps({"valid": False, "error": error, "problems": [error]},
                                    separators=(",", ":")) + "\n")
        self.assertEqual(res.header("WWW-Authenticate"),
                         'Bearer error="insufficient_scope", scope="read write", '
                         'error_description="the token\'s scope ?read? lacks ?write?, which this '
                         'location requires"')
        line = [l for l in self.server.log_lines() if l.get("code") == "insufficient_scope"][-1]
        self.assertEqual(line["event"], "token_rejected")
        self.assertEqual(line["message"], message)
        self.assertEqual(line["endpoint"], "/validate")
        self.assertEqual(line["iss"], self.server.url)
        metrics = self.server.get("/metrics").body
        self.assertIn('tock_validations_total{issuer="%s",result="rejected",code="insufficient_scope"} 1'
                      % self.server.url, metrics)

    def test_untrusted_issuer_lists_ours_then_the_trusted_by_name(self):
        token = sl.sign(self.zed_key, "--iss", "https://stranger.example", "--aud", AUD)
        res = self.server.validate(token)
        self.assertEqual(res.status, 401)
        error = res.json()["error"]
        self.assertEqual(error["code"], "iss_mismatch")
        self.assertEqual(error["message"], 'issuer "https://stranger.example" is not trusted by this server')
        self.assertEqual(error["expected"], [self.server.url, ALPHA, ZED])
        self.assertEqual(error["actual"], "https://stranger.example")

    def test_each_trusted_issuer_is_checked_with_its_own_keys(self):
        self.assertEqual(self.server.validate(sl.sign(self.alpha_key, "--iss", ALPHA, "--aud", AUD)).status, 204)
        self.assertEqual(self.server.validate(sl.sign(self.zed_key, "--iss", ZED, "--aud", AUD)).status, 204)
        crossed = self.server.validate(sl.sign(self.zed_key, "--iss", ALPHA, "--aud", AUD))
        self.assertEqual(crossed.status, 401)
        self.assertIn(crossed.json()["error"]["code"], ("bad_signature", "key_not_found"))

    def test_inspect_resolves_by_iss_and_by_a_trusted_jwks_uri_only(self):
        token = sl.sign(self.alpha_key, "--iss", ALPHA, "--aud", AUD)
        headers = {"Content-Type": "application/json"}
        res = self.server.request("POST", "/api/inspect", headers, json.dumps({"token": token}).encode())
        self.assertEqual(res.status, 200)
        self.assertTrue(res.json()["verification"]["valid"])
        stranger = sl.sign(self.alpha_key, "--iss", "https://stranger.example", "--aud", AUD)
        res = self.server.request("POST", "/api/inspect", headers, json.dumps({"token": stranger}).encode())
        self.assertEqual(res.status, 200)
        self.assertNotIn("verification", res.json())
        res = self.server.request("POST", "/api/inspect", headers,
                                  json.dumps({"token": token, "jwks_uri": "https://x.example/j"}).encode())
        self.assertEqual(res.status, 400)
        self.assertEqual(res.json()["error"]["code"], "usage")


if __name__ == "__main__":
    unittest.main()
