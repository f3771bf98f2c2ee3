// Where the citizen and the children they represent are attached, OSMS standing, history.

import { ApiError } from '../../api';
import { data, h } from '../../dom';
import { formatDate, t, tCode } from '../../i18n/i18n';
import { districtKind } from '../../model';
import { knownOrganisation } from '../../organisations';
import { errorBox, loading, notice, section, table } from '../../ui';
import { orgLabel, reasonText, unitLabel } from '../../labels';
import { people, personOf, state, type Someone } from './state';

export function personName(ref: Someone): HTMLElement {
  return ref.name ? data(ref.name) : h('span', null, ref.iin);
}

export function attachmentCard(ref: Someone, isMe: boolean): HTMLElement {
  const attachment = state.attachments[ref.iin];
  const error = state.loadErrors[`attachment-${ref.iin}`];
  const org = knownOrganisation(attachment?.org);
  const kind = attachment?.district_kind ?? districtKind(attachment?.district, org?.districts);
  const unit = attachment?.org_ate ?? org?.ate;
  const pending = attachment?.pending;
  const profile = personOf(ref.iin);
  const osms = profile?.osms;
  return h(
    'article',
    { class: 'person-card', 'data-iin': ref.iin, 'aria-labelledby': `person-${ref.iin}` },
    h('h3', { id: `person-${ref.iin}` }, isMe ? t('citizen.me') : t('citizen.child'), ': ', personName(ref), ref.age !== undefined ? ` (${t('common.ageYears', { age: ref.age })})` : ''),
    error ? errorBox(error) : null,
    !attachment && !error ? loading() : null,
    attachment
      ? attachment.org
        ? h(
            'dl',
            { class: 'facts' },
            h('dt', null, t('citizen.organisation')),
            h('dd', { class: 'attached-org', 'data-org': attachment.org }, orgLabel(attachment.org)),
            h('dt', null, t('citizen.unit')),
            h('dd', null, unit ? unitLabel(unit) : '—'),
            h('dt', null, t('citizen.district')),
            h('dd', { class: 'attached-district', 'data-district': attachment.district ?? '' }, attachment.district ?? '—'),
            h('dt', null, t('citizen.doctor')),
            h('dd', null, kind ? tCode('kind', kind) : '—'),
            h('dt', null, t('citizen.since')),
            h('dd', null, formatDate(attachment.since)),
          )
        : notice(t('citizen.notAttached'), 'warn')
      : null,
    pending
      ? h(
          'div',
          { class: 'notice info pending-move', role: 'status' },
          t('citizen.pendingMove', { date: formatDate(pending.date) }),
          ' ',
          orgLabel(pending.org),
          pending.district ? ` (${pending.district}${pending.district_kind ? `, ${tCode('kind', pending.district_kind)}` : ''})` : '',
        )
      : null,
    osms
      ? h(
          'dl',
          { class: 'facts osms' },
          h('dt', null, t('osms.standing')),
          h('dd', null, osms.insured ? t('osms.insured') : t('osms.notInsured')),
          osms.category ? [h('dt', null, t('osms.category')), h('dd', null, tCode('osmsCategory', osms.category))] : null,
          osms.payer ? [h('dt', null, t('osms.payer')), h('dd', null, tCode('payer', osms.payer))] : null,
          h('dt', null, t('osms.package')),
          h('dd', null, packageText(osms)),
        )
      : null,
  );
}

export function packageText(osms: { package?: string; insured?: boolean }): string {
  const code = (osms.package ?? (osms.insured ? 'gobmp_osms' : 'gobmp')).toLowerCase().replace(/[^a-z]+/g, '_').replace(/^_|_$/g, '');
  return tCode('package', code);
}

export function whereView(): HTMLElement {
  return section(
    'where',
    t('citizen.whereTitle'),
    state.meError && !(state.meError instanceof ApiError && state.meError.problem.status === 404) ? errorBox(state.meError) : null,
    h('div', { class: 'cards' }, people().map((ref, index) => attachmentCard(ref, index === 0))),
  );
}

export function historyView(): HTMLElement {
  return section(
    'history',
    t('citizen.historyTitle'),
    people().map((ref) => {
      const periods = state.histories[ref.iin]?.periods ?? [];
      const applications = state.applications[ref.iin] ?? [];
      const who = ref.name ? data(ref.name) : ref.iin;
      return h(
        'div',
        null,
        table(
          h('span', null, t('citizen.periodsOf'), ' ', who),
          [t('citizen.organisation'), t('citizen.district'), t('common.from'), t('common.to'), t('citizen.periodState')],
          periods.map((period) => [orgLabel(period.org), period.district, formatDate(period.from), period.to ? formatDate(period.to) : t('common.open'), tCode('periodEnd', period.end)]),
        ),
        periods.length ? null : h('p', { class: 'hint' }, t('citizen.noPeriods')),
        applications.length
          ? table(
              h('span', null, t('citizen.applicationsOf'), ' ', ref.name ? data(ref.name) : ref.iin),
              [t('common.date'), t('decision.numberShort'), t('citizen.clinic'), t('registrar.channel'), t('citizen.basis'), t('decision.result')],
              applications.map((item) => [
                formatDate(item.date),
                item.id,
                orgLabel(item.applied_to),
                tCode('channel', item.channel),
                tCode('basis', item.basis),
                item.decision === 'approved' ? t('decision.approved') : `${t('decision.refused')}: ${item.reasons.map(reasonText).join('; ')}`,
              ]),
              { class: 'applications-of' },
            )
          : null,
      );
    }),
  );
}
