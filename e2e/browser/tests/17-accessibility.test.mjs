// Accessibility: axe-core (WCAG 2.1 A and AA rules) finds no serious or
// critical violation on the login page, the follow-up list, a ticket and an
// admin page; and the follow-up list's header row stays in view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, freshPage, login, shot, rows, listReady, BASE } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Runs axe in the page; returns its serious and critical violations, readable. */
async function serious(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not
  // govern (a <script> tag would be refused, rightly).
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)}`),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const report = (vs) => vs.map((v) => `${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.slice(0, 5).join('\n    ')}`).join('\n');

test('no serious or critical axe violation on login, follow-up, ticket and admin', async () => {
  const page = await freshPage(browser);
  const found = {};
  await page.goto(BASE + '/login');
  await page.getByLabel('Email').waitFor();
  found.login = await serious(page);

  await login(page, 'admin@demo.lazo');
  await listReady(page);
  await page.getByRole('group', { name: 'Status overview' }).getByRole('button').nth(1).waitFor();
  // With a selection, so the bulk bar is checked too.
  await rows(page).first().locator('td.col-check input[type=checkbox]').check();
  found.followUp = await serious(page);
  await rows(page).first().locator('td.col-check input[type=checkbox]').uncheck();

  await rows(page).first().locator('.subject-link').click();
  await page.locator('.ticket-head h1').waitFor();
  await page.locator('.comment-list .comment, .comment-list .empty').first().waitFor();
  found.ticket = await serious(page);
  // The list of shortcuts, a modal dialog over the ticket.
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  found.shortcuts = await serious(page);
  await page.keyboard.press('Escape');

  await page.goto(BASE + '/admin/users');
  await page.locator('table.admin-table tbody tr').first().waitFor();
  found.admin = await serious(page);

  const bad = Object.entries(found).filter(([, vs]) => vs.length);
  assert.equal(bad.length, 0, bad.map(([p, vs]) => `${p}:\n  ${report(vs)}`).join('\n'));
  await page.close();
});

test('the follow-up list keeps its header row in view while scrolling', async () => {
  const page = await freshPage(browser);
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  await page.mouse.wheel(0, 1200);
  await page.waitForFunction(() => window.scrollY > 600);
  const top = await page.locator('table.tickets thead th.col-subject').evaluate((th) => th.getBoundingClientRect().top);
  const bar = await page.locator('header.topbar').evaluate((h) => h.getBoundingClientRect().bottom);
  assert.ok(Math.abs(top - bar) <= 2, `the header row sits under the top bar (${top} vs ${bar})`);
  // And it is on top of the rows, not under them.
  const onTop = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('thead') !== null,
    await page.locator('table.tickets thead th.col-subject').evaluate((th) => {
      const r = th.getBoundingClientRect(); return { x: r.left + 10, y: r.top + r.height / 2 };
    }));
  assert.ok(onTop, 'the header row covers the rows scrolling under it');
  await shot(page, '17-sticky-header');
  await page.close();
});
