// Languages of the interface: kk, ru (default) and en. The choice is remembered in localStorage;
// every visible text comes from the dictionaries here, data from the register excepted.

import { ru, type Messages } from './ru';
import { kk } from './kk';
import { en } from './en';

export type Language = 'kk' | 'ru' | 'en';
export const LANGUAGES: Language[] = ['kk', 'ru', 'en'];
export type MessageKey = keyof Messages;

const DICTIONARIES: Record<Language, Messages> = { kk, ru, en };
const LOCALES: Record<Language, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };
const STORAGE_KEY = 'emkhana.lang';

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored === 'kk' || stored === 'en' || stored === 'ru' ? stored : 'ru';
}

let language: Language = initialLanguage();
const listeners: Array<() => void> = [];

export function currentLanguage(): Language {
  return language;
}

export function setLanguage(next: Language): void {
  if (next === language) return;
  language = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  listeners.forEach((listener) => listener());
}

export function onLanguageChange(listener: () => void): void {
  listeners.push(listener);
}

/** The text of a key with {placeholders} filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = DICTIONARIES[language][key] ?? ru[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The text of a code from the register (reason, basis, category...), or the code itself when
 *  the dictionary has no entry, so that a new server code is still shown rather than hidden. */
export function tCode(group: string, code: string): string {
  const key = `${group}.${code}` as MessageKey;
  return key in ru ? t(key) : code;
}

export function hasCode(group: string, code: string): boolean {
  return `${group}.${code}` in ru;
}

// Debian's Chromium (and other small ICU builds) has no Kazakh calendar data and would write
// "2026 M11 23": Kazakh dates are written here; numbers follow the Russian grouping (1 234,5),
// which is also the Kazakh one.
const KAZAKH_MONTHS = ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'];
const NUMBER_LOCALES: Record<Language, string> = { kk: 'ru-RU', ru: 'ru-RU', en: 'en-GB' };

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const [year, month, day] = iso.slice(0, 10).split('-').map(Number);
  if (!year || !month || !day) return iso;
  if (language === 'kk') return `${day} ${KAZAKH_MONTHS[month - 1]} ${year} ж.`;
  return new Intl.DateTimeFormat(LOCALES[language], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

export function formatMonth(yearMonth: string): string {
  const [year, month] = yearMonth.split('-').map(Number);
  if (language === 'kk') return `${year} ж. ${KAZAKH_MONTHS[month - 1]}`;
  return new Intl.DateTimeFormat(LOCALES[language], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, month - 1, 1)),
  );
}

export function formatNumber(value: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(NUMBER_LOCALES[language], { maximumFractionDigits: fractionDigits, minimumFractionDigits: fractionDigits }).format(value);
}

export function formatPercent(share: number): string {
  return new Intl.NumberFormat(NUMBER_LOCALES[language], { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

export function formatMoney(tenge: number): string {
  return `${formatNumber(tenge)} ₸`;
}

/** Every text of a dictionary, for the language tests (exposed on window in main.ts). */
export function allTexts(of: Language): string[] {
  return Object.values(DICTIONARIES[of]);
}

/** The text of a key in a given language (for the tests' checks of every reason code). */
export function textIn(of: Language, key: MessageKey): string {
  return DICTIONARIES[of][key];
}
