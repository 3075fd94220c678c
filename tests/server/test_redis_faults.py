"""The Redis replay store under faults (server.md, "Faults are survived" and
"Health"): a pool with 250 ms timeouts, a 1 s circuit breaker, a SET NX whose
reply was lost is never re-sent, the persistence warning at start, and
/healthz naming the affected role.

Redis is blackholed two ways: a local listener that accepts and never answers
(configured as [replay] url), and a real redis-server paused with SIGSTOP.
Meanwhile /validate (no one_time entry) keeps its latency while /token with
private_key_jwt is hammered, and /token answers 503 within the timeout; both
recover when Redis is back. Ports: redis-server 18750-18759, fake Redis
18760-18769, tock serve 18770-18779.
"""
import os
import shutil
import signal
import socket
import threading
import time
import unittest

import serverlib as sl

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ISSUER = "http://tock.test"
AUD = "https://api.example.com"
SECRET = "a secret for the validate-side client, 32+ bytes"
SCALE = float(os.environ.get("TOCK_TIME_SCALE", "1"))
TOKEN_503_WALL_S = 0.6 * SCALE      # 250 ms timeout + the request's own cost
P99_FLOOR_S = 0.05 * SCALE          # below this, p99 differences are scheduler noise (2 loaded cores)


class FakeRedis:
    """A RESP listener on loopback. mode "blackhole": accepts and reads, never
    answers. mode "lose_set_reply": answers PING/CONFIG/INFO like a persistent
    Redis; on a SET of a new key it stores the key and closes the connection
    without a reply (the reply is lost); a SET of a stored key answers nil."""

    def __init__(self, port, mode):
        self.mode = mode
        self.port = port
        self.keys = set()
        self.sets = []  # keys of every SET received, in order
        self.lock = threading.Lock()
        self.conns = []
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        self.closed = False
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while not self.closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(conn)
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        buf = b""
        conn.settimeout(30)
        try:
            while not self.closed:
                data = conn.recv(65536)
                if not data:
                    return
                if self.mode == "blackhole":
                    continue
                buf += data
                while True:
                    parsed = parse_command(buf)
                    if parsed is None:
                        break
                    args, buf = parsed
                    if not self.answer(conn, args):
                        conn.close()
                        return
        except OSError:
            return

    def answer(self, conn, args):
        """Sends the reply to |args|; False: close the connection instead."""
        name = args[0].upper()
        if name == b"PING":
            conn.sendall(b"+PONG\r\n")
        elif name == b"CONFIG":
            value = b"yes" if args[2] == b"appendonly" else b"3600 1"
            conn.sendall(b"*2\r\n" + bulk(args[2]) + bulk(value))
        elif name == b"INFO":
            conn.sendall(bulk(b"# Persistence\r\naof_enabled:1\r\n"))
        elif name == b"SET":
            key = args[1]
            with self.lock:
                self.sets.append(key)
                if key in self.keys:
                    conn.sendall(b"$-1\r\n")
                    return True
                self.keys.add(key)
            return False  # stored, but the reply never comes
        else:
            conn.sendall(b"-ERR unknown command\r\n")
        return True

    def close(self):
        self.closed = True
        self.listener.close()
        with self.lock:
            for conn in self.conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()


def bulk(data):
    return b"$%d\r\n%s\r\n" % (len(data), data)


def parse_command(buf):
    """(args, rest) for one complete RESP array of bulk strings, else None."""
    if not buf.startswith(b"*"):
        return None
    end = buf.find(b"\r\n")
    if end < 0:
        return None
    count, pos, args = int(buf[1:end]), end + 2, []
    for _ in range(count):
        end = buf.find(b"\r\n", pos)
        if end < 0:
            return None
        length = int(buf[pos + 1:end])
        start = end + 2
        if len(buf) < start + length + 2:
            return None
        args.append(buf[start:start + length])
        pos = start + length + 2
    return args, buf[pos:]


def p99(samples):
    return sorted(samples)[int(len(samples) * 0.99) - 1]


class RedisFaultsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server not found: run scripts/install-deps (package redis-server)")
        cls.keys_dir = __import__("tempfile").mkdtemp(prefix="tock-redis-faults-")
        cls.key, cls.jwks = sl.make_key(cls.keys_dir, "c1")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.keys_dir, ignore_errors=True)

    def setUp(self):
        self.cleanups = []

    def tearDown(self):
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception:
                pass

    def start_redis(self, *args):
        redis = sl.RedisServer(sl.free_port(18750), *args)

        def stop():
            redis.proc.send_signal(signal.SIGCONT)
            redis.stop()
        self.cleanups.append(stop)
        return redis

    def start_fake(self, mode, port=None):
        fake = FakeRedis(port or sl.free_port(18760), mode)
        self.cleanups.append(fake.close)
        return fake

    def start_server(self, redis_port, ready_status=200, extra=""):
        config = f'''issuer = "{ISSUER}"
{extra}
[limits]
token_rate = 100000
[replay]
backend = "redis"
url = "redis://127.0.0.1:{redis_port}/0"

[[client]]
id = "c1"
jwks_file = "{self.jwks}"
audiences = ["{AUD}"]

[[client]]
id = "s1"
secret = "{SECRET}"
audiences = ["{AUD}"]
'''
        server = sl.Server(18770, config)
        self.cleanups.append(server.cleanup)
        return server.start(ready_status=ready_status)

    def assertion(self):
        return sl.sign(self.key, "--iss", "c1", "--sub", "c1", "--aud", ISSUER, "--ttl", "60s")

    def post(self, server, assertion):
        return server.post_form("/token", {"grant_type": "client_credentials",
                                           "client_assertion_type": JWT_BEARER,
                                           "client_assertion": assertion})

    def access_token(self, server):
        res = server.token("s1", SECRET)  # client_secret_basic: no replay store involved
        self.assertEqual(res.status, 200, res.body)
        return res.json()["access_token"]

    def validate_timings(self, server, token, count=100):
        timings = []
        for _ in range(count):
            start = time.monotonic()
            res = server.validate(token)
            timings.append(time.monotonic() - start)
            self.assertEqual(res.status, 204, res.body)
        return timings

    def hammer(self, server, assertion, threads=4):
        """Keeps /token busy with one assertion (private_key_jwt: touches the
        replay store) from |threads| callers until the returned stop() runs."""
        stop = threading.Event()
        statuses = []

        def run():
            while not stop.is_set():
                try:
                    statuses.append(self.post(server, assertion).status)
                except OSError:
                    statuses.append(None)
                time.sleep(0.05)
        workers = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
        for w in workers:
            w.start()

        def finish():
            stop.set()
            for w in workers:
                w.join(timeout=15)
            return statuses
        return finish

    def assertFast503(self, server, assertion, tries=5):
        for _ in range(tries):
            start = time.monotonic()
            res = self.post(server, assertion)
            elapsed = time.monotonic() - start
            self.assertEqual(res.status, 503, res.body)
            self.assertEqual(res.json()["error"], "temporarily_unavailable")
            self.assertTrue(res.json()["error_description"].startswith("replay store unreachable: "),
                            res.body)
            self.assertNotIn("replayed", res.body)
            self.assertTrue(res.header("Retry-After"))
            if os.environ.get("TOCK_TEST_VERBOSE"):
                print("/token 503 in %.1f ms" % (elapsed * 1000))
            self.assertLess(elapsed, TOKEN_503_WALL_S, "/token took %.3f s" % elapsed)
            time.sleep(0.3)  # spread over the breaker's 1 s period and its probe

    def assertValidateUnaffected(self, healthy, faulty, what):
        if os.environ.get("TOCK_TEST_VERBOSE"):
            print("\n%s: /validate p99 healthy %.1f ms, faulty %.1f ms" %
                  (what, p99(healthy) * 1000, p99(faulty) * 1000))
        limit = 2 * max(p99(healthy), P99_FLOOR_S)
        self.assertLess(p99(faulty), limit, "%s: /validate p99 %.1f ms, healthy %.1f ms" %
                        (what, p99(faulty) * 1000, p99(healthy) * 1000))

    def assertRecovers(self, server, accepted_before):
        deadline = time.monotonic() + 10 * SCALE
        while server.get("/healthz").status != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(server.get("/healthz").status, 200)
        res = self.post(server, self.assertion())
        self.assertEqual(res.status, 200, res.body)
        replay = self.post(server, accepted_before)
        self.assertEqual(replay.status, 401, replay.body)
        self.assertEqual(replay.json()["error_description"], "client authentication failed")
        # The cause is in the log: the jti consumed before the outage is
        # still known after it.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any(l.get("code") == "replayed" for l in server.log_lines()):
                break
            time.sleep(0.05)
        self.assertTrue(any(l.get("code") == "replayed" for l in server.log_lines()),
                        "no replayed rejection logged after recovery")

    def test_paused_redis_costs_validate_nothing_and_token_fails_fast(self):
        redis = self.start_redis()
        server = self.start_server(redis.port)
        accepted = self.assertion()
        self.assertEqual(self.post(server, accepted).status, 200)
        token = self.access_token(server)
        finish = self.hammer(server, accepted)  # replayed while healthy
        healthy = self.validate_timings(server, token)
        self.assertEqual(set(finish()), {401})
        redis.proc.send_signal(signal.SIGSTOP)
        try:
            finish = self.hammer(server, accepted)
            paused = self.validate_timings(server, token)
            statuses = finish()
            self.assertNotIn(401, statuses, "no false replayed while Redis is paused")
            self.assertIn(503, statuses)
            self.assertFast503(server, self.assertion())
            for path in ("/.well-known/jwks.json", "/.well-known/openid-configuration"):
                start = time.monotonic()
                self.assertEqual(server.get(path).status, 200)
                self.assertLess(time.monotonic() - start, 0.2 * SCALE)
        finally:
            redis.proc.send_signal(signal.SIGCONT)
        self.assertValidateUnaffected(healthy, paused, "redis paused")
        self.assertRecovers(server, accepted)

    def test_blackhole_listener_as_redis_fails_fast_and_recovers_when_redis_comes(self):
        redis = self.start_redis()
        healthy_server = self.start_server(redis.port)
        finish = self.hammer(healthy_server, self.assertion())
        healthy = self.validate_timings(healthy_server, self.access_token(healthy_server))
        finish()
        healthy_server.cleanup()

        fake = self.start_fake("blackhole")
        server = self.start_server(fake.port, ready_status=503)
        token = self.access_token(server)
        finish = self.hammer(server, self.assertion())
        blackholed = self.validate_timings(server, token)
        statuses = finish()
        self.assertEqual(set(statuses), {503})
        self.assertValidateUnaffected(healthy, blackholed, "blackhole listener")
        self.assertFast503(server, self.assertion())
        start = time.monotonic()
        health = server.get("/healthz")
        self.assertLess(time.monotonic() - start, TOKEN_503_WALL_S)
        self.assertEqual(health.status, 503)
        lines = health.body.splitlines()
        self.assertTrue(lines[0].startswith(
            f"replay store unreachable: Redis redis://127.0.0.1:{fake.port}/0: "), lines[0])
        self.assertIn("issuer: unavailable", health.body)
        self.assertIn("validator: ok", health.body)
        self.assertEqual(server.get("/livez").status, 200)

        # Redis comes back on the same address: the store recovers by itself.
        fake.close()
        back = sl.RedisServer(fake.port)
        self.cleanups.append(back.stop)
        deadline = time.monotonic() + 10 * SCALE
        while server.get("/healthz").status != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        accepted = self.assertion()
        self.assertEqual(self.post(server, accepted).status, 200)
        self.assertRecovers(server, accepted)

    def test_set_whose_reply_was_lost_is_not_resent_and_is_503_not_replayed(self):
        fake = self.start_fake("lose_set_reply")
        server = self.start_server(fake.port)  # its /healthz PING leaves a pooled connection
        assertion = self.assertion()
        res = self.post(server, assertion)
        self.assertEqual(res.status, 503, res.body)
        self.assertEqual(res.json()["error"], "temporarily_unavailable")
        self.assertNotIn("replayed", res.body)
        with fake.lock:
            self.assertEqual(len(fake.sets), 1, "the SET NX was sent exactly once")

    def test_healthz_names_the_validator_when_a_one_time_entry_needs_redis(self):
        fake = self.start_fake("blackhole")
        trust = f'''
[[trust]]
issuer = "https://once.example"
jwks_file = "{self.jwks}"
audiences = ["{AUD}"]
one_time = true
'''
        server = self.start_server(fake.port, ready_status=503, extra=trust)
        health = server.get("/healthz")
        self.assertEqual(health.status, 503)
        self.assertIn("issuer: unavailable", health.body)
        self.assertIn("validator: unavailable", health.body)
        self.assertIn("one_time", health.body)

    def test_redis_without_persistence_is_warned_about_at_start(self):
        bare = self.start_redis()  # --save "" --appendonly no
        server = self.start_server(bare.port)
        warnings = [l for l in server.log_lines() if l.get("event") == "redis_no_persistence"]
        self.assertEqual(len(warnings), 1, server.log_lines())
        self.assertEqual(warnings[0]["level"], "warn")
        self.assertIn("neither appendonly nor RDB persistence", warnings[0]["message"])
        server.cleanup()

        durable = self.start_redis("--appendonly", "yes")
        server = self.start_server(durable.port)
        self.assertEqual(server.get("/healthz").status, 200)
        self.assertEqual([l for l in server.log_lines() if l.get("event") == "redis_no_persistence"], [])


if __name__ == "__main__":
    unittest.main()
