// Words for the register's codes and ids: organisation names (data, kept as written), units by
// their region's name in the chosen language, refusal reasons in plain words.

import { data, h } from './dom';
import { reasons } from './generated/texts.json';
import { currentLanguage, hasCode, t, tCode, type Language } from './i18n/i18n';
import { regionOf } from './model';
import { organisationName } from './organisations';

/** An organisation by name when known (its name is data, not translated), else by id. */
export function orgLabel(id: string | null | undefined): HTMLElement {
  if (!id) return h('span', null, '—');
  const name = organisationName(id);
  return name ? h('span', { title: id }, data(name)) : h('span', null, id);
}

export function regionName(code: string): string {
  return hasCode('region', code) ? tCode('region', code) : code;
}

/** A unit (ATE) as "Region, code": the register has no names for units of its own. */
export function unitLabel(ate: string): string {
  if (!ate) return '—';
  return `${regionName(regionOf(ate))}, ${ate}`;
}

/** The words of each refusal reason, by code: the server's own (`emkhana texts --json`, copied
 *  to src/generated/texts.json and kept equal to it by the CTest web_generated). */
export const REASON_TEXTS: Readonly<Record<string, Readonly<Record<Language, string>> | undefined>> = reasons;

export function reasonText(code: string): string {
  return REASON_TEXTS[code]?.[currentLanguage()] ?? t('reason.unknown', { code });
}
