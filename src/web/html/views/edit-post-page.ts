import { DESCRIPTION_MAX, mediaPath, postPath, type Post } from '../../../core/index.ts';
import { csrfField, field, formAlert } from './components.ts';
import { count } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { VISIBILITY_LABEL } from './post-card.ts';

/** What the edit form shows: the post's source, or a refused edit as it was typed with what to fix. */
export interface EditPostState {
  text: string;
  spoilerText: string;
  /** Field name (`status`, `spoiler_text`, `description`, `media_ids`) → message. */
  errors?: Record<string, string>;
  /** As typed, per attachment id: its description and whether it is to be removed (default: as the post has it). */
  media?: Record<string, { description: string; remove: boolean }>;
}

/** The post's pictures on the edit form: a preview of each, its alt text to change, a box to remove it. */
function picturesFieldset(post: Post, state: EditPostState): SafeHtml | '' {
  if (post.media.length === 0) return '';
  const e = state.errors ?? {};
  const error = e.description ?? e.media_ids ?? e.media_attributes;
  return html`<fieldset class="edit-pictures"${error ? html` aria-describedby="edit-pictures-error"` : ''}>
      <legend>Pictures</legend>
      ${error ? html`<p class="error-message" id="edit-pictures-error">${error}</p>` : ''}
      ${post.media.map((m, i) => {
        const typed = state.media?.[m.id];
        const description = typed?.description ?? m.description;
        const preview = m.smallKey ? html`<img class="edit-picture-preview" src="${mediaPath(m.smallKey)}" alt="" width="${String(m.meta.small?.width ?? 160)}" height="${String(m.meta.small?.height ?? 120)}" loading="lazy">` : '';
        return html`<div class="edit-picture">
        ${preview}
        <div class="field">
          <label for="description-${m.id}">Description of picture ${i + 1}</label>
          <textarea id="description-${m.id}" name="description_${m.id}" rows="2" maxlength="${String(DESCRIPTION_MAX)}" dir="auto">${description}</textarea>
        </div>
        <label class="checkbox"><input type="checkbox" name="remove_${m.id}" value="1"${typed?.remove ? html` checked` : ''}> Remove picture ${i + 1}</label>
      </div>`;
      })}
      <p class="hint">Descriptions tell people who cannot see a picture what it shows (up to ${count(DESCRIPTION_MAX)} characters).</p>
    </fieldset>`;
}

/**
 * `/statuses/:id/edit`: the author's form to change a post's text, content warning, and its pictures'
 * descriptions, or to remove pictures (no JavaScript).
 * Who can see it is shown, not offered: an edit cannot change it.
 */
export function editPostPage(page: PageContext, post: Post, state: EditPostState, maxLength: number): SafeHtml {
  const e = state.errors ?? {};
  const permalink = postPath(post.account.username, post.id);
  const textId = 'field-status';
  const textDescribedBy = [`${textId}-hint`, e.status ? `${textId}-error` : ''].filter(Boolean).join(' ');
  return layout(page, {
    title: 'Edit post',
    body: html`<section class="auth-card edit-post" aria-labelledby="edit-post-title">
  <h1 id="edit-post-title">Edit post</h1>
  <p class="lead">Readers see the post as you save it, marked as edited; the earlier versions stay in its history.</p>
  ${formAlert(Object.keys(e).length ? 'Please fix the highlighted field. Nothing was saved yet.' : undefined)}
  <form method="post" action="/statuses/${post.id}/edit" novalidate>
    ${csrfField(page)}
    <div class="field${e.status ? ' field-error' : ''}">
      <label for="${textId}">Text</label>
      <textarea id="${textId}" name="status" rows="6" dir="auto" aria-describedby="${textDescribedBy}"${e.status ? html` aria-invalid="true"` : ''}>${state.text}</textarea>
      <p class="hint" id="${textId}-hint">Up to ${count(maxLength)} characters. Use @name to mention and #tag to tag; people newly mentioned are notified.</p>
      ${e.status ? html`<p class="error-message" id="${textId}-error">${e.status}</p>` : ''}
    </div>
    ${picturesFieldset(post, state)}
    ${field({ name: 'spoiler_text', label: 'Content warning (optional)', value: state.spoilerText, hint: 'If set, readers see only this until they choose to open the post. Empty removes it.', error: e.spoiler_text })}
    <p class="hint">Who can see it: ${VISIBILITY_LABEL[post.visibility]} (this does not change when you edit).</p>
    <div class="confirm-actions">
      <button type="submit" class="button">Save changes</button>
      <a class="button button-secondary" href="${permalink}">Cancel</a>
    </div>
  </form>
</section>`,
  });
}
