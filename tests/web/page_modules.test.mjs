// The decoder page's pure modules (web/*.js) under node, no browser:
// which keys may enter a link, the fragment, time words, and the check list,
// rendered from the check trace of `tock verify --json`, which must match
// `tock verify`'s own lines, line for line.
//
//   TOCK_BIN=build/tock node --test tests/web/page_modules.test.mjs
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';

import {buildChecks} from '../../web/checks.js';
import {formatDuration, formatRelative, formatUtc, parseDuration, parseTime} from '../../web/format.js';
import {keyKind, mayShare} from '../../web/keys.js';
import {readFragment, writeFragment} from '../../web/state.js';
import {describeTimeline, outside} from '../../web/timeline.js';

const TOCK = process.env.TOCK_BIN;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tock-web-modules-'));
after(() => fs.rmSync(tmp, {recursive: true, force: true}));

function tock(args, {allowFailure = false} = {}) {
  try {
    return execFileSync(TOCK, args, {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'},
      stdio: ['ignore', 'pipe', 'pipe']});
  } catch (e) {
    if (allowFailure && e.status === 1) return e.stdout;
    throw e;
  }
}

const EC = {kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0'};

describe('keys.js: what may live in a link', () => {
  test('public PEM blocks and public JWKs / JWKSs are public', () => {
    assert.equal(keyKind('-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n'), 'public');
    assert.equal(keyKind('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'), 'public');
    assert.equal(keyKind(JSON.stringify(EC)), 'public');
    assert.equal(keyKind(JSON.stringify({keys: [EC, {...EC, kid: '2'}]})), 'public');
    assert.equal(mayShare(JSON.stringify(EC)), true);
  });

  test('every private PEM form is private', () => {
    for (const label of ['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY',
      'OPENSSH PRIVATE KEY']) {
      assert.equal(keyKind(`-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----`), 'private', label);
    }
    const both = '-----BEGIN PUBLIC KEY-----\nA\n-----END PUBLIC KEY-----\n' +
        '-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----';
    assert.equal(keyKind(both), 'private');
  });

  test('a JWK with any private member, or any oct key, is private', () => {
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      assert.equal(keyKind(JSON.stringify({...EC, [m]: 'AAAA'})), 'private', m);
    }
    assert.equal(keyKind('{"kty":"oct","k":"c2VjcmV0"}'), 'private');
    assert.equal(keyKind('{"kty":"oct"}'), 'private');
    assert.equal(keyKind(JSON.stringify({keys: [EC, {...EC, d: 'AAAA'}]})), 'private');
    assert.equal(keyKind('{"kty":"EC", "d" : "AAAA", broken'), 'private');
  });

  test('unreadable text and bare secrets stay out of links', () => {
    assert.equal(keyKind('correct horse battery staple, 32+ bytes long'), 'unknown');
    assert.equal(keyKind('[1, 2]'), 'unknown');
    assert.equal(keyKind('-----BEGIN SOMETHING-----'), 'unknown');
    assert.equal(mayShare('correct horse battery staple, 32+ bytes long'), false);
    assert.equal(keyKind('  '), 'empty');
  });

  test('keys made by tock keygen and tock jwks', {skip: !TOCK && 'TOCK_BIN not set'}, () => {
    const pem = path.join(tmp, 'k.pem');
    tock(['keygen', '--alg', 'ES256', '--out', pem]);
    assert.equal(keyKind(fs.readFileSync(pem, 'utf8')), 'private');
    assert.equal(keyKind(tock(['keygen', '--alg', 'RS256', '--jwk'])), 'private');
    assert.equal(keyKind(tock(['keygen', '--alg', 'EdDSA', '--jwk'])), 'private');
    assert.equal(keyKind(tock(['jwks', pem])), 'public');
  });
});

