// During a database outage every request and every job poll fails the same way; one log line per
// interval says so (with how many were not logged) instead of thousands. Home-made because it is ten
// lines and pino has no such option.

/** How often a recurring problem (the database being unreachable) is logged again. */
export const OUTAGE_REPORT_INTERVAL_MS = 30_000;

/**
 * Returns a function to call at each occurrence: it answers the number of occurrences since the
 * last report (this one included) when one is due now, or `undefined` when this one stays quiet.
 */
export function reportThrottle(intervalMs = OUTAGE_REPORT_INTERVAL_MS): () => number | undefined {
  let last = -Infinity;
  let count = 0;
  return () => {
    count += 1;
    const now = performance.now();
    if (now - last < intervalMs) return undefined;
    last = now;
    const n = count;
    count = 0;
    return n;
  };
}
