#!/usr/bin/env python3
"""Conventions every command shares: --version, help, usage errors, exit codes."""
import re

import tockcli as t

COMMANDS = ["decode", "verify", "sign", "keygen", "jwks", "thumbprint"]


class Basics(t.TockTest):
    def test_version(self):
        r = t.run("--version")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"^tock \d+\.\d+\.\d+\n$")

    def test_help_lists_every_command(self):
        r = t.run("help")
        self.assertEqual(r.rc, 0, r)
        for command in COMMANDS:
            self.assertIn(command, r.out)

    def test_command_help(self):
        for command in COMMANDS:
            with self.subTest(command):
                r = t.run(command, "--help")
                self.assertEqual(r.rc, 0, r)
                self.assertIn(command, r.out)
                r2 = t.run("help", command)
                self.assertEqual(r2.rc, 0, r2)
                self.assertEqual(r2.out, r.out)

    def test_verify_help_names_every_spec_flag(self):
        out = t.run("verify", "--help").out
        for flag in ["--key", "--jwks", "--secret", "--secret-file", "--secret-b64", "--alg",
                     "--iss", "--aud", "--sub", "--typ", "--require", "--no-require-exp",
                     "--max-age", "--max-lifetime", "--skew", "--max-token-bytes", "--now",
                     "--clock-offset", "--json"]:
            self.assertRegex(out, re.escape(flag) + r"\b", flag)

    def test_sign_help_names_every_spec_flag(self):
        out = t.run("sign", "--help").out
        for flag in ["--key", "--secret", "--alg", "--kid", "--no-kid", "--typ", "--iss", "--sub",
                     "--aud", "--claim", "--claims", "--ttl", "--nbf-backdate",
                     "--iat-backdate", "--no-nbf", "--no-iat", "--no-exp", "--jti", "--no-jti",
                     "--header", "--now", "--clock-offset"]:
            self.assertRegex(out, re.escape(flag) + r"\b", flag)

    def test_no_command_and_unknown_command_exit_2(self):
        self.assertEqual(t.run().rc, 2)
        r = t.run("frobnicate")
        self.assertEqual(r.rc, 2, r)
        self.assertNotEqual(r.err, "", r)
        r = t.run("help", "frobnicate")
        self.assertEqual(r.rc, 2, r)

    def test_parse_error_under_json_is_usage_document(self):
        for args in [["decode", "--json", "--nope"], ["jwks", "--json"],
                     ["verify", "--json", "--skew"]]:
            with self.subTest(args=args):
                r = t.run(*args)
                self.assertCannotJudge(r, "usage")


if __name__ == "__main__":
    t.main()
