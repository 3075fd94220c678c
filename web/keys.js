// Which key text may live in a link. The URL fragment lands in browser
// history, bookmarks and chat logs, so only material that is public by
// nature may go there: public PEM blocks, and JWKs / JWKSs whose every key
// has no private member. Anything else (private PEM, private or oct JWK, a
// bare secret, text we cannot read) counts as secret: fail closed.

// RFC 7518 §6.2.2, §6.3.2, §6.4.1: the members that make a JWK private or
// symmetric ("oth" holds further RSA primes).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const PUBLIC_PEM = /^-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/;

function jwkIsPublic(jwk) {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return false;
  if (jwk.kty === 'oct') return false;
  return PRIVATE_MEMBERS.every((m) => !Object.prototype.hasOwnProperty.call(jwk, m));
}

// keyKind says what a key text is: 'empty', 'public' (fine in a link),
// 'private' (a private key or HMAC secret: never in a link), or 'unknown'
// (unreadable: kept out of the link too).
export function keyKind(text) {
  const s = String(text || '').trim();
  if (s === '') return 'empty';
  if (/PRIVATE KEY/.test(s)) return 'private';
  if (s.startsWith('-----BEGIN')) {
    // Every block must be public; one private block spoils the lot.
    const blocks = s.match(/-----BEGIN [A-Z0-9 ]+-----/g) || [];
    return blocks.every((b) => PUBLIC_PEM.test(b)) ? 'public' : 'unknown';
  }
  let json;
  try {
    json = JSON.parse(s);
  } catch {
    return /"(d|p|q|dp|dq|qi|k)"\s*:/.test(s) ? 'private' : 'unknown';
  }
  if (json && typeof json === 'object' && Array.isArray(json.keys)) {
    if (json.keys.some((k) => !jwkIsPublic(k))) return 'private';
    return 'public';
  }
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    return jwkIsPublic(json) ? 'public' : 'private';
  }
  return 'unknown';
}

// mayShare is true when |text| can go into the URL fragment.
export function mayShare(text) {
  const kind = keyKind(text);
  return kind === 'public';
}
