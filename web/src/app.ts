// Rendering and routing of the single page: the shell (header, language switch, navigation)
// around the page of the current path. A page re-renders whole; focus is restored by element id.

import { h, measure } from './dom';
import { LANGUAGES, currentLanguage, onLanguageChange, setLanguage, t, type Language, type MessageKey } from './i18n/i18n';
import { session } from './session';
import { mountCharts } from './charts';

export interface Page {
  path: string;
  title: MessageKey;
  render(): HTMLElement;
  /** Called when the page is entered (load what it needs). */
  enter?(): void;
}

const pages: Page[] = [];
let root: HTMLElement;
let renderQueued = false;
/** Whether the state has changed since the last render. */
let stale = false;

export function registerPage(page: Page): void {
  pages.push(page);
}

function currentPage(): Page {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  return pages.find((page) => page.path === path) ?? pages.find((page) => page.path === '/')!;
}

export function navigate(path: string): void {
  if (location.pathname !== path) history.pushState(null, '', path);
  enterCurrent();
}

/** Schedules one re-render for all the state changes of this task. A render already asked for
 *  is dropped if the page has been rendered since (entering a page renders it at once): drawing
 *  the same state twice would rebuild every form under the person filling it. */
export function requestRender(): void {
  stale = true;
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    if (stale) render();
  });
}

const AUTONYMS: Record<Language, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

function languageSwitch(): HTMLElement {
  return h(
    'div',
    { class: 'lang-switch', role: 'group', 'aria-label': t('nav.language') },
    LANGUAGES.map((language) =>
      h(
        'button',
        {
          type: 'button',
          id: `lang-${language}`,
          lang: language,
          translate: 'no',
          'aria-pressed': String(language === currentLanguage()),
          onclick: () => setLanguage(language),
        },
        AUTONYMS[language],
      ),
    ),
  );
}

function navigation(active: Page): HTMLElement {
  const links: Array<[string, MessageKey]> = [
    ['/citizen', 'nav.citizen'],
    ['/registrar', 'nav.registrar'],
    ['/analytics', 'nav.analytics'],
  ];
  return h(
    'nav',
    { 'aria-label': t('nav.main') },
    h(
      'ul',
      null,
      links.map(([path, label]) =>
        h(
          'li',
          null,
          h(
            'a',
            {
              href: path,
              id: `nav-${path.slice(1)}`,
              'aria-current': active.path === path ? 'page' : null,
              onclick: (event: Event) => {
                event.preventDefault();
                navigate(path);
              },
            },
            t(label),
          ),
        ),
      ),
    ),
  );
}

function signedInBar(): HTMLElement | null {
  const current = session.current();
  if (!current) return null;
  return h(
    'div',
    { class: 'signed-in' },
    h('span', null, t('auth.signedInAs', { role: t(`role.${current.role}` as MessageKey) }), ' ', current.name ? h('span', { translate: 'no', class: 'data' }, current.name) : current.subject),
    h('button', { type: 'button', id: 'sign-out', class: 'link', onclick: () => session.set(null) }, t('auth.signOut')),
  );
}

/** The page's content, timed (the DOM it builds, before the browser lays it out). */
function built(page: Page): HTMLElement {
  const started = performance.now();
  const content = page.render();
  measure(`emkhana:build ${page.path}`, started);
  return content;
}

function render(): void {
  stale = false;
  const started = performance.now();
  const page = currentPage();
  const focusedId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
  document.title = `${t(page.title)} · ${t('app.name')}`;
  document.documentElement.lang = currentLanguage();
  const shell = h(
    'div',
    { class: 'shell' },
    h('a', { class: 'skip-link', href: '#main' }, t('nav.skip')),
    h(
      'header',
      { class: 'top' },
      h(
        'a',
        {
          class: 'brand',
          href: '/',
          id: 'nav-home',
          onclick: (event: Event) => {
            event.preventDefault();
            navigate('/');
          },
        },
        t('app.name'),
      ),
      navigation(page),
      languageSwitch(),
    ),
    signedInBar(),
    h('main', { id: 'main', tabindex: '-1' }, built(page)),
    h('footer', null, t('app.footer')),
  );
  root.replaceChildren(shell);
  mountCharts();
  if (focusedId) document.getElementById(focusedId)?.focus();
  measure(`emkhana:render ${page.path}`, started);
}

let lastPath = '';
let wasEntered = false;
function enterCurrent(): void {
  const page = currentPage();
  const changed = page.path !== lastPath;
  lastPath = page.path;
  page.enter?.();
  render();
  // Moving to another page puts the focus at its start (not on the first load).
  if (changed && wasEntered) document.getElementById('main')?.focus({ preventScroll: true });
  wasEntered = true;
}

export function start(element: HTMLElement): void {
  root = element;
  onLanguageChange(render);
  session.onChange(enterCurrent);
  window.addEventListener('popstate', enterCurrent);
  enterCurrent();
}
