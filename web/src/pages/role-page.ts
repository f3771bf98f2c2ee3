// What the role pages share: a page for one role that offers the demo sign-in until someone of
// that role is signed in, and a sign-in form's busy flag and error.

import { requestRender, type Page } from '../app';
import { h } from '../dom';
import { t, type MessageKey } from '../i18n/i18n';
import { session } from '../session';

/** The state a role page keeps for signing in. */
export interface SignInState {
  accounts?: unknown;
  loadedFor: string;
  signingIn: boolean;
  signInError: unknown;
}

/** The page at /ROLE: the demo accounts while signed out, else the subject's data (loaded once). */
export function rolePage(
  role: 'citizen' | 'registrar',
  state: SignInState,
  load: { accounts: () => Promise<void>; all: () => Promise<void> },
  views: { signIn: () => HTMLElement; signedIn: () => HTMLElement[] },
): Page {
  return {
    path: `/${role}`,
    title: `nav.${role}` as MessageKey,
    enter() {
      const current = session.as(role);
      if (!current) {
        state.loadedFor = '';
        if (!state.accounts) void load.accounts();
      } else if (state.loadedFor !== current.subject) {
        void load.all();
      }
    },
    render() {
      const current = session.as(role);
      return h('div', { class: `page ${role}` }, h('h1', null, t(`${role}.title` as MessageKey)), current ? views.signedIn() : views.signIn());
    },
  };
}

/** Runs a sign-in from a form, marking the form busy and keeping the error to show. */
export async function signInFrom(state: SignInState, signInAs: () => Promise<unknown>): Promise<void> {
  state.signingIn = true;
  state.signInError = undefined;
  requestRender();
  try {
    await signInAs();
  } catch (error) {
    state.signInError = error;
  }
  state.signingIn = false;
  requestRender();
}
