import { DISPLAY_NAME_MAX, NOTE_MAX, profilePath } from '../../../core/index.ts';
import { csrfField, field, formAlert } from './components.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import type { FormState } from './auth-pages.ts';

// No maxlength attributes: browsers count UTF-16 units, the core counts characters as people do (an
// emoji is one), so the server says what is too long, for every field at once.

/** `/settings/profile`: display name and bio; a refused save shows every field's problem and keeps what was typed. */
export function profileSettingsPage(page: PageContext, state: FormState & { saved?: boolean }): SafeHtml {
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
  <form method="post" action="/settings/profile" novalidate>
    ${csrfField(page)}
    ${field({ name: 'display_name', label: 'Display name', value: v.display_name, autocomplete: 'nickname', hint: `Up to ${DISPLAY_NAME_MAX} characters. Empty shows your @name.`, error: e.display_name })}
    <div class="field${e.note ? ' field-error' : ''}">
      <label for="${noteId}">Bio</label>
      <textarea id="${noteId}" name="note" rows="5" aria-describedby="${noteDescribedBy}"${e.note ? html` aria-invalid="true"` : ''}>${v.note ?? ''}</textarea>
      <p class="hint" id="${noteId}-hint">Up to ${NOTE_MAX} characters about yourself.</p>
      ${e.note ? html`<p class="error-message" id="${noteId}-error">${e.note}</p>` : ''}
    </div>
    <button type="submit" class="button">Save profile</button>
  </form>
  <p class="hint"><a href="/settings">Other settings</a></p>
</section>`,
    },
  );
}
