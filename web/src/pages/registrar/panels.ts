// The organisation's districts: panel size against capacity, as bars and a chart; the moves of 1 January.

import { chart, PALETTE } from '../../charts';
import { h } from '../../dom';
import { formatDate, formatNumber, t, tCode } from '../../i18n/i18n';
import { orgLabel } from '../../labels';
import { nextFirstOfJanuary, today } from '../../model';
import { errorBox, loading, notice, section, table } from '../../ui';
import { MOVES_SHOWN, showPanel, state } from './state';

export function panelsView(): HTMLElement {
  const districts = state.org?.districts ?? [];
  return section(
    'panels',
    t('registrar.panelsTitle'),
    districts.length
      ? [
          table(
            t('registrar.panelsCaption'),
            [t('citizen.district'), t('citizen.doctor'), t('registrar.doctors'), t('registrar.panel'), t('registrar.free'), t('common.action')],
            districts.map((district) => [
              district.id,
              tCode('kind', district.kind),
              district.doctors !== undefined ? formatNumber(district.doctors) : '—',
              meterCell(district.attached, district.capacity ?? 0),
              formatNumber(district.free ?? 0),
              h('button', { type: 'button', class: 'secondary show-panel', 'data-district': district.id, onclick: () => void showPanel(district.id) }, t('registrar.showPanel')),
            ]),
            { id: 'panels-table' },
          ),
          h(
            'figure',
            { class: 'figure' },
            chart(
              'panels-chart',
              t('registrar.panelsChart'),
              {
                type: 'bar',
                data: {
                  labels: districts.map((district) => `${district.id.split('-').pop()} · ${tCode('kind', district.kind)}`),
                  datasets: [
                    { label: t('registrar.panel'), data: districts.map((district) => district.attached), backgroundColor: PALETTE[0] },
                    { label: t('registrar.capacity'), data: districts.map((district) => district.capacity ?? 0), backgroundColor: '#b0bec5' },
                  ],
                },
                options: { indexAxis: 'y', scales: { x: { beginAtZero: true } } },
              },
              Math.max(180, districts.length * 56),
            ),
            h('figcaption', null, t('registrar.panelsChart')),
          ),
        ]
      : state.org
        ? notice(t('registrar.noDistricts'))
        : loading(),
    state.panel
      ? h(
          'div',
          { id: 'panel-list', tabindex: '-1' },
          h('h3', null, t('registrar.panelOfDistrict', { district: state.panel.district, count: formatNumber(state.panel.attached) })),
          h('p', { class: 'iin-list', translate: 'no' }, state.panel.members.slice(0, 60).join(' · '), state.panel.members.length > 60 ? ' …' : ''),
        )
      : null,
  );
}

export function meterCell(attached: number, capacity: number): HTMLElement {
  const share = capacity > 0 ? attached / capacity : 0;
  const level = share > 1 ? 'over' : share >= 0.9 ? 'high' : 'ok';
  const text = t('registrar.panelOf', { attached: formatNumber(attached), capacity: formatNumber(capacity) });
  return h(
    'div',
    { class: 'meter-wrap' },
    h('div', { class: `meter ${level}`, role: 'img', 'aria-label': text }, h('span', { style: `width:${Math.min(100, share * 100).toFixed(1)}%` })),
    h('span', { class: 'meter-text' }, text),
  );
}

export function movesView(): HTMLElement {
  const moves = state.moves;
  // Who comes, from where, and who goes, to where (the other organisation: null for none).
  const incoming = (moves?.in ?? []).map((move) => ({ iin: move.iin, other: move.from_org, district: move.district }));
  const outgoing = (moves?.out ?? []).map((move) => ({ iin: move.iin, other: move.to_org, district: move.district }));
  const date = moves?.date ?? nextFirstOfJanuary(today());
  const moveTable = (caption: string, rows: typeof incoming, direction: 'in' | 'out', id: string) =>
    rows.length
      ? table(
          caption,
          [t('common.iin'), direction === 'in' ? t('registrar.fromOrg') : t('registrar.toOrg'), t('citizen.district')],
          rows.slice(0, MOVES_SHOWN).map((move) => [h('span', { translate: 'no' }, move.iin), orgLabel(move.other), move.district]),
          { id },
        )
      : h('p', { class: 'hint', id }, `${caption}: ${t('registrar.none')}`);
  const more = (rows: typeof incoming) => (rows.length > MOVES_SHOWN ? h('p', { class: 'hint' }, t('registrar.andMore', { count: formatNumber(rows.length - MOVES_SHOWN) })) : null);
  return section(
    'moves',
    t('registrar.movesTitle', { date: formatDate(date) }),
    state.movesError ? errorBox(state.movesError) : null,
    moves
      ? [
          h('p', null, t('registrar.movesSummary', { incoming: formatNumber(incoming.length), outgoing: formatNumber(outgoing.length) })),
          moveTable(t('registrar.movesIn'), incoming, 'in', 'moves-in'),
          more(incoming),
          moveTable(t('registrar.movesOut'), outgoing, 'out', 'moves-out'),
          more(outgoing),
        ]
      : !state.movesError
        ? loading()
        : null,
  );
}
