// The citizen's page ("My clinic"): where I and my children are attached, my OSMS standing,
// the clinics of my unit, an eGov application signed in the browser, its decision, the talon,
// and who looked at our records.

import { rolePage } from '../role-page';
import { loadAccounts, loadAll, state } from './state';
import { signInView } from './sign-in';
import { historyView, whereView } from './attachments';
import { clinicsView } from './clinics';
import { applyView } from './apply';
import { accessLogView } from './access-log';

export const citizenPage = rolePage(
  'citizen',
  state,
  { accounts: loadAccounts, all: loadAll },
  { signIn: signInView, signedIn: () => [whereView(), clinicsView(), applyView(), historyView(), accessLogView()] },
);
