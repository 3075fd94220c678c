"""The verified-token cache through a real tock serve: its metrics count hits
and misses, the skew histogram still counts each token once, one_time
entries never use it, and cache_size = 0 turns it off. Ports 19200-19209."""
import os
import re
import unittest

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"
OTHER_AUD = "https://shop.example.com"
PARTNER = "https://login.partner.example"
ONCE = "https://once.partner.example"


def metric(text, series):
    m = re.search("^" + re.escape(series) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


class ValidateCacheTest(unittest.TestCase):
    def start(self, extra=""):
        tmp = self.tmp
        server = sl.Server(19200, f'''
[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read"]
audiences = ["{AUD}"]

[[client]]
id = "shop"
secret = "{SECRET}"
scopes = ["read"]
audiences = ["{OTHER_AUD}"]

[[trust]]
issuer = "{PARTNER}"
jwks_file = "{self.jwks}"
audiences = ["{AUD}"]

[[trust]]
issuer = "{ONCE}"
jwks_file = "{self.jwks}"
audiences = ["{AUD}"]
one_time = true
''' + extra)
        self.addCleanup(server.cleanup)
        return server.start()

    def setUp(self):
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="tock-cache-test-")
        self.key, self.jwks = sl.make_key(self.tmp, "partner")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.tmp, ignore_errors=True)

    def counts(self, server):
        text = server.get("/metrics").body
        return (metric(text, 'tock_validate_cache_total{result="hit"}'),
                metric(text, 'tock_validate_cache_total{result="miss"}'),
                metric(text, "tock_validate_cache_entries"), text)

    def test_metrics_count_hits_and_misses_and_skew_counts_once(self):
        server = self.start()
        token = sl.sign(self.key, "--iss", PARTNER, "--sub", "svc", "--aud", AUD,
                        "--iat-backdate", "3s")
        for _ in range(5):
            self.assertEqual(server.validate(token).status, 204)
        other = sl.sign(self.key, "--iss", PARTNER, "--sub", "svc", "--aud", AUD)
        self.assertEqual(server.validate(other).status, 204)
        hits, misses, entries, text = self.counts(server)
        self.assertEqual((hits, misses, entries), (4, 2, 2), text)
        skew = metric(text, 'tock_observed_issuer_skew_seconds_count{issuer="%s"}' % PARTNER)
        self.assertEqual(skew, 2, text)  # two tokens, each counted once
        # A refused token is never cached: each try is a miss.
        bad = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        for _ in range(2):
            self.assertEqual(server.validate(bad).status, 401)
        hits, misses, entries, _ = self.counts(server)
        self.assertEqual((hits, misses, entries), (4, 4, 2))

    def test_own_tokens_are_cached_and_the_location_is_checked_on_a_hit(self):
        server = self.start()
        res = server.token("billing", SECRET, scope="read")
        self.assertEqual(res.status, 200, res.body)
        token = res.json()["access_token"]
        self.assertEqual(server.validate(token, "?scope=read").status, 204)
        res = server.validate(token, "?scope=write")
        self.assertEqual(res.status, 403)
        # An audience this server accepts (the shop client's), but not the token's.
        res = server.validate(token, "?aud=https%3A%2F%2Fshop.example.com")
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"]["code"], "aud_mismatch")
        hits, misses, _, text = self.counts(server)
        self.assertEqual((hits, misses), (2, 1), text)
        self.assertEqual(server.validate(token, "?aud=https%3A%2F%2Fapi.example.com").status, 204)

    def test_one_time_tokens_never_use_the_cache(self):
        server = self.start()
        token = sl.sign(self.key, "--iss", ONCE, "--sub", "svc", "--aud", AUD)
        self.assertEqual(server.validate(token).status, 204)
        res = server.validate(token)
        self.assertEqual(res.status, 401)
        self.assertEqual(res.json()["error"]["code"], "replayed")
        hits, misses, entries, text = self.counts(server)
        self.assertEqual((hits, misses, entries), (0, 0, 0), text)

    def test_cache_size_zero_turns_it_off(self):
        server = self.start("\n[validate]\ncache_size = 0\n")
        token = sl.sign(self.key, "--iss", PARTNER, "--sub", "svc", "--aud", AUD)
        for _ in range(3):
            self.assertEqual(server.validate(token).status, 204)
        hits, misses, entries, text = self.counts(server)
        self.assertEqual((hits, misses, entries), (0, 0, 0), text)

    def test_bad_cache_settings_are_config_errors(self):
        server = sl.Server(19200, '\n[validate]\ncache_size = -1\n')
        self.addCleanup(server.cleanup)
        code, _, err = sl.tock("serve", "--config", server.config_path)
        self.assertEqual(code, 2)
        self.assertIn("cache_size", err)


if __name__ == "__main__":
    sl.require_binary()
    unittest.main()
