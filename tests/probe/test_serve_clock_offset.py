"""`tock serve --clock-offset D` shifts the whole server's clock (cli.md,
tock serve): the tokens it issues and the times /validate judges by; `--now`
is refused. Ports 19040-19049."""
import shutil
import subprocess
import tempfile
import time
import unittest

import probepeers as pp
from probepeers import sl

SECRET = "correct horse battery staple, 32+ bytes long"
AUD = "https://a.example.com"
CLIENT = f'''
[[client]]
id = "billing"
secret = "{SECRET}"
scopes = ["read"]
audiences = ["{AUD}"]
'''


class ServeClockOffset(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_binary()
        cls.servers = []
        cls.tmp = None

    @classmethod
    def tearDownClass(cls):
        for server in cls.servers:
            server.cleanup()

    def serve(self, offset, config=""):
        server = sl.Server(19040, config, extra_args=["--clock-offset", offset])
        self.servers.append(server)
        return server.start()

    def test_issued_tokens_carry_the_shifted_clock(self):
        server = self.serve("+73s", CLIENT)
        before = time.time()
        res = server.token("billing", SECRET, audience=AUD, scope="read")
        after = time.time()
        self.assertEqual(res.status, 200, res.body)
        _, claims = sl.token_parts(res.json()["access_token"])
        self.assertGreaterEqual(claims["iat"], int(before) + 73)
        self.assertLessEqual(claims["iat"], int(after) + 73)

    def test_validate_judges_by_the_shifted_clock(self):
        tmp = tempfile.mkdtemp(prefix="tock-offset-")
        self.addCleanup(shutil.rmtree, tmp, True)
        key, jwks = sl.make_key(tmp, "partner")
        strict = self.serve("-7s", pp.trust_config(jwks, "0s"))
        lenient = self.serve("-7s", pp.trust_config(jwks, "10s"))
        in_step = self.serve("0s", pp.trust_config(jwks, "0s"))
        # nbf 3 s in our past is 4 s in the future of a clock 7 s behind.
        token = sl.sign(key, "--iss", pp.ISSUER, "--aud", pp.AUDIENCE, "--nbf-backdate", "3s",
                        "--iat-backdate", "10s")
        res = strict.validate(token)
        self.assertEqual(res.status, 401, res.body)
        self.assertEqual(res.json()["error"]["code"], "not_yet_valid")
        self.assertEqual(lenient.validate(token).status, 204)
        self.assertEqual(in_step.validate(token).status, 204)

    def test_now_is_refused_and_a_bad_offset_is_a_usage_error(self):
        for args in (["--now", "1781255830"], ["--clock-offset", "soon"]):
            proc = subprocess.run([sl.SERVE, "serve", *args], capture_output=True, text=True,
                                  timeout=30)
            self.assertEqual(proc.returncode, 2, args)
            self.assertIn("tock serve:", proc.stderr)


if __name__ == "__main__":
    unittest.main()
