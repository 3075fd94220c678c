// The decoder page: reads the inputs (or the URL fragment), asks this
// server's POST /api/inspect, and shows the decode and verify documents.
import {formatUtc, localZoneName, parseDuration, parseTime} from './format.js';
import {keyKind} from './keys.js';
import {el, renderClaims, renderJson, renderSegments, renderWarnings} from './render.js';
import {FIELDS, readFragment, writeFragment} from './state.js';
import {describeTimeline, renderTimeline} from './timeline.js';
import {EXPLAIN, renderVerification, setVerdict, TITLES} from './verdict.js';

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 250;

let seq = 0;
let controller = null;
let timer = 0;
let lastTimeline = null;
let ownJwksUri = '';

function value(id) {
  const input = $(id);
  return input.type === 'checkbox' ? input.checked : input.value;
}

function list(id) {
  return value(id).split(/[\s,]+/).filter(Boolean);
}

// normalizeToken trims and drops a leading "Authorization:" / "Bearer ".
function normalizeToken(text) {
  return text.trim().replace(/^(authorization:\s*)?bearer\s+/i, '').trim();
}

// checkedField reads a policy field with |parse|, marking it invalid (and
// leaving it out of the request) when it cannot be read.
function checkedField(id, parse, message) {
  const input = $(id);
  const text = input.value.trim();
  const parsed = text === '' ? null : parse(text);
  const bad = text !== '' && parsed === null;
  input.setAttribute('aria-invalid', bad ? 'true' : 'false');
  let note = $(id + '-error');
  if (bad && !note) {
    note = el('p', {id: id + '-error', class: 'field-error', 'data-testid': id + '-error'});
    input.closest('div').append(note);
    input.setAttribute('aria-errormessage', note.id);
  }
  if (note) {
    note.textContent = bad ? message : '';
    note.hidden = !bad;
  }
  return bad ? null : parsed;
}

// readPolicy gathers the policy fields: what goes to the server, and the
// skew typed for the timeline of a token the server did not verify.
function readPolicy() {
  const durationMessage = 'Write a duration such as 90s, 5m, 1m30s, or a number of seconds.';
  const skew = checkedField('policy-skew', parseDuration, durationMessage);
  const maxAge = checkedField('policy-max-age', parseDuration, durationMessage);
  const maxLifetime = checkedField('policy-max-lifetime', parseDuration, durationMessage);
  const now = checkedField('policy-now', parseTime,
      'Write RFC 3339 with a zone (2026-06-12T09:17:10Z) or seconds since the epoch.');
  const policy = {};
  const iss = list('policy-iss');
  const aud = list('policy-aud');
  const require = list('policy-require');
  const sub = value('policy-sub').trim();
  const typ = value('policy-typ').trim();
  if (iss.length) policy.iss = iss;
  if (aud.length) policy.aud = aud;
  if (require.length) policy.require = require;
  if (sub) policy.sub = sub;
  if (typ) policy.typ = typ;
  if (skew !== null) policy.skew = `${skew}s`;
  if (maxAge !== null) policy.max_age = `${maxAge}s`;
  if (maxLifetime !== null) policy.max_lifetime = `${maxLifetime}s`;
  const algs = list('policy-alg');
  if (algs.length) policy.algorithms = algs;
  if (value('policy-allow-missing-exp')) policy.allow_missing_exp = true;
  return {policy, view: {skew_s: skew}, now};
}

// ---- URL fragment ----

function currentValues() {
  const values = {};
  for (const [name, id] of FIELDS) values[name] = value(id);
  return values;
}

function syncFragment() {
  const {hash, keptOutKey} = writeFragment(currentValues());
  if (hash !== location.hash && !(hash === '' && location.hash === '')) {
    history.replaceState(null, '', location.pathname + location.search + hash);
  }
  const kind = keyKind(value('key-input'));
  const note = $('key-note');
  note.dataset.kind = kind;
  note.textContent = kind === 'empty' ? '' : kind === 'public' ?
    'Public key: kept in the link.' : kind === 'private' ?
      'A private key or an HMAC secret: sent to this server to verify, never put in the link.' :
      'Not recognised as a public key, so it is kept out of the link.';
  if (keptOutKey && kind === 'empty') note.textContent = '';
}

