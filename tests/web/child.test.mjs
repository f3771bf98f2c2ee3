// A parent applies for a child (the applicant is the parent, signed as the parent).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finish, fixtures, BASE_URL } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("citizen: a parent's application for a child", async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    const { parent } = fixtures;
    await page.goto(`${BASE_URL}/citizen`);
    await page.selectOption('#citizen-pick', parent.iin);
    await page.click('#citizen-sign-in-button');
    await page.waitForSelector(`.person-card[data-iin="${parent.child}"]`);
    await page.selectOption('#apply-for', parent.child);
    await page.waitForSelector('#clinics-table');
    // A change of doctor inside the child's own clinic: allowed at any time.
    const currentOrg = await page.$eval(`.person-card[data-iin="${parent.child}"] .attached-org`, (element) => element.dataset.org).catch(() => null);
    const org = currentOrg ?? (await page.$eval('#clinics-table button.choose-clinic:not([disabled])', (button) => button.dataset.org));
    await page.click(`#clinics-table button[data-org="${org}"]`);
    const currentDistrict = await page.$eval(`.person-card[data-iin="${parent.child}"]  .attached-district`, (element) => element.dataset.district).catch(() => '');
    const districts = await page.$$eval('#apply-district option', (options) => options.map((option) => option.value).filter(Boolean));
    const other = districts.find((id) => id !== currentDistrict);
    if (other) await page.selectOption('#apply-district', other);
    await page.selectOption('#apply-basis', currentOrg ? 'free_choice' : 'first_attachment');
    await page.click('#apply-submit');
    await page.waitForSelector('#decision[data-decision]');
    const reasons = await page.$$eval('#decision li[data-reason]', (items) => items.map((item) => item.dataset.reason));
    assert.ok(!reasons.includes('no_representation'), 'the parent represents the child');
    if (other) {
      assert.equal(await page.$eval('#decision', (element) => element.dataset.decision), 'approved', `reasons: ${reasons}`);
      await page.waitForSelector(`.person-card[data-iin="${parent.child}"]`);
    }
  } finally {
    await finish(t, session, 'citizen-child');
  }
});
