import { DomainError } from '../domain/errors.ts';

// OAuth's own error codes (RFC 6749 §5.2, RFC 7009), which clients branch on: Elk re-registers its app
// on `invalid_client`. They say what went wrong in protocol terms, not in HTTP ones; web maps each to
// a status (error-table.ts).

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'access_denied';

/** A refused OAuth request: `code` is the protocol's error code, the message its `error_description`. */
export class OAuthError extends DomainError {
  override name = 'OAuthError';
  readonly code: OAuthErrorCode;
  constructor(code: OAuthErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
