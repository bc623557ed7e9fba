// Domain errors carry a message a person can act on and, for validation, the field at fault.
// They know nothing of HTTP: the web layer maps each kind once (to a page or a Mastodon error body).

export class DomainError extends Error {
  override name = 'DomainError';
}

/** The thing asked for does not exist, or the caller may not know that it does. */
export class NotFound extends DomainError {
  override name = 'NotFound';
  constructor(message = 'Record not found') {
    super(message);
  }
}

/** The caller is known but may not do this. */
export class Forbidden extends DomainError {
  override name = 'Forbidden';
  constructor(message = 'This action is not allowed') {
    super(message);
  }
}

/** The credentials given do not identify anyone. */
export class Unauthenticated extends DomainError {
  override name = 'Unauthenticated';
  constructor(message = 'Please log in') {
    super(message);
  }
}

/** Field name → what to fix in it: every problem of a form at once, so a person fixes them in one go. */
export type FieldErrors = Readonly<Record<string, string>>;

function fieldErrors(message: string, field: string | undefined, fields: FieldErrors | undefined): FieldErrors {
  return fields ?? (field ? { [field]: message } : {});
}

/** Input that breaks a rule; `field` names the (first) input to fix, `fields` every one. */
export class Invalid extends DomainError {
  override name = 'Invalid';
  readonly field: string | undefined;
  readonly fields: FieldErrors;
  constructor(message: string, field?: string, fields?: FieldErrors) {
    super(message);
    this.field = field;
    this.fields = fieldErrors(message, field, fields);
  }
}

/** The input clashes with something that already exists (a taken username); `fields` as for Invalid. */
export class Conflict extends DomainError {
  override name = 'Conflict';
  readonly field: string | undefined;
  readonly fields: FieldErrors;
  constructor(message: string, field?: string, fields?: FieldErrors) {
    super(message);
    this.field = field;
    this.fields = fieldErrors(message, field, fields);
  }
}

/** What was sent is larger than the limit (an upload past the size limit). */
export class TooLarge extends DomainError {
  override name = 'TooLarge';
}

/** Too many attempts; `retryAfterSeconds` says when trying again makes sense. */
export class RateLimited extends DomainError {
  override name = 'RateLimited';
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message = 'Too many attempts. Please wait a moment and try again.') {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The database or another dependency is unavailable right now; trying later may work. */
export class Unavailable extends DomainError {
  override name = 'Unavailable';
  constructor(message = 'The service is temporarily unavailable. Please try again shortly.') {
    super(message);
  }
}

/** An upload that would take its owner past the storage quota (an Invalid: the web layer answers 422). */
export class QuotaExceeded extends Invalid {
  override name = 'QuotaExceeded';
}

/**
 * The media storage (an S3-compatible store) cannot be reached or refuses us: a request answers 503 and a
 * pipeline job is retried. The message is for the logs (what the store said); people get a fixed text.
 */
export class StorageUnavailable extends Unavailable {
  override name = 'StorageUnavailable';
  constructor(detail: string, options?: ErrorOptions) {
    super(detail);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
