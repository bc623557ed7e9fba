import type { Logger } from 'pino';
import type { Core } from '../core/index.ts';
import { Failure } from './command.ts';

/** Something a long-running command started and must stop on shutdown (the web server, the worker). */
export interface Service {
  readonly name: string;
  close(): Promise<void>;
}

// After the web's drain (SHUTDOWN_DRAIN_SECONDS): below Docker's 10 s between SIGTERM and SIGKILL
// with the default 2 s drain, so a stuck shutdown still ends on our terms and says so.
export const SHUTDOWN_TIMEOUT_MS = 8_000;

/** Starts a service; a port already taken becomes a one-line Failure rather than a stack trace. */
export async function startService<S extends Omit<Service, 'name'>>(name: string, start: () => Promise<S>, where: string, settings = 'PORT or HOST'): Promise<S & Service> {
  try {
    return Object.assign(await start(), { name });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Failure(`cannot listen on ${where}: the address is already in use (set ${settings})`);
    if (code === 'EACCES') throw new Failure(`cannot listen on ${where}: permission denied (choose a PORT above 1023)`);
    throw error;
  }
}

/** Closes what was started so far, newest first, and the core; used when a later start fails. */
export async function closeAll(core: Core, services: readonly Service[]): Promise<void> {
  for (const service of [...services].reverse()) await service.close().catch(() => {});
  await core.close().catch(() => {});
}

/** The first SIGTERM or SIGINT, caught from the moment a long-running command begins. */
export interface SignalTrap {
  readonly received: Promise<NodeJS.Signals>;
}

/**
 * Catches SIGTERM and SIGINT from now on, so a signal that arrives while the database opens or a
 * service starts still leads to a graceful shutdown instead of Node's default (dying at once).
 * A second signal ends the process at once.
 */
export function trapSignals(log: Logger): SignalTrap {
  let count = 0;
  let resolveReceived: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => (resolveReceived = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      log.info({ signal }, 'Shutting down');
      resolveReceived(signal);
      return;
    }
    log.warn({ signal }, 'Second signal during shutdown: exiting now');
    process.exit(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { received };
}

/**
 * Runs until the trap catches SIGTERM or SIGINT, then shuts down gracefully: the services in the
 * order given (the web first: it stops accepting and answers the requests in flight, so no new jobs
 * appear while the worker finishes its running ones), then the core. Bounded by SHUTDOWN_TIMEOUT_MS
 * after the web's drain.
 * Resolves with the exit code. Pass the trap set when the command began; a new one is set otherwise.
 */
export async function runUntilSignal(
  core: Core,
  services: readonly Service[],
  log: Logger,
  trap: SignalTrap = trapSignals(log),
  timeoutMs = SHUTDOWN_TIMEOUT_MS + core.config.shutdownDrainSeconds * 1000,
): Promise<number> {
  await trap.received;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      log.error({ timeoutMs }, 'Shutdown did not finish in time: exiting anyway');
      resolve(1);
    }, timeoutMs);
  });
  try {
    return await Promise.race([shutDown(core, services, log).then((ok) => (ok ? 0 : 1)), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function shutDown(core: Core, services: readonly Service[], log: Logger): Promise<boolean> {
  let ok = true;
  for (const service of services) {
    try {
      await service.close();
      log.info({ service: service.name }, 'Stopped');
    } catch (error) {
      ok = false;
      log.error({ service: service.name, err: error }, 'Failed to stop cleanly');
    }
  }
  try {
    await core.close();
    log.info('Database closed');
  } catch (error) {
    ok = false;
    log.error({ err: error }, 'Failed to close the database');
  }
  return ok;
}

/**
 * Starts services in order on an open core, then runs until a signal (see runUntilSignal). If one
 * fails to start, those already started are closed, then the core, and the error is thrown.
 */
export async function serveUntilSignal(
  core: Core,
  log: Logger,
  trap: SignalTrap,
  starters: ReadonlyArray<() => Promise<Service>>,
): Promise<number> {
  const services: Service[] = [];
  try {
    for (const start of starters) services.push(await start());
  } catch (error) {
    await closeAll(core, services);
    throw error;
  }
  return runUntilSignal(core, services, log, trap);
}
