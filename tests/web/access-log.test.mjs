// Who looked at my record (issue 23, point 7): a registrar, an admin and a stranger read a parent's
// and a child's records through the API; the parent's page lists those reads (the stranger's
// refused, with the IIN masked), newest first, in kk, ru and en. Then an empty log and a log the
// server cannot give, with replies made up in the browser.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finish, fixtures, signInAsCitizen, assertOnlyLanguage, BASE_URL } from './lib.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function api(path, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body) headers['Content-Type'] = 'application/json';
  const response = await fetch(BASE_URL + path, { method: body ? 'POST' : 'GET', headers, body: body ? JSON.stringify(body) : undefined });
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function tokenOf(role, subject) {
  const reply = await api('/api/v1/demo/sign-in', { body: { role, subject } });
  assert.equal(reply.status, 200, `demo sign-in as ${role} ${subject}`);
  return reply.body.token;
}

const masked = (iin) => `${iin.slice(0, 5)}*****${iin.slice(10)}`;

/** Reads reach the audit with the server's next batch: waits until the log has what is wanted. */
async function waitForLog(iin, token, wanted) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const reply = await api(`/api/v1/persons/${iin}/access-log`, { token });
    assert.equal(reply.status, 200, `the access log of ${iin}`);
    if (wanted(reply.body.entries)) return;
    assert.ok(Date.now() < deadline, `the reads reached the access log of ${iin}: ${JSON.stringify(reply.body.entries)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The rows of a person's log as the page shows them. */
async function logRows(page, iin) {
  const toggle = await page.$(`#access-log-${iin}-table-toggle[aria-expanded="false"]`);
  if (toggle) await toggle.click();
  return page.$$eval(`#access-log .access-log[data-iin="${iin}"] tbody tr`, (rows) =>
    rows.map((row) => ({
      at: row.querySelector('time')?.getAttribute('datetime') ?? '',
      role: row.querySelector('.access-who')?.dataset.role,
      who: row.querySelector('.access-who')?.dataset.who,
      whoText: row.querySelector('.access-who')?.textContent ?? '',
      read: row.querySelector('.access-what')?.dataset.read,
      readText: row.querySelector('.access-what')?.textContent ?? '',
      refused: row.querySelector('[data-refused]')?.dataset.refused === 'true',
      outcome: row.querySelector('[data-refused]')?.textContent ?? '',
    })),
  );
}

const WORDS = {
  kk: { title: 'Менің деректерімді кім қарады', registrar: 'тіркеуші', admin: 'әкімші', citizen: 'азамат', profile: 'Жеке деректер', attachment: 'Емханаға тіркелу', history: 'Тіркелу тарихы', granted: 'берілді', refused: 'берілмеді' },
  ru: { title: 'Кто просматривал мои данные', registrar: 'регистратор', admin: 'администратор', citizen: 'гражданин', profile: 'Личные данные', attachment: 'Прикрепление к поликлинике', history: 'История прикрепления', granted: 'предоставлен', refused: 'отказано' },
  en: { title: 'Who looked at my record', registrar: 'registrar', admin: 'administrator', citizen: 'citizen', profile: 'Personal details', attachment: 'Clinic attachment', history: 'Attachment history', granted: 'granted', refused: 'refused' },
};

