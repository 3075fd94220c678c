"""pyjwt_bench: tock-bench's verify and sign loops in Debian's PyJWT.

    /usr/bin/python3 pyjwt_bench.py FIXTURES_DIR SECONDS_PER_ALG REPS ALG...

Verify = jwt.decode with a key object parsed once (cryptography), the
algorithm pinned, iss and aud checked, exp/nbf with 300 s leeway (PyJWT reads
the real clock; bench/compare's fixtures are minted moments before). Sign =
jwt.encode of the standard claims with a pre-parsed key and the kid header.
Times are process CPU time, as tock-bench's. Prints one JSON object.
"""

import json
import os
import statistics
import sys
import time

import jwt
from cryptography.hazmat.primitives import serialization

ISSUER = "https://issuer.example.com"
AUDIENCE = "https://api.example.com"
SKEW = 300


def read(directory, name, mode="r"):
    with open(os.path.join(directory, name), mode) as f:
        return f.read()


def measure(op, seconds, reps):
    op()  # raises when the peer rejects the fixture
    batch = 1
    while True:
        t0 = time.process_time()
        for _ in range(batch):
            op()
        if time.process_time() - t0 > 0.005 or batch > 1 << 24:
            break
        batch *= 2
    warm = time.process_time()  # warm-up, discarded, as in the other peers
    while time.process_time() - warm < max(0.3, seconds / reps):
        for _ in range(batch):
            op()
    rates = []
    for _ in range(reps):
        n = 0
        t0 = time.process_time()
        while True:
            for _ in range(batch):
                op()
            n += batch
            elapsed = time.process_time() - t0
            if elapsed >= seconds / reps:
                break
        rates.append(n / elapsed)
    return {"ops_per_s": statistics.median(rates), "reps": rates}


def keys_for(directory, alg):
    if alg.startswith("HS"):
        secret = read(directory, alg + ".key", "rb")
        return secret, secret
    private = serialization.load_pem_private_key(read(directory, alg + ".key", "rb"), None)
    public = serialization.load_pem_public_key(read(directory, alg + ".pub.pem", "rb"))
    return private, public


def main():
    directory, seconds, reps = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    algs = sys.argv[4:]
    claims = json.loads(read(directory, "claims.json"))
    out = {"peer": "pyjwt", "version": jwt.__version__, "verify": {}, "sign": {}, "errors": {}}
    for alg in algs:
        try:
            token = read(directory, alg + ".token")
            kid = read(directory, alg + ".kid")
            private, public = keys_for(directory, alg)
        except (OSError, ValueError) as e:
            out["verify"][alg] = out["sign"][alg] = None
            out["errors"][alg] = str(e)
            continue

        def verify():
            return jwt.decode(token, public, algorithms=[alg], audience=AUDIENCE,
                              issuer=ISSUER, leeway=SKEW)

        def sign():
            return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid})

        for name, op in (("verify", verify), ("sign", sign)):
            try:
                out[name][alg] = measure(op, seconds, reps)
            except Exception as e:  # noqa: BLE001 - any failure means "no figure"
                out[name][alg] = None
                out["errors"][alg + "/" + name] = repr(e)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
