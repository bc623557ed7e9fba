// OAuth scopes as Mastodon defines them: hierarchical, so a route asks for the narrowest scope it needs
// (`read:statuses`) and a token granted a broader one (`read`) satisfies it. Pure: no I/O.

const RESOURCES_READ = ['accounts', 'blocks', 'bookmarks', 'favourites', 'filters', 'follows', 'lists', 'mutes', 'notifications', 'search', 'statuses'] as const;
const RESOURCES_WRITE = [
  'accounts',
  'blocks',
  'bookmarks',
  'conversations',
  'favourites',
  'filters',
  'follows',
  'lists',
  'media',
  'mutes',
  'notifications',
  'reports',
  'statuses',
] as const;

/** Every scope an app may ask for. `admin:*` is refused: Pipit has no admin API. */
export const KNOWN_SCOPES: readonly string[] = [
  'read',
  'write',
  'follow',
  'push',
  'profile',
  ...RESOURCES_READ.map((r) => `read:${r}`),
  ...RESOURCES_WRITE.map((r) => `write:${r}`),
];

const KNOWN = new Set(KNOWN_SCOPES);

/** The deprecated `follow` scope covers reading and writing these (Mastodon's definition). */
const FOLLOW_COVERS = new Set(['read:blocks', 'write:blocks', 'read:follows', 'write:follows', 'read:mutes', 'write:mutes']);

/** The scope an app or authorization gets when it asks for none. */
export const DEFAULT_SCOPES: readonly string[] = ['read'];

/** True when `scope` is one Pipit knows. */
export function isKnownScope(scope: string): boolean {
  return KNOWN.has(scope);
}

/** True when a token granted `granted` may do what needs `required` (hierarchy included). */
export function scopeAllows(granted: readonly string[], required: string): boolean {
  if (granted.includes(required)) return true;
  const colon = required.indexOf(':');
  if (colon > 0) {
    const family = required.slice(0, colon);
    if ((family === 'read' || family === 'write') && granted.includes(family)) return true;
  }
  return FOLLOW_COVERS.has(required) && granted.includes('follow');
}

/** True when every scope of `requested` is allowed by `granted` (no escalation). */
export function scopesWithin(granted: readonly string[], requested: readonly string[]): boolean {
  return requested.every((scope) => scopeAllows(granted, scope));
}

/**
 * Scopes as clients send them: space-separated (a `+` from a hand-built query counts as a space), or
 * an array of such strings. Duplicates are dropped, order kept. Nothing is checked here: see isKnownScope.
 */
export function splitScopes(value: string | readonly string[]): string[] {
  const parts = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(/[\s+]+/));
  return [...new Set(parts.filter((p) => p !== ''))];
}

/** Scopes as OAuth writes them: one string, space-separated. */
export function joinScopes(scopes: readonly string[]): string {
  return scopes.join(' ');
}
