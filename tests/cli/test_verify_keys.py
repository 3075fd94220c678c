#!/usr/bin/env python3
"""Key inputs of `tock verify`: exit-2 documents, key selection, and headers
that carry keys (jwk, jku, x5u, x5c), which must be ignored."""
import http.server
import json
import threading
import urllib.request

import tockcli as t
from tockcli import NOW, SECRET, SECRET48, claims, hs, verify


class CannotJudge(t.TockTest):
    def setUp(self):
        super().setUp()
        self.token = hs({"alg": "HS256"}, claims())

    def run_verify(self, *flags):
        return t.run("verify", self.token, "--now", NOW, "--json", *flags)

    def test_short_secret_is_key_error(self):
        r = self.run_verify("--secret", "short")
        self.assertCannotJudge(r, "key_error")
        self.assertIs(r.doc.get("valid"), False, r)

    def test_31_byte_secret_is_key_error_32_is_fine(self):
        self.assertCannotJudge(self.run_verify("--secret", "x" * 31), "key_error")
        r = self.run_verify("--secret", SECRET.decode())
        self.assertAccepted(r)

    def test_rsa_1024_is_key_error(self):
        self.assertCannotJudge(self.run_verify("--key", t.key("rsa1024.pem")), "key_error")

    def test_alg_the_key_cannot_perform_is_key_error(self):
        r = self.run_verify("--key", t.key("rsa2048.pub.pem"), "--alg", "HS256")
        self.assertCannotJudge(r, "key_error")

    def test_hs512_with_48_byte_secret_is_key_error(self):
        r = self.run_verify("--secret", SECRET48.decode(), "--alg", "HS512")
        self.assertCannotJudge(r, "key_error")
        token = hs({"alg": "HS384"}, claims(), secret=SECRET48)
        r = t.run("verify", token, "--secret", SECRET48.decode(), "--alg", "HS384", "--alg",
                  "HS256", "--now", NOW, "--json")
        self.assertAccepted(r)

    def test_public_key_pem_as_secret_is_key_error(self):
        r = self.run_verify("--secret-file", t.key("rsa2048.pub.pem"))
        self.assertCannotJudge(r, "key_error")

    def test_missing_key_file_is_io_error(self):
        r = self.run_verify("--key", f"{self.tmp}/no-such-key.pem")
        self.assertCannotJudge(r, "io_error")

    def test_garbage_key_file_is_key_error(self):
        path = self.write("garbage.pem", "this is not a key\n")
        self.assertCannotJudge(self.run_verify("--key", path), "key_error")

    def test_no_key_source_is_usage(self):
        self.assertCannotJudge(self.run_verify(), "usage")

    def test_unknown_alg_is_usage(self):
        self.assertCannotJudge(self.run_verify("--secret", SECRET.decode(), "--alg", "none"),
                               "usage")

    def test_cli_parse_errors_give_json_usage_document(self):
        for flags in [["--no-such-flag"], ["--skew"], ["--max-token-bytes", "many"],
                      ["--secret", SECRET.decode(), "extra-positional"]]:
            with self.subTest(flags=flags):
                r = self.run_verify(*flags)
                self.assertCannotJudge(r, "usage")
                self.assertIs(r.doc.get("valid"), False, r)

    def test_unreachable_jwks_url_is_network_error(self):
        r = self.run_verify("--jwks", "http://127.0.0.1:1/jwks.json")
        self.assertCannotJudge(r, "network_error")


class SecretForms(t.TockTest):
    def test_secret_file_uses_exact_bytes(self):
        exact = self.write("secret.bin", SECRET)
        newline = self.write("secret-nl.bin", SECRET + b"\n")
        token = hs({"alg": "HS256"}, claims())
        self.assertAccepted(verify(token, "--secret-file", exact))
        self.assertRejected(verify(token, "--secret-file", newline), "bad_signature")

    def test_secret_b64(self):
        token = hs({"alg": "HS256"}, claims())
        self.assertAccepted(verify(token, "--secret-b64", t.b64u(SECRET)))
        r = verify(token, "--secret-b64", "not base64!")
        self.assertCannotJudge(r, "usage")

    def test_oct_jwk_in_jwks_file(self):
        jwks = {"keys": [{"kty": "oct", "kid": "hmac-1", "k": t.b64u(SECRET)}]}
        path = self.write("oct.jwks.json", json.dumps(jwks))
        token = hs({"alg": "HS256", "kid": "hmac-1"}, claims())
        self.assertAccepted(verify(token, "--jwks", path))
        r = verify(hs({"alg": "HS256", "kid": "hmac-2"}, claims()), "--jwks", path)
        self.assertRejected(r, "key_not_found")


