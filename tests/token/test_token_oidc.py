"""`tock token` against a real OpenID provider we did not write: node
oidc-provider (pinned in tests/token/package-lock.json, installed by
scripts/install-deps). Client credentials with client_secret_basic and with
private_key_jwt, resource indicators with JWT access tokens; `tock verify`
accepts them with the provider's jwks_uri. Ports 19095-19099."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import tokenpeers as tp
from tokenpeers import sl

RESOURCE = "https://api.example.com/"
SECRET = "a client secret with spaces: and %+ signs"
PEER = os.path.join(tp.HERE, "oidc_peer.mjs")
MODULES = os.path.join(tp.HERE, "node_modules", "oidc-provider")


class OidcProviderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        if not shutil.which("node") or not os.path.isdir(MODULES):
            raise RuntimeError("node or tests/token/node_modules missing: run scripts/install-deps")
        cls.tmp = tempfile.mkdtemp(prefix="tock-oidc-")
        cls.key, cls.jwks = sl.make_key(cls.tmp, "client", "ES256")
        cls.secret_file = sl.write(os.path.join(cls.tmp, "secret"), SECRET)
        port = cls.pick_port()
        cls.proc = subprocess.Popen(["node", PEER, str(port), cls.jwks, SECRET, RESOURCE],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = cls.proc.stdout.readline()  # "ready ISSUER", or EOF when it failed
        if not line.startswith("ready "):
            cls.proc.kill()
            raise RuntimeError("oidc-provider did not start: " + line + cls.proc.stderr.read())
        cls.issuer = line.split()[1]

    @staticmethod
    def pick_port():
        import socket
        for port in range(19095, 19100):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                    return port
                except OSError:
                    continue
        raise RuntimeError("no free port in 19095..19099")

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        try:
            cls.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
            cls.proc.wait()
        cls.proc.stdout.close()
        cls.proc.stderr.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def get_token(self, client, *auth):
        code, out, err = tp.tock("token", "--issuer", self.issuer, "--client-id", client, *auth,
                                 "--resource", RESOURCE, "--scope", "read", "--no-cache", "--json")
        self.assertEqual(code, 0, out + err)
        return json.loads(out)

    def assert_verifies(self, token, client):
        discovery = json.loads(tp.urllib.request.urlopen(
            self.issuer + "/.well-known/openid-configuration", timeout=10).read())
        code, out, err = tp.tock("verify", "--jwks", discovery["jwks_uri"], "--iss", self.issuer,
                                 "--aud", RESOURCE, "--typ", "at+jwt", "--json", token)
        self.assertEqual(code, 0, out + err)
        claims = json.loads(out)["claims"]
        self.assertEqual(claims["client_id"], client)
        self.assertEqual(claims["scope"], "read")

    def test_client_secret_basic(self):
        doc = self.get_token("tock-secret", "--secret-file", self.secret_file)
        self.assertEqual(doc["token_type"], "Bearer")
        self.assertEqual(doc["expires_in"], 300)
        self.assert_verifies(doc["access_token"], "tock-secret")

    def test_private_key_jwt(self):
        doc = self.get_token("tock-key", "--key", self.key)
        self.assert_verifies(doc["access_token"], "tock-key")
        # A fresh assertion each time: the provider refuses a reused one.
        doc2 = self.get_token("tock-key", "--key", self.key)
        self.assertNotEqual(doc["access_token"], doc2["access_token"])

    def test_wrong_secret_is_refused_with_invalid_client(self):
        wrong = sl.write(os.path.join(self.tmp, "wrong"), "not it")
        code, out, _ = tp.tock("token", "--issuer", self.issuer, "--client-id", "tock-secret",
                               "--secret-file", wrong, "--resource", RESOURCE, "--no-cache",
                               "--json")
        self.assertEqual(code, 1)
        e = json.loads(out)["error"]
        self.assertEqual((e["code"], e["oauth_error"], e["status"]),
                         ("token_refused", "invalid_client", 401))


if __name__ == "__main__":
    unittest.main()
