// The start page: what the register is and the three ways in.

import { navigate, type Page } from '../app';
import { h } from '../dom';
import { t, type MessageKey } from '../i18n/i18n';

function entry(path: string, title: MessageKey, text: MessageKey): HTMLElement {
  return h(
    'li',
    { class: 'card entry' },
    h('h2', null, h('a', { href: path, onclick: (event: Event) => (event.preventDefault(), navigate(path)) }, t(title))),
    h('p', null, t(text)),
  );
}

export const homePage: Page = {
  path: '/',
  title: 'home.title',
  render() {
    return h(
      'div',
      { class: 'page home' },
      h('h1', null, t('home.title')),
      h('p', { class: 'lead' }, t('home.intro')),
      h('ul', { class: 'entries' }, entry('/citizen', 'nav.citizen', 'home.citizen'), entry('/registrar', 'nav.registrar', 'home.registrar'), entry('/analytics', 'nav.analytics', 'home.analytics')),
      h('p', { class: 'hint' }, t('home.synthetic')),
    );
  },
};
