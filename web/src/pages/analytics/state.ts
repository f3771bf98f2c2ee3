// The analytics page's state: statistics (country or region) and monthly funding from the API.

import { getJson, query } from '../../api';
import { requestRender } from '../../app';
import { demoAccounts, type DemoAccounts } from '../../demo';
import { today } from '../../model';
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
  month: today().slice(0, 7),
  funding: undefined as Funding | undefined,
  fundingError: undefined as unknown,
};

export async function loadAccounts(): Promise<void> {
  try {
    state.accounts = await demoAccounts();
    state.pickRegion ||= state.accounts.regions[0]?.code ?? '';
  } catch (error) {
    state.accountsError = error;
  }
  requestRender();
}

export async function loadStats(): Promise<void> {
  state.stats = undefined;
  state.statsError = undefined;
  requestRender();
  try {
    state.stats = await getJson<Stats>(`/api/v1/stats${query({ region: state.region })}`);
  } catch (error) {
    state.statsError = error;
  }
  requestRender();
}

export async function loadFunding(): Promise<void> {
  state.funding = undefined;
  state.fundingError = undefined;
  requestRender();
  try {
    state.funding = await getJson<Funding>(`/api/v1/funding${query({ month: state.month })}`);
  } catch (error) {
    state.fundingError = error;
  }
  requestRender();
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
