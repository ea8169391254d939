import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, listReady, watchCsp, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stamp = Date.now();
const survivor = `Wrong invoice amount ${stamp}`;
const duplicate = `Invoice is wrong (second mail) ${stamp}`;

/** Creates a Support ticket through the form; returns its number and address. */
async function newTicket(page, subject) {
  await page.goto(BASE + '/tickets/new');
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Group').selectOption({ label: 'Support' });
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.getByRole('heading', { name: subject }).waitFor();
  const number = (await page.locator('.ticket-meta .num').first().innerText()).replace('#', '');
  // The address is the number people see.
  assert.equal(page.url().split('/').pop(), number);
  return { number, url: page.url() };
}

test('link two tickets, merge one into the other, follow the banner to the survivor', async () => {
  const page = await freshPage(browser);
  const cspErrors = [];
  watchCsp(page, cspErrors);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);

  const a = await newTicket(page, survivor);
  const b = await newTicket(page, duplicate);

  // On B: link A as related, by number.
  const links = page.getByRole('region', { name: /^Links/ });
  await links.getByText('No linked tickets.').waitFor();
  await links.getByRole('button', { name: 'Link a ticket' }).click();
  const form = page.getByRole('form', { name: 'Link a ticket' });
  await form.getByLabel('Kind of link').selectOption({ label: 'Related' });
  await form.getByLabel('Ticket number').fill(`#${a.number}`);
  await form.getByRole('button', { name: 'Link', exact: true }).click();
  const related = links.getByRole('listitem').filter({ hasText: 'Related' });
  await related.getByRole('link', { name: new RegExp(`#${a.number}.*${survivor}`) }).waitFor();
  await page.getByText(`Linked to #${a.number}.`).waitFor();

  // Linking it again is refused, in plain words.
  await links.getByRole('button', { name: 'Link a ticket' }).click();
  await form.getByLabel('Ticket number').fill(a.number);
  await form.getByRole('button', { name: 'Link', exact: true }).click();
  await form.getByRole('alert').filter({ hasText: 'These tickets are already linked so.' }).waitFor();
  await form.getByRole('button', { name: 'Cancel' }).click();
  await shot(page, '15-linked');

  // Merge B into A, with a comment.
  await links.getByRole('button', { name: 'Merge into…' }).click();
  const dialog = page.getByRole('dialog', { name: `Merge #${b.number} into another ticket` });
  await dialog.getByLabel('Merge into ticket number').fill(`#${a.number}`);
  await dialog.getByLabel(/Comment/).fill('Same customer, same invoice.');
  await dialog.getByRole('button', { name: 'Merge and close' }).click();

  // B now says it was merged, is closed, and lists the merge.
  // The banner (the notice that says the same disappears after a while).
  const banner = page.locator('.merged-banner[role=status]').filter({ hasText: `Merged into #${a.number}` });
  await banner.waitFor();
  const side = page.getByRole('complementary', { name: 'Ticket properties' });
  assert.equal(await side.getByLabel('Status').locator('option:checked').innerText(), 'Resolved');
  await links.getByRole('listitem').filter({ hasText: 'Merged into' })
    .getByRole('link', { name: new RegExp(`#${a.number}`) }).waitFor();
  assert.equal(await links.getByRole('button', { name: 'Merge into…' }).count(), 0);
  // The merge note is on B's thread.
  await page.getByRole('article').filter({ hasText: `Merged into #${a.number}` }).waitFor();
  await shot(page, '15-merged-source');

  // The banner leads to the survivor, which lists B as merged from.
  await banner.getByRole('link').click();
  await page.waitForURL(a.url);
  await page.getByRole('heading', { name: survivor }).waitFor();
  await links.getByRole('listitem').filter({ hasText: 'Merged from' })
    .getByRole('link', { name: new RegExp(`#${b.number}`) }).waitFor();
  assert.equal(await page.locator('.merged-banner').count(), 0);
  await page.getByRole('article').filter({ hasText: `#${b.number} was merged into this ticket` }).waitFor();

  // Removing the related link from the survivor's side.
  const rel = links.getByRole('listitem').filter({ hasText: 'Related' });
  await rel.getByRole('button', { name: 'Remove link' }).click();
  await page.getByText('Link removed.').waitFor();
  await rel.waitFor({ state: 'detached' });
  await shot(page, '15-survivor');
  assert.deepEqual(cspErrors, []);
  await page.close();
});
