// The analytics page's state: statistics (country or region) and monthly funding from the API.

import { getJson } from '../../api';
import { requestRender } from '../../app';
import { demoAccounts, type DemoAccounts } from '../../demo';
import { latest } from '../../latest';
import { currentMonth, fundingPath, statsPath } from './requests';
import { session, type Role } from '../../session';

export interface SexCount {
  men: number;
  women: number;
  total: number;
}

export interface Share {
  districts: number;
  with_capacity: number;
  above_90: number;
  above_100: number;
  share_above_90: number;
  share_above_100: number;
}

export interface Stats {
  scope: string;
  date: string;
  since?: string;
  population: SexCount;
  attached: SexCount;
  unattached: number;
  regions?: Array<{ region: string; population: number; attached: number; unattached: number; attached_share: number; insured?: number; insured_share?: number }>;
  organisations?: Array<{ id: string; name: string; region: string; attached: SexCount; inflow: number; outflow: number; net: number; pending_in: number; pending_out: number }>;
  age_sex?: Array<{ band: string; attached: SexCount; population: SexCount }>;
  districts?: { all: Share; by_kind?: Record<string, Share> };
  campaign?: { year: number; decisions_by_channel?: Record<string, { approved: number; refused: number }>; refusals?: Record<string, Record<string, number>> };
  osms?: { by_category?: Record<string, { registered: number; insured: number; insured_share: number }> };
}

export interface FundingLine {
  id: string;
  name: string;
  region: string;
  persons: number;
  amount: number;
  persons_before?: number;
  amount_before?: number;
  change?: { amount: number; joins: number; leaves: number; deaths: number; age_effect: number };
}

export interface Funding {
  month: string;
  table?: { illustrative?: boolean; version?: string; base_rate_per_year?: number };
  total: FundingLine;
  organisations: FundingLine[];
}

export const state = {
  accounts: undefined as DemoAccounts | undefined,
  accountsError: undefined as unknown,
  role: 'region' as Role,
  pickRegion: '',
  signingIn: false,
  signInError: undefined as unknown,
  loadedFor: '',
  region: '',
  stats: undefined as Stats | undefined,
  statsError: undefined as unknown,
  month: currentMonth(),
  funding: undefined as Funding | undefined,
  fundingError: undefined as unknown,
  /** The whole table of funding by organisation, not only its first rows. */
  fundingAll: false,
};

/** Rows of a table of organisations shown before "show all". */
export const TABLE_ROWS = 20;

/** A change to the state, made once a reply has come (nothing if it came too late). */
type Apply = () => void;

async function requestAccounts(): Promise<Apply> {
  try {
    const accounts = await demoAccounts();
    return () => {
      state.accounts = accounts;
      state.pickRegion ||= accounts.regions[0]?.code ?? '';
    };
  } catch (error) {
    return () => (state.accountsError = error);
  }
}

const statsRequest = latest();
const fundingRequest = latest();

async function requestStats(): Promise<Apply> {
  const isLatest = statsRequest();
  state.stats = undefined;
  state.statsError = undefined;
  try {
    const stats = await getJson<Stats>(statsPath(state.region));
    return () => isLatest() && (state.stats = stats);
  } catch (error) {
    return () => isLatest() && (state.statsError = error);
  }
}

async function requestFunding(): Promise<Apply> {
  const isLatest = fundingRequest();
  state.funding = undefined;
  state.fundingError = undefined;
  try {
    const funding = await getJson<Funding>(fundingPath(state.month));
    return () => isLatest() && (state.funding = funding);
  } catch (error) {
    return () => isLatest() && (state.fundingError = error);
  }
}

/** Shows the "loading" state at once, then the reply. */
async function load(request: Promise<Apply>): Promise<void> {
  requestRender();
  (await request)();
  requestRender();
}

export const loadAccounts = (): Promise<void> => load(requestAccounts());
export const loadStats = (): Promise<void> => load(requestStats());
export const loadFunding = (): Promise<void> => load(requestFunding());

/** How long a reply that has come waits for the page's other replies before it is drawn. */
const TOGETHER_MS = 250;

/** Opens the page: the accounts (the list of regions), the statistics and the funding, drawn in
 *  one render when they come within TOGETHER_MS of each other (as they do: the entry script sent
 *  them at once). Drawing each as it comes would draw the page two or three times over. */
export async function loadPage(withAccounts: boolean, withFunding: boolean): Promise<void> {
  const requests = [...(withAccounts ? [requestAccounts()] : []), requestStats(), ...(withFunding ? [requestFunding()] : [])];
  requestRender();
  const applied = requests.map((request) => request.then((apply) => apply()));
  const all = Promise.all(applied);
  await Promise.all(
    applied.map(async (done) => {
      await done;
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, TOGETHER_MS))]);
      requestRender();
    }),
  );
}

export function canSeeFunding(): boolean {
  return !!session.as('fund', 'admin');
}

export function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, value) => total + value, 0);
}

export function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
