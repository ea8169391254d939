// Email in the browser, against a real SMTP server (maildev on loopback): an
// admin writes a template; an agent composes from it, reloads halfway (the
// draft survives), sends; the thread shows it delivered and maildev has it
// with the subject tag and threading headers; the customer's reply posted as
// raw RFC 822 lands in the thread marked as theirs; inbound mail that cannot
// be used shows on the admin screen with its error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { launch, freshPage, shot, startServer, PASSWORD } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MAILDEV = process.env.LAZO_MAILDEV || join(here, '..', '..', 'maildev', 'node_modules', '.bin', 'maildev');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const freePort = () => new Promise((resolve) => {
  const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

async function until(f, what, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await new Promise((r) => setTimeout(r, 150)); }
  throw new Error(`timed out waiting for ${what}`);
}

async function startMaildev() {
  assert.ok(existsSync(MAILDEV), `maildev missing at ${MAILDEV} (.ci/setup.sh installs it)`);
  const smtp = await freePort();
  const web = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lazo-maildev-'));
  const child = spawn(MAILDEV, ['--ip', '127.0.0.1', '--smtp', String(smtp), '--web', String(web), '--mail-directory', dir, '--silent'],
    { stdio: 'ignore' });
  const api = `http://127.0.0.1:${web}`;
  await until(async () => { try { return (await fetch(api + '/email')).ok; } catch { return false; } }, 'maildev');
  return {
    smtp, api,
    mails: async () => (await fetch(api + '/email')).json(),
    stop: async () => { child.kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}

test('an agent emails the customer from a template, keeps a half-written draft, and sees the reply', async () => {
  const mail = await startMaildev();
  const srv = await startServer({
    LAZO_SMTP_URL: `smtp://127.0.0.1:${mail.smtp}`, LAZO_MAIL_FROM: 'Acme Support <support@acme.test>',
    LAZO_JOB_POLL_MS: '50',
  });
  const page = await freshPage(browser);
  try {
    const base = srv.url;
    await page.goto(base + '/login');
    await page.getByLabel('Email').fill('admin@demo.lazo');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => !!localStorage.getItem('lazo.session'));
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session')).token);
    const api = (method, path, body, type = 'application/json') => fetch(base + path, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });

    // The admin writes a template.
    await page.goto(base + '/admin/email-templates');
    // The admin screens render once the session's role is known.
    await page.getByRole('navigation', { name: 'Admin' }).waitFor();
    const form = page.getByRole('form', { name: 'New email template' });
    await form.getByLabel('Name').fill('Follow-up');
    await form.getByLabel('Subject').fill('About your feedback on ticket {{ ticket.number }}');
    await form.getByLabel('Message').fill('Hello {{ contact.name }},\n\nThank you for telling us. {{ agent.name }}');
    await form.getByRole('button', { name: 'Create' }).click();
    // The new template's card, or the error that kept it from being saved.
    await page.getByRole('form', { name: 'Follow-up' }).or(form.getByRole('alert')).first().waitFor({ timeout: 30000 });
    assert.equal(await form.getByRole('alert').count(), 0, await form.getByRole('alert').allTextContents().then((a) => a.join(' | ')));

    const res = await api('POST', '/api/v1/tickets', { subject: 'Late refund', requester: { email: 'rosa@example.com', name: 'Rosa Díaz' } });
    assert.equal(res.status, 201);
    const ticket = await res.json();

    await page.goto(`${base}/tickets/${ticket.number}`);
    await page.getByRole('tab', { name: 'Emails' }).click();
    await page.getByText('No emails with the customer yet.').waitFor();
    await page.getByRole('button', { name: 'Send email' }).click();
    const composer = page.getByRole('form', { name: 'Send email' });
    assert.equal(await composer.getByLabel('To').getAttribute('placeholder'), 'rosa@example.com');
    await composer.getByLabel('Template').selectOption({ label: 'Follow-up (en)' });
    await composer.getByLabel('Message').fill('Hello Rosa,\n\nWe refunded the order today. Half-written…');
    // A reload in the middle: the draft is still there.
    await page.reload();
    await page.getByRole('tab', { name: 'Emails' }).click();
    const again = page.getByRole('form', { name: 'Send email' });
    await again.getByLabel('Message').waitFor();
    assert.match(await again.getByLabel('Message').inputValue(), /Half-written/);
    await again.getByLabel('Message').fill('Hello Rosa,\n\nWe refunded the order today.');
    await shot(page, '13-email-composer');
    await again.getByRole('button', { name: 'Send' }).click();

    const thread = page.locator('.email-thread');
    await thread.getByText(`About your feedback on ticket ${ticket.number}`).waitFor();
    await until(async () => (await thread.getByText('Sent', { exact: true }).count()) === 1, 'the Sent state', 20000);
    const mails = await mail.mails();
    assert.equal(mails.length, 1);
    const m = mails[0];
    assert.equal(m.to[0].address, 'rosa@example.com');
    assert.match(m.subject, new RegExp(`\\[#${ticket.number}\\]`));
    assert.match(m.text, /We refunded the order today/);
    const replyTo = (m.replyTo?.[0] || m.headers['reply-to'] || {}).address || String(m.headers['reply-to']);
    assert.match(replyTo, /\+t/);

    // The customer's reply, as an MTA would post it.
    const raw = [
      `From: Rosa Díaz <rosa@example.com>`, `To: ${replyTo}`, `Subject: Re: ${m.subject}`,
      `Message-ID: <reply-${Date.now()}@example.com>`, `In-Reply-To: ${m.messageId}`,
      `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '',
      'Thank you, it arrived!', '',
    ].join('\r\n');
    const r2 = await api('POST', '/api/v1/inbound/email', raw, 'message/rfc822');
    assert.equal(r2.status, 201, await r2.text());
    await page.reload();
    await page.getByRole('tab', { name: 'Emails' }).click();
    const reply = page.locator('article.email.inbound');
    await reply.getByText('Thank you, it arrived!').waitFor();
    await reply.getByText('Customer reply').waitFor();
    await shot(page, '13-email-thread');

    // Forward the ticket to a supplier and a colleague.
    await page.getByRole('button', { name: 'Forward', exact: true }).click();
    const fw = page.getByRole('form', { name: 'Forward this ticket' });
    await fw.getByLabel('Email addresses (comma separated)').fill('warehouse@supplier.example');
    await fw.getByLabel('Sofía Romero').check();
    await fw.getByLabel('Message').fill('Where is this parcel?');
    await shot(page, '13-forward');
    await fw.getByRole('button', { name: 'Forward' }).click();
    await until(async () => (await mail.mails()).some((x) => x.subject === `Fwd: [#${ticket.number}] Late refund`), 'the forward');
    const fwd = (await mail.mails()).find((x) => x.subject.startsWith('Fwd:'));
    assert.deepEqual(fwd.to.map((a) => a.address).sort(), ['sofia@demo.lazo', 'warehouse@supplier.example']);
    assert.match(fwd.text, /Where is this parcel\?/);

    // Ana owns a ticket the admin escalates: her bell says so; she opens it
    // from there; her settings page keeps her choices.
    const users = await (await api('GET', '/api/v1/users')).json();
    const anaId = users.find((u) => u.email === 'ana@demo.lazo').id;
    const r4 = await api('POST', '/api/v1/tickets', { subject: 'Bell journey', owner_id: anaId });
    const bellTicket = await r4.json();
    await api('PATCH', `/api/v1/tickets/${bellTicket.id}`, { priority: 'critical' });
    const ana = await freshPage(browser);
    await ana.goto(base + '/login');
    await ana.getByLabel('Email').fill('ana@demo.lazo');
    await ana.getByLabel('Password').fill(PASSWORD);
    await ana.getByRole('button', { name: 'Sign in' }).click();
    await ana.waitForFunction(() => !!localStorage.getItem('lazo.session'));
    await ana.goto(base + '/tickets');
    const bellButton = ana.locator('.bell-button');
    await until(async () => {
      await ana.reload();
      return /Notifications \(\d+\)/.test(await bellButton.getAttribute('aria-label') || '');
    }, 'the bell count');
    await bellButton.click();
    const panel = ana.getByRole('dialog', { name: 'Notifications' });
    await panel.getByText(`#${bellTicket.number} Bell journey`).first().waitFor();
    // In the language the app shows (English in this browser), though her
    // account, and so her emails, read Spanish.
    await panel.getByText('Priority: medium → critical').waitFor();
    await shot(ana, '13-bell');
    // Switching the app to Spanish words the same notification in Spanish.
    await ana.getByLabel('Language').selectOption('es');
    const panelEs = ana.getByRole('dialog', { name: 'Notificaciones' });
    await panelEs.getByText('Prioridad: media → crítica').waitFor();
    assert.equal(await panelEs.getByText('Priority: medium → critical').count(), 0);
    await shot(ana, '13-bell-es');
    await ana.getByLabel('Idioma').selectOption('en');
    await panel.getByText('Priority: medium → critical').click();
    await ana.waitForURL(new RegExp(`/tickets/${bellTicket.number}$`));
    await ana.goto(base + '/me/notifications');
    const settings = ana.getByRole('form', { name: 'Notification settings' });
    const statusMail = settings.getByLabel('Its status changes — By email');
    assert.equal(await statusMail.isChecked(), false);
    await statusMail.check();
    await settings.getByRole('button', { name: 'Save' }).click();
    await ana.getByText('Saved.').first().waitFor();
    await ana.reload();
    assert.equal(await ana.getByRole('form', { name: 'Notification settings' }).getByLabel('Its status changes — By email').isChecked(), true);
    // Her emails' language is her account's (Spanish), whatever the app
    // shows; she changes it herself, and it is kept.
    const emailLang = ana.getByRole('form', { name: 'Notification settings' }).getByLabel('Language of your emails');
    assert.equal(await emailLang.inputValue(), 'es');
    await emailLang.selectOption('fr');
    await ana.getByRole('form', { name: 'Notification settings' }).getByRole('button', { name: 'Save' }).click();
    await ana.getByText('Saved.').first().waitFor();
    await ana.reload();
    assert.equal(await ana.getByRole('form', { name: 'Notification settings' }).getByLabel('Language of your emails').inputValue(), 'fr');
    assert.equal(await ana.evaluate(() => document.documentElement.lang), 'en', 'the app keeps its own language');
    await shot(ana, '13-notification-settings');
    await ana.getByRole('form', { name: 'Notification settings' }).getByLabel('Language of your emails').selectOption('es');
    const back = ana.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/api/v1/me'));
    await ana.getByRole('form', { name: 'Notification settings' }).getByRole('button', { name: 'Save' }).click();
    assert.equal((await (await back).json()).language, 'es');
    await ana.close();

    // Inbound mail that cannot be used shows on the admin screen.
    const r3 = await api('POST', '/api/v1/inbound/email', 'this is not an email at all', 'message/rfc822');
    assert.ok(r3.status < 500, `status ${r3.status}`);
    await page.goto(base + '/admin/inbound');
    const table = page.getByRole('table', { name: 'Inbound email' });
    await table.locator('tbody tr').first().waitFor();
    await table.locator('.error-text').first().waitFor();
    const servers = page.getByRole('region', { name: 'Mail servers' });
    await servers.getByText(/^configured · /).waitFor();
    await servers.getByText('IMAP', { exact: true }).waitFor();
    await shot(page, '13-inbound-failed');
    await page.close();
  } finally {
    await srv.stop();
    await mail.stop();
  }
});
