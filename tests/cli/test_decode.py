#!/usr/bin/env python3
"""`tock decode`: JSON fields, every warning code, status, stdin, human output."""
import os
import pty
import subprocess

import tockcli as t
from tockcli import NOW, claims, hs, part

DAY = 86400


def decode(token, *flags, stdin=None):
    if stdin is not None:
        return t.run("decode", *flags, "--now", NOW, "--json", stdin=stdin)
    return t.run("decode", token, *flags, "--now", NOW, "--json")


class Fields(t.TockTest):
    def test_document_fields(self):
        header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
        payload = claims()
        token = hs(header, payload)
        r = decode(token)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.doc["header"], header)
        self.assertEqual(r.doc["payload"], payload)
        self.assertEqual(r.doc["signature"], token.split(".")[2])
        self.assertEqual(r.doc["now"], NOW)
        self.assertEqual(r.doc["times"], {
            "iat": {"value": NOW - 30, "utc": "2026-06-12T09:16:40Z", "relative_s": -30},
            "nbf": {"value": NOW - 30, "utc": "2026-06-12T09:16:40Z", "relative_s": -30},
            "exp": {"value": NOW + 570, "utc": "2026-06-12T09:26:40Z", "relative_s": 570},
        })
        self.assertEqual(r.doc["status"], "valid_now")
        self.assertEqual(r.doc["warnings"], [])

    def test_times_hold_only_numeric_claims(self):
        r = decode(hs({"alg": "HS256"}, claims(exp="soon", nbf=None)))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(sorted(r.doc["times"]), ["iat"], r)
        self.assertIn("bad_claim:exp", r.doc["warnings"], r)

    def test_status_uses_zero_skew(self):
        cases = [
            (claims(exp=NOW), "expired"),
            (claims(exp=NOW + 1), "valid_now"),
            (claims(nbf=NOW + 1), "not_yet_valid"),
            (claims(nbf=NOW), "valid_now"),
            (claims(exp=None, nbf=None), "no_lifetime"),
            (claims(exp=None), "valid_now"),
            (claims(exp=NOW - 1, nbf=NOW + 1), "expired"),
        ]
        for payload, status in cases:
            with self.subTest(status=status, payload=payload):
                r = decode(hs({"alg": "HS256"}, payload))
                self.assertEqual(r.doc["status"], status, r)

    def test_clock_offset_moves_now(self):
        r = t.run("decode", hs({"alg": "HS256"}, claims()), "--now", NOW, "--clock-offset",
                  "-90s", "--json")
        self.assertEqual(r.doc["now"], NOW - 90, r)
        self.assertEqual(r.doc["times"]["exp"]["relative_s"], 660, r)


class Warnings(t.TockTest):
    def warnings(self, header, payload, signature=None):
        token = hs(header, payload, alg="HS256")
        if signature is not None:
            token = token.rsplit(".", 1)[0] + "." + signature
        r = decode(token)
        self.assertEqual(r.rc, 0, r)
        return r.doc["warnings"]

    def test_every_warning_code(self):
        hs256 = {"alg": "HS256"}
        cases = [
            ("alg_none", {"alg": "none"}, claims(), ""),
            ("alg_none", {"typ": "JWT"}, claims(), None),
            ("no_exp", hs256, claims(exp=None), None),
            ("long_lifetime", hs256, claims(iat=NOW, exp=NOW + DAY + 1), None),
            ("long_lifetime", hs256, claims(iat=None, nbf=NOW, exp=NOW + DAY + 1), None),
            ("nbf_after_exp", hs256, claims(nbf=NOW + 600, exp=NOW + 500, iat=NOW), None),
            ("iat_after_exp", hs256, claims(iat=NOW + 600, exp=NOW + 500, nbf=None), None),
            ("iat_in_future", hs256, claims(iat=NOW + 1), None),
            ("bad_claim:aud", hs256, claims(aud=5), None),
            ("bad_claim:iss", hs256, claims(iss=["x"]), None),
            ("crit_present", {"alg": "HS256", "crit": ["exp"]}, claims(), None),
        ]
        for member in ["jwk", "jku", "x5u", "x5c"]:
            cases.append(("key_in_header", {"alg": "HS256", member: "x"}, claims(), None))
        for code, header, payload, signature in cases:
            with self.subTest(code=code, header=header):
                self.assertIn(code, self.warnings(header, payload, signature))

    def test_lifetime_of_exactly_24h_is_not_long(self):
        found = self.warnings({"alg": "HS256"}, claims(iat=NOW, exp=NOW + DAY))
        self.assertNotIn("long_lifetime", found)

    def test_iat_equal_to_now_is_not_in_future(self):
        found = self.warnings({"alg": "HS256"}, claims(iat=NOW))
        self.assertNotIn("iat_in_future", found)


