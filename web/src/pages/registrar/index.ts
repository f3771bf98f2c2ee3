// The registrar's page: find a person, enter a paper application (clinic_paper), the districts'
// panels against capacity, the moves pending for 1 January, the applications with filters and CSV.

import { rolePage } from '../role-page';
import { loadAccounts, loadAll, state } from './state';
import { orgHeader, signInView } from './sign-in';
import { findView, paperView } from './paper';
import { movesView, panelsView } from './panels';
import { applicationsView } from './applications';

export const registrarPage = rolePage(
  'registrar',
  state,
  { accounts: loadAccounts, all: loadAll },
  { signIn: signInView, signedIn: () => [orgHeader(), findView(), paperView(), panelsView(), movesView(), applicationsView()] },
);