test("access log: the reads of a parent's and a child's records, in kk, ru and en", async (t) => {
  const { parent, registrar, newcomer } = fixtures;
  const org = registrar.org;
  const admin = `access-log-${Date.now()}`;
  const [registrarToken, adminToken, strangerToken, parentToken] = await Promise.all([
    tokenOf('registrar', org),
    tokenOf('admin', admin),
    tokenOf('citizen', newcomer),
    tokenOf('citizen', parent.iin),
  ]);
  assert.equal((await api(`/api/v1/persons/${parent.iin}`, { token: registrarToken })).status, 200, 'a registrar reads the parent');
  assert.equal((await api(`/api/v1/persons/${parent.child}/attachment`, { token: registrarToken })).status, 200, "a registrar reads the child's attachment");
  assert.equal((await api(`/api/v1/persons/${parent.iin}/history`, { token: adminToken })).status, 200, "an admin reads the parent's history");
  assert.equal((await api(`/api/v1/persons/${parent.iin}`, { token: strangerToken })).status, 404, 'a stranger is refused');
  await waitForLog(parent.iin, parentToken, (entries) => entries.some((entry) => entry.refused) && entries.some((entry) => entry.role === 'admin' && entry.who === admin));
  await waitForLog(parent.child, parentToken, (entries) => entries.some((entry) => entry.role === 'registrar' && entry.who === org));

  const session = await openPage(browser, { language: 'kk' });
  const { page } = session;
  try {
    await signInAsCitizen(page, parent.iin);
    await page.waitForSelector(`#access-log .access-log[data-iin="${parent.iin}"] tbody tr`);
    await page.waitForSelector(`#access-log .access-log[data-iin="${parent.child}"] tbody tr`);

    for (const language of ['kk', 'ru', 'en']) {
      if (language !== 'kk') {
        await page.click(`#lang-${language}`);
        await page.waitForFunction((lang) => document.documentElement.lang === lang, language);
      }
      const words = WORDS[language];
      assert.equal((await page.textContent('#access-log-title')).trim(), words.title, `${language}: the section's title`);

      const mine = await logRows(page, parent.iin);
      const times = mine.map((row) => row.at);
      assert.ok(times.every(Boolean), `${language}: each read has its time`);
      assert.deepEqual(times, [...times].sort().reverse(), `${language}: newest first`);

      const byRegistrar = mine.find((row) => row.role === 'registrar' && row.who === org && row.read === 'persons');
      assert.ok(byRegistrar, `${language}: the registrar's read of the parent is listed: ${JSON.stringify(mine)}`);
      assert.ok(byRegistrar.whoText.startsWith(`${words.registrar}: `), `${language}: the registrar named by role: ${byRegistrar.whoText}`);
      assert.equal(byRegistrar.readText, words.profile);
      assert.equal(byRegistrar.outcome, words.granted);
      assert.equal(byRegistrar.refused, false);

      const byAdmin = mine.find((row) => row.role === 'admin' && row.who === admin);
      assert.ok(byAdmin, `${language}: the admin's read is listed`);
      assert.equal(byAdmin.whoText, `${words.admin}: ${admin}`);
      assert.equal(byAdmin.read, 'persons_history');
      assert.equal(byAdmin.readText, words.history);

      const byStranger = mine.find((row) => row.refused && row.role === 'citizen' && row.who === masked(newcomer));
      assert.ok(byStranger, `${language}: the stranger's refused attempt is listed, the IIN masked: ${JSON.stringify(mine)}`);
      assert.equal(byStranger.whoText, `${words.citizen}: ${masked(newcomer)}`);
      assert.equal(byStranger.outcome, words.refused);
      assert.ok(!(await page.textContent('#access-log')).includes(newcomer), `${language}: the stranger's IIN is not shown whole`);

      const theChild = await logRows(page, parent.child);
      const childRead = theChild.find((row) => row.role === 'registrar' && row.who === org && row.read === 'persons_attachment');
      assert.ok(childRead, `${language}: the registrar's read of the child is listed: ${JSON.stringify(theChild)}`);
      assert.equal(childRead.readText, words.attachment);

      await assertOnlyLanguage(page, language, `access log (${language})`);
    }
  } finally {
    await finish(t, session, 'access-log');
  }
});

test('access log: an empty log and a log the server cannot give', async (t) => {
  const { parent } = fixtures;
  const session = await openPage(browser, { language: 'ru' });
  const { page, problems } = session;
  try {
    const title = { kk: 'Аудит қазір оқылмайды', ru: 'Журнал сейчас недоступен', en: 'The audit cannot be read now' };
    await page.route(`**/api/v1/persons/*/access-log*`, async (route) => {
      const iin = new URL(route.request().url()).pathname.split('/')[4];
      if (iin === parent.child) {
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ iin, entries: [] }) });
      } else {
        const problem = { type: 'about:blank', title: title.en, status: 503, code: 'unavailable', titles: title };
        await route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify(problem) });
      }
    });
    await signInAsCitizen(page, parent.iin);
    const empty = await page.waitForSelector(`#access-log .access-log[data-iin="${parent.child}"] .access-log-empty`);
    assert.equal((await empty.textContent()).trim(), 'Обращений к этим данным пока не записано.');
    const error = await page.waitForSelector(`#access-log .access-log[data-iin="${parent.iin}"] .notice.error[role="alert"]`);
    assert.equal((await error.textContent()).trim(), title.ru);
    assert.equal(await page.$$eval('#access-log table', (tables) => tables.length), 0, 'no table without entries');
  } finally {
    // The made-up 503 is the one console error expected (Chromium reports the failed load).
    const expected = problems.filter((problem) => /status of 503/.test(problem));
    problems.splice(0, problems.length, ...problems.filter((problem) => !expected.includes(problem)));
    await finish(t, session, 'access-log-empty-and-error');
  }
});
