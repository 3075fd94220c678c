#!/usr/bin/env python3
"""`tock sign`: defaults, claim and header flags, keys and algorithms."""
import json

import tockcli as t
from tockcli import NOW, SECRET, verify


def sign(*flags, secret=True):
    key_flags = ["--secret", SECRET.decode()] if secret else []
    return t.run("sign", *key_flags, "--now", NOW, *flags)


class Signed(t.TockTest):
    def decoded(self, r):
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.out.endswith("\n"), r)
        token = r.out.strip()
        self.assertEqual(token.count("."), 2, r)
        head, body, _ = token.split(".")
        return json.loads(t.b64u_decode(head)), json.loads(t.b64u_decode(body)), token


class Defaults(Signed):
    def test_time_claims_jti_and_typ(self):
        header, payload, token = self.decoded(sign("--sub", "svc"))
        self.assertEqual(payload["nbf"], NOW - 60)
        self.assertEqual(payload["iat"], NOW)
        self.assertEqual(payload["exp"], NOW + 600)
        self.assertEqual(payload["sub"], "svc")
        self.assertEqual(len(payload["jti"]), 22)
        self.assertEqual(len(t.b64u_decode(payload["jti"])), 16)
        self.assertEqual(header, {"alg": "HS256", "typ": "JWT"}, "a bare secret gets no kid")
        self.assertEqual(set(payload), {"nbf", "iat", "exp", "sub", "jti"})
        self.assertAccepted(verify(token))

    def test_jti_is_random(self):
        first = self.decoded(sign())[1]["jti"]
        second = self.decoded(sign())[1]["jti"]
        self.assertNotEqual(first, second)

    def test_asymmetric_key_kid_is_thumbprint(self):
        for keyfile, alg in [("rsa2048.pem", "RS256"), ("ec256.pem", "ES256"),
                             ("ed25519.pem", "EdDSA")]:
            with self.subTest(keyfile):
                thumb = t.run("thumbprint", t.key(keyfile)).out.strip()
                header, _, token = self.decoded(
                    t.run("sign", "--key", t.key(keyfile), "--now", NOW))
                self.assertEqual(header, {"alg": alg, "typ": "JWT", "kid": thumb})
                self.assertAccepted(verify(token, "--key", t.key(keyfile)))

    def test_jwk_own_kid_wins(self):
        jwk = t.run("keygen", "--alg", "ES256", "--jwk")
        doc = json.loads(jwk.out)
        doc["kid"] = "my-key-1"
        path = self.write("key.jwk.json", json.dumps(doc))
        header, _, _ = self.decoded(t.run("sign", "--key", path, "--now", NOW))
        self.assertEqual(header["kid"], "my-key-1")

    def test_oct_jwk_kid(self):
        path = self.write("oct.json", json.dumps({"kty": "oct", "kid": "hmac-7",
                                                  "k": t.b64u(SECRET)}))
        header, _, token = self.decoded(t.run("sign", "--key", path, "--now", NOW))
        self.assertEqual(header, {"alg": "HS256", "typ": "JWT", "kid": "hmac-7"})
        self.assertAccepted(verify(token))


