import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, listReady } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('switching to Spanish translates the app and is remembered', async () => {
  const page = await freshPage(browser);
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  await page.getByLabel('Language').selectOption('es');
  await page.getByRole('heading', { name: 'Seguimiento' }).waitFor();
  await page.getByRole('searchbox', { name: 'Buscar tickets' }).waitFor();
  await page.getByRole('button', { name: 'Cerrar sesión' }).waitFor();
  await shot(page, '05-spanish');
  await page.reload();
  await page.getByRole('heading', { name: 'Seguimiento' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');

  await page.getByRole('button', { name: 'Cerrar sesión' }).click();
  await page.getByRole('heading', { name: 'Inicia sesión en Lazo' }).waitFor();
  await page.close();
});

test('the app works on a narrow screen', async () => {
  const page = await freshPage(browser);
  await page.setViewportSize({ width: 390, height: 800 });
  await login(page, 'ana@demo.lazo');
  await listReady(page);
  await shot(page, '05-narrow-list');
  await page.locator('table.tickets tbody tr .subject-link').first().click();
  await page.locator('.ticket-head h1').waitFor();
  await shot(page, '05-narrow-ticket');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
  await page.close();
});
