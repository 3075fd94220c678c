// The check list of `tock verify`, rebuilt from its --json document: one row
// per check in cli.md's fixed order, as cli/render/verify_human.cc prints
// it. Failed rows carry the library's message and hint verbatim.
import {formatRelative, formatSeconds, formatUtc} from './format.js';

const STAGES = ['token', 'header', 'key', 'signature', 'claims'];

const STAGE_OF = {
  too_large: 'token', malformed: 'token', bad_base64: 'token', bad_json: 'token',
  unsupported_alg: 'header', crit_unsupported: 'header',
  alg_not_allowed: 'key', key_not_found: 'key',
  bad_signature: 'signature',
};

// Codes of the documents where tock could not judge the token at all.
export const CANNOT_JUDGE = new Set(['usage', 'key_error', 'io_error', 'network_error']);

const q = (s) => JSON.stringify(String(s));
const secs = (s) => formatSeconds(s) + 's';

function find(problems, code, claim) {
  return problems.find((p) => p.code === code && (!claim || p.claim === claim)) || null;
}

// findClaimProblem: |code|, or |claim| missing or of the wrong type.
function findClaimProblem(problems, code, claim) {
  return find(problems, code) || find(problems, 'missing_claim', claim) ||
      find(problems, 'bad_claim', claim);
}

function failed(name, problem) {
  return {name, ok: false, detail: problem.message || problem.code, problem};
}

