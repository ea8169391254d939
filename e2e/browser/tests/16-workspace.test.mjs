// The agent workspace: what the list shows and finds, drafts that survive,
// keyboard triage (issue 7, part 3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, rows, listReady, apiOf, BASE, PASSWORD } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * The WCAG contrast ratio between an element's text colour and the background
 * it is drawn on (its own, or the first opaque one of its ancestors).
 */
async function textContrast(locator) {
  return locator.evaluate((el) => {
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
      const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const fg = rgb(getComputedStyle(el).color);
    let bg = null;
    for (let e = el; e && !bg; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] > 0.5)) bg = c;
    }
    bg = bg || [255, 255, 255];
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return { ratio: (a + 0.05) / (b + 0.05), fg: getComputedStyle(el).color, bg: `rgb(${bg.slice(0, 3).join(', ')})` };
  });
}

test('the bulk update menus show their chosen value (dark text on their white panel)', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  await rows(page).first().locator('td.col-check input[type=checkbox]').check();
  const bar = page.getByRole('region', { name: 'Bulk update' });
  for (const name of ['Status', 'Priority', 'Owner', 'Group']) {
    const select = bar.getByLabel(`${name} (Bulk update)`);
    await select.selectOption({ index: 1 });
    const c = await textContrast(select);
    assert.notEqual(c.fg, c.bg, `${name}: text ${c.fg} on ${c.bg}`);
    assert.ok(c.ratio >= 4.5, `${name}: contrast ${c.ratio.toFixed(2)} (${c.fg} on ${c.bg})`);
  }
  await shot(page, '16-bulk-menus');
  await page.close();
});


/** A ticket reported `days` ago (imported with its original time). */
async function oldTicket(api, days, subject) {
  const created = new Date(Date.now() - days * 86_400_000).toISOString();
  const r = await api('POST', '/import/tickets', {
    tickets: [{ external_id: `e2e-old-${Date.now()}-${Math.random()}`, subject, created_at: created, priority: 'high' }],
  });
  assert.equal(r.results[0].ok, true, JSON.stringify(r));
  return r.results[0].ticket;
}

test('a search finds tickets of any age; /tickets/<number> opens a ticket', async () => {
  const page = await freshPage(browser);
  await login(page, 'admin@demo.lazo');
  const api = await apiOf(page);
  const word = `qz${Date.now()}`;
  const old = await oldTicket(api, 90, `Warranty claim from last season ${word}`);
  await page.goto(BASE + '/tickets');
  await listReady(page);
  // The default view says it only shows the last 30 days.
  const hint = page.getByText('Reported in the last 30 days.');
  await hint.waitFor();
  assert.equal(await rows(page).filter({ hasText: word }).count(), 0);

  // By number, the way agents quote it.
  const search = page.getByRole('searchbox', { name: 'Search tickets' });
  await search.fill(`#${old.number}`);
  await search.press('Enter');
  await page.waitForURL(/q=%23\d+/);
  await listReady(page);
  assert.equal(await rows(page).count(), 1);
  assert.equal((await rows(page).first().locator('td.col-number').innerText()).trim(), `#${old.number}`);
  assert.equal(await page.getByLabel('Reported from').inputValue(), '', 'the search looks in all dates');
  assert.equal(await hint.count(), 0);
  await shot(page, '16-search-old-number');

  // By a word of its subject.
  await search.fill(word);
  await search.press('Enter');
  await page.waitForURL(new RegExp(`q=${word}`));
  await listReady(page);
  assert.equal(await rows(page).filter({ hasText: word }).count(), 1);

  // Clearing the search brings the last 30 days back; one click widens them.
  await search.fill('');
  await search.press('Enter');
  await page.waitForURL((u) => !u.search.includes('q='));
  await listReady(page);
  await hint.waitFor();
  await page.getByRole('button', { name: 'Show all dates' }).click();
  await page.waitForURL(/created_from=$|created_from=&/);
  await listReady(page);
  assert.equal(await hint.count(), 0);

  // The ticket's own address is its number, as people read it.
  const href = await rows(page).first().locator('.subject-link').getAttribute('href');
  const firstNumber = (await rows(page).first().locator('td.col-number').innerText()).trim().slice(1);
  assert.equal(href, `/tickets/${firstNumber}`);
  await page.goto(`${BASE}/tickets/${old.number}`);
  await page.locator('.ticket-head h1', { hasText: word }).waitFor();
  assert.equal((await page.locator('.ticket-meta .num').innerText()).trim(), `#${old.number}`);
  await shot(page, '16-ticket-by-number');
  // Links that only know the id (notifications) land on the number.
  await page.goto(`${BASE}/tickets/id/${old.id}`);
  await page.waitForURL(`${BASE}/tickets/${old.number}`);
  await page.locator('.ticket-head h1', { hasText: word }).waitFor();
  // A number nobody has.
  await page.goto(`${BASE}/tickets/987654`);
  await page.getByRole('alert').getByText('It does not exist, or you may not see it.').waitFor();
  await page.close();
});

