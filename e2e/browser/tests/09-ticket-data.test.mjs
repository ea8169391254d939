import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, rows, listReady, BASE, PASSWORD } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The API as a person, straight from node (to prepare data quickly). */
async function api(email) {
  const r = await fetch(BASE + '/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
  });
  const { token } = await r.json();
  return async (method, path, body) => {
    const res = await fetch(BASE + '/api/v1' + path, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status}`);
    return res.json();
  };
}

/** The id of the ticket at `/tickets/<number>`. */
async function idOf(call, href) {
  const number = Number(href.split('/').pop());
  const { items } = await call('GET', `/tickets?q=%23${number}`);
  assert.equal(items.length, 1, `ticket #${number}`);
  return items[0].id;
}

test('comments and history come a page at a time with "Load more"', async () => {
  const call = await api('ana@demo.lazo');
  const page = await freshPage(browser);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  const href = await rows(page).nth(2).locator('.subject-link').getAttribute('href');
  // The address holds the number people see; the API wants the id.
  const id = await idOf(call, href);
  const { items: existing } = await call('GET', `/tickets/${id}/comments?limit=200`);
  const stamp = Date.now();
  for (let i = existing.length; i < 57; i++) {
    await call('POST', `/tickets/${id}/comments`, { body: `Paging ${stamp} #${i}`, internal: i % 2 === 0 });
  }
  await page.goto(BASE + href);
  const list = page.locator('.comment-list');
  await list.getByRole('article').first().waitFor();
  await page.getByRole('tab', { name: /Comments/ }).getByText('50+').waitFor();
  assert.equal(await list.getByRole('article').count(), 50);
  const more = page.getByRole('tabpanel').getByRole('button', { name: 'Load more' });
  await more.scrollIntoViewIfNeeded();
  await shot(page, '09-comments-load-more');
  await more.click();
  await page.getByRole('tab', { name: /Comments/ }).getByText('57', { exact: true }).waitFor();
  assert.equal(await list.getByRole('article').count(), 57);
  assert.equal(await more.count(), 0);
  // A new comment goes last, once.
  await page.getByRole('textbox', { name: 'Public reply' }).fill(`Last one ${stamp}`);
  await page.getByRole('button', { name: 'Add comment' }).click();
  await list.getByRole('article').last().filter({ hasText: `Last one ${stamp}` }).waitFor();
  assert.equal(await list.getByRole('article').count(), 58);
  await page.close();
});

test('walking quickly never shows the previous ticket\'s data', async () => {
  const call = await api('lucia@demo.lazo');
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  const hrefs = await rows(page).locator('.subject-link').evaluateAll((as) => as.slice(0, 3).map((a) => a.getAttribute('href')));
  // Numbers, not subjects: demo subjects repeat.
  const nums = (await rows(page).locator('td.col-number').allInnerTexts()).slice(0, 3).map((s) => s.trim());
  const shows = (n) => page.locator('.ticket-meta .num', { hasText: new RegExp(`^${n}$`) }).waitFor();
  const first = await idOf(call, hrefs[0]);
  const marker = `Only on the first ticket ${Date.now()}`;
  await call('POST', `/tickets/${first}/comments`, { body: marker, internal: true });

  // The first ticket's answers come late: the person has moved on by then.
  let delayed = 0;
  await page.route(new RegExp(`/api/v1/tickets/${first}(/comments|/sub-tickets|/history)?(\\?.*)?$`), async (route) => {
    delayed++;
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue().catch(() => {});
  });
  await rows(page).first().locator('.subject-link').click();
  await page.waitForURL(BASE + hrefs[0]);
  await page.keyboard.press('j');
  await page.waitForURL(BASE + hrefs[1]);
  await shows(nums[1]);
  await page.waitForTimeout(2500); // the late answers have arrived
  assert.ok(delayed >= 2);
  assert.equal(await page.locator('.ticket-meta .num').innerText(), nums[1]);
  assert.equal(await page.locator('.ticket-head h1').count(), 1);
  assert.equal(await page.getByText(marker).count(), 0);
  await page.keyboard.press('j');
  await page.waitForURL(BASE + hrefs[2]);
  await shows(nums[2]);
  await page.keyboard.press('k');
  await page.keyboard.press('k');
  await page.waitForURL(BASE + hrefs[0]);
  // Back on the first ticket, its own data shows (late, as routed).
  await page.getByText(marker).waitFor();
  assert.equal(await page.locator('.ticket-meta .num').innerText(), nums[0]);
  await page.close();
});
