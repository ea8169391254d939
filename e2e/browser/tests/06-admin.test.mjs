import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, listReady, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an admin configures users, groups, statuses, ticket types and settings', async () => {
  const page = await freshPage(browser);
  // The admin screens are a wasm chunk of their own (frontend/build.sh):
  // not part of the first load, fetched when the admin opens them (the ticket
  // screen's, by contrast, follows the first rows in the background).
  const wasm = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.endsWith('.wasm')) {
      wasm.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()['content-type'] });
    }
  });
  await login(page, 'admin@demo.lazo');
  await listReady(page);
  const main = await page.locator('link[rel=preload][as=fetch]').getAttribute('href');
  assert.match(main, /^\/lazo-frontend-[0-9a-f]{16}_bg\.wasm$/);
  assert.equal(wasm[0]?.path, main, 'the main module comes first');
  // Besides it, only the ticket screen (fetched in the background once the
  // rows are up): nothing of the admin screens.
  const before = wasm.map((w) => w.path);
  assert.ok(before.every((p) => p === main || /^\/(chunk_\d+|split_lazo_ticket)-[0-9a-f]{16}\.wasm$/.test(p)),
    `the login and follow-up pages fetch no admin chunk (got ${JSON.stringify(before)})`);
  await page.getByRole('link', { name: 'Admin' }).click();

  const users = page.getByRole('table', { name: 'Users' });
  await users.getByText('marc@demo.lazo').waitFor();
  assert.ok((await users.locator('tbody tr').count()) >= 5);
  const chunks = wasm.filter((w) => !before.includes(w.path));
  assert.ok(chunks.some((c) => /^\/split_lazo_admin-/.test(c.path)),
    `opening the admin screens fetched their chunk (got ${JSON.stringify(wasm)})`);
  for (const c of chunks) {
    assert.match(c.path, /-[0-9a-f]{16}\.wasm$/, 'chunk names are content hashes');
    assert.equal(c.status, 200);
    assert.equal(c.type, 'application/wasm');
  }
  await shot(page, '06-admin-users');

  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Groups' }).click();
  const billing = page.getByRole('region', { name: 'Billing' });
  await billing.locator('.member-list').getByText('Sofía Romero').waitFor();
  assert.equal(await billing.getByLabel('Only members may own its tickets').isChecked(), true);
  await shot(page, '06-admin-groups');

  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Statuses' }).click();
  const form = page.getByRole('form', { name: 'New status' });
  await form.getByLabel('Name').fill('Waiting on customer');
  await form.getByLabel('Category').selectOption({ label: 'Pending' });
  await form.getByRole('button', { name: 'Create' }).click();
  const statuses = page.getByRole('table', { name: 'Statuses' });
  await statuses.locator('input[type=text]').last().waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('table input[type=text]')].some((i) => i.value === 'Waiting on customer'));
  await shot(page, '06-admin-statuses');

  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Ticket types' }).click();
  const detractor = page.getByRole('region', { name: 'Detractor follow-up' });
  await detractor.getByRole('heading', { name: 'Root cause per status' }).waitFor();
  const resolvedRule = detractor.locator('.rules-grid').getByLabel('Resolved');
  assert.equal(await resolvedRule.evaluate((s) => s.value), 'required');
  await shot(page, '06-admin-types');

  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Settings' }).click();
  const settings = page.getByRole('form', { name: 'Settings' });
  const close = settings.getByLabel('Agents may close tickets');
  const was = await close.isChecked();
  await close.setChecked(!was);
  await settings.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await page.reload();
  await page.getByRole('form', { name: 'Settings' }).getByLabel('Agents may close tickets').waitFor();
  assert.equal(await page.getByRole('form', { name: 'Settings' }).getByLabel('Agents may close tickets').isChecked(), !was);
  await shot(page, '06-admin-settings');
  await page.close();
});

test('a tab whose admin chunk is gone (a deploy since) reloads once and shows the admin screens', async () => {
  const page = await freshPage(browser);
  await login(page, 'admin@demo.lazo');
  await listReady(page);
  // The first request for the admin chunk gets what a server with newer
  // files answers to an old name; later ones reach the server.
  let refused = 0;
  await page.route(/\/split_lazo_admin-[0-9a-f]{16}\.wasm$/, async (route) => {
    if (refused++ === 0) await route.fulfill({ status: 404, body: 'not found' });
    else await route.continue();
  });
  let loads = 0;
  page.on('load', () => loads++);
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('table', { name: 'Users' }).getByText('marc@demo.lazo').waitFor();
  assert.equal(refused, 2, 'the chunk was asked for again after the refusal');
  assert.equal(loads, 1, 'the page reloaded once');
  assert.equal(new URL(page.url()).pathname, '/admin/users');
  await page.close(); // no panic: a missing chunk is an error the app handles
});

test('a tab whose ticket chunk is gone (a deploy since) still opens the ticket', async () => {
  const page = await freshPage(browser);
  // The background fetch after the rows and the first open both meet what a
  // server with newer files answers to an old name; later requests reach it.
  let refused = 0;
  await page.route(/\/split_lazo_ticket-[0-9a-f]{16}\.wasm$/, async (route) => {
    if (refused++ < 2) await route.fulfill({ status: 404, body: 'not found' });
    else await route.continue();
  });
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  await page.waitForFunction(() => performance.getEntriesByType('resource')
    .some((e) => /\/split_lazo_ticket-/.test(e.name)));
  const number = (await page.locator('table.tickets tbody tr .col-number').first().innerText()).replace(/\D/g, '');
  let loads = 0;
  page.on('load', () => loads++);
  await page.locator('table.tickets tbody tr').first().getByRole('link').first().click();
  await page.locator('.ticket-head h1').waitFor();
  assert.equal(refused, 3, 'the chunk was asked for again after each refusal');
  assert.equal(loads, 1, 'the page loaded anew once (the new version), not in a loop');
  assert.equal(new URL(page.url()).pathname, `/tickets/${number}`);
  await page.close(); // no panic
});

test('while a page\'s code is on its way, the click shows as taken', async () => {
  const page = await freshPage(browser);
  await login(page, 'admin@demo.lazo');
  await listReady(page);
  // A slow network: the admin chunk takes a second and a half to arrive.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(/\/split_lazo_admin-[0-9a-f]{16}\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.waitForFunction(() => document.documentElement.classList.contains('page-loading'));
  assert.equal(await page.locator('#main').getAttribute('aria-busy'), 'true');
  // The bar shows (after its 150 ms grace), across the top of the window.
  await page.waitForTimeout(400);
  const bar = await page.evaluate(() => {
    const s = getComputedStyle(document.documentElement, '::before');
    return { position: s.position, top: s.top, height: s.height, opacity: Number(s.opacity) };
  });
  assert.equal(bar.position, 'fixed');
  assert.equal(bar.height, '3px');
  assert.ok(bar.opacity > 0, `the bar is visible (opacity ${bar.opacity})`);
  await shot(page, '06-page-loading');
  // The follow-up page stays until the admin screens are there.
  assert.ok(await page.locator('table.tickets').isVisible());
  release();
  await page.getByRole('table', { name: 'Users' }).getByText('marc@demo.lazo').waitFor();
  await page.waitForFunction(() => !document.documentElement.classList.contains('page-loading'));
  assert.equal(await page.locator('#main').getAttribute('aria-busy'), null);
  await page.close();
});

test('agents do not get the admin screens', async () => {
  const page = await freshPage(browser);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0);
  await page.goto(BASE + '/admin/users');
  await page.getByText('Only administrators can change this.').waitFor();
  await page.close();
});
