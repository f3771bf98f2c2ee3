// A tiny element builder: pages are plain functions that return DOM trees, rebuilt on every
// render (state lives in the page modules, so a rebuild loses nothing but focus, restored by id).

type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | Handler | null | undefined>;

export function h(tag: string, attrs: Attrs | null = null, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') {
        element.addEventListener(name.slice(2).toLowerCase(), value);
      } else if (name === 'value' && 'value' in element) {
        (element as HTMLInputElement).value = String(value);
      } else if (name === 'checked' && typeof value === 'boolean') {
        (element as HTMLInputElement).checked = value;
      } else {
        element.setAttribute(name, value === true ? '' : String(value));
      }
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Data that is not interface text (names from the register): marked so that translators,
 *  screen readers and the language tests know it is not ours to translate. */
export function data(text: string, tag = 'span'): HTMLElement {
  return h(tag, { translate: 'no', class: 'data' }, text);
}

let idCounter = 0;
/** A fresh id for label/field pairs built in loops. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Where the time goes, for bench/web_analytics.mjs: a User Timing measure from `started` to now
 *  (each render of the page, each chart drawn). Only in the page's first minute, so that a page
 *  left open does not collect them for ever. */
export function measure(name: string, started: number): void {
  if (started < 60_000) performance.measure(name, { start: started });
}
