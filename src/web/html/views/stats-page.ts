import type { DailyStats } from '../../../core/index.ts';
import { count } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { statsChart } from './stats-chart.ts';

/** The last N days, oldest first, each with its figures when they have been computed. */
export function daysWithStats(stats: DailyStats[], until: string, n: number): { day: string; stats: DailyStats | undefined }[] {
  const byDay = new Map(stats.map((s) => [s.day, s]));
  const end = Date.parse(`${until}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(end - (n - 1 - i) * 86_400_000).toISOString().slice(0, 10);
    return { day, stats: byDay.get(day) };
  });
}

/** `/about/stats`: the last 30 days as a chart and a table. */
export function statsPage(page: PageContext, days: { day: string; stats: DailyStats | undefined }[]): SafeHtml {
  const computed = days.filter((d) => d.stats);
  return layout(page, {
    title: 'Statistics',
    description: 'How much happens on this Pipit server, day by day.',
    body: html`<article class="prose stats">
<h1>Statistics</h1>
<p>The last ${days.length} days on this server (UTC), computed once a day. Also as <a href="/api/pipit/v1/stats">JSON</a>.</p>
${computed.length === 0 ? html`<div class="empty"><p>No figures yet: they appear after the first daily run.</p></div>` : statsChart(days)}
<h2 id="daily-figures">Daily figures</h2>
<p class="hint scroll-hint">The table scrolls sideways: every column is there.</p>
<div class="table-scroll" tabindex="0" role="region" aria-labelledby="daily-figures">
<table class="stats-table">
  <caption class="visually-hidden">Daily figures</caption>
  <thead><tr><th scope="col">Day</th><th scope="col">New accounts</th><th scope="col">Active accounts</th><th scope="col">Posts</th><th scope="col">Replies</th><th scope="col">Mentions</th><th scope="col">Emails sent</th><th scope="col">Emails failed</th></tr></thead>
  <tbody>
  ${[...computed].reverse().map(
    ({ day, stats: s }) => html`<tr><th scope="row"><time datetime="${day}">${day}</time></th><td>${count(s!.newAccounts)}</td><td>${count(s!.activeAccounts)}</td><td>${count(s!.posts)}</td><td>${count(s!.replies)}</td><td>${count(s!.mentions)}</td><td>${count(s!.emailsSent)}</td><td>${count(s!.emailsFailed)}</td></tr>`,
  )}
  </tbody>
</table>
</div>
</article>`,
  });
}
