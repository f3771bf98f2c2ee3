// Small building blocks shared by the pages: labelled fields, messages, tables, meters.

import { ApiError } from './api';
import { h, uid, type Attrs } from './dom';
import { currentLanguage, formatNumber, t } from './i18n/i18n';

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

/** Markup for a table cell, already escaped (see `dataCell`). */
export class Html {
  constructor(readonly html: string) {}
}

/** A cell naming an organisation: its name is data (translate=no), its id follows. Written as
 *  markup, so that a table of 700 organisations is one parse. */
export function dataCell(name: string, id: string): Html {
  return new Html(`<span translate="no" class="data">${escapeHtml(name)}</span> (${escapeHtml(id)})`);
}

type Cell = Child | Html;

/** A table in a scrollable region named by its caption (so that a phone can scroll it). */
export function table(caption: string | HTMLElement, headers: string[], rows: Cell[][], attrs: Attrs = {}): HTMLElement {
  const captionId = uid('caption');
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': captionId },
    h(
      'table',
      attrs,
      h('caption', { id: captionId }, caption),
      h('thead', null, h('tr', null, headers.map((header) => h('th', { scope: 'col' }, header)))),
      tableBody(rows),
    ),
  );
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

/** The rows of a table, written as one string of escaped text and parsed at once: a table of
 *  organisations has thousands of cells, and an element, a text node and an append for each
 *  cost far more than one parse. Cells that are elements (buttons with their handlers, names
 *  marked as data) are put in their place afterwards. */
function tableBody(rows: Cell[][]): HTMLElement {
  const body = document.createElement('tbody');
  const nodes: Node[] = [];
  const write = (content: Cell): string => {
    if (content === null || content === undefined || content === false) return '';
    if (content instanceof Html) return content.html;
    if (Array.isArray(content)) return content.map(write).join('');
    if (typeof content === 'object') {
      nodes.push(content);
      return `<template data-node="${nodes.length - 1}"></template>`;
    }
    return escapeHtml(String(content));
  };
  body.innerHTML = rows.map((cells) => `<tr>${cells.map((cell) => `<td>${write(cell)}</td>`).join('')}</tr>`).join('');
  if (nodes.length) {
    for (const slot of body.querySelectorAll<HTMLTemplateElement>('template[data-node]')) slot.replaceWith(nodes[Number(slot.dataset.node)]);
  }
  return body;
}

/** A table of many rows (the country's organisations): the first `limit` rows in the order given,
 *  with a button for all of them (and back). Only the rows shown are built. */
export function longTable<T>(
  caption: string | HTMLElement,
  headers: string[],
  items: T[],
  row: (item: T) => Cell[],
  options: { id: string; limit: number; expanded: boolean; onToggle: () => void },
): HTMLElement[] {
  const { id, limit, expanded, onToggle } = options;
  const shown = expanded || items.length <= limit ? items : items.slice(0, limit);
  const tableElement = table(caption, headers, shown.map(row), { id });
  if (items.length <= limit) return [tableElement];
  return [
    tableElement,
    h(
      'p',
      { class: 'table-more' },
      h('span', { id: `${id}-shown` }, t('common.shownOf', { shown: formatNumber(shown.length), total: formatNumber(items.length) })),
      ' ',
      h(
        'button',
        {
          type: 'button',
          id: `${id}-toggle`,
          class: 'secondary',
          'aria-controls': id,
          'aria-expanded': String(expanded),
          'aria-describedby': `${id}-shown`,
          onclick: onToggle,
        },
        expanded ? t('common.showFirst', { count: formatNumber(limit) }) : t('common.showAll', { count: formatNumber(items.length) }),
      ),
    ),
  ];
}

export function button(id: string, text: string, onclick: () => void, attrs: Attrs = {}): HTMLElement {
  return h('button', { type: 'button', id, ...attrs, onclick }, text);
}
