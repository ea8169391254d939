import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, rows, listReady, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tiles = (page) => page.getByRole('group', { name: 'Status overview' });

test('the status tiles and the search filter the list, and the URL keeps the view', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);

  const open = tiles(page).getByRole('button', { name: /Open$/ });
  await open.click();
  await page.waitForURL(/status=\d+/);
  await listReady(page);
  assert.equal(await open.getAttribute('aria-pressed'), 'true');
  const statuses = await page.locator('table.tickets tbody td.col-status').allInnerTexts();
  assert.ok(statuses.length > 0);
  assert.ok(statuses.every((s) => s.trim() === 'Open'), `all rows Open: ${statuses}`);
  await shot(page, '02-tile-open');

  const search = page.getByRole('searchbox', { name: 'Search tickets' });
  await search.fill('refund');
  await search.press('Enter');
  await page.waitForURL(/q=refund/);
  await listReady(page);
  const subjects = await page.locator('table.tickets tbody td.col-subject .subject-link').allInnerTexts();
  assert.ok(subjects.length > 0);
  assert.ok(subjects.every((s) => /refund/i.test(s)), `subjects match: ${subjects}`);
  await shot(page, '02-search');

  // The view is in the URL: a reload (or a bookmark) shows the same list.
  const url = page.url();
  await page.reload();
  await listReady(page);
  assert.equal(page.url(), url);
  assert.equal(await search.inputValue(), 'refund');
  assert.equal(await tiles(page).getByRole('button', { name: /Open$/ }).getAttribute('aria-pressed'), 'true');

  // "/" focuses the search box.
  await page.locator('h1').click();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'ticket-search');
  await page.close();
});

test('columns can be hidden and the choice is remembered; headers sort', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  assert.equal(await page.locator('th.col-email').count(), 1);
  await page.locator('summary', { hasText: 'Columns' }).click();
  await page.getByRole('group', { name: 'Columns' }).getByLabel('Customer email').uncheck();
  assert.equal(await page.locator('th.col-email').count(), 0);
  await page.reload();
  await listReady(page);
  assert.equal(await page.locator('th.col-email').count(), 0);

  await page.getByRole('button', { name: 'Number' }).click();
  await page.waitForURL(/sort=number&order=desc|order=desc.*sort=number|sort=number/);
  await listReady(page);
  const nums = (await page.locator('td.col-number').allInnerTexts()).map((s) => Number(s.replace('#', '')));
  assert.deepEqual(nums, [...nums].sort((a, b) => b - a));
  await page.getByRole('button', { name: 'Number' }).click();
  await page.waitForURL(/order=asc/);
  await listReady(page);
  const asc = (await page.locator('td.col-number').allInnerTexts()).map((s) => Number(s.replace('#', '')));
  assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
  await page.close();
});

test('the keyboard moves through the list and opens a ticket', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  const cursorRow = page.locator('table.tickets tbody tr.cursor');
  assert.equal(await cursorRow.getAttribute('id'), 'row-1');
  const href = await cursorRow.locator('.subject-link').getAttribute('href');
  await page.keyboard.press('Enter');
  await page.waitForURL(BASE + href);
  await page.locator('.ticket-head h1').waitFor();
  await page.keyboard.press('Escape');
  await page.waitForURL(/\/tickets(\?.*)?$/);
  await listReady(page);
  assert.equal(await page.locator('table.tickets tbody tr.cursor').getAttribute('id'), 'row-1');
  await page.close();
});

test('bulk update changes the priority of the selected tickets and reports each one', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  const boxes = rows(page).locator('td.col-check input[type=checkbox]');
  for (let i = 0; i < 3; i++) await boxes.nth(i).check();
  const bar = page.getByRole('region', { name: 'Bulk update' });
  await bar.getByText('3 selected').waitFor();
  await bar.getByLabel('Priority (Bulk update)').selectOption({ label: 'Critical' });
  await shot(page, '02-bulk-bar');
  await bar.getByRole('button', { name: 'Apply' }).click();
  const results = page.getByRole('status', { name: 'Bulk update' });
  await results.getByText('3 updated, 0 not updated').waitFor();
  await listReady(page);
  await shot(page, '02-bulk-results');
  const prios = await rows(page).locator('td.col-priority').allInnerTexts();
  assert.deepEqual(prios.slice(0, 3).map((s) => s.trim()), ['Critical', 'Critical', 'Critical']);
  await page.close();
});
