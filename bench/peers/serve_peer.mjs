// serve_peer: bench/serve's node side (panva/jose, pinned in package.json).
//
//   node serve_peer.mjs mint KEY.pem KID CLAIMS.json COUNT OUT
//     signs COUNT ES256 tokens with the claims of a token tock issued (each
//     with its own jti), one per line in OUT: the pool of distinct tokens.
//   node serve_peer.mjs serve PORT JWKS.json ISSUER AUDIENCE
//     the validator a team writes instead of tock: a node `http` cluster of
//     2 workers whose GET /validate runs jose's jwtVerify (ES256 key from the
//     JWKS, iss and aud checked) and answers 204 or 401.
import cluster from 'node:cluster';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';

async function mint(keyFile, kid, claimsFile, count, out) {
  const key = createPrivateKey(readFileSync(keyFile));
  const claims = JSON.parse(readFileSync(claimsFile, 'utf8'));
  const lines = [];
  for (let i = 0; i < count; i++) {
    const payload = { ...claims, jti: randomBytes(16).toString('base64url') };
    lines.push(await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .sign(key));
  }
  writeFileSync(out, lines.join('\n') + '\n');
}

function serve(port, jwksFile, issuer, audience) {
  if (cluster.isPrimary) {
    for (let i = 0; i < 2; i++) cluster.fork();
    return;
  }
  const keys = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
  http.createServer(async (req, res) => {
    const auth = req.headers.authorization || '';
    try {
      if (!auth.startsWith('Bearer ')) throw new Error('no bearer token');
      const { payload } = await jwtVerify(auth.slice(7), keys, {
        issuer, audience, algorithms: ['ES256'], clockTolerance: 60 });
      res.writeHead(204, { 'X-Auth-Subject': String(payload.sub || '') });
    } catch (e) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    res.end();
  }).listen(port, '127.0.0.1');
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'mint') await mint(args[0], args[1], args[2], Number(args[3]), args[4]);
else if (mode === 'serve') serve(Number(args[0]), args[1], args[2], args[3]);
else { console.error('usage: serve_peer.mjs mint|serve ...'); process.exit(2); }
