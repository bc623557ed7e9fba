import type { JobFailure, QueueCounts } from '../../../core/index.ts';
import { csrfField } from './components.ts';
import { count, fullTime } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

/** `/admin/jobs`: each queue's counts, the latest failures, and a button to retry dead letters. */
export function adminJobsPage(page: PageContext, queues: QueueCounts[], failures: JobFailure[], options: { retried?: number | undefined } = {}): SafeHtml {
  return layout(page, {
    title: 'Job queues',
    body: html`<article class="prose admin-jobs">
<h1>Job queues</h1>
${options.retried !== undefined ? html`<div class="alert alert-success" role="status">Sent ${count(options.retried)} dead-lettered ${options.retried === 1 ? 'job' : 'jobs'} back to their queue.</div>` : ''}
<h2 id="queues-title">Queues</h2>
<p class="hint scroll-hint">The table scrolls sideways: every column is there.</p>
<div class="table-scroll" tabindex="0" role="region" aria-labelledby="queues-title">
<table class="stats-table">
  <thead><tr><th scope="col">Queue</th><th scope="col">Waiting</th><th scope="col">Active</th><th scope="col">Failed</th><th scope="col">Dead letter</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  ${queues.map(
    (q) => html`<tr><th scope="row"><code>${q.queue}</code><span class="hint">${q.description}</span></th><td>${count(q.waiting)}</td><td>${count(q.active)}</td><td>${count(q.failed)}</td><td${q.deadLetter > 0 ? html` class="cell-alert"` : ''}>${count(q.deadLetter)}</td>
    <td>${q.deadLetter > 0 ? html`<form method="post" action="/admin/jobs/retry" class="inline-form">${csrfField(page)}<input type="hidden" name="queue" value="${q.queue}"><button type="submit" class="button button-small">Retry</button></form>` : ''}</td></tr>`,
  )}
  </tbody>
</table>
</div>
<h2>Recent failures</h2>
${
  failures.length === 0
    ? html`<p>No recent failures.</p>`
    : html`<ul class="failures">${failures.map(
        (f) => html`<li><p><code>${f.queue}</code> · ${f.state === 'retry' ? 'will retry' : 'failed'} · attempt ${f.retryCount + 1} · <time datetime="${f.at.toISOString()}">${fullTime(f.at)}</time></p>
  <p class="failure-error">${f.error}</p>
  <p class="hint">Request id: <code>${f.reqId ?? '—'}</code> · job <code>${f.jobId}</code></p></li>`,
      )}</ul>`
}
<p class="hint">The same from a terminal: <code>pipit jobs</code> (and <code>pipit jobs --retry-dead</code>).</p>
</article>`,
  });
}
