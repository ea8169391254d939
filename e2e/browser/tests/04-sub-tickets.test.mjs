import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, listReady, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stamp = Date.now();
const parentSubject = `Refund dispute ${stamp}`;
const mine = `Call the courier ${stamp}`;
const sibling = `Confirm the refund ${stamp}`;

async function pickOwner(scope, name) {
  const box = scope.locator('input[role=combobox]');
  await box.click();
  await box.fill(name);
  await scope.getByRole('option', { name: new RegExp(name) }).first().click();
}

test('the new ticket form shows the API validation messages next to their fields', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  await page.getByRole('link', { name: 'New ticket' }).first().click();
  await page.getByRole('heading', { name: 'New ticket' }).waitFor();
  await page.getByLabel('Requester email').fill('not-an-email');
  await page.getByRole('button', { name: 'Create ticket' }).click();
  // Subject and requester email are refused, each under its own field.
  await page.locator('#nt-subject ~ .field-error').waitFor();
  await page.locator('#nt-requester ~ .field-error').waitFor();
  await shot(page, '04-new-ticket-errors');
  await page.close();
});

test('a sub-ticket owner sees the parent read-only and not the sibling', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);

  // A parent in Billing, where Marc is not a member.
  await page.goto(BASE + '/tickets/new');
  await page.getByLabel('Subject').fill(parentSubject);
  await page.getByLabel('Group').selectOption({ label: 'Billing' });
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.getByRole('heading', { name: parentSubject }).waitFor();
  const parentUrl = page.url();

  const section = page.getByRole('region', { name: /Sub-tickets/ });
  for (const [subject, owner, group] of [[mine, 'Marc', 'Support'], [sibling, 'Sofía', 'Billing']]) {
    await section.getByRole('button', { name: 'New sub-ticket' }).click();
    const form = page.getByRole('form', { name: 'New sub-ticket' });
    await form.getByLabel('Subject').fill(subject);
    await pickOwner(form, owner);
    await form.getByLabel('Group').selectOption({ label: group });
    await form.getByRole('button', { name: 'Create sub-ticket' }).click();
    await section.getByRole('link', { name: new RegExp(subject) }).waitFor();
  }
  await shot(page, '04-parent-with-sub-tickets');
  await page.getByRole('button', { name: 'Log out' }).click();

  // Marc owns one sub-ticket.
  await login(page, 'marc@demo.lazo');
  await listReady(page);
  const search = page.getByRole('searchbox', { name: 'Search tickets' });
  await search.fill(mine);
  await search.press('Enter');
  await page.getByRole('link', { name: mine }).click();
  await page.getByRole('heading', { name: mine }).waitFor();
  await page.getByRole('link', { name: new RegExp(parentSubject) }).click();
  await page.waitForURL(parentUrl);
  await page.getByRole('heading', { name: parentSubject }).waitFor();

  // Read-only parent: the note says so, properties are disabled, comments work.
  await page.getByRole('note').filter({ hasText: 'Read-only' }).waitFor();
  const side = page.getByRole('complementary', { name: 'Ticket properties' });
  assert.equal(await side.getByLabel('Status').isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'New sub-ticket' }).count(), 0);
  const subs = page.getByRole('region', { name: /Sub-tickets/ });
  await subs.getByRole('link', { name: new RegExp(mine) }).waitFor();
  assert.equal(await subs.getByRole('link', { name: new RegExp(sibling) }).count(), 0);
  await page.getByLabel('Public reply', { exact: true }).fill('Courier called, parcel found.');
  await page.getByRole('button', { name: 'Add comment' }).click();
  await page.getByRole('article').filter({ hasText: 'Courier called, parcel found.' }).waitFor();
  await shot(page, '04-parent-read-only');
  await page.close();
});
