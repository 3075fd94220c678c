#!/usr/bin/env python3
"""Every error code of cli.md's table, reached through `tock verify --json`.

`replayed` is produced only by the server's replay store: not reachable here.
"""
import json

import tockcli as t
from tockcli import NOW, SECRET, SECRET48, claims, hs, part, verify

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def with_spare_bits(encoded: str) -> str:
    """Set an unused low bit in the last character: same bytes, non-canonical."""
    assert len(encoded) % 4 in (2, 3)
    last = ALPHABET.index(encoded[-1])
    return encoded[:-1] + ALPHABET[last | 1]


def nested_payload(depth):
    """A payload whose deepest container is at |depth| (top-level object = 1)."""
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    return ('{"exp":%d,"d":%s}' % (NOW + 600, inner)).encode()


class Structure(t.TockTest):
    def test_too_large_default_limit(self):
        token = hs({"alg": "HS256"}, claims(pad="x" * 17000))
        self.assertGreater(len(token), 16384)
        self.assertRejected(verify(token), "too_large")

    def test_max_token_bytes_boundary_to_the_byte(self):
        token = hs({"alg": "HS256"}, claims())
        self.assertAccepted(verify(token, "--max-token-bytes", len(token)))
        self.assertRejected(verify(token, "--max-token-bytes", len(token) - 1), "too_large")

    def test_malformed_shapes(self):
        good = hs({"alg": "HS256"}, claims())
        head, body, sig = good.split(".")
        for token in ["not-a-token", f"{head}.{body}", f"{head}.{body}.{sig}.{sig}",
                      f".{body}.{sig}", f"{head[:5]} {head[5:]}.{body}.{sig}",
                      f"{head}.{body}\t.{sig}"]:
            with self.subTest(token=token[:40]):
                self.assertRejected(verify(token), "malformed")

    def test_malformed_empty_token_from_stdin(self):
        for stdin in ["", "  \n", "Bearer \n"]:
            with self.subTest(stdin=stdin):
                r = t.run("verify", "--secret", SECRET.decode(), "--now", NOW, "--json",
                          stdin=stdin)
                self.assertRejected(r, "malformed")

    def test_bad_base64_variants(self):
        good = hs({"alg": "HS256"}, claims())
        head, body, sig = good.split(".")
        odd_head = next(p for p in (part({"alg": "HS256", "x": "y" * n}) for n in range(4))
                        if len(p) % 4 in (2, 3))
        cases = {
            "padded header": f"{odd_head}{'=' * (-len(odd_head) % 4)}.{body}.{sig}",
            "plus in payload": f"{head}.{body[:4]}+{body[5:]}.{sig}",
            "slash in signature": f"{head}.{body}.{sig[:4]}/{sig[5:]}",
            "impossible length": f"{head}.{body}{'A' * ((1 - len(body)) % 4 or 4)}.{sig}",
            "spare bits set": f"{with_spare_bits(odd_head)}.{body}.{sig}",
        }
        for name, token in cases.items():
            with self.subTest(name):
                self.assertRejected(verify(token), "bad_base64")


class Json(t.TockTest):
    def test_bad_json_documents(self):
        payload = claims()
        cases = {
            "header not json": hs("not json", payload, alg="HS256"),
            "header array": hs([{"alg": "HS256"}], payload, alg="HS256"),
            "payload array": hs({"alg": "HS256"}, [payload]),
            "payload string": hs({"alg": "HS256"}, '"just a string"'),
            "payload not json": hs({"alg": "HS256"}, "hello"),
            "duplicate claim": hs({"alg": "HS256"},
                                  ('{"sub":"a","sub":"b","exp":%d}' % (NOW + 600)).encode()),
            "duplicate header": hs(b'{"alg":"HS256","alg":"HS256"}', payload, alg="HS256"),
            "invalid utf-8": hs({"alg": "HS256"}, b'{"sub":"\xff\xfe","exp":1781256430}'),
            "trailing garbage": hs({"alg": "HS256"}, json.dumps(payload).encode() + b" x"),
        }
        for name, token in cases.items():
            with self.subTest(name):
                self.assertRejected(verify(token), "bad_json")

    def test_nesting_depth_64_accepted_65_rejected(self):
        self.assertAccepted(verify(hs({"alg": "HS256"}, nested_payload(64))))
        self.assertRejected(verify(hs({"alg": "HS256"}, nested_payload(65))), "bad_json")


