import { AVATAR_SIZE, DISPLAY_NAME_MAX, HEADER_HEIGHT, HEADER_WIDTH, MEDIA_MIME_TYPES, NOTE_MAX, mediaPath, profilePath, type Account } from '../../../core/index.ts';
import { avatar, csrfField, field, formAlert } from './components.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import type { FormState } from './auth-pages.ts';

// No maxlength attributes: browsers count UTF-16 units, the core counts characters as people do (an
// emoji is one), so the server says what is too long, for every field at once.

/** A picture's file input with what is there now, and (when there is one) a checkbox to go back to the default. */
function pictureField(o: { name: 'avatar' | 'header'; label: string; hint: string; current: SafeHtml; has: boolean; error: string | undefined }): SafeHtml {
  const id = `field-${o.name}`;
  const describedBy = [`${id}-hint`, o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field picture-field${o.error ? ' field-error' : ''}">
  <label for="${id}">${o.label}</label>
  <div class="picture-current picture-current-${o.name}">${o.current}</div>
  <input id="${id}" name="${o.name}" type="file" accept="${MEDIA_MIME_TYPES.join(',')}" aria-describedby="${describedBy}"${o.error ? html` aria-invalid="true"` : ''}>
  <p class="hint" id="${id}-hint">${o.hint}</p>
  ${o.error ? html`<p class="error-message" id="${id}-error">${o.error}</p>` : ''}
  ${o.has ? html`<label class="checkbox"><input type="checkbox" name="remove_${o.name}" value="1"> Remove the ${o.name === 'avatar' ? 'avatar' : 'header'} (back to the default)</label>` : ''}
</div>`;
}

/** `/settings/profile`: display name, bio and pictures; a refused save shows every field's problem and keeps what was typed. */
export function profileSettingsPage(page: PageContext, state: FormState & { saved?: boolean; account: Account }): SafeHtml {
  const me = state.account;
  const v = state.values ?? {};
  const e = state.errors ?? {};
  const noteId = 'field-note';
  const noteDescribedBy = [`${noteId}-hint`, e.note ? `${noteId}-error` : ''].filter(Boolean).join(' ');
  return layout(
    { ...page, current: 'edit_profile' },
    {
      title: 'Edit profile',
      body: html`<section class="auth-card settings-card" aria-labelledby="profile-settings-title">
  <h1 id="profile-settings-title">Edit profile</h1>
  <p class="lead">What people see on <a href="${profilePath(page.viewer!.username)}">your profile</a> and beside your posts.</p>
  ${state.saved ? html`<div class="alert alert-success" role="status">Profile saved.</div>` : ''}
  ${formAlert(state.alert)}
  <form method="post" action="/settings/profile" enctype="multipart/form-data" novalidate>
    ${csrfField(page)}
    ${field({ name: 'display_name', label: 'Display name', value: v.display_name, autocomplete: 'nickname', hint: `Up to ${DISPLAY_NAME_MAX} characters. Empty shows your @name.`, error: e.display_name })}
    <div class="field${e.note ? ' field-error' : ''}">
      <label for="${noteId}">Bio</label>
      <textarea id="${noteId}" name="note" rows="5" aria-describedby="${noteDescribedBy}"${e.note ? html` aria-invalid="true"` : ''}>${v.note ?? ''}</textarea>
      <p class="hint" id="${noteId}-hint">Up to ${NOTE_MAX} characters about yourself.</p>
      ${e.note ? html`<p class="error-message" id="${noteId}-error">${e.note}</p>` : ''}
    </div>
    ${pictureField({
      name: 'avatar',
      label: 'Avatar',
      hint: `A JPEG, PNG, WebP, GIF or AVIF picture; it is cropped to a square (${AVATAR_SIZE} × ${AVATAR_SIZE}) from its centre.`,
      current: avatar(me, 'large'),
      has: me.avatarKey !== null,
      error: e.avatar,
    })}
    ${pictureField({
      name: 'header',
      label: 'Header',
      hint: `Shown across the top of your profile, cropped to ${HEADER_WIDTH} × ${HEADER_HEIGHT} from its centre.`,
      current: me.headerKey ? html`<img class="picture-header-preview" src="${mediaPath(me.headerKey)}" alt="" width="${HEADER_WIDTH}" height="${HEADER_HEIGHT}">` : html`<span class="hint">No header yet.</span>`,
      has: me.headerKey !== null,
      error: e.header,
    })}
    <button type="submit" class="button">Save profile</button>
  </form>
  <p class="hint"><a href="/settings">Other settings</a></p>
</section>`,
    },
  );
}
