// Who looked at my record: every read of the citizen's records and of the people they represent,
// refused attempts included, newest first (GET /api/v1/persons/{iin}/access-log).

import { requestRender } from '../../app';
import { data, h } from '../../dom';
import { formatMoment, formatNumber, hasCode, t, tCode } from '../../i18n/i18n';
import type { AccessLogEntry } from '../../model';
import { orgLabel } from '../../labels';
import { errorBox, loading, longTable, section } from '../../ui';
import { personName } from './attachments';
import { people, state, type Someone } from './state';

/** Rows shown of a person's log until they ask for all of it. */
const FIRST_ROWS = 20;

/** The part of the record a route reads, as a dictionary code:
 *  /api/v1/persons/{iin}/access-log → persons_access_log. */
function readCode(route: string): string {
  return route.replace(/^\/api\/v1\//, '').replace(/\{[^}]*\}/g, '').replace(/[^a-z]+/g, '_').replace(/^_+|_+$/g, '');
}

function whenCell(entry: AccessLogEntry): HTMLElement {
  const moment = new Date(Math.floor(entry.at / 1000));
  return h('time', { datetime: Number.isNaN(moment.getTime()) ? null : moment.toISOString() }, formatMoment(entry.at));
}

/** The reader: their role in words, and whom it names (a registrar's organisation by name, a
 *  citizen's masked IIN, an admin's account) as data. */
function whoCell(entry: AccessLogEntry): HTMLElement {
  const role = hasCode('role', entry.role) ? tCode('role', entry.role) : entry.role;
  const named = entry.who ? (entry.role === 'registrar' ? orgLabel(entry.who) : data(entry.who)) : null;
  return h('span', { class: 'access-who', 'data-role': entry.role, 'data-who': entry.who }, role, named ? ': ' : '', named);
}

/** What was read, in words; a route this page has no words for is shown as the server gave it. */
function whatCell(entry: AccessLogEntry): HTMLElement {
  const code = readCode(entry.what);
  return h('span', { class: 'access-what', 'data-read': code }, hasCode('accessRead', code) ? tCode('accessRead', code) : data(entry.what));
}

function outcomeCell(entry: AccessLogEntry): HTMLElement {
  return h(
    'span',
    { class: entry.refused ? 'access-refused' : 'access-granted', 'data-refused': String(entry.refused) },
    entry.refused ? t('citizen.accessRefused') : t('citizen.accessGranted'),
  );
}

function personLog(ref: Someone, isMe: boolean): HTMLElement {
  const log = state.accessLogs[ref.iin];
  const error = state.loadErrors[`access-log-${ref.iin}`];
  const entries = log?.entries ?? [];
  const id = `access-log-${ref.iin}`;
  return h(
    'div',
    { class: 'access-log', 'data-iin': ref.iin, role: 'group', 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title` }, isMe ? t('citizen.me') : t('citizen.child'), ': ', personName(ref)),
    error ? errorBox(error) : null,
    !log && !error ? loading() : null,
    log && !entries.length ? h('p', { class: 'hint access-log-empty' }, t('citizen.accessLogEmpty')) : null,
    entries.length
      ? longTable(
          t('citizen.accessLogCaption', { count: formatNumber(entries.length) }),
          [t('citizen.accessWhen'), t('citizen.accessWho'), t('citizen.accessWhat'), t('citizen.accessOutcome')],
          entries,
          (entry) => [whenCell(entry), whoCell(entry), whatCell(entry), outcomeCell(entry)],
          {
            id: `${id}-table`,
            limit: FIRST_ROWS,
            expanded: !!state.accessLogsExpanded[ref.iin],
            onToggle: () => {
              state.accessLogsExpanded[ref.iin] = !state.accessLogsExpanded[ref.iin];
              requestRender();
            },
          },
        )
      : null,
  );
}

export function accessLogView(): HTMLElement {
  return section(
    'access-log',
    t('citizen.accessLogTitle'),
    h('p', { class: 'hint' }, t('citizen.accessLogIntro')),
    people().map((ref, index) => personLog(ref, index === 0)),
  );
}
