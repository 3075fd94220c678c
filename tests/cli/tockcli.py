"""Shared helpers for the `tock` CLI contract tests (shared/spec/cli.md).

Standard library only. The binary comes from $TOCK_BIN (set by ctest from
$<TARGET_FILE:tock_cli>) or from the first command-line argument.
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import unittest

NOW = 1781255830  # 2026-06-12T09:17:10Z
NOW_UTC = "2026-06-12T09:17:10Z"
SECRET = b"0123456789abcdef0123456789abcdef"  # 32 bytes: the HS256 minimum
SECRET48 = b"0123456789abcdef" * 3
SECRET64 = b"0123456789abcdef" * 4
KEYS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keys")


def tock_binary():
    path = os.environ.get("TOCK_BIN")
    if not path and len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        path = sys.argv.pop(1)
    if not path:
        sys.exit("set TOCK_BIN or pass the tock binary as the first argument")
    return path


TOCK = None


def key(name):
    return os.path.join(KEYS, name)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def part(obj) -> str:
    """Base64url of a JSON value, or of raw bytes/str as given."""
    if isinstance(obj, bytes):
        return b64u(obj)
    if isinstance(obj, str):
        return b64u(obj.encode())
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def hs(header, payload, secret=SECRET, alg=None):
    """A compact JWS MACed with HMAC. header/payload: dict, str or bytes."""
    alg = alg or (header.get("alg") if isinstance(header, dict) else None) or "HS256"
    signing_input = f"{part(header)}.{part(payload)}"
    mac = hmac.new(secret, signing_input.encode(), HASHES[alg]).digest()
    return f"{signing_input}.{b64u(mac)}"


def claims(**extra):
    """Typical claims around NOW: iat and nbf 30 s ago, exp in 570 s."""
    base = {"iss": "https://issuer.example", "sub": "svc", "aud": "api",
            "iat": NOW - 30, "nbf": NOW - 30, "exp": NOW + 570}
    for name, value in extra.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


class Run:
    """The outcome of one tock invocation."""

    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.doc = None
        try:
            self.doc = json.loads(proc.stdout)
        except ValueError:
            pass

    @property
    def error(self):
        return (self.doc or {}).get("error") or {}

    def __repr__(self):
        return (f"tock {' '.join(self.args)[:300]}\n rc={self.rc}\n stdout={self.out[:1500]}"
                f"\n stderr={self.err[:800]}")


def run(*args, stdin=None, env=None):
    args = [str(a) for a in args]
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    if env:
        full_env.update(env)
    proc = subprocess.run([TOCK, *args], input=stdin, capture_output=True, text=True,
                          timeout=60, env=full_env)
    return Run(args, proc)


def verify(token, *args, secret=SECRET):
    """tock verify --json at NOW with the default secret unless args name a key."""
    key_args = [] if any(a in ("--key", "--jwks", "--secret", "--secret-file", "--secret-b64")
                         for a in args) else ["--secret", secret.decode()]
    return run("verify", token, *key_args, "--now", NOW, "--json", *args)


def es_raw_to_der(raw: bytes) -> bytes:
    """Encode a JOSE r||s ECDSA signature as an ASN.1 DER SEQUENCE."""
    half = len(raw) // 2

    def integer(b):
        b = b.lstrip(b"\x00") or b"\x00"
        if b[0] & 0x80:
            b = b"\x00" + b
        return b"\x02" + bytes([len(b)]) + b

    body = integer(raw[:half]) + integer(raw[half:])
    return b"\x30" + bytes([len(body)]) + body


class TockTest(unittest.TestCase):
    """Base class: a temporary directory and assertion helpers."""

    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="tock-cli-test-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, content, mode=0o644):
        path = os.path.join(self.tmp, name)
        data = content.encode() if isinstance(content, str) else content
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def assertAccepted(self, r):
        self.assertEqual(r.rc, 0, r)
        self.assertIs((r.doc or {}).get("valid"), True, r)

    def assertRejected(self, r, code, **fields):
        """Exit 1, valid false, error.code == code, the given error fields,
        and problems present with the error first."""
        self.assertEqual(r.rc, 1, r)
        self.assertIsNotNone(r.doc, r)
        self.assertIs(r.doc.get("valid"), False, r)
        self.assertEqual(r.error.get("code"), code, r)
        for name, value in fields.items():
            self.assertEqual(r.error.get(name), value, f"field {name}: {r}")
        problems = r.doc.get("problems")
        self.assertIsInstance(problems, list, r)
        self.assertGreaterEqual(len(problems), 1, r)
        self.assertEqual(problems[0].get("code"), code, r)
        return r.error

    def assertCannotJudge(self, r, code, verify_doc=None):
        """Exit 2, message on stderr and, with --json, the error document."""
        self.assertEqual(r.rc, 2, r)
        self.assertNotEqual(r.err.strip(), "", r)
        if "--json" in r.args:
            self.assertIsNotNone(r.doc, r)
            self.assertEqual(r.error.get("code"), code, r)
            self.assertIsInstance(r.error.get("message"), str, r)
            self.assertNotEqual(r.error.get("message"), "", r)
            if verify_doc is None:
                verify_doc = bool(r.args) and r.args[0] == "verify"
            if verify_doc:
                self.assertIs(r.doc.get("valid"), False, r)


def main():
    global TOCK
    TOCK = tock_binary()
    unittest.main(verbosity=2)


def init():
    """For test modules imported by a runner rather than run directly."""
    global TOCK
    if TOCK is None:
        TOCK = tock_binary()