describe('state.js: the URL fragment', () => {
  test('round trip of every field, awkward characters included', () => {
    const values = {token: 'a.b.c', key: JSON.stringify(EC), jwks_uri: 'https://x.example/j?a=1&b=2',
      iss: 'https://issuer.example https://other', aud: 'a+b c&d=e', skew: '0', require: 'sub jti',
      now: '2026-06-12T09:17:10Z', sub: 'é ✓', typ: 'at+jwt', max_age: '1h', max_lifetime: '10m',
      alg: 'ES256 RS256', allow_missing_exp: '1'};
    const {hash, keptOutKey} = writeFragment(values);
    assert.equal(keptOutKey, false);
    assert.ok(hash.startsWith('#token=a.b.c&key='), hash);
    const back = readFragment(hash);
    assert.equal(back.refusedKey, false);
    assert.deepEqual(back.values, values);
  });

  test('a private key or secret is left out on write and refused on read', () => {
    for (const key of ['{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}',
      JSON.stringify({...EC, d: 'AAAA'}), '-----BEGIN PRIVATE KEY-----\nA\n-----END PRIVATE KEY-----',
      'a bare secret of more than thirty-two bytes']) {
      const {hash, keptOutKey} = writeFragment({token: 'a.b.c', key});
      assert.equal(hash, '#token=a.b.c');
      assert.equal(keptOutKey, true);
      const read = readFragment(`#token=a.b.c&key=${encodeURIComponent(key)}&skew=5m`);
      assert.equal(read.refusedKey, true);
      assert.deepEqual(read.values, {token: 'a.b.c', skew: '5m'});
    }
  });

  test('unknown names, bad escapes and empty values are ignored; + is a space', () => {
    const read = readFragment('#evil=1&iss=%ZZ&aud=a+b&skew=&token=t');
    assert.deepEqual(read.values, {aud: 'a b', skew: '', token: 't'});
    assert.equal(writeFragment({token: '', skew: '', allow_missing_exp: false}).hash, '');
  });
});

describe('format.js: the words of tock decode', () => {
  test('durations and relative times', () => {
    assert.equal(formatDuration(33), '33s');
    assert.equal(formatDuration(552), '9m12s');
    assert.equal(formatDuration(60), '1m');
    assert.equal(formatDuration(86400 + 7200 + 59), '1d2h');
    assert.equal(formatDuration(0.5), '0.5s');
    assert.equal(formatRelative(552), 'in 9m12s');
    assert.equal(formatRelative(-33), '33s ago');
    assert.equal(formatRelative(0), 'now');
  });

  test('UTC times', () => {
    assert.equal(formatUtc(1781255830), '2026-06-12T09:17:10Z');
    assert.equal(formatUtc(1781255863.5), '2026-06-12T09:17:43.5Z');
  });

  test('durations and times typed into the policy fields', () => {
    assert.equal(parseDuration('1m30s'), 90);
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration('2h'), 7200);
    assert.equal(parseDuration('1d'), 86400);
    for (const bad of ['', '-5s', '5 m', 'm', '1.5s']) assert.equal(parseDuration(bad), null, bad);
    assert.equal(parseTime('2026-06-12T09:17:10Z'), 1781255830);
    assert.equal(parseTime('2026-06-12T11:17:10+02:00'), 1781255830);
    assert.equal(parseTime('1781255830'), 1781255830);
    assert.equal(parseTime('2026-06-12T09:17:10'), null, 'a time without a zone is ambiguous');
    assert.equal(parseTime('yesterday'), null);
  });
});

describe('timeline.js: where now stands', () => {
  const base = {iat: 1000, nbf: 1000, exp: 1600, skew: 0, nowLabel: 'server now'};
  test('early, inside, expired', () => {
    assert.deepEqual(outside(base, 967), {side: 'early', from: 967, to: 1000, delta: 33});
    assert.equal(outside(base, 1599), null);
    assert.deepEqual(outside(base, 1600), {side: 'expired', from: 1600, to: 1600, delta: 0});
  });
  test('the words say how far outside and whether the skew covers it', () => {
    assert.equal(describeTimeline({...base, serverNow: 967, browserNow: 967}),
        'The server\'s now is 33s before nbf: not yet valid. The 0s skew tolerance does not cover it ' +
        '(short by 33s). Your browser\'s clock agrees with the server\'s.');
    assert.match(describeTimeline({...base, skew: 300, serverNow: 1700, browserNow: 1640}),
        /1m40s past exp: expired\. The 5m skew tolerance still covers it\. Your browser's clock is 1m behind/);
  });
});

// parseHuman reads the check lines of `tock verify` without --json.
function parseHuman(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    const m = /^ {2}([✓✗]) (.{13})(.*)$/u.exec(line);
    if (m) rows.push({ok: m[1] === '✓', name: m[2].trim(), detail: m[3]});
  }
  return {rows, laterNotRun: text.includes('(later checks not run)')};
}

