// End-to-end test of the decoder page (issue 7) in Debian's headless
// Chromium, driven by playwright-core: starts the built `tock serve` on a
// loopback port (18600-18699) with a temporary data dir, pastes tokens made
// by `tock sign`, and compares what the page shows with what `tock verify
// --json` says. Screenshots go to TOCK_WEB_SCREENSHOT_DIR (the build folder).
//
//   TOCK_BIN=build/tock node --test tests/web/decoder_page.test.mjs
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';

// Loaded here so that a missing install says what to do.
const {chromium} = await import('playwright-core').catch(() => {
  throw new Error('playwright-core is not installed: run scripts/install-deps (npm ci in tests/web)');
});

const TOCK = process.env.TOCK_BIN;
const CHROMIUM = process.env.TOCK_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.TOCK_WEB_SCREENSHOT_DIR || os.tmpdir();
const PORTS = [18600, 18699];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tock-web-'));
let server = null;
let origin = '';
let context = null;
let page = null;
const requests = [];
const pageErrors = [];

function tock(...args) {
  return execFileSync(TOCK, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
}

// tockJson runs a --json command that may exit 1 (a rejected token).
function tockJson(...args) {
  try {
    return JSON.parse(tock(...args));
  } catch (e) {
    if (e.stdout) return JSON.parse(e.stdout);
    throw e;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// startServer tries ports of the block until `tock serve` answers /healthz.
async function startServer() {
  const first = PORTS[0] + (process.pid % (PORTS[1] - PORTS[0] + 1));
  for (let i = 0; i < 20; ++i) {
    const port = PORTS[0] + ((first - PORTS[0] + i) % (PORTS[1] - PORTS[0] + 1));
    const dataDir = path.join(tmp, `data-${port}`);
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(TOCK, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir,
      '--issuer', url], {stdio: ['ignore', 'pipe', 'pipe']});
    let exited = false;
    let stderr = '';
    child.on('exit', () => (exited = true));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.stdout.resume();
    for (let t = 0; t < 200 && !exited; ++t) {
      try {
        const r = await fetch(`${url}/healthz`);
        if (r.status === 200) return {child, url};
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (!exited) {
      child.kill('SIGKILL');
      throw new Error(`tock serve on ${port} did not become healthy in 20 s: ${stderr}`);
    }
    if (!/address|in use|bind/i.test(stderr)) throw new Error(`tock serve exited: ${stderr}`);
  }
  throw new Error(`no free port in ${PORTS.join('-')}`);
}

async function shot(name) {
  const file = path.join(SHOTS, `decoder-${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  return file;
}

const box = (id) => page.getByTestId(id);

// paste types into a box as a user pasting would, and waits for the answer.
async function setField(id, text) {
  await box(id).fill(text);
}

async function pasteToken(token) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/inspect'));
  await box('token-input').fill(token);
  await answered;
  // The page renders right after the response; let that task finish.
  await page.waitForFunction(() => document.getElementById('verdict').dataset.state !== 'empty');
  await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
}

async function waitSettled() {
  // Debounced requests: wait until no /api/inspect is pending.
  await page.waitForTimeout(400);
  await page.waitForLoadState('networkidle');
}

async function checkRows() {
  return page.$$eval('[data-testid^="check-row-"]', (rows) => rows.map((r) => ({
    id: r.dataset.testid, ok: r.dataset.ok, mark: r.querySelector('.check-mark').textContent,
    detail: r.querySelector('.check-detail').textContent,
  })));
}

const keyFile = path.join(tmp, 'ec.pem');
const jwksFile = path.join(tmp, 'ec.jwks.json');
let publicJwks = '';

before(async () => {
  assert.ok(TOCK, 'TOCK_BIN must name the built tock binary');
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps (Debian package chromium)`);
  tock('keygen', '--alg', 'ES256', '--out', keyFile);
  fs.writeFileSync(jwksFile, tock('jwks', keyFile));
  publicJwks = fs.readFileSync(jwksFile, 'utf8').trim();
  const started = await startServer();
  server = started.child;
  origin = started.url;
  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: {width: 1280, height: 900},
    colorScheme: 'light',
    timezoneId: 'Europe/Paris',
  });
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15000);
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // The 400 of a refused JWKS URL is expected (and tested); nothing else.
    const refusedInspect = /status of 400/.test(m.text()) && m.location().url.endsWith('/api/inspect');
    if (m.type() === 'error' && !refusedInspect) pageErrors.push(`${m.text()} (${m.location().url})`);
  });
  await page.goto(origin + '/');
});

