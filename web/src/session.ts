// Who is signed in, per role: kept in sessionStorage so a reload keeps the demo session while a
// closed tab forgets the token (the language, which is not personal, lives in localStorage).

import type { DemoSession, Role as ApiRole } from './model';

/** The roles that have a page here (operators and monitors have none). */
export type Role = Extract<ApiRole, 'citizen' | 'registrar' | 'region' | 'fund' | 'admin'>;

/** A citizen's signing key and certificate, as the demo sign-in gives them. */
export type Signing = NonNullable<DemoSession['signing']>;

/** The demo sign-in's reply, the name to show beside it. */
export type Session = Omit<DemoSession, 'role'> & { role: Role; name?: string };

const STORAGE_KEY = 'emkhana.session';
type Listener = () => void;
const listeners: Listener[] = [];

function read(): Session | null {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}

let active: Session | null = read();

export const session = {
  current(): Session | null {
    return active;
  },
  /** The session if it has one of the roles a page needs. */
  as(...roles: Role[]): Session | null {
    return active && roles.includes(active.role) ? active : null;
  },
  set(next: Session | null): void {
    active = next;
    if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else sessionStorage.removeItem(STORAGE_KEY);
    listeners.forEach((listener) => listener());
  },
  onChange(listener: Listener): void {
    listeners.push(listener);
  },
};
