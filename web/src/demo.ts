// The demo accounts (`serve --demo`): lists to sign in from, and the sign-in that issues a token.

import { getJson, postJson } from './api';
import type { DemoAccounts, DemoSession, DemoSignIn } from './model';
import { session, type Role, type Session } from './session';
import { ACCOUNTS_PATH } from './pages/analytics/requests';

let accounts: Promise<DemoAccounts> | null = null;

export function demoAccounts(): Promise<DemoAccounts> {
  accounts ??= getJson<DemoAccounts>(ACCOUNTS_PATH);
  accounts.catch(() => (accounts = null));
  return accounts;
}

export async function signIn(role: Role, subject: string, name?: string): Promise<Session> {
  const request: DemoSignIn = { role, subject };
  const reply = await postJson<DemoSession>('/api/v1/demo/sign-in', request);
  const next: Session = { ...reply, role, name };
  session.set(next);
  return next;
}
