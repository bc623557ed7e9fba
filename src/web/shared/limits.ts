// Bounds on what a request may carry, for every scope. Forms and API calls are small; media uploads
// will raise their own limit on their own routes.

export const BODY_LIMIT = 256 * 1024;

/** qs (Rails-style brackets: `id[]=1`, `source[privacy]=…`), bounded in depth and size. */
export const QS_OPTIONS = { depth: 5, arrayLimit: 100, parameterLimit: 200 } as const;
