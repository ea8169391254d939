// Feedback in the browser: a survey tool posts an NPS detractor, the default
// alert rule makes a ticket, and the agent sees on it the survey response
// (scores, verbatim, answers, which rule fired) and the customer with their
// timeline, this ticket's touchpoint first; a touchpoint opens its details.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, listReady, BASE } from './lib.mjs';

async function until(f, what, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await new Promise((r) => setTimeout(r, 100)); }
  throw new Error(`timed out waiting for ${what}`);
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a detractor becomes a ticket showing the response and the customer timeline', async () => {
  const page = await freshPage(browser);
  await login(page, 'admin@demo.lazo');
  await listReady(page);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('lazo.session')).token);
  const post = (path, body) => fetch(BASE + path, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const email = `carla.${Date.now()}@example.com`;
  // An earlier interaction, so the timeline has more than this ticket.
  let res = await post('/api/v1/touchpoints', {
    contact: { email, name: 'Carla Nieto' }, kind: 'call', channel: 'phone',
    title: 'Asked about a late refund', payload: { duration_min: 7, agent: 'IVR' },
    occurred_at: new Date(Date.now() - 86400000).toISOString(),
  });
  assert.equal(res.status, 201, await res.text());
  res = await post('/api/v1/responses', {
    external_id: `resp-${Date.now()}`, survey_id: 'nps-2026', survey_name: 'Post-purchase NPS',
    respondent: { email, name: 'Carla Nieto' },
    scores: { nps: 3 },
    comment: 'The refund took three weeks.',
    answers: [
      { question: 'How likely are you to recommend us?', type: 'rating', answer: 3 },
      { question: 'What went wrong?', type: 'multi_choice', answer: ['Refund', 'Support'] },
    ],
    embedded: { store: 'Madrid Centro' },
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  const intake = JSON.parse(text);
  assert.equal(intake.tickets.length, 1, JSON.stringify(intake));
  const ticket = intake.tickets[0];

  await page.goto(`${BASE}/tickets/${ticket.number}`);
  const survey = page.getByRole('region', { name: 'Survey response' });
  await survey.getByText('The refund took three weeks.').waitFor();
  await survey.getByText('Post-purchase NPS', { exact: false }).waitFor();
  await survey.getByText('What went wrong?').waitFor();
  await survey.getByText('Refund, Support').waitFor();
  assert.match(await survey.locator('.scores').textContent(), /NPS\s*3/);
  await survey.getByText(/created a ticket/).waitFor();

  const customer = page.getByRole('region', { name: 'Customer' });
  await customer.locator('dd').getByText('Carla Nieto', { exact: true }).waitFor();
  const items = customer.getByRole('list', { name: 'Timeline' }).locator('li');
  await items.nth(2).waitFor();
  // This ticket's own touchpoint first, then the rest newest first.
  assert.match(await items.nth(0).textContent(), /Ticket/);
  assert.equal(await items.nth(0).evaluate((li) => li.classList.contains('here')), true);
  const texts = await items.allTextContents();
  const call = texts.findIndex((x) => x.includes('Asked about a late refund'));
  const surveyTp = texts.findIndex((x) => /Survey/.test(x));
  assert.ok(surveyTp > 0 && call > surveyTp, texts.join(' | '));
  await items.nth(call).getByRole('button').click();
  await items.nth(call).getByText('duration_min').waitFor();
  await items.nth(call).getByText('IVR').waitFor();
  await shot(page, '12-survey-ticket');

  // The follow-up list filters by survey and score range, from the URL and the bar.
  await page.goto(`${BASE}/tickets?survey=nps-2026&score_min=0&score_max=6&created_from=`);
  await listReady(page);
  await page.locator('table.tickets tbody').getByText(ticket.subject).waitFor();
  assert.equal(await page.getByLabel('Survey', { exact: true }).inputValue(), 'nps-2026');
  assert.equal(await page.getByLabel('Score up to').inputValue(), '6');
  await page.getByLabel('Score up to').fill('10');
  await page.getByLabel('Score up to').blur();
  await page.waitForURL(/score_max=10/);
  await page.getByLabel('Score from').fill('7');
  await page.getByLabel('Score from').press('Enter');
  await page.getByLabel('Score from').blur();
  await page.waitForURL(/score_min=7/);
  await until(async () => (await page.locator('table.tickets tbody').getByText(ticket.subject).count()) === 0, 'the promoter filter');
  await page.goto(`${BASE}/tickets/${ticket.number}`);
  await customer.locator('dd').getByText('Carla Nieto', { exact: true }).waitFor();

  // The customer's own page: details, timeline, an edit.
  await customer.getByRole('link', { name: 'Profile' }).click();
  await page.getByRole('heading', { name: 'Carla Nieto' }).waitFor();
  const tl = page.getByRole('region', { name: 'Timeline' }).getByRole('list', { name: 'Timeline' }).locator('li');
  await tl.nth(2).waitFor();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit' });
  await edit.getByLabel('Phone').fill('+34 600 000 111');
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('region', { name: 'Details' }).getByText('+34 600 000 111').waitFor();
  await shot(page, '12-contact-page');
  // And found by search.
  await page.goto(BASE + '/contacts');
  await page.getByRole('searchbox').fill(email);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('table', { name: 'Customers' }).getByRole('link', { name: 'Carla Nieto' }).waitFor();

  // A ticket made by hand has no survey card.
  res = await post('/api/v1/tickets', { subject: 'By hand', requester: { email } });
  assert.equal(res.status, 201);
  const byHand = await res.json();
  await page.goto(`${BASE}/tickets/${byHand.number}`);
  await page.getByRole('region', { name: 'Customer' }).locator('dd').getByText('Carla Nieto', { exact: true }).waitFor();
  assert.equal(await page.getByRole('region', { name: 'Survey response' }).count(), 0);
  await page.close();
});

test('an admin writes an alert rule and tests it against a sample response', async () => {
  const page = await freshPage(browser);
  await login(page, 'admin@demo.lazo');
  await listReady(page);
  await page.goto(BASE + '/admin/alert-rules');
  // The default rule of a new installation is there.
  await page.locator('section.rule').first().waitFor();
  const form = page.getByRole('form', { name: 'New alert rule' });
  const name = `Madrid detractors ${Date.now()}`;
  await form.getByLabel('Name').fill(name);
  await form.getByRole('button', { name: 'Create' }).click();
  const rule = page.getByRole('region', { name });
  await rule.waitFor();
  await rule.getByRole('button', { name: 'Add a score range' }).click();
  const scores = rule.getByRole('group', { name: 'Scores within' });
  await scores.getByLabel('To').fill('4');
  await rule.getByRole('button', { name: 'Add an embedded data condition' }).click();
  const embedded = rule.getByRole('group', { name: 'Embedded data' });
  await embedded.getByLabel('Key').fill('store');
  await embedded.getByLabel('Value').fill('Madrid');
  await rule.getByLabel('Subject (template)').fill('Madrid: NPS {{ scores.nps }} from {{ respondent.name }}');
  await rule.getByLabel('Enabled').check();
  await rule.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').first().waitFor();

  // The preview: a matching sample, then one that does not match.
  const again = page.getByRole('region', { name });
  await again.getByText('Test this rule against a sample response').click();
  const sample = again.getByLabel('Sample response (JSON)');
  await sample.fill(JSON.stringify({
    survey_id: 'nps-2026', scores: { nps: 2 }, comment: 'Cold food',
    respondent: { email: 'ines@example.com', name: 'Inés' }, embedded: { store: 'Madrid' },
  }));
  await again.getByRole('button', { name: 'Run the test' }).click();
  const outcome = again.getByRole('status');
  await outcome.getByText('Match: it would create this ticket.').waitFor();
  await outcome.getByText('Madrid: NPS 2 from Inés').waitFor();
  await shot(page, '12-alert-rule-test');
  await sample.fill(JSON.stringify({ survey_id: 'nps-2026', scores: { nps: 2 }, embedded: { store: 'Sevilla' } }));
  await again.getByRole('button', { name: 'Run the test' }).click();
  await again.getByRole('status').getByText('No match: nothing would happen.').waitFor();
  await sample.fill('{"scores": ');
  await again.getByRole('button', { name: 'Run the test' }).click();
  await again.getByRole('alert').getByText(/not a valid response/).waitFor();
  await page.close();
});
