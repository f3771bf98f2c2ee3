// A 360 px phone: nothing wider than the screen on any page; the keyboard reaches the content.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finish, fixtures, BASE_URL } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function assertFits(page, where) {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
  assert.ok(widths.page <= widths.view, `${where}: ${widths.page} px wide on a ${widths.view} px screen`);
}

test('phone 360 px: every page fits', async (t) => {
  const session = await openPage(browser, { width: 360, height: 740 });
  const { page } = session;
  try {
    await page.goto(`${BASE_URL}/`);
    await assertFits(page, 'home');
    await page.goto(`${BASE_URL}/citizen`);
    await page.selectOption('#citizen-pick', fixtures.parent.iin);
    await page.click('#citizen-sign-in-button');
    await page.waitForSelector('#clinic-map');
    await assertFits(page, 'citizen');
    await page.click('#sign-out');
    await page.goto(`${BASE_URL}/registrar`);
    await page.selectOption('#registrar-pick', fixtures.registrar.org);
    await page.click('#registrar-sign-in-button');
    await page.waitForSelector('#panels-chart');
    await assertFits(page, 'registrar');
    await page.click('#sign-out');
    await page.goto(`${BASE_URL}/analytics`);
    await page.selectOption('#analytics-role', 'fund');
    await page.click('#analytics-sign-in-button');
    await page.waitForSelector('#funding-chart');
    await assertFits(page, 'analytics');
  } finally {
    await finish(t, session, 'phone-360');
  }
});

test('keyboard: skip link, navigation and sign-in without a mouse', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    await page.goto(`${BASE_URL}/`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await page.focus('#nav-citizen');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#citizen-pick');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'focus moves to the new page');
    await page.focus('#citizen-pick');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'citizen-sign-in-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#where .person-card');
    // Every form control has a label tied to it: checked once the page has settled (a slow server
    // leaves the forms half re-rendered for a moment while the last replies arrive).
    await page.waitForLoadState('networkidle');
    await page
      .waitForFunction(() => [...document.querySelectorAll('input, select')].every((c) => c.labels?.length > 0), null, { timeout: 5000 })
      .catch(() => {});
    const unlabelled = await page.$$eval('input, select', (controls) =>
      controls.filter((control) => !control.labels || control.labels.length === 0).map((control) => control.id || control.outerHTML.slice(0, 60)),
    );
    assert.deepEqual(unlabelled, []);
  } finally {
    await finish(t, session, 'keyboard');
  }
});
