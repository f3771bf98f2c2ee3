// The one door to the REST API /api/v1: bearer token, Accept-Language, problem+json as ApiError.

import { takeEarly } from './early';
import { currentLanguage } from './i18n/language';
import type { Problem as ApiProblem } from './model';
import { session } from './session';

/** A problem+json reply (the API's `Problem`), or one made here of a reply that was not one (a
 *  proxy's, the static server's), which has no `type` and no `titles`. */
export type Problem = Omit<ApiProblem, 'type' | 'titles'> & Partial<Pick<ApiProblem, 'type' | 'titles'>>;

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`);
  }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  const result: Record<string, string> = { Accept: 'application/json', 'Accept-Language': currentLanguage(), ...extra };
  const token = session.current()?.token;
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

async function toProblem(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body.code === 'string') return { status: response.status, title: body.code, ...body } as Problem;
  } catch {
    // Not JSON: a proxy or the static server answered; keep the status.
  }
  return { status: response.status, code: response.status === 404 ? 'route_not_found' : 'internal', title: response.statusText, detail: text.slice(0, 200) };
}

export async function getJson<T>(path: string): Promise<T> {
  const requestHeaders = headers();
  // The entry script may have sent this very request already, while the application loaded.
  const early = takeEarly(path, requestHeaders);
  if (early) {
    const { response, body } = await early;
    if (!response.ok || !body) throw new ApiError(await toProblem(response));
    return (await body) as T;
  }
  const response = await fetch(path, { headers: requestHeaders });
  if (!response.ok) throw new ApiError(await toProblem(response));
  return (await response.json()) as T;
}

export async function postJson<T>(path: string, body: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json', ...extraHeaders }),
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new ApiError(await toProblem(response));
  return (await response.json()) as T;
}

/** Fetches an authorised document (the talon) and opens it: a plain link could not carry the token. */
export async function openAuthorised(path: string, fileName: string, download: boolean): Promise<void> {
  const response = await fetch(path, { headers: headers({ Accept: '*/*' }) });
  if (!response.ok) throw new ApiError(await toProblem(response));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  if (download) link.download = fileName;
  else link.target = '_blank';
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
