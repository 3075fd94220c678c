"""Key rotation (server.md): `tock keys rotate|list`, pre-publication,
retirement once every token a key signed has expired, `rotate_every`."""
import json
import os
import stat
import tempfile
import shutil
import time
import unittest

import serverlib as sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://api.example.com"
CLIENT = f'''
[[client]]
id = "billing"
secret = "{SECRET}"
audiences = ["{AUD}"]
'''
T0 = 4102444800  # 2100-01-01T00:00:00Z


def keys_cli(*args):
    code, out, err = sl.tock("keys", *args)
    return code, out, err


class KeysCliTest(unittest.TestCase):
    def setUp(self):
        sl.require_binary()
        self.tmp = tempfile.mkdtemp(prefix="tock-keys-")
        self.data = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def list_at(self, t):
        code, out, err = keys_cli("list", "--data-dir", self.data, "--now", str(t), "--json")
        self.assertEqual(code, 0, err)
        return {k["kid"]: k for k in json.loads(out)["keys"]}

    def test_rotate_prepublishes_then_retires_after_every_token_expired(self):
        code, out, err = keys_cli("list", "--data-dir", self.data, "--now", str(T0), "--json")
        self.assertEqual(code, 0, err)
        first = json.loads(out)["keys"][0]["kid"]
        code, out, err = keys_cli("rotate", "--data-dir", self.data, "--now", str(T0), "--json")
        self.assertEqual(code, 0, err)
        new = json.loads(out)
        self.assertEqual(new["state"], "next")
        self.assertEqual(new["activate_at"], T0 + 3600)  # prepublish default 1h
        keys = self.list_at(T0 + 10)
        self.assertEqual(keys[first]["state"], "active")
        self.assertEqual(keys[first]["retired_at"], T0 + 3600)
        self.assertEqual(keys[new["kid"]]["state"], "next")
        keys = self.list_at(T0 + 3600)
        self.assertEqual(keys[first]["state"], "retired")
        self.assertEqual(keys[new["kid"]]["state"], "active")
        # ttl 10m + nbf_backdate 60s + 300s verifier skew after retirement.
        self.assertEqual(self.list_at(T0 + 3600 + 960)[first]["state"], "retired")
        self.assertEqual(self.list_at(T0 + 3600 + 961)[first]["state"], "expired")
        # The next rotation deletes the expired key's private key.
        code, _, err = keys_cli("rotate", "--data-dir", self.data, "--now", str(T0 + 5000))
        self.assertEqual(code, 0, err)
        self.assertNotIn(first, self.list_at(T0 + 5000))
        self.assertFalse(os.path.exists(os.path.join(self.data, "keys", first + ".pem")))

    def test_key_files_are_0600_in_0700_folders(self):
        code, _, err = keys_cli("rotate", "--data-dir", self.data)
        self.assertEqual(code, 0, err)
        keys_dir = os.path.join(self.data, "keys")
        self.assertEqual(stat.S_IMODE(os.stat(keys_dir).st_mode), 0o700)
        files = os.listdir(keys_dir)
        self.assertEqual(len([f for f in files if f.endswith(".pem")]), 2)
        for name in files:
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(keys_dir, name)).st_mode), 0o600, name)

    def test_config_prepublish_and_flags(self):
        config = sl.write(os.path.join(self.tmp, "tock.toml"),
                          f'data_dir = "data"\n[token]\nprepublish = "2h"\nalgorithm = "EdDSA"\n')
        code, out, err = keys_cli("rotate", "--config", config, "--now", str(T0), "--json")
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["activate_at"], T0 + 7200)
        self.assertEqual(json.loads(out)["alg"], "EdDSA")
        code, out, err = keys_cli("rotate", "--config", config, "--now", str(T0), "--prepublish", "5m",
                                  "--alg", "RS256", "--json")
        self.assertEqual(code, 0, err)
        self.assertEqual((json.loads(out)["activate_at"], json.loads(out)["alg"]), (T0 + 300, "RS256"))

    def test_bad_flags_exit_2(self):
        code, _, err = keys_cli("rotate", "--data-dir", self.data, "--prepublish", "soon")
        self.assertEqual(code, 2)
        self.assertIn("--prepublish", err)
        code, _, err = keys_cli("rotate", "--data-dir", self.data, "--alg", "HS257")
        self.assertEqual(code, 2)
        code, _, _ = keys_cli("--data-dir", self.data)
        self.assertEqual(code, 2)

    def test_rotate_every_not_longer_than_prepublish_is_a_config_error(self):
        config = sl.write(os.path.join(self.tmp, "bad.toml"),
                          '[token]\nprepublish = "1h"\nrotate_every = "30m"\n')
        code, _, err = sl.tock("serve", "--config", config)
        self.assertEqual(code, 2)
        self.assertIn("bad.toml:3:", err)
        self.assertIn("rotate_every", err)


