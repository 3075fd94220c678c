"""`tock token` against a real `tock serve` (cli.md, `tock token`): secret
and key clients, the cache, the clock warning, refusals and discovery.
Ports 19050-19069."""
import json
import os
import shutil
import tempfile
import unittest

import tokenpeers as tp
from tokenpeers import sl

SECRET = sl.CLIENT_SECRET
AUD = sl.CLIENT_AUD
CLIENTS = sl.TWO_CLIENTS


def start_server(block, config="", extra_args=()):
    server = sl.Server(block, extra_args=extra_args)
    key, _ = sl.make_key(server.tmp, "jwtclient")
    with open(server.config_path, "a") as f:
        f.write(config + CLIENTS)
    server.start()
    return server, key


class TokenServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server, cls.client_key = start_server(19050)
        cls.secret_file = sl.write(os.path.join(cls.server.tmp, "secret"), SECRET + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tock-token-")
        self.cache = os.path.join(self.tmp, "cache")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def token(self, *args, client="billing"):
        auth = ["--secret-file", self.secret_file] if client == "billing" else ["--key", self.client_key]
        return tp.tock("token", "--issuer", self.server.url, "--client-id", client, *auth,
                       "--cache", self.cache, *args)

    def test_secret_client_token_is_cached_and_reused(self):
        before = tp.issued(self.server, "billing")
        code, out, err = self.token("--json", "--scope", "read:data")
        self.assertEqual(code, 0, err)
        first = json.loads(out)
        self.assertEqual(set(first), {"access_token", "token_type", "expires_in", "expires_at", "scope",
                                      "cached", "issuer_clock"})
        self.assertFalse(first["cached"])
        self.assertEqual(first["expires_in"], 600)
        self.assertEqual(first["scope"], "read:data")
        self.assertEqual(set(first["issuer_clock"]), {"offset_s", "source"})
        self.assertEqual(tp.issued(self.server, "billing"), before + 1)
        code, out, err = tp.tock("verify", "--jwks", self.server.url + "/.well-known/jwks.json",
                                 "--iss", self.server.url, "--aud", AUD, first["access_token"])
        self.assertEqual(code, 0, out + err)
        # Again: from the cache, no request.
        code, out, err = self.token("--json", "--scope", "read:data")
        self.assertEqual(code, 0, err)
        second = json.loads(out)
        self.assertTrue(second["cached"])
        self.assertEqual(second["access_token"], first["access_token"])
        self.assertLessEqual(second["expires_in"], 600)
        self.assertGreater(second["expires_in"], 590)
        self.assertEqual(tp.issued(self.server, "billing"), before + 1)
        # Plain output: the token and a newline.
        code, out, _ = self.token("--scope", "read:data")
        self.assertEqual(out, first["access_token"] + "\n")
        self.assertEqual(tp.issued(self.server, "billing"), before + 1)
        # Another scope set is another cache entry.
        code, out, err = self.token("--json", "--scope", "write:data")
        self.assertEqual(code, 0, err)
        self.assertFalse(json.loads(out)["cached"])
        self.assertEqual(tp.issued(self.server, "billing"), before + 2)

    def test_min_ttl_decides_reuse(self):
        before = tp.issued(self.server, "billing")
        self.assertEqual(self.token("--min-ttl", "590s")[0], 0)
        code, out, _ = self.token("--min-ttl", "590s", "--json")
        self.assertTrue(json.loads(out)["cached"])  # ~600 s left >= 590 s
        self.assertEqual(tp.issued(self.server, "billing"), before + 1)
        # Twenty seconds later (this machine's clock moved on): 580 s < 590 s left.
        code, out, err = self.token("--min-ttl", "590s", "--json", "--clock-offset", "20s")
        self.assertEqual(code, 0, err)
        self.assertFalse(json.loads(out)["cached"])
        self.assertEqual(tp.issued(self.server, "billing"), before + 2)

    def test_cache_files_are_private_and_hold_no_secret(self):
        self.assertEqual(self.token()[0], 0)
        self.assertEqual(tp.mode(self.cache), 0o700)
        files = os.listdir(self.cache)
        self.assertEqual(len(files), 1)
        path = os.path.join(self.cache, files[0])
        self.assertEqual(tp.mode(path), 0o600)
        with open(path) as f:
            text = f.read()
        self.assertNotIn(SECRET, text)
        self.assertIn("access_token", text)

    def test_default_cache_folder_is_xdg_then_home(self):
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(self.tmp, "xdg"))
        code, _, err = tp.tock("token", "--issuer", self.server.url, "--client-id", "billing",
                               "--secret-file", self.secret_file, env=env)
        self.assertEqual(code, 0, err)
        self.assertEqual(len(os.listdir(os.path.join(self.tmp, "xdg", "tock"))), 1)
        env = dict(os.environ, HOME=os.path.join(self.tmp, "home"))
        env.pop("XDG_CACHE_HOME", None)
        code, _, err = tp.tock("token", "--issuer", self.server.url, "--client-id", "billing",
                               "--secret-file", self.secret_file, env=env)
        self.assertEqual(code, 0, err)
        self.assertEqual(len(os.listdir(os.path.join(self.tmp, "home", ".cache", "tock"))), 1)

    def test_no_cache_always_asks(self):
        before = tp.issued(self.server, "billing")
        for _ in range(2):
            code, out, err = self.token("--no-cache", "--json")
            self.assertEqual(code, 0, err)
            self.assertFalse(json.loads(out)["cached"])
        self.assertEqual(tp.issued(self.server, "billing"), before + 2)
        self.assertFalse(os.path.exists(self.cache))

    def test_key_client_with_private_key_jwt(self):
        before = tp.issued(self.server, "jwtclient")
        code, out, err = self.token("--json", "--audience", AUD, client="jwtclient")
        self.assertEqual(code, 0, err)
        doc = json.loads(out)
        _, claims = sl.token_parts(doc["access_token"])
        self.assertEqual(claims["sub"], "jwtclient")
        self.assertEqual(claims["aud"], AUD)
        self.assertEqual(tp.issued(self.server, "jwtclient"), before + 1)
        # A second run with --no-cache signs a fresh assertion (a reused jti is refused).
        code, _, err = self.token("--no-cache", "--audience", AUD, client="jwtclient")
        self.assertEqual(code, 0, err)
        self.assertEqual(tp.issued(self.server, "jwtclient"), before + 2)

    def test_token_url_with_key_needs_assertion_aud(self):
        code, out, err = tp.tock("token", "--token-url", self.server.url + "/token", "--client-id",
                                 "jwtclient", "--key", self.client_key, "--json", "--no-cache")
        self.assertEqual(code, 2, err)
        self.assertEqual(json.loads(out)["error"]["code"], "usage")
        code, out, err = tp.tock("token", "--token-url", self.server.url + "/token", "--client-id",
                                 "jwtclient", "--key", self.client_key, "--assertion-aud",
                                 self.server.url, "--no-cache")
        self.assertEqual(code, 0, err)

    def test_secret_from_the_environment(self):
        env = dict(os.environ, BILLING_SECRET=SECRET)
        code, out, err = tp.tock("token", "--issuer", self.server.url, "--client-id", "billing",
                                 "--secret-env", "BILLING_SECRET", "--no-cache", env=env)
        self.assertEqual(code, 0, err)
        self.assertEqual(out.count("."), 2)
        code, out, _ = tp.tock("token", "--issuer", self.server.url, "--client-id", "billing",
                               "--secret-env", "NO_SUCH_VARIABLE_HERE", "--no-cache", "--json")
        self.assertEqual(code, 2)
        self.assertEqual(json.loads(out)["error"]["code"], "usage")

    def test_header_line_for_curl(self):
        code, out, err = self.token("--header")
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"^Authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+\n$")

    def test_now_is_refused(self):
        code, out, err = self.token("--now", "2026-06-12T09:17:10Z", "--json")
        self.assertEqual(code, 2)
        self.assertEqual(json.loads(out)["error"]["code"], "usage")

    def test_wrong_secret_is_token_refused(self):
        wrong = sl.write(os.path.join(self.tmp, "wrong"), "not the secret at all, but long enough")
        code, out, err = tp.tock("token", "--issuer", self.server.url, "--client-id", "billing",
                                 "--secret-file", wrong, "--cache", self.cache, "--json")
        self.assertEqual(code, 1, err)
        e = json.loads(out)["error"]
        self.assertEqual(e["code"], "token_refused")
        self.assertEqual(e["oauth_error"], "invalid_client")
        self.assertEqual(e["status"], 401)
        self.assertTrue(e["message"])  # the endpoint's error_description
        self.assertIn("invalid_client", err)
        self.assertFalse(os.path.exists(self.cache) and os.listdir(self.cache))

    def test_unknown_scope_is_token_refused(self):
        code, out, _ = self.token("--json", "--scope", "admin")
        self.assertEqual(code, 1)
        self.assertEqual(json.loads(out)["error"]["oauth_error"], "invalid_scope")

    def test_plain_http_to_a_remote_host_is_refused(self):
        code, out, _ = tp.tock("token", "--token-url", "http://example.com/token", "--client-id",
                               "billing", "--secret-file", self.secret_file, "--json", "--no-cache")
        self.assertEqual(code, 2)
        self.assertEqual(json.loads(out)["error"]["code"], "usage")

    def test_unreachable_endpoint_is_network_error(self):
        port = sl.free_port(19090)
        code, out, _ = tp.tock("token", "--token-url", f"http://127.0.0.1:{port}/token",
                               "--client-id", "billing", "--secret-file", self.secret_file,
                               "--json", "--no-cache")
        self.assertEqual(code, 2)
        self.assertEqual(json.loads(out)["error"]["code"], "network_error")


