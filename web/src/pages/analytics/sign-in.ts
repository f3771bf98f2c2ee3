// Demo sign-in as a region or the Fund, and the choice of territory.

import { requestRender } from '../../app';
import { h } from '../../dom';
import { signIn } from '../../demo';
import { formatDate, t } from '../../i18n/i18n';
import { regionName } from '../../labels';
import { session, type Role } from '../../session';
import { errorBox, field, section, select } from '../../ui';
import { signInFrom } from '../role-page';
import type { Stats } from '../../model';
import { loadStats, state } from './state';

export function signInView(): HTMLElement {
  const regions = state.accounts?.regions ?? [];
  return section(
    'analytics-sign-in',
    t('auth.signInTitle'),
    h('p', null, t('analytics.signInIntro')),
    state.accountsError ? errorBox(state.accountsError) : null,
    h(
      'form',
      {
        class: 'inline-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void signInFrom(state, () => (state.role === 'region' ? signIn('region', state.pickRegion, regionName(state.pickRegion)) : signIn('fund', 'fund', t('role.fund'))));
        },
      },
      field(
        'analytics-role',
        t('analytics.role'),
        select(
          [
            ['region', t('role.region')],
            ['fund', t('role.fund')],
          ],
          state.role,
          (value) => {
            state.role = value as Role;
            requestRender();
          },
        ),
      ),
      state.role === 'region'
        ? field(
            'analytics-region-pick',
            t('analytics.region'),
            select(
              regions.map((region) => [region.code, regionName(region.code)]),
              state.pickRegion,
              (value) => (state.pickRegion = value),
            ),
          )
        : null,
      h('button', { type: 'submit', id: 'analytics-sign-in-button', disabled: state.signingIn || (state.role === 'region' && !state.pickRegion) }, t('auth.signIn')),
    ),
    state.signInError ? errorBox(state.signInError) : null,
  );
}

export function scopeView(stats: Stats | undefined): HTMLElement {
  const regions = state.accounts?.regions ?? stats?.regions?.map((region) => ({ code: region.region, name: region.region })) ?? [];
  const isRegion = !!session.as('region');
  return h(
    'div',
    { class: 'row scope' },
    isRegion
      ? h('p', { class: 'lead' }, t('analytics.scopeRegion', { region: regionName(session.current()!.subject) }))
      : field(
          'analytics-scope',
          t('analytics.scope'),
          select([['', t('analytics.country')], ...regions.map((region): [string, string] => [region.code, regionName(region.code)])], state.region, (value) => {
            state.region = value;
            void loadStats();
          }),
        ),
    stats ? h('p', { class: 'hint' }, t('analytics.asOf', { date: formatDate(stats.date) })) : null,
  );
}