class ServerRotationTest(unittest.TestCase):
    def kids(self, server):
        res = server.get("/.well-known/jwks.json")
        self.assertEqual(res.status, 200)
        return [k["kid"] for k in res.json()["keys"]]

    def token_kid(self, server):
        res = server.token("billing", SECRET)
        self.assertEqual(res.status, 200, res.body)
        token = res.json()["access_token"]
        return token, sl.token_parts(token)[0]["kid"]

    def wait_for(self, predicate, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if predicate():
                return True
            time.sleep(0.2)
        return predicate()

    def test_cli_rotation_is_published_at_once_and_signs_after_prepublish(self):
        server = sl.Server(18520, '[token]\nprepublish = "3s"\n' + CLIENT)
        try:
            server.start()
            (old,) = self.kids(server)
            old_token, kid = self.token_kid(server)
            self.assertEqual(kid, old)
            code, out, err = keys_cli("rotate", "--config", server.config_path, "--json")
            self.assertEqual(code, 0, err)
            new = json.loads(out)["kid"]
            self.assertTrue(self.wait_for(lambda: self.kids(server) == [old, new], 3), self.kids(server))
            self.assertEqual(self.token_kid(server)[1], old)  # pre-publication: not signing yet
            self.assertTrue(self.wait_for(lambda: self.token_kid(server)[1] == new, 6))
            # The retired key stays published; its tokens still validate.
            self.assertEqual(self.kids(server), [old, new])
            self.assertEqual(server.validate(old_token).status, 204)
        finally:
            server.cleanup()

    def test_rotate_every_rotates_on_schedule(self):
        server = sl.Server(18525, '[token]\nprepublish = "2s"\nrotate_every = "4s"\n' + CLIENT)
        try:
            server.start()
            (first,) = self.kids(server)
            self.assertTrue(self.wait_for(lambda: len(self.kids(server)) == 2, 6))
            second = self.kids(server)[1]
            self.assertEqual(self.token_kid(server)[1], first)
            self.assertTrue(self.wait_for(lambda: self.token_kid(server)[1] == second, 6))
        finally:
            server.cleanup()

    def test_rotate_every_rotates_an_idle_server_on_a_timer(self):
        # The schedule runs on a timer of the server's event loop: with no
        # request at all after start-up, the next key still appears on time.
        server = sl.Server(18520, '[token]\nprepublish = "1s"\nrotate_every = "2s"\n' + CLIENT)
        index = os.path.join(server.data_dir, "keys", "index")

        def kids_on_disk():
            with open(index) as f:
                return [line.split()[0] for line in f if line.strip() and not line.startswith("#")]

        def requests_logged():
            return sum(1 for line in server.log_lines() if line.get("event") == "request")

        try:
            server.start()
            # Under load the first rotation may come during start-up already;
            # what counts is a new key while no request arrives.
            time.sleep(0.3)  # the last probe's access-log line follows its response
            before = kids_on_disk()
            seen = requests_logged()
            self.assertGreater(seen, 0)  # the start-up /healthz probes
            self.assertTrue(self.wait_for(lambda: len(kids_on_disk()) > len(before), 8), before)
            self.assertEqual(requests_logged(), seen)  # no request made it happen
            after = kids_on_disk()
            self.assertEqual(after[:len(before)], before)
            new = after[len(before)]
            self.assertTrue(os.path.exists(os.path.join(server.data_dir, "keys", new + ".pem")))
            self.assertIn(new, self.kids(server))  # and the JWKS publishes it
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
