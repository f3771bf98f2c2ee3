// The language of the interface (kk, ru by default, en), remembered in localStorage. Kept apart
// from the dictionaries so that the small entry script can send requests in it (src/early.ts).

export type Language = 'kk' | 'ru' | 'en';
export const LANGUAGES: Language[] = ['kk', 'ru', 'en'];

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