after(async () => {
  if (context) await context.close();
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
  }
  fs.rmSync(tmp, {recursive: true, force: true});
});

describe('decoder page', () => {
  test('GET / serves the embedded page with a strict CSP, nosniff and ETag caching', async () => {
    const r = await fetch(origin + '/');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = r.headers.get('content-security-policy');
    for (const part of ["default-src 'self'", "object-src 'none'", "base-uri 'none'",
      "frame-ancestors 'none'", "script-src 'self'"]) {
      assert.ok(csp.includes(part), `CSP ${csp} lacks ${part}`);
    }
    assert.ok(!csp.includes('unsafe-inline'), csp);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const html = await r.text();
    assert.ok(!/<script(?![^>]*\bsrc=)/i.test(html), 'the page has an inline script');
    assert.ok(!/\son[a-z]+=/i.test(html), 'the page has an inline event handler');
    const again = await fetch(origin + '/', {headers: {'If-None-Match': etag}});
    assert.equal(again.status, 304);
    const js = await fetch(origin + '/app.js');
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
    const css = await fetch(origin + '/style.css');
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  });

  test('every input has a label and every hook is on the page', async () => {
    const unlabelled = await page.$$eval('input, textarea',
        (inputs) => inputs.filter((i) => i.labels.length === 0).map((i) => i.id));
    assert.deepEqual(unlabelled, []);
    for (const id of ['token-input', 'key-input', 'jwks-uri-input', 'policy-iss', 'policy-aud',
      'policy-skew', 'policy-require', 'policy-now', 'verdict', 'timeline', 'header-view',
      'payload-view']) {
      assert.equal(await box(id).count(), 1, id);
    }
  });

  test('seed scenario: nbf 33 s after now, skew 0, key pasted: not yet valid by 33s with the hint', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = tock('sign', '--key', keyFile, '--iss', 'https://issuer.example', '--sub', 'billing',
        '--aud', 'https://api.example.com', '--no-nbf', '--claim', `nbf=${now + 33}`,
        '--now', String(now)).trim();
    // What `tock verify` says, to compare word for word.
    const cli = tockJson('verify', '--json', '--key', jwksFile, '--skew', '0', '--now', String(now), token);
    assert.equal(cli.error.code, 'not_yet_valid');
    await setField('key-input', publicJwks);
    await setField('policy-skew', '0');
    await setField('policy-now', String(now));
    await pasteToken(token);
    await waitSettled();

    const verdict = await box('verdict').innerText();
    assert.match(verdict, /not yet valid/i);
    assert.ok(verdict.includes(cli.error.message), verdict);
    assert.ok(verdict.includes('33s'), verdict);
    assert.equal(await box('verdict-hint').innerText(), 'hint: ' + cli.error.hint);
    assert.equal(await box('verdict').getAttribute('data-state'), 'invalid');

    const rows = await checkRows();
    const nbf = rows.find((r) => r.id === 'check-row-nbf');
    assert.deepEqual([nbf.ok, nbf.mark], ['false', '✗']);
    assert.equal(nbf.detail, cli.error.message);
    assert.equal(await page.locator('[data-testid="check-row-nbf"] [data-testid="check-hint"]').innerText(),
        'hint: ' + cli.error.hint);
    for (const name of ['token', 'header', 'key', 'signature', 'claim-types', 'exp', 'iat']) {
      assert.equal(rows.find((r) => r.id === `check-row-${name}`).ok, 'true', name);
    }
    assert.equal(await page.getByTestId('timeline-outside').textContent(), '33s before nbf');
    assert.match(await box('timeline-text').innerText(), /33s before nbf: not yet valid/);
    assert.equal(await page.getByTestId('claim-nbf-relative').textContent(), 'in 33s');
    assert.match(await box('header-view').innerText(), /"alg": "ES256"/);
    assert.match(await box('payload-view').innerText(), new RegExp(`"nbf": ${now + 33}`));

    // The state is in the fragment, public key included, so a link reproduces it.
    const hash = new URL(page.url()).hash;
    const params = new URLSearchParams(hash.slice(1));
    assert.equal(params.get('token'), token);
    assert.equal(params.get('key'), publicJwks);
    assert.equal(params.get('skew'), '0');
    assert.equal(params.get('now'), String(now));
    await shot('not-yet-valid');

    // Reload from the link alone: the same diagnosis.
    const link = page.url();
    await page.goto('about:blank');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/inspect'));
    await page.goto(link);
    await answered;
    await waitSettled();
    assert.equal(await box('verdict-hint').innerText(), 'hint: ' + cli.error.hint);
    assert.equal(await box('key-input').inputValue(), publicJwks);

    // Narrow screen and dark scheme.
    await page.setViewportSize({width: 390, height: 844});
    await page.emulateMedia({colorScheme: 'dark'});
    await waitSettled();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 390px screen`);
    await shot('not-yet-valid-narrow-dark');
    await page.setViewportSize({width: 1280, height: 900});
    await page.emulateMedia({colorScheme: 'light'});
  });

  test('a valid token shows ✓ on every check', async () => {
    const token = tock('sign', '--key', keyFile, '--iss', 'https://issuer.example', '--sub', 'billing',
        '--aud', 'https://api.example.com').trim();
    await setField('policy-now', '');
    await setField('policy-skew', '');
    await setField('policy-iss', 'https://issuer.example');
    await setField('policy-aud', 'https://api.example.com');
    await setField('policy-require', 'sub jti');
    await pasteToken(token);
    await waitSettled();
    assert.equal(await box('verdict').getAttribute('data-state'), 'valid');
    assert.match(await box('verdict').innerText(), /Valid/);
    const rows = await checkRows();
    const names = rows.map((r) => r.id.replace('check-row-', ''));
    assert.deepEqual(names, ['token', 'header', 'key', 'signature', 'claim-types', 'required',
      'exp', 'nbf', 'iat', 'iss', 'aud']);
    for (const row of rows) assert.deepEqual([row.id, row.ok, row.mark], [row.id, 'true', '✓']);
    assert.match(rows.find((r) => r.id === 'check-row-nbf').detail, /\(1m(\d+s)? ago\); accepted from nbf - 300s$/);
    assert.equal(await page.getByTestId('timeline-outside').count(), 0);
    assert.match(await box('timeline-text').innerText(), /inside the validity window; (10m|9m[45]\ds) left before exp/);
    await shot('valid');
    await page.emulateMedia({colorScheme: 'dark'});
    await shot('valid-dark');
    await page.emulateMedia({colorScheme: 'light'});
  });

  test('garbage shows a clear error', async () => {
    const cli = tockJson('decode', '--json', 'not-a-token');
    await pasteToken('not-a-token');
    const error = box('token-error');
    await error.waitFor({state: 'visible'});
    const text = await error.innerText();
    assert.match(text, /Cannot read this token/);
    assert.ok(text.includes(cli.error.message), text);
    assert.equal(await box('verdict').getAttribute('data-state'), 'error');
    assert.equal(await page.locator('#decoded-section').isVisible(), false);
    await shot('garbage');
  });

  test('an HMAC secret verifies but never enters the link', async () => {
    const secret = Buffer.from('correct horse battery staple, 32+ bytes long').toString('base64url');
    const jwk = JSON.stringify({kty: 'oct', k: secret});
    const secretFile = path.join(tmp, 'hs.jwk');
    fs.writeFileSync(secretFile, jwk);
    // The policy of the previous test (iss, aud, require sub jti) still applies.
    const token = tock('sign', '--key', secretFile, '--alg', 'HS256', '--iss', 'https://issuer.example',
        '--sub', 'billing', '--aud', 'https://api.example.com').trim();
    await setField('key-input', jwk);
    await pasteToken(token);
    await waitSettled();
    assert.equal(await box('verdict').getAttribute('data-state'), 'valid', await box('verdict').innerText());
    const params = new URLSearchParams(new URL(page.url()).hash.slice(1));
    assert.equal(params.get('token'), token);
    assert.equal(params.get('key'), null, 'the secret leaked into the fragment');
    assert.ok(!page.url().includes(secret));
    assert.match(await box('key-note').innerText(), /never put in the link/);
  });

  test('a private key in a link is refused, not used', async () => {
    const privateJwk = tock('keygen', '--alg', 'ES256', '--jwk').trim();
    const pem = fs.readFileSync(keyFile, 'utf8');
    for (const key of [privateJwk, pem]) {
      await page.goto('about:blank');
      await page.goto(`${origin}/#token=x.y.z&key=${encodeURIComponent(key)}&skew=0`);
      await box('fragment-notice').waitFor({state: 'visible'});
      assert.match(await box('fragment-notice').innerText(), /private key or an HMAC secret/);
      assert.equal(await box('key-input').inputValue(), '');
      assert.equal(await box('policy-skew').inputValue(), '0');
      assert.ok(!page.url().includes('key='), page.url());
      await waitSettled();
    }
  });

  test('a foreign JWKS URL is refused by the server, the token still decodes', async () => {
    const token = tock('sign', '--key', keyFile, '--iss', 'https://issuer.example', '--sub', 'billing',
        '--aud', 'https://api.example.com').trim();
    await page.goto('about:blank');
    await page.goto(`${origin}/`);
    await setField('jwks-uri-input', 'https://jwks.invalid/.well-known/jwks.json');
    await pasteToken(token);
    await waitSettled();
    assert.equal(await box('verdict').getAttribute('data-state'), 'unknown');
    assert.match(await box('verify-refused').innerText(), /jwks\.invalid/);
    assert.match(await box('payload-view').innerText(), /"sub": "billing"/);
  });

  test('this server\'s own JWKS: a token of another key fails at key selection, later checks not run', async () => {
    await setField('jwks-uri-input', '');
    await box('own-jwks').click();
    assert.equal(await box('jwks-uri-input').inputValue(), `${origin}/.well-known/jwks.json`);
    await waitSettled();
    assert.equal(await box('verdict').getAttribute('data-state'), 'invalid');
    const rows = await checkRows();
    assert.deepEqual(rows.map((r) => [r.id, r.ok]),
        [['check-row-token', 'true'], ['check-row-header', 'true'], ['check-row-key', 'false']]);
    assert.match(await page.locator('#checks').innerText(), /later checks not run/);
    assert.equal(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('jwks_uri'),
        `${origin}/.well-known/jwks.json`);
  });

  test('the keyboard reaches the token box first', async () => {
    await page.goto('about:blank');
    await page.goto(`${origin}/`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'token-input');
  });

  test('the check list is the server\'s trace: a check only the server names is shown', async () => {
    const token = tock('sign', '--key', keyFile, '--iss', 'https://issuer.example', '--aud', 'api').trim();
    await page.goto('about:blank');
    await page.goto(`${origin}/`);
    let served = null;
    // Pass the real answer through, with a check the page cannot know of
    // and a skipped one, which the page must not show.
    await page.route('**/api/inspect', async (route) => {
      const response = await route.fetch();
      const doc = await response.json();
      if (doc.verification && Array.isArray(doc.verification.checks)) {
        doc.verification.checks.splice(4, 0,
            {name: 'server only check', outcome: 'passed', detail: 'named by the server alone'});
        doc.verification.checks.push({name: 'skipped by policy', outcome: 'skipped', detail: 'hidden'});
        served = doc.verification;
      }
      await route.fulfill({response, json: doc});
    });
    try {
      await setField('key-input', publicJwks);
      await setField('policy-iss', 'https://issuer.example');
      await pasteToken(token);
      await waitSettled();
    } finally {
      await page.unroute('**/api/inspect');
    }
    assert.ok(served, 'no verification document was served');
    assert.equal(await box('verdict').getAttribute('data-state'), 'valid');
    const rows = await checkRows();
    assert.deepEqual(rows[4], {id: 'check-row-server-only-check', ok: 'true', mark: '✓',
      detail: 'named by the server alone'});
    const shown = served.checks.filter((c) => c.outcome === 'passed' || c.outcome === 'failed');
    assert.deepEqual(rows.map((r) => [r.id, r.detail]),
        shown.map((c) => ['check-row-' + c.name.replace(/\s+/g, '-'), c.detail]));
    assert.equal(await page.getByTestId('check-row-skipped-by-policy').count(), 0);
    assert.ok(rows.some((r) => r.id === 'check-row-iss'), 'the real checks are there too');
  });

  test('no request left the server\'s origin and the page logged no error', () => {
    assert.ok(requests.length > 10, `only ${requests.length} requests seen`);
    const foreign = requests.filter((u) => !u.startsWith(origin + '/') && u !== 'about:blank');
    assert.deepEqual(foreign, []);
    assert.deepEqual(pageErrors, []);
  });
});
