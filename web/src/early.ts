// Requests sent before the application has loaded. The entry script (main.ts) is small: it sends
// the requests the opening page will make at once (the analytics page's accounts, statistics and
// funding) while the application (Chart.js and the pages, most of the JavaScript) downloads and
// starts, so that the server's replies and the application's loading overlap instead of following
// each other. getJson takes an early request over when the page asks for the same path with the
// same headers (token, language); one not taken over is simply never read.

import { currentLanguage } from './i18n/language';
import { session } from './session';
import { analyticsRequests } from './pages/analytics/requests';

/** A reply, its body already being read and parsed when it is JSON of a success. */
export interface EarlyReply {
  response: Response;
  body?: Promise<unknown>;
}

interface EarlyRequest {
  headers: string;
  reply: Promise<EarlyReply>;
}

const early = new Map<string, EarlyRequest>();

/** The same headers as api.ts sends (it cannot be imported here: it would bring the pages). */
function apiHeaders(): Record<string, string> {
  const result: Record<string, string> = { Accept: 'application/json', 'Accept-Language': currentLanguage() };
  const token = session.current()?.token;
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

/** Sends the requests of the page at the current address, if it is known to need them. */
export function sendEarlyRequests(): void {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const paths = path === '/analytics' ? analyticsRequests(session.current()) : [];
  if (!paths.length || typeof fetch !== 'function') return;
  const headers = apiHeaders();
  for (const item of paths) {
    // The body is read and parsed as soon as it comes, while the application still loads: by the
    // time the page asks, the reply is ready, and the page is drawn with its data at once.
    const reply = fetch(item, { headers }).then((response): EarlyReply => {
      if (!response.ok) return { response };
      const body = response.json();
      body.catch(() => undefined);
      return { response, body };
    });
    // Never an unhandled rejection: the page reads the failure when it takes the request over.
    reply.catch(() => undefined);
    early.set(item, { headers: JSON.stringify(headers), reply });
  }
}

/** The early request for this path and these headers, once (then it is forgotten). */
export function takeEarly(path: string, headers: Record<string, string>): Promise<EarlyReply> | undefined {
  const request = early.get(path);
  if (!request) return undefined;
  early.delete(path);
  return request.headers === JSON.stringify(headers) ? request.reply : undefined;
}
