// The clinics of a unit: free places for the person's age, distance, a lat/lon scatter.

import { requestRender } from '../../app';
import { chart, PALETTE } from '../../charts';
import { data, h } from '../../dom';
import { formatNumber, t, tCode } from '../../i18n/i18n';
import { personUnits, servesAge, type Organisation } from '../../model';
import { errorBox, field, loading, notice, section, select, table } from '../../ui';
import { unitLabel } from '../../labels';
import { chooseDefaultUnit, loadOrganisations, people, personOf, referencePoint, state } from './state';

export function clinicsView(): HTMLElement {
  const refs = people();
  const person = personOf(state.forIin);
  const units = personUnits(person);
  const unitOptions: Array<[string, string]> = units.map(([kind, code]) => [code, `${unitLabel(code)}${kind ? ` (${tCode('ateKind', kind)})` : ''}`]);
  if (state.unit && !unitOptions.some(([code]) => code === state.unit)) unitOptions.unshift([state.unit, unitLabel(state.unit)]);
  const uniqueUnits = unitOptions.filter(([code], index) => unitOptions.findIndex(([other]) => other === code) === index);
  const orgs = state.orgs ?? [];
  const current = state.attachments[state.forIin]?.org;
  const age = refs.find((ref) => ref.iin === state.forIin)?.age ?? person?.age;
  const fittingFree = (org: Organisation) =>
    org.districts.filter((district) => servesAge(district.kind, age)).reduce((sum, district) => sum + Math.max(0, district.free ?? 0), 0);

  return section(
    'clinics',
    t('citizen.chooseTitle'),
    h(
      'div',
      { class: 'row' },
      refs.length > 1
        ? field(
            'apply-for',
            t('citizen.applyFor'),
            select(
              refs.map((ref, index): [string, string, boolean] => [ref.iin, `${index === 0 ? t('citizen.me') : t('citizen.child')}: ${ref.name ?? ref.iin}`, true]),
              state.forIin,
              (value) => {
                state.forIin = value;
                state.outcome = undefined;
                chooseDefaultUnit();
                void loadOrganisations();
              },
            ),
          )
        : null,
      field(
        'unit',
        t('citizen.unitSelect'),
        select(uniqueUnits.length ? uniqueUnits : [['', '—']], state.unit, (value) => {
          state.unit = value;
          state.form.org = '';
          state.form.district = '';
          void loadOrganisations();
        }),
      ),
    ),
    state.orgsError ? errorBox(state.orgsError) : null,
    state.orgsLoading ? loading() : null,
    orgs.length
      ? [
          table(
            t('citizen.clinicsCaption', { unit: unitLabel(state.unit) }),
            [t('citizen.clinic'), t('citizen.kindOfOrg'), t('citizen.freeForYou'), t('citizen.distance'), t('common.action')],
            orgs.map((org) => [
              h('span', null, data(org.name), org.id === current ? h('span', { class: 'badge' }, t('citizen.yourClinic')) : null),
              [org.private ? t('org.private') : t('org.public'), ', ', org.rural ? t('org.rural') : t('org.urban'), org.open ? '' : `, ${t('org.notServing')}`],
              org.open ? formatNumber(fittingFree(org)) : '—',
              org.distance_km !== undefined ? t('common.km', { km: formatNumber(org.distance_km, 1) }) : '—',
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary choose-clinic',
                  'data-org': org.id,
                  disabled: !org.open,
                  onclick: () => {
                    state.form.org = org.id;
                    state.form.district = '';
                    requestRender();
                    queueMicrotask(() => document.getElementById('apply-org')?.focus());
                  },
                },
                t('citizen.choose'),
              ),
            ]),
            { id: 'clinics-table' },
          ),
          referencePoint() ? h('p', { class: 'hint' }, t('citizen.distanceFrom')) : h('p', { class: 'hint' }, t('citizen.distanceUnknown')),
          clinicMap(orgs, current ?? null, fittingFree),
        ]
      : !state.orgsLoading && !state.orgsError
        ? notice(t('citizen.noClinics'))
        : null,
  );
}

export function clinicMap(orgs: Organisation[], current: string | null, fittingFree: (org: Organisation) => number): HTMLElement {
  const located = orgs.filter((org) => org.location && org.location.length === 2);
  const point = (org: Organisation) => ({ x: org.location![1], y: org.location![0], name: org.name, free: fittingFree(org) });
  const groups = [
    { label: t('map.yours'), color: PALETTE[0], orgs: located.filter((org) => org.id === current) },
    { label: t('map.withRoom'), color: PALETTE[2], orgs: located.filter((org) => org.id !== current && org.open && fittingFree(org) > 0) },
    { label: t('map.full'), color: PALETTE[1], orgs: located.filter((org) => org.id !== current && (!org.open || fittingFree(org) <= 0)) },
  ].filter((group) => group.orgs.length);
  return h(
    'figure',
    { class: 'figure' },
    chart('clinic-map', t('map.label'), {
      type: 'scatter',
      data: {
        datasets: groups.map((group) => ({
          label: group.label,
          data: group.orgs.map(point),
          backgroundColor: group.color,
          pointRadius: 7,
          pointHoverRadius: 9,
        })),
      },
      options: {
        scales: {
          x: { title: { display: true, text: t('map.longitude') } },
          y: { title: { display: true, text: t('map.latitude') } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => {
                const raw = item.raw as { name: string; free: number };
                return `${raw.name}: ${t('map.freePlaces', { free: formatNumber(raw.free) })}`;
              },
            },
          },
        },
      },
    }, 280),
    h('figcaption', null, t('map.caption')),
  );
}
