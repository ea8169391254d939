// The agent workspace: what the list shows and finds, drafts that survive,
// keyboard triage (issue 7, part 3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, rows, listReady } from './lib.mjs';

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
