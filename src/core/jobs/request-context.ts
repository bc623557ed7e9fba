import { AsyncLocalStorage } from 'node:async_hooks';

// The request id of the web request (or job) being served, so that events published anywhere below it
// carry it without every use case taking it as a parameter.
const storage = new AsyncLocalStorage<{ reqId: string }>();

/** Runs `fn` with `reqId` as the current request id: events published inside it carry that id. */
export function runWithRequestId<T>(reqId: string, fn: () => T): T {
  return storage.run({ reqId }, fn);
}

/** The request id of the request or job being served, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.reqId;
}
