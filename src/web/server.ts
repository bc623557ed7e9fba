import type { Core } from '../core/index.ts';
import { buildApp } from './app.ts';

export interface RunningWeb {
  /** Stops accepting, answers in-flight requests, then resolves. Readiness turns false at once. */
  close(): Promise<void>;
  /** The address it listens on, e.g. `http://127.0.0.1:3000`. */
  address: string;
}

/** Listens on HOST:PORT with the web application. */
export async function startWeb(core: Core): Promise<RunningWeb> {
  let shuttingDown = false;
  const pretty = core.config.nodeEnv === 'development' && process.stdout.isTTY === true;
  const app = await buildApp(core, { prettyLogs: pretty, isShuttingDown: () => shuttingDown });
  const address = await app.listen({ port: core.config.port, host: core.config.host });
  app.log.info({ address, publicUrl: core.config.publicUrl, database: core.databaseKind }, 'Pipit web is listening');
  return {
    address,
    async close() {
      shuttingDown = true;
      await app.close();
    },
  };
}