class FailingRenewalTest(unittest.TestCase):
    """A cached token due for renewal is still printed while renewal fails,
    until it expires (cli.md: a still-valid cached token served)."""

    def test_cached_token_outlives_a_dead_endpoint(self):
        server, _ = start_server(19060)
        tmp = tempfile.mkdtemp(prefix="tock-token-")
        self.addCleanup(shutil.rmtree, tmp, True)
        try:
            secret = sl.write(os.path.join(tmp, "secret"), SECRET)
            args = ["token", "--token-url", server.url + "/token", "--client-id", "billing",
                    "--secret-file", secret, "--cache", os.path.join(tmp, "cache"),
                    "--min-ttl", "300s", "--json"]
            code, out, err = tp.tock(*args)
            self.assertEqual(code, 0, err)
            token = json.loads(out)["access_token"]
        finally:
            server.cleanup()
        # 400 s later by this machine's clock: renewal is due, the endpoint is gone.
        code, out, err = tp.tock(*args, "--clock-offset", "400s")
        self.assertEqual(code, 0, err)
        doc = json.loads(out)
        self.assertEqual(doc["access_token"], token)
        self.assertTrue(doc["cached"])
        self.assertIn("could not renew", err)
        # Past its expiry: the error.
        code, out, err = tp.tock(*args, "--clock-offset", "700s")
        self.assertEqual(code, 2, out)
        self.assertEqual(json.loads(out)["error"]["code"], "network_error")


