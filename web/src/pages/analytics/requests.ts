// The analytics page's requests, by path: shared by its state and the entry script, which sends
// them before the application has loaded (src/early.ts). Kept free of heavy imports.

import { today } from '../../model';
import type { Session } from '../../session';

export const ACCOUNTS_PATH = '/api/v1/demo/accounts';

export function statsPath(region: string): string {
  return `/api/v1/stats${region ? `?region=${encodeURIComponent(region)}` : ''}`;
}

export function fundingPath(month: string): string {
  return `/api/v1/funding?month=${encodeURIComponent(month)}`;
}

export function currentMonth(): string {
  return today().slice(0, 7);
}

export function seesAnalytics(current: Session | null): boolean {
  return !!current && (current.role === 'region' || current.role === 'fund' || current.role === 'admin');
}

export function seesFunding(current: Session | null): boolean {
  return !!current && (current.role === 'fund' || current.role === 'admin');
}

/** What the page asks for when it opens for this session (the country, this month). */
export function analyticsRequests(current: Session | null): string[] {
  if (!seesAnalytics(current)) return [];
  return [ACCOUNTS_PATH, statsPath(''), ...(seesFunding(current) ? [fundingPath(currentMonth())] : [])];
}
