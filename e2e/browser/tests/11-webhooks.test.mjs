// Webhooks in the browser: an admin subscribes a real HTTP receiver (node, on
// loopback, verifying every Standard Webhooks signature with the secret the
// page showed once), a ticket change arrives signed, the delivery log shows
// it, and "Send again" resends it with the same webhook-id. The shared server
// refuses loopback URLs (the default); this test starts one that allows them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { launch, freshPage, login, shot, listReady, startServer, BASE, PASSWORD } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A receiver that checks `webhook-signature` against `secret.value`. */
function receiver(secret) {
  const got = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      const ts = req.headers['webhook-timestamp'];
      const key = Buffer.from((secret.value || '').replace(/^whsec_/, ''), 'base64');
      const want = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
      const verified = (req.headers['webhook-signature'] || '').split(' ').some((s) => {
        const [v, sig] = s.split(',');
        const b = Buffer.from(sig || '', 'base64');
        return v === 'v1' && b.length === want.length && timingSafeEqual(b, want);
      });
      got.push({ id, verified, body: JSON.parse(body) });
      res.writeHead(verified ? 200 : 401).end(verified ? 'thanks' : 'bad signature');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/lazo`, got, close: () => server.close(),
  })));
}

async function until(f, what, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await new Promise((r) => setTimeout(r, 100)); }
  throw new Error(`timed out waiting for ${what}`);
}

test('an admin subscribes a receiver, sees signed deliveries and sends one again', async () => {
  const srv = await startServer({ LAZO_WEBHOOK_ALLOW_PRIVATE: '1', LAZO_JOB_POLL_MS: '50' });
  const secret = { value: '' };
  const rx = await receiver(secret);
  const page = await freshPage(browser);
  try {
    const base = srv.url;
    await page.goto(base + '/login');
    await page.getByLabel('Email').fill('admin@demo.lazo');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => !!localStorage.getItem('lazo.session'));
    // A reload re-reads the person (GET /me). Hold that answer until the
    // form is filled: it used to re-render the page and blank the form, so
    // the browser refused to submit it (CI caught this on a slower machine).
    let releaseMe;
    const meHeld = new Promise((r) => { releaseMe = r; });
    let meAnswered;
    const meDone = new Promise((r) => { meAnswered = r; });
    await page.route('**/api/v1/me', async (route) => {
      await meHeld;
      await route.continue();
      meAnswered();
    });
    await page.goto(base + '/admin/webhooks');
    const form = page.getByRole('form', { name: 'New webhook endpoint' });
    await form.getByLabel('URL').fill(rx.url);
    await form.getByLabel('Description').fill('CRM sync');
    await form.getByText('ticket.created', { exact: true }).click();
    releaseMe();
    await meDone;
    await page.waitForTimeout(200);
    await page.unroute('**/api/v1/me');
    assert.equal(await form.getByLabel('URL').inputValue(), rx.url, 'the form kept its input');
    await form.getByRole('button', { name: 'Create' }).click();
    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor();
    secret.value = (await shown.textContent()).trim();
    assert.match(secret.value, /^whsec_[A-Za-z0-9+/=]{40,}$/);
    const table = page.getByRole('table', { name: 'Webhooks' });
    await table.getByText(rx.url).waitFor();
    await table.getByText('ticket.created').waitFor();
    await shot(page, '11-webhooks-created');

    // A ticket made through the API reaches the receiver, signed.
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session')).token);
    const res = await fetch(base + '/api/v1/tickets', {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Webhook journey' }),
    });
    assert.equal(res.status, 201);
    const ticket = await res.json();
    await until(() => rx.got.length >= 1, 'the first delivery');
    assert.equal(rx.got[0].verified, true);
    assert.equal(rx.got[0].body.type, 'ticket.created');
    assert.equal(rx.got[0].body.data.ticket_id, ticket.id);
    assert.equal(rx.got[0].body.data.data.subject, 'Webhook journey');

    // The delivery log and its attempts.
    await table.getByRole('button', { name: 'Deliveries' }).click();
    const log = page.getByRole('region', { name: 'Deliveries' });
    await log.getByText(rx.got[0].id).waitFor();
    await log.getByText('Delivered').waitFor();
    await log.getByRole('button', { name: 'Attempts' }).click();
    await log.locator('ol.attempts li').first().getByText('200').waitFor();
    await log.locator('pre.response').getByText('thanks').waitFor();
    await shot(page, '11-webhooks-deliveries');

    // Send again: same webhook-id.
    await log.getByRole('button', { name: 'Send again' }).click();
    await until(() => rx.got.length >= 2, 'the replay');
    assert.equal(rx.got[1].id, rx.got[0].id);
    assert.equal(rx.got[1].verified, true);
    await log.getByRole('button', { name: 'Refresh' }).click();
    await log.getByRole('button', { name: 'Attempts' }).click();
    await until(async () => (await log.locator('ol.attempts li').count()) === 2, 'two attempts in the log');

    // Disable: the state says so.
    await table.getByRole('button', { name: 'Disable' }).click();
    await table.getByText('Disabled', { exact: true }).waitFor();
    await table.getByText(/disabled by Alex Admin/).waitFor();
    await page.close();
  } finally {
    rx.close();
    await srv.stop();
  }
});

test('loopback URLs are refused in plain words, and agents have no webhooks screen', async () => {
  const page = await freshPage(browser);
  await login(page, 'admin@demo.lazo');
  await listReady(page);
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Webhooks' }).click();
  const form = page.getByRole('form', { name: 'New webhook endpoint' });
  await form.getByLabel('URL').fill('http://127.0.0.1:9/hook');
  await form.getByRole('button', { name: 'Create' }).click();
  await form.getByRole('alert').getByText('private network').waitFor();
  await shot(page, '11-webhooks-refused');
  await page.close();

  const agent = await freshPage(browser);
  await login(agent, 'ana@demo.lazo');
  await listReady(agent);
  await agent.goto(BASE + '/admin/webhooks');
  await agent.getByText(/Only administrators/).waitFor();
  await agent.close();
});
