#!/usr/bin/env python3
"""`tock keygen`: modes, PEM and JWK output, --out with mode 0600 and O_EXCL."""
import json
import os
import stat

import tockcli as t
from tockcli import NOW


class Modes(t.TockTest):
    def roundtrip(self, keyfile):
        signed = t.run("sign", "--key", keyfile, "--now", NOW)
        self.assertEqual(signed.rc, 0, signed)
        self.assertAccepted(t.verify(signed.out.strip(), "--key", keyfile))

    def test_alg_gives_pkcs8_pem(self):
        for alg, kty in [("ES256", "EC"), ("ES384", "EC"), ("ES512", "EC"), ("RS256", "RSA"),
                         ("PS256", "RSA"), ("EdDSA", "OKP"), ("Ed25519", "OKP")]:
            with self.subTest(alg=alg):
                r = t.run("keygen", "--alg", alg)
                self.assertEqual(r.rc, 0, r)
                self.assertTrue(r.out.startswith("-----BEGIN PRIVATE KEY-----\n"), r)
                path = self.write(f"{alg}.pem", r.out)
                jwk = json.loads(t.run("jwks", path).out)["keys"][0]
                self.assertEqual(jwk["kty"], kty)
                self.roundtrip(path)

    def test_type_with_bits_and_curve(self):
        cases = [(["--type", "rsa"], "RSA", None), (["--type", "rsa", "--bits", "3072"], "RSA",
                                                     None),
                 (["--type", "ec"], "EC", "P-256"), (["--type", "ec", "--curve", "P-384"], "EC",
                                                     "P-384"),
                 (["--type", "ec", "--curve", "P-521"], "EC", "P-521"),
                 (["--type", "ed25519"], "OKP", "Ed25519")]
        for flags, kty, crv in cases:
            with self.subTest(flags=flags):
                r = t.run("keygen", *flags, "--jwk")
                self.assertEqual(r.rc, 0, r)
                jwk = json.loads(r.out)
                self.assertEqual(jwk["kty"], kty)
                self.assertIn("d", jwk, "a private JWK carries d")
                if crv:
                    self.assertEqual(jwk["crv"], crv)
                if flags[-1] == "3072":
                    self.assertEqual(len(t.b64u_decode(jwk["n"])), 384)

    def test_hmac_jwk(self):
        r = t.run("keygen", "--alg", "HS512", "--jwk")
        self.assertEqual(r.rc, 0, r)
        jwk = json.loads(r.out)
        self.assertEqual(jwk["kty"], "oct")
        self.assertGreaterEqual(len(t.b64u_decode(jwk["k"])), 64)

    def test_bad_invocations_exit_2(self):
        for flags in [[], ["--alg", "ES256", "--type", "ec"], ["--alg", "none"],
                      ["--type", "dsa"], ["--type", "rsa", "--bits", "1024"],
                      ["--type", "ec", "--curve", "P-192"], ["--alg", "HS256"],
                      ["--type", "ec", "--bits", "4096"], ["--alg", "ES256", "--curve", "P-384"]]:
            with self.subTest(flags=flags):
                r = t.run("keygen", *flags)
                self.assertEqual(r.rc, 2, r)
                self.assertEqual(r.out, "", r)


class OutFile(t.TockTest):
    def test_out_is_created_0600(self):
        path = os.path.join(self.tmp, "new.pem")
        old = os.umask(0)
        try:
            r = t.run("keygen", "--alg", "ES256", "--out", path)
        finally:
            os.umask(old)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, "", "the key goes to the file, not stdout")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            self.assertTrue(f.read().startswith("-----BEGIN PRIVATE KEY-----"))

    def test_existing_file_is_untouched_without_force(self):
        path = self.write("existing.pem", "keep me\n", mode=0o644)
        r = t.run("keygen", "--alg", "ES256", "--out", path, "--json")
        self.assertCannotJudge(r, "io_error", verify_doc=False)
        with open(path) as f:
            self.assertEqual(f.read(), "keep me\n")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o644)
        r = t.run("keygen", "--alg", "ES256", "--out", path)
        self.assertEqual(r.rc, 2, r)

    def test_symlink_is_not_followed(self):
        target = self.write("target.txt", "precious\n")
        link = os.path.join(self.tmp, "link.pem")
        os.symlink(target, link)
        r = t.run("keygen", "--alg", "ES256", "--out", link)
        self.assertEqual(r.rc, 2, r)
        with open(target) as f:
            self.assertEqual(f.read(), "precious\n")

    def test_force_replaces_with_0600(self):
        path = self.write("existing.pem", "old\n", mode=0o644)
        r = t.run("keygen", "--alg", "ES256", "--jwk", "--out", path, "--force")
        self.assertEqual(r.rc, 0, r)
        with open(path) as f:
            self.assertEqual(json.load(f)["crv"], "P-256")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["existing.pem"], "no temporary left")

    def test_unwritable_directory_is_io_error(self):
        r = t.run("keygen", "--alg", "ES256", "--out", os.path.join(self.tmp, "no", "dir.pem"))
        self.assertEqual(r.rc, 2, r)


if __name__ == "__main__":
    t.main()
