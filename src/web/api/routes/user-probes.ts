import type { FastifyInstance } from 'fastify';
import type { Core } from '../../../core/index.ts';
import { optionalToken, requireScope } from '../authenticate.ts';
import { anyObject, arr, bool, obj, orNull, str } from '../serializers/schema.ts';
import { tagSchema, toMastodonTag } from '../serializers/tag.ts';
import { describe, text } from '../docs/describe.ts';

// What apps ask right after login (mastodon-api.md §2 "Probed per-user endpoints"): real answers where
// Pipit has the feature (preferences, tags), and the documented empty answer where it has not — never a
// 404 or 500, since Ivory and Ice Cubes crash on one at startup. Each keeps Mastodon's scope, so a
// token that could not read the real thing cannot read the empty one either.

const EMPTY_USER_LISTS: readonly [path: string, scope: string, summary: string][] = [
  ['/v1/lists', 'read:lists', 'The user’s lists (none: lists do not exist yet)'],
  ['/v1/filters', 'read:filters', 'The user’s filters, v1 (none: filters do not exist yet)'],
  ['/v2/filters', 'read:filters', 'The user’s filters (none: filters do not exist yet)'],
  ['/v1/followed_tags', 'read:follows', 'Followed hashtags (none: following tags does not exist yet)'],
  ['/v2/suggestions', 'read:accounts', 'Accounts to follow (none yet)'],
  ['/v1/suggestions', 'read:accounts', 'Accounts to follow, v1 (none yet)'],
  ['/v1/blocks', 'read:blocks', 'Blocked accounts (none: blocking does not exist yet)'],
  ['/v1/mutes', 'read:mutes', 'Muted accounts (none: muting does not exist yet)'],
  ['/v1/domain_blocks', 'read:blocks', 'Blocked domains (none: no federation)'],
  ['/v1/conversations', 'read:statuses', 'Direct conversations (none listed yet)'],
  ['/v1/endorsements', 'read:accounts', 'Accounts featured on the profile (none yet)'],
  ['/v1/featured_tags', 'read:accounts', 'Hashtags featured on the profile (none yet)'],
];

const preferencesSchema = obj({
  'posting:default:visibility': str,
  'posting:default:sensitive': bool,
  'posting:default:language': orNull(str),
  'reading:expand:media': str,
  'reading:expand:spoilers': bool,
});

/** Preferences, the empty per-user lists, GET /api/v1/tags/:name, translation languages. */
export function registerUserProbeRoutes(scope: FastifyInstance, core: Core): void {
  const base = core.config.publicUrl;

  scope.get('/v1/preferences', { schema: { ...describe('Preferences', 'The user’s posting and reading preferences'), response: { 200: preferencesSchema } }, preHandler: requireScope('read:accounts', { user: true }) }, async (request) => {
    const settings = await core.accounts.getAccountSettings(request.token!.account!.id);
    return {
      'posting:default:visibility': settings.defaultVisibility,
      'posting:default:sensitive': settings.defaultSensitive,
      'posting:default:language': settings.defaultLanguage,
      // Reading preferences are not settable on Pipit: Mastodon's defaults.
      'reading:expand:media': 'default',
      'reading:expand:spoilers': false,
    };
  });

  for (const [path, scopeName, summary] of EMPTY_USER_LISTS) {
    scope.get(path, { schema: { ...describe('Preferences', summary), response: { 200: arr(anyObject) } }, preHandler: requireScope(scopeName, { user: true }) }, async () => []);
  }

  scope.get('/v1/tags/:name', { schema: { ...describe('Timelines', 'A hashtag, with whether the user follows it', { params: { name: text('The hashtag, without #.') } }), response: { 200: tagSchema } }, preHandler: optionalToken() }, async (request) => {
    const name = String((request.params as { name: string }).name).slice(0, 200);
    return toMastodonTag(await core.tags.getTag(name), base);
  });

  // No translation: an empty map of languages, as Mastodon answers when translation is off.
  scope.get('/v1/instance/translation_languages', { schema: { ...describe('Instance', 'Languages translation works between (none: no translation)'), response: { 200: anyObject } } }, async () => ({}));
}
