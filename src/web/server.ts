import { setTimeout as sleep } from 'node:timers/promises';
import type { Core } from '../core/index.ts';
import { buildApp } from './app.ts';

export interface RunningWeb {
  /**
   * Shuts down gracefully: readiness turns false at once while requests are still served for
   * SHUTDOWN_DRAIN_SECONDS (so a load balancer polling /readyz stops sending before anything is
   * refused), then the listener closes and the requests in flight are answered.
   */
  close(): Promise<void>;
  /** The address it listens on, e.g. `http://127.0.0.1:3000`. */
  address: string;
}

/** Listens on HOST:PORT with the web application. */
export async function startWeb(core: Core): Promise<RunningWeb> {
  let shuttingDown = false;
  const pretty = core.config.nodeEnv === 'development' && process.stdout.isTTY === true;
  const app = await buildApp(core, { prettyLogs: pretty, isShuttingDown: () => shuttingDown });
  // While draining, every answer asks its client not to reuse the connection, so keep-alive clients
  // reconnect (to another process) rather than meet the closed listener.
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('Connection', 'close');
  });
  const address = await app.listen({ port: core.config.port, host: core.config.host });
  app.log.info({ address, publicUrl: core.config.publicUrl, database: core.databaseKind }, 'Pipit web is listening');
  return {
    address,
    async close() {
      shuttingDown = true;
      if (core.config.shutdownDrainSeconds > 0) {
        app.log.info({ drainSeconds: core.config.shutdownDrainSeconds }, 'Readiness is down; still answering while load balancers notice');
        await sleep(core.config.shutdownDrainSeconds * 1000);
      }
      await app.close();
    },
  };
}
