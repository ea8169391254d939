import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, listReady, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a person logs in, stays logged in across a reload, and logs out', async () => {
  const page = await freshPage(browser);
  await page.goto(BASE + '/tickets');
  // Not signed in: the guard sends them to the login page.
  await page.getByRole('heading', { name: 'Sign in to Lazo' }).waitFor();
  await shot(page, '01-login');

  await page.getByLabel('Email').fill('ana@demo.lazo');
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();

  await login(page, 'ana@demo.lazo');
  await page.getByRole('heading', { name: 'Follow-up' }).waitFor();
  await listReady(page);
  assert.match(await page.locator('.whoami').innerText(), /Ana/);

  await page.reload();
  await page.getByRole('heading', { name: 'Follow-up' }).waitFor();
  await listReady(page);
  await shot(page, '01-follow-up-after-reload');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Lazo' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in to Lazo' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('lazo.session')), null);
  assert.deepEqual(page.jsErrors, []);
  await page.close();
});

test('an expired session sends the person to login and back to where they were', async () => {
  const page = await freshPage(browser);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  const firstHref = await page.locator('table.tickets tbody tr .subject-link').first().getAttribute('href');
  // The server no longer accepts the token (as after expiry or revocation).
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('lazo.session'));
    s.token = 'expired.' + s.token;
    localStorage.setItem('lazo.session', JSON.stringify(s));
  });
  await page.goto(BASE + firstHref);
  await page.getByRole('heading', { name: 'Sign in to Lazo' }).waitFor();
  await page.getByText('Your session has ended').waitFor();
  assert.match(page.url(), /next=/);
  await shot(page, '01-session-expired');
  await page.getByLabel('Email').fill('ana@demo.lazo');
  await page.getByLabel('Password').fill('lazo-demo-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(BASE + firstHref);
  await page.locator('.ticket-head h1').waitFor();
  await page.close();
});
