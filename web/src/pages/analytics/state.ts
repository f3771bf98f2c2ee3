// The analytics page's state: statistics (country or region) and monthly funding from the API.

import { getJson } from '../../api';
import { requestRender } from '../../app';
import { demoAccounts } from '../../demo';
import { latest } from '../../latest';
import type { DemoAccounts, Funding, Stats } from '../../model';
import { currentMonth, fundingPath, statsPath } from './requests';
import { session, type Role } from '../../session';

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
