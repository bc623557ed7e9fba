import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound, postPath, type Account, type Core, type Relationship, type Visibility } from '../../../core/index.ts';
import { aboutPage, homePage, PAGE_SIZE, tagPage, type TimelineKind } from '../views/pages.ts';
import { accountListPage, profilePage } from '../views/profile-pages.ts';
import { postPage } from '../views/thread-page.ts';
import type { ComposeState } from '../views/compose-form.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { readDraft, type ComposeDraft } from '../compose-draft.ts';
import { boundsOf, pagingSchema, readPageOf, type PagingQuery } from './paging.ts';

const VISIBILITIES: readonly string[] = ['public', 'unlisted', 'private', 'direct'];

/** What a compose box shows: the viewer's refused draft when it belongs to this box, else nothing typed. */
export function composeState(core: Core, draft: ComposeDraft | undefined): ComposeState {
  const state: ComposeState = { maxLength: core.config.maxPostLength };
  if (!draft) return state;
  const visibility = draft.visibility && VISIBILITIES.includes(draft.visibility) ? (draft.visibility as Visibility) : undefined;
  return { ...state, text: draft.text, error: draft.error, spoilerText: draft.spoilerText, visibility, picturesOpen: draft.pictures };
}

/** The viewer's draft, if they are logged in and it was written in the box `inReplyToId` names (none: a new post). */
function draftFor(core: Core, request: FastifyRequest, inReplyToId: string | undefined): ComposeDraft | undefined {
  if (!request.account) return undefined;
  const draft = readDraft(request, core.config.secureCookies, request.account.id);
  return draft && draft.inReplyToId === inReplyToId ? draft : undefined;
}

/** The timelines, profiles with their follow lists, single posts in their thread, tags. Readable without logging in. */
export function registerPages(app: FastifyInstance, core: Core): void {
  async function timeline(request: FastifyRequest<{ Querystring: PagingQuery }>, reply: FastifyReply, kind: TimelineKind) {
    const viewerId = request.account?.id;
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, (bounds, limit) =>
      // The public timeline as cards: the same posts, read with only what a card shows.
      kind === 'home' && viewerId ? core.posts.homeTimeline(viewerId, { ...bounds, limit }) : core.posts.publicTimelineCards({ ...bounds, limit }, viewerId),
    );
    // A post the form rejected comes back here (post/redirect/get) with everything typed and the message.
    return sendPage(reply, homePage(pageContext(request, reply), list, composeState(core, draftFor(core, request, undefined)), kind));
  }

  // Logged in, `/` is the home timeline; logged out, the public one (there is no home to show).
  app.get<{ Querystring: PagingQuery }>('/', { schema: pagingSchema }, (request, reply) => timeline(request, reply, request.account ? 'home' : 'public'));
  app.get<{ Querystring: PagingQuery }>('/public', { schema: pagingSchema }, (request, reply) => timeline(request, reply, 'public'));
  app.get<{ Querystring: PagingQuery }>('/home', { schema: pagingSchema }, async (request, reply) => {
    if (!request.account) return reply.redirect('/auth/sign_in?return_to=%2Fhome', 303);
    return timeline(request, reply, 'home');
  });

  /** How the viewer stands with `account` (undefined for a visitor or on their own profile). */
  async function relationshipWith(request: FastifyRequest, account: Account): Promise<Relationship | undefined> {
    const viewer = request.account;
    if (!viewer || viewer.id === account.id) return undefined;
    const [relationship] = await core.follows.relationships(viewer.id, [account.id]);
    return relationship;
  }

  /** The account at `/@:username` and a page of its posts and boosts for this viewer (NotFound for an unknown name). */
  async function profileOf(request: FastifyRequest<{ Params: { username: string }; Querystring: PagingQuery }>, options: { onlyMedia?: boolean } = {}) {
    let account: Account | undefined;
    // One round trip: the posts bring their author (core.posts.profile).
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, async (bounds, limit) => {
      const found = await core.posts.profile(request.params.username, request.account?.id, { ...bounds, limit, reblogs: true, ...options });
      account = found.account;
      return found.posts;
    });
    return { account: account!, list };
  }

  app.get<{ Params: { username: string }; Querystring: PagingQuery & { deleted?: string } }>('/@:username', { schema: pagingSchema }, async (request, reply) => {
    // Posts and boosts, as the core's account timeline gives them to this viewer.
    const { account, list } = await profileOf(request);
    const relationship = await relationshipWith(request, account);
    // "Deleted" is said only to the author, on their own profile, right after the delete redirected here.
    const deleted = request.query.deleted === '1' && request.account?.id === account.id;
    return sendPage(reply, profilePage(pageContext(request, reply), account, list, { deleted, relationship }));
  });

  // The media tab: their posts with pictures (boosts carry none of their own), as the API's only_media.
  app.get<{ Params: { username: string }; Querystring: PagingQuery }>('/@:username/media', { schema: pagingSchema }, async (request, reply) => {
    const { account, list } = await profileOf(request, { onlyMedia: true });
    const relationship = await relationshipWith(request, account);
    return sendPage(reply, profilePage(pageContext(request, reply), account, list, { relationship, tab: 'media' }));
  });

  for (const kind of ['followers', 'following'] as const) {
    app.get<{ Params: { username: string }; Querystring: PagingQuery }>(`/@:username/${kind}`, { schema: pagingSchema }, async (request, reply) => {
      const account = await core.accounts.getAccountByUsername(request.params.username);
      const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, async (bounds, limit) => {
        const entries = await core.follows[kind](account.id, { ...bounds, limit });
        return entries.map((e) => ({ id: e.pageId, account: e.account }));
      });
      return sendPage(reply, accountListPage(pageContext(request, reply), account, kind, list));
    });
  }

  app.get<{ Params: { username: string; id: string } }>('/@:username/:id', async (request, reply) => {
    const viewerId = request.account?.id;
    const post = await core.posts.getPost(request.params.id, viewerId);
    // The canonical address names the author; a wrong name redirects rather than showing a lie.
    if (post.account.username !== request.params.username.toLowerCase()) {
      return reply.redirect(postPath(post.account.username, post.id), 301);
    }
    const thread = await core.posts.postContext(viewerId, post.id);
    const draft = draftFor(core, request, post.id);
    // A reply goes, by default, to no more people than the post it answers, under the same content warning.
    const state = draft ? composeState(core, draft) : { maxLength: core.config.maxPostLength, visibility: post.visibility, spoilerText: post.spoilerText || undefined };
    return sendPage(reply, postPage(pageContext(request, reply), post, thread, state));
  });

  app.get<{ Params: { tag: string }; Querystring: PagingQuery }>('/tags/:tag', { schema: pagingSchema }, async (request, reply) => {
    const tag = request.params.tag.slice(0, 100);
    // `/tags/` matches with an empty name: that is no tag at all, so the 404 page, not an empty page titled "#".
    if (tag.trim() === '') throw new NotFound('There is no tag at this address.');
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, (bounds, limit) => core.posts.tagTimeline(tag, { ...bounds, limit }, request.account?.id));
    return sendPage(reply, tagPage(pageContext(request, reply), tag.toLowerCase(), list));
  });

  app.get('/about', async (request, reply) => {
    const accounts = await core.accounts.countAccounts();
    return sendPage(reply, aboutPage(pageContext(request, reply), { accounts }));
  });
}
