"""Header sizes through a real nginx auth_request (server.md, "Hostile input
costs nothing"): error_description in WWW-Authenticate is cut to 200 bytes,
so a token with a kilobytes-long iss still gets our 401 through nginx (whose
proxy buffer would turn a larger upstream header into a 500). Ports
18990-18999."""
import http.client
import os
import shutil
import signal
import subprocess
import time
import unittest

import serverlib as sl

AUD = "https://a.example.com"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(prefix, port, tock_port):
    temp = "".join(f"    {kind}_temp_path {prefix}/tmp/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f'''worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/html;
        location = /_auth {{
            internal;
            proxy_pass http://127.0.0.1:{tock_port}/validate?aud=https%3A%2F%2Fa.example.com;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}
        location /a/ {{
            auth_request /_auth;
        }}
    }}
}}
'''


class NginxHeaderLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        if not os.path.exists(NGINX):
            raise unittest.SkipTest("nginx is not installed (scripts/install-deps installs nginx-light)")
        cls.tock = sl.Server(18990).start()
        cls.nginx = None
        try:
            cls.start_nginx()
        except BaseException:
            cls.stop_all()
            raise

    @classmethod
    def start_nginx(cls):
        cls.prefix = os.path.join(cls.tock.tmp, "nginx")
        # nginx started as root serves files as "nobody": let it through the
        # 0700 temp folder (the tock data dir inside stays 0700).
        os.chmod(cls.tock.tmp, 0o711)
        os.makedirs(os.path.join(cls.prefix, "tmp"))
        os.makedirs(os.path.join(cls.prefix, "html", "a"))
        sl.write(os.path.join(cls.prefix, "html", "a", "index.html"), "page a\n")
        cls.port = sl.free_port(18995)
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
                return
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    @classmethod
    def stop_all(cls):
        if cls.nginx and cls.nginx.poll() is None:
            cls.nginx.send_signal(signal.SIGQUIT)
            try:
                cls.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.nginx.kill()
                cls.nginx.wait()
        if cls.nginx:
            cls.nginx.stderr.close()
        cls.tock.cleanup()

    @classmethod
    def tearDownClass(cls):
        cls.stop_all()

    @classmethod
    def get(cls, path, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
            res = conn.getresponse()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read().decode()
        finally:
            conn.close()

    def test_5kb_iss_is_401_with_a_short_challenge(self):
        key, _ = sl.make_key(self.tock.tmp, "k")
        iss = "https://" + "a" * 5000 + ".example"
        token = sl.sign(key, "--iss", iss, "--aud", AUD)
        status, headers, _ = self.get("/a/index.html", token)
        self.assertEqual(status, 401)
        challenge = headers.get("www-authenticate", "")
        self.assertLess(len(challenge), 300, challenge)
        self.assertTrue(challenge.startswith('Bearer error="invalid_token", error_description="'), challenge)
        self.assertTrue(challenge.endswith('..."'), challenge)

    def test_direct_answer_keeps_the_whole_message_in_the_body(self):
        key, _ = sl.make_key(self.tock.tmp, "k2")
        iss = "https://" + "\u00e9" * 2000 + ".example"  # 2 bytes each in UTF-8
        res = self.tock.validate(sl.sign(key, "--iss", iss, "--aud", AUD))
        self.assertEqual(res.status, 401)
        description = res.header("WWW-Authenticate").split('error_description="', 1)[1][:-1]
        self.assertEqual(len(description.encode()), 200)
        self.assertTrue(description.endswith("..."))
        self.assertTrue(all(0x20 <= ord(c) <= 0x7E for c in description), description)
        self.assertIn(iss, res.json()["error"]["message"])


if __name__ == "__main__":
    unittest.main()