class Selection(t.TockTest):
    def sign(self, keyfile, *flags):
        r = t.run("sign", "--key", keyfile, "--now", NOW, *flags)
        self.assertEqual(r.rc, 0, r)
        return r.out.strip()

    def test_kid_selects_among_several_keys(self):
        jwks = t.run("jwks", t.key("ec256.pem"), t.key("rsa2048.pem"), t.key("ed25519.pem"))
        self.assertEqual(jwks.rc, 0, jwks)
        path = self.write("set.json", jwks.out)
        for keyfile in ["ec256.pem", "rsa2048.pem", "ed25519.pem"]:
            with self.subTest(keyfile):
                self.assertAccepted(verify(self.sign(t.key(keyfile)), "--jwks", path))

    def test_kidless_token_tries_every_key_that_can(self):
        token = self.sign(t.key("ec256.pem"), "--no-kid")
        r = verify(token, "--key", t.key("attacker_ec256.pem"), "--key", t.key("ec256.pub.pem"))
        self.assertAccepted(r)

    def test_unusable_set_member_is_skipped_with_a_note(self):
        good = json.loads(t.run("jwks", t.key("ec256.pem")).out)
        # An RSA member under 2048 bits, an encryption key, an unknown kty.
        members = good["keys"] + [{"kty": "RSA", "kid": "small", "use": "sig",
                                   "n": t.b64u(b"\xc1" * 128), "e": "AQAB"},
                                  {"kty": "EC", "kid": "enc", "use": "enc",
                                   **{k: good["keys"][0][k] for k in ("crv", "x", "y")}},
                                  {"kty": "XYZ", "kid": "odd"}]
        path = self.write("mixed.json", json.dumps({"keys": members}))
        r = verify(self.sign(t.key("ec256.pem")), "--jwks", path)
        self.assertAccepted(r)
        self.assertIn("note", r.err, r)

    def test_set_with_no_usable_key_is_key_error(self):
        members = [{"kty": "RSA", "kid": "small", "n": t.b64u(b"\xc1" * 128), "e": "AQAB"}]
        path = self.write("bad.json", json.dumps({"keys": members}))
        r = verify(hs({"alg": "HS256"}, claims()), "--jwks", path)
        self.assertCannotJudge(r, "key_error")


class KeyCarryingHeaders(t.TockTest):
    def attacker_jwk(self):
        r = t.run("jwks", t.key("attacker_ec256.pem"))
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)["keys"][0]

    def test_embedded_jwk_is_ignored(self):
        header = "jwk=" + json.dumps(self.attacker_jwk())
        forged = t.run("sign", "--key", t.key("attacker_ec256.pem"), "--no-kid", "--header",
                       header, "--now", NOW)
        self.assertEqual(forged.rc, 0, forged)
        r = verify(forged.out.strip(), "--key", t.key("ec256.pub.pem"))
        self.assertRejected(r, "bad_signature")
        genuine = t.run("sign", "--key", t.key("ec256.pem"), "--no-kid", "--header", header,
                        "--now", NOW)
        r = verify(genuine.out.strip(), "--key", t.key("ec256.pub.pem"))
        self.assertAccepted(r)
        self.assertIn("jwk", r.doc["header"], r)

    def test_jku_and_x5u_are_never_fetched(self):
        hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                hits.append(self.path)
                body = json.dumps({"keys": [{"kty": "oct", "k": t.b64u(b"a" * 32)}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = None
        for port in range(18100, 18200):
            try:
                server = http.server.HTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        self.assertIsNotNone(server, "no free port in 18100-18199")
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base = f"http://127.0.0.1:{server.server_port}"
            header = {"alg": "HS256", "jku": f"{base}/jwks.json", "x5u": f"{base}/cert.pem",
                      "x5c": ["MIIBIjANBgkq"]}
            self.assertAccepted(verify(hs(header, claims())))
            forged = hs(header, claims(), secret=b"a" * 32)
            self.assertRejected(verify(forged), "bad_signature")
            decoded = t.run("decode", forged, "--now", NOW, "--json")
            self.assertIn("key_in_header", decoded.doc["warnings"], decoded)
            self.assertEqual(hits, [], "tock fetched a URL named by the token")
            # The listener does answer: a fetch would have been seen.
            with urllib.request.urlopen(f"{base}/probe", timeout=10) as response:
                self.assertEqual(response.status, 200)
            self.assertEqual(hits, ["/probe"])
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    t.main()
