// Real validators for the `tock audit` tests, each a small HTTP API on
// loopback that answers 204 to a bearer token it accepts and 401 otherwise:
//
//   node validators.mjs MODE PORT KEYFILE
//
// MODE (KEYFILE is the trusted RSA public key, SPKI PEM):
//   jwt-simple         jwt-simple 0.2.0 decode(token, pem): trusts the header's
//                      alg (CVE-2016-10555); checks no claim at all
//   jsonwebtoken-weak  jsonwebtoken 8.5.1 with algorithms ['RS256','HS256'] and
//                      ignoreExpiration: true (a common misconfiguration)
//   jsonwebtoken       jsonwebtoken 8.5.1 with its defaults
//   jose-jku           jose: a token with a jku is verified with the JWKS that
//                      jku names (createRemoteJWKSet(new URL(header.jku))),
//                      others with the trusted key
//   jose-no-aud        jose jwtVerify with issuer but without audience
//
// Every mode but jwt-simple checks iss and (except jose-no-aud) aud.
// Deliberately vulnerable packages: test targets only, never product code.
// Prints "listening PORT" once ready; stops on SIGTERM or when stdin closes.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import * as jose from 'jose';

const require = createRequire(import.meta.url);
const [mode, portText, keyFile] = process.argv.slice(2);
const pem = readFileSync(keyFile, 'utf8');
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'https://api.test';

async function verifyWith(token) {
  switch (mode) {
    case 'jwt-simple':
      return require('jwt-simple').decode(token, pem);
    case 'jsonwebtoken-weak':
      return require('jsonwebtoken').verify(token, pem, {
        algorithms: ['RS256', 'HS256'], ignoreExpiration: true,
        issuer: ISSUER, audience: AUDIENCE });
    case 'jsonwebtoken':
      return require('jsonwebtoken').verify(token, pem, { issuer: ISSUER, audience: AUDIENCE });
    case 'jose-jku': {
      const header = jose.decodeProtectedHeader(token);
      const key = header.jku
        ? jose.createRemoteJWKSet(new URL(header.jku))  // the classic mistake
        : await jose.importSPKI(pem, header.alg);
      return (await jose.jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE })).payload;
    }
    case 'jose-no-aud': {
      const header = jose.decodeProtectedHeader(token);
      const key = await jose.importSPKI(pem, header.alg);
      return (await jose.jwtVerify(token, key, { issuer: ISSUER })).payload;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

const server = http.createServer(async (req, res) => {
  const auth = req.headers.authorization || '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  try {
    await verifyWith(token);
    res.writeHead(204).end();
  } catch (e) {
    res.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }).end(String(e && e.message));
  }
});
server.listen(Number(portText), '127.0.0.1', () => console.log(`listening ${portText}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
