#!/usr/bin/env python3
"""`tock clock` against a REAL NTP server: Debian's chronyd on a loopback port,
serving this machine's own clock, so the true offset is 0 and tock must report
it within ±50 ms. How chronyd is started and stopped: see clockpeers.Chronyd
(temporary chrony.conf with `local stratum 8`, `allow 127.0.0.1`,
`bindaddress 127.0.0.1`, `port P` in 12300-12399, `cmdport 0`; run as
`chronyd -x -d -t 300 -f CONF`, never touching the system clock; stopped with
SIGTERM in tearDownClass, atexit and signal handlers).

    TOCK_BIN=build/tock python3 tests/clock/test_chronyd.py
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clockpeers import Chronyd  # noqa: E402

TOCK = os.environ.get("TOCK_BIN") or (sys.argv.pop(1) if len(sys.argv) > 1 else None)


def tock(*args, timeout=60):
    return subprocess.run([TOCK, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


class RealChronyd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.chronyd = Chronyd().start()
        cls.server = f"127.0.0.1:{cls.chronyd.port}"

    @classmethod
    def tearDownClass(cls):
        cls.chronyd.stop()

    def test_json_offset_within_50ms(self):
        r = tock("clock", "--server", self.server, "--json")
        self.assertEqual(r.returncode, 0, r)
        doc = json.loads(r.stdout)
        self.assertLess(abs(doc["offset_s"]), 0.05, doc)
        self.assertGreaterEqual(doc["delay_s"], 0, doc)
        self.assertLess(doc["delay_s"], 0.05, doc)
        self.assertNotIn("error", doc)
        [server] = doc["servers"]
        self.assertEqual(server["server"], self.server)
        self.assertEqual(server["address"], self.server)
        self.assertEqual(server["stratum"], 8)  # chrony.conf: local stratum 8
        self.assertEqual(server["samples"], 4)
        self.assertIsNone(server["error"])
        self.assertEqual(server["offset_s"], doc["offset_s"])

    def test_human_output_names_server_stratum_and_direction(self):
        r = tock("clock", "--server", self.server, "--samples", "2")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn(self.server, r.stdout)
        self.assertIn("stratum 8", r.stdout)
        self.assertRegex(r.stdout, r"this machine is \d+\.\d{3} ms (behind|ahead)")

    def test_machine_73s_fast_reads_minus_73_and_fails_max_offset(self):
        # --clock-offset shifts this machine's clock: chronyd then looks 73 s behind it.
        r = tock("clock", "--server", self.server, "--clock-offset", "+73s", "--json")
        self.assertEqual(r.returncode, 1, r)  # |offset| > --max-offset 1s
        doc = json.loads(r.stdout)
        self.assertAlmostEqual(doc["offset_s"], -73.0, delta=0.05)
        self.assertIn("exceeds --max-offset 1s", r.stderr)
        self.assertRegex(r.stderr, r"this machine is 7[23]\.\d{3} s ahead")

    def test_machine_90s_slow_within_generous_max_offset_passes(self):
        r = tock("clock", "--server", self.server, "--clock-offset", "-90s",
                 "--max-offset", "2m", "--json")
        self.assertEqual(r.returncode, 0, r)
        self.assertAlmostEqual(json.loads(r.stdout)["offset_s"], 90.0, delta=0.05)


if __name__ == "__main__":
    if not TOCK:
        sys.exit("set TOCK_BIN or pass the tock binary as the first argument")
    unittest.main()
