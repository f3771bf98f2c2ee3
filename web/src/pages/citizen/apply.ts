// The application form (with the campaign rules from the policy), the decision in words,
// alternatives applicable in one click, the talon.

import { openAuthorised } from '../../api';
import { requestRender } from '../../app';
import { h } from '../../dom';
import { formatDate, formatNumber, t, tCode } from '../../i18n/i18n';
import { BASES, campaignWindow, districtKind, isBasis, servesAge, today } from '../../model';
import { knownOrganisation } from '../../organisations';
import { button, checkbox, errorBox, field, notice, section, select } from '../../ui';
import { orgLabel, reasonText } from '../../labels';
import { CITIZEN_DOCUMENTS, SigningUnavailable, applyToAlternative, defaultBasis, formBody, isCampaignOpen, people, state, submit, type Outcome } from './state';

export function policyExplanation(): HTMLElement {
  const date = today();
  const year = Number(date.slice(0, 4));
  const window = campaignWindow(state.policy ?? null, year);
  const open = isCampaignOpen(date);
  return h(
    'div',
    { class: 'policy-note', id: 'campaign-note' },
    window
      ? h('p', null, t(open ? 'policy.campaignOpen' : 'policy.campaignClosed', { year, start: formatDate(window.start), end: formatDate(window.end) }))
      : h('p', null, t('policy.campaignUnknown')),
    h('p', null, t('policy.freeChoiceRule')),
    h('p', null, t('policy.outsideGrounds')),
    h('ul', null, ['residence_change', 'work_or_study_change', 'temporary_residence', 'org_closed'].map((basis) => h('li', null, h('strong', null, tCode('basis', basis)), ': ', tCode('basisHelp', basis)))),
  );
}

export function applyView(): HTMLElement {
  const orgs = state.orgs ?? [];
  const chosen = orgs.find((org) => org.id === state.form.org);
  const age = people().find((ref) => ref.iin === state.forIin)?.age;
  const districts = (chosen?.districts ?? []).filter((district) => servesAge(district.kind, age));
  const ready = !!formBody();
  return section(
    'apply',
    t('citizen.applyTitle'),
    policyExplanation(),
    h(
      'form',
      {
        id: 'apply-form',
        novalidate: true,
        onsubmit: (event: Event) => {
          event.preventDefault();
          // Read the form now: selects update the state without re-rendering.
          const body = formBody();
          if (body) void submit(body);
        },
      },
      field(
        'apply-org',
        t('citizen.clinic'),
        select([['', t('citizen.pickClinic')], ...orgs.filter((org) => org.open).map((org): [string, string, boolean] => [org.id, org.name, true])], state.form.org, (value) => {
          state.form.org = value;
          state.form.district = '';
          requestRender();
        }),
      ),
      field(
        'apply-district',
        t('citizen.districtChoice'),
        select(
          [
            ['', t('citizen.anyDistrict')],
            ...districts.map((district): [string, string] => [
              district.id,
              `${district.id} · ${tCode('kind', district.kind)} · ${(district.free ?? 0) > 0 ? t('citizen.freeN', { free: formatNumber(district.free ?? 0) }) : t('citizen.noRoom')}`,
            ]),
          ],
          state.form.district,
          (value) => (state.form.district = value),
        ),
        t('citizen.districtHint'),
      ),
      field(
        'apply-basis',
        t('citizen.basis'),
        select(
          BASES.map((basis): [string, string] => [basis, tCode('basis', basis)]),
          state.form.basis || defaultBasis(),
          (value) => {
            if (isBasis(value)) state.form.basis = value;
            requestRender();
          },
        ),
        tCode('basisHelp', state.form.basis || defaultBasis()),
      ),
      h(
        'fieldset',
        null,
        h('legend', null, t('citizen.documents')),
        CITIZEN_DOCUMENTS.map((code) =>
          checkbox(`apply-doc-${code}`, tCode('document', code), state.form.documents.includes(code), (checked) => {
            state.form.documents = checked ? [...state.form.documents, code] : state.form.documents.filter((item) => item !== code);
          }),
        ),
      ),
      checkbox('apply-consent', t('citizen.consent'), state.form.consent, (checked) => (state.form.consent = checked)),
      h('p', { class: 'hint' }, t('citizen.signedNote')),
      h('button', { type: 'submit', id: 'apply-submit', disabled: !ready || state.submitting }, state.submitting ? t('citizen.sending') : t('citizen.submit')),
    ),
    state.submitError instanceof SigningUnavailable
      ? notice(t('citizen.noSigning'), 'warn')
      : state.submitError
        ? errorBox(state.submitError)
        : null,
    state.outcome ? decisionView(state.outcome) : null,
  );
}

export function decisionView(outcome: Outcome): HTMLElement {
  const { decision } = outcome;
  const approved = decision.decision === 'approved';
  const alternatives = decision.alternatives ?? [];
  return h(
    'div',
    { id: 'decision', class: `decision ${approved ? 'approved' : 'refused'}`, tabindex: '-1', role: 'status', 'aria-live': 'polite', 'data-decision': decision.decision },
    h('h3', null, approved ? t('decision.approved') : t('decision.refused')),
    h('p', { class: 'hint' }, t('decision.number', { id: decision.id })),
    approved
      ? h(
          'dl',
          { class: 'facts' },
          h('dt', null, t('citizen.organisation')),
          h('dd', null, orgLabel(decision.org ?? outcome.body.org)),
          h('dt', null, t('citizen.district')),
          h('dd', null, decision.district ? `${decision.district} (${tCode('kind', districtKind(decision.district) ?? '')})` : '—'),
          h('dt', null, t('decision.effective')),
          h('dd', null, formatDate(decision.effective)),
        )
      : h('ul', { class: 'reasons' }, (decision.reasons ?? []).map((code) => h('li', { 'data-reason': code }, reasonText(code)))),
    !approved && decision.decide_by ? h('p', null, t('decision.decideBy', { date: formatDate(decision.decide_by) })) : null,
    alternatives.length
      ? h(
          'div',
          { class: 'alternatives' },
          h('h4', null, t('decision.alternatives')),
          h(
            'ul',
            null,
            alternatives.map((id) => {
              const org = knownOrganisation(id);
              return h(
                'li',
                null,
                orgLabel(id),
                org?.free_places !== undefined ? ` · ${t('citizen.freeN', { free: formatNumber(org.free_places) })}` : '',
                org?.distance_km !== undefined ? ` · ${t('common.km', { km: formatNumber(org.distance_km, 1) })}` : '',
                ' ',
                h('button', { type: 'button', class: 'apply-alternative', 'data-org': id, disabled: state.submitting, onclick: () => applyToAlternative(id) }, t('decision.applyHere')),
              );
            }),
          ),
        )
      : !approved && decision.reasons?.includes('capacity_exceeded')
        ? notice(t('decision.noAlternatives'))
        : null,
    approved ? talonLinks(decision.id) : null,
  );
}

export function talonLinks(id: string): HTMLElement {
  const open = (path: string, download: boolean) => {
    openAuthorised(path, `talon-${id}.pdf`, download).catch((error) => {
      state.submitError = error;
      requestRender();
    });
  };
  return h(
    'div',
    { class: 'talon-links' },
    button('talon-html', t('talon.open'), () => open(`/api/v1/applications/${encodeURIComponent(id)}/talon`, false), { class: 'secondary' }),
    button('talon-pdf', t('talon.pdf'), () => open(`/api/v1/applications/${encodeURIComponent(id)}/talon.pdf`, true), { class: 'secondary' }),
  );
}
