import { it } from 'node:test';
import { buildApp } from '../../src/web/app.ts';
import { forEachBackend } from '../helpers/databases.ts';
forEachBackend('probe', (t) => {
  it('probes', async () => {
    const app = await buildApp(t.core);
    const probes: [string, string, Record<string, string>?, string?][] = [
      ['GET', '/api/v1/statuses/' + 'a'.repeat(201)],
      ['GET', '/api/v1/statuses/' + '1'.repeat(250)],
      ['GET', '/api/v1/statuses/%zz'],
      ['GET', '/api/v1/statuses/%E0%A4%A'],
      ['GET', '/api/v1/statuses/..'],
      ['GET', '/api/v1/statuses/../../oauth/token'],
      ['GET', '/api/v1/statuses/1?%'],
      ['GET', '/api/v1/timelines/tag/' + 'a'.repeat(5000)],
      ['GET', '/.well-known/webfinger?resource=%zz'],
      ['GET', '/.well-known/%zz'],
      ['POST', '/api/v1/statuses', { 'content-type': 'multipart/form-data; boundary=fuzz' }, '--fuzz\r\nContent-Disposition: form-data; name="status"\r\n\r\n' + 'x'.repeat(300*1024) + '\r\n--fuzz--\r\n'],
      ['POST', '/api/v1/statuses', { 'content-type': 'text/plain' }, 'x'.repeat(300*1024)],
      ['POST', '/api/v1/statuses', { 'content-type': 'text/plain' }, 'x'],
      ['POST', '/oauth/token', { 'content-type': 'application/json' }, 'x'.repeat(300*1024)],
      ['GET', '/oauth/authorize/' + 'a'.repeat(300)],
    ];
    for (const [method, url, headers, payload] of probes) {
      const res = await app.inject({ method: method as 'GET', url, headers: headers ?? {}, ...(payload ? { payload } : {}) });
      console.log(method, url.slice(0, 60), '→', res.statusCode, res.headers['content-type'], res.body.slice(0, 150));
    }
    await app.close();
  });
});
