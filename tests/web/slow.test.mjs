// A slow server: replies that come late never overwrite newer ones, and while they come the page
// never holds two copies of anything (ids stay unique, every control keeps its label), nor is
// the form a person is filling drawn again under them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finish, fixtures, BASE_URL } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

/** Records, at every change of the page, duplicate ids and controls without a label. */
function watchForGlitches() {
  window.__glitches = [];
  const check = () => {
    const seen = new Set();
    for (const element of document.querySelectorAll('[id]')) {
      if (seen.has(element.id)) window.__glitches.push(`two elements with id ${element.id}`);
      seen.add(element.id);
    }
    for (const control of document.querySelectorAll('input, select')) {
      if (!control.labels || control.labels.length === 0) window.__glitches.push(`no label for ${control.id || control.outerHTML.slice(0, 60)}`);
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

/** Delays every API reply: by `slow(url)` ms when it says so, else by `usual` ms. */
async function slowServer(page, usual, slow = () => 0) {
  await page.route('**/api/v1/**', async (route) => {
    const url = new URL(route.request().url());
    await new Promise((resolve) => setTimeout(resolve, slow(url) || usual));
    await route.continue().catch(() => undefined);
  });
}

async function glitches(page) {
  return [...new Set(await page.evaluate(() => window.__glitches))];
}

test('slow server, citizen: the person signed in last is the one shown', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    const { parent, newcomer } = fixtures;
    await page.addInitScript(watchForGlitches);
    // Everything about the first person comes late.
    await slowServer(page, 100, (url) => (url.pathname.includes(parent.iin) ? 1500 : 0));
    await page.goto(`${BASE_URL}/citizen`);
    await page.selectOption('#citizen-pick', parent.iin);
    await page.click('#citizen-sign-in-button');
    await page.click('#sign-out');
    await page.fill('#citizen-iin', newcomer);
    await page.click('#citizen-iin-sign-in');
    await page.waitForSelector(`.person-card[data-iin="${newcomer}"]`);
    // The first person's replies land now; they must change nothing.
    await page.waitForTimeout(2500);
    await page.waitForLoadState('networkidle');
    const cards = await page.$$eval('.person-card', (items) => items.map((item) => item.dataset.iin));
    assert.ok(cards.includes(newcomer), `the card of ${newcomer} is shown`);
    assert.ok(!cards.includes(parent.iin), `no card of ${parent.iin}, who signed out (cards: ${cards})`);
    assert.deepEqual(await glitches(page), []);
  } finally {
    await finish(t, session, 'slow-citizen-switch');
  }
});

test('slow server, citizen: a choice made while the page loads stands', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    const { parent } = fixtures;
    await page.addInitScript(watchForGlitches);
    await slowServer(page, 400);
    await page.goto(`${BASE_URL}/citizen`);
    await page.selectOption('#citizen-pick', parent.iin);
    await page.click('#citizen-sign-in-button');
    // Applying for the child as soon as the child is listed, while the cards still load.
    await page.waitForSelector(`#apply-for option[value="${parent.child}"]`, { state: 'attached' });
    await page.selectOption('#apply-for', parent.child);
    const button = await page.waitForSelector('#clinics-table button.choose-clinic:not([disabled])', { timeout: 20_000 });
    const org = await button.getAttribute('data-org');
    // The table may be drawn again while the page loads (the access log, the cards): click
    // that clinic's button as it is then, as a person would.
    await page.locator(`#clinics-table button.choose-clinic[data-org="${org}"]:not([disabled])`).first().click();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1000);
    assert.equal(await page.$eval('#apply-for', (select) => select.value), parent.child, 'still applying for the child');
    assert.equal(await page.$eval('#apply-org', (select) => select.value), org, 'the clinic chosen is still chosen');
    assert.equal(await page.$$eval('#apply-form', (forms) => forms.length), 1);
    assert.deepEqual(await glitches(page), []);
  } finally {
    await finish(t, session, 'slow-citizen-choice');
  }
});

test('slow server, analytics: the territory chosen last is the one shown', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    await page.addInitScript(watchForGlitches);
    let first = '';
    await slowServer(page, 100, (url) => (first && url.pathname.endsWith('/stats') && url.searchParams.get('region') === first ? 2000 : 0));
    await page.goto(`${BASE_URL}/analytics`);
    await page.selectOption('#analytics-role', 'fund');
    await page.click('#analytics-sign-in-button');
    await page.waitForSelector('#regions-table');
    const [a, b] = await page.$$eval('#analytics-scope option', (options) => options.map((option) => option.value).filter(Boolean).slice(0, 2));
    first = a;
    await page.selectOption('#analytics-scope', a);
    await page.selectOption('#analytics-scope', b);
    await page.waitForSelector('#regions-table');
    // The reply for the first territory lands now; it must change nothing.
    await page.waitForTimeout(2500);
    await page.waitForLoadState('networkidle');
    const chosen = await page.$eval('#analytics-scope', (select) => select.selectedOptions[0].textContent);
    const shown = await page.$$eval('#regions-table tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent));
    assert.deepEqual(shown, [chosen], `the statistics of ${chosen} are shown`);
    assert.deepEqual(await glitches(page), []);
  } finally {
    await finish(t, session, 'slow-analytics-scope');
  }
});
