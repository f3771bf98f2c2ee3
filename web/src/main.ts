// Entry point, kept small: sends the requests the opening page needs at once (src/early.ts),
// while the application itself (start.ts: the pages and Chart.js) loads, so that the two
// overlap. The import makes the application a chunk of its own; the page also loads that chunk
// as a module script (vite.config.ts), so the page's load event waits for it. In the dev server
// the import alone loads it.

import './style.css';
import { sendEarlyRequests } from './early';

sendEarlyRequests();
void import('./start');
