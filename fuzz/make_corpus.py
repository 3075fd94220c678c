#!/usr/bin/env python3
"""Writes the seed corpus fuzz/corpus/<target>/ from tests/vectors and a few
hand-made inputs. Deterministic: rerunning rewrites the same files.

    fuzz/make_corpus.py

Seeds are small on purpose (the whole corpus stays well under 100 KB): the
fuzzer grows its own corpus from them in the build directory.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "tests", "vectors")
CORPUS = os.path.join(HERE, "corpus")

# fuzz_verify.cc's key, policy and clock.
SECRET = b"tock-fuzz-hs256-secret-0123456789abcdef"
ISSUER = "https://issuer.example"
AUDIENCE = "svc-a"
NOW = 1781255830


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header, payload, signature=b""):
    return b64(header) + "." + b64(payload) + "." + b64(signature)


def hs256(header, payload):
    signing_input = b64(header) + "." + b64(payload)
    mac = hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


def dumps(value):
    return json.dumps(value, separators=(",", ":")).encode()


def nested(depth):
    return b'{"a":' * depth + b"1" + b"}" * depth


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def read(*path):
    with open(os.path.join(VECTORS, *path), "rb") as f:
        return f.read()


def rfc_tokens():
    with open(os.path.join(VECTORS, "rfc", "jws_signatures.json")) as f:
        vectors = json.load(f)["vectors"]
    return {v["name"]: (v["signing_input"] + "." + v["signature"], v["key"]) for v in vectors}


def compact_seeds(rfc):
    t = "fuzz_compact"
    write(t, "rfc7515_a1_hs256", rfc["RFC 7515 A.1 (HS256)"][0])
    write(t, "rfc7515_a3_es256", rfc["RFC 7515 A.3 (ES256)"][0])
    write(t, "rfc7520_4_1_rs256_kid", rfc["RFC 7520 4.1 (RS256)"][0])
    write(t, "rfc8037_a4_eddsa", rfc["RFC 8037 A.4 (EdDSA)"][0])
    header = b'{"alg":"HS256","typ":"JWT","kid":"k\\u0031","crit":["exp"]}'
    payload = dumps({"iss": "i", "sub": "s", "aud": ["a", "b", "c"], "exp": 1.5e9,
                     "nbf": -1, "iat": 18446744073709551615, "jti": "\u00e9\U0001F600"})
    write(t, "all_fields", compact(header, payload, b"sig"))
    write(t, "no_signature", compact(b'{"alg":"none"}', b'{"exp":1}'))
    write(t, "duplicate_alg", compact(b'{"alg":"HS256","alg":"none"}', b"{}", b"x"))
    write(t, "payload_array", compact(b'{"alg":"HS256"}', b"[1,2]", b"x"))
    write(t, "deep_payload", compact(b'{"alg":"HS256"}', nested(64), b"x"))
    write(t, "malformed_parts", "eyJhbGciOiJIUzI1NiJ9.e30")
    write(t, "padded", "eyJhbGciOiJIUzI1NiJ9.e30=.c2ln")
    write(t, "whitespace", "eyJhbGciOiJIUzI1NiJ9 .e30.c2ln")


def json_seeds():
    t = "fuzz_json"
    write(t, "header", b'{"alg":"HS256","typ":"JWT","kid":"key-1"}')
    write(t, "claims", dumps({"iss": "https://a.example", "aud": ["x", "y"], "exp": 1781255830,
                              "keys": [{"kty": "oct"}, "z"], "a": None, "long_member_name": True}))
    write(t, "duplicate", b'{"a":1,"b":{"a":2},"a":3}')
    write(t, "duplicate_escaped", b'{"kid":1,"k\\u0069d":2}')
    write(t, "escapes", b'{"\\u00e9":"\\ud83d\\ude00","aud":"a\\"b\\\\c\\n","alg":"\\u0000"}')
    write(t, "numbers", b'{"exp":1.7976931348623157e308,"nbf":-0.0,"iat":18446744073709551615,'
                        b'"a":-9223372036854775808,"kid":1e-400,"alg":0.1}')
    write(t, "number_overflow", b'{"exp":1e400}')
    write(t, "depth_64", nested(64))
    write(t, "depth_65", nested(65))
    many = ",".join('"m%d":%d' % (i, i) for i in range(40))
    write(t, "many_members", "{" + many + ',"m7":0}')
    write(t, "array_top", b'[1,"a",{"b":null}]')
    write(t, "string_top", b'"\\u00e9"')
    write(t, "invalid_utf8", b'{"a":"\xc0\xaf","b":"\xed\xa0\x80"}')
    write(t, "long_arrays", dumps({"aud": ["1", "2", "3", "4", "5"], "keys": ["6", "7", "8", "9"],
                                   "alg": [1, "x"]}))


def verify_seeds():
    t = "fuzz_verify"
    header = dumps({"alg": "HS256", "typ": "JWT"})
    good = {"iss": ISSUER, "aud": AUDIENCE, "sub": "svc-b", "iat": NOW - 10, "nbf": NOW - 70,
            "exp": NOW + 590, "jti": "abc"}
    write(t, "accepted_strict", hs256(header, dumps(good)))
    write(t, "accepted_lax", hs256(dumps({"alg": "HS256", "kid": "k"}), dumps({"x": [1, {}]})))
    write(t, "expired", hs256(header, dumps(dict(good, exp=NOW - 301))))
    write(t, "aud_array", hs256(header, dumps(dict(good, aud=["other", AUDIENCE]))))
    write(t, "bad_signature", compact(header, dumps(good), b"\0" * 32))
    write(t, "alg_none", compact(dumps({"alg": "none"}), dumps(good)))
    # "HEADER\nPAYLOAD": the harness signs these itself.
    write(t, "json_strict", header + b"\n" + dumps(good))
    write(t, "json_bad_claims", header + b"\n" + dumps(dict(good, exp="soon", aud=[1])))
    write(t, "json_payload_only", dumps({"iss": ISSUER, "iat": NOW + 301, "exp": 1e308}))
    write(t, "json_crit", dumps({"alg": "HS256", "crit": ["b64"], "b64": False}) + b"\n{}")


def keys_seeds(rfc):
    t = "fuzz_keys"
    for name in ["ec_p256_pub.pem", "ec_p256_sec1.pem", "ec_p256_cert.pem", "ed25519.pem",
                 "rsa2048_spki.der", "rsa2048_pkcs1_pub.pem", "rsa1024_pub.jwk", "ed448.pem",
                 "ec_p256_mismatched_point.pem"]:
        write(t, name, read("keys", name))
    write(t, "rfc7517_a1_jwks.json", read("rfc", "rfc7517_a1_public.json"))
    write(t, "rfc7517_a3_oct_jwks.json", read("rfc", "rfc7517_a3_symmetric.json"))
    write(t, "rfc7515_a3_ec_private.jwk", dumps(rfc["RFC 7515 A.3 (ES256)"][1]))
    write(t, "rfc8037_a4_okp_private.jwk", dumps(rfc["RFC 8037 A.4 (EdDSA)"][1]))
    write(t, "rfc7520_hs256_oct.jwk", dumps(rfc["RFC 7520 4.4 (HS256)"][1]))
    write(t, "mixed_jwks.json", dumps({"keys": [
        {"kty": "oct", "k": b64(SECRET), "kid": "s"},
        {"kty": "EC", "crv": "P-256", "use": "enc", "x": "AA", "y": "AA"},
        {"kty": "XYZ"}, 7, {"kty": "OKP", "crv": "Ed25519", "x": rfc["RFC 8037 A.4 (EdDSA)"][1]["x"],
                            "key_ops": ["verify"], "alg": "EdDSA"}]}))
    write(t, "two_pem_blocks.pem", read("keys", "ec_p256_pub.pem") + read("keys", "ed25519.pem"))


def inspect_request_seeds(rfc):
    t = "fuzz_inspect_request"
    token = rfc["RFC 7515 A.1 (HS256)"][0]
    key = rfc["RFC 7515 A.1 (HS256)"][1]
    write(t, "token_only", dumps({"token": token}))
    write(t, "with_jwk", dumps({"token": token, "key": key, "now": 1300819300}))
    write(t, "with_jwks_and_policy", dumps({
        "token": token, "key": {"keys": [key]}, "now": 1300819300,
        "policy": {"iss": "joe", "aud": ["x"], "sub": "s", "typ": "JWT", "require": ["exp"],
                   "skew": "5m", "max_age": 60, "max_lifetime": "1h", "algorithms": ["HS256"],
                   "allow_missing_exp": False}}))
    write(t, "with_pem", dumps({"token": token, "key": read("keys", "ec_p256_pub.pem").decode(),
                                "policy": None}))
    write(t, "jwks_uri", dumps({"token": "x.y.z", "jwks_uri": "https://issuer.example/jwks"}))
    write(t, "key_and_uri", dumps({"token": token, "key": key, "jwks_uri": "http://a"}))
    write(t, "unknown_member", b'{"token":"a","tokens":1}')
    write(t, "bad_policy", dumps({"token": token, "policy": {"skew": "-1s", "algorithms": ["none"]}}))


def main():
    rfc = rfc_tokens()
    for target in ["fuzz_compact", "fuzz_json", "fuzz_verify", "fuzz_keys", "fuzz_inspect_request"]:
        shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)
        os.makedirs(os.path.join(CORPUS, target))
    compact_seeds(rfc)
    json_seeds()
    verify_seeds()
    keys_seeds(rfc)
    inspect_request_seeds(rfc)


if __name__ == "__main__":
    main()
