import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import type { Account, MediaAttachment, Post } from '../../src/core/index.ts';
import { registerEntitySchemas } from '../../src/web/api/serializers/entities.ts';
import { PLAIN_JSON } from '../../src/web/api/serializers/plain-json.ts';
import { statusListSchema, toMastodonStatus } from '../../src/web/api/serializers/status.ts';

// The lists of statuses are written by JSON.stringify rather than through their schema (plain-json.ts):
// for every shape a status takes, both must give the same bytes — the entity has exactly the schema's
// keys, in its order, with values of its types.

const site = { publicUrl: 'https://pipit.example', mediaBaseUrl: 'https://cdn.example/media' };

const account = (over: Partial<Account> = {}): Account => ({
  id: '110000000000000001',
  username: 'alice',
  displayName: 'Alice « A » \u2028',
  note: 'line one\nline two\n\nsecond <paragraph> & "quotes"',
  isAdmin: false,
  locked: false,
  bot: false,
  discoverable: true,
  statusesCount: 12,
  followersCount: 3,
  followingCount: 0,
  lastStatusAt: new Date('2026-11-20T10:00:00.123Z'),
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
  avatarKey: null,
  avatarSmallKey: null,
  headerKey: null,
  ...over,
});

// Stored media facts come from jsonb, keys shortest first: not the entity's order.
const variant = (width: number, height: number) => ({ size: `${width}x${height}`, width, aspect: Math.round((width / height) * 1e6) / 1e6, height });
const media = (over: Partial<MediaAttachment>): MediaAttachment => ({
  id: '110000000000000100',
  accountId: '110000000000000001',
  statusId: '110000000000000010',
  type: 'image',
  state: 'ready',
  failureReason: null,
  description: '',
  focus: { x: 0, y: 0 },
  originalKey: 'ab/original.png',
  smallKey: 'ab/small.webp',
  meta: { format: 'png', original: variant(800, 600), small: variant(640, 480) },
  blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  createdAt: new Date('2026-11-20T10:00:00Z'),
  ...over,
});

const post = (over: Partial<Post> = {}): Post => ({
  id: '110000000000000010',
  text: 'hello',
  contentHtml: '<p>hello <a href="/@bob">@bob</a> <a href="/tags/cats">#cats</a></p>',
  spoilerText: '',
  visibility: 'public',
  sensitive: false,
  language: null,
  inReplyToId: null,
  inReplyToAccountId: null,
  repliesCount: 0,
  reblogsCount: 0,
  favouritesCount: 0,
  createdAt: new Date('2026-11-20T10:00:00.001Z'),
  editedAt: null,
  application: null,
  account: account(),
  reblog: null,
  mentions: [],
  tags: [],
  media: [],
  favourited: false,
  reblogged: false,
  bookmarked: false,
  ...over,
});

const video = { size: '1920x1080', width: 1920, aspect: 1.777778, height: 1080, bitrate: 2_000_000, duration: 10.01, frame_rate: '30000/1001' };

const SHAPES: Post[] = [
  post(),
  post({
    id: '110000000000000011',
    spoilerText: 'cw: "quoted" \\ text',
    visibility: 'unlisted',
    sensitive: true,
    language: 'fr',
    inReplyToId: '110000000000000010',
    inReplyToAccountId: '110000000000000002',
    repliesCount: 2,
    reblogsCount: 3,
    favouritesCount: 40,
    editedAt: new Date('2026-11-21T00:00:00Z'),
    application: { name: 'Tusky', website: 'https://tusky.app' },
    mentions: [{ id: '110000000000000002', username: 'bob' }],
    tags: ['cats', 'dogs'],
    favourited: true,
    reblogged: true,
    bookmarked: true,
    account: account({ id: '110000000000000002', username: 'bob', avatarKey: 'cd/avatar.webp', avatarSmallKey: 'cd/avatar-small.webp', headerKey: 'cd/header.webp', lastStatusAt: null, locked: true, bot: true, discoverable: false, note: '' }),
  }),
  post({ id: '110000000000000012', application: { name: 'an app', website: null }, contentHtml: '<p>control \u0001 chars, a lone surrogate \ud800 and 🐦</p>' }),
  post({
    id: '110000000000000013',
    media: [
      media({ description: 'a picture', focus: { x: -0.5, y: 0.25 } }),
      media({ id: '110000000000000101', type: 'video', originalKey: 'ef/original.mp4', smallKey: 'ef/small.webp', meta: { format: 'mp4', original: video, small: variant(640, 360) } }),
      media({ id: '110000000000000102', type: 'audio', originalKey: 'gh/original.mp3', smallKey: null, blurhash: null, meta: { format: 'mp3', original: { bitrate: 128_000, duration: 3.5 } } }),
      media({ id: '110000000000000103', type: 'gifv', state: 'processing', originalKey: null, smallKey: 'ij/small.webp', meta: { format: 'mp4' } }),
      media({ id: '110000000000000104', state: 'failed', failureReason: 'unreadable', originalKey: null, smallKey: null, meta: {} }),
    ],
  }),
];

