"""PostgreSQL stopped for 10 s under load, two `tock serve` instances on it
(server.md: "Database down"): /token answers 503 temporarily_unavailable
with Retry-After, /validate keeps answering 204 and 401 correctly from
memory, /healthz is 503 with the reason, and all recovers without a restart
with the same keys (none lost, none added). Prints the measured numbers.

Ports: PostgreSQL 19306, tock 19340-19349 (server/README.md).
"""
import os
import shutil
import sys
import threading
import time
import unittest

import pglib
import serverlib as sl

PG_PORT = 19306
BLOCK = 19340
OUTAGE_S = 10
# The key store asks the database every second (scaled for sanitizer builds).
DETECT_S = 2 * float(os.environ.get("TOCK_TIME_SCALE", "1"))


@unittest.skipIf(pglib.missing(), pglib.missing() or "")
class OutageTest(unittest.TestCase):
    def setUp(self):
        sl.require_binary()
        self.pg = pglib.Postgres(PG_PORT)
        self.addCleanup(self.pg.cleanup)
        self.tmp = self.pg.dir + "-tock"
        os.makedirs(self.tmp, mode=0o700)
        self.addCleanup(shutil.rmtree, self.tmp, True)
        kek = pglib.write_kek(os.path.join(self.tmp, "kek"))
        config = pglib.store_config(self.pg, kek)
        self.servers = []
        for port in sl.free_ports(BLOCK, 2):
            server = sl.Server(BLOCK, config, port=port)
            self.addCleanup(server.cleanup)
            self.servers.append(server)
        for s in self.servers:
            s.start()

    def load(self, good, forged, stop, record):
        while not stop.is_set():
            for s in self.servers:
                t = time.time()
                res = s.token("svc", pglib.SECRET)
                record.append((t, "token", res.status, res.header("Retry-After"), res.body))
                record.append((t, "good", s.validate(good, "?aud=" + pglib.AUDIENCE).status, None, ""))
                record.append((t, "forged", s.validate(forged, "?aud=" + pglib.AUDIENCE).status, None, ""))
            time.sleep(0.02)

    def test_database_down_10s_under_load(self):
        a, b = self.servers
        good = a.token("svc", pglib.SECRET).json()["access_token"]
        head, payload, sig = good.split(".")
        forged = f"{head}.{payload}.{sig[:-4]}{'AAAA' if sig[-4:] != 'AAAA' else 'BBBB'}"
        keys_before = pglib.key_rows(self.pg)
        jwks_before = a.get("/.well-known/jwks.json").body
        record, stop = [], threading.Event()
        worker = threading.Thread(target=self.load, args=(good, forged, stop, record))
        worker.start()
        try:
            time.sleep(1)
            down_at = time.time()
            self.pg.stop("fast")
            time.sleep(DETECT_S + 1)
            health = [s.get("/healthz") for s in self.servers]
            time.sleep(max(0, OUTAGE_S - (time.time() - down_at)))
            self.pg.start()
            up_at = time.time()
            recovered_s = None
            while time.time() - up_at < 15:
                if all(s.get("/healthz").status == 200 for s in self.servers) and \
                        all(s.token("svc", pglib.SECRET).status == 200 for s in self.servers):
                    recovered_s = time.time() - up_at
                    break
                time.sleep(0.1)
            time.sleep(1)
        finally:
            stop.set()
            worker.join()

        during = [r for r in record if down_at + DETECT_S <= r[0] < up_at]
        tokens = [r for r in during if r[1] == "token"]
        first_503 = min((r[0] for r in record if r[1] == "token" and r[2] == 503), default=None)
        print(f"\noutage run: database down {up_at - down_at:.1f}s; first /token 503 "
              f"{(first_503 - down_at) if first_503 else -1:.2f}s after the stop; "
              f"{len(tokens)} /token during the outage all "
              f"{sorted({r[2] for r in tokens})}; {len([r for r in during if r[1] != 'token'])} "
              f"/validate during it {sorted({(r[1], r[2]) for r in during if r[1] != 'token'})}; "
              f"recovered {recovered_s if recovered_s is not None else -1:.2f}s after the restart",
              file=sys.stderr)
        self.assertGreater(len(tokens), 5)
        for t, kind, status, retry_after, body in tokens:
            self.assertEqual(status, 503, body)
            self.assertIsNotNone(retry_after)
            self.assertEqual(sl.json.loads(body)["error"], "temporarily_unavailable")
        for t, kind, status, _, _ in record:
            if kind == "good":
                self.assertEqual(status, 204)
            if kind == "forged":
                self.assertEqual(status, 401)
        for res in health:
            self.assertEqual(res.status, 503, res.body)
            self.assertIn("key store unreachable", res.body)
            self.assertIn("validator: ok", res.body)
        self.assertIsNotNone(recovered_s, "no recovery within 15 s of the database's return")
        self.assertEqual(pglib.key_rows(self.pg), keys_before)
        for s in self.servers:
            self.assertEqual(s.get("/.well-known/jwks.json").body, jwks_before)
            self.assertIsNone(s.proc.poll())


if __name__ == "__main__":
    unittest.main()
