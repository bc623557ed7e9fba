import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { DestinationStream } from 'pino';

// A browser, as far as app.inject() can be one: it keeps the cookies the server sets (and forgets
// the ones it clears), remembers the CSRF token of the last page with a form, and comes from an IP
// address of its own, so the per-IP rate limits of one test do not spill into another.

export type Response = LightMyRequestResponse;

let ipCounter = 0;

/** A private IPv4 address no other call in this process returns. */
export function uniqueIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** The `_csrf` hidden field's value in a page, if it has one. */
export function csrfTokenIn(body: string): string | undefined {
  return /<input type="hidden" name="_csrf" value="([^"]*)">/.exec(body)?.[1] || undefined;
}

/** The (still escaped) content of the page's `<textarea name="…">`, if there is one. */
export function textareaIn(body: string, name: string): string | undefined {
  return new RegExp(`<textarea[^>]* name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(body)?.[1];
}

/** The (still escaped) value attribute of the page's `<input name="…">`, if there is one. */
export function inputValueIn(body: string, name: string): string | undefined {
  return new RegExp(`<input[^>]* name="${name}"[^>]* value="([^"]*)"`).exec(body)?.[1];
}

export interface PostOptions {
  /** The token to send: the last one seen (default), a given string, or none at all. */
  csrf?: 'last' | 'none' | string;
  headers?: Record<string, string>;
}

/** A file a form sends: its bytes, the name the browser gives it, its declared type. */
export interface FormFile {
  data: Buffer;
  name: string;
  type?: string;
}

export class BrowserSession {
  readonly app: FastifyInstance;
  readonly ip: string;
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  csrfToken: string | undefined;
  /** Every cookie value and CSRF token this browser was ever given (for "never logged" checks). */
  readonly secretsSeen = new Set<string>();

  constructor(app: FastifyInstance, options: { ip?: string } = {}) {
    this.app = app;
    this.ip = options.ip ?? uniqueIp();
  }

  /** Any request, with this browser's cookies and address; remembers what the response sets. */
  async request(options: InjectOptions): Promise<Response> {
    const res = await this.app.inject({
      remoteAddress: this.ip,
      ...options,
      cookies: { ...Object.fromEntries(this.cookies), ...(options.cookies as Record<string, string> | undefined) },
    });
    for (const c of res.cookies) {
      const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now());
      if (expired || c.value === '') this.cookies.delete(c.name);
      else {
        this.cookies.set(c.name, c.value);
        this.secretsSeen.add(c.value);
      }
    }
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('text/html')) {
      const token = csrfTokenIn(res.body);
      if (token) {
        this.csrfToken = token;
        this.secretsSeen.add(token);
      }
    }
    return res;
  }

  get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request({ method: 'GET', url, headers });
  }

  /** Submits a form (urlencoded, as browsers do), with the CSRF token unless told otherwise. */
  post(url: string, fields: Record<string, string>, options: PostOptions = {}): Promise<Response> {
    const csrf = options.csrf ?? 'last';
    const form: Record<string, string> = { ...fields };
    if (csrf === 'last') {
      if (!this.csrfToken) throw new Error(`no CSRF token yet: GET a page with a form before POST ${url}`);
      form._csrf = this.csrfToken;
    } else if (csrf !== 'none') {
      form._csrf = csrf;
    }
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
      payload: new URLSearchParams(form).toString(),
    });
  }

  /**
   * Submits a form with files as a browser does (multipart/form-data, fields in the given order, then
   * the files), with the CSRF token first unless told otherwise. A file input left empty is sent as a
   * part with no name and no bytes, as browsers send it: give `{ name: '', data: Buffer.alloc(0) }`.
   */
  async postMultipart(url: string, fields: Record<string, string>, files: Record<string, FormFile> = {}, options: PostOptions = {}): Promise<Response> {
    const csrf = options.csrf ?? 'last';
    const form = new FormData();
    if (csrf === 'last') {
      if (!this.csrfToken) throw new Error(`no CSRF token yet: GET a page with a form before POST ${url}`);
      form.append('_csrf', this.csrfToken);
    } else if (csrf !== 'none') {
      form.append('_csrf', csrf);
    }
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const [name, file] of Object.entries(files)) form.append(name, new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.name);
    const encoded = new Request('http://localhost/', { method: 'POST', body: form });
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': encoded.headers.get('content-type')!, ...options.headers },
      payload: Buffer.from(await encoded.arrayBuffer()),
    });
  }

  /** Opens the sign-up page and submits it. */
  async signUp(fields: { username: string; email?: string; password?: string }): Promise<Response> {
    await this.get('/auth/sign_up');
    return this.post('/auth/sign_up', {
      username: fields.username,
      email: fields.email ?? `${fields.username.toLowerCase()}@example.com`,
      password: fields.password ?? 'correct horse battery staple',
    });
  }

  /** Opens the sign-in page and submits it. */
  async signIn(login: string, password = 'correct horse battery staple'): Promise<Response> {
    await this.get('/auth/sign_in');
    return this.post('/auth/sign_in', { username: login, password });
  }

  /** Submits the log-out button (a page with it is opened first, for its token). */
  async logOut(): Promise<Response> {
    await this.get('/');
    return this.post('/auth/sign_out', {});
  }

  /** Writes a post with the compose form on the home page. */
  async postStatus(text: string): Promise<Response> {
    await this.get('/');
    return this.post('/statuses', { status: text });
  }
}

/** A pino destination that keeps every line, for assertions about what was logged. */
export class LogCapture implements DestinationStream {
  readonly lines: string[] = [];

  write(line: string): void {
    for (const one of line.split('\n')) if (one.trim()) this.lines.push(one);
  }

  /** Every line parsed as JSON (pino writes one object per line). */
  records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Everything logged, as one string to search. */
  text(): string {
    return this.lines.join('\n');
  }

  /** The one-per-request line of each request with this id. */
  requestLines(reqId: string): Record<string, unknown>[] {
    return this.records().filter((r) => r.reqId === reqId && r.msg === 'request completed');
  }
}
