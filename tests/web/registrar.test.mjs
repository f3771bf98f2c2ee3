// The registrar: districts against capacity, a person found by IIN, a paper application
// (clinic_paper) decided at once, the applications list with a filter and its CSV export.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openPage, finish, fixtures, BASE_URL, assertChartDrawn } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('registrar: panels, paper application, applications and CSV', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    const { registrar } = fixtures;
    await page.goto(`${BASE_URL}/registrar`);
    await page.selectOption('#registrar-pick', registrar.org);
    await page.click('#registrar-sign-in-button');

    // Panels against capacity: a row and a bar per district, and the chart.
    await page.waitForSelector('#panels-table tbody tr');
    const rows = await page.$$eval('#panels-table tbody tr', (items) => items.length);
    const meters = await page.$$eval('#panels-table .meter', (items) => items.length);
    assert.ok(rows > 0 && meters === rows, `${rows} districts with their bars`);
    await assertChartDrawn(page, '#panels-chart');
    await page.click('#panels-table button.show-panel');
    await page.waitForSelector('#panel-list .iin-list');
    await page.waitForSelector('#moves h2');

    // Find the person, then put them into the paper form.
    await page.fill('#find-iin', registrar.pensioner);
    await page.click('#find-submit');
    await page.waitForSelector('#found-person');
    await page.click('#find-use');
    assert.equal(await page.inputValue('#paper-iin'), registrar.pensioner);
    await page.selectOption('#paper-basis', 'first_attachment');
    await page.check('#paper-doc-residence_proof');
    await page.click('#paper-submit');
    await page.waitForSelector('#paper-decision[data-decision="approved"]');
    const id = (await page.textContent('#paper-decision .hint')).split(':').pop().trim();

    // The new application is in the list; the filter keeps it among the approved.
    await page.waitForSelector('#applications-table');
    await page.selectOption('#filter-status', 'approved');
    await page.click('#filter-apply');
    // The list shown is the filtered one (not the one drawn before the reply came).
    await page.waitForSelector('#applications-table[data-status="approved"]');
    await page.waitForFunction((wanted) => document.querySelector('#applications-table')?.textContent.includes(wanted), id);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    assert.ok(csv.includes(id) && csv.includes('clinic_paper'), 'the CSV has the application');
    assert.ok(!/,refused,/.test(csv), 'the filter applies to the export');
  } finally {
    await finish(t, session, 'registrar');
  }
});
