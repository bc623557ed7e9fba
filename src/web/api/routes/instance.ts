import type { FastifyInstance } from 'fastify';
import type { Core } from '../../../core/index.ts';
import { instanceV1Schema, instanceV2Schema, toInstanceV1, toInstanceV2 } from '../serializers/instance.ts';
import { anyObject, arr } from '../serializers/schema.ts';
import { describe } from '../docs/describe.ts';

// What clients read before and right after login, with no token: the instance documents, and the
// lists Pipit has nothing in yet (custom emojis, peers, rules, trends, announcements) — empty, never
// 404, since some clients crash on an error here (Tusky ≤ 23 on empty trends: §7.9).

const EMPTY_LISTS = [
  ['/v1/custom_emojis', 'Custom emojis (none yet)'],
  ['/v1/instance/peers', 'Known domains (none: no federation)'],
  ['/v1/instance/rules', 'The server’s rules (none yet)'],
  ['/v1/trends', 'Trending hashtags (none yet)'],
  ['/v1/trends/tags', 'Trending hashtags (none yet)'],
  ['/v1/trends/statuses', 'Trending statuses (none yet)'],
  ['/v1/trends/links', 'Trending links (none yet)'],
  ['/v1/announcements', 'Announcements (none yet)'],
] as const;

/** GET /api/v1/instance, /api/v2/instance and the empty public lists. */
export function registerInstanceRoutes(scope: FastifyInstance, core: Core): void {
  scope.get('/v2/instance', { schema: { ...describe('Instance', 'The server: its name, version, limits and contact'), response: { 200: instanceV2Schema } } }, async () => toInstanceV2(await core.instance.instanceFacts(), core.config));
  scope.get('/v1/instance', { schema: { ...describe('Instance', 'The server, in the older v1 form (megalodon, Tusky’s fallback)'), response: { 200: instanceV1Schema } } }, async () => toInstanceV1(await core.instance.instanceFacts(), core.config));
  for (const [path, summary] of EMPTY_LISTS) scope.get(path, { schema: { ...describe('Instance', summary), response: { 200: arr(anyObject) } } }, async () => []);
}