test('overdue shows in the default columns, filters and sorts; type, origin group and source filter', async () => {
  const page = await freshPage(browser);
  await login(page, 'admin@demo.lazo');
  const api = await apiOf(page);
  const [type] = await api('GET', '/ticket-types');
  const groups = await api('GET', '/groups');
  const group = groups[groups.length - 1];
  const word = `late${Date.now()}`;
  const late = await api('POST', '/tickets', {
    subject: `Replacement promised for Monday ${word}`, type_id: type.id, group_id: group.id,
    source: 'phone', due_at: new Date(Date.now() - 2 * 86_400_000).toISOString(),
  });
  await page.goto(BASE + '/tickets');
  await listReady(page);
  // No column chosen: the due date is there, and a late ticket says so.
  await page.locator('th.col-due').waitFor();
  const row = rows(page).filter({ hasText: word });
  assert.equal((await row.locator('td.col-due .badge.overdue').innerText()).trim(), 'Overdue');

  await page.getByRole('group', { name: 'Filters' }).getByLabel('Overdue only').check();
  await page.waitForURL(/overdue=true/);
  await listReady(page);
  const n = await rows(page).count();
  assert.ok(n >= 1);
  assert.equal(await rows(page).locator('td.col-due .badge.overdue').count(), n, 'every row is overdue');
  assert.equal(await row.count(), 1);

  // The most overdue first: by due date, ascending.
  await page.getByRole('button', { name: 'Due' }).click();
  await page.waitForURL(/sort=due/);
  await page.getByRole('button', { name: 'Due' }).click();
  await page.waitForURL(/sort=due.*order=asc|order=asc.*sort=due/);
  await listReady(page);
  const dues = (await rows(page).locator('td.col-due').allInnerTexts())
    .map((t) => t.replace('Overdue', '').trim())
    // This year's dates are shown without the year.
    .map((t) => Date.parse(/\d{4}/.test(t) ? t : `${t}, ${new Date().getFullYear()}`));
  assert.ok(dues.length > 0 && dues.every((d) => !Number.isNaN(d)), `due dates: ${dues}`);
  assert.deepEqual(dues, [...dues].sort((a, b) => a - b), 'oldest due date first');

  const filters = page.getByRole('group', { name: 'Filters' });
  await filters.getByLabel('Type', { exact: true }).selectOption(String(type.id));
  await page.waitForURL(new RegExp(`type=${type.id}`));
  await filters.getByLabel('Origin group', { exact: true }).selectOption(String(group.id));
  await page.waitForURL(new RegExp(`origin_group=${group.id}`));
  await filters.getByLabel('Source', { exact: true }).fill('phone');
  await filters.getByLabel('Source', { exact: true }).press('Enter');
  await filters.getByLabel('Source', { exact: true }).blur();
  await page.waitForURL(/source=phone/);
  await listReady(page);
  assert.equal(await row.count(), 1, 'the late phone ticket of that type and group is listed');
  await shot(page, '16-overdue-filters');
  // Each filter really narrows: another source leaves the ticket out.
  await filters.getByLabel('Source', { exact: true }).fill('survey');
  await filters.getByLabel('Source', { exact: true }).blur();
  await page.waitForURL(/source=survey/);
  await page.locator('table.tickets[aria-busy=false]').waitFor();
  await page.waitForFunction((w) => ![...document.querySelectorAll('table.tickets tbody tr')].some((r) => r.textContent.includes(w)), word);
  // The filters come back from the URL.
  await page.reload();
  await page.locator('table.tickets[aria-busy=false]').waitFor();
  assert.equal(await filters.getByLabel('Type', { exact: true }).inputValue(), String(type.id));
  assert.equal(await filters.getByLabel('Origin group', { exact: true }).inputValue(), String(group.id));
  assert.equal(await filters.getByLabel('Overdue only').isChecked(), true);
  assert.ok(late.id);
  await page.close();
});

