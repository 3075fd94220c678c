// A node peer of `tock serve` built on panva/jose (pinned in
// tests/interop/package-lock.json), driven by test_jose.py:
//
//   node jose_peer.mjs keygen DIR
//       jose generates an ES256 client key; writes DIR/jose-client.jwks.json
//       (public JWKS, with kid) and DIR/jose-client.private.json (private JWK).
//   node jose_peer.mjs run ISSUER CLIENT_ID SECRET AUDIENCE PRIVATE_JWK_FILE
//       (a) a token from ISSUER/token by client_secret_basic, verified with
//           createRemoteJWKSet(ISSUER's jwks_uri) + jwtVerify (iss, aud,
//           typ at+jwt), and a jwtVerify with another audience that must fail;
//       (b) a jose-signed private_key_jwt assertion (iss = sub = client id,
//           aud = ISSUER, exp, jti) posted twice to ISSUER/token.
//       Prints one JSON document of results; test_jose.py asserts on it.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const joseDir = path.resolve(here, '..', 'interop', 'node_modules', 'jose');
if (!fs.existsSync(path.join(joseDir, 'package.json'))) {
  console.error(`${joseDir} is missing: run scripts/install-deps (it runs "npm ci" in tests/interop).`);
  process.exit(3);
}
// A bare `import 'jose'` would search tests/server/node_modules; import the
// package's ESM entry (its "exports" "import" condition) from tests/interop,
// where it is pinned.
const joseManifest = JSON.parse(fs.readFileSync(path.join(joseDir, 'package.json'), 'utf8'));
const jose = await import(pathToFileURL(path.join(joseDir, joseManifest.exports['.'].import)).href);

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

async function keygen(dir) {
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const pub = await jose.exportJWK(publicKey);
  const priv = await jose.exportJWK(privateKey);
  const kid = await jose.calculateJwkThumbprint(pub);
  Object.assign(pub, { kid, alg: 'ES256', use: 'sig' });
  Object.assign(priv, { kid, alg: 'ES256' });
  fs.writeFileSync(path.join(dir, 'jose-client.jwks.json'), JSON.stringify({ keys: [pub] }));
  fs.writeFileSync(path.join(dir, 'jose-client.private.json'), JSON.stringify(priv), { mode: 0o600 });
  return { kid };
}

async function postToken(issuer, form, headers = {}) {
  const res = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = { unparsed: text };
  }
  return { status: res.status, body };
}

function failure(e) {
  return { ok: false, code: e.code || e.name, message: e.message, claim: e.claim };
}

async function verifyAccessToken(token, jwks, issuer, audience) {
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
      issuer, audience, typ: 'at+jwt',
    });
    return { ok: true, payload, protectedHeader };
  } catch (e) {
    return failure(e);
  }
}

async function basicPart(issuer, jwks, clientId, secret, audience) {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`)
                    .toString('base64');
  const res = await postToken(issuer, { grant_type: 'client_credentials' },
                              { Authorization: `Basic ${basic}` });
  const out = { status: res.status, body: res.body };
  if (res.status === 200) {
    out.verified = await verifyAccessToken(res.body.access_token, jwks, issuer, audience);
    out.wrongAudience = await verifyAccessToken(res.body.access_token, jwks, issuer,
                                                'https://not-this-audience.example');
  }
  return out;
}

async function assertionPart(issuer, jwks, clientId, audience, privateJwkFile) {
  const jwk = JSON.parse(fs.readFileSync(privateJwkFile, 'utf8'));
  const key = await jose.importJWK(jwk, 'ES256');
  const jti = randomUUID();
  const assertion = await new jose.SignJWT({})
                        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
                        .setIssuer(clientId)
                        .setSubject(clientId)
                        .setAudience(issuer)
                        .setIssuedAt()
                        .setExpirationTime('60s')
                        .setJti(jti)
                        .sign(key);
  const form = { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER,
                 client_assertion: assertion };
  const first = await postToken(issuer, form);
  if (first.status === 200) {
    first.verified = await verifyAccessToken(first.body.access_token, jwks, issuer, audience);
  }
  const second = await postToken(issuer, form);
  return { jti, first, second };
}

async function run(issuer, clientId, secret, audience, privateJwkFile) {
  const discovery = await (await fetch(new URL('/.well-known/openid-configuration', issuer))).json();
  const jwks = jose.createRemoteJWKSet(new URL(discovery.jwks_uri));
  return {
    jwksUri: discovery.jwks_uri,
    basic: await basicPart(issuer, jwks, clientId, secret, audience),
    assertion: await assertionPart(issuer, jwks, clientId, audience, privateJwkFile),
  };
}

const [mode, ...args] = process.argv.slice(2);
let result;
if (mode === 'keygen' && args.length === 1) {
  result = await keygen(args[0]);
} else if (mode === 'run' && args.length === 5) {
  result = await run(...args);
} else {
  console.error('usage: node jose_peer.mjs keygen DIR | run ISSUER CLIENT_ID SECRET AUDIENCE PRIVATE_JWK_FILE');
  process.exit(2);
}
console.log(JSON.stringify(result));
