"""Two and three `tock serve` instances as one issuer on one PostgreSQL
(server.md: "Scale: several issuer instances on PostgreSQL").

Ports: PostgreSQL 19300, tock 19310-19319 (server/README.md).
"""
import base64
import os
import shutil
import time
import unittest

import pglib
import serverlib as sl

PG_PORT = 19300
BLOCK = 19310


@unittest.skipIf(pglib.missing(), pglib.missing() or "")
class ClusterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.pg = pglib.Postgres(PG_PORT)
        cls.servers = []
        try:
            cls.tmp = cls.pg.dir + "-tock"
            os.makedirs(cls.tmp, mode=0o700)
            cls.kek = pglib.write_kek(os.path.join(cls.tmp, "kek"))
            cls.client_key, jwks = sl.make_key(cls.tmp, "svc-assertion")
            extra = f'[[client]]\nid = "jwt"\njwks_file = "{jwks}"\naudiences = ["{pglib.AUDIENCE}"]\n'
            config = pglib.store_config(cls.pg, cls.kek, extra=extra)
            for port in sl.free_ports(BLOCK, 3):
                cls.servers.append(sl.Server(BLOCK, config, port=port))
            for s in cls.servers:
                s.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.cleanup()
        cls.pg.cleanup()
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    def token(self, server):
        res = server.token("svc", pglib.SECRET)
        self.assertEqual(res.status, 200, res.body)
        return res.json()["access_token"]

    def wait_for_same_jwks(self, servers, timeout=5):
        deadline = time.time() + timeout
        while True:
            bodies = [s.get("/.well-known/jwks.json").body for s in servers]
            if len(set(bodies)) == 1 or time.time() > deadline:
                return bodies
            time.sleep(0.1)

    def test_every_instance_serves_byte_identical_jwks(self):
        for group in (self.servers[:2], self.servers):
            bodies = self.wait_for_same_jwks(group)
            self.assertEqual(len(set(bodies)), 1, bodies)
        self.assertIn('"kid"', bodies[0])
        self.assertEqual(len(pglib.key_rows(self.pg)), len(sl.json.loads(bodies[0])["keys"]))

    def test_token_from_one_instance_validates_at_the_others(self):
        token = self.token(self.servers[0])
        for s in self.servers:
            res = s.validate(token, "?aud=" + pglib.AUDIENCE)
            self.assertEqual(res.status, 204, res.body)
            self.assertEqual(res.header("X-Auth-Subject"), "svc")

    def test_assertion_used_at_one_instance_is_replayed_at_another(self):
        assertion = sl.sign(self.client_key, "--iss", "jwt", "--sub", "jwt", "--aud", pglib.ISSUER,
                            "--ttl", "60s")
        fields = {"grant_type": "client_credentials", "client_assertion_type": pglib.JWT_BEARER,
                  "client_assertion": assertion}
        first = self.servers[0].post_form("/token", fields)
        self.assertEqual(first.status, 200, first.body)
        second = self.servers[1].post_form("/token", fields)
        self.assertEqual(second.status, 401, second.body)
        log = [l for l in self.servers[1].log_lines() if l.get("event") == "assertion_rejected"]
        self.assertEqual(log[-1]["code"], "replayed")
        self.assertEqual(self.pg.sql("SELECT count(*) FROM tock_replay")[0][0], "1")

    def test_keys_rotate_on_the_database_reaches_every_instance_within_2s(self):
        code, out, err = sl.tock("keys", "rotate", "--config", self.servers[0].config_path, "--json")
        self.assertEqual(code, 0, err)
        kid = sl.json.loads(out)["kid"]
        start = time.time()
        seen = set()
        while time.time() - start < 3 and len(seen) < len(self.servers):
            for i, s in enumerate(self.servers):
                if kid in s.get("/.well-known/jwks.json").body:
                    seen.add(i)
            time.sleep(0.05)
        took = time.time() - start
        self.assertEqual(len(seen), len(self.servers), f"seen by {seen} after {took:.2f}s")
        self.assertLess(took, 2.0)
        code, out, err = sl.tock("keys", "list", "--config", self.servers[0].config_path, "--json")
        self.assertEqual(code, 0, err)
        states = {k["kid"]: k["state"] for k in sl.json.loads(out)["keys"]}
        self.assertEqual(states[kid], "next")

    def test_no_row_holds_a_private_key_in_clear(self):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        with open(self.kek) as f:
            kek = base64.urlsafe_b64decode(f.read().strip() + "==")
        dump = "\n".join("\t".join(r) for table in ("tock_keys", "tock_replay", "tock_schema_version")
                         for r in self.pg.sql(f"SELECT * FROM {table}"))
        self.assertNotIn("PRIVATE KEY", dump)
        self.assertNotIn('"d"', dump)
        rows = self.pg.sql("SELECT kid, encode(sealed_key, 'hex') FROM tock_keys")
        self.assertGreater(len(rows), 0)
        for kid, sealed_hex in rows:
            sealed = bytes.fromhex(sealed_hex)
            # AES-256-GCM, nonce || ciphertext || tag, kid as associated data.
            pem = AESGCM(kek).decrypt(sealed[:12], sealed[12:], kid.encode())
            private = load_pem_private_key(pem, None).private_numbers().private_value
            raw = private.to_bytes(32, "big")
            for form in (raw.hex(), base64.urlsafe_b64encode(raw).decode().rstrip("="),
                         base64.b64encode(raw).decode().rstrip("=")):
                self.assertNotIn(form, dump)
            with self.assertRaises(Exception):  # the kid is bound: another kid does not open it
                AESGCM(kek).decrypt(sealed[:12], sealed[12:], b"other")

    def test_password_is_never_logged(self):
        for s in self.servers:
            with open(s.log_file) as f:
                self.assertNotIn(pglib.PASSWORD, f.read())


