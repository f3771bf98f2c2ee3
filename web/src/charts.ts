// Chart.js, tree-shaken to the parts the pages use. Pages describe charts while rendering; the
// charts are built once their canvases are in the document, and destroyed on the next render.

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
import { h } from './dom';
import { currentLanguage } from './i18n/i18n';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, PointElement, ScatterController, Tooltip, Legend);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';
Chart.defaults.color = '#243b53';

let live: Chart[] = [];
let pending: Array<{ canvas: HTMLCanvasElement; config: ChartConfiguration }> = [];

export const PALETTE = ['#1565c0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#5d4037', '#ad1457'];

/** A chart with its accessible name; `summary` is read by screen readers in place of the canvas
 *  (the same figures are always in a table beside it). */
export function chart(id: string, label: string, config: ChartConfiguration, height = 320): HTMLElement {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': label }) as HTMLCanvasElement;
  pending.push({ canvas, config });
  return h('div', { class: 'chart', style: `height:${height}px` }, canvas);
}

/** Builds the charts described by the last render (called after it is in the document). */
export function mountCharts(): void {
  live.forEach((instance) => instance.destroy());
  // Axis numbers grouped as on the page (ICU has no Kazakh data; Kazakh groups like Russian).
  Chart.defaults.locale = currentLanguage() === 'en' ? 'en-GB' : 'ru-RU';
  live = pending.map(({ canvas, config }) => {
    config.options = { responsive: true, maintainAspectRatio: false, ...config.options };
    return new Chart(canvas, config);
  });
  pending = [];
}
