// The website's and the task manager's modules (Fastify with its plugins and every route; the worker's
// handlers) are loaded by the commands that run them rather than by every `pipit` process, and the
// loading is begun before the database opens: on the embedded database PGlite compiles and starts
// meanwhile, so part of it is hidden. Each promise is awaited once the core is open; a failure is
// reported then (the no-op catch only keeps it from counting as unhandled while the core opens).

function begun<T>(loading: Promise<T>): Promise<T> {
  loading.catch(() => {});
  return loading;
}

/** Begins loading the website (web/server.ts). */
export function loadWeb() {
  return begun(import('../web/server.ts'));
}

/** Begins loading the task manager and its metrics listener. */
export function loadWorker() {
  return begun(Promise.all([import('../worker/worker.ts'), import('../worker/metrics-server.ts')]).then(([worker, metrics]) => ({ ...worker, ...metrics })));
}