class Header(t.TockTest):
    def test_alg_none_in_any_case_is_unsupported(self):
        for alg in ["none", "NONE", "nOnE"]:
            with self.subTest(alg=alg):
                unsigned = f"{part({'alg': alg})}.{part(claims())}."
                self.assertRejected(verify(unsigned), "unsupported_alg")
                # A MAC in the signature part changes nothing.
                self.assertRejected(verify(hs({"alg": alg}, claims(), alg="HS256")),
                                    "unsupported_alg")

    def test_missing_or_unknown_alg_is_unsupported(self):
        for header in [{"typ": "JWT"}, {"alg": "HS999"}, {"alg": "hs256"}, {"alg": ""}]:
            with self.subTest(header=header):
                self.assertRejected(verify(hs(header, claims(), alg="HS256")), "unsupported_alg")

    def test_crit_naming_unknown_extension(self):
        header = {"alg": "HS256", "crit": ["urn:example:ext"], "urn:example:ext": True}
        self.assertRejected(verify(hs(header, claims())), "crit_unsupported")


class KeySelection(t.TockTest):
    def test_hs256_signed_with_rsa_public_pem_bytes(self):
        with open(t.key("rsa2048.pub.pem"), "rb") as f:
            pem = f.read()
        token = hs({"alg": "HS256"}, claims(), secret=pem)
        self.assertRejected(verify(token, "--key", t.key("rsa2048.pub.pem")), "alg_not_allowed")

    def test_alg_outside_explicit_allow_list(self):
        token = hs({"alg": "HS256"}, claims(), secret=SECRET48)
        self.assertRejected(verify(token, "--alg", "HS384", secret=SECRET48), "alg_not_allowed")

    def test_hs512_with_32_byte_secret_not_allowed(self):
        token = hs({"alg": "HS512"}, claims(), secret=SECRET)
        self.assertRejected(verify(token), "alg_not_allowed")

    def test_jwk_alg_narrows_the_allow_list(self):
        r = t.run("jwks", "--alg", "RS256", t.key("rsa2048.pem"))
        self.assertEqual(r.rc, 0, r)
        jwks = self.write("rs256.jwks.json", r.out)
        signed = t.run("sign", "--key", t.key("rsa2048.pem"), "--alg", "RS384", "--no-kid",
                       "--now", NOW)
        self.assertEqual(signed.rc, 0, signed)
        self.assertRejected(verify(signed.out.strip(), "--jwks", jwks), "alg_not_allowed")

    def test_unknown_kid_among_keys_with_kids(self):
        r = t.run("jwks", t.key("ec256.pem"))
        jwks = self.write("ec.jwks.json", r.out)
        signed = t.run("sign", "--key", t.key("ec256.pem"), "--kid", "other", "--now", NOW)
        self.assertEqual(signed.rc, 0, signed)
        self.assertRejected(verify(signed.out.strip(), "--jwks", jwks), "key_not_found")


class Signature(t.TockTest):
    def test_hmac_signature_failures(self):
        good = hs({"alg": "HS256"}, claims())
        head, body, sig = good.split(".")
        mac = t.b64u_decode(sig)
        cases = {
            "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
            "zero-length": f"{head}.{body}.",
            "zero-filled": f"{head}.{body}.{t.b64u(bytes(32))}",
            "truncated": f"{head}.{body}.{t.b64u(mac[:31])}",
            "other secret": hs({"alg": "HS256"}, claims(), secret=b"x" * 32),
            "payload swapped": f"{head}.{part(claims(sub='admin'))}.{sig}",
        }
        for name, token in cases.items():
            with self.subTest(name):
                self.assertRejected(verify(token), "bad_signature")

    def _es256_token(self):
        r = t.run("sign", "--key", t.key("ec256.pem"), "--no-kid", "--now", NOW)
        self.assertEqual(r.rc, 0, r)
        return r.out.strip()

    def test_ecdsa_signature_failures(self):
        token = self._es256_token()
        self.assertAccepted(verify(token, "--key", t.key("ec256.pub.pem")))
        head, body, sig = token.split(".")
        raw = t.b64u_decode(sig)
        self.assertEqual(len(raw), 64)
        cases = {
            "DER-encoded valid signature": t.b64u(t.es_raw_to_der(raw)),
            "zero-filled": t.b64u(bytes(64)),
            "zero-length": "",
            "r and s swapped": t.b64u(raw[32:] + raw[:32]),
        }
        for name, bad in cases.items():
            with self.subTest(name):
                r = verify(f"{head}.{body}.{bad}", "--key", t.key("ec256.pub.pem"))
                self.assertRejected(r, "bad_signature")


