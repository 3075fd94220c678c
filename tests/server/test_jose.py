"""`tock serve` against panva/jose on node (issue 5, tests): jose's
createRemoteJWKSet pointed at our JWKS verifies our access tokens, and a
jose-signed private_key_jwt client assertion is accepted once by /token.

Port block 18550-18559. node and tests/interop/node_modules (scripts/install-deps)
are required: a missing one fails the test, it never skips.
"""
import json
import os
import shutil
import subprocess
import unittest

import serverlib as sl

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "jose_peer.mjs")
JOSE_DIR = os.path.join(HERE, "..", "interop", "node_modules", "jose")
CLIENT = "jose-client"
SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"


def require_node():
    node = shutil.which("node")
    if not node:
        raise RuntimeError("node not found on PATH: run scripts/install-deps")
    if not os.path.isfile(os.path.join(JOSE_DIR, "package.json")):
        raise RuntimeError(os.path.normpath(JOSE_DIR) + " is missing: run scripts/install-deps")
    return node


def peer(node, *args):
    proc = subprocess.run([node, PEER, *args], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError("jose_peer.mjs %s exited %d: %s" % (args[0], proc.returncode, proc.stderr))
    return json.loads(proc.stdout)


class JoseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        node = require_node()
        cls.server = sl.Server(18550)
        try:
            cls.kid = peer(node, "keygen", cls.server.tmp)["kid"]
            with open(cls.server.config_path, "a") as f:
                f.write(f'''
[[client]]
id = "{CLIENT}"
secret = "{SECRET}"
jwks_file = "jose-client.jwks.json"
scopes = ["read", "write"]
audiences = ["{AUD}"]
''')
            cls.server.start()
            cls.result = peer(node, "run", cls.server.url, CLIENT, SECRET, AUD,
                              os.path.join(cls.server.tmp, "jose-client.private.json"))
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_jose_remote_jwks_verifies_basic_auth_token(self):
        self.assertEqual(self.result["jwksUri"], self.server.url + "/.well-known/jwks.json")
        basic = self.result["basic"]
        self.assertEqual(basic["status"], 200, basic["body"])
        verified = basic["verified"]
        self.assertTrue(verified["ok"], verified)
        self.assertEqual(verified["protectedHeader"]["typ"], "at+jwt")
        self.assertEqual(verified["protectedHeader"]["alg"], "ES256")
        self.assertTrue(verified["protectedHeader"]["kid"])
        payload = verified["payload"]
        self.assertEqual(payload["iss"], self.server.url)
        self.assertEqual(payload["sub"], CLIENT)
        self.assertEqual(payload["aud"], AUD)
        self.assertEqual(payload["scope"], "read write")
        self.assertEqual(payload["exp"] - payload["iat"], 600)
        self.assertTrue(payload["jti"])

    def test_jose_rejects_our_token_for_another_audience(self):
        # Shows the jose check above is a real one: the same token and key set,
        # another expected audience, and jose says no.
        wrong = self.result["basic"]["wrongAudience"]
        self.assertFalse(wrong["ok"])
        self.assertEqual(wrong["code"], "ERR_JWT_CLAIM_VALIDATION_FAILED")
        self.assertEqual(wrong["claim"], "aud")

    def test_jose_signed_client_assertion_gets_a_token(self):
        first = self.result["assertion"]["first"]
        self.assertEqual(first["status"], 200, first["body"])
        self.assertEqual(first["body"]["token_type"], "Bearer")
        self.assertEqual(first["body"]["scope"], "read write")
        verified = first["verified"]
        self.assertTrue(verified["ok"], verified)
        self.assertEqual(verified["payload"]["sub"], CLIENT)
        # The token tock issued on a jose assertion also passes our /validate.
        res = self.server.validate(first["body"]["access_token"])
        self.assertEqual(res.status, 204, res.body)
        self.assertEqual(res.header("X-Auth-Subject"), CLIENT)

    def test_second_use_of_jose_assertion_is_replayed(self):
        second = self.result["assertion"]["second"]
        self.assertEqual(second["status"], 401, second["body"])
        self.assertEqual(second["body"]["error"], "invalid_client")
        # One description for every failed client authentication; the cause
        # (replayed) is in the log line.
        self.assertEqual(second["body"]["error_description"], "client authentication failed")
        lines = [l for l in self.server.log_lines()
                 if l.get("event") == "assertion_rejected" and l.get("code") == "replayed"]
        self.assertEqual(len(lines), 1, lines)
        self.assertEqual(lines[0]["client"], CLIENT)
        self.assertEqual(lines[0]["kid"], self.kid)


if __name__ == "__main__":
    unittest.main()
