// The application, loaded by the entry script (main.ts): registers the pages and starts the
// single-page application.

import { registerPage, start } from './app';
import { LANGUAGES, allTexts, type Language } from './i18n/i18n';
import { REASON_TEXTS } from './labels';
import { analyticsPage } from './pages/analytics/index';
import { citizenPage } from './pages/citizen/index';
import { homePage } from './pages/home';
import { registrarPage } from './pages/registrar/index';

registerPage(homePage);
registerPage(citizenPage);
registerPage(registrarPage);
registerPage(analyticsPage);

// The language tests compare the visible text with the dictionaries and the reasons' texts.
const reasonTexts = () =>
  Object.fromEntries(LANGUAGES.map((language) => [language, Object.fromEntries(Object.entries(REASON_TEXTS).map(([code, texts]) => [code, texts?.[language]]))]));
const texts = (language: Language) => [...allTexts(language), ...Object.values(REASON_TEXTS).map((reason) => reason?.[language] ?? '')];
Object.assign(window, { emkhanaTexts: texts, emkhanaReasons: reasonTexts });

start(document.getElementById('app')!);