describe('checks.js: the check list of tock verify', {skip: !TOCK && 'TOCK_BIN not set'}, () => {
  const now = 1781255900;
  const key = path.join(tmp, 'ec.pem');
  const other = path.join(tmp, 'other.pem');
  const jwks = path.join(tmp, 'ec.jwks.json');
  const setup = () => {
    if (fs.existsSync(jwks)) return;
    tock(['keygen', '--alg', 'ES256', '--out', key]);
    tock(['keygen', '--alg', 'ES256', '--out', other]);
    fs.writeFileSync(jwks, tock(['jwks', key]));
  };
  const sign = (...args) => tock(['sign', '--key', key, '--now', String(now - 70), ...args]).trim();

  // Each case: sign args and verify args.
  const cases = {
    'accepted, every policy check': [
      ['--iss', 'https://i.example', '--sub', 'billing', '--aud', 'https://api.example'],
      ['--iss', 'https://i.example', '--aud', 'https://api.example', '--require', 'sub',
        '--max-age', '1h', '--max-lifetime', '1h', '--sub', 'billing', '--typ', 'JWT']],
    'accepted, an audience list': [['--aud', 'a', '--aud', 'https://api.example'],
      ['--aud', 'https://api.example']],
    'not yet valid, skew 0': [['--no-nbf', '--claim', `nbf=${now + 33}`], ['--skew', '0']],
    'expired and the wrong audience': [['--ttl', '10s', '--aud', 'https://other.example'],
      ['--skew', '0', '--aud', 'https://api.example']],
    'missing required claim': [['--no-jti'], ['--require', 'jti']],
    'claim of the wrong type': [['--claim', 'sub=7'], []],
    'issued in the future': [['--iat-backdate', '0s', '--no-iat', '--claim', `iat=${now + 600}`], []],
    'too old': [[], ['--max-age', '10s']],
    'lifetime too long': [['--ttl', '2h'], ['--max-lifetime', '1h']],
    'bad signature': [[], ['--key-other']],
    'no key for the kid': [['--kid', 'elsewhere'], []],
  };

  for (const [name, [signArgs, verifyArgs]] of Object.entries(cases)) {
    test(name, () => {
      setup();
      const token = sign(...signArgs);
      const keyArgs = verifyArgs[0] === '--key-other' ? ['--key', other] : ['--key', jwks];
      const args = [...keyArgs, '--now', String(now), ...verifyArgs.filter((a) => a !== '--key-other')];
      const human = parseHuman(tock(['verify', ...args, token], {allowFailure: true}));
      const json = JSON.parse(tock(['verify', '--json', ...args, token], {allowFailure: true}));
      const decoded = JSON.parse(tock(['decode', '--json', '--now', String(now), token]));
      assert.equal(json.checks.length, 15, 'the trace holds every check of the fixed order');
      const page = buildChecks(json, decoded);
      assert.ok(human.rows.length >= 3, 'no check lines read from tock verify');
      assert.deepEqual(page.rows.map((r) => ({ok: r.ok, name: r.name, detail: r.detail})), human.rows);
      assert.equal(page.laterNotRun, human.laterNotRun);
      assert.equal(page.now, now);
    });
  }

  test('the rows are the document\'s trace: any check it names, in its order', () => {
    const doc = {valid: false, now: 1000, skew_s: 5,
      error: {code: 'expired', message: 'token expired'}, problems: [],
      checks: [
        {name: 'token', outcome: 'passed', detail: 'fine'},
        {name: 'a check only the server knows', outcome: 'failed', detail: 'token expired',
          problems: [{code: 'expired', message: 'token expired', hint: 'refresh'}]},
        {name: 'iss', outcome: 'skipped', detail: 'no issuer is required'},
        {name: 'aud', outcome: 'not_reached', detail: ''},
      ]};
    const page = buildChecks(doc, null);
    assert.deepEqual(page.rows.map((r) => [r.name, r.ok, r.detail]),
        [['token', true, 'fine'], ['a check only the server knows', false, 'token expired']]);
    assert.equal(page.rows[1].problem.hint, 'refresh');
    assert.deepEqual([page.outcome, page.now, page.skew, page.laterNotRun], ['rejected', 1000, 5, true]);
  });

  test('a key tock cannot use: cannot judge, no rows', () => {
    const doc = {valid: false, error: {code: 'key_error', message: 'no usable key'}, problems: []};
    const page = buildChecks(doc, null);
    assert.equal(page.outcome, 'cannot_judge');
    assert.deepEqual(page.rows, []);
  });
});
