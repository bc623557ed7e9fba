import type { DailyStats } from '../../../core/index.ts';
import { count } from './format.ts';
import { html, type SafeHtml } from './html.ts';

// A chart drawn on the server as SVG: no script, no inline style (the CSP allows neither), colours
// from classes in style.css so it follows light and dark. Bars are posts per day; the line is active
// accounts; each day has a <title> that browsers show on hover and screen readers can reach.

const W = 640;
const H = 240;
const PAD = { top: 16, right: 12, bottom: 28, left: 40 };
const SHORT = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

/** Posts (bars) and active accounts (line) for each of `days`, oldest first. */
export function statsChart(days: { day: string; stats: DailyStats | undefined }[]): SafeHtml {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(1, ...days.map((d) => Math.max(d.stats?.posts ?? 0, d.stats?.activeAccounts ?? 0))));
  const slot = innerW / Math.max(days.length, 1);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const ticks = [0, max / 2, max];
  const line = days
    .map((d, i) => (d.stats ? `${(PAD.left + slot * i + slot / 2).toFixed(1)},${y(d.stats.activeAccounts).toFixed(1)}` : ''))
    .filter(Boolean)
    .join(' ');
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet">
  <title id="chart-title">Posts and active accounts per day</title>
  <desc id="chart-desc">Bars show posts per day, the line shows accounts that posted, over the last ${days.length} days. The table below has every figure.</desc>
  ${ticks.map(
    (v) => html`<line class="chart-grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"></line>
  <text class="chart-label" x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${count(Math.round(v))}</text>`,
  )}
  ${days.map((d, i) => {
    const x = PAD.left + slot * i;
    const label = SHORT.format(new Date(`${d.day}T00:00:00Z`));
    const posts = d.stats?.posts ?? 0;
    const barH = (posts / max) * innerH;
    return html`<g class="chart-day">
    <title>${label}: ${d.stats ? `${count(posts)} posts, ${count(d.stats.activeAccounts)} active accounts` : 'not computed yet'}</title>
    <rect class="chart-hit" x="${(x + 0.5).toFixed(1)}" y="${PAD.top}" width="${Math.max(slot - 1, 1).toFixed(1)}" height="${innerH}"></rect>
    ${d.stats ? html`<rect class="chart-bar" x="${(x + slot * 0.15).toFixed(1)}" y="${y(posts).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${barH.toFixed(1)}" rx="2"></rect>` : ''}
    ${i % 5 === 0 || i === days.length - 1 ? html`<text class="chart-label" x="${(x + slot / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${label}</text>` : ''}
  </g>`;
  })}
  ${line ? html`<polyline class="chart-line" points="${line}"></polyline>` : ''}
</svg>
<p class="chart-legend"><span class="legend-swatch legend-bar" aria-hidden="true"></span> Posts <span class="legend-swatch legend-line" aria-hidden="true"></span> Active accounts</p>`;
}