class DiscoveryMismatchTest(unittest.TestCase):
    """A discovery document for another issuer: exit 2 discovery_error."""

    def test_issuer_mismatch(self):
        server, _ = start_server(19060, config='issuer = "https://issuer.example.com"\n')
        try:
            secret = sl.write(os.path.join(server.tmp, "secret"), SECRET)
            before = tp.issued(server, "billing")
            code, out, err = tp.tock("token", "--issuer", server.url, "--client-id", "billing",
                                     "--secret-file", secret, "--no-cache", "--json")
            self.assertEqual(code, 2, err)
            e = json.loads(out)["error"]
            self.assertEqual(e["code"], "discovery_error")
            self.assertIn("https://issuer.example.com", e["message"])
            self.assertEqual(tp.issued(server, "billing"), before)
        finally:
            server.cleanup()


@unittest.skipUnless(tp.serve_has_clock_offset(), "tock serve has no --clock-offset yet (issue 15)")
class ClockWarningTest(unittest.TestCase):
    """A server whose clock is off: tock token says so, with the figure."""

    def run_against(self, offset, *extra, client="billing"):
        server, key = start_server(19070 if offset > 0 else 19080, config=extra[0] if extra else "",
                                   extra_args=[f"--clock-offset={offset}s"])
        self.addCleanup(server.cleanup)
        secret = sl.write(os.path.join(server.tmp, "secret"), SECRET)
        auth = ["--secret-file", secret] if client == "billing" else ["--key", key]
        result = tp.tock("token", "--issuer", server.url, "--client-id", client, *auth,
                         "--no-cache", "--json")
        return server, result

    def assert_warning(self, err, seconds, direction):
        m = tp.CLOCK_WARNING.search(err)
        self.assertIsNotNone(m, err)
        self.assertAlmostEqual(int(m.group(1)), seconds, delta=1)
        self.assertEqual(m.group(2), direction)

    def test_issuer_73s_ahead(self):
        _, (code, out, err) = self.run_against(73)
        self.assertEqual(code, 0, err)
        self.assert_warning(err, 73, "ahead of")
        clock = json.loads(out)["issuer_clock"]
        self.assertAlmostEqual(clock["offset_s"], 73, delta=1)
        self.assertIn(clock["source"], ("iat", "date"))

    def test_key_client_hears_its_assertions_look_old(self):
        _, (code, out, err) = self.run_against(73, client="jwtclient")
        self.assertEqual(code, 0, err)
        self.assert_warning(err, 73, "ahead of")
        self.assertIn("private_key_jwt assertions look", err)

    def test_issuer_73s_behind(self):
        # A key client: no scrypt on the server, so the round trip the Date
        # estimate is centred in stays short.
        server, (code, out, err) = self.run_against(-73, client="jwtclient")
        if not tp.serve_sends_date(server):
            self.skipTest("tock serve sends no Date header yet (issue 11, HTTP)")
        self.assertEqual(code, 0, err)
        self.assert_warning(err, 73, "behind")
        self.assertIn("assertions look 73s early", err.replace("72s", "73s").replace("74s", "73s"))
        clock = json.loads(out)["issuer_clock"]
        self.assertAlmostEqual(clock["offset_s"], -73, delta=1)
        self.assertEqual(clock["source"], "date")

    def test_refused_assertion_still_learns_the_clock(self):
        # Assertions live 60 s; with no skew allowed, a server 73 s ahead sees them expired.
        server, (code, out, err) = self.run_against(73, '[assertion]\nskew = "0s"\n',
                                                    client="jwtclient")
        if not tp.serve_sends_date(server):
            self.skipTest("tock serve sends no Date header yet (issue 11, HTTP)")
        self.assertEqual(code, 1, err)
        e = json.loads(out)["error"]
        self.assertEqual(e["code"], "token_refused")
        self.assertEqual(e["oauth_error"], "invalid_client")
        self.assertIn("expired", e["message"])
        self.assert_warning(err, 73, "ahead of")


if __name__ == "__main__":
    unittest.main()