@unittest.skipIf(pglib.missing(), pglib.missing() or "")
class StoreStartTest(unittest.TestCase):
    """Start-up rules: config errors, newer schema."""

    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.pg = pglib.Postgres(PG_PORT + 1)
        cls.tmp = cls.pg.dir + "-tock"
        os.makedirs(cls.tmp, mode=0o700)
        cls.kek = pglib.write_kek(os.path.join(cls.tmp, "kek"))

    @classmethod
    def tearDownClass(cls):
        cls.pg.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def serve(self, config):
        server = sl.Server(BLOCK + 5, config)
        try:
            proc = sl.subprocess.run([sl.SERVE, "serve", "--config", server.config_path],
                                     capture_output=True, text=True, timeout=30)
            return proc.returncode, proc.stderr
        finally:
            server.cleanup()

    def test_prepublish_under_4s_or_rotate_every_not_longer_is_a_config_error(self):
        code, err = self.serve(pglib.store_config(self.pg, self.kek, token='prepublish = "3s"'))
        self.assertEqual(code, 2, err)
        self.assertIn("prepublish must be at least 4s", err)
        code, err = self.serve(pglib.store_config(
            self.pg, self.kek, token='prepublish = "4s"\nrotate_every = "4s"'))
        self.assertEqual(code, 2, err)
        self.assertIn("must be longer than prepublish", err)

    def test_bad_url_is_a_config_error_without_the_password(self):
        config = pglib.store_config(self.pg, self.kek).replace(
            self.pg.url, "postgresql://tock:hunter2secret@127.0.0.1:5432/tock?bogus=1")
        code, err = self.serve(config)
        self.assertEqual(code, 2, err)
        self.assertIn("tock.toml:", err)
        self.assertNotIn("hunter2secret", err)

    def test_newer_schema_exits_2_saying_so(self):
        self.pg.sql("SET ROLE tock; CREATE TABLE IF NOT EXISTS tock_schema_version "
                    "(version integer NOT NULL); INSERT INTO tock_schema_version VALUES (99)")
        try:
            code, err = self.serve(pglib.store_config(self.pg, self.kek))
            self.assertEqual(code, 2, err)
            self.assertIn("schema is at version 99, newer than this tock knows", err)
            self.assertNotIn(pglib.PASSWORD, err)
        finally:
            self.pg.sql("DELETE FROM tock_schema_version")


if __name__ == "__main__":
    unittest.main()
