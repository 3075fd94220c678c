"""Two `tock serve` instances sharing a real redis-server (server.md: replay store)."""
import shutil
import unittest

import serverlib as sl

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class RedisReplayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server not found: run scripts/install-deps (package redis-server)")
        cls.redis = sl.RedisServer(sl.free_port(18470))
        try:
            cls.start_servers()
        except BaseException:
            for s in getattr(cls, "servers", []):
                s.cleanup()
            cls.redis.stop()
            raise

    @classmethod
    def start_servers(cls):
        issuer = "http://tock.test"  # both instances are one issuer behind a load balancer
        cls.servers = []
        for block in (18480, 18490):
            config = f'''
issuer = "{issuer}"
[replay]
backend = "redis"
url = "redis://127.0.0.1:{cls.redis.port}/0"
'''
            cls.servers.append(sl.Server(block, config))
        key, jwks = sl.make_key(cls.servers[0].tmp, "c1")
        cls.key = key
        for s in cls.servers:
            if s.tmp != cls.servers[0].tmp:
                shutil.copy(jwks, s.tmp)
            with open(s.config_path, "a") as f:
                f.write('[[client]]\nid = "c1"\njwks_file = "c1.jwks.json"\naudiences = ["a"]\n')
            s.start()
        cls.issuer = issuer

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.cleanup()
        cls.redis.stop()

    def post(self, server, assertion):
        return server.post_form("/token", {"grant_type": "client_credentials",
                                           "client_assertion_type": JWT_BEARER,
                                           "client_assertion": assertion})

    def test_assertion_accepted_by_one_instance_is_replayed_at_the_other(self):
        assertion = sl.sign(self.key, "--iss", "c1", "--sub", "c1", "--aud", self.issuer, "--ttl", "60s")
        first = self.post(self.servers[0], assertion)
        self.assertEqual(first.status, 200, first.body)
        second = self.post(self.servers[1], assertion)
        self.assertEqual(second.status, 401)
        self.assertEqual(second.json()["error"], "invalid_client")
        # server.md round 2: the uniform description; the cause is in the log.
        self.assertEqual(second.json()["error_description"], "client authentication failed")
        self.assertTrue([l for l in self.servers[1].log_lines() if l.get("code") == "replayed"])

    def test_redis_down_fails_closed_with_503_and_recovers(self):
        port = self.redis.port
        self.redis.stop()
        try:
            assertion = sl.sign(self.key, "--iss", "c1", "--sub", "c1", "--aud", self.issuer, "--ttl", "60s")
            res = self.post(self.servers[0], assertion)
            self.assertEqual(res.status, 503)
            self.assertEqual(res.json()["error"], "temporarily_unavailable")
            self.assertTrue(res.json()["error_description"].startswith("replay store unreachable: "))
            health = self.servers[0].get("/healthz")
            self.assertEqual(health.status, 503)
            self.assertIn("replay store unreachable", health.body)
        finally:
            type(self).redis = sl.RedisServer(port)
        self.assertEqual(self.servers[0].get("/healthz").status, 200)
        assertion = sl.sign(self.key, "--iss", "c1", "--sub", "c1", "--aud", self.issuer, "--ttl", "60s")
        self.assertEqual(self.post(self.servers[1], assertion).status, 200)


if __name__ == "__main__":
    unittest.main()
