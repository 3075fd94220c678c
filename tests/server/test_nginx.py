"""A real nginx (Debian nginx-light) with `auth_request` to `tock serve`'s
/validate, one auth location per policy with `?aud=` / `?scope=` as
docs/nginx.md shows, in front of static locations. Ports 18500-18509."""
import os
import unittest

import nginxlib
import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD_A = "https://a.example.com"
AUD_B = "https://b.example.com"
REMOTE = "https://remote.partner.example"

GUARDED_EXTRA = '''            auth_request_set $auth_subject $upstream_http_x_auth_subject;
            add_header X-Seen-Subject $auth_subject always;
            error_page 500 = @auth_unavailable;'''
LOCATIONS = "".join(nginxlib.auth_location(name, query, GUARDED_EXTRA) for name, query in (
    ("a", "aud=https%3A%2F%2Fa.example.com"),
    ("a-write", "aud=https%3A%2F%2Fa.example.com&scope=write"),
)) + '''
        location @auth_unavailable {
            add_header Retry-After 30 always;
            return 503;
        }
'''


class NginxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        if not nginxlib.installed():
            raise unittest.SkipTest("nginx is not installed (scripts/install-deps installs nginx-light)")
        cls.tock = sl.Server(18500, f'''
[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read", "write"]
audiences = ["{AUD_A}", "{AUD_B}"]

[[trust]]
issuer = "{REMOTE}"
jwks_uri = "http://127.0.0.1:9/jwks.json"
audiences = ["{AUD_A}"]
fetch_timeout = "1s"
''').start()
        # nginx started as root serves files as "nobody": let it through the
        # 0700 temp folder (the tock data dir inside stays 0700).
        os.chmod(cls.tock.tmp, 0o711)
        cls.nginx = None
        try:
            cls.nginx = nginxlib.Nginx(os.path.join(cls.tock.tmp, "nginx"), sl.free_port(18505),
                                       cls.tock.port, LOCATIONS,
                                       {"a": "page a\n", "a-write": "page a-write\n"})
        except BaseException:
            cls.tock.stop()
            cls.tock.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        nginx_code = cls.nginx.stop()
        tock_code = cls.tock.stop()
        cls.tock.cleanup()
        # A clean shutdown of both: nginx on SIGQUIT, tock serve on SIGTERM.
        if nginx_code != 0:
            raise AssertionError(f"nginx exited {nginx_code} on SIGQUIT")
        if tock_code != 0:
            raise AssertionError(f"tock serve exited {tock_code} on SIGTERM")

    def get(self, path, token=None):
        return self.nginx.get(path, token)

    def token(self, audience=AUD_A, scope="read"):
        res = self.tock.token("billing", SECRET, audience=audience, scope=scope)
        self.assertEqual(res.status, 200, res.body)
        return res.json()["access_token"]

    def test_valid_token_gets_the_page(self):
        status, headers, body = self.get("/a/index.html", self.token())
        self.assertEqual(status, 200, body)
        self.assertEqual(body, "page a\n")
        self.assertEqual(headers.get("x-seen-subject"), "billing")

    def test_invalid_token_is_401_with_our_reason(self):
        status, headers, _ = self.get("/a/index.html", "not.a.token")
        self.assertEqual(status, 401)
        challenge = headers.get("www-authenticate", "")
        self.assertTrue(challenge.startswith('Bearer error="invalid_token", error_description="'), challenge)

    def test_no_token_is_401_with_a_bare_challenge(self):
        status, headers, _ = self.get("/a/index.html")
        self.assertEqual(status, 401)
        self.assertEqual(headers.get("www-authenticate"), "Bearer")

    def test_token_for_another_audience_is_401_aud_mismatch(self):
        status, headers, _ = self.get("/a/index.html", self.token(audience=AUD_B))
        self.assertEqual(status, 401)
        self.assertIn("invalid_token", headers.get("www-authenticate", ""))
        self.assertIn("aud", headers.get("www-authenticate", ""))

    def test_missing_scope_is_403_and_the_scope_passes(self):
        status, _, _ = self.get("/a-write/index.html", self.token(scope="read"))
        self.assertEqual(status, 403)
        status, _, body = self.get("/a-write/index.html", self.token(scope="read write"))
        self.assertEqual(status, 200, body)
        self.assertEqual(body, "page a-write\n")

    def test_503_from_validate_stays_503_through_nginx(self):
        key, _ = sl.make_key(self.tock.tmp, "remote")
        token = sl.sign(key, "--iss", REMOTE, "--aud", AUD_A)
        status, headers, _ = self.get("/a/index.html", token)
        self.assertEqual(status, 503)
        self.assertEqual(headers.get("retry-after"), "30")


if __name__ == "__main__":
    unittest.main()
