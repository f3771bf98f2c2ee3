// The citizen's flow: attachment shown, an application to a full district refused with
// alternatives, one click on an alternative approved, the talon opened (HTML) and downloaded (PDF).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finish, fixtures, signInAsCitizen, assertChartDrawn } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('citizen: full district refused with alternatives, one click approved, talon', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    const { full, newcomer } = fixtures;
    await signInAsCitizen(page, newcomer);
    // Attached nowhere: the card says so.
    await page.waitForSelector(`.person-card[data-iin="${newcomer}"] .notice.warn`);
    // The clinics of the unit, with the scatter of positions.
    await page.waitForSelector(`#clinics-table button[data-org="${full.org}"]`);
    await assertChartDrawn(page, '#clinic-map');
    await page.click(`#clinics-table button[data-org="${full.org}"]`);
    assert.equal(await page.$eval('#apply-org', (select) => select.value), full.org);
    await page.selectOption('#apply-district', full.district);
    assert.equal(await page.$eval('#apply-basis', (select) => select.value), 'first_attachment');
    await page.click('#apply-submit');

    await page.waitForSelector('#decision[data-decision="refused"]');
    assert.ok(await page.$('#decision li[data-reason="capacity_exceeded"]'), 'refused for capacity');
    const offered = await page.$$eval('#decision .apply-alternative', (buttons) => buttons.map((button) => button.dataset.org));
    assert.ok(offered.length > 0, 'alternatives offered');
    for (const org of offered) assert.ok(full.alternatives.includes(org), `${org} is an open organisation of ${full.ate} with room`);

    await page.click(`#decision .apply-alternative[data-org="${offered[0]}"]`);
    await page.waitForSelector('#decision[data-decision="approved"]');
    await page.waitForSelector(`.person-card[data-iin="${newcomer}"] .attached-org[data-org="${offered[0]}"]`);

    const [talon] = await Promise.all([page.context().waitForEvent('page'), page.click('#talon-html')]);
    await talon.waitForLoadState();
    assert.match(await talon.textContent('body'), new RegExp(newcomer.slice(0, 5)), 'the talon names the person');
    await talon.close();
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('#talon-pdf')]);
    assert.match(pdf.suggestedFilename(), /\.pdf$/);
    // History lists the new period and both applications, the refused one and the approved one.
    await page.waitForSelector('#history .applications-of tbody tr:nth-child(2)');
    assert.ok((await page.$$eval('#history table', (tables) => tables.length)) >= 2);
  } finally {
    await finish(t, session, 'citizen-flow');
  }
});
