// Ticket files in the browser: an agent attaches a file with the file picker
// and another by dropping it on the drop zone, sees both listed with size and
// uploader, is told by name when a file is empty, downloads one (the same
// bytes, under its name), removes it after confirming, and finds both
// changes in the ticket's history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, freshPage, shot, login, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('files are attached by picker and by drop, downloaded, removed, and the history says so', async () => {
  const page = await freshPage(browser);
  await login(page, 'admin@demo.lazo');
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session')).token);
  const api = (method, path, body) => fetch(BASE + path, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const res = await api('POST', '/api/v1/tickets', { subject: `Files journey ${Date.now()}` });
  assert.equal(res.status, 201);
  const ticket = await res.json();

  await page.goto(`${BASE}/tickets/${ticket.number}`);
  await page.getByRole('tab', { name: 'Files' }).click();
  const panel = page.getByRole('tabpanel');
  await panel.getByText('No files attached yet.').waitFor();
  await page.getByRole('tab', { name: /^Files\s*0$/ }).waitFor();

  // The file picker.
  const invoice = 'Invoice 42 — paid in full\n';
  await panel.getByTestId('attachment-input').setInputFiles({
    name: 'invoice.txt', mimeType: 'text/plain', buffer: Buffer.from(invoice),
  });
  const list = panel.getByRole('list', { name: 'Files' });
  await list.getByRole('button', { name: 'invoice.txt', exact: true }).waitFor();
  await page.getByText('1 file(s) attached.').first().waitFor();
  const row = list.getByRole('listitem').filter({ hasText: 'invoice.txt' });
  const bytes = Buffer.byteLength(invoice);
  await row.getByText(new RegExp(`${bytes} B · Alex Admin`)).waitFor();

  // Dropped on the drop zone.
  const dt = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(['name,score\nRosa,3\n'], 'scores.csv', { type: 'text/csv' }));
    return d;
  });
  await panel.locator('.dropzone').dispatchEvent('dragover', { dataTransfer: dt });
  await panel.locator('.dropzone').dispatchEvent('drop', { dataTransfer: dt });
  await list.getByRole('button', { name: 'scores.csv', exact: true }).waitFor();

  // An empty file is refused by name, and nothing of that upload is kept.
  await panel.getByTestId('attachment-input').setInputFiles({
    name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0),
  });
  await panel.getByRole('alert').getByText('empty.txt is empty.').waitFor();
  assert.equal(await list.getByRole('listitem').count(), 2);
  await shot(page, '14-attachments');

  // The server has exactly those two.
  const files = await (await api('GET', `/api/v1/tickets/${ticket.id}/attachments`)).json();
  assert.deepEqual(files.map((f) => f.filename), ['invoice.txt', 'scores.csv']);

  // Download: the same bytes, under the file's name.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    list.getByRole('button', { name: 'invoice.txt', exact: true }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'invoice.txt');
  assert.equal(readFileSync(await download.path(), 'utf8'), invoice);

  // Remove, after confirming; a dismissed confirmation removes nothing.
  page.once('dialog', (d) => d.dismiss());
  await row.getByRole('button', { name: 'Remove invoice.txt' }).click();
  await page.waitForTimeout(300);
  assert.equal(await list.getByRole('listitem').count(), 2);
  page.once('dialog', (d) => {
    assert.match(d.message(), /Remove invoice\.txt from this ticket\?/);
    d.accept();
  });
  await row.getByRole('button', { name: 'Remove invoice.txt' }).click();
  await page.getByText('File removed.').first().waitFor();
  await list.getByRole('button', { name: 'invoice.txt', exact: true }).waitFor({ state: 'detached' });
  assert.equal(await list.getByRole('listitem').count(), 1);
  // The tab counts what is left.
  await page.getByRole('tab', { name: /^Files\s*1$/ }).waitFor();
  const left = await (await api('GET', `/api/v1/tickets/${ticket.id}/attachments`)).json();
  assert.deepEqual(left.map((f) => f.filename), ['scores.csv']);

  // The history has the three changes.
  await page.getByRole('tab', { name: 'History' }).click();
  const history = page.locator('ol.history');
  await history.locator('li', { hasText: 'File' }).nth(2).waitFor();
  const rows = await history.locator('li').filter({ has: page.locator('.h-field', { hasText: /^File$/ }) }).allInnerTexts();
  const flat = rows.map((r) => r.replace(/\s+/g, ' '));
  assert.ok(flat.some((r) => /— → invoice\.txt/.test(r)), flat.join(' | '));
  assert.ok(flat.some((r) => /— → scores\.csv/.test(r)), flat.join(' | '));
  assert.ok(flat.some((r) => /invoice\.txt → —/.test(r)), flat.join(' | '));
  await shot(page, '14-attachments-history');
  await page.close();
});
