// Layout (issue 7, part 3): the ticket opens on its conversation, with the
// properties and the customer beside it; folded sections and the
// conversation's order stay as the agent left them; on a phone the list is
// cards; at tablet width the list's header row stays in view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, rows, listReady, apiOf, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });


/** A customer's email about `tk`, as an MTA would post it. */
async function inboundEmail(page, tk, from, text) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session')).token);
  const raw = [
    `From: Marta Gil <${from}>`, 'To: support@acme.test', `Subject: Re: [#${tk.number}] ${tk.subject}`,
    `Message-ID: <layout-${Date.now()}@example.com>`, `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', text, '',
  ].join('\r\n');
  const res = await fetch(BASE + '/api/v1/inbound/email', {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' }, body: raw,
  });
  assert.equal(res.status, 201, await res.text());
}

const inViewport = (box, height) => box && box.y >= 0 && box.y + box.height <= height;

test('at 1366x860 the conversation and the reply box show without scrolling, properties and customer beside it', async () => {
  const page = await freshPage(browser);
  await page.setViewportSize({ width: 1366, height: 860 });
  await login(page, 'admin@demo.lazo');
  const api = await apiOf(page);
  const stamp = Date.now();
  const tk = await api('POST', '/tickets', {
    subject: `Parcel arrived damaged, customer wants a replacement ${stamp}`,
    description: 'The box was crushed on one side.\nTwo of the four glasses are broken.\nThe customer sent photos and asks for a replacement before Friday.',
    requester: { email: `marta.${stamp}@example.com`, name: 'Marta Gil' },
  });
  const bodies = [
    'Hello Marta, thank you for the photos. We are checking with the warehouse.',
    'Warehouse confirms stock; replacement can ship tomorrow.',
    'Courier pickup booked for the damaged box.',
    `Replacement shipped, tracking sent to the customer ${stamp}`,
  ];
  for (const [i, body] of bodies.entries()) {
    // The customer's email comes in before the last comment.
    // (A second apart: times may be stored to the second.)
    if (i === bodies.length - 1) {
      await new Promise((r) => setTimeout(r, 1100));
      await inboundEmail(page, tk, `marta.${stamp}@example.com`, 'Thanks, the photos are in my first message.');
      await new Promise((r) => setTimeout(r, 1100));
    }
    await api('POST', `/tickets/${tk.id}/comments`, { body, internal: i === 1 });
  }

  await page.goto(`${BASE}/tickets/${tk.number}`);
  await page.locator('.ticket-head h1').waitFor();
  const list = page.locator('.comment-list');
  await list.getByRole('article').nth(bodies.length).waitFor();
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  // The customer's email sits in the conversation, in its place in time.
  const mail = list.locator('article.email.inbound');
  await mail.getByText('Thanks, the photos are in my first message.').waitFor();
  assert.equal(await list.getByRole('article').nth(bodies.length - 1).getAttribute('class'), await mail.getAttribute('class'));

  // Oldest first by default: the first entry is the first comment.
  const first = list.getByRole('article').first();
  assert.match(await first.innerText(), /thank you for the photos/);
  const reply = page.getByRole('textbox', { name: 'Public reply', exact: true });
  const [firstBox, replyBox, send] = await Promise.all([
    first.boundingBox(), reply.boundingBox(), page.getByRole('button', { name: 'Add comment' }).boundingBox(),
  ]);
  assert.ok(inViewport(replyBox, 860), `the reply box is above the fold: ${JSON.stringify(replyBox)}`);
  assert.ok(inViewport(send, 860), `its button too: ${JSON.stringify(send)}`);
  assert.ok(inViewport(firstBox, 860), `the first entry is above the fold: ${JSON.stringify(firstBox)}`);
  console.log(`1366x860: reply box y=${replyBox.y.toFixed(0)}..${(replyBox.y + replyBox.height).toFixed(0)}, first entry y=${firstBox.y.toFixed(0)}..${(firstBox.y + firstBox.height).toFixed(0)}`);

  // Properties on the left of the conversation, the customer on its right,
  // both in view from the start.
  const convo = await list.boundingBox();
  const props = await page.getByRole('complementary', { name: 'Ticket properties' }).boundingBox();
  const customer = page.getByRole('region', { name: 'Customer' });
  const custBox = await customer.boundingBox();
  assert.ok(props.x + props.width <= convo.x, `properties left of the conversation: ${JSON.stringify({ props, convo })}`);
  assert.ok(custBox.x >= convo.x + convo.width, `customer right of the conversation: ${JSON.stringify({ custBox, convo })}`);
  assert.ok(custBox.y < 860 && props.y < 860, 'both start above the fold');
  await customer.locator('dd').getByText('Marta Gil', { exact: true }).waitFor();
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scroll (${overflow}px)`);
  await shot(page, '19-ticket-1366');

  // Folding the customer card and the description: they stay folded after a reload.
  await page.getByRole('button', { name: 'Collapse Customer' }).click();
  await page.getByRole('button', { name: 'Collapse Description' }).click();
  assert.equal(await customer.locator('dl').first().isVisible(), false);
  await page.reload();
  await page.locator('.ticket-head h1').waitFor();
  const expandCustomer = page.getByRole('button', { name: 'Expand Customer' });
  await expandCustomer.waitFor();
  assert.equal(await expandCustomer.getAttribute('aria-expanded'), 'false');
  await customer.getByRole('heading', { name: 'Customer' }).waitFor();
  assert.equal(await customer.locator('dl').first().isVisible(), false, 'still folded after the reload');
  assert.equal(await page.locator('.card.desc .description').isVisible(), false);
  await shot(page, '19-ticket-folded');
  await expandCustomer.click();
  await customer.locator('dl').first().waitFor({ state: 'visible' });

  // Newest first, chosen once, holds after a reload; a new reply goes on top.
  await page.getByRole('group', { name: 'Order of the conversation' }).getByRole('button', { name: 'Newest first' }).click();
  await list.getByRole('article').first().filter({ hasText: `Replacement shipped, tracking sent to the customer ${stamp}` }).waitFor();
  await page.reload();
  await page.locator('.ticket-head h1').waitFor();
  await list.getByRole('article').nth(bodies.length).waitFor();
  assert.match(await list.getByRole('article').first().innerText(), /Replacement shipped/);
  assert.match(await list.getByRole('article').nth(1).innerText(), /photos are in my first message/);
  assert.equal(await page.getByRole('button', { name: 'Newest first' }).getAttribute('aria-pressed'), 'true');
  await reply.fill(`Customer confirmed the replacement arrived ${stamp}`);
  await page.getByRole('button', { name: 'Add comment' }).click();
  await list.getByRole('article').first().filter({ hasText: 'Customer confirmed the replacement arrived' }).waitFor();
  await page.close();
});

