// The demo accounts (`serve --demo`): lists to sign in from, and the sign-in that issues a token.

import { getJson, postJson } from './api';
import { session, type Role, type Session } from './session';
import { ACCOUNTS_PATH } from './pages/analytics/requests';

export interface DemoCitizen {
  iin: string;
  name: string;
  age: number;
  sex: 'M' | 'F';
  ate: string;
  children: string[];
}
export interface DemoRegistrar {
  org: string;
  name: string;
  ate: string;
}
export interface DemoRegion {
  code: string;
  name: string;
}
export interface DemoAccounts {
  citizens: DemoCitizen[];
  registrars: DemoRegistrar[];
  regions: DemoRegion[];
}

let accounts: Promise<DemoAccounts> | null = null;

export function demoAccounts(): Promise<DemoAccounts> {
  accounts ??= getJson<DemoAccounts>(ACCOUNTS_PATH);
  accounts.catch(() => (accounts = null));
  return accounts;
}

export async function signIn(role: Role, subject: string, name?: string): Promise<Session> {
  const reply = await postJson<Session>('/api/v1/demo/sign-in', { role, subject });
  const next: Session = { ...reply, role: reply.role ?? role, subject: reply.subject ?? subject, name };
  session.set(next);
  return next;
}
