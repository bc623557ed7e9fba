import type { Core, QueueCounts } from '../../src/core/index.ts';

// Waiting in tests: for a condition, never for a length of time. A test that sleeps "long enough"
// passes on a fast machine and fails on a loaded one; one that sleeps to show something did NOT
// happen passes whether or not it would have. So every wait here is for a condition that must
// become true, with a deadline that FAILS the test saying what it waited for and what it last saw.

export interface WaitOptions {
  /** What is awaited, as the failure message should name it ("three emails after the restart"). */
  what: string;
  /** How long before the test fails (default 30 s: generous, as the machine may be loaded). */
  timeoutMs?: number;
  /** How often the condition is checked (default 25 ms). */
  intervalMs?: number;
  /** What the failure message shows of the last value the condition returned (default JSON). */
  describe?: (last: unknown) => string;
}

/** A value that counts as "the condition holds": anything truthy. */
type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

function show(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 500 ? `${text.slice(0, 500)}…` : text;
  } catch {
    return String(value);
  }
}

/**
 * Resolves with the condition's first truthy value; rejects when `timeoutMs` passes first, naming
 * `what` and the last value seen. An error thrown by the condition fails the wait at once.
 * @example const [d] = await waitFor(async () => (await deliveries()).every(final) && deliveries(), { what: 'the deliveries final' });
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions): Promise<Truthy<Awaited<T>>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 25;
  const started = Date.now();
  for (;;) {
    const value = await condition();
    if (value) return value as Truthy<Awaited<T>>;
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      const seen = (options.describe ?? show)(value);
      throw new Error(`timed out after ${waited} ms waiting for ${options.what} (last seen: ${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(1, timeoutMs - waited))));
  }
}

/** Resolves once every callback already scheduled (process.nextTick, promises, setImmediate) has run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * Waits until the queues named have nothing waiting (ready or retrying later) and nothing running:
 * every job they were given has reached its final state, so nothing more will happen on its own.
 * Returns the counts seen then.
 */
export async function waitForQueuesDrained(
  core: Pick<Core, 'jobs'>,
  queues: readonly string[],
  options: Omit<WaitOptions, 'what'> & { what?: string } = {},
): Promise<QueueCounts[]> {
  let last: QueueCounts[] = [];
  await waitFor(
    async () => {
      last = (await core.jobs.overview()).filter((q) => queues.includes(q.queue));
      return last.length === queues.length && last.every((q) => q.waiting === 0 && q.active === 0);
    },
    {
      ...options,
      what: options.what ?? `the queues ${queues.join(', ')} to drain`,
      describe: () => show(last.map(({ queue, waiting, active, deadLetter }) => ({ queue, waiting, active, deadLetter }))),
    },
  );
  return last;
}

/**
 * For suites whose API uploads must come back processed (200, not 202): POST /api/v2/media waits for
 * the processing up to MEDIA_UPLOAD_WAIT_SECONDS and answers as soon as it is done, so the longest wait
 * the settings allow costs nothing on an idle machine; the default 10 s ran out on a loaded one.
 */
export const UPLOAD_WAITS_FOR_PROCESSING = { MEDIA_UPLOAD_WAIT_SECONDS: '60' } as const;
