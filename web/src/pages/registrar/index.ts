// The registrar's page: find a person, enter a paper application (clinic_paper), the districts'
// panels against capacity, the moves pending for 1 January, the applications with filters and CSV.

import { type Page } from '../../app';
import { h } from '../../dom';
import { t, type MessageKey } from '../../i18n/i18n';
import { session } from '../../session';
import { loadAccounts, loadAll, state } from './state';
import { orgHeader, signInView } from './sign-in';
import { findView, paperView } from './paper';
import { movesView, panelsView } from './panels';
import { applicationsView } from './applications';

export const registrarPage: Page = {
  path: '/registrar',
  title: 'nav.registrar' as MessageKey,
  enter() {
    const current = session.as('registrar');
    if (!current) {
      state.loadedFor = '';
      if (!state.accounts) void loadAccounts();
    } else if (state.loadedFor !== current.subject) {
      void loadAll();
    }
  },
  render() {
    const current = session.as('registrar');
    return h(
      'div',
      { class: 'page registrar' },
      h('h1', null, t('registrar.title')),
      current ? [orgHeader(), findView(), paperView(), panelsView(), movesView(), applicationsView()] : signInView(),
    );
  },
};
