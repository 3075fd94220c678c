"""JWKS refresh off the request path (server.md, "Faults are survived":
stale while revalidate).

A trust entry's upstream (an http.server of the test's own) answers after
SLOW_S seconds. Once the cached set's max age has passed, requests for known
kids are answered from the stale set at once while one refresh runs in the
background; when the slow refresh lands, its keys are used without another
fetch. An unknown kid may wait for the in-flight fetch, at most fetch_timeout.
Ports: tock serve 18790-18799, upstream 18780-18789.
"""
import http.server
import json
import os
import threading
import time
import unittest

import serverlib as sl

AUD = "https://api.example.com"
SWR = "https://swr.upstream.example"      # fetch_timeout longer than the upstream's delay
BOUND = "https://bound.upstream.example"  # fetch_timeout shorter than the upstream's delay
SLOW_S = 5
SCALE = float(os.environ.get("TOCK_TIME_SCALE", "1"))
FAST_S = 0.3 * SCALE  # a request that did not wait for the upstream
BOUND_FETCH_TIMEOUT_S = 2


class Upstream:
    """Serves /swr.json and /bound.json: the JWKS with max-age=1, after
    SLOW_S seconds when |slow|. Counts fetches per path."""

    def __init__(self, port):
        self.jwks = {}
        self.slow = False
        self.fetches = {}
        self.lock = threading.Lock()
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with upstream.lock:
                    upstream.fetches[self.path] = upstream.fetches.get(self.path, 0) + 1
                    slow, body = upstream.slow, upstream.jwks.get(self.path, "")
                if slow:
                    time.sleep(SLOW_S)
                try:
                    data = body.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Cache-Control", "max-age=1")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # tock stopped waiting (fetch_timeout)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def set(self, path, jwks, slow):
        with self.lock:
            self.jwks[path] = jwks
            self.slow = slow

    def count(self, path):
        with self.lock:
            return self.fetches.get(path, 0)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def merged_jwks(*paths):
    """One JWKS of the keys in |paths|, each key's kid its file's name
    ("old.jwks.json" -> "old"), as the tokens' headers say."""
    keys = []
    for path in paths:
        with open(path) as f:
            for key in json.load(f)["keys"]:
                key["kid"] = os.path.basename(path).split(".")[0]
                keys.append(key)
    return json.dumps({"keys": keys})


class JwksFaultsTest(unittest.TestCase):
    def setUp(self):
        sl.require_binary()
        self.server = sl.Server(18790)
        tmp = self.server.tmp
        self.old_key, self.old_jwks = sl.make_key(tmp, "old")
        self.new_key, self.new_jwks = sl.make_key(tmp, "new")
        self.upstream = Upstream(sl.free_port(18780))
        try:
            with open(self.server.config_path, "a") as f:
                f.write(self.trust(SWR, "/swr.json", fetch_timeout=f"{SLOW_S * 3}s"))
                f.write(self.trust(BOUND, "/bound.json", fetch_timeout=f"{BOUND_FETCH_TIMEOUT_S}s"))
            for path in ("/swr.json", "/bound.json"):
                self.upstream.set(path, merged_jwks(self.old_jwks), slow=False)
            self.server.start()
        except BaseException:
            self.tearDown()
            raise

    def tearDown(self):
        self.server.cleanup()  # before the upstream: tock joins its in-flight fetch
        self.upstream.close()

    def trust(self, issuer, path, **extra):
        lines = [f'issuer = "{issuer}"', f'jwks_uri = "{self.upstream.url}{path}"',
                 f'audiences = ["{AUD}"]', 'cache_min = "1s"', 'cooldown = "1s"']
        lines += [f'{k} = "{v}"' for k, v in extra.items()]
        return "\n[[trust]]\n" + "\n".join(lines) + "\n"

    def token(self, key, issuer, kid):
        return sl.sign(key, "--iss", issuer, "--sub", "svc", "--aud", AUD, "--kid", kid, "--ttl", "5m")

    def timed_validate(self, token):
        start = time.monotonic()
        res = self.server.validate(token)
        return res, time.monotonic() - start

    def prime_then_slow(self, issuer, path):
        """Fetches the old set (max-age 1 s), lets it expire, then makes the
        upstream slow, serving old + new keys from then on."""
        old_token = self.token(self.old_key, issuer, "old")
        res = self.server.validate(old_token)
        self.assertEqual(res.status, 204, res.body)
        self.assertEqual(self.upstream.count(path), 1)
        time.sleep(1.5)  # past max-age (and the cooldown)
        self.upstream.set(path, merged_jwks(self.old_jwks, self.new_jwks), slow=True)
        return old_token

    def test_known_kid_never_waits_for_a_scheduled_refresh(self):
        old_token = self.prime_then_slow(SWR, "/swr.json")
        started = time.monotonic()
        timings = []
        # Requests for ~3 s, all while the one slow refresh is in flight.
        while time.monotonic() - started < SLOW_S - 2:
            res, elapsed = self.timed_validate(old_token)
            self.assertEqual(res.status, 204, res.body)
            timings.append(elapsed)
            time.sleep(0.05)
        self.assertLess(max(timings), FAST_S, "slowest /validate %.3f s" % max(timings))
        self.assertGreater(len(timings), 10)
        self.assertEqual(self.upstream.count("/swr.json"), 2, "one background refresh at a time")

    def test_concurrent_requests_share_one_background_refresh_and_get_its_keys(self):
        old_token = self.prime_then_slow(SWR, "/swr.json")
        results = []
        lock = threading.Lock()

        def call():
            for _ in range(5):
                res, elapsed = self.timed_validate(old_token)
                with lock:
                    results.append((res.status, elapsed))

        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(len(results), 30)
        self.assertEqual({status for status, _ in results}, {204})
        self.assertLess(max(e for _, e in results), FAST_S * 2)
        self.assertEqual(self.upstream.count("/swr.json"), 2)
        # Once the slow refresh lands, the new key is known without a fetch.
        new_token = self.token(self.new_key, SWR, "new")
        deadline = time.monotonic() + SLOW_S + 5
        while time.monotonic() < deadline:
            res = self.server.validate(new_token)
            if res.status == 204:
                break
            time.sleep(0.2)
        self.assertEqual(res.status, 204, res.body)
        self.assertEqual(self.upstream.count("/swr.json"), 2)
        metrics = self.server.get("/metrics").body
        self.assertIn('tock_jwks_refresh_total{issuer="%s",result="ok"} 2' % SWR, metrics)

    def test_unknown_kid_waits_for_the_in_flight_fetch_at_most_fetch_timeout(self):
        old_token = self.prime_then_slow(BOUND, "/bound.json")
        res, elapsed = self.timed_validate(old_token)  # starts the background refresh
        self.assertEqual(res.status, 204, res.body)
        self.assertLess(elapsed, FAST_S)
        res, elapsed = self.timed_validate(self.token(self.new_key, BOUND, "new"))
        self.assertEqual(res.status, 401, res.body)
        self.assertEqual(res.json()["error"]["code"], "key_not_found")
        self.assertLess(elapsed, BOUND_FETCH_TIMEOUT_S + 1.0 * SCALE)
        self.assertGreater(elapsed, 0.5, "it waited for the in-flight fetch")
        self.assertEqual(self.upstream.count("/bound.json"), 2, "no second fetch")
        res, elapsed = self.timed_validate(old_token)  # stale-if-error
        self.assertEqual(res.status, 204, res.body)
        self.assertLess(elapsed, FAST_S)


if __name__ == "__main__":
    unittest.main()
