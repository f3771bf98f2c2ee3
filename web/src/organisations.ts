// Organisations by unit, cached per page visit: names for attachments, lists to choose from.

import { getJson, query } from './api';
import type { Organisation, OrganisationList } from './model';

const byId = new Map<string, Organisation>();
const byUnit = new Map<string, Promise<Organisation[]>>();

/** The unit (ATE) of an organisation id: ALA-01-P02 → ALA-01. */
export function unitOfOrganisation(id: string): string {
  return id.replace(/-P\d+$/, '');
}

export function organisationsOfUnit(ate: string, point?: [number, number] | null, fresh = false): Promise<Organisation[]> {
  const key = `${ate}|${point?.join(',') ?? ''}`;
  if (fresh) byUnit.delete(key);
  let request = byUnit.get(key);
  if (!request) {
    request = getJson<OrganisationList>(`/api/v1/organisations${query({ ate, lat: point?.[0], lon: point?.[1] })}`).then((list) => {
      list.organisations.forEach((organisation) => byId.set(organisation.id, organisation));
      return list.organisations;
    });
    request.catch(() => byUnit.delete(key));
    byUnit.set(key, request);
  }
  return request;
}

export async function organisation(id: string): Promise<Organisation | undefined> {
  if (!byId.has(id)) await organisationsOfUnit(unitOfOrganisation(id)).catch(() => []);
  return byId.get(id);
}

export function knownOrganisation(id: string | null | undefined): Organisation | undefined {
  return id ? byId.get(id) : undefined;
}

const names = new Map<string, string>();

/** Names that come with other replies (an attachment carries its organisation's name). */
export function rememberOrganisationName(id: string | null | undefined, name: string | null | undefined): void {
  if (id && name) names.set(id, name);
}

export function organisationName(id: string): string | undefined {
  return byId.get(id)?.name ?? names.get(id);
}
