// The citizen's page ("My clinic"): where I and my children are attached, my OSMS standing,
// the clinics of my unit, an eGov application signed in the browser, its decision, the talon.

import { type Page } from '../../app';
import { h } from '../../dom';
import { t, type MessageKey } from '../../i18n/i18n';
import { session } from '../../session';
import { loadAccounts, loadAll, state } from './state';
import { signInView } from './sign-in';
import { historyView, whereView } from './attachments';
import { clinicsView } from './clinics';
import { applyView } from './apply';

export const citizenPage: Page = {
  path: '/citizen',
  title: 'nav.citizen' as MessageKey,
  enter() {
    const current = session.as('citizen');
    if (!current) {
      state.loadedFor = '';
      if (!state.accounts) void loadAccounts();
    } else if (state.loadedFor !== current.subject) {
      void loadAll();
    }
  },
  render() {
    const current = session.as('citizen');
    return h(
      'div',
      { class: 'page citizen' },
      h('h1', null, t('citizen.title')),
      current ? [whereView(), clinicsView(), applyView(), historyView()] : signInView(),
    );
  },
};