describe('lists of statuses written by JSON.stringify (plain-json.ts)', () => {
  let schemaApp: FastifyInstance;
  let plainApp: FastifyInstance;
  let body: unknown;
  before(async () => {
    const make = async (options: object) => {
      const app = Fastify();
      registerEntitySchemas(app);
      app.get('/statuses', { ...options, schema: { response: { 200: statusListSchema } } }, async () => body);
      await app.ready();
      return app;
    };
    schemaApp = await make({});
    plainApp = await make(PLAIN_JSON);
  });
  after(async () => {
    await schemaApp?.close();
    await plainApp?.close();
  });

  const both = async (entities: unknown) => {
    body = entities;
    const [bySchema, plain] = await Promise.all([schemaApp.inject('/statuses'), plainApp.inject('/statuses')]);
    assert.equal(bySchema.statusCode, 200, bySchema.body);
    assert.equal(plain.statusCode, 200, plain.body);
    return { bySchema: bySchema.body, plain: plain.body, type: [bySchema.headers['content-type'], plain.headers['content-type']] };
  };

  it('gives the schema’s bytes for every shape: media of each kind and state, boosts, apps, mentions, tags, flags', async () => {
    const boost = post({ id: '110000000000000020', text: '', contentHtml: '', account: account({ id: '110000000000000003', username: 'carol' }), reblog: SHAPES[3]! });
    const boostOfPlain = post({ id: '110000000000000021', text: '', contentHtml: '', reblog: SHAPES[1]! });
    const entities = [...SHAPES, boost, boostOfPlain].map((p) => toMastodonStatus(p, site));
    const { bySchema, plain, type } = await both(entities);
    assert.equal(plain, bySchema);
    assert.equal(type[0], type[1]);
    // The media facts really were reordered (not only equal by luck).
    assert.match(plain, /"original":\{"width":1920,"height":1080,"size":"1920x1080","aspect":1\.777778,"frame_rate":"30000\/1001","duration":10\.01,"bitrate":2000000\}/);
    assert.match(plain, /"original":\{"duration":3\.5,"bitrate":128000\}/);
  });

  it('gives the schema’s bytes for any text, numbers and dates a status holds', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    const count = fc.integer({ min: 0, max: 2 ** 31 - 1 });
    const date = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });
    await fc.assert(
      fc.asyncProperty(text, text, text, count, count, date, fc.option(text, { nil: null }), fc.double({ min: -1, max: 1, noNaN: true }), async (name, html, note, n, m, when, language, focus) => {
        const author = account({ displayName: name, note, followersCount: n, createdAt: when });
        const status = post({ account: author, contentHtml: html, spoilerText: name, language, repliesCount: m, createdAt: when, tags: [name], mentions: [{ id: '1', username: name }], media: [media({ description: note, focus: { x: focus, y: -focus } })] });
        const { bySchema, plain } = await both([toMastodonStatus(status, site)]);
        assert.equal(plain, bySchema);
      }),
      { numRuns: 100 },
    );
  });
});