class ClaimTypes(t.TockTest):
    def test_registered_claims_of_the_wrong_type(self):
        cases = [("exp", "tomorrow"), ("nbf", True), ("iat", "0"), ("aud", 5),
                 ("aud", ["api", 7]), ("iss", 42), ("sub", {"id": 1}), ("jti", 12)]
        for name, value in cases:
            with self.subTest(claim=name, value=value):
                r = verify(hs({"alg": "HS256"}, claims(**{name: value})))
                self.assertRejected(r, "bad_claim", claim=name)

    def test_types_checked_without_any_flag_asking(self):
        r = verify(hs({"alg": "HS256"}, claims(sub=["a"])), "--no-require-exp")
        self.assertRejected(r, "bad_claim", claim="sub")


class MissingClaims(t.TockTest):
    def test_missing_claims(self):
        cases = [
            ("exp required by default", claims(exp=None), [], "exp"),
            ("--require", claims(), ["--require", "scope"], "scope"),
            ("--iss without iss", claims(iss=None), ["--iss", "https://issuer.example"], "iss"),
            ("--aud without aud", claims(aud=None), ["--aud", "api"], "aud"),
            ("--sub without sub", claims(sub=None), ["--sub", "svc"], "sub"),
            ("--max-age without iat", claims(iat=None), ["--max-age", "5m"], "iat"),
            ("--max-lifetime without exp", claims(exp=None),
             ["--no-require-exp", "--max-lifetime", "1h"], "exp"),
        ]
        for name, payload, flags, claim in cases:
            with self.subTest(name):
                r = verify(hs({"alg": "HS256"}, payload), *flags)
                self.assertRejected(r, "missing_claim", claim=claim)

    def test_typ_required_but_absent(self):
        r = verify(hs({"alg": "HS256"}, claims()), "--typ", "JWT")
        self.assertRejected(r, "missing_claim", claim="typ")

    def test_no_require_exp_accepts_token_without_exp(self):
        self.assertAccepted(verify(hs({"alg": "HS256"}, claims(exp=None)), "--no-require-exp"))


class Times(t.TockTest):
    def test_expired_fields(self):
        r = verify(hs({"alg": "HS256"}, claims(exp=NOW - 300)))
        self.assertRejected(r, "expired", now=NOW, exp=NOW - 300, skew_s=300, delta_s=300)

    def test_not_yet_valid_fields(self):
        r = verify(hs({"alg": "HS256"}, claims(nbf=NOW + 400)))
        self.assertRejected(r, "not_yet_valid", now=NOW, nbf=NOW + 400, skew_s=300,
                            delta_s=400)

    def test_issued_in_future_fields(self):
        r = verify(hs({"alg": "HS256"}, claims(iat=NOW + 301, nbf=None)))
        self.assertRejected(r, "issued_in_future", now=NOW, iat=NOW + 301, skew_s=300,
                            delta_s=301)

    def test_token_too_old_fields(self):
        r = verify(hs({"alg": "HS256"}, claims(iat=NOW - 1000)), "--max-age", "10m", "--skew",
                   "60s")
        self.assertRejected(r, "token_too_old", now=NOW, iat=NOW - 1000, skew_s=60,
                            delta_s=400)

    def test_fractional_claim_gives_fractional_delta(self):
        r = verify(hs({"alg": "HS256"}, claims(nbf=NOW + 33.5)), "--skew", "0")
        self.assertRejected(r, "not_yet_valid", nbf=NOW + 33.5, delta_s=33.5)

    def test_lifetime_too_long(self):
        # exp - iat = 600 s against a 5 minute cap.
        r = verify(hs({"alg": "HS256"}, claims()), "--max-lifetime", "5m")
        self.assertRejected(r, "lifetime_too_long")
        self.assertAccepted(verify(hs({"alg": "HS256"}, claims()), "--max-lifetime", "10m"))

    def test_lifetime_without_iat_counts_from_now(self):
        # No iat: exp - now = 570 s.
        payload = claims(iat=None)
        self.assertRejected(verify(hs({"alg": "HS256"}, payload), "--max-lifetime", "569s"),
                            "lifetime_too_long")
        self.assertAccepted(verify(hs({"alg": "HS256"}, payload), "--max-lifetime", "570s"))


