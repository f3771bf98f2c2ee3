// The shapes the API answers with, as the OpenAPI document says (src/generated/api.ts, made by
// `npm run gen:types` from src/http/openapi.json: never written here), and small facts derived
// from them.

import { basisValues, channelValues, documentValues, type components, type paths } from './generated/api';

type Schemas = components['schemas'];

export type DistrictKind = Schemas['DistrictKind'];
export type District = Schemas['District'];
export type Organisation = Schemas['Organisation'];
export type OrganisationOnDate = Schemas['OrganisationOnDate'];
export type OrganisationList = Schemas['OrganisationList'];
export type PendingMove = Schemas['PendingMove'];
export type Attachment = Schemas['Attachment'];
export type Period = Schemas['Period'];
export type History = Schemas['History'];
export type PersonRef = Schemas['PersonRef'];
export type Person = Schemas['Person'];
export type AccessLogEntry = Schemas['AccessLogEntry'];
export type AccessLog = Schemas['AccessLog'];
/** What POST /api/v1/applications answers. */
export type Decision = Schemas['Decision'];
/** A decided application as GET /api/v1/applications[/{id}] answers it. */
export type ApplicationRecord = Schemas['ApplicationRecord'];
export type ApplicationPage = Schemas['ApplicationPage'];
/** What a caller sends to POST /api/v1/applications. */
export type Application = Schemas['Application'];
export type Basis = Schemas['Basis'];
export type Channel = Schemas['Channel'];
export type DocumentCode = Schemas['Document'];
export type Moves = Schemas['Moves'];
export type Panel = Schemas['Panel'];
export type Policy = Schemas['Policy'];
export type Stats = Schemas['Stats'];
export type Funding = Schemas['Funding'];
export type FundingLine = Schemas['FundingLine'];
export type SexCount = Schemas['SexCount'];
export type DistrictUse = Schemas['DistrictUse'];
export type DemoAccounts = Schemas['DemoAccounts'];
export type DemoSession = Schemas['DemoSession'];
export type DemoSignIn = paths['/api/v1/demo/sign-in']['post']['requestBody']['content']['application/json'];
export type Problem = Schemas['Problem'];
export type Role = Schemas['Role'];

export const BASES = basisValues;
export const DOCUMENTS = documentValues;
export const CHANNELS = channelValues;

export function isBasis(value: string): value is Basis {
  return (BASES as readonly string[]).includes(value);
}

/** The person's units (ATE codes) by kind: registration, residence, temporary, work, study... */
export function personUnits(person: Person | null | undefined): Array<[string, string]> {
  if (!person) return [];
  return Object.entries(person.ates).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '');
}

/** The kind of a district from its record or, failing that, from its id (…-G01, -T02, -P03). */
export function districtKind(id: string | null | undefined, districts: District[] = []): DistrictKind | null {
  if (!id) return null;
  const known = districts.find((district) => district.id === id);
  if (known) return known.kind;
  const letter = /-([GTP])\d+$/.exec(id)?.[1];
  return letter === 'G' ? 'gp' : letter === 'T' ? 'therapist' : letter === 'P' ? 'pediatrician' : null;
}

export function servesAge(kind: DistrictKind, age: number | undefined): boolean {
  if (age === undefined || kind === 'gp') return true;
  return kind === 'pediatrician' ? age < 18 : age >= 18;
}

export function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function nextFirstOfJanuary(date: string): string {
  return `${Number(date.slice(0, 4)) + 1}-01-01`;
}

/** The region code of an ATE code (ALA-01 → ALA). */
export function regionOf(ate: string): string {
  return ate.split('-')[0] ?? ate;
}

/** The campaign window of a year under the policy, as ISO dates. */
export function campaignWindow(policy: Policy | null, year: number): { start: string; end: string } | null {
  if (!policy?.campaigns) return null;
  const exact = policy.campaigns.years?.find((entry) => entry.year === year);
  if (exact) return { start: exact.start, end: exact.end };
  const rule = policy.campaigns.rules?.find((entry) => entry.from_year <= year && year <= entry.to_year);
  return rule ? { start: `${year}-${rule.start}`, end: `${year}-${rule.end}` } : null;
}
