// The registrar page's state and its loading from the API: the organisation, moves, the
// applications list, a person looked up, the paper application.

import { getJson, postJson, query } from '../../api';
import { requestRender } from '../../app';
import { demoAccounts } from '../../demo';
import { latest } from '../../latest';
import {
  nextFirstOfJanuary,
  today,
  type Application,
  type ApplicationPage,
  type ApplicationRecord,
  type Attachment,
  type Basis,
  type Decision,
  type DemoAccounts,
  type DocumentCode,
  type Moves,
  type Organisation,
  type OrganisationOnDate,
  type Panel,
  type Person,
  type Policy,
} from '../../model';
import { organisation, organisationsOfUnit, unitOfOrganisation } from '../../organisations';
import { session } from '../../session';

export const PAGE_SIZE = 100;

export const MOVES_SHOWN = 50;

export const state = {
  accounts: undefined as DemoAccounts | undefined,
  accountsError: undefined as unknown,
  pick: '',
  signingIn: false,
  signInError: undefined as unknown,
  loadedFor: '',
  org: undefined as Organisation | undefined,
  orgError: undefined as unknown,
  policy: undefined as Policy | undefined,
  lookupIin: '',
  lookup: undefined as { person?: Person; attachment?: Attachment; error?: unknown } | undefined,
  form: { iin: '', applicant: '', district: '', basis: 'first_attachment' as Basis, consent: true, documents: [] as DocumentCode[] },
  submitting: false,
  submitError: undefined as unknown,
  decision: undefined as Decision | undefined,
  moves: undefined as Moves | undefined,
  movesError: undefined as unknown,
  filters: { status: '', from: '', to: '' },
  applications: undefined as ApplicationRecord[] | undefined,
  applicationsError: undefined as unknown,
  // The status filter the shown list was loaded with (the form's may have changed since).
  applicationsStatus: '',
  applicationsLoading: false,
  nextOffset: null as number | null,
  panel: undefined as Panel | undefined,
};

export async function loadAccounts(): Promise<void> {
  try {
    state.accounts = await demoAccounts();
    state.pick ||= state.accounts.registrars[0]?.org ?? '';
  } catch (error) {
    state.accountsError = error;
  }
  requestRender();
}

/** Each sign-in begins a generation: replies for the registrar signed in before are dropped.
 *  The applications list and the look-up have their own (a newer filter or IIN wins). */
const sessionRequest = latest();
let currentSession: () => boolean = () => true;
const applicationsRequest = latest();
const lookupRequest = latest();

export async function loadOrganisation(id: string): Promise<void> {
  const isSameSession = currentSession;
  let org: Organisation | undefined;
  let orgError: unknown;
  try {
    org = await getJson<OrganisationOnDate>(`/api/v1/organisations/${encodeURIComponent(id)}`);
  } catch (error) {
    // Until the one-organisation route answers, the unit's list has the same record.
    org = (await organisationsOfUnit(unitOfOrganisation(id), null, true).catch(() => [])).find((item) => item.id === id);
    orgError = org ? undefined : error;
  }
  if (!isSameSession()) return;
  state.org = org;
  state.orgError = orgError;
  requestRender();
}

export async function loadMoves(id: string): Promise<void> {
  const isSameSession = currentSession;
  try {
    const moves = await getJson<Moves>(`/api/v1/organisations/${encodeURIComponent(id)}/moves${query({ date: nextFirstOfJanuary(today()) })}`);
    if (!isSameSession()) return;
    state.moves = moves;
    state.movesError = undefined;
  } catch (error) {
    if (!isSameSession()) return;
    state.movesError = error;
  }
  requestRender();
}