test('at phone width the follow-up list is cards that fit, and selection still works', async () => {
  const page = await freshPage(browser);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  const fits = await page.evaluate(() => ({
    doc: document.scrollingElement.scrollWidth - window.innerWidth,
    wrap: (() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth; })(),
  }));
  assert.ok(fits.doc <= 0, `the page does not scroll sideways (${fits.doc}px)`);
  assert.ok(fits.wrap <= 0, `the list is not cut (${fits.wrap}px)`);
  await shot(page, '19-list-cards-390');
  const n = Math.min(await rows(page).count(), 6);
  assert.ok(n >= 3);
  for (let i = 0; i < n; i++) {
    const row = rows(page).nth(i);
    assert.equal(await row.evaluate((r) => getComputedStyle(r).display), 'grid', 'a card, not a table row');
    const box = await row.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `card ${i} fits: ${JSON.stringify(box)}`);
    const top = row.locator('td.card-top');
    assert.match((await top.locator('.card-num').innerText()).trim(), /^#\d+$/);
    assert.ok(await top.locator('.pill').isVisible(), `card ${i} shows its status`);
    assert.ok(await top.locator('.prio').isVisible(), `card ${i} shows its priority`);
    const subject = row.locator('.subject-link');
    assert.ok(await subject.isVisible() && (await subject.innerText()).trim().length > 0, `card ${i} shows its subject`);
    const meta = await row.locator('td.card-meta').innerText();
    assert.match(meta, /Updated /, `card ${i} says when it was updated`);
    // The table's own cells for these stay out of the card.
    assert.equal(await row.locator('td.col-status').isVisible(), false);
  }
  // Selecting from the cards drives the bulk bar; the cursor moves with j.
  await rows(page).nth(0).locator('td.col-check input').check();
  await rows(page).nth(2).locator('td.col-check input').check();
  await page.getByRole('region', { name: 'Bulk update' }).getByText('2 selected').waitFor();
  await rows(page).nth(2).locator('td.col-check input').uncheck();
  await page.getByRole('region', { name: 'Bulk update' }).getByText('1 selected').waitFor();
  const cursorAt = () => page.evaluate(() => [...document.querySelectorAll('table.tickets tbody tr')]
    .findIndex((r) => r.getAttribute('aria-selected') === 'true'));
  await page.locator('h1').first().click();
  await page.keyboard.press('j');
  const at = await cursorAt();
  await page.keyboard.press('j');
  assert.equal(await cursorAt(), at + 1, 'j moves the cursor to the next card');
  assert.equal(await page.evaluate(() => document.activeElement?.id), `row-${at + 1}`);
  assert.match(await rows(page).nth(at + 1).getAttribute('class'), /cursor/);
  await rows(page).nth(0).locator('td.col-check input').uncheck();
  await page.close();
});

test('at 900 px the follow-up list fits and its header row stays under the top bar while scrolling', async () => {
  const page = await freshPage(browser);
  await page.setViewportSize({ width: 900, height: 800 });
  await login(page, 'lucia@demo.lazo');
  await listReady(page);
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scroll (${overflow}px)`);
  await shot(page, '19-list-900');
  await page.mouse.move(450, 500);
  await page.mouse.wheel(0, 1200);
  await page.waitForFunction(() => window.scrollY > 600);
  const th = page.locator('table.tickets thead th.col-subject');
  const top = await th.evaluate((e) => e.getBoundingClientRect().top);
  const bar = await page.locator('header.topbar').evaluate((h) => h.getBoundingClientRect().bottom);
  assert.ok(Math.abs(top - bar) <= 2, `the header row sits under the top bar (${top} vs ${bar})`);
  const onTop = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('thead') !== null,
    await th.evaluate((e) => { const r = e.getBoundingClientRect(); return { x: r.left + 10, y: r.top + r.height / 2 }; }));
  assert.ok(onTop, 'the header row covers the rows scrolling under it');
  await shot(page, '19-list-900-scrolled');
  await page.close();
});
