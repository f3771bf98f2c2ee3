// Analytics for regions and the Fund: the population pyramid, attachment by region, campaign
// flows, district utilisation, refusals by reason and channel, monthly funding (the Fund).

import { type Page } from '../../app';
import { h } from '../../dom';
import { t, type MessageKey } from '../../i18n/i18n';
import { session } from '../../session';
import { errorBox, loading } from '../../ui';
import { canSeeFunding, loadAccounts, loadPage, state } from './state';
import { scopeView, signInView } from './sign-in';
import { osmsView, pyramidView, regionsView, summaryView } from './population';
import { flowsView, refusalsView, utilisationView } from './campaign';
import { fundingView } from './funding';

export const analyticsPage: Page = {
  path: '/analytics',
  title: 'nav.analytics' as MessageKey,
  enter() {
    const current = session.as('region', 'fund', 'admin');
    if (!current) {
      state.loadedFor = '';
      if (!state.accounts) void loadAccounts();
      return;
    }
    const key = `${current.role}:${current.subject}`;
    if (state.loadedFor === key) return;
    state.loadedFor = key;
    state.region = '';
    void loadPage(!state.accounts, canSeeFunding());
  },
  render() {
    const current = session.as('region', 'fund', 'admin');
    const stats = state.stats;
    return h(
      'div',
      { class: 'page analytics' },
      h('h1', null, t('analytics.title')),
      current
        ? [
            scopeView(stats),
            state.statsError ? errorBox(state.statsError) : null,
            !stats && !state.statsError ? loading() : null,
            stats ? [summaryView(stats), pyramidView(stats), regionsView(stats), flowsView(stats), utilisationView(stats), refusalsView(stats), osmsView(stats)] : null,
            canSeeFunding() ? fundingView() : null,
          ]
        : signInView(),
    );
  },
};
