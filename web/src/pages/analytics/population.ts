// Population: the summary tiles, the sex-age pyramid, attachment by region, OSMS by category.

import { chart, PALETTE } from '../../charts';
import { h } from '../../dom';
import { formatNumber, formatPercent, t, tCode } from '../../i18n/i18n';
import { regionName } from '../../labels';
import { notice, section, table } from '../../ui';
import type { Stats } from '../../model';

export function summaryView(stats: Stats): HTMLElement {
  const share = stats.population.total ? stats.attached.total / stats.population.total : 0;
  const tile = (label: string, value: string) => h('div', { class: 'tile' }, h('span', { class: 'tile-value' }, value), h('span', { class: 'tile-label' }, label));
  return h(
    'div',
    { class: 'tiles', id: 'summary' },
    tile(t('analytics.population'), formatNumber(stats.population.total)),
    tile(t('analytics.attached'), formatNumber(stats.attached.total)),
    tile(t('analytics.unattached'), formatNumber(stats.unattached)),
    tile(t('analytics.attachedShare'), formatPercent(share)),
  );
}

export function pyramidView(stats: Stats): HTMLElement {
  const bands = [...(stats.age_sex ?? [])].reverse();
  return section(
    'pyramid',
    t('analytics.pyramidTitle'),
    bands.length
      ? [
          h(
            'figure',
            { class: 'figure' },
            chart(
              'pyramid-chart',
              t('analytics.pyramidTitle'),
              {
                type: 'bar',
                data: {
                  labels: bands.map((band) => band.band),
                  datasets: [
                    { label: t('analytics.men'), data: bands.map((band) => -band.attached.men), backgroundColor: PALETTE[0] },
                    { label: t('analytics.women'), data: bands.map((band) => band.attached.women), backgroundColor: PALETTE[1] },
                  ],
                },
                options: {
                  indexAxis: 'y',
                  scales: {
                    x: { stacked: true, ticks: { callback: (value) => formatNumber(Math.abs(Number(value))) } },
                    y: { stacked: true, title: { display: true, text: t('analytics.ageBand') } },
                  },
                  plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatNumber(Math.abs(Number(item.raw)))}` } } },
                },
              },
              Math.max(320, bands.length * 22),
            ),
            h('figcaption', null, t('analytics.pyramidCaption')),
          ),
          h(
            'details',
            null,
            h('summary', null, t('analytics.showTable')),
            table(
              t('analytics.pyramidTitle'),
              [t('analytics.ageBand'), t('analytics.men'), t('analytics.women'), t('analytics.attached'), t('analytics.population')],
              (stats.age_sex ?? []).map((band) => [band.band, formatNumber(band.attached.men), formatNumber(band.attached.women), formatNumber(band.attached.total), formatNumber(band.population.total)]),
            ),
          ),
        ]
      : notice(t('analytics.noData')),
  );
}

export function regionsView(stats: Stats): HTMLElement | null {
  const regions = [...(stats.regions ?? [])].sort((a, b) => b.attached - a.attached);
  if (!regions.length) return null;
  return section(
    'regions',
    t('analytics.regionsTitle'),
    h(
      'figure',
      { class: 'figure' },
      chart(
        'regions-chart',
        t('analytics.regionsTitle'),
        {
          type: 'bar',
          data: {
            labels: regions.map((region) => regionName(region.region)),
            datasets: [
              { label: t('analytics.attached'), data: regions.map((region) => region.attached), backgroundColor: PALETTE[2] },
              { label: t('analytics.unattached'), data: regions.map((region) => region.unattached), backgroundColor: PALETTE[3] },
            ],
          },
          options: { indexAxis: 'y', scales: { x: { stacked: true }, y: { stacked: true } } },
        },
        Math.max(200, regions.length * 26),
      ),
    ),
    table(
      t('analytics.regionsTitle'),
      [t('analytics.region'), t('analytics.population'), t('analytics.attached'), t('analytics.attachedShare'), t('analytics.insuredShare')],
      regions.map((region) => [
        regionName(region.region),
        formatNumber(region.population),
        formatNumber(region.attached),
        formatPercent(region.attached_share),
        region.insured_share !== undefined ? formatPercent(region.insured_share) : '—',
      ]),
      { id: 'regions-table' },
    ),
  );
}

export function osmsView(stats: Stats): HTMLElement | null {
  const categories = Object.entries(stats.osms?.by_category ?? {});
  if (!categories.length) return null;
  return section(
    'osms-stats',
    t('analytics.osmsTitle'),
    table(
      t('analytics.osmsTitle'),
      [t('osms.category'), t('analytics.registered'), t('analytics.insured'), t('analytics.insuredShare')],
      categories.map(([code, counts]) => [tCode('osmsCategory', code), formatNumber(counts.registered), formatNumber(counts.insured), formatPercent(counts.insured_share)]),
    ),
  );
}
