// The OAuth 2.0 authorization server's use cases, one module for buildCore to bind.
export { registerApp, findApp, authenticateClient } from './applications.ts';
export { validateAuthorizationRequest, issueAuthorizationCode } from './authorization.ts';
export { exchangeAuthorizationCode, issueClientCredentialsToken, revokeToken, authenticateToken, authenticateTokenCounting } from './tokens.ts';
export { listAuthorizedApps, revokeAuthorizedApp, hasMatchingAuthorization } from './authorized-apps.ts';
export { storedOAuthRows } from './stored-credentials.ts';
