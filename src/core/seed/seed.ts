import type { Insertable } from 'kysely';
import type { CoreContext } from '../context.ts';
import { analyze } from '../db/planner-statistics.ts';
import type { NotificationsTable, StatusesTable } from '../db/schema.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { idAtTime } from '../domain/ids.ts';
import { parsePostText, renderPostHtml } from '../domain/post-text.ts';
import { ENDINGS, FIRST, LAST, OPENERS, TAGS, TOPICS } from './sample-text.ts';

/** Every seeded account can log in with this password (demo and benchmark data only). */
export const SEED_PASSWORD = 'pipit-seed-password';

export interface SeedOptions {
  accounts: number;
  posts: number;
  /** Posts are spread over this many days before now (default 30). */
  days?: number;
  /**
   * The first seeded account follows this many of the others, spread evenly over them (default 0):
   * a home timeline to read, for the benchmark. At most accounts - 1.
   */
  follows?: number;
  onProgress?: (done: number, total: number) => void;
}

const BATCH = 1000;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

// A small deterministic generator, so two seeds of the same size give the same data.
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fills the database with realistic accounts and posts (mentions with their notifications, tags, links)
 * in bulk inserts.
 * Seeded usernames look like `ada_lovelace_12`; posts carry past timestamps and matching ids.
 */
