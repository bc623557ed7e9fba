import type { FastifyInstance } from 'fastify';
import { Invalid, type Core } from '../../../core/index.ts';
import { requireScope } from '../authenticate.ts';
import { parseBoolean, requireId } from '../params.ts';
import { relationshipSchema, toMastodonRelationship } from '../serializers/relationship.ts';
import { anyObject, arr } from '../serializers/schema.ts';
import { describe, flag, ID_PARAM, list } from '../docs/describe.ts';

// Following from an app, and the parts of the social graph Pipit does not have yet. Follows are
// accepted at once (no locked accounts, so no follow requests: the list is always empty). Blocking
// and muting are refused with a 422 that says so, rather than answering a Relationship that pretends
// they happened: a person who blocks someone must not believe they are protected when they are not.

const RELATIONSHIP = { response: { 200: relationshipSchema } };
const ACCOUNT_ID = ID_PARAM('account');
type Body = Record<string, unknown>;

function bodyOf(body: unknown): Body {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Body) : {};
}

/** POST /api/v1/accounts/:id/follow, /unfollow, /block, /unblock, /mute, /unmute; GET /api/v1/follow_requests. */
export function registerFollowRoutes(scope: FastifyInstance, core: Core): void {
  const followBody = {
    reblogs: flag('Show the account’s boosts in the home timeline (default true)'),
    notify: flag('Notify of the account’s new statuses (default false)'),
    languages: list('Accepted and ignored: every language is shown.'),
  };
  scope.post('/v1/accounts/:id/follow', { schema: { ...describe('Accounts', 'Follow an account (or change the follow’s options)', { params: ACCOUNT_ID, body: followBody }), ...RELATIONSHIP }, preHandler: requireScope('write:follows', { user: true }) }, async (request) => {
    const id = requireId((request.params as { id: string }).id);
    const body = bodyOf(request.body);
    // `languages[]` filters a follow by language in Mastodon; Pipit shows every language (accepted, ignored).
    const relationship = await core.follows.follow(request.token!.account!.id, id, { reblogs: parseBoolean(body.reblogs, 'reblogs'), notify: parseBoolean(body.notify, 'notify') });
    return toMastodonRelationship(relationship);
  });

  scope.post('/v1/accounts/:id/unfollow', { schema: { ...describe('Accounts', 'Stop following an account', { params: ACCOUNT_ID }), ...RELATIONSHIP }, preHandler: requireScope('write:follows', { user: true }) }, async (request) => {
    const id = requireId((request.params as { id: string }).id);
    return toMastodonRelationship(await core.follows.unfollow(request.token!.account!.id, id));
  });

  const notYet = (what: string, scopeName: string) =>
    scope.post(
      `/v1/accounts/:id/${what}`,
      {
        schema: {
          ...describe('Accounts', `${what[0]!.toUpperCase()}${what.slice(1)} an account: not supported yet (422)`, {
            params: ACCOUNT_ID,
            description: 'Refused with 422 rather than answering a Relationship that pretends it happened. The 200 below is what Mastodon answers, for when it is built.',
          }),
          ...RELATIONSHIP,
        },
        preHandler: requireScope(scopeName, { user: true }),
      },
      async (request) => {
      // The account must exist (404 otherwise), as for any call about it.
      await core.accounts.getAccount(requireId((request.params as { id: string }).id));
      throw new Invalid(what.includes('block') ? 'Blocking accounts is not supported yet.' : 'Muting accounts is not supported yet.', what);
      },
    );
  notYet('block', 'write:blocks');
  notYet('unblock', 'write:blocks');
  notYet('mute', 'write:mutes');
  notYet('unmute', 'write:mutes');

  scope.get('/v1/follow_requests', { schema: { ...describe('Accounts', 'Pending follow requests (none: follows are accepted at once)'), response: { 200: arr(anyObject) } }, preHandler: requireScope('read:follows', { user: true }) }, async () => []);
}
