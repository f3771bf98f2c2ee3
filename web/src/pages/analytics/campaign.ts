// The campaign: flows between organisations, district utilisation, refusals by reason and channel.

import { chart, PALETTE } from '../../charts';
import { h } from '../../dom';
import { formatDate, formatNumber, formatPercent, t, tCode } from '../../i18n/i18n';
import { reasonText, regionName } from '../../labels';
import { CHANNELS } from '../../model';
import { dataCell, notice, section, table } from '../../ui';
import type { DistrictUse, Stats } from '../../model';
import { shorten, sum } from './state';

export function flowsView(stats: Stats): HTMLElement {
  const orgs = (stats.organisations ?? []).filter((org) => org.inflow || org.outflow || org.pending_in || org.pending_out);
  const byNet = [...orgs].sort((a, b) => b.net + b.pending_in - b.pending_out - (a.net + a.pending_in - a.pending_out));
  const gainers = byNet.slice(0, 8);
  const losers = byNet.slice(-8).reverse().filter((org) => !gainers.includes(org));
  const shown = [...gainers, ...losers.reverse()];
  return section(
    'flows',
    t('analytics.flowsTitle', { year: stats.campaign?.year ?? '' }),
    stats.since ? h('p', { class: 'hint' }, t('analytics.flowsSince', { date: formatDate(stats.since) })) : null,
    shown.length
      ? [
          h(
            'figure',
            { class: 'figure' },
            chart(
              'flows-chart',
              t('analytics.flowsTitle', { year: stats.campaign?.year ?? '' }),
              {
                type: 'bar',
                data: {
                  labels: shown.map((org) => org.id),
                  datasets: [
                    { label: t('analytics.netNow'), data: shown.map((org) => org.net), backgroundColor: PALETTE[0] },
                    { label: t('analytics.netPending'), data: shown.map((org) => org.pending_in - org.pending_out), backgroundColor: PALETTE[4] },
                  ],
                },
                options: { indexAxis: 'y', scales: { x: { stacked: true }, y: { stacked: true } } },
              },
              Math.max(220, shown.length * 26),
            ),
            h('figcaption', null, t('analytics.flowsCaption')),
          ),
          table(
            t('analytics.flowsTable'),
            [t('citizen.organisation'), t('analytics.region'), t('analytics.inflow'), t('analytics.outflow'), t('analytics.net'), t('analytics.pendingIn'), t('analytics.pendingOut')],
            shown.map((org) => [
              dataCell(org.name, org.id),
              regionName(org.region),
              formatNumber(org.inflow),
              formatNumber(org.outflow),
              formatNumber(org.net),
              formatNumber(org.pending_in),
              formatNumber(org.pending_out),
            ]),
          ),
        ]
      : notice(t('analytics.noFlows')),
  );
}

export function utilisationView(stats: Stats): HTMLElement | null {
  const byKind = stats.districts?.by_kind;
  if (!stats.districts) return null;
  const rows: Array<[string, DistrictUse]> = [['all', stats.districts.all], ...Object.entries(byKind ?? {})];
  const label = (code: string) => (code === 'all' ? t('analytics.allDistricts') : tCode('kind', code));
  return section(
    'utilisation',
    t('analytics.utilisationTitle'),
    h(
      'figure',
      { class: 'figure' },
      chart(
        'utilisation-chart',
        t('analytics.utilisationTitle'),
        {
          type: 'bar',
          data: {
            labels: rows.map(([code]) => label(code)),
            datasets: [
              { label: t('analytics.above90'), data: rows.map(([, share]) => share.share_above_90 * 100), backgroundColor: PALETTE[3] },
              { label: t('analytics.above100'), data: rows.map(([, share]) => share.share_above_100 * 100), backgroundColor: PALETTE[1] },
            ],
          },
          options: { scales: { y: { beginAtZero: true, title: { display: true, text: t('analytics.percentOfDistricts') } } } },
        },
        240,
      ),
    ),
    table(
      t('analytics.utilisationTitle'),
      [t('analytics.districtKind'), t('analytics.districts'), t('analytics.above90'), t('analytics.above100')],
      rows.map(([code, share]) => [label(code), formatNumber(share.districts), `${formatNumber(share.above_90)} (${formatPercent(share.share_above_90)})`, `${formatNumber(share.above_100)} (${formatPercent(share.share_above_100)})`]),
    ),
  );
}

export function refusalsView(stats: Stats): HTMLElement {
  const refusals = stats.campaign?.refusals ?? {};
  const reasons = Object.keys(refusals).sort((a, b) => sum(refusals[b]) - sum(refusals[a]));
  const channels = CHANNELS.filter((channel) => reasons.some((reason) => refusals[reason][channel]));
  const byChannel = stats.campaign?.decisions_by_channel ?? {};
  return section(
    'refusals',
    t('analytics.refusalsTitle', { year: stats.campaign?.year ?? '' }),
    reasons.length
      ? [
          h(
            'figure',
            { class: 'figure' },
            chart(
              'refusals-chart',
              t('analytics.refusalsTitle', { year: stats.campaign?.year ?? '' }),
              {
                type: 'bar',
                data: {
                  labels: reasons.map((reason) => shorten(reasonText(reason), 42)),
                  datasets: channels.map((channel, index) => ({
                    label: tCode('channel', channel),
                    data: reasons.map((reason) => refusals[reason][channel] ?? 0),
                    backgroundColor: PALETTE[index % PALETTE.length],
                  })),
                },
                options: { indexAxis: 'y', scales: { x: { stacked: true }, y: { stacked: true } } },
              },
              Math.max(240, reasons.length * 30),
            ),
          ),
          table(
            t('analytics.refusalsTable'),
            [t('analytics.reason'), ...channels.map((channel) => tCode('channel', channel)), t('analytics.total')],
            reasons.map((reason) => [reasonText(reason), ...channels.map((channel) => formatNumber(refusals[reason][channel] ?? 0)), formatNumber(sum(refusals[reason]))]),
            { id: 'refusals-table' },
          ),
          table(
            t('analytics.decisionsByChannel'),
            [t('registrar.channel'), t('decision.approved'), t('decision.refused')],
            Object.entries(byChannel).map(([channel, counts]) => [tCode('channel', channel), formatNumber(counts.approved), formatNumber(counts.refused)]),
          ),
        ]
      : notice(t('analytics.noRefusals')),
  );
}
