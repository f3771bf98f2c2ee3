// The citizen page's state: who is signed in, their people, attachments, clinics, the form,
// who read their records; loading from the API, and submitting a signed eGov application.

import { getJson, postJson } from '../../api';
import { requestRender } from '../../app';
import { demoAccounts } from '../../demo';
import { latest } from '../../latest';
import {
  campaignWindow,
  personUnits,
  today,
  type AccessLog,
  type Application,
  type ApplicationPage,
  type ApplicationRecord,
  type Attachment,
  type Basis,
  type Decision,
  type DemoAccounts,
  type DocumentCode,
  type History,
  type Organisation,
  type Person,
  type PersonRef,
  type Policy,
} from '../../model';
import { knownOrganisation, organisation, organisationsOfUnit, rememberOrganisationName } from '../../organisations';
import { session } from '../../session';
import { signBody } from '../../signing';

/** An application of this page, before its signature: through eGov, always. */
export type ApplicationBody = Omit<Application, 'signature' | 'channel'> & { channel: 'egov' };

/** Whom the page shows: the signed-in person (from the session alone when their profile cannot
 *  be read) and the people they represent. */
export type Someone = Pick<PersonRef, 'iin'> & Partial<Pick<PersonRef, 'name' | 'age'>>;

export interface Outcome {
  decision: Decision;
  body: ApplicationBody;
}

export class SigningUnavailable extends Error {}

export const CITIZEN_DOCUMENTS = ['residence_proof', 'representation_proof', 'consent_of_family_member'] as const satisfies readonly DocumentCode[];

export const state = {
  accounts: undefined as DemoAccounts | undefined,
  accountsError: undefined as unknown,
  pick: '',
  manualIin: '',
  signingIn: false,
  signInError: undefined as unknown,
  loadedFor: '',
  me: undefined as Someone | undefined,
  represents: [] as PersonRef[],
  meError: undefined as unknown,
  profiles: {} as Record<string, Person>,
  attachments: {} as Record<string, Attachment>,
  histories: {} as Record<string, History>,
  loadErrors: {} as Record<string, unknown>,
  policy: undefined as Policy | undefined,
  forIin: '',
  unit: '',
  orgs: undefined as Organisation[] | undefined,
  orgsError: undefined as unknown,
  orgsLoading: false,
  form: { org: '', district: '', basis: '' as Basis | '', consent: true, documents: [] as DocumentCode[] },
  submitting: false,
  submitError: undefined as unknown,
  outcome: undefined as Outcome | undefined,
  applications: {} as Record<string, ApplicationRecord[]>,
  accessLogs: {} as Record<string, AccessLog>,
  /** Access logs shown whole rather than their first rows, by IIN. */
  accessLogsExpanded: {} as Record<string, boolean>,
};


export function people(): Someone[] {
  return state.me ? [state.me, ...state.represents] : [];
}

export function personOf(iin: string): Person | undefined {
  return state.profiles[iin];
}

export async function loadAccounts(): Promise<void> {
  try {
    state.accounts = await demoAccounts();
    state.pick ||= state.accounts.citizens[0]?.iin ?? '';
  } catch (error) {
    state.accountsError = error;
  }
  requestRender();
}

/** Each sign-in (or reload of the person) begins a generation; replies to an earlier one are
 *  dropped, so that a slow reply for the person signed in before never lands in this page. */
const allRequest = latest();
let currentAll: () => boolean = () => true;
const orgsRequest = latest();

