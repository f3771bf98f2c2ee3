// Languages of the interface: kk, ru (default) and en. The choice is remembered in localStorage;
// every visible text comes from the dictionaries here, data from the register excepted.

import { ru, type Messages } from './ru';
import { kk } from './kk';
import { en } from './en';
import { currentLanguage, type Language } from './language';

export { LANGUAGES, currentLanguage, onLanguageChange, setLanguage, type Language } from './language';
export type MessageKey = keyof Messages;

const DICTIONARIES: Record<Language, Messages> = { kk, ru, en };

/** The text of a key with {placeholders} filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = DICTIONARIES[currentLanguage()][key] ?? ru[key] ?? key;
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

// Dates are written here, not by Intl.DateTimeFormat: Debian's Chromium (and other small ICU
// builds) has no Kazakh calendar data and would write "2026 M11 23", and the first
// DateTimeFormat of a page costs about 60 ms (ICU loads its calendar data), which the analytics
// page cannot afford. The words are ICU's own for ru-RU and en-GB.
const MONTHS: Record<Language, { of: string[]; alone: string[] }> = {
  kk: {
    of: ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'],
    alone: ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'],
  },
  ru: {
    of: ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'],
    alone: ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь'],
  },
  en: {
    of: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    alone: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  },
};

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const [year, month, day] = iso.slice(0, 10).split('-').map(Number);
  if (!year || !month || !day || month > 12) return iso;
  const language = currentLanguage();
  const name = MONTHS[language].of[month - 1];
  if (language === 'kk') return `${day} ${name} ${year} ж.`;
  if (language === 'ru') return `${day} ${name} ${year} г.`;
  return `${day} ${name} ${year}`;
}

/** A moment (Unix microseconds) in the browser's time zone: the date as `formatDate` writes it
 *  and the time of day, 24-hour, to the second. */
export function formatMoment(micros: number): string {
  const moment = new Date(Math.floor(micros / 1000));
  if (!Number.isFinite(micros) || Number.isNaN(moment.getTime())) return '—';
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`;
  return `${formatDate(day)}, ${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}`;
}

export function formatMonth(yearMonth: string): string {
  const [year, month] = yearMonth.split('-').map(Number);
  const language = currentLanguage();
  const name = MONTHS[language].alone[month - 1];
  if (!year || !name) return yearMonth;
  if (language === 'kk') return `${year} ж. ${name}`;
  if (language === 'ru') return `${name} ${year} г.`;
  return `${name} ${year}`;
}

// Numbers are written here too, as ICU writes them for ru-RU (also the Kazakh grouping) and
// en-GB: the first Intl.NumberFormat of a page costs 50 to 130 ms on this kind of machine (ICU
// loads its data), a tenth of the analytics page's budget. Rounding is ICU's: half away from
// zero, on the shortest decimal form of the number.
const SEPARATORS: Record<Language, { group: string; decimal: string; percent: string }> = {
  kk: { group: '\u00a0', decimal: ',', percent: '\u00a0%' },
  ru: { group: '\u00a0', decimal: ',', percent: '\u00a0%' },
  en: { group: ',', decimal: '.', percent: '%' },
};

function writeNumber(value: number, minDigits: number, maxDigits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const { group, decimal } = SEPARATORS[currentLanguage()];
  const negative = value < 0 || Object.is(value, -0);
  const scale = 10 ** maxDigits;
  // toPrecision(15) first: 1.005 × 100 is 100.49999999999999 in binary, 100.5 in decimal.
  const scaled = Math.round(Number((Math.abs(value) * scale).toPrecision(15)));
  let whole = String(Math.floor(scaled / scale));
  let fraction = maxDigits ? String(scaled % scale).padStart(maxDigits, '0') : '';
  while (fraction.length > minDigits && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${negative ? '-' : ''}${whole}${fraction ? decimal + fraction : ''}`;
}

export function formatNumber(value: number, fractionDigits = 0): string {
  return writeNumber(value, fractionDigits, fractionDigits);
}

export function formatPercent(share: number): string {
  return `${writeNumber(share * 100, 0, 1)}${SEPARATORS[currentLanguage()].percent}`;
}

/** An axis's numbers: as many decimals as the step between ticks needs (as Chart.js would). */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const digits = step ? Math.max(0, Math.min(20, -Math.floor(Math.log10(Math.abs(step))))) : 0;
  return formatNumber(value, digits);
}

export function formatMoney(tenge: number): string {
  return `${formatNumber(tenge)} ₸`;
}

/** Every text of a dictionary, for the language tests (exposed on window in start.ts). */
export function allTexts(of: Language): string[] {
  return Object.values(DICTIONARIES[of]);
}
