import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { connect, pgliteDirectory } from '../../src/core/db/connection.ts';
import { up as rootRelativePostLinks } from '../../src/core/db/migrations/0003-root-relative-post-links.ts';
import { absoluteLinks, buildCore, loadConfig } from '../../src/core/index.ts';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { buildApp } from '../../src/web/app.ts';
import { backends } from '../helpers/databases.ts';
import { createAccount } from '../helpers/accounts.ts';

// Issue 7: post HTML was stored with links made absolute from PUBLIC_URL at write time, so a new
// PUBLIC_URL (or a seed on another port) broke every old link. One database is opened under one
// PUBLIC_URL, then reopened under another: the links follow the new one, old rows included.

const OLD = 'http://old.example:3000';
const NEW = 'https://new.example';

for (const backend of backends()) {
  describe(`post links follow PUBLIC_URL (${backend.name})`, { skip: backend.skip ?? false }, () => {
    const cleanUps: (() => Promise<unknown>)[] = [];
    after(async () => {
      for (const cleanUp of cleanUps.reverse()) await cleanUp();
    });

    it('renders posts written under an old PUBLIC_URL, and rows stored before the fix, with the current one', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'pipit-links-'));
      cleanUps.push(() => rm(dataDir, { recursive: true, force: true }));
      const scratch = backend.name === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'pipit_test') : undefined;
      if (scratch) cleanUps.push(() => scratch.drop());
      const configFor = (publicUrl: string) =>
        loadConfig({ NODE_ENV: 'test', PUBLIC_URL: publicUrl, DATA_DIR: dataDir, DATABASE_URL: scratch?.url }, { dotenvPath: null });

      // Written under the old address.
      const before = await buildCore(configFor(OLD));
      const alice = await createAccount(before, 'alice');
      const bob = await createAccount(before, 'bob');
      const post = await before.posts.createPost(alice.id, { text: `hi @${bob.username} #Pipit https://other.example/@${bob.username}` });
      await before.close();

      // A row as the renderer stored it before the fix, with the old address baked in, repaired by the migration.
      const handle = await connect({ url: scratch?.url, pgliteDir: pgliteDirectory(dataDir) });
      const legacyHtml =
        `<p>old <span class="h-card"><a href="${OLD}/@${bob.username}" class="u-url mention">@<span>${bob.username}</span></a></span> ` +
        `<a href="${OLD}/tags/caf%C3%A9" class="mention hashtag" rel="tag">#<span>Café</span></a> ` +
        `<a href="${OLD}/@${bob.username}" rel="nofollow noopener noreferrer" target="_blank">x</a> ` +
        `&lt;a href=&quot;${OLD}/@${bob.username}&quot; class=&quot;u-url mention&quot;&gt;</p>`;
      const { rows } = await sql<{ id: string }>`
        INSERT INTO statuses (account_id, text, content_html) VALUES (${alice.id}, 'old', ${legacyHtml}) RETURNING id::text`.execute(handle.db);
      await rootRelativePostLinks(handle.db as Kysely<unknown>);
      await handle.close();

      const reopened = await buildCore(configFor(NEW));
      cleanUps.push(() => reopened.close());
      const app = await buildApp(reopened);
      cleanUps.push(() => app.close());

      const stored = await reopened.posts.getPost(post.id);
      assert.ok(!stored.contentHtml.includes('old.example'), stored.contentHtml);
      assert.ok(stored.contentHtml.includes(`href="/@${bob.username}"`), stored.contentHtml);
      assert.ok(stored.contentHtml.includes('href="/tags/pipit"'), stored.contentHtml);
      // Made absolute where absolute is needed, against the current address; other sites' links untouched.
      const absolute = absoluteLinks(stored.contentHtml, reopened.config.publicUrl);
      assert.ok(absolute.includes(`href="${NEW}/@${bob.username}"`), absolute);
      assert.ok(absolute.includes(`href="${NEW}/tags/pipit"`), absolute);
      assert.ok(absolute.includes(`href="https://other.example/@${bob.username}"`), absolute);

      const legacy = await reopened.posts.getPost(rows[0]!.id);
      assert.equal(
        legacy.contentHtml,
        `<p>old <span class="h-card"><a href="/@${bob.username}" class="u-url mention">@<span>${bob.username}</span></a></span> ` +
          `<a href="/tags/caf%C3%A9" class="mention hashtag" rel="tag">#<span>Café</span></a> ` +
          // A link to a page of the old address that someone typed stays as typed, and so does escaped text.
          `<a href="${OLD}/@${bob.username}" rel="nofollow noopener noreferrer" target="_blank">x</a> ` +
          `&lt;a href=&quot;${OLD}/@${bob.username}&quot; class=&quot;u-url mention&quot;&gt;</p>`,
      );

      const page = await app.inject({ url: `/@${alice.username}` });
      assert.equal(page.statusCode, 200);
      assert.ok(!/href="http:\/\/old\.example:3000\/(?:@|tags)[^"]*" class="(?:u-url )?mention/.test(page.body), 'no local link to the old address');
      assert.ok(page.body.includes(`<a href="/@${bob.username}" class="u-url mention">`));
    });
  });
}