export async function loadPerson(iin: string, isLatest: () => boolean = currentAll): Promise<void> {
  const results = await Promise.allSettled([
    getJson<Person>(`/api/v1/persons/${iin}`),
    getJson<Attachment>(`/api/v1/persons/${iin}/attachment`),
    getJson<History>(`/api/v1/persons/${iin}/history`),
  ]);
  if (!isLatest()) return;
  const [profile, attachment, history] = results;
  // The person's applications as the register keeps them (the ones made elsewhere too).
  getJson<ApplicationPage>(`/api/v1/applications?iin=${iin}&limit=50`)
    .then(async (reply) => {
      await Promise.all(reply.applications.map((item) => organisation(item.applied_to)));
      if (!isLatest()) return;
      state.applications[iin] = reply.applications;
      requestRender();
    })
    .catch(() => undefined);
  void loadAccessLog(iin, isLatest);
  if (profile.status === 'fulfilled') state.profiles[iin] = profile.value;
  else state.loadErrors[`profile-${iin}`] = profile.reason;
  if (attachment.status === 'fulfilled') {
    state.attachments[iin] = attachment.value;
    rememberOrganisationName(attachment.value.org, attachment.value.org_name);
    rememberOrganisationName(attachment.value.pending?.org, attachment.value.pending?.org_name);
  } else state.loadErrors[`attachment-${iin}`] = attachment.reason;
  if (history.status === 'fulfilled') state.histories[iin] = history.value;
  const orgIds = new Set<string>();
  if (attachment.status === 'fulfilled' && attachment.value.org) orgIds.add(attachment.value.org);
  if (history.status === 'fulfilled') history.value.periods.forEach((period) => orgIds.add(period.org));
  await Promise.all([...orgIds].map((id) => organisation(id)));
  if (!isLatest()) return;
  requestRender();
}

/** Who read the person's records (their own reads and this page's included), newest first; the
 *  organisations of the registrars among them, for their names. */
export async function loadAccessLog(iin: string, isLatest: () => boolean = currentAll): Promise<void> {
  let log: AccessLog;
  try {
    log = await getJson<AccessLog>(`/api/v1/persons/${iin}/access-log`);
  } catch (error) {
    if (!isLatest()) return;
    state.loadErrors[`access-log-${iin}`] = error;
    requestRender();
    return;
  }
  const orgIds = new Set(log.entries.filter((entry) => entry.role === 'registrar' && entry.who).map((entry) => entry.who));
  await Promise.all([...orgIds].map((id) => organisation(id)));
  if (!isLatest()) return;
  delete state.loadErrors[`access-log-${iin}`];
  state.accessLogs[iin] = { ...log, entries: [...log.entries].sort((a, b) => b.at - a.at) };
  requestRender();
}

export async function loadAll(): Promise<void> {
  const current = session.as('citizen');
  if (!current) return;
  const isLatest = allRequest();
  currentAll = isLatest;
  state.loadedFor = current.subject;
  state.me = undefined;
  state.represents = [];
  state.profiles = {};
  state.attachments = {};
  state.histories = {};
  state.loadErrors = {};
  state.outcome = undefined;
  state.applications = {};
  state.accessLogs = {};
  state.accessLogsExpanded = {};
  state.orgs = undefined;
  state.orgsError = undefined;
  state.orgsLoading = false;
  state.unit = '';
  state.form = { org: '', district: '', basis: '', consent: true, documents: [] };
  state.submitting = false;
  state.submitError = undefined;
  getJson<Policy>('/api/v1/policy')
    .then((policy) => {
      if (!isLatest()) return;
      state.policy = policy;
      requestRender();
    })
    .catch(() => undefined);
  let profile: Person | undefined;
  let meError: unknown;
  try {
    profile = await getJson<Person>(`/api/v1/persons/${current.subject}`);
  } catch (error) {
    // Without the profile route the page still works for the person alone.
    meError = error;
  }
  if (!isLatest()) return;
  state.me = profile ?? { iin: current.subject, name: current.name };
  state.represents = profile?.represents ?? [];
  state.meError = meError;
  if (profile) state.profiles[current.subject] = profile;
  state.forIin = current.subject;
  requestRender();
  await Promise.all(people().map((person) => loadPerson(person.iin, isLatest)));
  if (!isLatest()) return;
  // The person may already have chosen a unit (or whom to apply for, which chooses theirs) while
  // the cards loaded: that choice stands (choosing again would redraw the form under them).
  if (state.unit) return;
  chooseDefaultUnit();
  await loadOrganisations();
}