class Matching(t.TockTest):
    def test_iss_mismatch(self):
        r = verify(hs({"alg": "HS256"}, claims()), "--iss", "https://other.example")
        self.assertRejected(r, "iss_mismatch", claim="iss", expected="https://other.example",
                            actual="https://issuer.example")

    def test_iss_mismatch_with_several_accepted(self):
        r = verify(hs({"alg": "HS256"}, claims()), "--iss", "a", "--iss", "b")
        self.assertRejected(r, "iss_mismatch", expected=["a", "b"],
                            actual="https://issuer.example")
        self.assertAccepted(verify(hs({"alg": "HS256"}, claims()), "--iss", "a", "--iss",
                                   "https://issuer.example"))

    def test_aud_mismatch_and_any_match(self):
        token = hs({"alg": "HS256"}, claims(aud=["a", "b"]))
        self.assertRejected(verify(token, "--aud", "c"), "aud_mismatch", claim="aud",
                            expected="c", actual=["a", "b"])
        self.assertAccepted(verify(token, "--aud", "c", "--aud", "b"))

    def test_sub_mismatch(self):
        r = verify(hs({"alg": "HS256"}, claims()), "--sub", "other")
        self.assertRejected(r, "sub_mismatch", claim="sub", expected="other", actual="svc")

    def test_typ_mismatch_and_normalised_match(self):
        r = verify(hs({"alg": "HS256", "typ": "at+jwt"}, claims()), "--typ", "JWT")
        self.assertRejected(r, "typ_mismatch", expected="JWT", actual="at+jwt")
        token = hs({"alg": "HS256", "typ": "application/JWT"}, claims())
        self.assertAccepted(verify(token, "--typ", "jwt"))

    def test_problems_list_every_claim_failure_in_order(self):
        token = hs({"alg": "HS256"}, claims(exp=NOW - 400, sub="x"))
        r = verify(token, "--iss", "https://other.example", "--sub", "svc")
        self.assertRejected(r, "expired")
        codes = [p["code"] for p in r.doc["problems"]]
        self.assertEqual(codes, ["expired", "iss_mismatch", "sub_mismatch"], r)

    def test_pre_claim_failure_has_just_the_error_in_problems(self):
        r = verify(hs({"alg": "HS256"}, claims(), secret=b"y" * 32))
        self.assertRejected(r, "bad_signature")
        self.assertEqual(len(r.doc["problems"]), 1, r)


class Accepted(t.TockTest):
    def test_accepted_document(self):
        header = {"alg": "HS256", "typ": "JWT"}
        payload = claims()
        r = verify(hs(header, payload))
        self.assertAccepted(r)
        self.assertEqual(r.doc["header"], header)
        self.assertEqual(r.doc["claims"], payload)
        self.assertEqual(r.doc["now"], NOW)
        self.assertEqual(r.doc["key"]["kty"], "oct", r)

    def test_accepted_key_names_rsa_thumbprint(self):
        signed = t.run("sign", "--key", t.key("rsa2048.pem"), "--now", NOW)
        thumb = t.run("thumbprint", t.key("rsa2048.pub.pem")).out.strip()
        r = verify(signed.out.strip(), "--key", t.key("rsa2048.pub.pem"))
        self.assertAccepted(r)
        self.assertEqual(r.doc["key"]["kty"], "RSA", r)
        self.assertEqual(r.doc["key"]["thumbprint"], thumb, r)
        self.assertEqual(r.doc["header"]["kid"], thumb, r)


if __name__ == "__main__":
    t.main()
