// Chart.js, tree-shaken to the parts the pages use. Pages describe charts while rendering; the
// charts are built once their canvases are in the document.
//
// Cheap on purpose (the analytics page must be ready in under a second on the national registry):
// - a chart whose description has not changed since the last render is kept, canvas and all, and
//   moved into the new page: a reply that changes one section does not redraw the others;
// - the charts of a render are sized with one read of the layout for all of them, then drawn at
//   that size (`responsive: false`, the canvas's own size given): Chart.js's responsive mode reads
//   the layout again for each chart, after the previous one has changed it, which with a page of
//   large tables costs a full layout per chart. One ResizeObserver keeps them responsive. A chart
//   in a card the browser may leave unlaid while off screen (the analytics page's cards are
//   `content-visibility: auto`) takes its card's inner width, so that sizing it does not make
//   the browser lay out the card: the chart is drawn into its canvas all the same, at once;
// - no animation; bars on a category axis declared in order (`normalized`).

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { h, measure } from './dom';
import { currentLanguage, formatTick } from './i18n/i18n';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, PointElement, ScatterController, Tooltip, Legend);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';
Chart.defaults.color = '#243b53';
// Axis numbers written by the page, not by Intl (whose first use costs 50-130 ms; see i18n.ts),
// with the decimals Chart.js's own formatter would choose from the step between ticks.
Chart.defaults.scales.linear.ticks.callback = (value, _index, ticks) => {
  const tick = Number(value);
  let step = ticks.length > 3 ? ticks[2].value - ticks[1].value : ticks.length > 1 ? ticks[1].value - ticks[0].value : 0;
  if (Math.abs(step) >= 1 && tick !== Math.floor(tick)) step = tick - Math.floor(tick);
  return formatTick(tick, step);
};

export const PALETTE = ['#1565c0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#5d4037', '#ad1457'];

interface Mounted {
  chart: Chart;
  wrapper: HTMLElement;
  canvas: HTMLCanvasElement;
  key: string;
  height: number;
}

interface Described {
  id: string;
  wrapper: HTMLElement;
  canvas: HTMLCanvasElement;
  key: string;
  height: number;
  config?: ChartConfiguration;
}

/** The charts on the page, by canvas id. */
let live = new Map<string, Mounted>();
/** The charts described by the render in progress. */
let pending: Described[] = [];

const resizing =
  typeof ResizeObserver === 'function'
    ? new ResizeObserver((entries) => {
        for (const entry of entries) {
          const mounted = [...live.values()].find((item) => item.wrapper === entry.target);
          if (!mounted) continue;
          const width = Math.floor(entry.contentRect.width);
          if (width > 0 && width !== mounted.chart.width) mounted.chart.resize(width, mounted.height);
        }
      })
    : null;

/** What a chart shows, as text: the same text means the same picture (functions, such as
 *  tooltip callbacks, are left out; they depend only on the language, which is part of it). */
function keyOf(label: string, config: ChartConfiguration, height: number): string {
  return JSON.stringify([currentLanguage(), label, height, config.type, config.data, config.options]);
}

/** A chart with its accessible name; `summary` is read by screen readers in place of the canvas
 *  (the same figures are always in a table beside it). */
export function chart(id: string, label: string, config: ChartConfiguration, height = 320): HTMLElement {
  const key = keyOf(label, config, height);
  const kept = live.get(id);
  if (kept && kept.key === key && !pending.some((item) => item.id === id)) {
    pending.push({ id, wrapper: kept.wrapper, canvas: kept.canvas, key, height });
    return kept.wrapper;
  }
  const canvas = h('canvas', { id, role: 'img', 'aria-label': label }) as HTMLCanvasElement;
  const wrapper = h('div', { class: 'chart', style: `height:${height}px` }, canvas);
  pending.push({ id, wrapper, canvas, key, height, config });
  return wrapper;
}

/** A chart's width: its wrapper's, or, in a card the browser may leave unlaid while it is off
 *  screen (content-visibility: auto), the card's inner width, which a chart fills; reading the
 *  wrapper's would make the browser lay out the whole card. The ResizeObserver corrects it if
 *  the card turns out otherwise once laid out. */
function widthOf(wrapper: HTMLElement): number {
  const card = wrapper.closest<HTMLElement>('.card');
  if (!card) return wrapper.clientWidth;
  const style = getComputedStyle(card);
  if (style.contentVisibility !== 'auto') return wrapper.clientWidth;
  return card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

/** Builds the charts described by the last render (called once it is in the document): keeps
 *  the unchanged ones, destroys those gone, draws the new ones. */
export function mountCharts(): void {
  const described = pending;
  pending = [];
  const next = new Map<string, Mounted>();
  for (const item of described) {
    const kept = live.get(item.id);
    if (!item.config && kept && kept.wrapper === item.wrapper) {
      next.set(item.id, kept);
      live.delete(item.id);
    }
  }
  for (const gone of live.values()) {
    resizing?.unobserve(gone.wrapper);
    gone.chart.destroy();
  }
  live = next;
  const fresh = described.filter((item) => item.config && item.wrapper.isConnected);
  if (!fresh.length) return;
  // Tooltips' numbers (Chart.js writes them with Intl, on hover) grouped as on the page (ICU has
  // no Kazakh data; Kazakh groups like Russian).
  Chart.defaults.locale = currentLanguage() === 'en' ? 'en-GB' : 'ru-RU';
  // One layout for all: read every width before any chart changes the page.
  const measuring = performance.now();
  const widths = fresh.map((item) => Math.floor(widthOf(item.wrapper)));
  measure('emkhana:layout', measuring);
  fresh.forEach((item, index) => {
    const config = item.config!;
    item.canvas.width = widths[index];
    item.canvas.height = item.height;
    // Bars on a category axis are in order by construction: Chart.js may skip sorting them.
    config.options = { responsive: false, maintainAspectRatio: false, ...(config.type === 'bar' ? { normalized: true } : {}), ...config.options };
    const started = performance.now();
    const instance = new Chart(item.canvas, config);
    measure(`emkhana:chart ${item.id}`, started);
    live.set(item.id, { chart: instance, wrapper: item.wrapper, canvas: item.canvas, key: item.key, height: item.height });
    resizing?.observe(item.wrapper);
  });
}