export function referencePoint(): [number, number] | null {
  const attachment = state.attachments[state.forIin];
  const location = knownOrganisation(attachment?.org)?.location;
  return location ? [location[0], location[1]] : null;
}

export function chooseDefaultUnit(): void {
  const person = personOf(state.forIin);
  const units = personUnits(person);
  const residence = units.find(([kind]) => kind === 'residence')?.[1];
  const attachedOrg = knownOrganisation(state.attachments[state.forIin]?.org);
  const fromDemo = state.accounts?.citizens.find((citizen) => citizen.iin === state.forIin)?.ate;
  state.unit = residence ?? units[0]?.[1] ?? attachedOrg?.ate ?? fromDemo ?? state.unit;
  state.form = { org: '', district: '', basis: defaultBasis(), consent: true, documents: [] };
}

export async function loadOrganisations(): Promise<void> {
  if (!state.unit) return;
  const isLatest = orgsRequest();
  const isSameSession = currentAll;
  state.orgsLoading = true;
  state.orgsError = undefined;
  requestRender();
  let orgs: Organisation[] | undefined;
  let error: unknown;
  try {
    orgs = await organisationsOfUnit(state.unit, referencePoint(), true);
  } catch (caught) {
    error = caught;
  }
  // Another unit asked for since (or another person signed in): that reply will be drawn.
  if (!isLatest() || !isSameSession()) return;
  state.orgs = orgs;
  state.orgsError = error;
  state.orgsLoading = false;
  requestRender();
}


export function isCampaignOpen(date: string): boolean {
  const window = campaignWindow(state.policy ?? null, Number(date.slice(0, 4)));
  return !!window && window.start <= date && date <= window.end;
}

export function defaultBasis(): Basis {
  if (!state.attachments[state.forIin]?.org) return 'first_attachment';
  return isCampaignOpen(today()) ? 'free_choice' : 'residence_change';
}

export function newIdempotencyKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export async function submit(body: ApplicationBody): Promise<void> {
  const current = session.as('citizen');
  if (!current) return;
  const isSameSession = currentAll;
  state.submitting = true;
  state.submitError = undefined;
  requestRender();
  try {
    // eGov applications must be signed: without a key (a token from elsewhere) or WebCrypto
    // (a page served over plain HTTP from another host) the application cannot be sent.
    if (!current.signing || !globalThis.crypto?.subtle) throw new SigningUnavailable();
    const signature = await signBody(body, current.signing);
    const decision = await postJson<Decision>('/api/v1/applications', { ...body, signature }, { 'Idempotency-Key': newIdempotencyKey() });
    if (decision.org) await organisation(decision.org);
    await Promise.all((decision.alternatives ?? []).map((id) => organisation(id)));
    if (!isSameSession()) return;
    state.outcome = { decision, body };
    await loadPerson(body.iin, isSameSession);
  } catch (error) {
    if (!isSameSession()) return;
    state.submitError = error;
  }
  if (!isSameSession()) return;
  state.submitting = false;
  requestRender();
  document.getElementById('decision')?.focus();
}

export function formBody(): ApplicationBody | null {
  const current = session.as('citizen');
  if (!current || !state.form.org || !state.form.basis) return null;
  const body: ApplicationBody = {
    iin: state.forIin,
    org: state.form.org,
    channel: 'egov',
    basis: state.form.basis,
    consent: state.form.consent,
  };
  if (state.form.district) body.district = state.form.district;
  if (state.forIin !== current.subject) body.applicant = current.subject;
  if (state.form.documents.length) body.documents = [...state.form.documents];
  return body;
}

export function applyToAlternative(org: string): void {
  if (!state.outcome) return;
  const { district: _chosen, ...rest } = state.outcome.body;
  state.form.org = org;
  state.form.district = '';
  void submit({ ...rest, org });
}