export async function loadApplications(more = false): Promise<void> {
  const current = session.as('registrar');
  if (!current) return;
  const isLatest = applicationsRequest();
  const isSameSession = currentSession;
  state.applicationsLoading = true;
  requestRender();
  try {
    const offset = more ? (state.nextOffset ?? 0) : 0;
    const status = state.filters.status;
    const reply = await getJson<ApplicationPage>(
      `/api/v1/applications${query({ org: current.subject, status, from: state.filters.from, to: state.filters.to, limit: PAGE_SIZE, offset })}`,
    );
    if (!isLatest() || !isSameSession()) return;
    state.applications = more ? [...(state.applications ?? []), ...reply.applications] : reply.applications;
    state.applicationsStatus = status;
    state.nextOffset = reply.next_offset;
    state.applicationsError = undefined;
  } catch (error) {
    if (!isLatest() || !isSameSession()) return;
    state.applicationsError = error;
  }
  state.applicationsLoading = false;
  requestRender();
}

export async function loadAll(): Promise<void> {
  const current = session.as('registrar');
  if (!current) return;
  currentSession = sessionRequest();
  const isSameSession = currentSession;
  state.loadedFor = current.subject;
  state.decision = undefined;
  state.panel = undefined;
  state.org = undefined;
  state.orgError = undefined;
  state.moves = undefined;
  state.movesError = undefined;
  state.applications = undefined;
  state.applicationsError = undefined;
  state.lookup = undefined;
  state.submitting = false;
  state.submitError = undefined;
  getJson<Policy>('/api/v1/policy')
    .then((policy) => {
      if (!isSameSession()) return;
      state.policy = policy;
      requestRender();
    })
    .catch(() => undefined);
  await Promise.all([loadOrganisation(current.subject), loadMoves(current.subject), loadApplications()]);
}

export async function lookUp(): Promise<void> {
  const iin = state.lookupIin.trim();
  const isLatest = lookupRequest();
  const isSameSession = currentSession;
  state.lookup = {};
  requestRender();
  const [person, attachment] = await Promise.allSettled([
    getJson<Person>(`/api/v1/persons/${encodeURIComponent(iin)}`),
    getJson<Attachment>(`/api/v1/persons/${encodeURIComponent(iin)}/attachment`),
  ]);
  if (!isLatest() || !isSameSession()) return;
  state.lookup = {
    person: person.status === 'fulfilled' ? person.value : undefined,
    attachment: attachment.status === 'fulfilled' ? attachment.value : undefined,
    error: attachment.status === 'rejected' ? attachment.reason : person.status === 'rejected' ? person.reason : undefined,
  };
  if (state.lookup.attachment?.org) await organisation(state.lookup.attachment.org);
  if (!isLatest() || !isSameSession()) return;
  requestRender();
}

export async function submitPaper(): Promise<void> {
  const current = session.as('registrar');
  if (!current) return;
  const body: Application = {
    iin: state.form.iin.trim(),
    org: current.subject,
    channel: 'clinic_paper',
    basis: state.form.basis,
    consent: state.form.consent,
  };
  if (state.form.district) body.district = state.form.district;
  if (state.form.applicant.trim()) body.applicant = state.form.applicant.trim();
  if (state.form.documents.length) body.documents = [...state.form.documents];
  const isSameSession = currentSession;
  state.submitting = true;
  state.submitError = undefined;
  requestRender();
  try {
    const decision = await postJson<Decision>('/api/v1/applications', body, { 'Idempotency-Key': crypto.randomUUID?.() ?? String(Date.now()) });
    if (!isSameSession()) return;
    state.decision = decision;
    await Promise.all([loadOrganisation(current.subject), loadApplications(), loadMoves(current.subject)]);
  } catch (error) {
    if (!isSameSession()) return;
    state.submitError = error;
  }
  if (!isSameSession()) return;
  state.submitting = false;
  requestRender();
  document.getElementById('paper-decision')?.focus();
}

export async function showPanel(district: string): Promise<void> {
  const isSameSession = currentSession;
  try {
    const panel = await getJson<Panel>(`/api/v1/districts/${encodeURIComponent(district)}/panel`);
    if (!isSameSession()) return;
    state.panel = panel;
  } catch (error) {
    if (!isSameSession()) return;
    state.orgError = error;
  }
  requestRender();
  document.getElementById('panel-list')?.focus();
}

