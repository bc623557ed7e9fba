import { joinScopes, type IssuedToken, type OAuthApp, type RegisteredApp } from '../../core/index.ts';
import { arr, int, obj, orNull, str } from '../api/serializers/schema.ts';

// Mastodon's entities for apps and tokens, field for field (docs/mastodon-api.md §1 and §3).

/** Application (GET /api/v1/apps/verify_credentials). */
export function toApplication(app: OAuthApp) {
  return {
    id: app.id,
    name: app.name,
    website: app.website,
    scopes: app.scopes,
    redirect_uri: app.redirectUris.join('\n'),
    redirect_uris: app.redirectUris,
  };
}

const applicationProperties = { id: str, name: str, website: orNull(str), scopes: arr(str), redirect_uri: str, redirect_uris: arr(str) };

/** The response schemas (every key required: see api/serializers/schema.ts). */
export const applicationSchema = obj(applicationProperties);

/** CredentialApplication (POST /api/v1/apps): the Application plus its credentials. Phanpy needs client_secret. */
export function toCredentialApplication(app: RegisteredApp) {
  return { ...toApplication(app), client_id: app.clientId, client_secret: app.clientSecret, client_secret_expires_at: 0 };
}

export const credentialApplicationSchema = obj({ ...applicationProperties, client_id: str, client_secret: str, client_secret_expires_at: int });

/** Token: no `expires_in` (tokens never expire) and `created_at` in seconds (Toot! needs it). */
export function toToken(token: IssuedToken) {
  return {
    access_token: token.accessToken,
    token_type: 'Bearer',
    scope: joinScopes(token.scopes),
    created_at: Math.floor(token.createdAt.getTime() / 1000),
  };
}

export const tokenSchema = obj({ access_token: str, token_type: str, scope: str, created_at: int });
