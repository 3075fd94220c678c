"""Keys sealed under a KEK in PostgreSQL: a wrong or missing KEK stops the
start naming the kid; `tock keys rewrap --new-kek` re-seals every key in one
transaction, after which the new KEK starts and the old one does not
(server.md: "Keys encrypted at rest").

Ports: PostgreSQL 19304, tock 19330-19339 (server/README.md).
"""
import os
import shutil
import subprocess
import unittest

import pglib
import serverlib as sl

PG_PORT = 19304
BLOCK = 19330


@unittest.skipIf(pglib.missing(), pglib.missing() or "")
class KekTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.pg = pglib.Postgres(PG_PORT)

    @classmethod
    def tearDownClass(cls):
        cls.pg.cleanup()

    def setUp(self):
        # A fresh database per test, on the one server (initdb is the slow part).
        self.pg.sql("DROP DATABASE tock WITH (FORCE)", db="postgres")
        self.pg.sql("CREATE DATABASE tock OWNER tock", db="postgres")
        self.tmp = self.pg.dir + "-tock"
        os.makedirs(self.tmp, mode=0o700)
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.kek1 = pglib.write_kek(os.path.join(self.tmp, "kek1"))
        self.kek2 = pglib.write_kek(os.path.join(self.tmp, "kek2"))
        first = self.server(self.kek1)
        first.start()
        self.assertEqual(first.token("svc", pglib.SECRET).status, 200)
        first.cleanup()
        self.kid = pglib.key_rows(self.pg)[0][0]

    def server(self, kek, extra_store=""):
        config = pglib.store_config(self.pg, kek, replay=False)
        if kek is None:
            config = config.replace('kek_file = "None"\n', "")
        config = config.replace("[store]\n", "[store]\n" + extra_store)
        server = sl.Server(BLOCK, config)
        self.addCleanup(server.cleanup)
        return server

    def refused(self, kek, env=None):
        server = self.server(kek)
        proc = subprocess.run([sl.SERVE, "serve", "--config", server.config_path], capture_output=True,
                              text=True, timeout=60, env=env)
        return proc.returncode, proc.stderr

    def test_wrong_kek_exits_2_naming_the_kid(self):
        code, err = self.refused(self.kek2)
        self.assertEqual(code, 2, err)
        self.assertIn(f"cannot decrypt signing key {self.kid}", err)
        self.assertNotIn(pglib.PASSWORD, err)

    def test_missing_kek_exits_2_naming_the_kid(self):
        env = {k: v for k, v in os.environ.items() if k != "TOCK_KEK"}
        code, err = self.refused(None, env)
        self.assertEqual(code, 2, err)
        self.assertIn(self.kid, err)
        self.assertIn("no KEK is set", err)

    def test_kek_from_the_environment(self):
        with open(self.kek1) as f:
            env = dict(os.environ, TOCK_KEK=f.read().strip())
        server = self.server(None)
        proc = subprocess.Popen([sl.SERVE, "serve", "--config", server.config_path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        server.proc = proc
        deadline = sl.time.time() + 20
        while sl.time.time() < deadline and proc.poll() is None:
            try:
                if server.get("/healthz").status == 200:
                    break
            except OSError:
                sl.time.sleep(0.05)
        self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
        self.assertEqual(server.token("svc", pglib.SECRET).status, 200)

    def test_kek_file_readable_by_others_is_refused(self):
        os.chmod(self.kek1, 0o644)
        code, err = self.refused(self.kek1)
        self.assertEqual(code, 2, err)
        self.assertIn("chmod 600", err)

    def test_rewrap_then_the_new_kek_starts_and_the_old_does_not(self):
        running = self.server(self.kek1)  # keeps serving through the rewrap
        running.start()
        config = running.config_path
        code, out, err = sl.tock("keys", "rewrap", "--config", config, "--new-kek", self.kek2, "--json")
        self.assertEqual(code, 0, err)
        self.assertEqual(sl.json.loads(out)["rewrapped"], 1)
        kek_ids = {r[3] for r in pglib.key_rows(self.pg)}
        self.assertEqual(kek_ids, {sl.json.loads(out)["kek_id"]})
        self.assertEqual(running.token("svc", pglib.SECRET).status, 200)
        running.cleanup()
        code, err = self.refused(self.kek1)
        self.assertEqual(code, 2, err)
        self.assertIn(f"cannot decrypt signing key {self.kid}", err)
        after = self.server(self.kek2)
        after.start()
        res = after.token("svc", pglib.SECRET)
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual(sl.token_parts(res.json()["access_token"])[0]["kid"], self.kid)
        # A rewrap again is a no-op; with previous_kek_file both KEKs open.
        code, out, err = sl.tock("keys", "rewrap", "--config", after.config_path, "--new-kek",
                                 self.kek2, "--json")
        self.assertEqual((code, sl.json.loads(out)["rewrapped"]), (0, 0), err)
        after.cleanup()
        both = self.server(self.kek1, f'previous_kek_file = "{self.kek2}"\n')
        both.start()
        self.assertEqual(both.token("svc", pglib.SECRET).status, 200)


if __name__ == "__main__":
    unittest.main()