function loadFragment() {
  const {values, refusedKey} = readFragment(location.hash);
  for (const [name, id] of FIELDS) {
    const input = $(id);
    const v = values[name] ?? '';
    if (input.type === 'checkbox') input.checked = v === '1' || v === 'true';
    else input.value = v;
  }
  const notice = $('fragment-notice');
  if (refusedKey) {
    notice.textContent = 'The link carried a private key or an HMAC secret in key=. The page did not use ' +
        'it and removed it from the address bar. Treat that key as exposed: it is in your browser ' +
        'history and wherever the link was shared.';
    notice.hidden = false;
  } else {
    notice.hidden = true;
  }
  if (values.sub || values.typ || values.max_age || values.max_lifetime || values.alg ||
      values.allow_missing_exp) {
    document.querySelector('details').open = true;
  }
  syncFragment();
}

// ---- inspection ----

function schedule(delay = DEBOUNCE_MS) {
  clearTimeout(timer);
  timer = setTimeout(inspect, delay);
}

function onEdit(delay) {
  syncFragment();
  schedule(delay);
}

function showSection(id, shown) {
  $(id).hidden = !shown;
}

function clearResults() {
  for (const id of ['timeline-section', 'decoded-section', 'claims-section', 'warnings-section']) {
    showSection(id, false);
  }
  $('token-segments').hidden = true;
  $('token-error').hidden = true;
  $('checks').replaceChildren();
  $('verify-now').textContent = '';
  $('verify-summary').textContent = 'Paste a key or a JWKS URL to check the signature and the claims.';
  lastTimeline = null;
}

async function inspect() {
  const token = normalizeToken(value('token-input'));
  const mine = ++seq;
  if (controller) controller.abort();
  if (token === '') {
    clearResults();
    setVerdict('empty', 'Paste a token to begin.');
    return;
  }
  const {policy, view, now} = readPolicy();
  const body = {token};
  const key = value('key-input').trim();
  const jwksUri = value('jwks-uri-input').trim();
  if (key) body.key = key;
  if (jwksUri) body.jwks_uri = jwksUri;
  if (Object.keys(policy).length) body.policy = policy;
  if (now !== null) body.now = now;
  controller = new AbortController();
  const sent = Date.now();
  let response;
  let doc;
  try {
    response = await fetch('api/inspect', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body),
      signal: controller.signal, cache: 'no-store', credentials: 'same-origin',
    });
    doc = await response.json().catch(() => null);
  } catch (e) {
    if (e.name === 'AbortError' || mine !== seq) return;
    clearResults();
    showTokenError(`Could not reach the tock server: ${e.message}. Is \`tock serve\` still running?`);
    return;
  }
  if (mine !== seq) return;
  const browserNow = (sent + Date.now()) / 2000;
  if (!response.ok || !doc) {
    const reason = errorText(doc);
    const decodeOnly = {token};
    if (now !== null) decodeOnly.now = now;
    if (response.status === 400 && Object.keys(body).length > Object.keys(decodeOnly).length) {
      // The key, JWKS URL or policy was refused: still show the decoded token.
      return refused(token, decodeOnly, view, now, reason, mine);
    }
    clearResults();
    showTokenError(`The server answered ${response.status}${reason ? ': ' + reason : ''}.`);
    return;
  }
  render(token, doc, view, now, browserNow);
}

function errorText(doc) {
  if (!doc) return '';
  if (typeof doc.error_description === 'string') return doc.error_description;
  if (doc.error && typeof doc.error.message === 'string') return doc.error.message;
  return typeof doc.error === 'string' ? doc.error : '';
}

// refused shows the decode of |token| and why the verify request was refused.
async function refused(token, decodeOnly, view, now, reason, mine) {
  const sent = Date.now();
  let doc = null;
  try {
    const r = await fetch('api/inspect', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(decodeOnly),
      cache: 'no-store', credentials: 'same-origin',
    });
    doc = r.ok ? await r.json() : null;
  } catch {
    doc = null;
  }
  if (mine !== seq) return;
  if (doc) render(token, doc, view, now, (sent + Date.now()) / 2000);
  else clearResults();
  $('verify-summary').textContent = 'The server refused the key, the JWKS URL or the policy.';
  setVerdict('unknown', 'Could not verify: the request was refused',
      el('p', {class: 'message', 'data-testid': 'verify-refused'}, reason || 'The server answered 400.'));
}

