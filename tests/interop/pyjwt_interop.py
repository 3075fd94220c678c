#!/usr/bin/python3
"""Interop between the tock CLI and PyJWT (Debian's python3-jwt).

    /usr/bin/python3 pyjwt_interop.py --tock PATH CASE ALG

CASE pyjwt-signs: PyJWT signs with a key made by python3-cryptography;
`tock verify` must accept it (fixed --now) and reject a tampered copy.
CASE tock-signs: `tock keygen` / `tock sign`; PyJWT must accept the token
(signature, iss, aud checked by PyJWT; the time claims compared exactly,
since PyJWT 2.6 cannot pin "now"), and once more at the real time with
PyJWT's own exp/nbf/iat checks.

ALG is HS256, RS256 or ES256. Run with /usr/bin/python3: a pyenv python3
earlier on PATH does not have Debian's python3-jwt.
"""

import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile

try:
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
except ImportError as e:
    print(f"not ok - {e}: run scripts/install-deps (python3-jwt and python3-cryptography) "
          f"and run this script with /usr/bin/python3, not {sys.executable}")
    sys.exit(1)

NOW = 1781255830  # 2026-06-12T09:17:10Z
ISS = "https://issuer.interop.test"
AUD = "svc-interop"
SUB = "client-42"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok - {name}")
        else:
            self.failed += 1
            print(f"not ok - {name}")
            if detail:
                print("    " + str(detail).replace("\n", "\n    "))
        return condition


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def run_tock(tock, args):
    env = dict(os.environ, NO_COLOR="1")
    r = subprocess.run([tock, *args], capture_output=True, text=True, timeout=60, env=env)
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = None
    shown = f"$ tock {' '.join(args)}\nexit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    return r.returncode, r.stdout, doc, shown


def tamper(token):
    # One character in the middle of the signature: still canonical base64url.
    i = token.rindex(".") + 5
    return token[:i] + ("B" if token[i] == "A" else "A") + token[i + 1:]


def pyjwt_keys(alg, work):
    """Returns (signing key for PyJWT, tock verify key arguments)."""
    if alg == "HS256":
        secret = secrets.token_bytes(32)
        return secret, ["--secret-b64", b64url(secret)]
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    path = os.path.join(work, "public.pem")
    with open(path, "wb") as f:
        f.write(public_pem)
    return private, ["--key", path]


def pyjwt_signs(checks, tock, alg, work):
    key, key_args = pyjwt_keys(alg, work)
    claims = {"iss": ISS, "aud": AUD, "sub": SUB, "iat": NOW, "nbf": NOW - 60,
              "exp": NOW + 600, "jti": f"pyjwt-{alg}", "scope": "read"}
    token = jwt.encode(claims, key, algorithm=alg, headers={"typ": "JWT"})
    flags = ["--json", "--now", str(NOW), "--iss", ISS, "--aud", AUD, "--sub", SUB, *key_args]
    code, _, doc, shown = run_tock(tock, ["verify", token, *flags])
    checks.check(f"{alg}: tock verify accepts the PyJWT token",
                 code == 0 and doc is not None and doc.get("valid") is True, shown)
    checks.check(f"{alg}: claims round-trip", doc is not None and doc.get("claims") == claims, shown)
    code, _, doc, shown = run_tock(tock, ["verify", token, *flags, "--alg", alg])
    checks.check(f"{alg} --alg {alg}: tock verify accepts", code == 0, shown)
    code, _, doc, shown = run_tock(tock, ["verify", tamper(token), *flags])
    checks.check(f"{alg}: tampered token is bad_signature (exit 1)",
                 code == 1 and doc is not None and
                 doc.get("error", {}).get("code") == "bad_signature", shown)
    if alg == "HS256":
        # Regression: a random secret whose first byte is "{" (1 in 256) was
        # refused as "a JSON object (a JWK?)"; only real key material may be.
        brace = b"{" + bytes(range(1, 32))
        token = jwt.encode(claims, brace, algorithm=alg)
        code, _, doc, shown = run_tock(tock, ["verify", token, "--json", "--now", str(NOW),
                                              "--secret-b64", b64url(brace)])
        checks.check(f"{alg}: a non-JSON secret starting with '{{' is accepted",
                     code == 0 and doc is not None and doc.get("valid") is True, shown)


