// The language switch: every visible text of every page changes (kk, en, back to ru), the
// choice survives a reload, and every refusal reason has its words in each language.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, finish, fixtures, BASE_URL, assertOnlyLanguage, repoRoot } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function switchTo(page, language) {
  await page.click(`#lang-${language}`);
  await page.waitForFunction((lang) => document.documentElement.lang === lang, language);
}

async function checkAllLanguages(page, where) {
  for (const language of ['kk', 'en', 'ru']) {
    await switchTo(page, language);
    await assertOnlyLanguage(page, language, `${where} (${language})`);
  }
}

test('language: every page in kk, en and ru', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    await page.goto(`${BASE_URL}/`);
    await checkAllLanguages(page, 'home');

    // Citizen, with a refusal on screen so that reason texts are checked too.
    await page.goto(`${BASE_URL}/citizen`);
    await page.waitForSelector('#citizen-pick');
    await checkAllLanguages(page, 'citizen sign-in');
    await page.selectOption('#citizen-pick', fixtures.parent.iin);
    await page.click('#citizen-sign-in-button');
    await page.waitForSelector('#clinics-table');
    const org = await page.$eval('#clinics-table button.choose-clinic:not([disabled])', (button) => button.dataset.org);
    await page.click(`#clinics-table button[data-org="${org}"]`);
    await page.selectOption('#apply-basis', 'org_closed');
    await page.click('#apply-submit');
    await page.waitForSelector('#decision[data-decision]');
    await checkAllLanguages(page, 'citizen');
    await page.click('#sign-out');

    await page.goto(`${BASE_URL}/registrar`);
    await page.selectOption('#registrar-pick', fixtures.registrar.org);
    await page.click('#registrar-sign-in-button');
    await page.waitForSelector('#panels-table');
    await page.waitForSelector('#applications-table, #applications .notice');
    await checkAllLanguages(page, 'registrar');
    await page.click('#sign-out');

    await page.goto(`${BASE_URL}/analytics`);
    await page.selectOption('#analytics-role', 'fund');
    await page.click('#analytics-sign-in-button');
    await page.waitForSelector('#funding-table');
    await page.waitForSelector('#refusals-table');
    await checkAllLanguages(page, 'analytics');

    // Remembered: a reload keeps English.
    await switchTo(page, 'en');
    await page.reload();
    await page.waitForSelector('#lang-en[aria-pressed="true"]');
    assert.equal(await page.evaluate(() => localStorage.getItem('emkhana.lang')), 'en');
    await page.waitForSelector('#pyramid-chart');
    await assertOnlyLanguage(page, 'en', 'analytics after reload');
  } finally {
    await finish(t, session, 'language');
  }
});

test('language: every refusal reason in kk, ru, en; ru as in DOMAIN.md', async (t) => {
  const session = await openPage(browser);
  const { page } = session;
  try {
    await page.goto(`${BASE_URL}/`);
    const reasons = await page.evaluate(() => window.emkhanaReasons());
    const codes = Object.keys(reasons.ru);
    assert.equal(codes.length, 17);
    for (const language of ['kk', 'en']) {
      for (const code of codes) {
        assert.ok(reasons[language][code] && reasons[language][code] !== code, `${language} ${code}`);
        assert.notEqual(reasons[language][code], reasons.ru[code], `${language} ${code} is translated`);
      }
    }
    const domain = join(repoRoot, 'docs', 'domain.md');
    for (const line of readFileSync(domain, 'utf8').split('\n')) {
      const match = /^\| ([a-z_]+) \| (.+) \|$/.exec(line);
      if (match && codes.includes(match[1])) assert.equal(reasons.ru[match[1]], match[2].trim(), `ru text of ${match[1]}`);
    }
  } finally {
    await finish(t, session, 'language-reasons');
  }
});
