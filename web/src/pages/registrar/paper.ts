// Finding a person by IIN and entering a paper application (channel clinic_paper).

import { requestRender } from '../../app';
import { data, h } from '../../dom';
import { formatDate, t, tCode } from '../../i18n/i18n';
import { orgLabel, reasonText } from '../../labels';
import { BASES, DOCUMENTS, isBasis } from '../../model';
import { button, checkbox, errorBox, field, loading, section, select } from '../../ui';
import { lookUp, state, submitPaper } from './state';

export function findView(): HTMLElement {
  const lookup = state.lookup;
  const person = lookup?.person;
  const attachment = lookup?.attachment;
  return section(
    'find',
    t('registrar.findTitle'),
    h(
      'form',
      {
        class: 'inline-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void lookUp();
        },
      },
      field(
        'find-iin',
        t('common.iin'),
        h('input', {
          type: 'text',
          inputmode: 'numeric',
          maxlength: '12',
          autocomplete: 'off',
          value: state.lookupIin,
          oninput: (event: Event) => (state.lookupIin = (event.target as HTMLInputElement).value),
        }),
      ),
      h('button', { type: 'submit', id: 'find-submit' }, t('registrar.find')),
    ),
    lookup?.error ? errorBox(lookup.error) : null,
    lookup && !lookup.error && !attachment && !person ? loading() : null,
    attachment || person
      ? h(
          'dl',
          { class: 'facts', id: 'found-person' },
          h('dt', null, t('common.name')),
          h('dd', null, person?.name ? data(person.name) : '—'),
          person?.age !== undefined ? [h('dt', null, t('common.age')), h('dd', null, t('common.ageYears', { age: person.age }))] : null,
          person?.categories?.length ? [h('dt', null, t('registrar.categories')), h('dd', null, person.categories.map((code) => tCode('category', code)).join(', '))] : null,
          person?.status ? [h('dt', null, t('registrar.status')), h('dd', null, tCode('status', person.status))] : null,
          h('dt', null, t('citizen.organisation')),
          h('dd', null, attachment?.org ? orgLabel(attachment.org) : t('citizen.notAttachedShort')),
          attachment?.district ? [h('dt', null, t('citizen.district')), h('dd', null, attachment.district)] : null,
          attachment?.since ? [h('dt', null, t('citizen.since')), h('dd', null, formatDate(attachment.since))] : null,
        )
      : null,
    attachment || person
      ? button('find-use', t('registrar.useInForm'), () => {
          state.form.iin = state.lookupIin.trim();
          requestRender();
          queueMicrotask(() => document.getElementById('paper-iin')?.focus());
        }, { class: 'secondary' })
      : null,
  );
}

export function paperView(): HTMLElement {
  const paper = state.policy?.paper;
  const accepted = [...(paper?.categories ?? []), ...(paper?.applicant_categories ?? [])];
  const districts = state.org?.districts ?? [];
  const decision = state.decision;
  return section(
    'paper',
    t('registrar.paperTitle'),
    h('p', null, t('registrar.paperRule')),
    accepted.length ? h('p', { class: 'hint' }, t('registrar.paperCategories'), ' ', accepted.map((code) => tCode('category', code)).join(', '), paper?.insurance?.length ? `; ${t('registrar.paperDms')}` : '') : null,
    h(
      'form',
      {
        id: 'paper-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void submitPaper();
        },
      },
      h(
        'div',
        { class: 'row' },
        field(
          'paper-iin',
          t('registrar.personIin'),
          h('input', {
            type: 'text',
            inputmode: 'numeric',
            maxlength: '12',
            required: true,
            autocomplete: 'off',
            value: state.form.iin,
            oninput: (event: Event) => (state.form.iin = (event.target as HTMLInputElement).value),
          }),
        ),
        field(
          'paper-applicant',
          t('registrar.applicantIin'),
          h('input', {
            type: 'text',
            inputmode: 'numeric',
            maxlength: '12',
            autocomplete: 'off',
            value: state.form.applicant,
            oninput: (event: Event) => (state.form.applicant = (event.target as HTMLInputElement).value),
          }),
          t('registrar.applicantHint'),
        ),
      ),
      h(
        'div',
        { class: 'row' },
        field(
          'paper-district',
          t('citizen.districtChoice'),
          select(
            [['', t('citizen.anyDistrict')], ...districts.map((district): [string, string] => [district.id, `${district.id} · ${tCode('kind', district.kind)}`])],
            state.form.district,
            (value) => (state.form.district = value),
          ),
        ),
        field(
          'paper-basis',
          t('citizen.basis'),
          select(BASES.map((basis): [string, string] => [basis, tCode('basis', basis)]), state.form.basis, (value) => {
            if (isBasis(value)) state.form.basis = value;
            requestRender();
          }),
          tCode('basisHelp', state.form.basis),
        ),
      ),
      h(
        'fieldset',
        null,
        h('legend', null, t('registrar.documents')),
        h(
          'div',
          { class: 'checks' },
          DOCUMENTS.map((code) =>
            checkbox(`paper-doc-${code}`, tCode('document', code), state.form.documents.includes(code), (checked) => {
              state.form.documents = checked ? [...state.form.documents, code] : state.form.documents.filter((item) => item !== code);
            }),
          ),
        ),
      ),
      checkbox('paper-consent', t('registrar.consent'), state.form.consent, (checked) => (state.form.consent = checked)),
      h('button', { type: 'submit', id: 'paper-submit', disabled: state.submitting }, state.submitting ? t('citizen.sending') : t('registrar.register')),
    ),
    state.submitError ? errorBox(state.submitError) : null,
    decision
      ? h(
          'div',
          { id: 'paper-decision', class: `decision ${decision.decision}`, tabindex: '-1', role: 'status', 'data-decision': decision.decision },
          h('h3', null, decision.decision === 'approved' ? t('decision.approved') : t('decision.refused')),
          h('p', { class: 'hint' }, t('decision.number', { id: decision.id })),
          decision.decision === 'approved'
            ? h('p', null, t('registrar.approvedInto', { district: decision.district ?? '—', date: formatDate(decision.effective) }))
            : h('ul', { class: 'reasons' }, (decision.reasons ?? []).map((code) => h('li', { 'data-reason': code }, reasonText(code)))),
        )
      : null,
  );
}
