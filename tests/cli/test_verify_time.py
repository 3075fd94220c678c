#!/usr/bin/env python3
"""Clock skew through the CLI: the seed scenario, boundaries to the second,
--now/--clock-offset, and the human check list."""
import tockcli as t
from tockcli import NOW, NOW_UTC, SECRET, claims, hs, verify

SEED_MESSAGE = ("token not yet valid: nbf 2026-06-12T09:17:43Z is 33s after now "
                "2026-06-12T09:17:10Z; allowed clock skew 0s")


class SeedScenario(t.TockTest):
    """The issuer's clock is 33 s ahead; the receiver allows no skew."""

    def setUp(self):
        super().setUp()
        self.token = hs({"alg": "HS256"}, claims(nbf=NOW + 33))

    def test_skew_zero_rejects_with_exact_diagnosis(self):
        r = verify(self.token, "--skew", "0")
        err = self.assertRejected(r, "not_yet_valid", now=NOW, nbf=NOW + 33, skew_s=0,
                                  delta_s=33, message=SEED_MESSAGE)
        self.assertIn("33s", err.get("hint", ""), r)
        self.assertEqual(r.doc["problems"][0]["message"], SEED_MESSAGE)

    def test_default_skew_accepts(self):
        self.assertAccepted(verify(self.token))

    def test_rfc3339_now_is_the_same_instant(self):
        r = t.run("verify", self.token, "--secret", SECRET.decode(), "--now", NOW_UTC,
                  "--skew", "0", "--json")
        self.assertRejected(r, "not_yet_valid", now=NOW, delta_s=33)

    def test_human_output_shows_verdict_numbers_and_hint(self):
        r = t.run("verify", self.token, "--secret", SECRET.decode(), "--now", NOW, "--skew", "0")
        self.assertEqual(r.rc, 1, r)
        lines = r.out.splitlines()
        self.assertEqual(lines[0], "REJECTED: not_yet_valid", r)
        self.assertIn("✓ signature", r.out, r)
        nbf_line = [line for line in lines if "✗ nbf" in line]
        self.assertEqual(len(nbf_line), 1, r)
        self.assertIn("2026-06-12T09:17:43Z", nbf_line[0], r)
        self.assertIn(SEED_MESSAGE, r.out, r)
        self.assertIn("hint:", r.out, r)
        self.assertNotIn("\x1b[", r.out, "no colour when stdout is not a terminal")


class Boundaries(t.TockTest):
    """cli.md time rules: expired when now >= exp + skew; not yet valid when
    now < nbf - skew; issued in the future when iat > now + skew; too old when
    now - iat > max_age + skew."""

    EXP = NOW + 1000
    NBF = NOW - 1000
    IAT = NOW

    def at(self, now, payload, *flags):
        return t.run("verify", hs({"alg": "HS256"}, payload), "--secret", SECRET.decode(),
                     "--now", now, "--json", *flags)

    def test_exp_boundary_to_the_second(self):
        payload = claims(exp=self.EXP, nbf=None, iat=None)
        for skew in [0, 1, 60, 300]:
            with self.subTest(skew=skew):
                s = ["--skew", f"{skew}s"]
                self.assertAccepted(self.at(self.EXP + skew - 1, payload, *s))
                r = self.at(self.EXP + skew, payload, *s)
                self.assertRejected(r, "expired", delta_s=skew, skew_s=skew)

    def test_nbf_boundary_to_the_second(self):
        payload = claims(nbf=self.NBF, iat=None, exp=self.NBF + 5000)
        for skew in [0, 1, 60, 300]:
            with self.subTest(skew=skew):
                s = ["--skew", str(skew)]
                self.assertAccepted(self.at(self.NBF - skew, payload, *s))
                r = self.at(self.NBF - skew - 1, payload, *s)
                self.assertRejected(r, "not_yet_valid", delta_s=skew + 1, skew_s=skew)

    def test_iat_boundary_to_the_second(self):
        payload = claims(iat=self.IAT, nbf=None, exp=self.IAT + 5000)
        for skew in [0, 300]:
            with self.subTest(skew=skew):
                s = ["--skew", str(skew)]
                self.assertAccepted(self.at(self.IAT - skew, payload, *s))
                r = self.at(self.IAT - skew - 1, payload, *s)
                self.assertRejected(r, "issued_in_future", delta_s=skew + 1, skew_s=skew)

    def test_max_age_boundary_to_the_second(self):
        payload = claims(iat=self.IAT, nbf=None, exp=self.IAT + 5000)
        flags = ["--max-age", "10m", "--skew", "30s"]
        self.assertAccepted(self.at(self.IAT + 630, payload, *flags))
        r = self.at(self.IAT + 631, payload, *flags)
        self.assertRejected(r, "token_too_old", delta_s=31, skew_s=30)


