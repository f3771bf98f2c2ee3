// Demo sign-in of a citizen: from the generated list or by IIN.

import { ApiError } from '../../api';
import { requestRender } from '../../app';
import { h } from '../../dom';
import { signIn } from '../../demo';
import { t } from '../../i18n/i18n';
import { errorBox, field, loading, section, select } from '../../ui';
import { unitLabel } from '../../labels';
import { signInFrom } from '../role-page';
import { state } from './state';

export function signInView(): HTMLElement {
  const accounts = state.accounts;
  const citizens = accounts?.citizens ?? [];
  const doSignIn = async (iin: string) => {
    if (!/^\d{12}$/.test(iin)) {
      state.signInError = new ApiError({ status: 400, code: 'invalid_iin', title: t('citizen.iinInvalid'), detail: 'expected 12 digits', titles: { kk: t('citizen.iinInvalid'), ru: t('citizen.iinInvalid'), en: t('citizen.iinInvalid') } });
      requestRender();
      return;
    }
    const citizen = citizens.find((entry) => entry.iin === iin);
    await signInFrom(state, () => signIn('citizen', iin, citizen?.name));
  };
  return section(
    'citizen-sign-in',
    t('auth.signInTitle'),
    h('p', null, t('citizen.signInIntro')),
    state.accountsError ? errorBox(state.accountsError) : null,
    !accounts && !state.accountsError ? loading() : null,
    citizens.length
      ? h(
          'form',
          {
            class: 'inline-form',
            onsubmit: (event: Event) => {
              event.preventDefault();
              void doSignIn(state.pick);
            },
          },
          field(
            'citizen-pick',
            t('citizen.pickPerson'),
            select(
              citizens.map((citizen): [string, string, boolean] => [
                citizen.iin,
                `${citizen.name} · ${t('common.ageYears', { age: citizen.age })} · ${unitLabel(citizen.ate)}${citizen.children.length ? ` · ${t('citizen.childrenCount', { count: citizen.children.length })}` : ''}`,
                true,
              ]),
              state.pick,
              (value) => (state.pick = value),
            ),
          ),
          h('button', { type: 'submit', id: 'citizen-sign-in-button', disabled: state.signingIn }, t('auth.signIn')),
        )
      : null,
    h(
      'form',
      {
        class: 'inline-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void doSignIn(state.manualIin.trim());
        },
      },
      field(
        'citizen-iin',
        t('citizen.orIin'),
        h('input', {
          type: 'text',
          inputmode: 'numeric',
          autocomplete: 'off',
          pattern: '\\d{12}',
          maxlength: '12',
          value: state.manualIin,
          oninput: (event: Event) => (state.manualIin = (event.target as HTMLInputElement).value),
        }),
      ),
      h('button', { type: 'submit', id: 'citizen-iin-sign-in', disabled: state.signingIn }, t('auth.signIn')),
    ),
    state.signInError ? errorBox(state.signInError) : null,
  );
}
