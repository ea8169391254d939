// Shared helpers of the browser journeys: one chromium per test file, a fresh
// context (fresh localStorage) per test, screenshots in e2e/screenshots/.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
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
  page.on('console', (m) => { if (m.type() === 'error' && /panicked/.test(m.text())) errors.push(m.text().split('\n')[0]); });
  page.jsErrors = errors;
  const close = page.close.bind(page);
  page.close = async () => {
    await close();
    await context.close();
    if (errors.length) throw new Error(`the app failed in the browser: ${errors.join(' | ')}`);
  };
  return page;
}

export async function login(page, email, { next } = {}) {
  await page.goto(BASE + (next ? `/login?next=${encodeURIComponent(next)}` : '/login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** Rows of the follow-up table. */
export const rows = (page) => page.locator('table.tickets tbody tr');

/** Waits until the list shows rows and is not loading. */
export async function listReady(page) {
  await page.locator('table.tickets[aria-busy=false] tbody tr').first().waitFor();
}
