#!/usr/bin/env python3
"""`tock sign --ntp` (shared/spec/cli.md): a machine whose clock is 73 s fast
stamps its token with true time once an SNTP responder telling true time
corrects it. Loopback responders only (clockpeers.Responder).

    TOCK_BIN=build/tock python3 tests/clock/test_sign_ntp.py
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clockpeers import Responder  # noqa: E402

TOCK = os.environ.get("TOCK_BIN") or (sys.argv.pop(1) if len(sys.argv) > 1 else None)
SECRET = "0123456789abcdef0123456789abcdef"


def tock(*args, timeout=60):
    return subprocess.run([TOCK, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


def verify(token, *args):
    return tock("verify", token, "--secret", SECRET, "--json", *args)


class SignNtp(unittest.TestCase):
    def test_fast_machine_corrected_by_true_time_is_accepted_without_skew(self):
        with Responder(offset=0) as truth:
            r = tock("sign", "--secret", SECRET, "--clock-offset", "+73s", "--ntp", truth.server)
        self.assertEqual(r.returncode, 0, r)
        self.assertGreaterEqual(truth.requests, 1)
        # The applied offset goes to stderr.
        self.assertRegex(r.stderr, r"applied SNTP offset -7[23]\.\d+ s")
        token = r.stdout.strip()
        # --skew 1 absorbs the second boundary; uncorrected, nbf would be 13 s ahead.
        v = verify(token, "--skew", "1")
        self.assertEqual(v.returncode, 0, v)
        self.assertTrue(json.loads(v.stdout)["valid"])

    def test_same_machine_without_ntp_is_rejected(self):
        r = tock("sign", "--secret", SECRET, "--clock-offset", "+73s")
        v = verify(r.stdout.strip(), "--skew", "1")
        self.assertEqual(v.returncode, 1, v)
        self.assertEqual(json.loads(v.stdout)["error"]["code"], "not_yet_valid")

    def test_offset_over_ntp_max_is_refused_exit_2(self):
        with Responder(offset=700) as liar:
            r = tock("sign", "--secret", SECRET, "--ntp", liar.server)
        self.assertEqual(r.returncode, 2, r)
        self.assertEqual(r.stdout, "")
        self.assertRegex(r.stderr, r"offset of \+(699\.9|700\.0)\d* s, over the cap of 600 s")

    def test_no_answer_is_exit_2(self):
        with Responder(mode="silent") as mute:
            r = tock("sign", "--secret", SECRET, "--ntp", mute.server)
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("no NTP server answered", r.stderr)

    def test_now_wins_and_no_query_is_made(self):
        with Responder(offset=5) as peer:
            r = tock("sign", "--secret", SECRET, "--now", "1781255830", "--ntp", peer.server)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(peer.requests, 0)


if __name__ == "__main__":
    if not TOCK:
        sys.exit("set TOCK_BIN or pass the tock binary as the first argument")
    unittest.main()
