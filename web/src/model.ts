// The shapes the API answers with (only what the pages read), and small facts derived from them.

export type DistrictKind = 'gp' | 'therapist' | 'pediatrician';

export interface District {
  id: string;
  kind: DistrictKind;
  doctors?: number;
  capacity: number | null;
  attached: number;
  free: number | null;
}

export interface Organisation {
  id: string;
  name: string;
  ate: string;
  region?: string;
  private: boolean;
  rural: boolean;
  open: boolean;
  location?: [number, number] | null;
  distance_km?: number;
  free_places?: number;
  districts: District[];
}

export interface OrganisationList {
  date: string;
  organisations: Organisation[];
}

export interface PendingMove {
  date: string;
  org: string;
  district?: string;
  org_name?: string;
  org_ate?: string;
  district_kind?: DistrictKind;
}

export interface Attachment {
  iin: string;
  date: string;
  org: string | null;
  district: string | null;
  since: string | null;
  org_name?: string;
  org_ate?: string;
  district_kind?: DistrictKind;
  pending?: PendingMove | null;
}

export interface Period {
  org: string;
  district: string;
  from: string;
  to: string | null;
  end: string;
  application: string | null;
}

export interface History {
  iin: string;
  periods: Period[];
}

export interface Osms {
  category?: string;
  payer?: string;
  insured?: boolean;
  package?: string;
}

export interface PersonRef {
  iin: string;
  name?: string;
  age?: number;
}

export interface Person {
  iin: string;
  name?: string;
  birth?: string;
  age?: number;
  sex?: 'M' | 'F';
  status?: string;
  categories?: string[];
  osms?: Osms;
  ate?: Record<string, string | null> | string[];
  ates?: Record<string, string | null> | string[];
  representatives?: Array<string | PersonRef>;
  represents?: PersonRef[];
}

/** One read of a person's records (GET /api/v1/persons/{iin}/access-log; the OpenAPI document
 *  describes the fields in words only). */
export interface AccessLogEntry {
  /** Unix microseconds. */
  at: number;
  /** The reader's role: citizen, registrar, operator, admin. */
  role: string;
  /** Whom the role names: an organisation for a registrar, a masked IIN for a citizen. */
  who: string;
  /** The route read, e.g. /api/v1/persons/{iin}/attachment. */
  what: string;
  refused: boolean;
}

export interface AccessLog {
  iin: string;
  /** Newest first. */
  entries: AccessLogEntry[];
}

export interface Decision {
  id: string;
  decision: 'approved' | 'refused';
  org?: string;
  district?: string;
  effective?: string;
  decide_by?: string;
  reasons?: string[];
  alternatives?: string[];
  // The application fields, when the list route returns them.
  iin?: string;
  applied_to?: string;
  applicant?: string;
  date?: string;
  channel?: string;
  basis?: string;
  documents?: string[];
}

export const BASES = ['first_attachment', 'free_choice', 'residence_change', 'work_or_study_change', 'temporary_residence', 'org_closed'] as const;
export const DOCUMENTS = ['residence_proof', 'representation_proof', 'consent_of_family_member', 'commission_protocol', 'rector_letter', 'insurance_contract'] as const;
export const REASONS = [
  'invalid_iin', 'unknown_person', 'false_data', 'deceased', 'no_consent', 'no_representation', 'channel_not_allowed',
  'missing_documents', 'not_eligible', 'org_not_eligible', 'territory', 'already_attached', 'wrong_district',
  'outside_campaign', 'too_frequent', 'invalid_basis', 'capacity_exceeded',
] as const;
export const CHANNELS = ['egov', 'mobile', 'service_centre', 'clinic_paper'] as const;

/** The person's units (ATE codes) by kind: registration, residence, temporary, work, study... */
export function personUnits(person: Person | null | undefined): Array<[string, string]> {
  const source = person?.ate ?? person?.ates;
  if (!source) return [];
  if (Array.isArray(source)) return source.map((code) => ['', code]);
  return Object.entries(source).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '');
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

export interface Policy {
  version: string;
  campaigns?: {
    years?: Array<{ year: number; start: string; end: string }>;
    rules?: Array<{ from_year: number; to_year: number; start: string; end: string }>;
  };
  paper?: { categories?: string[]; applicant_categories?: string[]; insurance?: string[] };
  free_choices_per_year?: Array<{ from: string; value: number }>;
}

/** The campaign window of a year under the policy, as ISO dates. */
export function campaignWindow(policy: Policy | null, year: number): { start: string; end: string } | null {
  if (!policy?.campaigns) return null;
  const exact = policy.campaigns.years?.find((entry) => entry.year === year);
  if (exact) return { start: exact.start, end: exact.end };
  const rule = policy.campaigns.rules?.find((entry) => entry.from_year <= year && year <= entry.to_year);
  return rule ? { start: `${year}-${rule.start}`, end: `${year}-${rule.end}` } : null;
}
