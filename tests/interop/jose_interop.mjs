// Interop between the tock CLI and panva/jose (pinned in package-lock.json).
//
//   node jose_interop.mjs --tock PATH CASE [ALG]
//
// CASE is one of:
//   jose-signs ALG   jose makes the key and signs; `tock verify` must accept
//                    (key as PEM, as JWK, as a JWKS file) and reject a
//                    tampered copy (bad_signature) and a late --now (expired).
//   tock-signs ALG   `tock keygen` + `tock sign`; jose `jwtVerify` must accept,
//                    with the spec's default header and claims; also tock
//                    signing with a jose-made private key.
//   jwks ALG         `tock jwks` output fed to jose `createLocalJWKSet`.
//   jwks-multi       one `tock jwks` document holding a key of every type.
//
// Every run uses a fixed --now, so results never depend on the wall clock.
// Exit 0 only when every check passed; each check prints "ok" or "not ok".
import { spawnSync } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
if (!fs.existsSync(path.join(here, 'node_modules', 'jose', 'package.json'))) {
  console.error(`not ok - ${path.join(here, 'node_modules', 'jose')} is missing: ` +
                'run scripts/install-deps (it runs "npm ci" in tests/interop).');
  process.exit(1);
}
const jose = await import('jose');

const NOW = 1781255830;  // 2026-06-12T09:17:10Z
const ISS = 'https://issuer.interop.test';
const AUD = 'svc-interop';
const SUB = 'client-42';
const HMAC_BYTES = { HS256: 32, HS384: 48, HS512: 64 };
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
                    'ES256', 'ES384', 'ES512', 'EdDSA'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

// ---- arguments, checks, helpers -------------------------------------------

const argv = process.argv.slice(2);
const tockIndex = argv.indexOf('--tock');
if (tockIndex < 0 || !argv[tockIndex + 1]) usage('missing --tock PATH');
const TOCK = argv[tockIndex + 1];
argv.splice(tockIndex, 2);
const [CASE, ALG] = argv;
if (!fs.existsSync(TOCK)) usage(`the tock binary ${TOCK} does not exist; build it first`);

function usage(message) {
  console.error(`not ok - ${message}\nusage: node jose_interop.mjs --tock PATH ` +
                'jose-signs|tock-signs|jwks ALG | jwks-multi');
  process.exit(2);
}

