// DOM builders for the decoded token. Every piece of token text goes in
// through textContent, never innerHTML: a token is attacker-chosen text.
import {formatDuration, formatLocal, formatRelative, formatSeconds, formatUtc} from './format.js';

// el makes an element with attributes and children (strings become text).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function span(cls, text) {
  return el('span', {class: cls}, text);
}

// jsonNodes pretty-prints |value| (2-space indent) as coloured spans.
function jsonNodes(value, indent, out) {
  const pad = '  '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return out.push(span('j-punc', '[]'));
    out.push(span('j-punc', '['), '\n');
    value.forEach((item, i) => {
      out.push(pad + '  ');
      jsonNodes(item, indent + 1, out);
      out.push(i + 1 < value.length ? span('j-punc', ',') : '', '\n');
    });
    return out.push(pad, span('j-punc', ']'));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return out.push(span('j-punc', '{}'));
    out.push(span('j-punc', '{'), '\n');
    entries.forEach(([k, v], i) => {
      out.push(pad + '  ', span('j-key', JSON.stringify(k)), span('j-punc', ': '));
      jsonNodes(v, indent + 1, out);
      out.push(i + 1 < entries.length ? span('j-punc', ',') : '', '\n');
    });
    return out.push(pad, span('j-punc', '}'));
  }
  if (typeof value === 'string') return out.push(span('j-str', JSON.stringify(value)));
  if (typeof value === 'number') return out.push(span('j-num', String(value)));
  if (typeof value === 'boolean') return out.push(span('j-bool', String(value)));
  return out.push(span('j-null', 'null'));
}

export function renderJson(target, value) {
  const out = [];
  jsonNodes(value, 0, out);
  target.replaceChildren(...out.filter((n) => n !== ''));
}

// renderSegments shows the token's three parts in the colours of the
// header, payload and signature views.
export function renderSegments(target, token) {
  const parts = token.split('.');
  const classes = ['seg-header', 'seg-payload', 'seg-signature'];
  const nodes = [];
  parts.forEach((part, i) => {
    if (i > 0) nodes.push(span('seg-dot', '.'));
    nodes.push(span('seg-text ' + (classes[i] || 'seg-extra'), part));
  });
  target.replaceChildren(...nodes);
}

const REGISTERED = {
  iss: ['Issuer', 'Who made and signed the token (RFC 7519 §4.1.1).'],
  sub: ['Subject', 'Whom the token is about: for service-to-service tokens, the calling client.'],
  aud: ['Audience', 'The services meant to accept it; any other service must refuse it.'],
  exp: ['Expiration time', 'Refused at or after this instant (plus the allowed clock skew).'],
  nbf: ['Not before', 'Refused before this instant (minus the allowed clock skew).'],
  iat: ['Issued at', 'When the issuer made it; used for a maximum age, and it shows an issuer clock that runs ahead.'],
  jti: ['JWT ID', 'Unique per token, so a replayed token can be refused.'],
  scope: ['Scope', 'Permissions granted, separated by spaces (RFC 8693 §4.2, RFC 9068).'],
  client_id: ['Client ID', 'The OAuth client the token was issued to (RFC 9068).'],
  azp: ['Authorized party', 'The party the token was issued to (OpenID Connect).'],
  auth_time: ['Authentication time', 'When the user authenticated (OpenID Connect).'],
  nonce: ['Nonce', 'Ties an ID token to a login request (OpenID Connect).'],
};
const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time']);

function valueCell(name, value, now) {
  if (TIME_CLAIMS.has(name) && typeof value === 'number' && Number.isFinite(value)) {
    return el('td', {class: 'time-cell'},
        el('span', {class: 'mono'}, formatSeconds(value)),
        el('span', {class: 'time-rel', 'data-testid': `claim-${name}-relative`}, formatRelative(value - now)),
        el('span', {class: 'time-utc'}, formatUtc(value)),
        el('span', {class: 'time-local'}, formatLocal(value)));
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return el('td', {class: 'mono wrap'}, text);
}

// renderClaims fills the claims table: registered claims first, explained.
export function renderClaims(tbody, payload, now) {
  const names = Object.keys(payload || {});
  const order = Object.keys(REGISTERED);
  names.sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  const rows = names.map((name) => {
    const [title, meaning] = REGISTERED[name] ||
        ['', 'Not a registered claim: its meaning is up to the issuer and the services.'];
    return el('tr', {'data-claim': name},
        el('th', {scope: 'row'}, el('code', {}, name), title ? el('span', {class: 'claim-title'}, title) : null),
        valueCell(name, payload[name], now),
        el('td', {class: 'meaning'}, meaning));
  });
  if (rows.length === 0) {
    rows.push(el('tr', {}, el('td', {colspan: 3}, 'The payload has no claims.')));
  }
  tbody.replaceChildren(...rows);
}

// warningText says a decode warning code in plain words.
export function warningText(code, payload) {
  const num = (n) => (typeof payload[n] === 'number' ? payload[n] : null);
  if (code.startsWith('bad_claim:')) {
    const name = code.slice('bad_claim:'.length);
    const want = {iss: 'a string', sub: 'a string', jti: 'a string', aud: 'a string or an array of strings',
      exp: 'a number', nbf: 'a number', iat: 'a number'}[name] || 'another type';
    return `The registered claim "${name}" has the wrong type: it must be ${want}. Verification refuses it (bad_claim).`;
  }
  switch (code) {
    case 'alg_none':
      return 'The header says alg "none" (or no alg): the token is unsigned. Anyone can forge it, and tock never accepts it.';
    case 'no_exp':
      return 'There is no exp claim: the token never expires. tock verify refuses it unless told to accept tokens without exp.';
    case 'long_lifetime': {
      const start = num('iat') !== null ? num('iat') : num('nbf');
      const life = num('exp') !== null && start !== null ? ` (${formatDuration(num('exp') - start)})` : '';
      return `The token lives longer than 24 hours${life}: a stolen copy stays useful that long. Service tokens usually live minutes.`;
    }
    case 'nbf_after_exp':
      return 'nbf is after exp: there is no instant at which this token is valid.';
    case 'iat_after_exp':
      return 'iat is after exp: the token says it was issued after it expired.';
    case 'iat_in_future':
      return 'iat is in the future: the issuer\'s clock is probably ahead of this server\'s.';
    case 'crit_present':
      return 'The header has "crit": the token demands extensions every verifier must understand, or refuse it.';
    case 'key_in_header':
      return 'The header carries a key or a key location (jwk, jku, x5u or x5c). tock ignores it: a token cannot choose the key that verifies it.';
    default:
      return code;
  }
}

export function renderWarnings(list, warnings, payload) {
  list.replaceChildren(...warnings.map((code) =>
    el('li', {'data-code': code}, el('span', {class: 'warn-mark', 'aria-hidden': 'true'}, '⚠'), ' ',
        warningText(code, payload || {}), ' ', el('code', {class: 'code-tag'}, code))));
}