class ClockFlags(t.TockTest):
    def test_clock_offset_shifts_pinned_now(self):
        # now = T + D: 73 s behind turns an expired-by-50s token back to valid.
        token = hs({"alg": "HS256"}, claims(exp=NOW - 50, nbf=NOW - 500, iat=NOW - 500))
        base = ["verify", token, "--secret", SECRET.decode(), "--now", NOW, "--skew", "0",
                "--json"]
        self.assertRejected(t.run(*base), "expired", delta_s=50)
        self.assertAccepted(t.run(*base, "--clock-offset", "-73s"))
        r = t.run(*base, "--clock-offset", "+1m")
        self.assertRejected(r, "expired", now=NOW + 60, delta_s=110)

    def test_clock_offset_accepts_compound_durations(self):
        token = hs({"alg": "HS256"}, claims(exp=NOW - 50, nbf=NOW - 500, iat=NOW - 500))
        r = t.run("verify", token, "--secret", SECRET.decode(), "--now", NOW, "--skew", "0",
                  "--json", "--clock-offset=-1m30s")
        self.assertAccepted(r)

    def test_bad_now_and_offset_are_usage_errors(self):
        token = hs({"alg": "HS256"}, claims())
        for flags in [["--now", "yesterday"], ["--now", NOW, "--clock-offset", "soon"],
                      ["--now", NOW, "--skew", "-5s"], ["--now", NOW, "--max-age", "5x"]]:
            with self.subTest(flags=flags):
                r = t.run("verify", token, "--secret", SECRET.decode(), "--json", *flags)
                self.assertCannotJudge(r, "usage")

    def test_default_clock_is_the_system_clock(self):
        # A token valid around NOW (2026) is expired or not yet valid on any
        # real clock more than ten minutes away from it; a token spanning
        # 1970..9999 is valid on every real clock.
        token = hs({"alg": "HS256"}, claims(nbf=0, iat=0, exp=253402300799))
        r = t.run("verify", token, "--secret", SECRET.decode(), "--json")
        self.assertAccepted(r)


class HumanChecks(t.TockTest):
    def test_accepted_lists_checks_with_numbers(self):
        token = hs({"alg": "HS256"}, claims())
        r = t.run("verify", token, "--secret", SECRET.decode(), "--now", NOW, "--iss",
                  "https://issuer.example", "--aud", "api")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.splitlines()[0], "VALID", r)
        for needle in ["✓ signature", "✓ exp", "✓ nbf", "✓ iat", "✓ iss", "✓ aud",
                       "2026-06-12T09:26:40Z", "in 9m30s", "30s ago"]:
            self.assertIn(needle, r.out, r)

    def test_issuer_clock_ahead_within_skew_is_noted(self):
        token = hs({"alg": "HS256"}, claims(iat=NOW + 20, nbf=NOW + 20))
        r = t.run("verify", token, "--secret", SECRET.decode(), "--now", NOW)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("issuer clock appears 20 s ahead", r.out, r)

    def test_control_characters_in_claims_are_escaped(self):
        evil = "svc\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e"
        token = hs({"alg": "HS256"}, claims(sub=evil))
        for flags in [[], ["--sub", "other"]]:
            with self.subTest(flags=flags):
                r = t.run("verify", token, "--secret", SECRET.decode(), "--now", NOW, *flags)
                self.assertIn(r.rc, (0, 1), r)
                for raw in ["\x1b", "\x07", "\u009b", "\u202e"]:
                    self.assertNotIn(raw, r.out, r)
                    self.assertNotIn(raw, r.err, r)


if __name__ == "__main__":
    t.main()
