// The application, loaded by the entry script (main.ts): registers the pages and starts the
// single-page application.

import { registerPage, start } from './app';
import { LANGUAGES, allTexts, textIn, type MessageKey } from './i18n/i18n';
import { REASONS } from './model';
import { analyticsPage } from './pages/analytics/index';
import { citizenPage } from './pages/citizen/index';
import { homePage } from './pages/home';
import { registrarPage } from './pages/registrar/index';

registerPage(homePage);
registerPage(citizenPage);
registerPage(registrarPage);
registerPage(analyticsPage);

// The language tests compare the visible text with the dictionaries.
const reasonTexts = () =>
  Object.fromEntries(LANGUAGES.map((language) => [language, Object.fromEntries(REASONS.map((code) => [code, textIn(language, `reason.${code}` as MessageKey)]))]));
Object.assign(window, { emkhanaTexts: allTexts, emkhanaReasons: reasonTexts });

start(document.getElementById('app')!);
