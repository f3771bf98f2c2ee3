// Small building blocks shared by the pages: labelled fields, messages, tables, meters.

import { ApiError } from './api';
import { h, uid, type Attrs } from './dom';
import { currentLanguage, t } from './i18n/i18n';

type Child = Parameters<typeof h>[2];

/** A form field: the label is tied to the control by `for`, a hint by aria-describedby. */
export function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
  );
}

export function checkbox(id: string, label: string, checked: boolean, onchange: (checked: boolean) => void, attrs: Attrs = {}): HTMLElement {
  return h(
    'div',
    { class: 'check' },
    h('input', {
      type: 'checkbox',
      id,
      checked,
      ...attrs,
      onchange: (event: Event) => onchange((event.target as HTMLInputElement).checked),
    }),
    h('label', { for: id }, label),
  );
}

/** A select; an option whose third member is true shows data from the register (names), which
 *  is marked translate=no like every other piece of data. */
export function select(options: Array<[string, string] | [string, string, boolean]>, value: string, onchange: (value: string) => void, attrs: Attrs = {}): HTMLElement {
  const element = h(
    'select',
    { ...attrs, onchange: (event: Event) => onchange((event.target as HTMLSelectElement).value) },
    options.map(([optionValue, text, isData]) => h('option', { value: optionValue, selected: optionValue === value, translate: isData ? 'no' : null }, text)),
  ) as HTMLSelectElement;
  element.value = value;
  return element;
}

/** The words for a failed request: the server's own title in the chosen language when it sent one. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const problem = error.problem;
    if (problem.code === 'route_not_found' || problem.code === 'not_found') {
      const title = problem.titles?.[currentLanguage()];
      return title ? `${title} (${problem.code})` : t('error.notAvailable');
    }
    return problem.titles?.[currentLanguage()] ?? t('error.request', { code: problem.code });
  }
  if (error instanceof TypeError) return t('error.network');
  return t('error.unexpected');
}

export function errorBox(error: unknown): HTMLElement {
  return h('div', { class: 'notice error', role: 'alert' }, errorText(error));
}

export function notice(text: string, kind: 'info' | 'ok' | 'warn' = 'info'): HTMLElement {
  return h('div', { class: `notice ${kind}`, role: kind === 'warn' ? 'alert' : 'status' }, text);
}

export function loading(): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card', 'aria-labelledby': `${id}-title`, id }, h('h2', { id: `${id}-title` }, title), ...children);
}

/** A table in a scrollable region named by its caption (so that a phone can scroll it). */
export function table(caption: string | HTMLElement, headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  const captionId = uid('caption');
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': captionId },
    h(
      'table',
      attrs,
      h('caption', { id: captionId }, caption),
      h('thead', null, h('tr', null, headers.map((header) => h('th', { scope: 'col' }, header)))),
      h('tbody', null, rows.map((cells) => h('tr', null, cells.map((cell) => h('td', null, cell))))),
    ),
  );
}

export function button(id: string, text: string, onclick: () => void, attrs: Attrs = {}): HTMLElement {
  return h('button', { type: 'button', id, ...attrs, onclick }, text);
}
