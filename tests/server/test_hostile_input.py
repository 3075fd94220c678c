"""Hostile input costs nothing (server.md, round 2): /api/inspect never checks
the keys it is sent, /validate fails closed on blank requirements, [[trust]]
needs audiences, one URL policy for key fetches, numbers that cannot overflow,
and a data directory only its owner can write. Ports 18950-18989.

CPU is measured as the server process's utime+stime (/proc/PID/stat), not
wall time: other builds share the machine.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"
CPU_BUDGET_S = 0.050
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Generated once per machine: an 8192-bit key takes the openssl CLI seconds
# to minutes of CPU, so it is kept in the temp folder between runs.
KEY_CACHE = os.path.join(tempfile.gettempdir(), "tock-test-keys")


def cpu_seconds(pid):
    """utime + stime of |pid| in seconds (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rsa_private_pem(bits):
    """A PKCS#8 RSA private key of |bits| bits made by the openssl CLI (cached)."""
    os.makedirs(KEY_CACHE, mode=0o700, exist_ok=True)
    path = os.path.join(KEY_CACHE, f"rsa{bits}.pem")
    if not os.path.exists(path):
        tmp = path + f".{os.getpid()}.tmp"
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        f"rsa_keygen_bits:{bits}", "-out", tmp],
                       check=True, capture_output=True, timeout=280)
        os.replace(tmp, path)
    with open(path) as f:
        return path, f.read()


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(secret, claims):
    signing_input = b64u(json.dumps({"alg": "HS256"}).encode()) + "." + b64u(json.dumps(claims).encode())
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64u(mac)


class InspectCostsNothingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(18950).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def inspect(self, doc, content_type="application/json"):
        headers = {"Content-Type": content_type} if content_type else {}
        return self.server.request("POST", "/api/inspect", headers, json.dumps(doc))

    def measured(self, doc):
        pid = self.server.proc.pid
        before = cpu_seconds(pid)
        res = self.inspect(doc)
        return res, cpu_seconds(pid) - before

    def test_nine_8192_bit_private_keys_are_refused_at_no_cost(self):
        _, pem = rsa_private_pem(8192)
        body = {"token": "a.b.c", "key": pem * 9}
        self.assertLess(len(json.dumps(body)), 65536)
        self.assertGreater(len(json.dumps(body)), 55000)
        res, cpu = self.measured(body)
        self.assertEqual(res.status, 400, res.body)
        self.assertEqual(res.json()["error"]["code"], "too_large")
        self.assertIn("4096-bit limit", res.json()["error"]["message"])
        self.assertLess(cpu, CPU_BUDGET_S, f"server CPU {cpu:.3f}s")

    def test_4096_bit_private_keys_are_used_by_their_public_half_cheaply(self):
        path, pem = rsa_private_pem(4096)
        token = sl.sign(path, "--alg", "RS256", "--iss", "https://nobody.example", "--sub", "svc")
        res, cpu = self.measured({"token": token, "key": pem * 9})
        self.assertEqual(res.status, 200, res.body)
        self.assertIs(res.json()["verification"]["valid"], True, res.body)
        self.assertLess(cpu, CPU_BUDGET_S, f"server CPU {cpu:.3f}s")

    def test_mismatched_private_jwk_is_not_checked_its_public_half_verifies(self):
        key, jwks = sl.make_key(self.server.tmp, "ec")
        with open(jwks) as f:
            public = json.load(f)["keys"][0]
        code, out, err = sl.tock("keygen", "--alg", "ES256", "--jwk")
        self.assertEqual(code, 0, err)
        public["d"] = json.loads(out)["d"]  # another key's private scalar
        token = sl.sign(key, "--iss", "https://nobody.example")
        res = self.inspect({"token": token, "key": public})
        self.assertEqual(res.status, 200, res.body)
        self.assertIs(res.json()["verification"]["valid"], True, res.body)

    def test_oct_secrets_stay_allowed(self):
        secret = os.urandom(32)
        token = hs256(secret, {"sub": "svc", "exp": 4102444800})
        res = self.inspect({"token": token, "key": {"kty": "oct", "k": b64u(secret)}})
        self.assertIs(res.json()["verification"]["valid"], True, res.body)

    def test_at_most_four_keys_are_tried(self):
        secrets = [os.urandom(32) for _ in range(6)]
        jwks = {"keys": [{"kty": "oct", "k": b64u(s)} for s in secrets]}
        claims = {"sub": "svc", "exp": 4102444800}
        first = self.inspect({"token": hs256(secrets[0], claims), "key": jwks}).json()
        self.assertIs(first["verification"]["valid"], True, first)
        fourth = self.inspect({"token": hs256(secrets[3], claims), "key": jwks}).json()
        self.assertIs(fourth["verification"]["valid"], True, fourth)
        sixth = self.inspect({"token": hs256(secrets[5], claims), "key": jwks}).json()
        self.assertIs(sixth["verification"]["valid"], False, sixth)
        self.assertEqual(sixth["verification"]["error"]["code"], "bad_signature")

    def test_body_must_be_application_json(self):
        for content_type in ("text/plain", "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=x", None, "application/jsonx"):
            res = self.inspect({"token": "a.b.c"}, content_type)
            self.assertEqual(res.status, 415, content_type)
            self.assertEqual(res.json()["error"]["code"], "usage")
        for content_type in ("application/json", "application/json; charset=utf-8",
                             "Application/JSON;charset=UTF-8"):
            self.assertEqual(self.inspect({"token": "a.b.c"}, content_type).status, 200, content_type)


class BlankRequirementTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(18960, f'''
[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read"]
audiences = ["{AUD}"]
''').start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_present_but_blank_aud_or_scope_is_400(self):
        res = self.server.token("billing", SECRET)
        token = res.json()["access_token"]
        self.assertEqual(self.server.validate(token, "?aud=" + AUD).status, 204)
        for query in ("?aud=", "?aud=%20", "?aud=+", "?aud", "?scope=", "?scope=%20%20",
                      "?aud=" + AUD + "&scope=", "?scope=read&aud=%09"):
            res = self.server.validate(token, query)
            self.assertEqual(res.status, 400, query)
            self.assertEqual(res.json()["error"], "invalid_request", query)
            self.assertIn("empty", res.json()["error_description"], query)


def serve_config(tmp, text, name="tock.toml"):
    path = sl.write(os.path.join(tmp, name), 'data_dir = "data"\nlog_file = "tock.log"\n' + text)
    return path


def line_of(path, needle):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if needle in line:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


class ConfigRulesTest(unittest.TestCase):
    def setUp(self):
        sl.require_binary()
        self.tmp = tempfile.mkdtemp(prefix="tock-hostile-")
        self.key, self.jwks = sl.make_key(self.tmp, "partner")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertConfigError(self, text, needle, *reasons):
        path = serve_config(self.tmp, text)
        code, _, err = sl.tock("serve", "--config", path, "--listen", "127.0.0.1:18979")
        self.assertEqual(code, 2, err)
        self.assertIn(f"{path}:{line_of(path, needle)}: ", err)
        for reason in reasons:
            self.assertIn(reason, err)
        return err

    def test_trust_without_audiences_is_a_config_error(self):
        self.assertConfigError('[[trust]]\nissuer = "https://p.example"\njwks_file = "partner.jwks.json"\n',
                               "[[trust]]", "audiences")

    def test_star_cannot_be_mixed_with_audiences(self):
        self.assertConfigError('[[trust]]\nissuer = "https://p.example"\njwks_file = "partner.jwks.json"\n'
                               'audiences = ["*", "x"]\n', "audiences", '"*"')

    def test_userinfo_and_lookalike_hosts_are_refused(self):
        for url in ("http://localhost:@evil.example/jwks.json", "http://127.evil.example/jwks.json",
                    "http://127.1/jwks.json", "http://localhost.evil.example/jwks.json",
                    "https://user:pw@login.example/jwks.json", "ftp://127.0.0.1/jwks.json",
                    "http://10.0.0.1/jwks.json"):
            err = self.assertConfigError(f'[[trust]]\nissuer = "https://p.example"\njwks_uri = "{url}"\n'
                                         'audiences = ["x"]\n', "jwks_uri")
            self.assertNotIn("pw@", err)

    def test_client_jwks_uri_follows_the_same_policy(self):
        self.assertConfigError('[[client]]\nid = "c"\njwks_uri = "http://127.evil.example/k"\n'
                               'audiences = ["x"]\n', "jwks_uri", "loopback")

    def test_discovery_issuer_follows_the_same_policy(self):
        self.assertConfigError('[[trust]]\nissuer = "http://localhost:@evil.example"\naudiences = ["x"]\n',
                               "issuer", "userinfo")

    def test_durations_that_could_overflow_are_config_errors(self):
        for text, needle in (("[token]\nttl = 9223372036854775807\n", "ttl"),
                             ('[token]\nttl = "99999999999d"\n', "ttl"),
                             ('[[trust]]\nissuer = "https://p.example"\njwks_file = "partner.jwks.json"\n'
                              'audiences = ["x"]\nmax_stale = "106751991167d"\n', "max_stale"),
                             ('[[trust]]\nissuer = "https://p.example"\njwks_file = "partner.jwks.json"\n'
                              'audiences = ["x"]\nskew = "2d"\n', "skew"),
                             ("[limits]\nheader_timeout = 9223372036854775807\n", "header_timeout")):
            self.assertConfigError(text, needle, needle)


