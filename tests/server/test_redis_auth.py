"""The Redis replay store with a password: redis://:PASSWORD@HOST:PORT/DB and
redis://USER:PASSWORD@HOST:PORT/DB (AUTH), against a real redis-server started
with --requirepass and an ACL user. A refused password is the redis-down
behaviour (server.md: 503, /healthz 503 with the reason), and the password
never reaches a log line, a response or stderr. Port block 18590-18599.
"""
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

import serverlib as sl

BLOCK = 18590
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ISSUER = "http://tock.test"  # the instances are one issuer behind a load balancer
PASSWORD = "s3cret/with@odd chars+%"  # must be %-encoded in the URL
ALICE_PASSWORD = "alice:pass@2"
WRONG = "wrong-password-4f1c"


def url(password, db=0, user=""):
    userinfo = f"{user}:{urllib.parse.quote(password, safe='')}@" if password else ""
    return f"redis://{userinfo}127.0.0.1:{{port}}/{db}"


class RedisPasswordTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.ports = sl.free_ports(BLOCK, 6)
        cls.redis = sl.RedisServer(cls.ports[0], "--requirepass", PASSWORD,
                                   "--user", "alice", "on", ">" + ALICE_PASSWORD, "~tock:*", "+@all")
        cls.keys = tempfile.mkdtemp(prefix="tock-redis-auth-")
        cls.key, cls.jwks = sl.make_key(cls.keys, "c1")
        cls.servers = []
        try:
            cls.a = cls.start_server(cls.ports[1], url(PASSWORD))
            cls.b = cls.start_server(cls.ports[2], url(PASSWORD))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.cleanup()
        cls.redis.stop()
        shutil.rmtree(cls.keys, ignore_errors=True)

    @classmethod
    def start_server(cls, port, redis_url, ready_status=200):
        config = f'''issuer = "{ISSUER}"
[replay]
backend = "redis"
url = "{redis_url.format(port=cls.redis.port)}"

[[client]]
id = "c1"
jwks_file = "c1.jwks.json"
audiences = ["a"]
'''
        server = sl.Server(BLOCK, config, port=port)
        cls.servers.append(server)
        shutil.copy(cls.jwks, server.tmp)
        return server.start(ready_status)

    def post(self, server, assertion):
        return server.post_form("/token", {"grant_type": "client_credentials",
                                           "client_assertion_type": JWT_BEARER,
                                           "client_assertion": assertion})

    def assertion(self):
        return sl.sign(self.key, "--iss", "c1", "--sub", "c1", "--aud", ISSUER, "--ttl", "60s")

    def redis_cli(self, *args):
        proc = subprocess.run(["redis-cli", "-p", str(self.redis.port), "--no-auth-warning",
                               "-a", PASSWORD, *args], capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def assertPasswordsAbsent(self, server, *texts):
        server.stop()
        with open(server.log_file) as f:
            log = f.read()
        for text in (log, server.stdout, server.stderr, *texts):
            for secret in (PASSWORD, ALICE_PASSWORD, WRONG):
                self.assertNotIn(secret, text)
                self.assertNotIn(urllib.parse.quote(secret, safe=""), text)

    def test_password_in_url_authenticates_and_instances_share_replay(self):
        assertion = self.assertion()
        first = self.post(self.a, assertion)
        self.assertEqual(first.status, 200, first.body)
        second = self.post(self.b, assertion)
        self.assertEqual(second.status, 401, second.body)
        self.assertEqual(second.json()["error"], "invalid_client")
        # server.md round 2: the uniform description; the cause is in the log.
        self.assertEqual(second.json()["error_description"], "client authentication failed")
        replayed = [l for l in self.b.log_lines() if l.get("code") == "replayed"]
        self.assertTrue(replayed)
        self.assertIn("was already used (recorded in Redis)", replayed[-1]["message"])

    def test_user_and_password_in_url_authenticate_as_that_acl_user_in_that_db(self):
        server = self.start_server(self.ports[3], url(ALICE_PASSWORD, db=3, user="alice"))
        assertion = self.assertion()
        self.assertEqual(self.post(server, assertion).status, 200)
        self.assertEqual(self.post(server, assertion).status, 401)
        clients = self.redis_cli("client", "list")
        self.assertRegex(clients, r"db=3 .*user=alice")
        self.assertNotEqual(self.redis_cli("-n", "3", "keys", "tock:jti:*").strip(), "")
        self.assertPasswordsAbsent(server)

    def test_wrong_password_fails_closed_with_503_and_a_reason_without_the_password(self):
        server = self.start_server(self.ports[4], url(WRONG), ready_status=503)
        reason = (f"replay store unreachable: Redis redis://:***@127.0.0.1:{self.redis.port}/0: "
                  "AUTH was refused: WRONGPASS invalid username-password pair or user is disabled.")
        health = server.get("/healthz")
        self.assertEqual(health.status, 503)
        self.assertEqual(health.body.splitlines()[0], reason)  # then one line per role
        res = self.post(server, self.assertion())
        self.assertEqual(res.status, 503, res.body)
        self.assertEqual(res.header("Retry-After"), "5")
        self.assertEqual(res.json(), {"error": "temporarily_unavailable", "error_description": reason})
        self.assertPasswordsAbsent(server, health.body, res.body)
        logged = [line for line in server.log_lines() if line.get("event") == "assertion_rejected"]
        self.assertEqual(len(logged), 1, logged)
        self.assertEqual(logged[0]["message"], reason)
        self.assertEqual(logged[0]["code"], "network_error")

    def test_no_password_for_a_redis_that_requires_one_is_503_noauth(self):
        server = self.start_server(self.ports[5], url(""), ready_status=503)
        health = server.get("/healthz")
        self.assertEqual(health.status, 503)
        self.assertEqual(health.body.splitlines()[0],
                         f"replay store unreachable: Redis redis://127.0.0.1:{self.redis.port}/0 "
                         "answered PING with: NOAUTH Authentication required.")
        res = self.post(server, self.assertion())
        self.assertEqual(res.status, 503)
        self.assertIn("NOAUTH Authentication required.", res.json()["error_description"])


class RedisUrlConfigTest(unittest.TestCase):
    def setUp(self):
        sl.require_binary()
        self.tmp = tempfile.mkdtemp(prefix="tock-redis-url-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_bad_urls_are_config_errors_with_line_and_without_the_password(self):
        cases = {
            "redis://:top%20secret@127.0.0.1:6379/zero": "the database after '/' must be a number",
            "redis://:top secret@127.0.0.1": "it is not a URL",
            "redis://:top@secret@127.0.0.1": "an '@' in the user or password must be written %40",
            "redis://:top%20secret@127.0.0.1:70000": "the port must be 1 to 65535",
            "rediss://:top%20secret@127.0.0.1": "TLS to Redis (rediss://) is not supported",
            "redis://alice@127.0.0.1": "a user needs a password (USER:PASSWORD@), as AUTH does",
            "redis://127.0.0.1/0?password=top": "it must have no query",
        }
        for bad, reason in cases.items():
            config = sl.write(os.path.join(self.tmp, "tock.toml"),
                              f'listen = "127.0.0.1:{BLOCK + 9}"\n'
                              f'data_dir = "{self.tmp}/data"\n'
                              f'[replay]\nbackend = "redis"\nurl = "{bad}"\n')
            code, _, err = sl.tock("serve", "--config", config)
            self.assertEqual(code, 2, bad)
            self.assertTrue(err.startswith(f"{config}:5: [replay] url \""), err)
            self.assertIn("is not redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]: " + reason, err)
            self.assertNotIn("top", err)
            self.assertNotIn("secret", err)


if __name__ == "__main__":
    unittest.main()