let failures = 0;
let passes = 0;
function check(name, condition, detail = '') {
  if (condition) {
    passes++;
    console.log(`ok - ${name}`);
  } else {
    failures++;
    console.log(`not ok - ${name}${detail ? `\n    ${detail.replace(/\n/g, '\n    ')}` : ''}`);
  }
  return condition;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tock-jose-'));
function file(name, content) {
  const p = path.join(work, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

// runTock runs the CLI and returns {status, stdout, stderr, json}.
function runTock(args) {
  const r = spawnSync(TOCK, args, {
    encoding: 'utf8', timeout: 60000, env: { ...process.env, NO_COLOR: '1' },
  });
  let json;
  try { json = JSON.parse(r.stdout); } catch { json = undefined; }
  const shown = `$ tock ${args.join(' ')}\nexit ${r.status}${r.signal ? ` signal ${r.signal}` : ''}` +
                `\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', json, shown };
}

const isHmac = (alg) => alg in HMAC_BYTES;
const b64url = (buf) => Buffer.from(buf).toString('base64url');

// tamper changes one character in the middle of the signature part, keeping
// the base64url canonical, so the only defect is the signature itself.
function tamper(token) {
  const i = token.lastIndexOf('.') + 5;
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

async function joseKeyPair(alg) {
  return jose.generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
}

async function joseSign(alg, key, kid) {
  const header = { alg, typ: 'JWT', ...(kid ? { kid } : {}) };
  return new jose.SignJWT({ scope: 'read', n: 7 })
    .setProtectedHeader(header)
    .setIssuer(ISS).setAudience(AUD).setSubject(SUB)
    .setIssuedAt(NOW).setNotBefore(NOW - 60).setExpirationTime(NOW + 600)
    .setJti(`jti-${alg}`)
    .sign(key);
}

const verifyFlags = (now = NOW) => ['--json', '--now', String(now), '--iss', ISS, '--aud', AUD, '--sub', SUB];

function expectAccepted(label, token, keyArgs, extra = []) {
  const r = runTock(['verify', token, ...verifyFlags(), ...keyArgs, ...extra]);
  check(`${label}: tock verify exits 0 with valid:true`, r.status === 0 && r.json?.valid === true, r.shown);
  check(`${label}: claims round-trip`, r.json?.claims?.sub === SUB && r.json?.claims?.n === 7 &&
        r.json?.claims?.scope === 'read' && r.json?.claims?.exp === NOW + 600, r.shown);
}

function expectRejected(label, token, keyArgs, code, now = NOW) {
  const r = runTock(['verify', token, ...verifyFlags(now), ...keyArgs]);
  check(`${label}: tock verify exits 1 with ${code}`,
        r.status === 1 && r.json?.valid === false && r.json?.error?.code === code, r.shown);
}

// joseAccepts verifies |token| with jose at the fixed now and returns the result.
async function joseAccepts(label, token, key, alg) {
  try {
    const result = await jose.jwtVerify(token, key, {
      algorithms: [alg], issuer: ISS, audience: AUD, subject: SUB,
      currentDate: new Date(NOW * 1000), clockTolerance: 0,
    });
    check(`${label}: jose jwtVerify accepts`, true);
    return result;
  } catch (e) {
    check(`${label}: jose jwtVerify accepts`, false, `${e.code}: ${e.message}\ntoken: ${token}`);
    return undefined;
  }
}

async function joseRejects(label, token, key, alg) {
  try {
    await jose.jwtVerify(token, key, { algorithms: [alg], currentDate: new Date(NOW * 1000) });
    check(`${label}: jose rejects the token under another key`, false, 'jose accepted it');
  } catch (e) {
    check(`${label}: jose rejects the token under another key`,
          e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', `${e.code}: ${e.message}`);
  }
}

function tockSign(label, alg, keyArgs, extra = []) {
  const r = runTock(['sign', ...keyArgs, '--alg', alg, '--now', String(NOW), '--iss', ISS,
                     '--aud', AUD, '--sub', SUB, '--claim', 'scope=read', '--claim', 'n=7', ...extra]);
  const token = r.stdout.trim();
  check(`${label}: tock sign exits 0 with one compact JWS`,
        r.status === 0 && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token), r.shown);
  return token;
}

// checkDefaults asserts the spec's defaults for `tock sign` (cli.md, `tock sign`).
function checkDefaults(label, result, alg, kid) {
  if (!result) return;
  const { payload, protectedHeader: h } = result;
  check(`${label}: header alg ${alg}, typ JWT`, h.alg === alg && h.typ === 'JWT', JSON.stringify(h));
  check(`${label}: header kid ${kid ?? '(none)'}`, h.kid === kid, JSON.stringify(h));
  check(`${label}: iat = now, nbf = now - 60s, exp = now + 10m`,
        payload.iat === NOW && payload.nbf === NOW - 60 && payload.exp === NOW + 600, JSON.stringify(payload));
  check(`${label}: claims iss/aud/sub/scope/n`, payload.iss === ISS && payload.aud === AUD &&
        payload.sub === SUB && payload.scope === 'read' && payload.n === 7, JSON.stringify(payload));
  check(`${label}: jti is 128 random bits in base64url`,
        typeof payload.jti === 'string' && /^[\w-]{22}$/.test(payload.jti), JSON.stringify(payload));
}

function keygen(alg, name, extra = []) {
  const out = path.join(work, name);
  const r = runTock(['keygen', '--alg', alg, '--out', out, ...extra]);
  check(`keygen ${alg}${extra.length ? ` ${extra.join(' ')}` : ''}: exits 0 and writes the key with mode 0600`,
        r.status === 0 && fs.existsSync(out) && (fs.statSync(out).mode & 0o777) === 0o600, r.shown);
  return out;
}

async function thumbprintOf(keyObject) {
  return jose.calculateJwkThumbprint(await jose.exportJWK(keyObject), 'sha256');
}

// ---- cases ----------------------------------------------------------------

async function joseSigns(alg) {
  if (isHmac(alg)) {
    const secret = await jose.generateSecret(alg, { extractable: true });
    const jwk = await jose.exportJWK(secret);
    const token = await joseSign(alg, secret);
    expectAccepted(`${alg} --secret-b64`, token, ['--secret-b64', jwk.k]);
    expectAccepted(`${alg} --secret-b64 --alg`, token, ['--secret-b64', jwk.k], ['--alg', alg]);
    expectAccepted(`${alg} oct JWK file`, token, ['--key', file('oct.json', { kty: 'oct', k: jwk.k })]);
    expectRejected(`${alg} tampered`, tamper(token), ['--secret-b64', jwk.k], 'bad_signature');
    expectRejected(`${alg} late now`, token, ['--secret-b64', jwk.k], 'expired', NOW + 901);
    return;
  }
  const { publicKey, privateKey } = await joseKeyPair(alg);
  const pem = file('public.pem', await jose.exportSPKI(publicKey));
  const jwk = await jose.exportJWK(publicKey);
  const token = await joseSign(alg, privateKey);
  expectAccepted(`${alg} SPKI PEM, default allow-list`, token, ['--key', pem]);
  expectAccepted(`${alg} SPKI PEM --alg`, token, ['--key', pem], ['--alg', alg]);
  expectAccepted(`${alg} public JWK`, token, ['--key', file('public.jwk', jwk)]);
  const kidToken = await joseSign(alg, privateKey, 'k-1');
  const set = file('set.json', { keys: [{ ...jwk, kid: 'k-1', use: 'sig', alg }] });
  expectAccepted(`${alg} kid token, --jwks FILE`, kidToken, ['--jwks', set]);
  expectAccepted(`${alg} kid token, --key JWKS`, kidToken, ['--key', set]);
  expectRejected(`${alg} tampered`, tamper(token), ['--key', pem], 'bad_signature');
  expectRejected(`${alg} late now`, token, ['--key', pem], 'expired', NOW + 901);
}

async function tockSigns(alg) {
  if (isHmac(alg)) {
    const secret = randomBytes(HMAC_BYTES[alg]);
    const token = tockSign(`${alg} --secret-b64`, alg, ['--secret-b64', b64url(secret)]);
    checkDefaults(`${alg} --secret-b64`, await joseAccepts(`${alg} --secret-b64`, token, secret, alg), alg, undefined);
    await joseRejects(`${alg} --secret-b64`, token, randomBytes(HMAC_BYTES[alg]), alg);
    const oct = file('oct.json', { kty: 'oct', kid: 'oct-1', k: b64url(secret) });
    const octToken = tockSign(`${alg} oct JWK`, alg, ['--key', oct]);
    checkDefaults(`${alg} oct JWK`, await joseAccepts(`${alg} oct JWK`, octToken, secret, alg), alg, 'oct-1');
    return;
  }
  // tock makes the key (PKCS#8 PEM); node derives the public half independently.
  const keyPath = keygen(alg, 'key.pem');
  const publicKey = createPublicKey(fs.readFileSync(keyPath));
  const kid = await thumbprintOf(publicKey);
  const token = tockSign(`${alg} keygen PEM`, alg, ['--key', keyPath]);
  checkDefaults(`${alg} keygen PEM`, await joseAccepts(`${alg} keygen PEM`, token, publicKey, alg), alg, kid);
  await joseRejects(`${alg} keygen PEM`, token, (await joseKeyPair(alg)).publicKey, alg);

  // A private JWK from `tock keygen --jwk`.
  const jwkPath = keygen(alg, 'key.jwk', ['--jwk']);
  let privateJwk = {};
  try { privateJwk = JSON.parse(fs.readFileSync(jwkPath, 'utf8')); } catch { /* checked below */ }
  const publicJwk = Object.fromEntries(Object.entries(privateJwk).filter(([k]) => !PRIVATE_MEMBERS.includes(k)));
  check(`${alg} keygen --jwk: a private JWK`, typeof privateJwk.d === 'string', JSON.stringify(privateJwk));
  if (typeof privateJwk.d === 'string') {
    const jwkToken = tockSign(`${alg} keygen JWK`, alg, ['--key', jwkPath]);
    const expectedKid = privateJwk.kid ?? await jose.calculateJwkThumbprint(publicJwk, 'sha256');
    checkDefaults(`${alg} keygen JWK`,
                  await joseAccepts(`${alg} keygen JWK`, jwkToken, await jose.importJWK(publicJwk, alg), alg),
                  alg, expectedKid);
  }

  // A private key made by jose (PKCS#8), signed with by tock.
  const pair = await joseKeyPair(alg);
  const josePem = file('jose-private.pem', await jose.exportPKCS8(pair.privateKey));
  const joseKeyToken = tockSign(`${alg} jose-made PKCS#8`, alg, ['--key', josePem]);
  checkDefaults(`${alg} jose-made PKCS#8`,
                await joseAccepts(`${alg} jose-made PKCS#8`, joseKeyToken, pair.publicKey, alg),
                alg, await thumbprintOf(pair.publicKey));
}

// tockJwks runs `tock jwks` and checks the document's shape.
function tockJwks(label, files, extra = []) {
  const r = runTock(['jwks', ...extra, ...files]);
  const keys = r.json?.keys;
  check(`${label}: tock jwks exits 0 with ${files.length} key(s)`,
        r.status === 0 && Array.isArray(keys) && keys.length === files.length, r.shown);
  if (!Array.isArray(keys)) return { keys: [] };
  for (const k of keys) {
    const leaked = PRIVATE_MEMBERS.filter((m) => m in k);
    check(`${label}: ${k.kid}: no private member`, leaked.length === 0, `leaked ${leaked.join(',')}`);
    check(`${label}: ${k.kid}: kid and use "sig"`, typeof k.kid === 'string' && k.use === 'sig', JSON.stringify(k));
  }
  return r.json;
}

async function jwks(alg) {
  if (isHmac(alg)) usage(`jwks has no public half for ${alg}`);
  const keyPath = keygen(alg, 'key.pem');
  const token = tockSign(`${alg}`, alg, ['--key', keyPath]);
  const kid = await thumbprintOf(createPublicKey(fs.readFileSync(keyPath)));
  const doc = tockJwks(alg, [keyPath]);
  check(`${alg}: JWKS kid is the RFC 7638 thumbprint`, doc.keys[0]?.kid === kid, JSON.stringify(doc));
  if (!alg.startsWith('RS') && !alg.startsWith('PS')) {
    check(`${alg}: alg implied by the key type`, doc.keys[0]?.alg === alg, JSON.stringify(doc));
  }
  const withAlg = tockJwks(`${alg} --alg`, [keyPath], ['--alg', alg]);
  check(`${alg} --alg: alg member`, withAlg.keys[0]?.alg === alg, JSON.stringify(withAlg));
  for (const [label, set] of [[`${alg} JWKS`, doc], [`${alg} JWKS --alg`, withAlg]]) {
    if (set.keys.length) await joseAccepts(label, token, jose.createLocalJWKSet(set), alg);
  }
}

async function jwksMulti() {
  // One key per key type; RS*/PS* share the RSA key.
  const keyFor = { RS256: 'rsa', ES256: 'p256', ES384: 'p384', ES512: 'p521', EdDSA: 'ed25519' };
  const files = Object.entries(keyFor).map(([alg, name]) => keygen(alg, `${name}.pem`));
  const fileOf = (alg) => path.join(work, `${keyFor[alg] ?? 'rsa'}.pem`);
  const doc = tockJwks('multi', files);
  const set = jose.createLocalJWKSet(doc);
  for (const alg of ASYMMETRIC) {
    const token = tockSign(`multi ${alg}`, alg, ['--key', fileOf(alg)]);
    await joseAccepts(`multi ${alg}: selected by kid`, token, set, alg);
  }
  // An HMAC secret has no public half: exit 2 (key_error).
  const oct = file('oct.json', { kty: 'oct', k: b64url(randomBytes(32)) });
  const r = runTock(['jwks', oct]);
  check('jwks of an oct key exits 2', r.status === 2 && !r.stdout.includes('"k"'), r.shown);
}

// ---- main -----------------------------------------------------------------

const cases = { 'jose-signs': joseSigns, 'tock-signs': tockSigns, jwks, 'jwks-multi': jwksMulti };
if (!cases[CASE]) usage(`unknown case ${CASE}`);
if (CASE !== 'jwks-multi' && !(isHmac(ALG) || ASYMMETRIC.includes(ALG))) usage(`unknown algorithm ${ALG}`);
try {
  await cases[CASE](ALG);
} catch (e) {
  check(`${CASE} ${ALG ?? ''}: no exception`, false, e.stack);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures === 0 && passes > 0 ? 0 : 1);
