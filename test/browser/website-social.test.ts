import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Account } from '../../src/core/index.ts';
import { startWeb, type RunningWeb } from '../../src/web/server.ts';
import { createAccount, TEST_PASSWORD } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { freePort } from '../helpers/ports.ts';
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts';

// The everyday interactions in a real browser with JavaScript turned off: log in, follow from a profile,
// read the home timeline, favourite a post, reply to it. Every step is a plain form and a redirect back.

const port = await freePort();
const base = `http://127.0.0.1:${port}`;

forEachBackend(
  'website interactions in a browser without JavaScript',
  (t) => {
    let web: RunningWeb;
    let browser: Browser;
    let page: Page;
    let alice: Account;
    let bob: Account;
    let postId: string;
    const problems: string[] = [];

    before(async () => {
      if (chromiumMissing) return;
      alice = await createAccount(t.core, 'alice');
      bob = await createAccount(t.core, 'bob');
      postId = (await t.core.posts.createPost(bob.id, { text: 'Bob thinks out loud', visibility: 'private' })).id;
      web = await startWeb(t.core);
      browser = await launchChromium();
      const context = await browser.newContext({ javaScriptEnabled: false });
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
      });
    });
    after(async () => {
      await browser?.close();
      await web?.close();
    });

    it('follows, reads home, favourites and replies', { skip: chromiumMissing ?? false, timeout: 120_000 }, async () => {
      await page.goto(`${base}/auth/sign_in`);
      await page.getByLabel('Username or email').fill(alice.username);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${base}/`);

      // Bob's followers-only post is not on alice's home before she follows him.
      assert.equal(await page.locator(`#p-${postId}`).count(), 0);
      await page.goto(`${base}/@${bob.username}`);
      await page.getByRole('button', { name: `Follow @${bob.username}` }).click();
      await page.waitForURL(`${base}/@${bob.username}`);
      await page.getByRole('button', { name: `Unfollow @${bob.username}` }).waitFor();
      assert.equal(await page.locator('.profile-stats div', { hasText: 'Followers' }).locator('dd').textContent(), '1');

      await page.getByRole('banner').getByRole('link', { name: 'Home', exact: true }).click();
      await page.waitForURL(`${base}/`);
      const card = page.locator(`#p-${postId}`);
      await card.getByText('Bob thinks out loud').waitFor();
      const favourite = card.getByRole('button', { name: /^Favourite/ });
      assert.equal(await favourite.getAttribute('aria-pressed'), 'false');
      await favourite.click();
      await page.waitForURL(`${base}/#p-${postId}`);
      assert.equal(await page.locator(`#p-${postId}`).getByRole('button', { name: /^Favourite/ }).getAttribute('aria-pressed'), 'true');
      assert.equal(await page.locator(`#p-${postId} .post-action-favourite .post-action-count`).textContent(), ', 1');
      // No boost button: a followers-only post of someone else cannot be boosted.
      assert.equal(await page.locator(`#p-${postId}`).getByRole('button', { name: /^Boost/ }).count(), 0);

      await page.locator(`#p-${postId}`).getByRole('link', { name: /^Reply/ }).click();
      await page.waitForURL(`${base}/@${bob.username}/${postId}#reply`);
      const box = page.getByLabel('Your reply');
      assert.equal(await box.inputValue(), `@${bob.username} `);
      assert.equal(await page.getByLabel('Who can see it').inputValue(), 'private', 'a reply keeps the post\'s audience by default');
      await box.fill(`@${bob.username} I agree`);
      await page.getByRole('button', { name: 'Reply', exact: true }).click();
      await page.waitForURL(`${base}/@${bob.username}/${postId}`);
      await page.locator('.thread-replies').getByText('I agree').waitFor();
      assert.deepEqual(problems, []);
    });
  },
  { env: { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base } },
);
