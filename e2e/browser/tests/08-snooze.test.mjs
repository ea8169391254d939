import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, rows, listReady, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const selectedText = (select) => select.evaluate((s) => s.options[s.selectedIndex].text);

test('a ticket is snoozed with a quick choice, shows as snoozed in the list, and is unsnoozed', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  await page.getByRole('group', { name: 'Status overview' }).getByRole('button', { name: /Open$/ }).click();
  await page.waitForURL(/status=\d+/);
  await listReady(page);
  const link = rows(page).first().locator('.subject-link');
  const [href, subject] = [await link.getAttribute('href'), (await link.innerText()).trim()];
  await link.click();
  await page.waitForURL(BASE + href);
  await page.locator('.ticket-head h1').waitFor();

  const side = page.getByRole('complementary', { name: 'Ticket properties' });
  const status = side.getByLabel('Status');
  const before = await selectedText(status);
  assert.equal(before, 'Open');
  const card = page.getByRole('region', { name: 'Snooze' });
  await card.getByRole('button', { name: 'Snooze' }).click();
  await card.getByRole('button', { name: 'Tomorrow 9:00' }).waitFor();
  await shot(page, '08-snooze-picker');

  // The local 9:00 of tomorrow, as the browser sees it.
  const expected = await page.evaluate(() => {
    const d = new Date(); d.setDate(d.getDate() + 1); d.setHours(9, 0, 0, 0); return d.getTime();
  });
  const snoozeCall = page.waitForRequest((r) => r.method() === 'POST' && /\/tickets\/\d+\/snooze$/.test(r.url()));
  await card.getByRole('button', { name: 'Tomorrow 9:00' }).click();
  const sent = JSON.parse((await snoozeCall).postData());
  assert.match(sent.until, /Z$|\+00:00$/, 'sent as UTC');
  assert.equal(Date.parse(sent.until), expected);
  await page.getByRole('status').filter({ hasText: 'Snoozed until' }).waitFor();
  await card.locator('p.snoozed', { hasText: 'Snoozed until ' }).waitFor();
  await card.getByRole('button', { name: 'Unsnooze' }).waitFor();
  await card.getByRole('button', { name: 'Change' }).waitFor();
  const snoozedStatus = await selectedText(status);
  assert.notEqual(snoozedStatus, before, 'now in a pending status');
  await shot(page, '08-snoozed-ticket');

  // The follow-up list (fresh from the server) marks it.
  await page.goto(BASE + '/tickets?q=' + encodeURIComponent(subject));
  await listReady(page);
  const row = rows(page).filter({ has: page.locator(`a.subject-link[href="${href}"]`) });
  await row.locator('td.col-status .badge.snoozed').waitFor();
  assert.equal((await row.locator('td.col-status .pill').innerText()).trim(), snoozedStatus);
  assert.match(await row.locator('td.col-status .badge.snoozed').getAttribute('title'), /^Snoozed until /);
  await shot(page, '08-list-snoozed-badge');

  // Unsnooze: back to the status it had, the control offers to snooze again.
  await row.locator('.subject-link').click();
  await page.waitForURL(BASE + href);
  await card.getByRole('button', { name: 'Unsnooze' }).click();
  await page.getByRole('status').filter({ hasText: 'Reopened.' }).waitFor();
  await card.getByRole('button', { name: 'Snooze' }).waitFor();
  assert.equal(await selectedText(status), before);
  assert.equal(await card.locator('p.snoozed', { hasText: 'Snoozed until ' }).count(), 0);
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByRole('tabpanel').getByText(snoozedStatus).first().waitFor();
  await shot(page, '08-unsnoozed');

  // And the list no longer marks it.
  await page.goto(BASE + '/tickets?q=' + encodeURIComponent(subject));
  await listReady(page);
  const again = rows(page).filter({ has: page.locator(`a.subject-link[href="${href}"]`) });
  await again.waitFor();
  assert.equal(await again.locator('.badge.snoozed').count(), 0);
  await page.close();
});

test('a snooze date can be picked in local time and changed', async () => {
  const page = await freshPage(browser);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  await page.getByRole('group', { name: 'Status overview' }).getByRole('button', { name: /Open$/ }).click();
  await page.waitForURL(/status=\d+/);
  await listReady(page);
  await rows(page).nth(1).locator('.subject-link').click();
  await page.locator('.ticket-head h1').waitFor();
  const card = page.getByRole('region', { name: 'Snooze' });
  await card.getByRole('button', { name: 'Snooze' }).click();
  // A local date and time three days ahead at 14:30.
  const { local, shown, ms } = await page.evaluate(() => {
    const d = new Date(); d.setDate(d.getDate() + 3); d.setHours(14, 30, 0, 0);
    const p = (n) => String(n).padStart(2, '0');
    return {
      local: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T14:30`,
      shown: `${p(d.getMonth() + 1)}/${p(d.getDate())}/${d.getFullYear()} 14:30`,
      ms: d.getTime(),
    };
  });
  await card.getByLabel('Date and time').fill(local);
  const call = page.waitForRequest((r) => r.method() === 'POST' && /\/snooze$/.test(r.url()));
  await card.locator('.snooze-pick').getByRole('button', { name: 'Snooze' }).click();
  assert.equal(Date.parse(JSON.parse((await call).postData()).until), ms);
  await card.getByRole('button', { name: 'Change' }).click();
  // Changing starts from the current date, shown in the app's language
  // (ISO typed in is read too); "In a week" moves it.
  assert.equal(await card.getByLabel('Date and time').inputValue(), shown);
  await card.getByRole('button', { name: 'In a week' }).click();
  await page.getByRole('status').filter({ hasText: 'Snoozed until' }).waitFor();
  await card.getByRole('button', { name: 'Unsnooze' }).click();
  await page.getByRole('status').filter({ hasText: 'Reopened.' }).waitFor();
  await page.close();
});
