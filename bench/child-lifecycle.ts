// The child side: tell the parent where we listen, and stop when told to or when the parent is gone
// (its IPC channel closes even if it was killed with SIGKILL), so no server outlives a run.

/** Reports readiness to the parent and arranges a bounded, graceful stop. */
export function serveUntilStopped(url: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Closing must not hang the run: give it 5 s, then leave anyway.
    setTimeout(() => process.exit(1), 5_000).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  if (!process.send) {
    console.error('This script is started by bench/run.ts (it needs an IPC channel).');
    stop();
    return;
  }
  process.send({ type: 'ready', url });
}

/** Required environment variable, or exit with a message. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}
