import pino, { type Logger } from 'pino';
import type { Config } from '../core/index.ts';

/**
 * The logger of the long-running commands (start, web), for what happens outside any request:
 * signals and shutdown. Synchronous, so nothing is lost when the process exits right after a line.
 */
export async function createLogger(config: Config): Promise<Logger> {
  const options = { level: config.logLevel };
  // Same rule as the web's logs: pretty only in development on a terminal. pino-pretty is a
  // development dependency, so it is loaded only then.
  if (config.nodeEnv === 'development' && process.stdout.isTTY === true) {
    const { default: pretty } = await import('pino-pretty');
    return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })).child({ component: 'cli' });
  }
  return pino(options, pino.destination({ sync: true })).child({ component: 'cli' });
}
