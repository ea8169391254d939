// Feedback in the browser: a survey tool posts an NPS detractor, the default
// alert rule makes a ticket, and the agent sees on it the survey response
// (scores, verbatim, answers, which rule fired) and the customer with their
// timeline, this ticket's touchpoint first; a touchpoint opens its details.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, freshPage, login, shot, listReady, BASE } from './lib.mjs';

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
  assert.equal(res.status, 201, await res.text());
  const intake = await res.json();
  assert.equal(intake.tickets.length, 1, JSON.stringify(intake));
  const ticket = intake.tickets[0];

  await page.goto(`${BASE}/tickets/${ticket.id}`);
  const survey = page.getByRole('region', { name: 'Survey response' });
  await survey.getByText('The refund took three weeks.').waitFor();
  await survey.getByText('Post-purchase NPS', { exact: false }).waitFor();
  await survey.getByText('What went wrong?').waitFor();
  await survey.getByText('Refund, Support').waitFor();
  assert.match(await survey.locator('.scores').textContent(), /NPS\s*3/);
  await survey.getByText(/created a ticket/).waitFor();

  const customer = page.getByRole('region', { name: 'Customer' });
  await customer.getByText('Carla Nieto').waitFor();
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

  // A ticket made by hand has no survey card.
  res = await post('/api/v1/tickets', { subject: 'By hand', requester: { email } });
  assert.equal(res.status, 201);
  const byHand = await res.json();
  await page.goto(`${BASE}/tickets/${byHand.id}`);
  await page.getByRole('region', { name: 'Customer' }).getByText('Carla Nieto').waitFor();
  assert.equal(await page.getByRole('region', { name: 'Survey response' }).count(), 0);
  await page.close();
});