class AcceptedConfigTest(unittest.TestCase):
    def test_loopback_http_urls_and_star_audience_start_with_a_warning(self):
        sl.require_binary()
        server = sl.Server(18970, '''
[[trust]]
issuer = "https://a.example"
jwks_uri = "http://127.0.0.5:1/jwks.json"
audiences = ["*"]

[[trust]]
issuer = "https://b.example"
jwks_uri = "http://[::1]:1/jwks.json"
audiences = ["https://api.example.com"]

[[trust]]
issuer = "https://c.example"
jwks_uri = "http://localhost:1/jwks.json"
audiences = ["https://api.example.com"]
''')
        try:
            server.start()
            warnings = [l for l in server.log_lines() if l.get("event") == "trust_any_audience"]
            self.assertEqual(len(warnings), 1, server.log_lines())
            self.assertEqual(warnings[0]["level"], "warn")
            self.assertEqual(warnings[0]["iss"], "https://a.example")
        finally:
            server.cleanup()


class DataDirTest(unittest.TestCase):
    def setUp(self):
        sl.require_binary()
        self.server = sl.Server(18980)
        os.chmod(self.server.tmp, 0o700)

    def tearDown(self):
        self.server.cleanup()

    def assertRefused(self, mode):
        os.makedirs(self.server.data_dir)
        os.chmod(self.server.data_dir, mode)
        code, _, err = sl.tock("serve", "--config", self.server.config_path)
        self.assertEqual(code, 2, err)
        self.assertIn(self.server.data_dir, err)
        self.assertIn("writable", err)
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, "keys")))

    def test_world_writable_data_dir_is_refused(self):
        self.assertRefused(0o777)

    def test_group_writable_data_dir_is_refused(self):
        self.assertRefused(0o770)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to give the folder away")
    def test_data_dir_of_another_user_is_refused(self):
        os.makedirs(self.server.data_dir, mode=0o700)
        os.chown(self.server.data_dir, 65534, 65534)
        code, _, err = sl.tock("serve", "--config", self.server.config_path)
        self.assertEqual(code, 2, err)
        self.assertIn("owned by uid 65534", err)

    def test_everything_created_is_private(self):
        # The data dir is the test's folder, so the log file is in it too.
        with open(self.server.config_path) as f:
            config = f.read().replace(f'data_dir = "{self.server.data_dir}"',
                                      f'data_dir = "{self.server.tmp}"')
        sl.write(self.server.config_path, config)
        self.server.data_dir = self.server.tmp
        # A usual umask (022) in the parent: tock must not depend on it.
        previous = os.umask(0o022)
        try:
            self.server.start()  # SQLite's -wal and -shm exist while it runs
        finally:
            os.umask(previous)
        self.server.get("/.well-known/jwks.json")
        seen = []
        for folder, dirs, files in os.walk(self.server.data_dir):
            self.assertEqual(stat.S_IMODE(os.stat(folder).st_mode), 0o700, folder)
            for name in files:
                path = os.path.join(folder, name)
                if path == self.server.config_path:
                    continue  # written by this test, not by tock
                seen.append(name)
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
        self.assertIn("tock.db", seen)
        self.assertIn("tock.db-wal", seen)
        self.assertIn("tock.log", seen)
        self.assertTrue(any(n.endswith(".pem") for n in seen), seen)


if __name__ == "__main__":
    unittest.main()
