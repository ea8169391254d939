import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, rows, listReady, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openFirstOpenTicket(page) {
  await listReady(page);
  await page.getByRole('group', { name: 'Status overview' }).getByRole('button', { name: /Open$/ }).click();
  await page.waitForURL(/status=\d+/);
  await listReady(page);
  await rows(page).first().locator('.subject-link').click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.locator('.ticket-head h1').waitFor();
}

test('closing needs a root cause: the refusal is explained, a cause makes it pass', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await openFirstOpenTicket(page);
  const side = page.getByRole('complementary', { name: 'Ticket properties' });
  await side.getByText('Required in: Resolved').waitFor();
  await shot(page, '03-ticket-detail');

  await side.getByLabel('Status').selectOption({ label: 'Resolved' });
  await side.getByText('Resolved needs a root cause').waitFor();
  await side.getByRole('button', { name: 'Save changes' }).click();
  // The server refuses; the message says why, next to the root cause.
  await side.getByRole('alert').filter({ hasText: 'requires a root cause' }).first().waitFor();
  await shot(page, '03-root-cause-refused');

  await side.getByLabel('Root cause').selectOption({ label: 'Delivery delay' });
  await side.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('status').filter({ hasText: 'Ticket saved.' }).waitFor();
  await side.getByRole('button', { name: 'Save changes' }).waitFor({ state: 'detached' });
  assert.equal(await side.getByLabel('Status').evaluate((s) => s.options[s.selectedIndex].text), 'Resolved');
  await shot(page, '03-resolved');

  // History records the change.
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByRole('tabpanel').getByText('Delivery delay').first().waitFor();
  await page.close();
});

test('a reply and an internal note are added and look different', async () => {
  const page = await freshPage(browser);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  await rows(page).first().locator('.subject-link').click();
  await page.locator('.ticket-head h1').waitFor();

  const reply = `We are on it — e2e ${Date.now()}`;
  await page.getByLabel('Public reply', { exact: true }).fill(reply);
  await page.getByRole('button', { name: 'Add comment' }).click();
  const replyItem = page.getByRole('article').filter({ hasText: reply });
  await replyItem.waitFor();
  assert.equal(await replyItem.getAttribute('aria-label'), 'Public reply');

  await page.getByRole('button', { name: 'Internal note', exact: true }).click();
  const note = `Customer is VIP, be gentle — e2e ${Date.now()}`;
  await page.getByRole('textbox', { name: 'Internal note' }).fill(note);
  await page.getByRole('button', { name: 'Add internal note' }).click();
  const noteItem = page.getByRole('article').filter({ hasText: note });
  await noteItem.waitFor();
  assert.equal(await noteItem.getAttribute('aria-label'), 'Internal note');
  assert.match(await noteItem.getAttribute('class'), /internal/);
  const [replyBg, noteBg] = await Promise.all([
    replyItem.evaluate((e) => getComputedStyle(e).backgroundColor),
    noteItem.evaluate((e) => getComputedStyle(e).backgroundColor),
  ]);
  assert.notEqual(replyBg, noteBg);
  await shot(page, '03-comments');

  // The author edits their own note.
  await noteItem.getByRole('button', { name: 'Edit (Comment)' }).click();
  // In edit mode the text lives in the textarea's value, not in the article.
  await page.getByRole('textbox', { name: 'Edit' }).fill(note + ' (edited)');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('article').filter({ hasText: note + ' (edited)' }).waitFor();
  await page.close();
});

test('next and previous walk the list the ticket was opened from; X goes back to it', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  const search = page.getByRole('searchbox', { name: 'Search tickets' });
  await search.fill('late');
  await search.press('Enter');
  await page.waitForURL(/q=late/);
  await listReady(page);
  const listUrl = page.url();
  const hrefs = await rows(page).locator('.subject-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length >= 3);
  await page.mouse.wheel(0, 300);

  await rows(page).nth(0).locator('.subject-link').click();
  await page.waitForURL(BASE + hrefs[0]);
  await page.getByText(`1 of ${hrefs.length}`).waitFor();
  await page.getByRole('button', { name: 'Next ticket' }).click();
  await page.waitForURL(BASE + hrefs[1]);
  await page.getByText(`2 of ${hrefs.length}`).waitFor();
  await page.keyboard.press('j');
  await page.waitForURL(BASE + hrefs[2]);
  await page.locator('.ticket-head h1').waitFor();
  await shot(page, '03-walking');
  await page.getByRole('button', { name: 'Previous ticket' }).click();
  await page.waitForURL(BASE + hrefs[1]);
  await page.keyboard.press('k');
  await page.waitForURL(BASE + hrefs[0]);

  await page.getByRole('button', { name: 'Close and back to the list' }).click();
  await page.waitForURL(listUrl);
  await listReady(page);
  assert.equal(await search.inputValue(), 'late');
  await page.close();
});

test('a change based on a stale copy is refused and the ticket reloads', async () => {
  const a = await freshPage(browser);
  const b = await freshPage(browser);
  await login(a, 'lucia@demo.lazo');
  await login(b, 'admin@demo.lazo');
  await listReady(a);
  const href = await rows(a).nth(4).locator('.subject-link').getAttribute('href');
  await a.goto(BASE + href);
  await b.goto(BASE + href);
  const sideA = a.getByRole('complementary', { name: 'Ticket properties' });
  const sideB = b.getByRole('complementary', { name: 'Ticket properties' });
  await sideA.getByLabel('Priority').waitFor();
  await sideB.getByLabel('Priority').waitFor();
  const current = await sideA.getByLabel('Priority').inputValue();
  const [first, second] = ['low', 'medium', 'high', 'critical'].filter((p) => p !== current);

  await sideA.getByLabel('Priority').selectOption(first);
  await sideA.getByRole('button', { name: 'Save changes' }).click();
  await a.getByRole('status').filter({ hasText: 'Ticket saved.' }).waitFor();

  await sideB.getByLabel('Priority').selectOption(second);
  await sideB.getByRole('button', { name: 'Save changes' }).click();
  await b.getByText('Someone changed this ticket meanwhile').first().waitFor();
  // B now shows A's change, not its own lost one.
  await b.waitForFunction((v) => document.querySelector('#f-priority')?.value === v, first);
  await shot(b, '03-stale');
  await a.close();
  await b.close();
});
