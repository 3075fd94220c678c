#!/usr/bin/env python3
"""`tock jwks` and `tock thumbprint`."""
import json

import tockcli as t
from tockcli import SECRET

RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}


class Jwks(t.TockTest):
    def test_public_halves_with_kid_use_alg(self):
        files = ["rsa2048.pem", "ec256.pem", "ed25519.pem", "ec256.pub.pem"]
        r = t.run("jwks", *[t.key(f) for f in files])
        self.assertEqual(r.rc, 0, r)
        keys = r.doc["keys"]
        self.assertEqual([k["kty"] for k in keys], ["RSA", "EC", "OKP", "EC"])
        for k, f in zip(keys, files):
            with self.subTest(f):
                self.assertEqual(PRIVATE_MEMBERS & set(k), set(), k)
                self.assertEqual(k["use"], "sig")
                self.assertEqual(k["kid"], t.run("thumbprint", t.key(f)).out.strip())
        self.assertEqual(keys[1]["alg"], "ES256", "P-256 implies ES256")
        self.assertEqual(keys[1]["kid"], keys[3]["kid"], "same public key, same thumbprint")

    def test_alg_flag(self):
        r = t.run("jwks", "--alg", "PS256", t.key("rsa2048.pem"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.doc["keys"][0]["alg"], "PS256")
        r = t.run("jwks", "--alg", "ES256", t.key("rsa2048.pem"), "--json")
        self.assertCannotJudge(r, "key_error", verify_doc=False)

    def test_input_jwk_kid_is_kept(self):
        path = self.write("rfc.json", open(t.key("rfc7638.jwk.json")).read())
        r = t.run("jwks", path)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.doc["keys"][0]["kid"], "2011-04-29")
        self.assertEqual(r.doc["keys"][0]["alg"], "RS256")

    def test_hmac_secret_is_refused(self):
        path = self.write("oct.json", json.dumps({"kty": "oct", "k": t.b64u(SECRET)}))
        r = t.run("jwks", path, "--json")
        self.assertCannotJudge(r, "key_error", verify_doc=False)
        self.assertNotIn(t.b64u(SECRET), r.out + r.err, "the secret must not leak")

    def test_private_jwk_input_loses_private_members(self):
        jwk = t.run("keygen", "--type", "rsa", "--jwk").out
        path = self.write("priv.json", jwk)
        r = t.run("jwks", path)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(PRIVATE_MEMBERS & set(r.doc["keys"][0]), set())

    def test_missing_file_is_io_error(self):
        r = t.run("jwks", f"{self.tmp}/nope.pem", "--json")
        self.assertCannotJudge(r, "io_error", verify_doc=False)


class Thumbprint(t.TockTest):
    def test_rfc7638_example(self):
        r = t.run("thumbprint", t.key("rfc7638.jwk.json"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, RFC7638_THUMBPRINT + "\n")

    def test_private_and_public_pem_agree(self):
        a = t.run("thumbprint", t.key("rsa2048.pem")).out
        b = t.run("thumbprint", t.key("rsa2048.pub.pem")).out
        self.assertEqual(a, b)
        self.assertRegex(a, r"^[A-Za-z0-9_-]{43}\n$")

    def test_set_prints_one_line_per_key(self):
        jwks = t.run("jwks", t.key("ec256.pem"), t.key("rfc7638.jwk.json")).out
        path = self.write("set.json", jwks)
        r = t.run("thumbprint", path)
        lines = r.out.splitlines()
        self.assertEqual(lines, [t.run("thumbprint", t.key("ec256.pem")).out.strip(),
                                 RFC7638_THUMBPRINT])

    def test_missing_file_exit_2(self):
        r = t.run("thumbprint", f"{self.tmp}/nope.pem")
        self.assertEqual(r.rc, 2, r)


if __name__ == "__main__":
    t.main()
