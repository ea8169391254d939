// Dev helper, not a test: screenshots of the login, list and ticket screens of
// a running server, to look at them (node snap.mjs http://127.0.0.1:8080 /tmp).
import { chromium } from 'playwright-core';
const [,, base = 'http://127.0.0.1:8080', out = '/tmp'] = process.argv;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
const page = await ctx.newPage();
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console:', m.text()); });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(base + '/login');
await page.waitForTimeout(1500);
await page.screenshot({ path: out + '/login.png' });
await page.getByLabel('Email').fill('lucia@demo.lazo');
await page.getByLabel('Password').fill('lazo-demo-1');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForTimeout(2500);
await page.screenshot({ path: out + '/list.png' });
const link = page.locator('.subject-link').first();
if (await link.count()) {
  await link.click();
  await page.waitForTimeout(2500);
  await page.screenshot({ path: out + '/ticket.png', fullPage: true });
}
console.log('url', page.url());
await browser.close();
