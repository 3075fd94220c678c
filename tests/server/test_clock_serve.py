"""`tock serve` with `[clock] servers` (server.md, "Faults are survived" →
SNTP): tock_clock_offset_seconds is the last measurement, applied or not;
tock_clock_offset_applied_seconds is what issuing uses; an offset over
max_offset logs a warning line at every measurement and /healthz says so
(still 200).

The SNTP server is tests/clock/clockpeers.py's scripted Responder, moved to
this file's UDP port. Ports: 18710-18719 (tock serve), UDP 18740-18741
(the fake SNTP servers).
"""
import os
import re
import socket
import sys
import time
import unittest

import serverlib as sl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clock"))
import clockpeers  # noqa: E402

SECRET = "correct horse battery staple, 32+ bytes long"


def responder(port, offset):
    """A clockpeers.Responder answering time.time() + |offset| on 127.0.0.1:|port|."""
    r = clockpeers.Responder(offset=offset)
    r.sock.close()
    r.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.sock.bind(("127.0.0.1", port))
    r.sock.settimeout(0.05)
    r.port = port
    r.server = f"127.0.0.1:{port}"
    return r


def gauge(metrics_text, name):
    m = re.search(r"^%s (\S+)$" % re.escape(name), metrics_text, re.M)
    return float(m.group(1)) if m else None


class ClockServeTest(unittest.TestCase):
    def start(self, offset, udp_port, max_offset):
        self.sntp = responder(udp_port, offset).__enter__()
        self.addCleanup(self.sntp.__exit__, None, None, None)
        server = sl.Server(18710, f'''
[[client]]
id = "billing"
secret = "{SECRET}"
audiences = ["https://api.example.com"]

[clock]
servers = ["127.0.0.1:{udp_port}"]
interval = "1s"
max_offset = "{max_offset}"
''')
        self.addCleanup(server.cleanup)
        return server.start()

    def wait_for_gauge(self, server, name):
        deadline = time.time() + 20
        while time.time() < deadline:
            value = gauge(server.get("/metrics").body, name)
            if value is not None:
                return value
            time.sleep(0.1)
        self.fail(f"{name} never appeared in /metrics")

    def refusals(self, server):
        return [l for l in server.log_lines() if l.get("event") == "clock_offset_refused"]

    def test_offset_over_max_is_measured_not_applied_logged_and_in_healthz(self):
        sl.require_binary()
        server = self.start(73, 18740, "30s")
        self.assertAlmostEqual(self.wait_for_gauge(server, "tock_clock_offset_seconds"), 73, delta=1)
        self.assertEqual(gauge(server.get("/metrics").body, "tock_clock_offset_applied_seconds"), 0)
        # Issued tokens keep the machine's clock.
        res = server.token("billing", SECRET)
        self.assertEqual(res.status, 200, res.body)
        iat = sl.token_parts(res.json()["access_token"])[1]["iat"]
        self.assertLess(abs(iat - time.time()), 10)
        health = server.get("/healthz")
        self.assertEqual(health.status, 200)
        self.assertIn("offset", health.body)
        self.assertRegex(health.body, r"offset of \+7[23]\.\d+ s, over the cap of 30 s")
        self.assertIn("not applied", health.body)
        # A warning line at every measurement (interval 1s): wait for two.
        deadline = time.time() + 20
        while len(self.refusals(server)) < 2 and time.time() < deadline:
            time.sleep(0.2)
        lines = self.refusals(server)
        self.assertGreaterEqual(len(lines), 2, lines)
        for line in lines:
            self.assertEqual(line["level"], "warning")
            self.assertAlmostEqual(line["offset_s"], 73, delta=1)
            self.assertEqual(line["max_offset_s"], 30)
            self.assertEqual(line["servers"], ["127.0.0.1:18740"])

    def test_offset_within_max_is_applied_to_issued_tokens(self):
        sl.require_binary()
        server = self.start(20, 18741, "30s")
        deadline = time.time() + 20
        while time.time() < deadline:
            applied = gauge(server.get("/metrics").body, "tock_clock_offset_applied_seconds")
            if applied:
                break
            time.sleep(0.1)
        self.assertAlmostEqual(applied, 20, delta=1)
        self.assertAlmostEqual(gauge(server.get("/metrics").body, "tock_clock_offset_seconds"), 20,
                               delta=1)
        res = server.token("billing", SECRET)
        self.assertEqual(res.status, 200, res.body)
        iat = sl.token_parts(res.json()["access_token"])[1]["iat"]
        self.assertAlmostEqual(iat - time.time(), 20, delta=3)
        health = server.get("/healthz")
        self.assertEqual((health.status, health.body), (200, "ok\n"))
        self.assertEqual(self.refusals(server), [])


if __name__ == "__main__":
    unittest.main()
