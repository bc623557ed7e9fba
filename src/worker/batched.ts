import DataLoader from 'dataloader';

// Handlers of one pg-boss batch run side by side; their database calls go through these batchers,
// which turn the calls made together into one call of the core's batch function — one statement for
// a whole batch of jobs instead of one (or five) per job. DataLoader does the collecting.

export interface BatchOptions {
  /**
   * Group commit: while one batch is in flight, calls wait and then go together in the next one.
   * For calls that arrive one by one (an email's "sent" lands whenever its SMTP server answers):
   * no added delay when idle, one statement per round trip when busy.
   */
  groupCommit?: boolean;
}

/** A function of one key that runs as part of a batch: `many` gets the keys and answers in their order. */
export function batched<K, V>(many: (keys: readonly K[]) => Promise<V[]>, options: BatchOptions = {}): (key: K) => Promise<V> {
  let inFlight: Promise<unknown> = Promise.resolve();
  const loader = new DataLoader<K, V>(
    (keys) => {
      const run = many(keys).catch(async (error: unknown) => {
        if (keys.length === 1) throw error;
        // One bad key must not fail its batch-mates (they would fail again on every retry): each alone.
        return Promise.all(keys.map((key) => many([key]).then((values) => values[0]!, (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
      });
      inFlight = run.catch(() => {});
      return run;
    },
    {
      cache: false, // these are writes: every call must reach the database
      maxBatchSize: 200,
      ...(options.groupCommit ? { batchScheduleFn: (dispatch: () => void) => void inFlight.then(() => setImmediate(dispatch)) } : {}),
    },
  );
  return (key) => loader.load(key);
}
