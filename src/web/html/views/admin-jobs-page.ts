import { profilePath, type JobFailure, type MediaStorageOverview, type QueueCounts } from '../../../core/index.ts';
import { csrfField } from './components.ts';
import { byteSize, count, fullTime, plural } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

/** The media storage section: bytes kept in total and by the accounts keeping the most, uploads waiting for cleanup. */
function storageSection(storage: MediaStorageOverview): SafeHtml {
  return html`<h2 id="storage-title">Media storage</h2>
<p>${byteSize(storage.totalBytes)} kept in ${plural(storage.attachments, 'attachment')}. Quota per account: ${storage.quotaBytes === undefined ? 'none' : byteSize(storage.quotaBytes)}.</p>
<p>${plural(storage.unattached, 'upload')} attached to no post; ${storage.unattachedExpired === 0 ? 'none' : count(storage.unattachedExpired)} older than a day ${storage.unattachedExpired === 1 ? 'waits' : 'wait'} for the hourly cleanup.</p>
${
  storage.topAccounts.length === 0
    ? html`<p>No account keeps media yet.</p>`
    : html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="storage-title">
<table class="stats-table">
  <caption>Accounts keeping the most</caption>
  <thead><tr><th scope="col">Account</th><th scope="col">Storage</th><th scope="col">Attachments</th></tr></thead>
  <tbody>
  ${storage.topAccounts.map((a) => html`<tr><th scope="row"><a href="${profilePath(a.username)}">@${a.username}</a></th><td>${byteSize(a.bytes)}</td><td>${count(a.attachments)}</td></tr>`)}
  </tbody>
</table>
</div>`
}`;
}

/** Whether this web process takes video and audio uploads (ffmpeg found), and if not, why. */
function videoSection(video: { ok: true } | { ok: false; reason: string }): SafeHtml {
  return html`<h2>Video and audio</h2>
${
  video.ok
    ? html`<p>Video and audio uploads are accepted: ffmpeg and ffprobe were found. They are processed by the <code>media-video</code> and <code>media-thumbnail</code> queues.</p>`
    : html`<div class="alert alert-error" role="status"><p>Video and audio uploads are refused: ${video.reason}.</p></div>`
}`;
}

/** Whether HEIC photos are taken (heif-convert found): without it they are refused at upload. */
function heicSection(heic: boolean): SafeHtml {
  return html`<h2>HEIC photos</h2>
${
  heic
    ? html`<p>HEIC photos (iPhones) are accepted and served as JPEG: libheif's <code>heif-convert</code> was found.</p>`
    : html`<div class="alert alert-error" role="status"><p>HEIC photos are refused: <code>heif-convert</code> is not installed (Debian's <code>libheif-examples</code> package) or <code>MEDIA_HEIF_CONVERT</code> is <code>off</code>. People are asked to upload a JPEG instead.</p></div>`
}`;
}

/** `/admin/jobs`: each queue's counts, the latest failures, a button to retry dead letters, and media storage. */
export function adminJobsPage(page: PageContext, queues: QueueCounts[], failures: JobFailure[], options: { retried?: number | undefined; storage?: MediaStorageOverview | undefined; video?: { ok: true } | { ok: false; reason: string } | undefined; heic?: boolean | undefined } = {}): SafeHtml {
  return layout(page, {
    title: 'Jobs and storage',
    body: html`<article class="prose admin-jobs">
<h1>Jobs and storage</h1>
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
${options.storage ? storageSection(options.storage) : ''}
${options.video ? videoSection(options.video) : ''}
${options.heic !== undefined ? heicSection(options.heic) : ''}
</article>`,
  });
}
