import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWeb, type RunningWeb } from '../../src/web/server.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { freePort } from '../helpers/ports.ts';

// The API documentation in a real browser (Debian's Chromium, headless) against the real server: Swagger
// UI renders the description under the site's CSP, with no console error (a CSP violation is one), and
// fetches nothing from any other host.

const CHROMIUM = '/usr/bin/chromium';
const chromiumMissing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;

const port = await freePort();
const base = `http://127.0.0.1:${port}`;

forEachBackend(
  'API documentation in a browser',
  (t) => {
    let web: RunningWeb;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];
    const elsewhere: string[] = [];

    before(async () => {
      if (chromiumMissing) return;
      web = await startWeb(t.core);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
      });
      const context = await browser.newContext();
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(`${base}/`) && !url.startsWith('data:')) elsewhere.push(url);
      });
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
      });
    });
    after(async () => {
      await browser?.close();
      await web?.close();
    });

    it('renders the operations, groups and security of the API', { skip: chromiumMissing ?? false, timeout: 60_000 }, async () => {
      await page.goto(`${base}/api/docs`);
      await page.getByRole('heading', { name: /Pipit API/ }).waitFor();
      // Each group is a section; the statuses one lists "Post a status" with its path.
      await page.locator('.opblock-tag-section').first().waitFor();
      const post = page.locator('.opblock-post', { hasText: '/api/v1/statuses' }).filter({ hasText: 'Post a status' }).first();
      await post.waitFor();
      await post.locator('.opblock-summary').click();
      await page.getByText('Idempotency-Key', { exact: false }).first().waitFor();
      // The OAuth flows, with Pipit's own authorize URL.
      await page.getByRole('button', { name: /Authorize/ }).first().click();
      await page.getByText(`${base}/oauth/authorize`).first().waitFor();
      assert.deepEqual(problems, [], 'no console errors (CSP included), page errors or failed requests');
      assert.deepEqual(elsewhere, [], 'nothing fetched from another host');
    });
  },
  { env: { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base } },
);
