import type { FastifyInstance } from 'fastify';
import { Invalid, NotFound, PIPIT_VERSION, escapeHtml, profilePath, type Core } from '../../../core/index.ts';
import { arr, bool, int, obj, str } from '../serializers/schema.ts';
import { describe, text } from '../docs/describe.ts';
import { decodePathPart } from '../../shared/decode-path.ts';

// How clients find the API and its accounts (mastodon-api.md §5). megalodon refuses a server whose
// nodeinfo names neither known software nor `metadata.upstream.name: "mastodon"`; Phanpy follows
// host-meta; Elk and the LOCAL_DOMAIN handshake use webfinger. All agree on one domain: PUBLIC_URL's.

const NODEINFO_SCHEMA_2_0 = 'http://nodeinfo.diaspora.software/ns/schema/2.0';

const nodeinfoSchema = obj({
  version: str,
  software: obj({ name: str, version: str }),
  protocols: arr(str),
  services: obj({ inbound: arr(str), outbound: arr(str) }),
  openRegistrations: bool,
  usage: obj({ users: obj({ total: int, activeMonth: int, activeHalfyear: int }), localPosts: int }),
  metadata: obj({ upstream: obj({ name: str }) }),
});

const webfingerSchema = obj({
  subject: str,
  aliases: arr(str),
  links: arr(obj({ rel: str, type: str, href: str })),
});

/** The username a webfinger `resource` names on this host: `acct:user@host`, `user@host`, or a profile URL. */
export function webfingerUsername(resource: string, publicUrl: string): string | undefined {
  const host = new URL(publicUrl).host.toLowerCase();
  const acct = /^(?:acct:)?@?([^@/\s]+)@([^@/\s]+)$/i.exec(resource);
  if (acct) return acct[2]!.toLowerCase() === host ? acct[1] : undefined;
  if (URL.canParse(resource)) {
    const url = new URL(resource);
    const profile = /^\/@([^/]+)$/.exec(url.pathname);
    return url.origin === new URL(publicUrl).origin && profile ? decodePathPart(profile[1]!) : undefined;
  }
  return undefined;
}

/** /.well-known/nodeinfo, /host-meta and /webfinger (registered under the /.well-known prefix). */
export function registerWellKnown(scope: FastifyInstance, core: Core): void {
  const publicUrl = core.config.publicUrl;
  scope.get('/nodeinfo', { schema: { ...describe('Discovery', 'Where the NodeInfo document is'), response: { 200: obj({ links: arr(obj({ rel: str, href: str })) }) } } }, async () => ({
    links: [{ rel: NODEINFO_SCHEMA_2_0, href: `${publicUrl}/nodeinfo/2.0` }],
  }));

  const hostMeta = {
    ...describe('Discovery', 'The WebFinger address template (XRD)'),
    // A string answer is sent as it is (Fastify serializes only objects): this schema documents the XML.
    response: { 200: { description: 'An XRD document with the lrdd template.', content: { 'application/xrd+xml': { schema: { type: 'string' } } } } },
  };
  scope.get('/host-meta', { schema: hostMeta }, async (_request, reply) => {
    const template = escapeHtml(`${publicUrl}/.well-known/webfinger?resource={uri}`);
    return reply
      .type('application/xrd+xml; charset=utf-8')
      .send(`<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" template="${template}"/>\n</XRD>\n`);
  });

  scope.get<{ Querystring: { resource?: unknown } }>('/webfinger',
    {
      schema: {
        ...describe('Discovery', 'Find an account by its address (WebFinger)', { query: { resource: text('`acct:user@host`, `user@host`, or a profile URL.') }, required: ['resource'] }),
        response: { 200: webfingerSchema },
      },
    },
    async (request, reply) => {
    const resource = request.query.resource;
    if (typeof resource !== 'string' || resource.trim() === '') throw new Invalid('resource is required, such as acct:alice@example.com.', 'resource');
    const username = webfingerUsername(resource.trim().slice(0, 300), publicUrl);
    if (!username) throw new NotFound();
    const account = await core.accounts.getAccountByUsername(username);
    const href = `${publicUrl}${profilePath(account.username)}`;
    reply.type('application/jrd+json; charset=utf-8');
    return {
      subject: `acct:${account.username}@${new URL(publicUrl).host}`,
      aliases: [href],
      links: [{ rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href }],
    };
  });
}

/** /nodeinfo/2.0 (registered under the /nodeinfo prefix). */
export function registerNodeinfo(scope: FastifyInstance, core: Core): void {
  scope.get('/2.0', { schema: { ...describe('Discovery', 'NodeInfo 2.0: the software and its usage'), response: { 200: nodeinfoSchema } } }, async (_request, reply) => {
    const facts = await core.instance.instanceFacts();
    reply.type(`application/json; profile="${NODEINFO_SCHEMA_2_0}#"`);
    return {
      version: '2.0',
      // Our own name (it must match [a-z0-9-]); `upstream` tells megalodon and friends to speak Mastodon.
      software: { name: 'pipit', version: PIPIT_VERSION },
      // No federation: the honest list is empty.
      protocols: [],
      services: { inbound: [], outbound: [] },
      openRegistrations: true,
      usage: { users: { total: facts.users, activeMonth: facts.activeMonth, activeHalfyear: facts.activeHalfyear }, localPosts: facts.posts },
      metadata: { upstream: { name: 'mastodon' } },
    };
  });
}
