"""Scheduled rotation on three `tock serve` instances sharing PostgreSQL, and
the rotation leader killed with SIGKILL mid-run (server.md: "Rotation, once").

rotate_every = 6s, prepublish = 4s, for 30 s: every rotation happens once
(one key per slot in tock_keys), every instance publishes a key before any
instance signs with it, every token issued validates at every live instance;
at 15 s the advisory-lock holder is killed and another instance must hold the
lock within 5 s and go on rotating. Prints the measured numbers.

Ports: PostgreSQL 19302, tock 19320-19329 (server/README.md).
"""
import os
import shutil
import signal
import sys
import time
import unittest

import pglib
import serverlib as sl

PG_PORT = 19302
BLOCK = 19320
RUN_S = 30
KILL_AT_S = 15
ROTATE_EVERY = 6
PREPUBLISH = 4


@unittest.skipIf(pglib.missing(), pglib.missing() or "")
class RotationTest(unittest.TestCase):
    def setUp(self):
        sl.require_binary()
        self.pg = pglib.Postgres(PG_PORT)
        self.servers = []
        self.addCleanup(self.pg.cleanup)
        self.tmp = self.pg.dir + "-tock"
        os.makedirs(self.tmp, mode=0o700)
        self.addCleanup(shutil.rmtree, self.tmp, True)
        kek = pglib.write_kek(os.path.join(self.tmp, "kek"))
        token = f'prepublish = "{PREPUBLISH}s"\nrotate_every = "{ROTATE_EVERY}s"'
        config = pglib.store_config(self.pg, kek, token=token, replay=False)
        for port in sl.free_ports(BLOCK, 3):
            server = sl.Server(BLOCK, config, port=port)
            self.addCleanup(server.cleanup)
            self.servers.append(server)
        for s in self.servers:
            s.start()

    def test_each_rotation_once_prepublished_everywhere_and_leader_failover(self):
        live = list(self.servers)
        first_seen = {id(s): {} for s in self.servers}  # server -> kid -> time first in its JWKS
        first_use = {}  # kid -> time of the first token signed with it
        failures = []
        tokens = 0
        killed_at = takeover_s = None
        killed_pid = None
        start = time.time()
        i = 0
        while time.time() - start < RUN_S:
            now = time.time()
            for s in live:
                for key in sl.json.loads(s.get("/.well-known/jwks.json").body)["keys"]:
                    first_seen[id(s)].setdefault(key["kid"], now)
            issuer = live[i % len(live)]
            i += 1
            res = issuer.token("svc", pglib.SECRET)
            if res.status != 200:
                failures.append(f"/token at {issuer.port}: {res.status} {res.body}")
            else:
                token = res.json()["access_token"]
                kid = sl.token_parts(token)[0]["kid"]
                first_use.setdefault(kid, time.time())
                tokens += 1
                for s in live:
                    v = s.validate(token, "?aud=" + pglib.AUDIENCE)
                    if v.status != 204:
                        failures.append(f"token of kid {kid} from {issuer.port} at {s.port}: {v.status} {v.body}")
            elapsed = time.time() - start
            if killed_at is None and elapsed >= KILL_AT_S:
                leader = pglib.leader_pid(self.pg)
                victim = next(s for s in live if s.proc.pid == leader)
                victim.proc.send_signal(signal.SIGKILL)
                victim.proc.wait()
                live.remove(victim)
                killed_at, killed_pid = time.time(), leader
            elif killed_at is not None and takeover_s is None:
                leader = pglib.leader_pid(self.pg)
                if leader is not None and leader != killed_pid:
                    takeover_s = time.time() - killed_at
            time.sleep(0.05)
        while takeover_s is None and time.time() - killed_at < 10:
            leader = pglib.leader_pid(self.pg)
            if leader is not None and leader != killed_pid:
                takeover_s = time.time() - killed_at
            time.sleep(0.05)

        rows = pglib.key_rows(self.pg)
        created = {r[0]: int(c) for r in rows
                   for c in self.pg.sql(f"SELECT created_at FROM tock_keys WHERE kid = '{r[0]}'")[0]}
        activations = [r[1] for r in rows]
        gaps = [b - a for a, b in zip(activations, activations[1:])]
        lead = [min(first_use[k] - first_seen[id(s)].get(k, float("inf")) for s in self.servers
                    if first_seen[id(s)] and (s in live or first_use[k] < killed_at))
                for k in first_use if k != rows[0][0]]
        print(f"\nrotation run: {len(rows)} keys in {RUN_S}s, activation gaps {gaps}s, "
              f"{tokens} tokens each validated at every live instance, {len(failures)} failures, "
              f"smallest lead of publication (every instance) over first use "
              f"{min(lead) if lead else float('nan'):.2f}s, leader pid {killed_pid} killed at "
              f"{KILL_AT_S}s, lock taken over in {takeover_s if takeover_s is not None else -1:.2f}s",
              file=sys.stderr)
        self.assertEqual(failures, [])
        # Once per slot: distinct activations, rotate_every apart (a late
        # tick may add a second), never two keys for one slot.
        self.assertEqual(len(set(activations)), len(activations))
        for gap in gaps:
            self.assertGreaterEqual(gap, ROTATE_EVERY)
            self.assertLessEqual(gap, ROTATE_EVERY + 2)
        self.assertGreaterEqual(len(rows), 1 + (RUN_S - 2) // ROTATE_EVERY)
        for kid in list(created)[1:]:
            row = next(r for r in rows if r[0] == kid)
            self.assertGreaterEqual(row[1] - created[kid], PREPUBLISH)
        # Pre-publication: every instance had each key in its JWKS before the
        # first token signed with it, anywhere.
        self.assertTrue(lead)
        self.assertGreater(min(lead), 0)
        self.assertIsNotNone(takeover_s, "no instance took the rotation lock over")
        self.assertLess(takeover_s, 5)
        # The new leader went on rotating after the kill.
        self.assertTrue(any(c > killed_at + 1 for c in created.values()), created)


if __name__ == "__main__":
    unittest.main()
