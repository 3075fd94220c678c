"""A real nginx (Debian nginx-light) with `auth_request` to `tock serve`'s
/validate, one auth location per policy with `?aud=` / `?scope=` as
docs/nginx.md shows, in front of static locations. Ports 18500-18509."""
import http.client
import os
import shutil
import signal
import subprocess
import time
import unittest

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD_A = "https://a.example.com"
AUD_B = "https://b.example.com"
REMOTE = "https://remote.partner.example"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

AUTH_LOCATION = '''
        location = /_auth/%(name)s {
            internal;
            proxy_pass http://tock_validate/validate?%(query)s;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host localhost;  # tock on loopback answers loopback names only
        }
        location /%(name)s/ {
            auth_request /_auth/%(name)s;
            auth_request_set $auth_subject $upstream_http_x_auth_subject;
            add_header X-Seen-Subject $auth_subject always;
            error_page 500 = @auth_unavailable;
        }
'''


def nginx_config(prefix, port, tock_port):
    temp = "".join(f"    {kind}_temp_path {prefix}/tmp/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    locations = "".join(AUTH_LOCATION % {"name": name, "query": query} for name, query in (
        ("a", "aud=https%3A%2F%2Fa.example.com"),
        ("a-write", "aud=https%3A%2F%2Fa.example.com&scope=write"),
    ))
    return f'''worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    upstream tock_validate {{
        server 127.0.0.1:{tock_port};
        keepalive 4;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/html;
{locations}
        location @auth_unavailable {{
            add_header Retry-After 30 always;
            return 503;
        }}
    }}
}}
'''


class NginxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        if not os.path.exists(NGINX):
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
        cls.prefix = os.path.join(cls.tock.tmp, "nginx")
        # nginx started as root serves files as "nobody": let it through the
        # 0700 temp folder (the tock data dir inside stays 0700).
        os.chmod(cls.tock.tmp, 0o711)
        for sub in ("tmp", "html/a", "html/a-write"):
            os.makedirs(os.path.join(cls.prefix, sub))
        for name in ("a", "a-write"):
            sl.write(os.path.join(cls.prefix, "html", name, "index.html"), f"page {name}\n")
        cls.port = sl.free_port(18505)
        conf = sl.write(os.path.join(cls.prefix, "nginx.conf"),
                        nginx_config(cls.prefix, cls.port, cls.tock.port))
        cls.nginx = subprocess.Popen(
            [NGINX, "-p", cls.prefix, "-c", conf, "-e", "stderr", "-g",
             f"daemon off; pid {cls.prefix}/nginx.pid; error_log stderr;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while True:
            if cls.nginx.poll() is not None:
                raise RuntimeError("nginx exited: " + cls.nginx.stderr.read())
            try:
                cls.get("/nothing/")
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        nginx = getattr(cls, "nginx", None)
        if nginx and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful shutdown
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        if nginx:
            nginx.stderr.close()
        tock_code = cls.tock.stop()
        cls.tock.cleanup()
        # A clean shutdown of both: nginx on SIGQUIT, tock serve on SIGTERM.
        if nginx and nginx.returncode != 0:
            raise AssertionError(f"nginx exited {nginx.returncode} on SIGQUIT")
        if tock_code != 0:
            raise AssertionError(f"tock serve exited {tock_code} on SIGTERM")

    @classmethod
    def get(cls, path, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
            res = conn.getresponse()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read().decode()
        finally:
            conn.close()

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
