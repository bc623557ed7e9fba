import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWeb, type RunningWeb } from '../../src/web/server.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { freePort } from '../helpers/ports.ts';
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts';

// The API documentation in a real browser (Debian's Chromium, headless) against the real server: Swagger
// UI renders the description under the site's CSP, with no console error (a CSP violation is one),
// fetches nothing from any other host, and can log in through Pipit's own OAuth to try an operation.


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
      browser = await launchChromium();
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
      await page.locator('.modal-ux .close-modal').click();
      assert.deepEqual(problems, [], 'no console errors (CSP included), page errors or failed requests');
      assert.deepEqual(elsewhere, [], 'nothing fetched from another host');
    });

    it('logs in through Pipit’s OAuth (code with PKCE) and tries an operation with the token', { skip: chromiumMissing ?? false, timeout: 60_000 }, async () => {
      await page.goto(`${base}/auth/sign_up`);
      await page.getByLabel('Username').fill('docs');
      await page.getByLabel('Email').fill('docs@example.com');
      await page.getByLabel('Password').fill('correct horse battery staple');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForURL(`${base}/`);
      // Swagger UI as an app: its redirect page is served beside it.
      const registered = await page.request.post(`${base}/api/v1/apps`, {
        data: { client_name: 'Swagger UI', redirect_uris: `${base}/api/docs/static/oauth2-redirect.html`, scopes: 'read' },
      });
      const client = (await registered.json()) as { client_id: string; client_secret: string };

      await page.goto(`${base}/api/docs`);
      await page.getByRole('button', { name: /Authorize/ }).first().click();
      await page.locator('#client_id_authorizationCode').fill(client.client_id);
      await page.locator('#client_secret_authorizationCode').fill(client.client_secret);
      const popup = page.waitForEvent('popup');
      // The first flow's button (authorization code; `read` is preselected by initOAuth).
      await page.locator('.modal-ux button.authorize').first().click();
      const consent = await popup;
      await consent.getByRole('button', { name: 'Authorize' }).click();
      await page.locator('.modal-ux button', { hasText: 'Logout' }).first().waitFor();
      await page.locator('.modal-ux .close-modal').click();

      const operation = page.locator('.opblock-get', { hasText: '/api/v1/accounts/verify_credentials' }).first();
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      await operation.getByRole('button', { name: 'Execute' }).click();
      await operation.locator('.live-responses-table tbody .response-col_status').first().waitFor();
      assert.equal((await operation.locator('.live-responses-table tbody .response-col_status').first().innerText()).trim(), '200');
      assert.match(await operation.locator('.live-responses-table .microlight').first().innerText(), /"username": "docs"/);
      assert.deepEqual(problems, [], 'no console errors (CSP included), page errors or failed requests');
      assert.deepEqual(elsewhere, [], 'nothing fetched from another host');
    });
  },
  { env: { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base } },
);
