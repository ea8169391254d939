// Delivery in the browser: the SPA loads under its Content-Security-Policy
// (compressed wasm, no violation), and Swagger UI renders under its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, shot, watchCsp, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the SPA loads precompressed under its CSP without a violation', async () => {
  const page = await freshPage(browser);
  const encodings = {};
  page.on('response', (r) => {
    const name = new URL(r.url()).pathname;
    if (/\.(wasm|js|css)$/.test(name)) encodings[name] = r.headers()['content-encoding'] || 'identity';
  });
  const res = await page.goto(BASE + '/login');
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  await page.getByRole('heading', { name: 'Sign in to Lazo' }).waitFor();
  const wasm = Object.keys(encodings).find((n) => n.endsWith('.wasm'));
  assert.ok(wasm, `no wasm among ${JSON.stringify(encodings)}`);
  // Chromium offers br on HTTPS and on localhost (this test), gzip elsewhere.
  assert.equal(encodings[wasm], 'br', JSON.stringify(encodings));
  assert.deepEqual(page.jsErrors, []);
  await page.close();
});

test('Swagger UI renders the operation list under its CSP', async () => {
  const context = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text().split('\n')[0]); });
  watchCsp(page, errors);
  const res = await page.goto(BASE + '/api/docs/');
  assert.match(res.headers()['content-security-policy'], /frame-ancestors 'none'/);
  await page.locator('.opblock').first().waitFor({ timeout: 20000 });
  const ops = await page.locator('.opblock').count();
  assert.ok(ops > 10, `only ${ops} operations shown`);
  await page.locator('.info .title').first().waitFor();
  // Opening an operation applies inline styles: the reason its policy has
  // style-src 'unsafe-inline' (scripts stay 'self' only).
  await page.locator('.opblock-summary').first().click();
  await page.locator('.opblock.is-open').first().waitFor();
  await shot(page, '10-swagger-ui');
  await context.close();
  assert.deepEqual(errors, []);
});