test('drafts survive a reload and a new sign-in; leaving with unsaved edits asks first', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  await rows(page).nth(1).locator('.subject-link').click();
  await page.locator('.ticket-head h1').waitFor();
  const url = page.url();
  const side = page.getByRole('complementary', { name: 'Ticket properties' });
  const priority = side.getByLabel('Priority');
  const before = await priority.inputValue();
  const edited = before === 'critical' ? 'low' : 'critical';
  await priority.selectOption(edited);
  await side.getByRole('region', { name: 'Unsaved changes' }).waitFor();

  // j (after leaving the field) asks; "Keep editing" stays with the edit.
  const dialog = page.getByRole('dialog', { name: 'Discard unsaved changes?' });
  await page.locator('.ticket-head h1').click();
  await page.keyboard.press('j');
  await dialog.waitFor();
  await shot(page, '16-leave-dialog');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Keep editing');
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(page.url(), url);
  assert.equal(await priority.inputValue(), edited);
  // A link out asks too; Esc in the dialog is "keep editing".
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Follow-up' }).click();
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(page.url(), url);

  // A half-written reply and the edit survive a reload.
  const reply = `Half-written answer ${Date.now()}`;
  await page.getByRole('textbox', { name: 'Public reply', exact: true }).fill(reply);
  await page.reload();
  await page.locator('.ticket-head h1').waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Public reply', exact: true }).inputValue(), reply);
  assert.equal(await priority.inputValue(), edited);
  await side.getByRole('region', { name: 'Unsaved changes' }).waitFor();

  // The session expires (every call refused, renewal too): sign in again,
  // everything is still there.
  await page.route('**/api/v1/**', (route) => route.fulfill({
    status: 401, contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'urn:lazo:problem:unauthenticated', title: 'Unauthenticated', status: 401, code: 'unauthenticated', errors: [] }),
  }));
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in to Lazo' }).waitFor();
  await page.unroute('**/api/v1/**');
  await page.getByLabel('Email').fill('lucia@demo.lazo');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(url);
  await page.locator('.ticket-head h1').waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Public reply', exact: true }).inputValue(), reply);
  assert.equal(await priority.inputValue(), edited);
  await shot(page, '16-drafts-after-sign-in');

  // ✕, "Discard and leave": the edit is gone for good, the reply stays.
  await page.getByRole('button', { name: 'Close and back to the list' }).click();
  await dialog.getByRole('button', { name: 'Discard and leave' }).click();
  await page.waitForURL(/\/tickets(\?.*)?$/);
  await page.goto(url);
  await page.locator('.ticket-head h1').waitFor();
  assert.equal(await priority.inputValue(), before);
  assert.equal(await side.getByRole('region', { name: 'Unsaved changes' }).count(), 0);
  assert.equal(await page.getByRole('textbox', { name: 'Public reply', exact: true }).inputValue(), reply);
  // Added, the reply is no draft any more.
  await page.getByRole('button', { name: 'Add comment' }).click();
  await page.getByRole('article').filter({ hasText: reply }).waitFor();
  await page.reload();
  await page.locator('.ticket-head h1').waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Public reply', exact: true }).inputValue(), '');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lazo.draft.'))), []);
  await page.close();
});

