import type { FastifyInstance } from 'fastify';
import { Invalid, type Core, type ProfileChanges } from '../../../core/index.ts';
import { requireScope } from '../authenticate.ts';
import { parseBoolean, textParam } from '../params.ts';
import { credentialAccountSchema, toMastodonCredentialAccount } from '../serializers/credential-account.ts';
import { describe, flag, nested, text } from '../docs/describe.ts';

// The token owner's own account: read it (the first call every app makes after login) and change it.
// update_credentials takes JSON, a form or multipart (Rails brackets: `source[privacy]`); the rules and
// limits are the core's (accounts/profile.ts), the same the website's profile form obeys.

type Body = Record<string, unknown>;
const RESPONSE = { response: { 200: credentialAccountSchema } };

const PROFILE_FIELDS = {
  display_name: text('The name shown (at most 1000 characters).'),
  note: text('The bio, as plain text.'),
  locked: flag('Whether the account approves followers (accepted; follows are accepted at once)'),
  bot: flag('Whether the account is automated'),
  discoverable: flag('Whether the account may be suggested and listed'),
  source: nested('Defaults for new statuses (`source[privacy]` … in a form).', {
    privacy: text('Default visibility of new statuses.', { enum: ['public', 'unlisted', 'private', 'direct'] }),
    sensitive: flag('Whether new statuses are marked sensitive by default'),
    language: text('Default language of new statuses (ISO 639-1).'),
  }),
  avatar: text('Not supported yet: refused when sent.'),
  header: text('Not supported yet: refused when sent.'),
  fields_attributes: { type: 'object', description: 'Profile fields: not supported yet, refused unless empty.' },
};

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Profile fields (`fields_attributes`): refused when any has text, since Pipit cannot keep them yet. */
function refuseProfileFields(value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  const entries = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [value];
  const hasText = entries.some((e) => (isObject(e) ? Object.values(e).some((v) => typeof v !== 'string' || v.trim() !== '') : String(e).trim() !== ''));
  if (hasText) throw new Invalid('Profile fields (name and value pairs) are not supported yet: send none, or empty ones.', 'fields_attributes');
}

/** What a body asks to change, read leniently as clients send it; Invalid names the field at fault. */
function profileChanges(body: Body): ProfileChanges {
  for (const image of ['avatar', 'header'] as const) {
    // A file part is refused by the body parser; a text value here would be a URL or data we cannot take either.
    if (body[image] !== undefined && body[image] !== '') throw new Invalid(`Uploading an ${image === 'avatar' ? 'avatar' : 'header image'} is not supported yet.`, image);
  }
  refuseProfileFields(body.fields_attributes);
  const source = body.source === undefined || body.source === '' ? {} : body.source;
  if (!isObject(source)) throw new Invalid('source must be an object: source[privacy], source[sensitive], source[language].', 'source');
  return {
    displayName: textParam(body.display_name, 'display_name', 1000),
    note: textParam(body.note, 'note', 10_000),
    locked: parseBoolean(body.locked, 'locked'),
    bot: parseBoolean(body.bot, 'bot'),
    discoverable: parseBoolean(body.discoverable, 'discoverable'),
    defaultVisibility: textParam(source.privacy, 'source[privacy]', 100),
    defaultSensitive: parseBoolean(source.sensitive, 'source[sensitive]'),
    defaultLanguage: textParam(source.language, 'source[language]', 100),
  };
}

/** GET /api/v1/accounts/verify_credentials and PATCH /api/v1/accounts/update_credentials. */
export function registerCredentialRoutes(scope: FastifyInstance, core: Core): void {
  const base = core.config.publicUrl;

  scope.get('/v1/accounts/verify_credentials', { schema: { ...describe('Accounts', 'The token owner’s account, with its source and role'), ...RESPONSE }, preHandler: requireScope(['read:accounts', 'profile'], { user: true }) }, async (request) => {
    const id = request.token!.account!.id;
    // Read again rather than from the token: the counters and profile may have changed since.
    const [account, settings] = await Promise.all([core.accounts.getAccount(id), core.accounts.getAccountSettings(id)]);
    return toMastodonCredentialAccount(account, settings, base);
  });

  scope.patch('/v1/accounts/update_credentials', {
      schema: {
        ...describe('Accounts', 'Change the token owner’s profile', { body: PROFILE_FIELDS, description: 'Only the fields sent change.' }),
        ...RESPONSE,
      },
      preHandler: requireScope('write:accounts', { user: true }),
    }, async (request) => {
    const body = isObject(request.body) ? request.body : {};
    const account = await core.accounts.updateProfile(request.token!.account!.id, profileChanges(body));
    request.log.info({ accountId: account.id }, 'profile updated');
    return toMastodonCredentialAccount(account, await core.accounts.getAccountSettings(account.id), base);
  });
}
