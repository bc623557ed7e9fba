import assert from 'node:assert/strict';

// A tiny browser for tests that talk to a real `pipit` process over HTTP: cookies, forms, CSRF.

/** Cookies as a browser keeps them, for fetch. */
export class CookieJar {
  readonly values = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line)) this.values.delete(name);
      else this.values.set(name, value);
    }
  }
  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface Answer {
  status: number;
  location: string | null;
  body: string;
  ms: number;
}

/** GET `path`, or POST `form` to it, with the jar's cookies; fails after `timeoutMs`. */
export async function request(base: string, jar: CookieJar, path: string, form?: Record<string, string>, timeoutMs = 60_000): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${base}${path}`, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { cookie: jar.header(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((error: Error) => {
    throw new Error(`${form ? 'POST' : 'GET'} ${path}: ${error.message} (${String((error.cause as Error | undefined)?.message ?? '')})`, { cause: error });
  });
  jar.take(res);
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), ms: Date.now() - started };
}

export function csrfToken(body: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  assert.ok(token, 'a CSRF token in the page');
  return token;
}

/** Signs up `username` (email `<username>@example.com`) and returns its jar and a CSRF token for posting. */
export async function signUp(base: string, username: string): Promise<{ jar: CookieJar; token: string }> {
  const jar = new CookieJar();
  const form = await request(base, jar, '/auth/sign_up');
  const res = await request(base, jar, '/auth/sign_up', { _csrf: csrfToken(form.body), username, email: `${username}@example.com`, password: 'correct horse battery staple' });
  assert.equal(res.status, 303, `sign-up of ${username}: ${res.body.slice(0, 300)}`);
  return { jar, token: csrfToken((await request(base, jar, '/')).body) };
}
