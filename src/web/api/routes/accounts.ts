import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../../core/index.ts';
import { optionalToken, requireScope } from '../authenticate.ts';
import { setPageLinks } from '../paging.ts';
import { booleanParam, clampLimit, clampOffset, listParam, missingParameter, PAGE_LIMITS, parseBoolean, readPaging, requireId, textParam } from '../params.ts';
import { accountSchema, toMastodonAccount } from '../serializers/account.ts';
import { relationshipSchema, toMastodonRelationship } from '../serializers/relationship.ts';
import { anyObject, arr } from '../serializers/schema.ts';
import { describe, flag, ID_PARAM, list, paging, text, whole } from '../docs/describe.ts';

// Reading accounts: one by id or handle, the viewer's relationships, search (@-mention autocomplete),
// followers and following. Accounts are public on Pipit (as on Mastodon without authorized fetch): no
// token needed, but a token sent must be valid.

type Query = Record<string, unknown>;
const ACCOUNT = { response: { 200: accountSchema } };
const ACCOUNTS = { response: { 200: arr(accountSchema) } };
const ACCOUNT_ID = ID_PARAM('account');

/** GET /api/v1/accounts/:id, lookup, relationships, search, :id/followers, :id/following, :id/featured_tags, :id/lists. */
export function registerAccountRoutes(scope: FastifyInstance, core: Core): void {
  const base = core.config.publicUrl;

  const lookup = describe('Accounts', 'Find an account by its handle', { query: { acct: text('`user` or `user@thishost` (a leading @ is fine).') }, required: ['acct'] });
  scope.get('/v1/accounts/lookup', { schema: { ...lookup, ...ACCOUNT }, preHandler: optionalToken() }, async (request) => {
    const acct = textParam((request.query as Query).acct, 'acct', 2000);
    if (!acct) throw missingParameter('acct');
    return toMastodonAccount(await core.accounts.lookupAccount(acct), core.config);
  });

  const relationships = describe('Accounts', 'The user’s relationships to accounts', {
    query: { 'id[]': list('Account ids (or a single `id=`); ids naming no account are left out.') },
  });
  scope.get('/v1/accounts/relationships', { schema: { ...relationships, response: { 200: arr(relationshipSchema) } }, preHandler: requireScope('read:follows', { user: true }) }, async (request) => {
    const q = request.query as Query;
    // `id[]=1&id[]=2` (qs makes a list) or a plain `id=1`; ids that name no account are left out.
    const ids = listParam(q.id, 'id');
    const relationships = await core.follows.relationships(request.token!.account!.id, ids);
    return relationships.map(toMastodonRelationship);
  });

  const search = describe('Accounts', 'Search accounts by the start of a username or display name', {
    query: {
      q: text('What to look for (`@user` works too).'),
      limit: whole('How many (default 40, at most 80).'),
      offset: whole('How many results to skip.'),
      following: flag('Only accounts the user follows'),
      resolve: flag('Accepted; there is nothing remote to fetch'),
    },
    required: ['q'],
  });
  scope.get('/v1/accounts/search', { schema: { ...search, ...ACCOUNTS }, preHandler: requireScope('read:accounts', { user: true }) }, async (request) => {
    const q = request.query as Query;
    const text = textParam(q.q, 'q', 400);
    if (text === undefined || text.trim() === '') throw missingParameter('q');
    // `resolve` asks to fetch remote accounts: nothing to fetch without federation, but it must be a boolean.
    parseBoolean(q.resolve, 'resolve');
    const accounts = await core.accounts.searchAccounts(request.token!.account!.id, {
      q: text,
      limit: clampLimit(q.limit, PAGE_LIMITS.accounts),
      offset: clampOffset(q.offset),
      following: booleanParam(q.following, 'following', false),
    });
    return accounts.map((a) => toMastodonAccount(a, core.config));
  });

  scope.get('/v1/accounts/:id', { schema: { ...describe('Accounts', 'An account', { params: ACCOUNT_ID }), ...ACCOUNT }, preHandler: optionalToken() }, async (request) => {
    const id = requireId((request.params as { id: string }).id);
    return toMastodonAccount(await core.accounts.getAccount(id), core.config);
  });

  const followList = (side: 'followers' | 'following') => async (request: FastifyRequest, reply: FastifyReply) => {
    const id = requireId((request.params as { id: string }).id);
    const page = readPaging(request.query as Query, PAGE_LIMITS.accounts);
    const entries = await core.follows[side](id, page);
    setPageLinks(request, reply, base, entries, (e) => e.pageId);
    return entries.map((e) => toMastodonAccount(e.account, core.config));
  };
  const followPage = (summary: string) => ({ ...describe('Accounts', summary, { params: ACCOUNT_ID, query: paging(PAGE_LIMITS.accounts) }), ...ACCOUNTS });
  scope.get('/v1/accounts/:id/followers', { schema: followPage('The accounts following an account'), preHandler: optionalToken() }, followList('followers'));
  scope.get('/v1/accounts/:id/following', { schema: followPage('The accounts an account follows'), preHandler: optionalToken() }, followList('following'));

  // Featured tags and lists do not exist yet: an account has none (after checking that it exists).
  scope.get('/v1/accounts/:id/featured_tags', { schema: { ...describe('Accounts', 'Hashtags an account features (none yet)', { params: ACCOUNT_ID }), response: { 200: arr(anyObject) } }, preHandler: optionalToken() }, async (request) => {
    await core.accounts.getAccount(requireId((request.params as { id: string }).id));
    return [];
  });
  scope.get('/v1/accounts/:id/lists', { schema: { ...describe('Accounts', 'The user’s lists containing an account (none: lists do not exist yet)', { params: ACCOUNT_ID }), response: { 200: arr(anyObject) } }, preHandler: requireScope('read:lists', { user: true }) }, async (request) => {
    await core.accounts.getAccount(requireId((request.params as { id: string }).id));
    return [];
  });
}