class Flags(Signed):
    def test_claim_value_json_or_string(self):
        _, payload, _ = self.decoded(sign(
            "--claim", "n=5", "--claim", "b=true", "--claim", 'o={"a":[1,2]}',
            "--claim", "s=hello world", "--claim", 'q="quoted"', "--claim", "e=",
            "--claim", "x=a=b"))
        self.assertEqual(payload["n"], 5)
        self.assertIs(payload["b"], True)
        self.assertEqual(payload["o"], {"a": [1, 2]})
        self.assertEqual(payload["s"], "hello world")
        self.assertEqual(payload["q"], "quoted")
        self.assertEqual(payload["e"], "")
        self.assertEqual(payload["x"], "a=b")

    def test_claim_without_name_is_usage(self):
        r = sign("--claim", "=5")
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(r.out, "", r)

    def test_aud_one_string_several_array(self):
        self.assertEqual(self.decoded(sign("--aud", "a"))[1]["aud"], "a")
        self.assertEqual(self.decoded(sign("--aud", "a", "--aud", "b"))[1]["aud"], ["a", "b"])

    def test_lifetime_flags(self):
        _, payload, _ = self.decoded(sign("--ttl", "1h", "--nbf-backdate", "2m",
                                          "--iat-backdate", "5s", "--iss", "me"))
        self.assertEqual(payload["exp"], NOW + 3600)
        self.assertEqual(payload["nbf"], NOW - 120)
        self.assertEqual(payload["iat"], NOW - 5)
        self.assertEqual(payload["iss"], "me")

    def test_no_flags_omit_claims(self):
        _, payload, _ = self.decoded(sign("--no-nbf", "--no-iat", "--no-exp", "--no-jti"))
        self.assertEqual(payload, {})
        _, payload, _ = self.decoded(sign("--jti", "fixed-id"))
        self.assertEqual(payload["jti"], "fixed-id")

    def test_clock_offset(self):
        _, payload, _ = self.decoded(sign("--clock-offset", "-73s"))
        self.assertEqual(payload["iat"], NOW - 73)

    def test_claims_file_merged_first(self):
        path = self.write("claims.json", json.dumps({"scope": "read", "sub": "file",
                                                     "exp": 1}))
        _, payload, _ = self.decoded(sign("--claims", path, "--sub", "flag",
                                          "--claim", "scope=write"))
        self.assertEqual(payload["sub"], "flag")
        self.assertEqual(payload["scope"], "write")
        self.assertEqual(payload["exp"], NOW + 600, "--ttl stamps over the file's exp")

    def test_claims_file_not_an_object_is_usage(self):
        path = self.write("claims.json", "[1,2]")
        self.assertCannotJudge(sign("--claims", path), "usage")

    def test_headers_kid_typ(self):
        header, _, _ = self.decoded(sign("--kid", "k9", "--typ", "at+jwt", "--header", "x=1",
                                         "--header", "y=text"))
        self.assertEqual(header, {"alg": "HS256", "typ": "at+jwt", "kid": "k9", "x": 1,
                                  "y": "text"})
        header, _, _ = self.decoded(t.run("sign", "--key", t.key("ec256.pem"), "--no-kid",
                                          "--now", NOW))
        self.assertNotIn("kid", header)

    def test_header_cannot_set_alg(self):
        self.assertCannotJudge(sign("--header", "alg=none"), "usage")


class Keys(Signed):
    def test_alg_choice_and_rfc9864_name(self):
        header, _, token = self.decoded(t.run("sign", "--key", t.key("ed25519.pem"), "--alg",
                                              "Ed25519", "--now", NOW))
        self.assertEqual(header["alg"], "Ed25519")
        self.assertAccepted(verify(token, "--key", t.key("ed25519.pem")))
        header, _, token = self.decoded(t.run("sign", "--key", t.key("rsa2048.pem"), "--alg",
                                              "PS384", "--now", NOW))
        self.assertEqual(header["alg"], "PS384")
        self.assertAccepted(verify(token, "--key", t.key("rsa2048.pub.pem")))

    def test_hs384_with_48_byte_secret(self):
        header, _, token = self.decoded(t.run("sign", "--secret", t.SECRET48.decode(), "--alg",
                                              "HS384", "--now", NOW))
        self.assertEqual(header["alg"], "HS384")
        self.assertAccepted(verify(token, secret=t.SECRET48))

    def test_key_errors(self):
        cases = [
            ["--secret", "short"],
            ["--key", t.key("rsa2048.pub.pem")],
            ["--key", t.key("rsa1024.pem")],
            ["--key", t.key("ec256.pem"), "--alg", "RS256"],
            ["--secret", SECRET.decode(), "--alg", "HS512"],
        ]
        for flags in cases:
            with self.subTest(flags=flags):
                r = t.run("sign", *flags, "--now", NOW)
                self.assertEqual(r.rc, 2, r)
                self.assertEqual(r.out, "", r)
                self.assertNotEqual(r.err, "", r)

    def test_usage_errors(self):
        for flags in [[], ["--secret", SECRET.decode(), "--key", t.key("ec256.pem")],
                      ["--secret", SECRET.decode(), "--alg", "none"],
                      ["--secret", SECRET.decode(), "--ttl", "forever"],
                      ["--secret", SECRET.decode(), "--kid", "a", "--no-kid"]]:
            with self.subTest(flags=flags):
                r = t.run("sign", *flags, "--now", NOW)
                self.assertEqual(r.rc, 2, r)

    def test_first_key_that_can_sign_in_a_set(self):
        pub = json.loads(t.run("jwks", t.key("rsa2048.pem")).out)["keys"][0]
        priv = json.loads(t.run("keygen", "--alg", "ES256", "--jwk").out)
        priv["kid"] = "signer"
        path = self.write("set.json", json.dumps({"keys": [pub, priv]}))
        header, _, _ = self.decoded(t.run("sign", "--key", path, "--now", NOW))
        self.assertEqual(header["kid"], "signer")
        self.assertEqual(header["alg"], "ES256")
        only_public = self.write("pub.json", json.dumps({"keys": [pub]}))
        self.assertEqual(t.run("sign", "--key", only_public, "--now", NOW).rc, 2)


if __name__ == "__main__":
    t.main()
