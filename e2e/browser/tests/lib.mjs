// Shared helpers of the browser journeys: one chromium per test file, a fresh
// context (fresh localStorage) per test, screenshots in e2e/screenshots/.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE = process.env.LAZO_URL || 'http://127.0.0.1:8080';
export const PASSWORD = 'lazo-demo-1';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

/** Launches Debian's chromium headless (no browser download: playwright-core only). */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'lazo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
  });
  context.setDefaultTimeout(15000);
  return {
    context,
    async close() { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/** A page with empty storage (a person who never used the app in this browser). */
export async function freshPage(browser) {
  const page = await browser.context.newPage();
  await page.goto(BASE + '/');
  await page.evaluate(() => localStorage.clear());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.jsErrors = errors;
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