def tock_sign(checks, tock, alg, key_args, extra):
    args = ["sign", *key_args, "--alg", alg, "--iss", ISS, "--aud", AUD, "--sub", SUB,
            "--claim", "scope=read", *extra]
    code, out, _, shown = run_tock(tock, args)
    token = out.strip()
    checks.check(f"{alg} {' '.join(extra) or 'real now'}: tock sign exits 0",
                 code == 0 and token.count(".") == 2, shown)
    return token


def tock_signs(checks, tock, alg, work):
    if alg == "HS256":
        secret = secrets.token_bytes(32)
        key_args, verify_key = ["--secret-b64", b64url(secret)], secret
    else:
        path = os.path.join(work, "key.pem")
        code, _, _, shown = run_tock(tock, ["keygen", "--alg", alg, "--out", path])
        if not checks.check(f"{alg}: tock keygen exits 0", code == 0 and os.path.exists(path), shown):
            return
        with open(path, "rb") as f:
            verify_key = serialization.load_pem_private_key(f.read(), password=None).public_key()
        key_args = ["--key", path]

    token = tock_sign(checks, tock, alg, key_args, ["--now", str(NOW)])
    try:
        claims = jwt.decode(token, verify_key, algorithms=[alg], audience=AUD, issuer=ISS,
                            options={"verify_exp": False, "verify_nbf": False,
                                     "verify_iat": False, "require": ["exp", "nbf", "iat"]})
        checks.check(f"{alg} fixed now: PyJWT accepts the signature", True)
        checks.check(f"{alg} fixed now: iat = now, nbf = now - 60s, exp = now + 10m",
                     (claims["iat"], claims["nbf"], claims["exp"]) == (NOW, NOW - 60, NOW + 600),
                     claims)
        checks.check(f"{alg} fixed now: sub and scope", claims["sub"] == SUB and
                     claims["scope"] == "read", claims)
        header = jwt.get_unverified_header(token)
        checks.check(f"{alg} fixed now: header alg and typ", header.get("alg") == alg and
                     header.get("typ") == "JWT", header)
    except jwt.PyJWTError as e:
        checks.check(f"{alg} fixed now: PyJWT accepts the signature", False, f"{e!r}\n{token}")

    # Negative control: PyJWT must reject the token when it is tampered with.
    try:
        jwt.decode(tamper(token), verify_key, algorithms=[alg], audience=AUD,
                   options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})
        checks.check(f"{alg}: PyJWT rejects a tampered token", False, "accepted")
    except jwt.InvalidSignatureError:
        checks.check(f"{alg}: PyJWT rejects a tampered token", True)

    # At the real time, PyJWT applies its own exp/nbf/iat rules.
    token = tock_sign(checks, tock, alg, key_args, [])
    try:
        jwt.decode(token, verify_key, algorithms=[alg], audience=AUD, issuer=ISS,
                   options={"require": ["exp", "nbf", "iat"]})
        checks.check(f"{alg} real now: PyJWT accepts with time checks", True)
    except jwt.PyJWTError as e:
        checks.check(f"{alg} real now: PyJWT accepts with time checks", False, f"{e!r}\n{token}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tock", required=True)
    parser.add_argument("case", choices=["pyjwt-signs", "tock-signs"])
    parser.add_argument("alg", choices=["HS256", "RS256", "ES256"])
    args = parser.parse_args()
    if not os.access(args.tock, os.X_OK):
        print(f"not ok - the tock binary {args.tock} does not exist; build it first")
        return 1
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="tock-pyjwt-") as work:
        try:
            (pyjwt_signs if args.case == "pyjwt-signs" else tock_signs)(
                checks, args.tock, args.alg, work)
        except Exception as e:  # report, never crash silently
            checks.check(f"{args.case} {args.alg}: no exception", False, repr(e))
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
