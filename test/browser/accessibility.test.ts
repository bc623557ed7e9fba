import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { previousDay, type Account, type Post } from '../../src/core/index.ts';
import { startWeb, type RunningWeb } from '../../src/web/server.ts';
import pino from 'pino';
import { startWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { noiseImage } from '../helpers/images.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { freePort } from '../helpers/ports.ts';
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts';

// Every page of the website through axe-core (the npm package, evaluated in the page: the CSP stays
// on), at phone width (390 px) and desktop width, in light and dark: no violation of any rule axe runs
// by default (WCAG A/AA and its best practices: contrast, one <h1>, focusable scroll regions, landmarks…).
// PIPIT_SCREENSHOTS=<dir> also saves a full-page PNG of each, to look at while changing the design.

const screenshots = process.env.PIPIT_SCREENSHOTS;
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;
const SCHEMES = ['light', 'dark'] as const;
/** The axe rules whose outcome depends on colours, checked again in the dark scheme. */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

const port = await freePort();
const base = `http://127.0.0.1:${port}`;

interface Visit {
  name: string;
  path: () => string;
  as: 'visitor' | 'alice';
  status: number;
  /** Something to do on the page before checking it (open a menu, submit a form). */
  act?: (page: Page) => Promise<void>;
}

/** The violations as lines a person can act on: rule, impact, what failed and where. */
function describeViolations(results: AxeResults): string[] {
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.failureSummary?.split('\n').join(' ')} at ${n.target.join(' ')}`));
}

forEachBackend(
  'website accessibility (axe-core)',
  (t) => {
    let web: RunningWeb;
    let browser: Browser;
    let alice: Account;
    let post: Post;
    let oldestPostId: string;
    let oauthClientId: string;
    let bob: Account;
    let reply: Post;
    let warned: Post;
    let edited: Post;
    let pictured: Post;
    /** One tab per visitor, navigated from page to page: a new tab per page would start a renderer each time. */
    const tabs = new Map<Visit['as'], Page>();

    before(async () => {
      if (chromiumMissing) return;
      alice = await createAccount(t.core, 'alice');
      bob = await createAccount(t.core, 'bob');
      await t.core.accounts.setAdmin(alice.username, true);
      // Enough posts for a second page (Newer and Older links), mentions in both directions, a tag.
      for (let i = 0; i < 22; i++) await t.core.posts.createPost(bob.id, { text: `Post number ${i} from bob #pipit` });
      post = await t.core.posts.createPost(alice.id, { text: `Hello @${bob.username}, a longer post with a link https://example.com/a/path and #pipit` });
      const read = await t.core.posts.createPost(bob.id, { text: `@${alice.username} an older, already read mention` });
      await t.core.notifications.notifyMentions(read.id);
      const [oldest] = await t.core.notifications.listNotifications(alice.id);
      await t.core.notifications.markNotificationsRead(alice.id, { upToId: oldest!.id });
      for (let i = 0; i < 3; i++) {
        const mention = await t.core.posts.createPost(bob.id, { text: `@${alice.username} are you there? (${i})` });
        await t.core.notifications.notifyMentions(mention.id);
      }
      // The everyday interactions: follows both ways, a boost, a content warning, a followers-only post,
      // a thread, favourites and bookmarks, and the notifications they make (through the bus's workers).
      const worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      await t.core.accounts.updateProfile(bob.id, { displayName: 'Bob Builder', note: 'Builds things. Posts about them.' });
      await t.core.follows.follow(alice.id, bob.id);
      await t.core.follows.follow(bob.id, alice.id);
      warned = await t.core.posts.createPost(bob.id, { text: 'The ending of the film, in detail', spoilerText: 'Film spoilers' });
      await t.core.posts.createPost(bob.id, { text: 'Only my followers read this', visibility: 'private' });
      await t.core.interactions.reblog(bob.id, post.id);
      await t.core.interactions.favourite(bob.id, post.id);
      reply = await t.core.posts.createPost(bob.id, { text: `@${alice.username} a reply to your post`, inReplyToId: post.id });
      await t.core.posts.createPost(alice.id, { text: `@${bob.username} and an answer to the reply`, inReplyToId: reply.id });
      await t.core.interactions.favourite(alice.id, reply.id);
      await t.core.interactions.bookmark(alice.id, reply.id);
      await t.core.interactions.reblog(alice.id, warned.id);
      edited = await t.core.posts.createPost(alice.id, { text: 'A first draft' });
      edited = await t.core.posts.editPost(alice.id, edited.id, { text: 'A second draft, edited #pipit' });
      // Pictures: two with alt text on one post, one on a post marked sensitive (folded), at the top of the feeds.
      const pictures = [];
      for (const [width, height] of [[400, 300], [300, 400], [200, 200]] as const) {
        pictures.push(await t.core.media.uploadMedia(alice.id, { file: await noiseImage(width, height), description: `A square of coloured noise, ${width} by ${height}` }));
      }
      await waitForQueuesDrained(t.core, ['media-probe', 'media-image']);
      // Bob has his own avatar and header (alice keeps the initials until the form's state uploads hers).
      await t.core.accounts.updateProfileImages(bob.id, { avatar: await noiseImage(300, 300, 'png'), header: await noiseImage(1200, 400) });
      pictured = await t.core.posts.createPost(alice.id, { text: 'Two pictures of noise', mediaIds: [pictures[0]!.id, pictures[1]!.id] });
      await t.core.posts.createPost(alice.id, { text: 'A sensitive picture', sensitive: true, mediaIds: [pictures[2]!.id] });
      await t.core.notifications.notifyMentions(reply.id);
      await waitForQueuesDrained(t.core, ['notify-follow', 'notify-favourite', 'notify-reblog', 'notify-update']);
      await worker.stop();
      await t.core.stats.computeDailyStats(previousDay());
      oldestPostId = (await t.core.posts.publicTimeline({ limit: 40 })).at(-1)!.id;
      // An app alice authorized (the settings page lists it) and one to consent to (out of band).
      const client = await t.core.oauth.registerApp({ clientName: 'Pipit Test Client', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow push', website: 'https://client.example' });
      oauthClientId = client.clientId;
      const request = await t.core.oauth.validateAuthorizationRequest({ clientId: client.clientId, responseType: 'code', scope: 'read write follow' });
      const code = await t.core.oauth.issueAuthorizationCode(alice.id, request);
      await t.core.oauth.exchangeAuthorizationCode(client, { code, redirectUri: 'urn:ietf:wg:oauth:2.0:oob' });

      web = await startWeb(t.core);
      browser = await launchChromium();
      const session = await t.core.sessions.createSession(alice.id, { userAgent: 'axe', ip: '127.0.0.1' });
      for (const who of ['visitor', 'alice'] as const) {
        const context = await browser.newContext({ viewport: { width: VIEWPORTS[0].width, height: VIEWPORTS[0].height } });
        context.setDefaultTimeout(30_000);
        // Evaluated before each page's own scripts, by the browser, so the CSP (no inline script) stays on.
        await context.addInitScript({ content: axeSource });
        if (who === 'alice') await context.addCookies([{ name: 'pipit_session', value: session, url: base }]);
        tabs.set(who, await context.newPage());
      }
      if (screenshots) await mkdir(screenshots, { recursive: true });
    });
    after(async () => {
      await browser?.close();
      await web?.close();
    });

    /**
     * One page at both widths, loaded once (axe is compiled at each load): the viewport is resized and
     * the scheme switched in place (media queries apply at once, no reload).
     */
    async function check(visit: Visit): Promise<string[]> {
      const problems: string[] = [];
      const page = tabs.get(visit.as)!;
      // Each page loads at phone width in light, as a new tab would (the last check left the tab at desktop
      // width, in dark). Reduced motion: no colour transition is caught half-way when the scheme switches.
      await page.setViewportSize({ width: VIEWPORTS[0].width, height: VIEWPORTS[0].height });
      await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
      const res = await page.goto(`${base}${visit.path()}`);
      assert.equal(res?.status(), visit.status, `${visit.name}: status`);
      if (visit.act) await visit.act(page);
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize({ width: viewport.width, height: viewport.height });
        for (const scheme of SCHEMES) {
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
          // Every rule in light; in dark only the rules that colours can break (the rest read the same
          // markup and layout, and a full second run would double the suite's time for nothing).
          const rules = scheme === 'light' ? {} : { runOnly: { type: 'rule', values: COLOUR_RULES } };
          const results = (await page.evaluate((options) => (globalThis as unknown as { axe: { run: (o: object) => Promise<unknown> } }).axe.run(options), { resultTypes: ['violations'], ...rules })) as AxeResults;
          for (const line of describeViolations(results)) problems.push(`${visit.name} (${viewport.name}, ${scheme}): ${line}`);
          if (screenshots) await page.screenshot({ path: join(screenshots, `${visit.name}-${viewport.name}-${scheme}.png`), fullPage: true });
          if (scheme !== 'light') continue;
          // Nothing sticks out sideways: the page scrolls only up and down (wide tables scroll in their own box).
          const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
          if (Number(overflow) > 0) problems.push(`${visit.name} (${viewport.name}): the page is ${overflow}px wider than the screen`);
          // The header is one line at every width, logged in or not (it wrapped on phones).
          const header = Number(await page.evaluate("document.querySelector('.site-header-inner').getBoundingClientRect().height"));
          if (header > 64) problems.push(`${visit.name} (${viewport.name}): the header wraps (${header}px high)`);
        }
      }
      return problems;
    }

    const visits: Visit[] = [
      { name: 'home-visitor', path: () => '/', as: 'visitor', status: 200 },
      { name: 'sign-in', path: () => '/auth/sign_in', as: 'visitor', status: 200 },
      { name: 'sign-up', path: () => '/auth/sign_up', as: 'visitor', status: 200 },
      { name: 'profile-visitor', path: () => `/@${alice.username}`, as: 'visitor', status: 200 },
      { name: 'post-visitor', path: () => `/@${alice.username}/${post.id}`, as: 'visitor', status: 200 },
      { name: 'tag', path: () => '/tags/pipit', as: 'visitor', status: 200 },
      { name: 'older-page', path: () => `/?max_id=${post.id}`, as: 'visitor', status: 200 },
      { name: 'about', path: () => '/about', as: 'visitor', status: 200 },
      { name: 'search-visitor', path: () => `/search?q=${alice.username.slice(0, 3)}`, as: 'visitor', status: 200 },
      { name: 'stats', path: () => '/about/stats', as: 'visitor', status: 200 },
      { name: 'error-404', path: () => '/no/such/page', as: 'visitor', status: 404 },
      { name: 'error-422', path: () => `/?max_id=${'9'.repeat(19)}`, as: 'visitor', status: 422 },
      { name: 'home', path: () => '/', as: 'alice', status: 200 },
      {
        name: 'home-menu-open',
        path: () => '/',
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.locator('.account-menu-toggle').click();
          await page.getByRole('banner').getByRole('link', { name: 'Settings' }).waitFor();
        },
      },
      {
        name: 'home-rejected-post',
        path: () => '/',
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.getByLabel("What's on your mind?").fill('x'.repeat(600));
          await page.getByRole('button', { name: 'Post' }).click();
          await page.locator('#compose-error').waitFor();
        },
      },
      {
        name: 'compose-pictures-open',
        path: () => '/',
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.getByText('Add pictures').click();
          await page.locator('#compose-description-1').waitFor();
        },
      },
      {
        name: 'compose-picture-refused',
        path: () => '/',
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.getByLabel("What's on your mind?").fill('A text file is not a picture');
          await page.getByText('Add pictures').click();
          await page.locator('#compose-file-1').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, I am text\n'.repeat(20)) });
          await page.getByRole('button', { name: 'Post' }).click();
          await page.locator('#compose-error').waitFor();
        },
      },
      { name: 'post-pictures', path: () => `/@${alice.username}/${pictured.id}`, as: 'visitor', status: 200 },
      { name: 'profile-media', path: () => `/@${alice.username}/media`, as: 'alice', status: 200 },
      { name: 'profile-media-visitor', path: () => `/@${bob.username}/media`, as: 'visitor', status: 200 },
      { name: 'profile', path: () => `/@${alice.username}`, as: 'alice', status: 200 },
      { name: 'post', path: () => `/@${alice.username}/${post.id}`, as: 'alice', status: 200 },
      { name: 'delete-confirm', path: () => `/statuses/${post.id}/delete`, as: 'alice', status: 200 },
      { name: 'edit-post', path: () => `/statuses/${post.id}/edit`, as: 'alice', status: 200 },
      { name: 'edit-post-pictures', path: () => `/statuses/${pictured.id}/edit`, as: 'alice', status: 200 },
      {
        name: 'edit-post-rejected',
        path: () => `/statuses/${post.id}/edit`,
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.getByLabel('Text').fill('x'.repeat(600));
          await page.getByRole('button', { name: 'Save changes' }).click();
          await page.locator('#field-status-error').waitFor();
        },
      },
      { name: 'post-edited', path: () => `/@${alice.username}/${edited.id}`, as: 'visitor', status: 200 },
      { name: 'newer-page', path: () => `/?min_id=${oldestPostId}`, as: 'alice', status: 200 },
      { name: 'notifications', path: () => '/notifications', as: 'alice', status: 200 },
      { name: 'settings', path: () => '/settings', as: 'alice', status: 200 },
      { name: 'admin-jobs', path: () => '/admin/jobs', as: 'alice', status: 200 },
      { name: 'authorized-apps', path: () => '/settings/apps', as: 'alice', status: 200 },
      { name: 'oauth-consent', path: () => `/oauth/authorize?response_type=code&client_id=${oauthClientId}&scope=read+write+follow+push`, as: 'alice', status: 200 },
      {
        name: 'oauth-oob-code',
        path: () => `/oauth/authorize?response_type=code&client_id=${oauthClientId}&scope=read`,
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.getByRole('button', { name: 'Authorize' }).click();
          await page.locator('#oauth-code').waitFor();
        },
      },
      { name: 'oauth-invalid-request', path: () => '/oauth/authorize?response_type=code&client_id=unknown', as: 'alice', status: 400 },
      { name: 'stats-logged-in', path: () => '/about/stats', as: 'alice', status: 200 },
      { name: 'public-logged-in', path: () => '/public', as: 'alice', status: 200 },
      { name: 'profile-other', path: () => `/@${bob.username}`, as: 'alice', status: 200 },
      { name: 'followers-visitor', path: () => `/@${alice.username}/followers`, as: 'visitor', status: 200 },
      { name: 'following', path: () => `/@${alice.username}/following`, as: 'alice', status: 200 },
      { name: 'thread', path: () => `/@${bob.username}/${reply.id}`, as: 'alice', status: 200 },
      { name: 'thread-visitor', path: () => `/@${bob.username}/${reply.id}`, as: 'visitor', status: 200 },
      {
        name: 'content-warning-open',
        path: () => `/@${bob.username}/${warned.id}`,
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.locator('.post-focused summary').click();
          await page.getByText('The ending of the film').waitFor();
        },
      },
      {
        name: 'reply-rejected',
        path: () => `/@${bob.username}/${reply.id}`,
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.getByLabel('Your reply').fill('x'.repeat(600));
          await page.getByLabel('Content warning').fill('kept');
          await page.getByRole('button', { name: 'Reply', exact: true }).click();
          await page.locator('#compose-error').waitFor();
        },
      },
      { name: 'search', path: () => '/search', as: 'alice', status: 200 },
      { name: 'search-results', path: () => '/search?q=pipit', as: 'alice', status: 200 },
      { name: 'bookmarks', path: () => '/bookmarks', as: 'alice', status: 200 },
      { name: 'favourites', path: () => '/favourites', as: 'alice', status: 200 },
      { name: 'profile-settings', path: () => '/settings/profile', as: 'alice', status: 200 },
      {
        name: 'profile-settings-errors',
        path: () => '/settings/profile',
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.getByLabel('Display name').fill('n'.repeat(40));
          await page.getByLabel('Bio').fill('b'.repeat(600));
          await page.getByRole('button', { name: 'Save profile' }).click();
          await page.locator('#field-note-error').waitFor();
        },
      },
      { name: 'profile-pictures-visitor', path: () => `/@${bob.username}`, as: 'visitor', status: 200 },
      {
        // A real browser's multipart form (files and the CSRF field); alice has pictures from here on.
        name: 'profile-settings-pictures',
        path: () => '/settings/profile',
        as: 'alice',
        status: 200,
        act: async (page) => {
          await page.getByLabel('Avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await noiseImage(320, 240, 'png') });
          await page.getByLabel('Header').setInputFiles({ name: 'sky.jpg', mimeType: 'image/jpeg', buffer: await noiseImage(900, 300) });
          await page.getByRole('button', { name: 'Save profile' }).click();
          await page.getByText('Profile saved.').waitFor();
          await page.locator('.picture-current-header img').waitFor();
        },
      },
      { name: 'profile-with-pictures', path: () => `/@${alice.username}`, as: 'alice', status: 200 },
      { name: 'error-404-logged-in', path: () => `/@${alice.username}/1`, as: 'alice', status: 404 },
      {
        // Last, as it spends this address's sign-in budget.
        name: 'error-429',
        path: () => '/auth/sign_in',
        as: 'visitor',
        status: 200,
        act: async (page) => {
          const rule = t.core.rateLimits.rules.signInPerIp;
          for (let i = 0; i < rule.limit; i++) await t.core.rateLimits.consumeRateLimit(rule, '127.0.0.1').catch(() => {});
          await page.getByLabel('Username or email').fill(alice.username);
          await page.getByLabel('Password').fill('not the password');
          const [res] = await Promise.all([
            page.waitForResponse((r) => r.url() === `${base}/auth/sign_in` && r.request().method() === 'POST'),
            page.getByRole('button', { name: 'Log in' }).click(),
          ]);
          assert.equal(res.status(), 429);
          await page.waitForLoadState();
        },
      },
    ];

    for (const visit of visits) {
      it(`${visit.name}: no axe violation, phone and desktop, light and dark`, { skip: chromiumMissing ?? false, timeout: 120_000 }, async () => {
        assert.deepEqual(await check(visit), [], 'no accessibility violations');
      });
    }
  },
  {
    env: { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base },
    // The pages' markup and styles are the same whichever database holds the rows; the other browser
    // and HTTP suites run on both.
    only: { backend: 'pglite', why: 'page accessibility does not depend on the database (checked on PGlite)' },
  },
);
