// Monthly per-capita funding by organisation (the Fund).

import { chart, PALETTE } from '../../charts';
import { h } from '../../dom';
import { formatMoney, formatMonth, formatNumber, t } from '../../i18n/i18n';
import { regionName } from '../../labels';
import { dataCell, errorBox, field, loading, longTable, notice, section } from '../../ui';
import { requestRender } from '../../app';
import { loadFunding, state, TABLE_ROWS } from './state';

export function fundingView(): HTMLElement {
  const funding = state.funding;
  const top = [...(funding?.organisations ?? [])].sort((a, b) => b.amount - a.amount);
  const chartRows = top.slice(0, 15);
  return section(
    'funding',
    t('analytics.fundingTitle'),
    h(
      'form',
      {
        class: 'inline-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void loadFunding();
        },
      },
      field('funding-month', t('analytics.month'), h('input', { type: 'month', value: state.month, onchange: (event: Event) => (state.month = (event.target as HTMLInputElement).value) })),
      h('button', { type: 'submit', id: 'funding-show' }, t('analytics.show')),
    ),
    state.fundingError ? errorBox(state.fundingError) : null,
    !funding && !state.fundingError ? loading() : null,
    funding
      ? [
          funding.table?.illustrative ? notice(t('analytics.illustrative'), 'warn') : null,
          h(
            'p',
            { class: 'lead' },
            t('analytics.fundingTotal', { month: formatMonth(funding.month), amount: formatMoney(funding.total.amount), persons: formatNumber(funding.total.persons) }),
            funding.total.change ? ` ${t('analytics.fundingChange', { amount: formatMoney(funding.total.change.amount) })}` : '',
          ),
          h(
            'figure',
            { class: 'figure' },
            chart(
              'funding-chart',
              t('analytics.fundingChart'),
              {
                type: 'bar',
                data: {
                  labels: chartRows.map((line) => line.id),
                  datasets: [{ label: t('analytics.amount'), data: chartRows.map((line) => line.amount), backgroundColor: PALETTE[5] }],
                },
                options: { indexAxis: 'y', plugins: { tooltip: { callbacks: { label: (item) => formatMoney(Number(item.raw)) } } } },
              },
              Math.max(220, chartRows.length * 26),
            ),
            h('figcaption', null, t('analytics.fundingChart')),
          ),
          // The country has about 700 organisations: the largest payments first, all on request.
          longTable(
            t('analytics.fundingTable'),
            [t('citizen.organisation'), t('analytics.region'), t('analytics.persons'), t('analytics.amount'), t('analytics.change')],
            top,
            (line) => [
              dataCell(line.name, line.id),
              regionName(line.region),
              formatNumber(line.persons),
              formatMoney(line.amount),
              line.change ? formatMoney(line.change.amount) : '—',
            ],
            {
              id: 'funding-table',
              limit: TABLE_ROWS,
              expanded: state.fundingAll,
              onToggle: () => {
                state.fundingAll = !state.fundingAll;
                requestRender();
              },
            },
          ),
        ]
      : null,
  );
}