test('keyboard triage: the row cursor, opening, status, priority, assign to me, reply, note, Ctrl+S, ?', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  const active = () => page.evaluate(() => {
    const a = document.activeElement;
    return { id: a?.id || '', tag: a?.tagName.toLowerCase(), label: a?.getAttribute('aria-label') || '', text: a?.textContent?.trim().slice(0, 80) };
  });
  // A Support ticket (a group Lucía belongs to, so she may take it) that is
  // someone else's.
  const groups = (await rows(page).locator('td.col-group').allInnerTexts()).map((g) => g.trim());
  const owners = (await rows(page).locator('td.col-owner').allInnerTexts()).map((o) => o.trim());
  const target = groups.findIndex((g, i) => i >= 1 && g === 'Support' && owners[i] !== 'Lucía Torres');
  assert.ok(target >= 1, `a Support row not Lucía's: ${groups} / ${owners}`);
  // The cursor row is focused and says it is the selected one.
  await page.locator('h1').click();
  for (let i = 0; i <= target; i++) await page.keyboard.press('j');
  assert.equal((await active()).id, `row-${target + 1}`);
  assert.equal(await page.locator(`#row-${target + 1}`).getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('#row-0').getAttribute('aria-selected'), 'false');
  assert.equal(await page.locator('table.tickets tbody tr[tabindex="0"]').count(), 1);
  await page.keyboard.press('k');
  assert.equal((await active()).id, `row-${target}`);
  const subject = (await page.locator(`#row-${target} .subject-link`).innerText()).trim();

  // "?" lists every shortcut; Esc closes the list, not the page.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.getByText('Assign to me').waitFor();
  await help.getByText('Write an internal note').waitFor();
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });

  // Enter opens the ticket, and the keyboard is on it.
  await page.keyboard.press('Enter');
  await page.locator('.ticket-head h1').waitFor();
  await page.waitForFunction(() => document.activeElement?.matches('.ticket-head h1'));
  assert.equal((await active()).text, subject.slice(0, 80));
  const url = page.url();
  await page.keyboard.press('?');
  await help.waitFor();
  await shot(page, '16-shortcuts');
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });
  assert.equal(page.url(), url, 'Esc closed the list of shortcuts only');

  // s and p go to the status and the priority.
  await page.keyboard.press('s');
  assert.equal((await active()).id, 'f-status');
  await page.keyboard.press('Escape');
  await page.keyboard.press('p');
  assert.equal((await active()).id, 'f-priority');
  const side = page.getByRole('complementary', { name: 'Ticket properties' });
  const before = await side.getByLabel('Priority').inputValue();
  const next = before === 'high' ? 'low' : 'high';
  await side.getByLabel('Priority').selectOption(next);
  // Ctrl+S saves, even from inside the field.
  await page.keyboard.press('Control+s');
  await page.getByRole('status').filter({ hasText: 'Ticket saved.' }).waitFor();
  await side.getByRole('region', { name: 'Unsaved changes' }).waitFor({ state: 'hidden' });

  // a assigns to me (to save).
  await page.keyboard.press('Escape');
  await page.locator('.ticket-head h1').click();
  await page.keyboard.press('a');
  await side.getByRole('region', { name: 'Unsaved changes' }).waitFor();
  assert.equal(await side.locator('#f-owner').inputValue(), 'Lucía Torres');
  await page.keyboard.press('Control+s');
  await page.getByRole('status').filter({ hasText: 'Ticket saved.' }).waitFor();
  await side.getByRole('region', { name: 'Unsaved changes' }).waitFor({ state: 'hidden' });
  assert.equal(await side.locator('#f-owner').inputValue(), 'Lucía Torres');

  // n: an internal note, r: a public reply.
  await page.locator('.ticket-head h1').click();
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.activeElement?.matches('.composer textarea'));
  assert.equal((await active()).label, 'Internal note');
  await page.keyboard.press('Escape');
  await page.keyboard.press('r');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Public reply');
  await page.close();
});

test('at phone width the filters fold behind a button and the top bar keeps every tool in view', async () => {
  const page = await freshPage(browser);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  const bar = page.locator('header.topbar');
  const fits = await bar.evaluate((h) => h.scrollWidth <= h.clientWidth);
  assert.ok(fits, 'the top bar does not scroll sideways');
  for (const el of [page.getByLabel('Language'), page.getByRole('button', { name: 'Log out' }),
    page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Admin' })]) {
    const box = await el.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `in view: ${JSON.stringify(box)}`);
  }
  const filters = page.getByRole('group', { name: 'Filters' });
  const toggle = page.getByRole('button', { name: /^Filters/ });
  assert.equal(await filters.isVisible(), false, 'folded');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await shot(page, '16-phone-list');
  await toggle.click();
  await filters.getByLabel('Overdue only').check();
  await page.waitForURL(/overdue=true/);
  await listReady(page);
  assert.equal((await toggle.innerText()).trim(), 'Filters (1)');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await shot(page, '16-phone-filters');
  await page.close();
});
