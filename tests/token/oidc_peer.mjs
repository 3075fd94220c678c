// A real OpenID provider we did not write, for tests/token/test_token_oidc.py:
// node oidc-provider (pinned in package-lock.json) on loopback with the client
// credentials grant, a client_secret_basic client, a private_key_jwt client,
// and resource indicators whose access tokens are JWTs.
//
//   node oidc_peer.mjs PORT CLIENT_JWKS_FILE CLIENT_SECRET RESOURCE
// prints "ready ISSUER" on stdout once it listens; stops on SIGTERM.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider, { errors } from 'oidc-provider';

const [port, clientJwksFile, clientSecret, resource] = process.argv.slice(2);
if (!resource) {
  console.error('usage: node oidc_peer.mjs PORT CLIENT_JWKS_FILE CLIENT_SECRET RESOURCE');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
// The provider's own signing key: RSA, so every client's default
// id_token_signed_response_alg (RS256) is satisfiable.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'oidc-peer-rs256', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  jwks: { keys: [signingJwk] },
  clients: [
    {
      client_id: 'tock-secret',
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'read',
    },
    {
      client_id: 'tock-key',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: JSON.parse(readFileSync(clientJwksFile, 'utf8')),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'read',
    },
  ],
  scopes: ['read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, indicator) {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return { scope: 'read', audience: resource, accessTokenTTL: 300, accessTokenFormat: 'jwt',
                 jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
});
// Error bodies say only "client authentication failed": the reason goes to stderr.
provider.on('grant.error', (ctx, err) => console.error('grant.error', err.error, err.error_detail || ''));
const server = provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
