import { AV_MIME_TYPES, DESCRIPTION_MAX, MAX_ATTACHMENTS as MAX_PICTURES, MEDIA_MIME_TYPES, type Post, type Visibility } from '../../../core/index.ts';
import { avatar, csrfField } from './components.ts';
import { count } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

/** What the file inputs offer to choose: pictures, videos and audio (the server judges the content). */
const ACCEPTED_TYPES = [...MEDIA_MIME_TYPES, ...AV_MIME_TYPES].join(',');

/** The id of the compose form's error message: a refused post is sent back to it (`#compose-error`). */
export const COMPOSE_ERROR_ID = 'compose-error';

/** What the compose box shows: empty, or a refused post as it was typed, with the message. */
export interface ComposeState {
  maxLength: number;
  text?: string | undefined;
  spoilerText?: string | undefined;
  visibility?: Visibility | undefined;
  error?: string | undefined;
  /** A reply whose post is not on this page (a refused reply shown on the timeline) keeps its target. */
  inReplyToId?: string | undefined;
  /** The pictures were refused: their inputs are shown open, to choose them again. */
  picturesOpen?: boolean | undefined;
}

const VISIBILITY_CHOICES: { value: Visibility; label: string }[] = [
  { value: 'public', label: 'Public: everyone, in public timelines' },
  { value: 'unlisted', label: 'Unlisted: everyone, not in public timelines' },
  { value: 'private', label: 'Followers only: followers and people mentioned' },
  { value: 'direct', label: 'Direct: only the people mentioned' },
];

/** "@author @other " for a reply: the people in the conversation, not the viewer themselves. */
export function replyMentions(post: Post, viewerId: string): string {
  const names = [post.account, ...post.mentions].filter((a) => a.id !== viewerId).map((a) => `@${a.username}`);
  return names.length ? `${[...new Set(names)].join(' ')} ` : '';
}

/**
 * The box for writing a post (or, with `inReplyTo`, a reply): text, content warning and who sees it.
 * After a refused submit it shows the message and keeps everything typed.
 */
export function composeForm(page: PageContext, state: ComposeState, options: { inReplyTo?: Post; returnTo?: string } = {}): SafeHtml {
  const viewer = page.viewer!;
  const reply = options.inReplyTo;
  const visibility = state.visibility ?? 'public';
  const placeholder = reply ? `Reply to @${reply.account.username}` : `What's on your mind, @${viewer.username}?`;
  return html`<section class="compose" aria-labelledby="compose-heading"${reply ? html` id="reply"` : ''}>
  <h2 id="compose-heading" class="${reply ? 'compose-title' : 'visually-hidden'}">${reply ? `Reply to @${reply.account.username}` : 'Write a post'}</h2>
  <form method="post" action="/statuses" class="compose-form" enctype="multipart/form-data">
    ${csrfField(page)}
    ${reply || state.inReplyToId ? html`<input type="hidden" name="in_reply_to_id" value="${reply?.id ?? state.inReplyToId}">` : ''}
    ${options.returnTo ? html`<input type="hidden" name="return_to" value="${options.returnTo}">` : ''}
    <div class="compose-row">
      ${avatar(viewer)}
      <div class="compose-main">
        <label for="compose-status" class="visually-hidden">${reply ? 'Your reply' : "What's on your mind?"}</label>
        <textarea id="compose-status" name="status" rows="3" placeholder="${placeholder}" required${
          state.error ? html` aria-invalid="true" aria-describedby="${COMPOSE_ERROR_ID}"` : html` aria-describedby="compose-hint"`
        }>${state.text ?? (reply ? replyMentions(reply, viewer.id) : '')}</textarea>
        ${state.error ? html`<p class="error-message" id="${COMPOSE_ERROR_ID}" role="alert">${state.error}</p>` : ''}
        <div class="compose-options">
          <div class="compose-option">
            <label for="compose-cw">Content warning <span class="optional">(optional)</span></label>
            <input id="compose-cw" name="spoiler_text" type="text" maxlength="500" value="${state.spoilerText ?? ''}" aria-describedby="compose-cw-hint">
            <p class="hint" id="compose-cw-hint">If set, readers see only this until they choose to open the post.</p>
          </div>
          <div class="compose-option">
            <label for="compose-visibility">Who can see it</label>
            <select id="compose-visibility" name="visibility">
              ${VISIBILITY_CHOICES.map((c) => html`<option value="${c.value}"${c.value === visibility ? html` selected` : ''}>${c.label}</option>`)}
            </select>
          </div>
        </div>
        ${pictureInputs(state.picturesOpen ?? false)}
        <div class="compose-actions">
          <p class="hint" id="compose-hint">Up to ${count(state.maxLength)} characters. Use @name to mention and #tag to tag.</p>
          <button type="submit" class="button">${reply ? 'Reply' : 'Post'}</button>
        </div>
      </div>
    </div>
  </form>
</section>`;
}

/**
 * Up to four pictures, each with its description (read aloud by screen readers, shown when it cannot
 * load), and one "sensitive" box for them all. Plain inputs: they work without JavaScript.
 */
function pictureInputs(open: boolean): SafeHtml {
  const slots = Array.from({ length: MAX_PICTURES }, (_, i) => i + 1);
  return html`<details class="compose-pictures"${open ? html` open` : ''}>
          <summary>Add pictures, video or audio <span class="optional">(up to ${MAX_PICTURES})</span></summary>
          <p class="hint" id="compose-pictures-hint">Pictures (JPEG, PNG, WebP, GIF, AVIF), videos (MP4, MOV, WebM) or audio (MP3, Ogg, M4A, WAV, FLAC). Describe each for people who cannot see or hear it.</p>
          ${slots.map(
            (n) => html`<fieldset class="compose-picture">
            <legend>Picture ${n}</legend>
            <label for="compose-file-${n}">File</label>
            <input id="compose-file-${n}" name="file_${n}" type="file" accept="${ACCEPTED_TYPES}" aria-describedby="compose-pictures-hint">
            <label for="compose-description-${n}">Description <span class="optional">(alt text)</span></label>
            <textarea id="compose-description-${n}" name="description_${n}" rows="2" maxlength="${DESCRIPTION_MAX}"></textarea>
          </fieldset>`,
          )}
          <div class="compose-checkbox">
            <input id="compose-sensitive" name="sensitive" type="checkbox" value="1">
            <label for="compose-sensitive">Sensitive: fold the pictures until a reader chooses to see them</label>
          </div>
        </details>`;
}
