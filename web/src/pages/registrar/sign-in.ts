// Demo sign-in of a registrar and the header naming their organisation.

import { data, h } from '../../dom';
import { signIn } from '../../demo';
import { t } from '../../i18n/i18n';
import { unitLabel } from '../../labels';
import { errorBox, field, loading, section, select } from '../../ui';
import { signInFrom } from '../role-page';
import { state } from './state';

export function signInView(): HTMLElement {
  const registrars = state.accounts?.registrars ?? [];
  return section(
    'registrar-sign-in',
    t('auth.signInTitle'),
    h('p', null, t('registrar.signInIntro')),
    state.accountsError ? errorBox(state.accountsError) : null,
    !state.accounts && !state.accountsError ? loading() : null,
    registrars.length
      ? h(
          'form',
          {
            class: 'inline-form',
            onsubmit: (event: Event) => {
              event.preventDefault();
              const chosen = registrars.find((registrar) => registrar.org === state.pick);
              void signInFrom(state, () => signIn('registrar', state.pick, chosen?.name));
            },
          },
          field(
            'registrar-pick',
            t('registrar.pick'),
            select(
              registrars.map((registrar): [string, string, boolean] => [registrar.org, `${registrar.name} · ${registrar.org} · ${unitLabel(registrar.ate)}`, true]),
              state.pick,
              (value) => (state.pick = value),
            ),
          ),
          h('button', { type: 'submit', id: 'registrar-sign-in-button', disabled: state.signingIn }, t('auth.signIn')),
        )
      : null,
    state.signInError ? errorBox(state.signInError) : null,
  );
}

export function orgHeader(): HTMLElement {
  const org = state.org;
  return h(
    'div',
    { class: 'org-header' },
    state.orgError ? errorBox(state.orgError) : null,
    org
      ? h('p', { class: 'lead' }, data(org.name), ` · ${org.id} · ${unitLabel(org.ate)}`)
      : !state.orgError
        ? loading()
        : null,
  );
}
