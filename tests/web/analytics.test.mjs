// Analytics: the Fund sees the country, a region and the funding; a region sees its own.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finish, BASE_URL, assertChartDrawn } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const CHARTS = ['#pyramid-chart', '#regions-chart', '#flows-chart', '#utilisation-chart', '#refusals-chart'];

test('analytics (Fund): every chart drawn, a region chosen, funding shown', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    await page.goto(`${BASE_URL}/analytics`);
    await page.selectOption('#analytics-role', 'fund');
    await page.click('#analytics-sign-in-button');
    for (const chart of [...CHARTS, '#funding-chart']) await assertChartDrawn(page, chart);
    assert.ok((await page.$$eval('#regions-table tbody tr', (rows) => rows.length)) >= 17, 'all regions listed');
    assert.ok((await page.$$eval('#funding-table tbody tr', (rows) => rows.length)) > 0, 'funding by organisation');
    assert.ok((await page.$$eval('#refusals-table tbody tr', (rows) => rows.length)) > 0, 'refusals by reason');

    const region = await page.$eval('#analytics-scope option:nth-child(2)', (option) => option.value);
    await page.selectOption('#analytics-scope', region);
    await page.waitForFunction(() => !document.querySelector('#summary') || document.querySelector('#pyramid-chart'));
    await page.waitForSelector('#pyramid-chart');
    await assertChartDrawn(page, '#pyramid-chart');
  } finally {
    await finish(t, session, 'analytics-fund');
  }
});

test('analytics (region): its own region, no funding', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    await page.goto(`${BASE_URL}/analytics`);
    await page.selectOption('#analytics-role', 'region');
    await page.click('#analytics-sign-in-button');
    await assertChartDrawn(page, '#pyramid-chart');
    await assertChartDrawn(page, '#utilisation-chart');
    assert.equal(await page.$('#funding'), null, 'a region does not see the funding');
  } finally {
    await finish(t, session, 'analytics-region');
  }
});
