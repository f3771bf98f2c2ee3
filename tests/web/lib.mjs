// Shared helpers of the browser tests: one Chromium per test file, pages that fail the test on
// any console error or page error, a screenshot per test, and the language checks.

import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
// playwright-core is a devDependency of web/, not of the repository root.
const requireFromWeb = createRequire(join(repoRoot, 'web', 'package.json'));
const { chromium } = requireFromWeb('playwright-core');

export const BASE_URL = process.env.EMKHANA_URL ?? 'http://127.0.0.1:8080';
export const fixtures = process.env.EMKHANA_FIXTURES ? JSON.parse(readFileSync(process.env.EMKHANA_FIXTURES, 'utf8')) : {};
const SCREENS = process.env.EMKHANA_SCREENS ?? join(repoRoot, 'out', 'web-screens');
mkdirSync(SCREENS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // No network here but loopback: without these flags Chromium keeps trying Google's hosts.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context and page; `problems` collects console errors and page errors. */
export async function openPage(browser, { width = 1280, height = 900, language } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'ru-RU', acceptDownloads: true });
  if (language) await context.addInitScript((lang) => localStorage.setItem('emkhana.lang', lang), language);
  const page = await context.newPage();
  const problems = [];
  const watch = (target) => {
    target.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location()?.url ?? ''})`);
    });
    target.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  watch(page);
  context.on('page', watch);
  page.setDefaultTimeout(15_000);
  return { context, page, problems };
}

/** Ends a test: a screenshot whatever happened, then no console or page error allowed. */
export async function finish(t, { context, page, problems }, name) {
  try {
    await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, [], `console or page errors in ${name}`);
}

export async function signInAsCitizen(page, iin) {
  await page.goto(`${BASE_URL}/citizen`);
  if (iin) {
    await page.fill('#citizen-iin', iin);
    await page.click('#citizen-iin-sign-in');
  } else {
    await page.click('#citizen-sign-in-button');
  }
  await page.waitForSelector('#where .person-card');
}

/** The text a person sees: visible text nodes, leaving out data from the register (translate=no). */
export async function visibleText(page) {
  return page.evaluate(() => {
    const parts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || element.closest('[translate="no"], script, style, noscript, option')) continue;
      if (!element.checkVisibility?.({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      const text = node.textContent.trim();
      if (text) parts.push(text);
    }
    // The chosen option of each select is visible too; its other options are not.
    for (const select of document.querySelectorAll('select')) {
      const option = select.selectedOptions[0];
      if (option && !option.closest('[translate="no"]') && select.checkVisibility?.()) parts.push(option.textContent.trim());
    }
    // Accessible names are read aloud: they count as visible text.
    for (const element of document.querySelectorAll('[aria-label]')) {
      if (!element.closest('[translate="no"]')) parts.push(element.getAttribute('aria-label'));
    }
    return parts.join('\n');
  });
}

/** Texts of one dictionary that are not also texts of another (the strings that betray it). */
export async function dictionaryOnly(page, language, other) {
  return page.evaluate(
    ([lang, otherLang]) => {
      const theirs = new Set(window.emkhanaTexts(otherLang));
      // Placeholders split a template into fixed pieces; any piece of 4+ letters must not show.
      return window
        .emkhanaTexts(lang)
        .filter((text) => !theirs.has(text))
        .flatMap((text) => text.split(/\{\w+\}/))
        .map((piece) => piece.trim().replace(/^[\s:;,.()«»"—-]+|[\s:;,.()«»"—-]+$/g, ''))
        .filter((piece) => piece.length >= 4 && !theirs.has(piece));
    },
    [language, other],
  );
}

/** Asserts that no text of `foreign` dictionaries (and, for en, no Cyrillic) is visible. */
export async function assertOnlyLanguage(page, language, where) {
  const text = await visibleText(page);
  const others = ['kk', 'ru', 'en'].filter((code) => code !== language);
  for (const other of others) {
    const pieces = await dictionaryOnly(page, other, language);
    const found = [...new Set(pieces.filter((piece) => text.includes(piece)))];
    assert.deepEqual(found, [], `${where}: ${other} texts visible in ${language}`);
  }
  if (language === 'en') {
    const cyrillic = text.split('\n').filter((line) => /[\u0400-\u04FF]/.test(line));
    assert.deepEqual(cyrillic, [], `${where}: Cyrillic text visible in en`);
  } else {
    // Dates and months written by the page, not ICU's fallback for a locale it lacks ("2026 M11 23").
    const fallback = text.split('\n').filter((line) => /\b\d{4} M\d{1,2}\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b/.test(line));
    assert.deepEqual(fallback, [], `${where}: dates not in ${language}`);
  }
}

/** How many pixels of a canvas are painted (0 when the chart was never drawn). */
export async function paintedPixels(page, selector) {
  await page.waitForSelector(selector);
  return page.$eval(selector, (canvas) => {
    const { width, height } = canvas;
    if (!width || !height) return 0;
    const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
    return painted;
  });
}

export async function assertChartDrawn(page, selector) {
  const painted = await paintedPixels(page, selector);
  assert.ok(painted > 500, `${selector} is drawn (${painted} painted pixels)`);
}
