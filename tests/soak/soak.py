"""Load-and-fault soak of `tock serve` (run by scripts/soak, not by ctest).

Sends a bounded number of mixed /validate requests (default 100,000) over
several keep-alive connections, from several processes, while a real
redis-server (appendonly yes, the one_time replay store) is restarted and
the JWKS upstream of the trusted issuer flaps between serving and failing.

It asserts what issue 11 asks of a production validator under faults:
- no 5xx other than the expected 503s (one_time tokens while Redis is down);
- no token wrongly accepted (expired, wrong audience, garbage, unknown kid,
  a one_time token accepted twice);
- no crash (the server is alive at the end and exits 0 on SIGTERM);
- RSS after the first 20% of requests (warm-up) grows less than 20 % by the end.

Everything runs on loopback ports 18800-18809 and stops by itself.
Usage: TOCK_BIN=build/tock /usr/bin/python3 tests/soak/soak.py [--requests N] [--workers W]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))
import serverlib  # noqa: E402

import jwt  # PyJWT, an implementation we did not write  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

REDIS_PORT = 18800
JWKS_PORT = 18801
TOCK_PORT = 18802
ISS = "https://partner.example"
ISS_ONCE = "https://partner-once.example"
AUD = "https://api.example.com"

# Request kinds and the statuses each may get. one_time first uses may get
# 503 while Redis is down; nothing else may ever see a 5xx.
EXPECTED = {
    "valid": {204},
    "expired": {401},
    "wrong_aud": {401},
    "garbage": {401},
    "unknown_kid": {401},
    "oversized": {431},
    "once_first": {204, 503},
    "once_replay": {401, 503},
}
WRONG_IF_ACCEPTED = {"expired", "wrong_aud", "garbage", "unknown_kid", "oversized"}


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Jwks:
    """The trusted issuer's JWKS endpoint; `up` flips it between a 200 with the
    keys and a 500, as a flapping upstream does."""

    def __init__(self, jwks_json):
        self.body = jwks_json.encode()
        self.up = True
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.fetches += 1
                if outer.up:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Cache-Control", "max-age=1")
                    self.send_header("Content-Length", str(len(outer.body)))
                    self.end_headers()
                    self.wfile.write(outer.body)
                else:
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", JWKS_PORT), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Redis:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "redis")
        os.makedirs(self.dir)
        self.proc = None
        self.restarts = 0

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", self.dir,
             "--appendonly", "yes", "--save", "", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def make_tokens(tmp, once_per_worker, workers):
    key = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "k1", "alg": "ES256", "use": "sig"})
    now = int(time.time())

    def sign(claims, kid="k1", signer=key):
        base = {"iss": ISS, "aud": AUD, "sub": "svc", "iat": now, "nbf": now - 60, "exp": now + 3600}
        base.update(claims)
        return jwt.encode(base, signer, algorithm="ES256", headers={"kid": kid})

    pools = {
        "valid": [sign({"jti": f"v{i}"}) for i in range(200)],
        "expired": [sign({"exp": now - 3600, "iat": now - 7200, "nbf": now - 7200}) for _ in range(20)],
        "wrong_aud": [sign({"aud": "https://other.example"}) for _ in range(20)],
        "garbage": ["x.y.z", "eyJhbGciOiJub25lIn0.e30.", "not-a-token", sign({})[:-5] + "AAAAA"],
        "unknown_kid": [sign({}, kid="k-unknown", signer=other) for _ in range(10)],
    }
    once = [[sign({"iss": ISS_ONCE, "jti": f"once-{w}-{i}"}) for i in range(once_per_worker)]
            for w in range(workers)]
    return json.dumps({"keys": [jwk]}), pools, once


def config(tmp):
    return (f'[replay]\nbackend = "redis"\nurl = "redis://127.0.0.1:{REDIS_PORT}/0"\n'
            f'[[trust]]\nissuer = "{ISS}"\njwks_uri = "http://127.0.0.1:{JWKS_PORT}/jwks.json"\n'
            f'audiences = ["{AUD}"]\nskew = "60s"\ncache_max_age = "2s"\ncache_min = "1s"\n'
            f'cooldown = "1s"\n'
            f'[[trust]]\nissuer = "{ISS_ONCE}"\njwks_uri = "http://127.0.0.1:{JWKS_PORT}/jwks.json"\n'
            f'audiences = ["{AUD}"]\nskew = "60s"\none_time = true\n')


def worker(index, count, pools, once_tokens, progress, out):
    """Sends |count| requests; returns counts per (kind, status) and problems."""
    counts, problems = {}, []
    conn = http.client.HTTPConnection("127.0.0.1", TOCK_PORT, timeout=15)
    kinds = ["valid"] * 10 + ["expired", "wrong_aud", "garbage", "unknown_kid"] * 2 + ["once"] * 4
    once_iter = iter(once_tokens)
    sent = 0
    i = 0

    def send(kind, token, headers_extra=None):
        nonlocal conn
        headers = {"Authorization": "Bearer " + token}
        if headers_extra:
            headers.update(headers_extra)
        for attempt in range(2):
            try:
                conn.request("GET", "/validate?aud=" + AUD, headers=headers)
                res = conn.getresponse()
                res.read()
                if res.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", TOCK_PORT, timeout=15)
                return res.status
            except (http.client.HTTPException, OSError) as e:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", TOCK_PORT, timeout=15)
                if attempt == 1:
                    problems.append(f"{kind}: connection error {e!r}")
                    return 0
        return 0

    def record(kind, status):
        counts[f"{kind} {status}"] = counts.get(f"{kind} {status}", 0) + 1
        if status not in EXPECTED[kind]:
            problems.append(f"{kind}: unexpected status {status}")

    while sent < count:
        kind = kinds[i % len(kinds)]
        i += 1
        if kind == "once":
            token = next(once_iter, None)
            if token is None:
                continue
            first = send("once_first", token)
            record("once_first", first)
            second = send("once_replay", token)
            allowed = EXPECTED["once_replay"] | ({204} if first == 503 else set())
            counts[f"once_replay {second}"] = counts.get(f"once_replay {second}", 0) + 1
            if second not in allowed:
                problems.append(f"once_replay: status {second} after first {first}"
                                + (" (ACCEPTED TWICE)" if first == 204 and second == 204 else ""))
            sent += 2
        elif i % 500 == 0:
            # Oversized: headers over the 16 KiB limit, on a connection of its own.
            big = http.client.HTTPConnection("127.0.0.1", TOCK_PORT, timeout=15)
            try:
                big.request("GET", "/validate", headers={"Authorization": "Bearer x",
                                                          "X-Pad": "a" * 20000})
                status = big.getresponse().status
            except (http.client.HTTPException, OSError) as e:
                problems.append(f"oversized: connection error {e!r}")
                status = 0
            finally:
                big.close()
            record("oversized", status)
            sent += 1
        else:
            pool = pools[kind]
            status = send(kind, pool[i % len(pool)])
            record(kind, status)
            if status == 204 and kind in WRONG_IF_ACCEPTED:
                problems.append(f"{kind}: WRONGLY ACCEPTED")
            sent += 1
        if sent % 100 < 2:
            with progress.get_lock():
                progress.value += 100
    conn.close()
    out.put((index, counts, problems[:50], len(problems)))


def chaos(redis, jwks, stop, log):
    """Restarts Redis every ~4 s (down for 1.5 s) and flips the JWKS upstream
    every second, until |stop| is set."""
    t0 = time.time()
    next_redis = t0 + 3
    next_flap = t0 + 1
    while not stop.wait(0.2):
        now = time.time()
        if now >= next_flap:
            jwks.up = not jwks.up
            next_flap = now + 1
        if now >= next_redis:
            redis.stop()
            log.append(f"{now - t0:6.1f}s redis stopped")
            time.sleep(1.5)
            redis.start()
            redis.restarts += 1
            log.append(f"{time.time() - t0:6.1f}s redis started again")
            next_redis = time.time() + 2.5
    jwks.up = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=600, help="hard stop for the whole run")
    parser.add_argument("--no-chaos", action="store_true", help="no Redis restarts or JWKS flaps")
    args = parser.parse_args()
    serverlib.require_binary()
    tmp = tempfile.mkdtemp(prefix="tock-soak-")
    per_worker = args.requests // args.workers
    jwks_json, pools, once = make_tokens(tmp, per_worker // 6 + 50, args.workers)
    redis = Redis(tmp)
    redis.start()
    jwks = Jwks(jwks_json)
    server = serverlib.Server(0, config(tmp), port=TOCK_PORT)
    chaos_stop = threading.Event()
    chaos_log = []
    failures = []
    try:
        server.start()
        # Warm the JWKS cache while the upstream is up.
        warm = server.validate(pools["valid"][0], "?aud=" + AUD)
        if warm.status != 204:
            raise RuntimeError(f"warm-up /validate answered {warm.status}: {warm.body}")
        pid = server.proc.pid
        progress = multiprocessing.Value("l", 0)
        out = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=worker, args=(w, per_worker, pools, once[w], progress, out))
                 for w in range(args.workers)]
        chaos_thread = threading.Thread(target=chaos, args=(redis, jwks, chaos_stop, chaos_log))
        start = time.time()
        if not args.no_chaos:
            chaos_thread.start()
        for p in procs:
            p.start()
        rss_warm = None
        total = per_worker * args.workers
        while any(p.is_alive() for p in procs) and time.time() - start < args.seconds:
            if rss_warm is None and progress.value >= total // 5:
                rss_warm = rss_kb(pid)
            time.sleep(0.2)
        elapsed = time.time() - start
        results = [out.get(timeout=30) for _ in procs]
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                failures.append("a worker did not finish in time")
        rss_end = rss_kb(pid)
        chaos_stop.set()
        if chaos_thread.is_alive():
            chaos_thread.join()

        counts, problems, problem_total = {}, [], 0
        for _, c, p, n in results:
            for k, v in c.items():
                counts[k] = counts.get(k, 0) + v
            problems += p
            problem_total += n
        sent = sum(counts.values())
        print(f"soak: {sent} requests in {elapsed:.1f}s ({sent / elapsed:.0f}/s) from "
              f"{args.workers} workers; redis restarted {redis.restarts}x; JWKS upstream fetched "
              f"{jwks.fetches}x while flapping every second")
        for line in chaos_log:
            print("  chaos:", line)
        for k in sorted(counts):
            print(f"  {k:<22} {counts[k]:>8}")
        fivexx = {k: v for k, v in counts.items() if k.split()[1].startswith("5")}
        unexpected_5xx = {k: v for k, v in fivexx.items() if not k.startswith("once_")}
        print(f"  5xx: {sum(fivexx.values())} (all expected 503s on one_time tokens: "
              f"{not unexpected_5xx})")
        wrong = [p for p in problems if "WRONGLY" in p or "TWICE" in p]
        print(f"  wrongly accepted: {len(wrong)}")
        print(f"  RSS after warm-up {rss_warm} kB, at the end {rss_end} kB "
              f"(+{100.0 * (rss_end - rss_warm) / max(1, rss_warm or 1):.1f} %)")
        if problem_total:
            failures.append(f"{problem_total} problems, first: " + "; ".join(problems[:10]))
        if unexpected_5xx:
            failures.append(f"unexpected 5xx: {unexpected_5xx}")
        if sent < total * 0.99:
            failures.append(f"only {sent} of {total} requests were sent")
        if rss_warm and rss_end > rss_warm * 1.2:
            failures.append(f"RSS grew {rss_warm} -> {rss_end} kB (over 20 %)")
        if server.proc.poll() is not None:
            failures.append(f"tock serve died with {server.proc.returncode}")
    finally:
        chaos_stop.set()
        code = server.stop()
        if code not in (0, None):
            failures.append(f"tock serve exited {code} on SIGTERM")
        jwks.close()
        redis.stop()
        shutil.rmtree(server.tmp, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("soak: FAIL:", f)
    print("soak: PASS" if not failures else "soak: FAILED")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
