// Shared helpers of the browser journeys: one chromium per test file, a fresh
// context (fresh localStorage) per test, screenshots in e2e/screenshots/.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const BASE = process.env.LAZO_URL || 'http://127.0.0.1:8080';
export const PASSWORD = 'lazo-demo-1';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

/** Launches Debian's chromium headless (no browser download: playwright-core only). */
export async function launch() {
  // playwright gives the browser a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    async close() { await browser.close(); },
  };
}

/** A page in its own context: empty storage, like a person new to this browser. */
export async function freshPage(b) {
  const context = await b.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  // A panic in the wasm app shows as a page error ("unreachable"), with the
  // Rust message on the console: any of them fails the test when it closes
  // the page.
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /panicked/.test(m.text())) errors.push(m.text().split('\n')[0]);
  });
  watchCsp(page, errors);
  page.jsErrors = errors;
  const close = page.close.bind(page);
  page.close = async () => {
    await close();
    await context.close();
    if (errors.length) throw new Error(`the app failed in the browser: ${errors.join(' | ')}`);
  };
  return page;
}

/**
 * Records every Content-Security-Policy violation of `page` in `errors`: the
 * console message chromium prints for a blocked script, style, image or
 * connection, and the page's own `securitypolicyviolation` events (reported
 * through a binding, so they arrive even when the console is quiet).
 */
export function watchCsp(page, errors) {
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) errors.push(`CSP: ${m.text().split('\n')[0]}`);
  });
  page.exposeBinding('__lazoCspViolation', (_src, v) => errors.push(`CSP: ${v}`)).catch(() => {});
  page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__lazoCspViolation?.(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
}

export async function login(page, email, { next } = {}) {
  await page.goto(BASE + (next ? `/login?next=${encodeURIComponent(next)}` : '/login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed in once the session is stored: a test that navigates right away
  // must not cut the login request short (argon2 is slow in a debug build).
  await page.waitForFunction(() => !!localStorage.getItem('lazo.session'));
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** A signed-in page's bearer token, for setting things up through the API. */
export async function apiOf(page) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session')).token);
  return async (method, path, body) => {
    const res = await fetch(BASE + '/api/v1' + path, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** Rows of the follow-up table. */
export const rows = (page) => page.locator('table.tickets tbody tr');

/** Waits until the list shows rows and is not loading. */
export async function listReady(page) {
  await page.locator('table.tickets[aria-busy=false] tbody tr').first().waitFor();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/**
 * A server of the test's own (fresh SQLite database, demo data), for settings
 * the shared one does not have, e.g. `{ LAZO_JWT_TTL_MINUTES: '1' }`. Uses the
 * binary and SPA that run.sh was given. Call `stop()` when done.
 */
export async function startServer(env = {}) {
  const bin = process.env.LAZO_BIN;
  const dist = process.env.LAZO_STATIC_DIR;
  if (!bin || !dist) throw new Error('startServer needs LAZO_BIN and LAZO_STATIC_DIR (run.sh sets them)');
  const dir = mkdtempSync(join(tmpdir(), 'lazo-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(bin, ['serve', '--demo'], {
    env: {
      ...process.env, DATABASE_URL: join(dir, 'lazo.db'), LAZO_BIND: `127.0.0.1:${port}`,
      LAZO_STATIC_DIR: dist, LAZO_LOGIN_PER_MINUTE: '1000', LAZO_DEMO_TICKETS: '60', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null) { child.kill(); await exited; }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) break;
    try { if ((await fetch(url + '/api/health')).ok) return { url, stop, log: () => log }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`the test's server did not start:\n${log.slice(-3000)}`);
}
