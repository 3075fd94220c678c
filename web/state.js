// The page's state in the URL fragment: #token=…&key=…&jwks_uri=…&iss=…
// &aud=…&skew=…&now=… (and the extra checks), values URL-encoded. The
// fragment never reaches a server, and never holds a private key or an HMAC
// secret: those are left out on write and refused on read.
import {keyKind} from './keys.js';

// FIELDS maps fragment names to the ids of the inputs that hold them.
export const FIELDS = [
  ['token', 'token-input'],
  ['key', 'key-input'],
  ['jwks_uri', 'jwks-uri-input'],
  ['iss', 'policy-iss'],
  ['aud', 'policy-aud'],
  ['skew', 'policy-skew'],
  ['require', 'policy-require'],
  ['now', 'policy-now'],
  ['sub', 'policy-sub'],
  ['typ', 'policy-typ'],
  ['max_age', 'policy-max-age'],
  ['max_lifetime', 'policy-max-lifetime'],
  ['alg', 'policy-alg'],
  ['allow_missing_exp', 'policy-allow-missing-exp'],
];

// A fragment longer than this is not ours: read none of it.
const MAX_FRAGMENT = 64 * 1024;

// readFragment parses |hash| ("#a=b&…"). Returns {values, refusedKey}:
// values maps fragment names to strings; refusedKey is true when the link
// carried a key that must not live in a link (it is dropped, not used).
export function readFragment(hash) {
  const values = {};
  let refusedKey = false;
  const text = String(hash || '').replace(/^#/, '');
  if (text === '' || text.length > MAX_FRAGMENT) return {values, refusedKey};
  const known = new Set(FIELDS.map(([name]) => name));
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let name;
    let value;
    try {
      name = decodeURIComponent(part.slice(0, eq));
      value = decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      continue;  // a bad %-escape: skip that member
    }
    if (!known.has(name)) continue;
    if (name === 'key' && keyKind(value) !== 'public' && keyKind(value) !== 'empty') {
      refusedKey = true;
      continue;
    }
    values[name] = value;
  }
  return {values, refusedKey};
}

// writeFragment builds "#…" from |values|, leaving out empty values and any
// key that is not plainly public. Returns {hash, keptOutKey}.
export function writeFragment(values) {
  const parts = [];
  let keptOutKey = false;
  for (const [name] of FIELDS) {
    const value = values[name];
    if (value === undefined || value === null || value === '' || value === false) continue;
    if (name === 'key' && keyKind(value) !== 'public') {
      keptOutKey = true;
      continue;
    }
    const text = value === true ? '1' : String(value);
    parts.push(encodeURIComponent(name) + '=' + encodeURIComponent(text));
  }
  return {hash: parts.length ? '#' + parts.join('&') : '', keptOutKey};
}
