// Builders for the documentation part of route schemas: a summary and a tag for each operation, and
// its path, query and body parameters as the OpenAPI description shows them. In these scopes request
// schemas are documentation only (documentation-only.ts): what is written here is never enforced, so it
// says what a parameter means and how clients may spell it; the handlers remain the judges.

type Schema = Record<string, unknown>;

/** The groups of the API description, in the order the documentation lists them. */
export const API_TAGS = [
  { name: 'OAuth', description: 'Registering an app, the authorization code flow, tokens (Mastodon’s OAuth 2.0).' },
  { name: 'Instance', description: 'What this server is and allows; read before login.' },
  { name: 'Accounts', description: 'Profiles, the token owner’s own account, follows and relationships.' },
  { name: 'Statuses', description: 'Posting, reading and deleting statuses, and what a user does to them.' },
  { name: 'Timelines', description: 'Lists of statuses: home, public, hashtag, bookmarks, favourites.' },
  { name: 'Notifications', description: 'Notifications (v1) and the grouped notifications of v2.' },
  { name: 'Search', description: 'Accounts, hashtags, and local URLs.' },
  { name: 'Markers', description: 'Where the user stopped reading, shared by the user’s apps.' },
  { name: 'Preferences', description: 'The user’s preferences, and the per-user lists Pipit has nothing in yet (filters, lists, blocks…): answered empty so apps work.' },
  { name: 'Discovery', description: 'How clients find the server and its accounts: WebFinger, host-meta, NodeInfo.' },
  { name: 'Pipit', description: 'Pipit’s own endpoints, outside Mastodon’s API.' },
] as const;

export type ApiTag = (typeof API_TAGS)[number]['name'];

export interface Parameters {
  description?: string;
  /** Path parameters, by name. */
  params?: Record<string, Schema>;
  /** Query parameters, by name; `required` lists those the call needs. */
  query?: Record<string, Schema>;
  /** Body fields, by name, as JSON writes them (a form or multipart nests `a[b]` and lists `a[]`; query parameters are merged in). */
  body?: Record<string, Schema>;
  required?: readonly string[];
  headers?: Record<string, Schema>;
}

function fields(properties: Record<string, Schema>, required: readonly string[] = []): Schema {
  const names = required.filter((r) => r in properties);
  return { type: 'object', properties, ...(names.length > 0 ? { required: names } : {}) };
}

/** The documentation keys of a route schema: `schema: { ...describe('Accounts', 'Get an account', …), response }`. */
export function describe(tag: ApiTag, summary: string, p: Parameters = {}): Schema {
  return {
    summary,
    tags: [tag],
    ...(p.description ? { description: p.description } : {}),
    ...(p.params ? { params: fields(p.params, Object.keys(p.params)) } : {}),
    ...(p.query ? { querystring: fields(p.query, p.required) } : {}),
    ...(p.body ? { body: fields(p.body, p.required) } : {}),
    ...(p.headers ? { headers: fields(p.headers) } : {}),
  };
}

/** An object field of a body (`source[privacy]` in a form, `{"source": {"privacy": …}}` in JSON). */
export function nested(description: string, properties: Record<string, Schema>): Schema {
  return { type: 'object', description, properties };
}

export function text(description: string, extra: Schema = {}): Schema {
  return { type: 'string', description, ...extra };
}

/** A boolean as clients spell it: the handlers also take 1/0, on/off, yes/no, t/f in any case. */
export function flag(description: string): Schema {
  return { type: 'boolean', description: `${description} (true/false; also 1/0, on/off, yes/no).` };
}

export function whole(description: string, extra: Schema = {}): Schema {
  return { type: 'integer', description, ...extra };
}

/** An id: digits, sent as a string (snowflakes exceed JavaScript's exact integers). */
export function id(description: string): Schema {
  return { type: 'string', pattern: '^[0-9]+$', example: '113387025846591488', description };
}

/** A list: in a query or form written with Rails brackets (`name[]=a&name[]=b`), a single `name=a` taken too; in JSON an array. */
export function list(description: string, items: Schema = { type: 'string' }): Schema {
  return { type: 'array', items, description };
}

/** The path parameter `:id` of a route about one record. */
export const ID_PARAM = (what: string) => ({ id: id(`The ${what}’s id.`) });

/** max_id, since_id, min_id and limit of a paged list (`Link` headers carry the next and previous pages). */
export function paging(limit: { default: number; max: number }): Record<string, Schema> {
  return {
    max_id: id('Only items older than this id (the next page: see the Link header).'),
    since_id: id('Only items newer than this id.'),
    min_id: id('Only items just newer than this id (the previous page: see the Link header).'),
    limit: whole(`How many items (default ${limit.default}, at most ${limit.max}; larger values are clamped).`, { minimum: 1, maximum: limit.max, default: limit.default }),
  };
}