export async function seed(ctx: CoreContext, options: SeedOptions): Promise<{ accounts: number; posts: number; password: string; follower?: string }> {
  const rand = random(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const total = options.accounts + options.posts;
  let done = 0;
  const progress = (n: number) => {
    done += n;
    options.onProgress?.(done, total);
  };

  const passwordHash = await hashPassword(SEED_PASSWORD);
  const accounts: { id: string; username: string }[] = [];
  const runId = Date.now().toString(36).slice(-4);
  for (let start = 0; start < options.accounts; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(options.accounts, start + BATCH); i++) {
      const first = pick(FIRST);
      const last = pick(LAST);
      const username = `${first}_${last}`.slice(0, 22) + `_${runId}${i}`;
      rows.push({
        username: username.slice(0, 30),
        email: `${username}@example.invalid`,
        password_hash: passwordHash,
        display_name: `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`,
        note: `Into ${pick(TOPICS)} and ${pick(TOPICS)}.`,
      });
    }
    accounts.push(...(await ctx.db.insertInto('accounts').values(rows).returning(['id', 'username']).execute()));
    progress(rows.length);
  }
  if (accounts.length === 0) return { accounts: 0, posts: 0, password: SEED_PASSWORD };

  const follower = await seedFollows(ctx, accounts, options.follows ?? 0);

  const now = Date.now();
  const spanMs = (options.days ?? 30) * 24 * 60 * 60 * 1000;
  const knownUsernames = new Set(accounts.map((a) => a.username));
  const statusesPerAccount = new Map<string, number>();
  for (let start = 0; start < options.posts; start += BATCH) {
    const count = Math.min(options.posts, start + BATCH) - start;
    const statuses: Insertable<StatusesTable>[] = [];
    const mentions: { status_id: string; account_id: string }[] = [];
    const notifications: Insertable<NotificationsTable>[] = [];
    const tagNames = new Set<string>();
    const tagLinks: { status_id: string; tag: string }[] = [];
    for (let i = 0; i < count; i++) {
      // Evenly spread, oldest first, so ids ascend with time like real traffic.
      const createdAt = new Date(now - spanMs + Math.floor(((start + i) / options.posts) * spanMs));
      const id = (BigInt(idAtTime(createdAt)) | BigInt((start + i) % 65536)).toString();
      const author = pick(accounts);
      const mention = rand() < 0.2 ? pick(accounts) : undefined;
      const tag = rand() < 0.3 ? pick(TAGS) : undefined;
      const link = rand() < 0.1 ? ` https://example.com/${pick(TAGS)}/${Math.floor(rand() * 1000)}` : '';
      const text = `${pick(OPENERS)} ${pick(TOPICS)}. ${pick(ENDINGS)}${mention ? ` cc @${mention.username}` : ''}${tag ? ` #${tag}` : ''}${link}`.trim();
      const parsed = parsePostText(text, ctx.localHost);
      statuses.push({
        id,
        account_id: author.id,
        text,
        content_html: renderPostHtml(text, parsed, { knownUsernames }),
        created_at: createdAt,
      });
      if (mention && mention.id !== author.id) {
        mentions.push({ status_id: id, account_id: mention.id });
        // What notify-mentions would have made. The id is the post's (one mention per seeded post), so
        // notifications list in time order; older than two days they have been read, as people do.
        // No email deliveries: seeded addresses are example.invalid, and mail for made-up posts helps no one.
        const readAt = now - createdAt.getTime() > 2 * DAY ? new Date(createdAt.getTime() + HOUR) : null;
        notifications.push({ id, account_id: mention.id, type: 'mention', from_account_id: author.id, status_id: id, created_at: createdAt, read_at: readAt });
      }
      if (tag) {
        tagNames.add(tag);
        tagLinks.push({ status_id: id, tag });
      }
      statusesPerAccount.set(author.id, (statusesPerAccount.get(author.id) ?? 0) + 1);
    }
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('statuses').values(statuses).execute();
      if (mentions.length) await trx.insertInto('mentions').values(mentions).onConflict((oc) => oc.doNothing()).execute();
      if (notifications.length) await trx.insertInto('notifications').values(notifications).onConflict((oc) => oc.doNothing()).execute();
      if (tagNames.size) {
        await trx.insertInto('tags').values([...tagNames].map((name) => ({ name }))).onConflict((oc) => oc.column('name').doNothing()).execute();
        const tags = await trx.selectFrom('tags').select(['id', 'name']).where('name', 'in', [...tagNames]).execute();
        const tagId = new Map(tags.map((t) => [t.name, t.id]));
        await trx.insertInto('statuses_tags').values(tagLinks.map((l) => ({ status_id: l.status_id, tag_id: tagId.get(l.tag)! }))).execute();
      }
    });
    progress(count);
  }
  // Counters once at the end, rather than an update per post.
  for (const [accountId, n] of statusesPerAccount) {
    await ctx.db
      .updateTable('accounts')
      .set((eb) => ({
        statuses_count: eb('statuses_count', '+', n),
        last_status_at: eb.selectFrom('statuses').select((s) => s.fn.max('created_at').as('m')).where('account_id', '=', accountId),
      }))
      .where('id', '=', accountId)
      .execute();
  }
  // Bulk loads leave the planner without statistics until autovacuum (or, on PGlite, nobody) runs.
  await analyze(ctx.db);
  return { accounts: accounts.length, posts: options.posts, password: SEED_PASSWORD, ...(follower ? { follower } : {}) };
}

/**
 * Makes the first account follow `count` of the others (evenly spaced), in bulk inserts with the
 * counters set once, as follow() would have left them; returns the follower's username.
 */
async function seedFollows(ctx: CoreContext, accounts: readonly { id: string; username: string }[], count: number): Promise<string | undefined> {
  const n = Math.min(count, accounts.length - 1);
  if (n <= 0) return undefined;
  const [follower, ...others] = accounts;
  const targets = Array.from({ length: n }, (_, i) => others[Math.floor((i * others.length) / n)]!.id);
  await ctx.db.transaction().execute(async (trx) => {
    for (let start = 0; start < targets.length; start += BATCH) {
      const batch = targets.slice(start, start + BATCH);
      await trx.insertInto('follows').values(batch.map((target) => ({ account_id: follower!.id, target_account_id: target }))).execute();
      await trx
        .updateTable('accounts')
        .set((eb) => ({ followers_count: eb('followers_count', '+', 1) }))
        .where('id', 'in', batch)
        .execute();
    }
    await trx.updateTable('accounts').set({ following_count: n }).where('id', '=', follower!.id).execute();
  });
  return follower!.username;
}