function showTokenError(message, code) {
  const box = $('token-error');
  box.replaceChildren(el('strong', {}, 'Cannot read this token. '), message,
      code ? el('code', {class: 'code-tag'}, code) : null);
  box.hidden = false;
  setVerdict('error', code ? TITLES[code] || code : 'Error', el('p', {}, message));
}

function render(token, doc, view, nowOverride, browserNow) {
  clearResults();
  if (doc.error && !doc.header) {
    // A token that does not decode: the decode error document.
    showTokenError(doc.error.message || doc.error.code, doc.error.code);
    const why = EXPLAIN[doc.error.code];
    if (why) $('token-error').append(el('p', {class: 'explain'}, why));
    if (doc.error.hint) $('token-error').append(el('p', {class: 'hint'}, 'hint: ' + doc.error.hint));
    return;
  }
  renderSegments($('token-segments'), token);
  $('token-segments').hidden = false;
  renderJson($('header-view'), doc.header);
  renderJson($('payload-view'), doc.payload);
  $('signature-view').textContent = doc.signature || '(empty)';
  showSection('decoded-section', true);

  const now = nowOverride !== null ? nowOverride : doc.now;
  const nowLabel = nowOverride !== null ? 'now (override)' : 'server now';
  $('claims-now').textContent = `Relative to ${nowLabel === 'server now' ? 'the server\'s now' : 'the overridden now'}, ` +
      `${formatUtc(now)}; local times in ${localZoneName()}.`;
  renderClaims(document.querySelector('#claims-table tbody'), doc.payload, now);
  showSection('claims-section', true);

  const warnings = Array.isArray(doc.warnings) ? doc.warnings : [];
  renderWarnings($('warnings'), warnings, doc.payload);
  showSection('warnings-section', warnings.length > 0);

  const times = doc.times || {};
  // The skew the checks used, when the server verified; else the one typed.
  const v = doc.verification;
  const skew = v && typeof v.skew_s === 'number' ? v.skew_s : view.skew_s !== null ? view.skew_s :
      v && v.error && typeof v.error.skew_s === 'number' ? v.error.skew_s : 300;
  lastTimeline = {
    iat: times.iat ? times.iat.value : null, nbf: times.nbf ? times.nbf.value : null,
    exp: times.exp ? times.exp.value : null, serverNow: now, browserNow, skew, nowLabel,
  };
  showSection('timeline-section', true);
  drawTimeline();
  renderVerification(doc, nowOverride !== null);
}

function drawTimeline() {
  if (!lastTimeline) return;
  renderTimeline($('timeline'), lastTimeline);
  $('timeline-text').textContent = describeTimeline(lastTimeline);
}

// ---- start ----

async function loadDiscovery() {
  try {
    const r = await fetch('.well-known/openid-configuration', {cache: 'no-store'});
    if (!r.ok) return;
    const d = await r.json();
    if (typeof d.jwks_uri !== 'string') return;
    ownJwksUri = d.jwks_uri;
    const button = $('own-jwks');
    button.hidden = false;
    button.title = ownJwksUri;
  } catch {
    // The button stays hidden: pasting a key still works.
  }
}

function start() {
  $('local-zone').textContent = localZoneName();
  loadFragment();
  for (const [, id] of FIELDS) {
    const input = $(id);
    input.addEventListener(input.type === 'checkbox' ? 'change' : 'input', () => onEdit());
  }
  $('token-input').addEventListener('paste', () => setTimeout(() => onEdit(0), 0));
  $('own-jwks').addEventListener('click', () => {
    $('jwks-uri-input').value = ownJwksUri;
    onEdit(0);
  });
  $('now-clear').addEventListener('click', () => {
    $('policy-now').value = '';
    onEdit(0);
  });
  $('verify-form').addEventListener('submit', (e) => {
    e.preventDefault();
    schedule(0);
  });
  window.addEventListener('hashchange', () => {
    loadFragment();
    schedule(0);
  });
  // Redraw only when the width changes: a new drawing changes the height.
  let drawnWidth = 0;
  new ResizeObserver(() => {
    const width = $('timeline').clientWidth;
    if (width !== drawnWidth) {
      drawnWidth = width;
      drawTimeline();
    }
  }).observe($('timeline'));
  loadDiscovery();
  schedule(0);
}

start();
