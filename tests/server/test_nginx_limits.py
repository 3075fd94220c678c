"""Header sizes through a real nginx auth_request (server.md, "Hostile input
costs nothing"): error_description in WWW-Authenticate is cut to 200 bytes,
so a token with a kilobytes-long iss still gets our 401 through nginx (whose
proxy buffer would turn a larger upstream header into a 500). Ports
18990-18999."""
import os
import unittest

import nginxlib
import serverlib as sl

AUD = "https://a.example.com"


class NginxHeaderLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        if not nginxlib.installed():
            raise unittest.SkipTest("nginx is not installed (scripts/install-deps installs nginx-light)")
        cls.tock = sl.Server(18990).start()
        # nginx started as root serves files as "nobody": let it through the
        # 0700 temp folder (the tock data dir inside stays 0700).
        os.chmod(cls.tock.tmp, 0o711)
        cls.nginx = None
        try:
            cls.nginx = nginxlib.Nginx(
                os.path.join(cls.tock.tmp, "nginx"), sl.free_port(18995), cls.tock.port,
                nginxlib.auth_location("a", "aud=https%3A%2F%2Fa.example.com"), {"a": "page a\n"})
        except BaseException:
            cls.tock.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        cls.tock.cleanup()

    def get(self, path, token=None):
        return self.nginx.get(path, token)

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
