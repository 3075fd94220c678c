"""The remote JWKS cache of `tock serve` against an upstream that answers
slowly or with garbage (server.md, "Remote JWKS cache"; issue 5, tests).

The upstream is an HTTP server of the test's own with one path per behaviour.
With a cached set, validation keeps working on cached keys; a request that
triggers a refresh never waits longer than fetch_timeout (1 s here, the
upstream sleeps 3 s) plus a margin; with no set ever fetched the answer is
503 network_error. Port block 18560-18569 (tock serve) and 18570-18579 (upstream).
"""
import http.server
import json
import threading
import time
import unittest

import serverlib as sl

AUD = "https://api.example.com"
MAIN = "https://main.upstream.example"        # has a cached set
SLOW = "https://slow.upstream.example"        # never answers in time
TEXT = "https://text.upstream.example"        # answers HTML, not JSON
NOKEYS = "https://nokeys.upstream.example"    # answers JSON without "keys"
FETCH_TIMEOUT_S = 1
SLOW_S = 3
COOLDOWN_S = 2
# Allowance over fetch_timeout for our own work, curl's timer resolution and a
# busy CI machine; still well under the upstream's SLOW_S, so a request that
# waited for the slow answer cannot pass.
MARGIN_S = 1.0


class Upstream:
    """Serves the JWKS at /main.json per |mode|; /slow.json, /text.json and
    /nokeys.json always misbehave. Counts the fetches of each path."""

    def __init__(self, port, jwks):
        self.jwks = jwks
        self.mode = "ok"
        self.max_age = 60
        self.fetches = {}
        self.lock = threading.Lock()
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with upstream.lock:
                    upstream.fetches[self.path] = upstream.fetches.get(self.path, 0) + 1
                mode = {"/slow.json": "slow", "/text.json": "not_json",
                        "/nokeys.json": "no_keys"}.get(self.path, upstream.mode)
                if mode == "slow":
                    time.sleep(SLOW_S)
                    body, ctype = upstream.jwks, "application/json"
                elif mode == "not_json":
                    body, ctype = "<html><body>502 Bad Gateway</body></html>", "text/html"
                elif mode == "no_keys":
                    body, ctype = json.dumps({"jwks": "elsewhere", "items": []}), "application/json"
                else:
                    body, ctype = upstream.jwks, "application/json"
                try:
                    data = body.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Cache-Control", "max-age=%d" % upstream.max_age)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # tock gave up waiting (fetch_timeout) and closed the connection

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = "http://127.0.0.1:%d" % port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def count(self, path):
        with self.lock:
            return self.fetches.get(path, 0)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class JwksUpstreamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.server = sl.Server(18560)
        cls.key, jwks_path = sl.make_key(cls.server.tmp, "main")
        with open(jwks_path) as f:
            cls.upstream = Upstream(sl.free_port(18570), f.read())
        try:
            with open(cls.server.config_path, "a") as f:
                f.write(cls.trust(MAIN, "/main.json", cache_min="1s"))
                for issuer, path in ((SLOW, "/slow.json"), (TEXT, "/text.json"), (NOKEYS, "/nokeys.json")):
                    f.write(cls.trust(issuer, path))
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            cls.upstream.close()
            raise

    @classmethod
    def trust(cls, issuer, path, **extra):
        lines = [f'issuer = "{issuer}"', f'jwks_uri = "{cls.upstream.url}{path}"',
                 f'audiences = ["{AUD}"]', f'fetch_timeout = "{FETCH_TIMEOUT_S}s"',
                 f'cooldown = "{COOLDOWN_S}s"']
        lines += [f'{k} = "{v}"' for k, v in extra.items()]
        return "\n[[trust]]\n" + "\n".join(lines) + "\n"

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.upstream.close()

    def token(self, issuer=MAIN, *args):
        return sl.sign(self.key, "--iss", issuer, "--sub", "svc", "--aud", AUD, *args)

    def timed_validate(self, token):
        start = time.monotonic()
        res = self.server.validate(token, "")
        return res, time.monotonic() - start

    def assertWithinFetchTimeout(self, elapsed):
        self.assertLess(elapsed, FETCH_TIMEOUT_S + MARGIN_S,
                        "the request took %.2f s; fetch_timeout is %d s" % (elapsed, FETCH_TIMEOUT_S))

    def prime(self, max_age):
        """Leaves a freshly fetched good set for MAIN, cached for |max_age|
        seconds, and a cooldown that ends COOLDOWN_S from now."""
        self.upstream.mode = "ok"
        self.upstream.max_age = max_age
        # Let any earlier cooldown end, including that of a background refresh
        # (stale while revalidate) that was still in flight when the last test ended.
        time.sleep(FETCH_TIMEOUT_S + COOLDOWN_S + 0.1)
        before = self.upstream.count("/main.json")
        res = self.server.validate(self.token(MAIN, "--kid", "prime"))  # unknown kid: a refresh
        self.assertEqual(res.json()["error"]["code"], "key_not_found")
        self.assertEqual(self.upstream.count("/main.json"), before + 1)
        self.assertEqual(self.server.validate(self.token()).status, 204)

    def wait_for_fetches(self, path, count):
        """A refresh of an expired set runs in the background (stale while
        revalidate): the answer may come before the upstream sees the fetch."""
        deadline = time.monotonic() + 2
        while self.upstream.count(path) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def refresh_failures(self):
        return [l for l in self.server.log_lines()
                if l.get("event") == "jwks_refresh_failed" and l.get("iss") == MAIN]

    def test_slow_refresh_on_unknown_kid_is_bounded_and_cached_keys_still_work(self):
        self.prime(max_age=600)
        self.upstream.mode = "slow"
        time.sleep(COOLDOWN_S + 0.1)
        before = self.upstream.count("/main.json")
        res, elapsed = self.timed_validate(self.token(MAIN, "--kid", "rotated-away"))
        self.assertEqual(res.status, 401, res.body)
        self.assertEqual(res.json()["error"]["code"], "key_not_found")
        self.assertWithinFetchTimeout(elapsed)
        self.assertEqual(self.upstream.count("/main.json"), before + 1)
        res, elapsed = self.timed_validate(self.token())
        self.assertEqual(res.status, 204, res.body)
        self.assertWithinFetchTimeout(elapsed)
        self.assertEqual(self.upstream.count("/main.json"), before + 1)  # cooling down: no fetch
        failure = self.refresh_failures()[-1]
        self.assertEqual(failure["code"], "network_error")
        self.assertEqual(failure["jwks_uri"], self.upstream.url + "/main.json")

    def test_slow_refresh_of_expired_set_is_shared_bounded_and_serves_stale_keys(self):
        self.prime(max_age=1)  # cache_min = 1s: the set expires a second after the fetch
        self.upstream.mode = "slow"
        time.sleep(COOLDOWN_S + 0.1)  # expired, and the prime's cooldown is over
        before = self.upstream.count("/main.json")
        results = [None] * 4
        token = self.token()

        def call(i):
            results[i] = self.timed_validate(token)

        threads = [threading.Thread(target=call, args=(i,)) for i in range(len(results))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        for res, elapsed in results:
            self.assertEqual(res.status, 204, res.body)  # stale-if-error
            self.assertWithinFetchTimeout(elapsed)
        # One in-flight fetch shared by all four; its failure starts the cooldown.
        self.wait_for_fetches("/main.json", before + 1)
        self.assertEqual(self.upstream.count("/main.json"), before + 1)
        res, elapsed = self.timed_validate(token)
        self.assertEqual(res.status, 204, res.body)
        self.assertLess(elapsed, MARGIN_S)
        self.assertEqual(self.upstream.count("/main.json"), before + 1)

    def test_non_json_answer_keeps_cached_keys(self):
        self.prime(max_age=600)
        errors_before = self.refresh_error_count()
        self.upstream.mode = "not_json"
        time.sleep(COOLDOWN_S + 0.1)
        before = self.upstream.count("/main.json")
        res = self.server.validate(self.token(MAIN, "--kid", "rotated-away"))
        self.assertEqual(res.status, 401, res.body)
        self.assertEqual(res.json()["error"]["code"], "key_not_found")
        self.assertEqual(self.upstream.count("/main.json"), before + 1)
        self.assertEqual(self.server.validate(self.token()).status, 204)
        self.assertEqual(self.refresh_error_count(), errors_before + 1)
        self.assertIn(self.upstream.url + "/main.json", self.refresh_failures()[-1]["message"])

    def test_json_without_keys_on_expiry_keeps_cached_keys(self):
        self.prime(max_age=1)
        self.upstream.mode = "no_keys"
        time.sleep(COOLDOWN_S + 0.1)
        before = self.upstream.count("/main.json")
        res = self.server.validate(self.token())
        self.assertEqual(res.status, 204, res.body)
        self.wait_for_fetches("/main.json", before + 1)
        self.assertEqual(self.upstream.count("/main.json"), before + 1)
        # The failed refresh left the stale set in place and started a cooldown.
        self.assertEqual(self.server.validate(self.token()).status, 204)
        self.assertEqual(self.upstream.count("/main.json"), before + 1)

    def refresh_error_count(self):
        prefix = 'tock_jwks_refresh_total{issuer="%s",result="error"} ' % MAIN
        for line in self.server.get("/metrics").body.splitlines():
            if line.startswith(prefix):
                return int(float(line[len(prefix):]))
        return 0

    def assertNetworkError(self, res):
        self.assertEqual(res.status, 503, res.body)
        self.assertTrue(res.header("Retry-After"))
        self.assertEqual(res.json()["error"]["code"], "network_error")

    def test_slow_upstream_never_fetched_is_503_within_fetch_timeout(self):
        res, elapsed = self.timed_validate(self.token(SLOW))
        self.assertNetworkError(res)
        self.assertWithinFetchTimeout(elapsed)
        self.assertEqual(self.upstream.count("/slow.json"), 1)
        # Within the cooldown a failed fetch is not retried: 503 at once.
        res, elapsed = self.timed_validate(self.token(SLOW))
        self.assertNetworkError(res)
        self.assertLess(elapsed, MARGIN_S)
        self.assertEqual(self.upstream.count("/slow.json"), 1)

    def test_non_json_upstream_never_fetched_is_503(self):
        self.assertNetworkError(self.server.validate(self.token(TEXT)))
        self.assertEqual(self.upstream.count("/text.json"), 1)

    def test_json_without_keys_never_fetched_is_503(self):
        self.assertNetworkError(self.server.validate(self.token(NOKEYS)))
        self.assertEqual(self.upstream.count("/nokeys.json"), 1)


if __name__ == "__main__":
    unittest.main()
