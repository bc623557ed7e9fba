import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWeb, type RunningWeb } from '../../src/web/server.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { freePort } from '../helpers/ports.ts';
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts';

// The website in a real browser (Debian's Chromium, headless), against the real server on a port of its
// own: sign up, log out, log in, post a mention, and follow it while logged out. The pages work without
// JavaScript and the CSP forbids inline script, so any console error (a CSP violation) fails the test.

const PASSWORD = 'correct horse battery staple';

// The port is chosen before the core opens, because PUBLIC_URL (used in mention links) must name it.
const port = await freePort();
const base = `http://127.0.0.1:${port}`;

forEachBackend(
  'website in a browser',
  (t) => {
    let web: RunningWeb;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    before(async () => {
      if (chromiumMissing) return;
      web = await startWeb(t.core);
      browser = await launchChromium();
      const context = await browser.newContext();
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 500) problems.push(`${response.status()} for ${response.url()}`);
      });
    });
    after(async () => {
      await browser?.close();
      await web?.close();
    });

    async function signUp(username: string) {
      await page.goto(`${base}/`);
      await page.getByRole('banner').getByRole('link', { name: 'Sign up' }).click();
      await page.waitForURL(`${base}/auth/sign_up`);
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Email').fill(`${username}@example.com`);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForURL(`${base}/`);
      await openAccountMenu();
      await page.getByRole('banner').getByRole('button', { name: 'Log out' }).waitFor();
      assert.equal(await page.getByRole('banner').getByRole('link', { name: 'Profile', exact: true }).getAttribute('href'), `/@${username}`);
      assert.equal(await page.getByRole('banner').getByRole('link', { name: 'Settings' }).getAttribute('href'), '/settings');
    }

    /** The header's account menu (a <details>: profile, settings, the admin page, log out). */
    async function openAccountMenu() {
      if ((await page.locator('.account-menu[open]').count()) === 0) await page.locator('.account-menu-toggle').click();
      await page.getByRole('banner').getByRole('link', { name: 'Settings' }).waitFor();
    }

    async function logOut() {
      await openAccountMenu();
      await page.getByRole('banner').getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(`${base}/`);
      await page.getByRole('banner').getByRole('link', { name: 'Log in' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0);
    }

    it('signs up, logs out and in, posts a mention, and follows it logged out', { skip: chromiumMissing ?? false, timeout: 120_000 }, async () => {
      await signUp('bob');
      await logOut();
      await signUp('alice');
      await logOut();

      await page.getByRole('banner').getByRole('link', { name: 'Log in' }).click();
      await page.waitForURL(`${base}/auth/sign_in`);
      await page.getByLabel('Username or email').fill('alice');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${base}/`);

      // A rejected post comes back with the text and the message; reloading the page posts nothing.
      const tooLong = `Too long: ${'x'.repeat(600)}`;
      await page.getByLabel("What's on your mind?").fill(tooLong);
      await page.getByRole('button', { name: 'Post' }).click();
      await page.locator('#compose-error').waitFor();
      assert.equal(page.url(), `${base}/#compose-error`, 'back on the home page, at the message (post/redirect/get)');
      assert.equal(await page.getByLabel("What's on your mind?").inputValue(), tooLong);
      await page.reload();
      assert.equal(await page.getByLabel("What's on your mind?").inputValue(), tooLong, 'still there after a reload');
      assert.equal((await t.core.accounts.getAccountByUsername('alice')).statusesCount, 0, 'and nothing was posted');

      const text = 'Hello @bob, welcome to #pipit! <b>not bold</b>';
      await page.getByLabel("What's on your mind?").fill(text);
      await page.getByRole('button', { name: 'Post' }).click();
      await page.waitForURL(`${base}/`);
      await page.getByText('Hello', { exact: false }).first().waitFor();
      assert.equal(await page.getByLabel("What's on your mind?").inputValue(), '', 'the draft is gone once posted');

      // Delete asks first, on a page of its own; cancelling keeps the post.
      await page.getByLabel("What's on your mind?").fill('A post to delete');
      await page.getByRole('button', { name: 'Post' }).click();
      await page.waitForURL(`${base}/`);
      const doomed = page.getByRole('article').filter({ hasText: 'A post to delete' });
      await doomed.getByRole('link', { name: 'Delete this post' }).click();
      await page.getByRole('heading', { level: 1, name: 'Delete this post?' }).waitFor();
      await page.getByRole('link', { name: 'Cancel' }).click();
      await page.getByRole('article').filter({ hasText: 'A post to delete' }).waitFor();
      assert.match(await page.locator('.post-date time').innerText(), /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M UTC$/, 'the full date, visible');
      await page.getByRole('link', { name: 'Delete this post' }).click();
      await page.getByRole('button', { name: 'Delete post' }).click();
      await page.waitForURL(`${base}/@alice?deleted=1`);
      await page.getByText('Your post was deleted.').waitFor();
      assert.equal(await page.getByRole('article').filter({ hasText: 'A post to delete' }).count(), 0);
      await logOut();

      const cookies = await page.context().cookies();
      assert.deepEqual(cookies.filter((c) => c.name === 'pipit_session'), [], 'the session cookie is gone');

      await page.goto(`${base}/@alice`);
      const post = page.getByRole('article').filter({ hasText: 'welcome to' });
      await post.waitFor();
      assert.equal(await post.count(), 1);
      assert.equal((await post.locator('.post-content').innerText()).trim(), text, 'the text as typed, markup shown as text');
      assert.equal(await post.locator('.post-content b').count(), 0);

      const mention = post.getByRole('link', { name: '@bob' });
      assert.equal(await mention.getAttribute('href'), '/@bob', 'root-relative: right under any PUBLIC_URL');
      await mention.click();
      await page.waitForURL(`${base}/@bob`);
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'bob');
      await page.getByText("@bob hasn't posted yet.").waitFor();

      await page.goto(`${base}/@alice`);
      await page.getByRole('article').getByRole('link', { name: '#pipit' }).click();
      await page.waitForURL(`${base}/tags/pipit`);
      assert.equal(await page.getByRole('article').count(), 1);

      assert.deepEqual(problems, [], 'no console errors, page errors or server errors');
    });
  },
  { env: { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base } },
);
