// The verdict banner and the verify panel's check list, from the
// verification document of POST /api/inspect (`tock verify --json`) and the
// check trace it carries.
import {buildChecks, testId} from './checks.js';
import {formatUtc} from './format.js';
import {el} from './render.js';

const $ = (id) => document.getElementById(id);

export const TITLES = {
  expired: 'Expired', not_yet_valid: 'Not yet valid', issued_in_future: 'Issued in the future',
  token_too_old: 'Too old', lifetime_too_long: 'Lifetime too long', bad_signature: 'Bad signature',
  key_not_found: 'No matching key', alg_not_allowed: 'Algorithm not allowed',
  unsupported_alg: 'Unsupported algorithm', crit_unsupported: 'Unsupported critical header',
  bad_claim: 'A claim has the wrong type', missing_claim: 'A required claim is missing',
  iss_mismatch: 'Wrong issuer', aud_mismatch: 'Wrong audience', sub_mismatch: 'Wrong subject',
  typ_mismatch: 'Wrong type', replayed: 'Replayed', malformed: 'Not a JWT',
  bad_base64: 'Not a JWT: bad base64url', bad_json: 'Not a JWT: bad JSON', too_large: 'Too large',
};

// EXPLAIN says in plain words what a token that does not decode is missing.
export const EXPLAIN = {
  malformed: 'A JWT is three base64url parts joined by dots: header.payload.signature.',
  bad_base64: 'Each part must be unpadded base64url (A-Z, a-z, 0-9, "-" and "_"): the token was ' +
      'probably cut or altered when it was copied.',
  bad_json: 'The header and the payload must each be one JSON object, with no member name twice ' +
      '(a duplicate could be read two ways, so tock refuses it).',
  too_large: 'tock refuses tokens longer than 16384 bytes.',
};

const STATUS_WORDS = {
  valid_now: 'valid now', not_yet_valid: 'not yet valid', expired: 'expired',
  no_lifetime: 'without nbf or exp (no lifetime)',
};

export function setVerdict(state, title, ...lines) {
  const box = $('verdict');
  box.dataset.state = state;
  const mark = {valid: '✓', invalid: '✗', error: '✗', unknown: '?', unverified: '!'}[state];
  box.replaceChildren(
      el('p', {class: 'verdict-title'}, mark ? el('span', {class: 'mark', 'aria-hidden': 'true'}, mark) : null,
          mark ? ' ' : '', title),
      ...lines.filter(Boolean));
}

function checkRow(row) {
  const item = el('li', {class: 'check-row', 'data-testid': testId(row.name), 'data-ok': row.ok ? 'true' : 'false'},
      el('span', {class: 'check-mark', 'aria-label': row.ok ? 'passed' : 'failed', role: 'img'}, row.ok ? '✓' : '✗'),
      el('span', {class: 'check-name'}, row.name),
      el('span', {class: 'check-detail'}, row.detail));
  const p = row.problem;
  if (p) {
    const numbers = [];
    for (const k of ['now', 'iat', 'nbf', 'exp']) {
      if (typeof p[k] === 'number') numbers.push(`${k} ${p[k]}`);
    }
    if (typeof p.skew_s === 'number') numbers.push(`skew ${p.skew_s}s`);
    if (typeof p.delta_s === 'number') numbers.push(`outside by ${p.delta_s}s`);
    if (p.claim) numbers.push(`claim ${p.claim}`);
    if (p.expected !== undefined) numbers.push(`expected ${JSON.stringify(p.expected)}`);
    if (p.actual !== undefined) numbers.push(`actual ${JSON.stringify(p.actual)}`);
    if (numbers.length) item.append(el('span', {class: 'check-numbers mono'}, numbers.join(' · ')));
    if (p.hint) item.append(el('span', {class: 'check-hint', 'data-testid': 'check-hint'}, 'hint: ' + p.hint));
  }
  return item;
}

export function renderVerification(doc, overridden) {
  const v = doc.verification;
  const status = STATUS_WORDS[doc.status] || doc.status;
  if (!v) {
    const clock = overridden ? 'at the overridden now' : 'on the server\'s clock';
    setVerdict('unverified', `Decoded, not verified: ${status} ${clock}`,
        el('p', {}, 'The signature has not been checked, so nothing in it can be trusted yet. ' +
            'Paste a key or a JWKS URL in the verify panel.'));
    return;
  }
  const result = buildChecks(v, doc);
  $('checks').replaceChildren(...result.rows.map(checkRow));
  if (result.laterNotRun && result.rows.length) {
    $('checks').append(el('li', {class: 'check-row later'}, '(later checks not run)'));
  }
  $('verify-now').textContent = `now ${formatUtc(result.now)} (${result.now})` +
      (result.skew === null ? '' : `, allowed clock skew ${result.skew}s`);
  const e = result.error;
  if (result.outcome === 'accepted') {
    $('verify-summary').textContent = 'Every check passed.';
    const note = result.clockNote ? 'note: ' + result.clockNote : null;
    setVerdict('valid', 'Valid: signature verified, every check passed',
        el('p', {}, `Verified with ${keyText(v.key)} at ${formatUtc(result.now)}.`),
        note ? el('p', {class: 'hint'}, note) : null);
  } else if (result.outcome === 'cannot_judge') {
    $('verify-summary').textContent = 'tock could not judge the token.';
    setVerdict('unknown', `Could not verify (${e ? e.code : 'error'})`,
        el('p', {class: 'message'}, e ? e.message : 'The verification document has no result.'));
  } else {
    $('verify-summary').textContent = `Rejected: ${e.code}.`;
    setVerdict('invalid', `${TITLES[e.code] || e.code}`,
        el('p', {class: 'message'}, e.message, ' ', el('code', {class: 'code-tag'}, e.code)),
        e.hint ? el('p', {class: 'hint', 'data-testid': 'verdict-hint'}, 'hint: ' + e.hint) : null);
  }
}

function keyText(key) {
  if (!key) return 'the key';
  return [key.kty, key.crv, key.kid ? `kid "${key.kid}"` : null].filter(Boolean).join(' ');
}
