// Names per language: an admin gives a status and a group Spanish names, and
// an agent who reads Lazo in Spanish sees them in the list, the tiles, the
// filters and on the ticket; the server's refusals and the date fields speak
// the agent's language too (the browser itself is en-US throughout).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, listReady, rows, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function spanish(page) {
  await page.getByLabel('Language').selectOption('es');
  await page.getByRole('heading', { name: 'Seguimiento' }).waitFor();
}

test('names set by an admin show in the agent\'s language', async () => {
  const admin = await freshPage(browser);
  await login(admin, 'admin@demo.lazo');
  await listReady(admin);
  await admin.goto(`${BASE}/admin/statuses`);
  const statuses = admin.getByRole('table', { name: 'Statuses' });
  const openEs = statuses.getByLabel('In Spanish (Open)');
  // The default statuses come named (Open is "Abierto"); the admin renames it.
  assert.equal(await openEs.inputValue(), 'Abierto');
  await openEs.fill('En curso');
  await statuses.getByLabel('In French (Open)').fill('Ouvert');
  await statuses.locator('tr', { has: admin.getByLabel('In Spanish (Open)') }).getByRole('button', { name: 'Save' }).click();
  await admin.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await shot(admin, '18-admin-status-names');

  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Groups' }).click();
  const support = admin.getByRole('region', { name: 'Support' });
  await support.getByLabel('In Spanish').fill('Soporte');
  await support.getByRole('button', { name: 'Save' }).click();
  await admin.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await admin.reload();
  assert.equal(await admin.getByRole('region', { name: 'Support' }).getByLabel('In Spanish').inputValue(), 'Soporte');
  await shot(admin, '18-admin-group-names');

  // Sources are free text on tickets; the settings name the ones in use.
  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Settings' }).click();
  const settings = admin.getByRole('form', { name: 'Settings' });
  for (const [key, name, es] of [['email', 'Email', 'Correo'], ['phone', 'Phone', 'Teléfono'], ['survey', 'Survey', 'Encuesta']]) {
    await settings.getByRole('button', { name: 'Add source' }).click();
    await settings.getByLabel('Key (as tickets carry it) ()').last().fill(key);
    await settings.getByLabel('Name ()').last().fill(name);
    await settings.getByLabel('In Spanish ()').last().fill(es);
  }
  await settings.getByRole('button', { name: 'Save' }).click();
  await admin.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await settings.getByLabel('In Spanish (Survey)').waitFor();
  await shot(admin, '18-admin-sources');
  // The admin reads English: the base names.
  await admin.goto(`${BASE}/`);
  await listReady(admin);
  await rows(admin).locator('td.col-status .pill', { hasText: /^Open$/ }).first().waitFor();
  await admin.close();

  const page = await freshPage(browser);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  await spanish(page);
  const pills = rows(page).locator('td.col-status .pill');
  await pills.filter({ hasText: /^En curso$/ }).first().waitFor();
  assert.equal(await pills.filter({ hasText: /^Open$/ }).count(), 0, 'no English status name left');
  await rows(page).locator('td.col-group', { hasText: /^Soporte$/ }).first().waitFor();
  assert.equal(await rows(page).locator('td.col-group', { hasText: /^Support$/ }).count(), 0);
  await page.locator('.tile .tile-name', { hasText: /^En curso$/ }).waitFor();
  await page.locator('.tile .tile-name', { hasText: /^Resuelto$/ }).waitFor();
  const statusFilter = page.getByRole('group', { name: 'Filtros' }).getByLabel('Estado');
  assert.ok((await statusFilter.locator('option').allInnerTexts()).includes('En curso'));
  await shot(page, '18-list-es');

  const row = rows(page)
    .filter({ has: page.locator('td.col-status .pill', { hasText: /^En curso$/ }) })
    .filter({ has: page.locator('td.col-group', { hasText: /^Soporte$/ }) })
    .first();
  await row.locator('.subject-link').click();
  await page.locator('.ticket-head h1').waitFor();
  assert.equal((await page.locator('#f-status option:checked').innerText()).trim(), 'En curso');
  assert.equal((await page.locator('#f-group option:checked').innerText()).trim(), 'Soporte');
  const meta = await page.locator('.ticket-meta').innerText();
  assert.match(meta, /·\s*(Correo|Teléfono|Encuesta)\s*·/, meta);

  // The due date reads as a Spanish date, whatever the browser's locale.
  const due = page.locator('#f-due');
  assert.equal(await due.getAttribute('placeholder'), 'dd/mm/aaaa');
  await due.fill('31/02/2030');
  await due.press('Tab');
  await page.getByRole('alert').filter({ hasText: 'Escribe la fecha como dd/mm/aaaa.' }).waitFor();
  await due.fill('5/12/2030');
  await due.press('Tab');
  assert.equal(await due.inputValue(), '05/12/2030');
  assert.equal(await page.getByRole('alert').filter({ hasText: 'Escribe la fecha' }).count(), 0);
  await shot(page, '18-ticket-es');
  await page.close();
});

test('a refusal from the server and the date filters speak the agent\'s language', async () => {
  // Lucía configures Lazo in Spanish: a taken name is refused in Spanish.
  const lucia = await freshPage(browser);
  await login(lucia, 'lucia@demo.lazo');
  await listReady(lucia);
  await spanish(lucia);
  await lucia.goto(`${BASE}/admin/statuses`);
  const form = lucia.getByRole('form', { name: 'Nuevo estado' });
  await form.getByLabel('Nombre', { exact: true }).fill('Resolved');
  await form.getByRole('button', { name: 'Crear' }).click();
  await form.getByRole('alert').filter({ hasText: 'Ya existe otro con este nombre.' }).waitFor();
  await shot(lucia, '18-refusal-es');
  await lucia.close();

  const page = await freshPage(browser);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  await spanish(page);
  const from = page.getByRole('group', { name: 'Filtros' }).getByLabel('Reportado desde');
  assert.equal(await from.getAttribute('placeholder'), 'dd/mm/aaaa');
  await from.fill('2/11/2026');
  await from.press('Enter');
  await page.waitForURL(/created_from=2026-11-02/);
  assert.equal(await from.inputValue(), '02/11/2026');
  await shot(page, '18-date-filter-es');
  // The same day in English reads month first.
  await page.getByLabel('Idioma').selectOption('en');
  const fromEn = page.getByRole('group', { name: 'Filters' }).getByLabel('Reported from');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await fromEn.inputValue(), '11/02/2026');
  assert.equal(await fromEn.getAttribute('placeholder'), 'mm/dd/yyyy');
  await page.close();
});
