import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, rows, listReady, startServer, BASE, PASSWORD } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Counts `POST /auth/refresh` calls and notes whether the login page ever showed. */
function watch(page) {
  const seen = { refreshes: 0, renewed: 0 };
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/auth/refresh')) seen.refreshes++; });
  page.on('response', (r) => { if (r.url().endsWith('/api/v1/auth/refresh') && r.status() === 200) seen.renewed++; });
  return seen;
}

const sawLogin = (page) => page.evaluate(() => window.__sawLogin === true);

test('a refused token is renewed once for concurrent requests, which are retried', async () => {
  const page = await freshPage(browser);
  const seen = watch(page);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  const href = await rows(page).first().locator('.subject-link').getAttribute('href');

  // The ticket, its comments and its sub-tickets load at once; each is refused
  // once (as when the token expired while the laptop slept).
  const refused = new Set();
  await page.route(/\/api\/v1\/tickets\/\d+(\/comments|\/sub-tickets)?(\?.*)?$/, async (route) => {
    const key = new URL(route.request().url()).pathname;
    if (route.request().method() !== 'GET' || refused.has(key)) return route.continue();
    refused.add(key);
    return route.fulfill({
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:lazo:problem:unauthenticated', title: 'Unauthenticated', status: 401, code: 'unauthenticated', errors: [] }),
    });
  });
  await page.goto(BASE + href);
  await page.locator('.ticket-head h1').waitFor();
  await page.locator('.comment-list .comment, .comment-list .empty').first().waitFor();
  await page.getByRole('region', { name: /Sub-tickets/ }).locator('.sub-list, .empty').first().waitFor();
  assert.equal(refused.size, 3, `refused: ${[...refused]}`);
  assert.equal(seen.refreshes, 1, 'one renewal for the three refusals');
  assert.equal(await page.getByRole('heading', { name: 'Sign in to Lazo' }).count(), 0);
  assert.equal(seen.renewed, 1, 'the renewal succeeded');
  await page.unroute(/\/api\/v1\/tickets\//);

  // A reload keeps the renewed session.
  await page.reload();
  await page.locator('.ticket-head h1').waitFor();
  await page.close();
});

test('with a 1-minute token, three minutes of work need no new sign-in', { timeout: 300_000 }, async () => {
  const server = await startServer({ LAZO_JWT_TTL_MINUTES: '1' });
  const page = await freshPage(browser);
  try {
    const seen = watch(page);
    // Notes any visit to the login page, even a brief one.
    await page.addInitScript(() => {
      const check = () => { if (location.pathname === '/login' && window.__signedIn) window.__sawLogin = true; };
      setInterval(check, 100);
    });
    await page.goto(server.url + '/login');
    await page.getByLabel('Email').fill('lucia@demo.lazo');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await listReady(page);
    await page.evaluate(() => { window.__signedIn = true; });
    const expiresAt = await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session')).expires_at);
    const ttl = Date.parse(expiresAt) - Date.now();
    assert.ok(ttl > 30_000 && ttl <= 61_000, `the server gives 1-minute tokens (${ttl} ms left)`);

    const side = page.getByRole('complementary', { name: 'Ticket properties' });
    const tokens = new Set([await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session')).token)]);
    const start = Date.now();
    const actions = [];
    for (let i = 0; Date.now() - start < 180_000; i++) {
      switch (i % 3) {
        case 0: { // open a ticket from the list
          await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Follow-up' }).click();
          await listReady(page);
          const n = Math.min(i % 5, (await rows(page).count()) - 1);
          const href = await rows(page).nth(n).locator('.subject-link').getAttribute('href');
          await rows(page).nth(n).locator('.subject-link').click();
          await page.waitForURL(server.url + href);
          await page.locator('.ticket-head h1').waitFor();
          actions.push('open');
          break;
        }
        case 1: { // comment
          const text = `Still on it, ${i} — e2e ${Date.now()}`;
          await page.getByLabel('Public reply', { exact: true }).fill(text);
          await page.getByRole('button', { name: 'Add comment' }).click();
          await page.getByRole('article').filter({ hasText: text }).waitFor();
          actions.push('comment');
          break;
        }
        default: { // change a property
          const current = await side.getByLabel('Priority').inputValue();
          const next = current === 'high' ? 'low' : 'high';
          await side.getByLabel('Priority').selectOption(next);
          await side.getByRole('button', { name: 'Save changes' }).click();
          await page.getByRole('status').filter({ hasText: 'Ticket saved.' }).waitFor();
          assert.equal(await side.getByLabel('Priority').inputValue(), next);
          actions.push('save');
        }
      }
      assert.equal(await sawLogin(page), false, `the login page showed (after ${actions.join(', ')})`);
      assert.equal(await page.getByRole('heading', { name: 'Sign in to Lazo' }).count(), 0);
      tokens.add(await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session'))?.token));
      // An action about every 25 s.
      const wait = start + (i + 1) * 25_000 - Date.now();
      if (wait > 0) await page.waitForTimeout(Math.min(wait, 180_000 - (Date.now() - start)));
    }
    await shot(page, '07-after-three-minutes');
    assert.ok(actions.length >= 7, `actions: ${actions}`);
    assert.equal(await sawLogin(page), false);
    // 80% of a minute: about one renewal every 48 s.
    assert.ok(seen.renewed >= 3, `renewals: ${seen.renewed}`);
    assert.ok(tokens.size >= 4, `tokens seen: ${tokens.size}`);
    assert.ok(!tokens.has(undefined));
  } finally {
    await page.close();
    await server.stop();
  }
});