function numberClaim(claims, name) {
  const v = claims ? claims[name] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function timeRow(c, name, code) {
  const p = findClaimProblem(c.problems, code, name);
  if (p) return failed(name, p);
  const t = numberClaim(c.claims, name);
  if (t === null) return {name, ok: true, detail: 'absent'};
  let detail = `${formatUtc(t)} (${formatRelative(t - c.now)})`;
  if (name === 'exp') detail += `; accepted until exp + ${secs(c.skew)}`;
  if (name === 'nbf') detail += `; accepted from nbf - ${secs(c.skew)}`;
  return {name, ok: true, detail};
}

function policyRows(c, rows) {
  const {policy, claims, problems, now} = c;
  const iat = numberClaim(claims, 'iat');
  const exp = numberClaim(claims, 'exp');
  if (policy.max_age_s !== null) {
    const p = findClaimProblem(problems, 'token_too_old', 'iat');
    if (p) {
      rows.push(failed('max age', p));
    } else {
      const age = iat === null ? 'age ?' : iat > now ? 'issued in the future' : 'age ' + secs(now - iat);
      rows.push({name: 'max age', ok: true,
        detail: `${age} within ${secs(policy.max_age_s)} + ${secs(c.skew)} skew`});
    }
  }
  if (policy.max_lifetime_s !== null) {
    const p = findClaimProblem(problems, 'lifetime_too_long', 'exp');
    if (p) {
      rows.push(failed('max lifetime', p));
    } else {
      const life = exp === null ? '?' : secs(exp - (iat === null ? now : iat));
      rows.push({name: 'max lifetime', ok: true,
        detail: `lifetime ${life} within ${secs(policy.max_lifetime_s)}`});
    }
  }
  const str = (name) => (claims && typeof claims[name] === 'string' ? q(claims[name]) : '?');
  const match = (name, code, active, okDetail) => {
    if (!active) return;
    const p = findClaimProblem(problems, code, name);
    rows.push(p ? failed(name, p) : {name, ok: true, detail: okDetail});
  };
  match('iss', 'iss_mismatch', policy.iss.length > 0, str('iss'));
  const aud = claims && Array.isArray(claims.aud) ? claims.aud.map(q).join(', ') : str('aud');
  match('aud', 'aud_mismatch', policy.aud.length > 0,
      `${aud} (accepted: ${policy.aud.map(q).join(', ')})`);
  match('sub', 'sub_mismatch', policy.sub !== '', str('sub'));
  const typ = c.header && typeof c.header.typ === 'string' ? q(c.header.typ) : '?';
  match('typ', 'typ_mismatch', policy.typ !== '', typ);
}

function claimRows(c) {
  const rows = [];
  const bad = c.problems.filter((p) => p.code === 'bad_claim');
  if (bad.length === 0) {
    rows.push({name: 'claim types', ok: true, detail: 'registered claims have their types'});
  } else {
    rows.push({name: 'claim types', ok: false, detail: bad.map((p) => p.message).join('; '),
      problem: bad[0], extra: bad.slice(1)});
  }
  const missing = find(c.problems, 'missing_claim');
  if (missing) {
    rows.push(failed('required', missing));
  } else if (c.policy.require.length > 0) {
    rows.push({name: 'required', ok: true, detail: 'present: ' + c.policy.require.map(q).join(', ')});
  }
  rows.push(timeRow(c, 'exp', 'expired'));
  rows.push(timeRow(c, 'nbf', 'not_yet_valid'));
  rows.push(timeRow(c, 'iat', 'issued_in_future'));
  policyRows(c, rows);
  return rows;
}

function keyDetail(key) {
  if (!key) return 'selected';
  let detail = String(key.kty || 'key');
  if (key.bits) detail += ` ${key.bits} bits`;
  if (key.crv) detail += ` ${key.crv}`;
  if (key.kid) detail = `kid ${q(key.kid)}, ${detail}`;
  if (key.kty !== 'oct' && key.thumbprint) detail += `, thumbprint ${key.thumbprint}`;
  return detail;
}

// buildChecks turns a verification document into rows.
//   verification: the `tock verify --json` document
//   decoded: the `tock decode --json` document (header, payload), or null
//   policy: {iss, aud, require (arrays), sub, typ (strings), skew_s,
//            max_age_s, max_lifetime_s (numbers or null)}
// Returns {outcome: 'accepted'|'rejected'|'cannot_judge', rows, now,
// skew, error, laterNotRun}.
export function buildChecks(verification, decoded, policy) {
  const v = verification || {};
  const error = v.error || null;
  const header = v.header || (decoded && decoded.header) || null;
  const claims = v.claims || (decoded && decoded.payload) || null;
  const now = typeof v.now === 'number' ? v.now :
      error && typeof error.now === 'number' ? error.now : decoded ? decoded.now : 0;
  const skew = policy.skew_s !== null ? policy.skew_s :
      error && typeof error.skew_s === 'number' ? error.skew_s : 300;
  if (v.valid !== true && (!error || CANNOT_JUDGE.has(error.code))) {
    return {outcome: 'cannot_judge', rows: [], now, skew, error, laterNotRun: true};
  }
  const alg = v.alg || (header && typeof header.alg === 'string' ? header.alg : null);
  const kid = header && typeof header.kid === 'string' ? header.kid : null;
  const passed = {
    token: 'three parts, JSON header and payload',
    header: alg ? 'alg ' + alg : 'ok',
    key: v.valid ? keyDetail(v.key) : kid ? 'token kid ' + q(kid) : 'token has no kid',
    signature: alg ? alg + ' verified' : 'verified',
  };
  const rows = [];
  const stage = v.valid ? 'claims' : STAGE_OF[error.code] || 'claims';
  for (const s of STAGES.slice(0, 4)) {
    if (s === stage) {
      rows.push(failed(s, error));
      break;
    }
    rows.push({name: s, ok: true, detail: passed[s]});
  }
  let problems = [];
  if (!v.valid) problems = Array.isArray(v.problems) && v.problems.length ? v.problems : [error];
  if (stage === 'claims') {
    rows.push(...claimRows({claims, header, problems, policy, now, skew}));
  }
  return {outcome: v.valid ? 'accepted' : 'rejected', rows, now, skew, error,
    laterNotRun: stage !== 'claims'};
}

// testId gives a row's stable data-testid: "check-row-claim-types", ….
export function testId(name) {
  return 'check-row-' + name.replace(/\s+/g, '-');
}
