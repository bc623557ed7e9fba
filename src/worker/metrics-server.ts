import { createServer, type Server } from 'node:http';
import { METRICS_REFUSALS, metricsAccess, type Core } from '../core/index.ts';

// `pipit worker` has no web server, yet its job and email counters live in its own process: this
// small listener serves them at GET /metrics (same access rule as the web's /metrics).

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(core: Core, port: number, host: string): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is here.\n');
      return;
    }
    // No proxy sits in front of this listener, so the socket's address is the client's.
    const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
    const access = metricsAccess(core.config, { authorization: req.headers.authorization, ip: req.socket.remoteAddress ?? '', forwarded });
    if (access !== 'allowed') {
      const refusal = METRICS_REFUSALS[access];
      const auth = access === 'unauthorized' ? { 'www-authenticate': 'Bearer realm="metrics"' } : {};
      res.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8', ...auth }).end(refusal.text);
      return;
    }
    core.metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': core.metrics.contentType, 'cache-control': 'no-store' }).end(text),
      () => res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics are unavailable: the database did not answer.\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
