// The organisation's applications with filters, and their CSV export made in the browser.

import { h } from '../../dom';
import { formatDate, formatNumber, t, tCode } from '../../i18n/i18n';
import { reasonText } from '../../labels';
import { today, type ApplicationRecord } from '../../model';
import { session } from '../../session';
import { button, errorBox, field, loading, notice, section, select, table } from '../../ui';
import { toCsv, downloadText } from '../../csv';
import { loadApplications, state } from './state';

export function applicationsView(): HTMLElement {
  const list = state.applications ?? [];
  const headers = [t('decision.numberShort'), t('common.date'), t('common.iin'), t('registrar.channel'), t('citizen.basis'), t('decision.result'), t('citizen.district')];
  const rows = list.map((item) => [
    item.id,
    formatDate(item.date),
    item.iin,
    tCode('channel', item.channel),
    tCode('basis', item.basis),
    item.decision === 'approved' ? t('decision.approved') : `${t('decision.refused')}: ${item.reasons.map(reasonText).join('; ')}`,
    item.district ?? '—',
  ]);
  return section(
    'applications',
    t('registrar.applicationsTitle'),
    h(
      'form',
      {
        class: 'inline-form filters',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void loadApplications();
        },
      },
      field(
        'filter-status',
        t('registrar.status'),
        select(
          [
            ['', t('registrar.allStatuses')],
            ['approved', t('decision.approved')],
            ['refused', t('decision.refused')],
          ],
          state.filters.status,
          (value) => (state.filters.status = value),
        ),
      ),
      field('filter-from', t('common.from'), h('input', { type: 'date', value: state.filters.from, onchange: (event: Event) => (state.filters.from = (event.target as HTMLInputElement).value) })),
      field('filter-to', t('common.to'), h('input', { type: 'date', value: state.filters.to, onchange: (event: Event) => (state.filters.to = (event.target as HTMLInputElement).value) })),
      h('button', { type: 'submit', id: 'filter-apply' }, t('registrar.applyFilters')),
      button('export-csv', t('registrar.exportCsv'), () => exportCsv(headers, list), { class: 'secondary', disabled: !list.length }),
    ),
    state.applicationsError ? errorBox(state.applicationsError) : null,
    state.applicationsLoading ? loading() : null,
    state.applications
      ? list.length
        ? [
            table(t('registrar.applicationsCaption', { count: formatNumber(list.length) }), headers, rows, { id: 'applications-table', 'data-status': state.applicationsStatus }),
            state.nextOffset !== null ? button('applications-more', t('registrar.more'), () => void loadApplications(true), { class: 'secondary', disabled: state.applicationsLoading }) : null,
          ]
        : notice(t('registrar.noApplications'))
      : null,
  );
}

export function exportCsv(headers: string[], list: ApplicationRecord[]): void {
  // Codes, not words, in the file: a spreadsheet can filter on them in any language.
  const rows = list.map((item) => [item.id, item.date, item.iin, item.applicant ?? '', item.channel, item.basis, item.decision, item.org ?? '', item.district ?? '', item.effective ?? '', item.reasons.join(' ')]);
  const header = [headers[0], headers[1], headers[2], t('registrar.applicantIin'), headers[3], headers[4], headers[5], t('citizen.organisation'), headers[6], t('decision.effective'), t('registrar.reasons')];
  const org = session.current()?.subject ?? 'org';
  downloadText(`applications-${org}-${today()}.csv`, toCsv([header, ...rows]), 'text/csv');
}
