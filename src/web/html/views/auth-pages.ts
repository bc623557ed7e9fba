import { csrfField, field, formAlert } from './components.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

export interface FormState {
  values?: Record<string, string>;
  /** Field name → message. */
  errors?: Record<string, string>;
  /** A message for the whole form. */
  alert?: string | undefined;
}

/** `/auth/sign_up`. */
export function signUpPage(page: PageContext, state: FormState = {}): SafeHtml {
  const v = state.values ?? {};
  const e = state.errors ?? {};
  return layout(
    { ...page, current: 'sign_up' },
    {
      title: 'Sign up',
      body: html`<section class="auth-card" aria-labelledby="sign-up-title">
  <h1 id="sign-up-title">Create your account</h1>
  <p class="lead">Join Pipit to post and mention people.</p>
  ${formAlert(state.alert)}
  <form method="post" action="/auth/sign_up" novalidate>
    ${csrfField(page)}
    ${field({ name: 'username', label: 'Username', value: v.username, autocomplete: 'username', required: true, maxlength: 30, pattern: '[A-Za-z0-9_]{1,30}', hint: 'Letters, digits and underscores, up to 30. This is your @name.', error: e.username, autofocus: !state.errors || Boolean(e.username) })}
    ${field({ name: 'email', label: 'Email', type: 'email', value: v.email, autocomplete: 'email', required: true, maxlength: 254, hint: 'For notifications. Never shown to others.', error: e.email })}
    ${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 1024, hint: 'At least 8 characters.', error: e.password })}
    <button type="submit" class="button button-block">Sign up</button>
  </form>
  <p class="auth-switch">Already have an account? <a href="/auth/sign_in">Log in</a></p>
</section>`,
    },
  );
}

/** `/auth/sign_in`. */
export function signInPage(page: PageContext, state: FormState & { returnTo?: string | undefined } = {}): SafeHtml {
  const v = state.values ?? {};
  return layout(
    { ...page, current: 'sign_in' },
    {
      title: 'Log in',
      body: html`<section class="auth-card" aria-labelledby="sign-in-title">
  <h1 id="sign-in-title">Log in to Pipit</h1>
  ${formAlert(state.alert)}
  <form method="post" action="/auth/sign_in" novalidate>
    ${csrfField(page)}
    ${state.returnTo ? html`<input type="hidden" name="return_to" value="${state.returnTo}">` : ''}
    ${field({ name: 'username', label: 'Username or email', value: v.username, autocomplete: 'username', required: true, maxlength: 254, autofocus: true })}
    ${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 })}
    <button type="submit" class="button button-block">Log in</button>
  </form>
  <p class="auth-switch">New here? <a href="/auth/sign_up">Create an account</a></p>
</section>`,
    },
  );
}
