// jose_bench: tock-bench's verify and sign loops in panva/jose (node).
//
//   node jose_bench.mjs FIXTURES_DIR SECONDS_PER_ALG REPS ALG...
//
// Verify = jwtVerify with a KeyObject parsed once, the algorithm pinned, iss
// and aud checked, exp/nbf with 300 s tolerance at the fixtures' "now" (the
// same instant tock's FixedClock reads). Sign = SignJWT of the standard
// claims with the kid header. Each call is awaited in turn: one request's
// worth of work at a time, as in the C++ loops. Prints one JSON object.
import { createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { jwtVerify, SignJWT } from 'jose';

const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'https://api.example.com';
const SKEW = 300;

// cpuSeconds is the process's CPU time (all of node's threads, GC included),
// as tock-bench measures CPU time: robust on a machine shared with other work.
function cpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function measure(op, seconds, reps) {
  await op(); // throws when jose rejects the fixture
  let batch = 1;
  for (;;) {
    const t0 = cpuSeconds();
    for (let i = 0; i < batch; i++) await op();
    if (cpuSeconds() - t0 > 0.005 || batch > 1 << 24) break;
    batch *= 2;
  }
  // Warm-up, discarded: V8 tiers the hot functions up during the first
  // fraction of a second, and the steady state is what a service sees.
  const warm = cpuSeconds();
  while (cpuSeconds() - warm < Math.max(0.3, seconds / reps)) {
    for (let i = 0; i < batch; i++) await op();
  }
  const rates = [];
  for (let r = 0; r < reps; r++) {
    let n = 0;
    let elapsed = 0;
    const t0 = cpuSeconds();
    do {
      for (let i = 0; i < batch; i++) await op();
      n += batch;
      elapsed = cpuSeconds() - t0;
    } while (elapsed < seconds / reps);
    rates.push(n / elapsed);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  return { ops_per_s: sorted[Math.floor(reps / 2)], reps: rates };
}

function keysFor(dir, alg) {
  const key = readFileSync(join(dir, `${alg}.key`));
  if (alg.startsWith('HS')) {
    const secret = createSecretKey(key);
    return [secret, secret];
  }
  return [createPrivateKey(key), createPublicKey(readFileSync(join(dir, `${alg}.pub.pem`)))];
}

const [dir, secondsText, repsText, ...algs] = process.argv.slice(2);
const seconds = Number(secondsText);
const reps = Number(repsText);
const claims = JSON.parse(readFileSync(join(dir, 'claims.json'), 'utf8'));
const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
const require = createRequire(import.meta.url);
const version = require('jose/package.json').version;
const out = { peer: 'jose', version, verify: {}, sign: {}, errors: {} };

for (const alg of algs) {
  let token, kid, privateKey, publicKey;
  try {
    token = readFileSync(join(dir, `${alg}.token`), 'utf8');
    kid = readFileSync(join(dir, `${alg}.kid`), 'utf8');
    [privateKey, publicKey] = keysFor(dir, alg);
  } catch (e) {
    out.verify[alg] = out.sign[alg] = null;
    out.errors[alg] = String(e);
    continue;
  }
  const options = {
    algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, clockTolerance: SKEW,
    currentDate: new Date(meta.now * 1000),
  };
  const verify = () => jwtVerify(token, publicKey, options);
  const sign = () => new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid }).sign(privateKey);
  for (const [name, op] of [['verify', verify], ['sign', sign]]) {
    try {
      out[name][alg] = await measure(op, seconds, reps);
    } catch (e) {
      out[name][alg] = null;
      out.errors[`${alg}/${name}`] = String(e);
    }
  }
}
console.log(JSON.stringify(out));