class Input(t.TockTest):
    def test_stdin_with_bearer_prefix(self):
        token = hs({"alg": "HS256"}, claims())
        for stdin in [f"Bearer {token}\n", f"  {token}\r\n", f"bearer {token}"]:
            with self.subTest(stdin=stdin[:10]):
                r = decode(None, stdin=stdin)
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.doc["payload"], claims(), r)
        r = t.run("decode", "-", "--now", NOW, "--json", stdin=f"Bearer {token}")
        self.assertEqual(r.doc["payload"], claims(), r)

    def test_undecodable_token_exits_1_with_error(self):
        cases = {"not-a-token": "malformed",
                 f"{part({'alg': 'HS256'})}.{part([1, 2])}.": "bad_json",
                 f"{part({'alg': 'HS256'})}.{part(claims())}=.": "bad_base64"}
        for token, code in cases.items():
            with self.subTest(code=code):
                r = decode(token)
                self.assertEqual(r.rc, 1, r)
                self.assertEqual(r.error.get("code"), code, r)
                self.assertIsInstance(r.error.get("message"), str, r)

    def test_bad_usage_is_exit_2_with_json_document(self):
        r = t.run("decode", "x", "--now", "not-a-time", "--json")
        self.assertCannotJudge(r, "usage", verify_doc=False)
        r = t.run("decode", "x", "--bogus", "--json")
        self.assertCannotJudge(r, "usage", verify_doc=False)


class Human(t.TockTest):
    def test_report_sections(self):
        r = t.run("decode", hs({"alg": "HS256", "typ": "JWT"}, claims()), "--now", NOW)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.out.startswith("UNVERIFIED"), r)
        for needle in ['"alg": "HS256"', '"sub": "svc"', "2026-06-12T09:26:40Z", "in 9m30s",
                       "30s ago", "valid_now", "^ now", "nbf", "exp", "[", "]"]:
            self.assertIn(needle, r.out, r)
        self.assertNotIn("\x1b[", r.out)

    def test_warnings_listed(self):
        r = t.run("decode", hs({"alg": "HS256"}, claims(exp=None)), "--now", NOW)
        self.assertIn("no_exp", r.out, r)

    def test_control_characters_escaped(self):
        evil = "a\x1b[31mred\x1b]0;title\x07\u009b2J\u202ez\x7f"
        token = hs({"alg": "HS256", "kid": evil}, claims(sub=evil, **{evil: evil}))
        r = t.run("decode", token, "--now", NOW)
        self.assertEqual(r.rc, 0, r)
        for raw in ["\x1b", "\x07", "\u009b", "\u202e", "\x7f"]:
            self.assertNotIn(raw, r.out, r)
        j = t.run("decode", token, "--now", NOW, "--json")
        for raw in ["\x1b", "\x07", "\u009b", "\u202e", "\x7f"]:
            self.assertNotIn(raw, j.out, j)
        self.assertEqual(j.doc["payload"]["sub"], evil, "escaping must not change the value")

    def pty_output(self, env_extra):
        master, slave = pty.openpty()
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        env.update(env_extra)
        token = hs({"alg": "HS256"}, claims())
        proc = subprocess.Popen([t.TOCK, "decode", token, "--now", str(NOW)], stdout=slave,
                                stderr=subprocess.DEVNULL, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        self.assertEqual(proc.wait(timeout=30), 0)
        return b"".join(chunks).decode()

    def test_colour_only_on_a_terminal_without_no_color(self):
        self.assertIn("\x1b[", self.pty_output({}))
        self.assertNotIn("\x1b[", self.pty_output({"NO_COLOR": "1"}))


if __name__ == "__main__":
    t.main()
