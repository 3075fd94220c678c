// Real node validators for `tock probe` to measure, each on a loopback port
// with a clock offset and skew the test chose (test_probe_validators.py):
//
//   node validators.mjs jose  PORT JWKS_FILE ISSUER AUDIENCE OFFSET_S TOLERANCE_S
//       panva/jose jwtVerify in a node http server: clockTolerance = TOLERANCE_S,
//       currentDate = this machine's clock + OFFSET_S.
//   node validators.mjs auth0 PORT JWKS_FILE ISSUER AUDIENCE OFFSET_S
//       Auth0's express-oauth2-jwt-bearer (its default clockTolerance, 5 s) on
//       express, keys from jwksUri http://127.0.0.1:PORT/jwks.json. It has no
//       option that moves its "now", so globalThis.Date is replaced by a
//       subclass whose now() and no-argument constructor add OFFSET_S: both
//       the library's Date.now() and jose's new Date() inside it see it.
//
// Both answer 200 to an accepted token and 401 with a WWW-Authenticate
// challenge otherwise, and print "listening" once they listen.
import fs from 'node:fs';
import http from 'node:http';

const [kind, portText, jwksFile, issuer, audience, offsetText, toleranceText] = process.argv.slice(2);
const port = Number(portText);
const offsetMs = Number(offsetText) * 1000;
const jwks = JSON.parse(fs.readFileSync(jwksFile, 'utf8'));

function challenge(message) {
  return `Bearer error="invalid_token", error_description="${String(message).replace(/["\\\r\n]/g, ' ')}"`;
}

async function runJose() {
  const jose = await import('jose');
  const keys = jose.createLocalJWKSet(jwks);
  const tolerance = Number(toleranceText);
  const server = http.createServer(async (req, res) => {
    const header = req.headers.authorization || '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    try {
      await jose.jwtVerify(token, keys, {
        issuer,
        audience,
        clockTolerance: tolerance,
        currentDate: new Date(Date.now() + offsetMs),
      });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } catch (e) {
      res.writeHead(401, { 'WWW-Authenticate': challenge(e.code || e.message) }).end();
    }
  });
  server.keepAliveTimeout = 60000;
  server.listen(port, '127.0.0.1', () => console.log('listening'));
}

async function runAuth0() {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) {
        super(RealDate.now() + offsetMs);
      } else {
        super(...args);
      }
    }
    static now() {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate;
  const { default: express } = await import('express');
  const { auth } = await import('express-oauth2-jwt-bearer');
  const app = express();
  app.get('/jwks.json', (req, res) => res.json(jwks));
  app.use('/api', auth({ issuer, audience, jwksUri: `http://127.0.0.1:${port}/jwks.json` }));
  app.get('/api/resource', (req, res) => res.type('text').send('ok\n'));
  // The library's errors carry their status and WWW-Authenticate header.
  app.use((err, req, res, next) => {
    res.status(err.status || 500).set(err.headers || {}).type('text').send(`${err.message}\n`);
  });
  const server = app.listen(port, '127.0.0.1', () => console.log('listening'));
  server.keepAliveTimeout = 60000;
}

if (kind === 'jose') {
  await runJose();
} else if (kind === 'auth0') {
  await runAuth0();
} else {
  console.error(`unknown validator kind ${kind}`);
  process.exit(2);
}
