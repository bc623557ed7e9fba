import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Invalid, TooLarge, type Core, type ProfileChanges } from '../../../core/index.ts';
import { mergeQueryIntoBody, nestFields } from '../body-parsing.ts';
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
  avatar: text('A new avatar: an image file (multipart), cropped square (400 × 400 and 96 × 96).', { format: 'binary' }),
  header: text('A new header: an image file (multipart), cropped to 1500 × 500.', { format: 'binary' }),
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
    // A picture comes as a file part (read by readBody); a text value would be a URL or data we cannot take.
    if (body[image] !== undefined && body[image] !== '') throw new Invalid(`Send the ${image === 'avatar' ? 'avatar' : 'header image'} as a file, in a multipart/form-data part named "${image}".`, image);
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

interface CredentialsBody {
  fields: Body;
  avatar?: Buffer;
  header?: Buffer;
}

/**
 * The body, with the pictures of a multipart one read whole, each bounded by the image size limit (the
 * core makes them in the request: accounts/profile-images.ts). Other bodies were parsed by body-parsing.ts.
 */
async function readBody(request: FastifyRequest, maxBytes: number): Promise<CredentialsBody> {
  if (!request.isMultipart()) {
    const body = mergeQueryIntoBody(request.query, request.body);
    return { fields: isObject(body) ? body : {} };
  }
  const fields: Record<string, string[]> = {};
  const files: { avatar?: Buffer; header?: Buffer } = {};
  try {
    for await (const part of request.parts({ limits: { files: 2, fields: 200, fieldSize: 64 * 1024, fileSize: maxBytes + 1 } })) {
      if (part.type === 'file') {
        if ((part.fieldname !== 'avatar' && part.fieldname !== 'header') || files[part.fieldname]) {
          part.file.resume();
          throw new Invalid(`Send at most one file in each of the parts "avatar" and "header" (not "${part.fieldname}").`, part.fieldname);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) {
            part.file.resume();
            throw new TooLarge(`Images have at most ${Math.floor(maxBytes / (1024 * 1024))} MB; the ${part.fieldname} is larger.`);
          }
          chunks.push(chunk);
        }
        // An empty file part is what a form sends when no file was chosen: nothing to change.
        if (size > 0) files[part.fieldname] = Buffer.concat(chunks);
        continue;
      }
      (fields[part.fieldname] ??= []).push(typeof part.value === 'string' ? part.value : String(part.value ?? ''));
    }
  } catch (error) {
    if (error instanceof Invalid || error instanceof TooLarge || (error as { statusCode?: number }).statusCode) throw error;
    throw new Invalid('The multipart body could not be read: check its boundary and parts.', 'body');
  }
  const body = mergeQueryIntoBody(request.query, nestFields(fields));
  return { fields: isObject(body) ? body : {}, ...files };
}

/** GET /api/v1/accounts/verify_credentials, PATCH /api/v1/accounts/update_credentials, DELETE /api/v1/profile/avatar|header. */
export function registerCredentialRoutes(scope: FastifyInstance, core: Core): void {

  scope.get('/v1/accounts/verify_credentials', { schema: { ...describe('Accounts', 'The token owner’s account, with its source and role'), ...RESPONSE }, preHandler: requireScope(['read:accounts', 'profile'], { user: true }) }, async (request) => {
    const id = request.token!.account!.id;
    // Read again rather than from the token: the counters and profile may have changed since.
    const [account, settings] = await Promise.all([core.accounts.getAccount(id), core.accounts.getAccountSettings(id)]);
    return toMastodonCredentialAccount(account, settings, core.config);
  });

  scope.patch('/v1/accounts/update_credentials', {
      schema: {
        ...describe('Accounts', 'Change the token owner’s profile', { body: PROFILE_FIELDS, description: 'Only the fields sent change. Pictures come as multipart files; a refused picture changes nothing.' }),
        ...RESPONSE,
      },
      preHandler: requireScope('write:accounts', { user: true }),
      // The pictures' parts are read here, once the token is checked (body-parsing.ts refuses files elsewhere).
      config: { fileUpload: true },
    }, async (request) => {
    const me = request.token!.account!.id;
    const { fields, avatar, header } = await readBody(request, core.config.mediaMaxImageBytes);
    const changes = profileChanges(fields);
    core.accounts.checkProfileChanges(changes);
    if (avatar || header) {
      await core.rateLimits.consumeRateLimit(core.rateLimits.rules.mediaUploadsPerAccount, me);
      // The text was checked above, so pictures first: a refused one (422) leaves the whole profile as it was.
      await core.accounts.updateProfileImages(me, { avatar, header });
    }
    const account = await core.accounts.updateProfile(me, changes);
    request.log.info({ accountId: account.id }, 'profile updated');
    return toMastodonCredentialAccount(account, await core.accounts.getAccountSettings(account.id), core.config);
  });

  // Mastodon 4.2's way back to the default pictures (update_credentials only ever sets one).
  for (const image of ['avatar', 'header'] as const) {
    scope.delete(`/v1/profile/${image}`, {
      schema: { ...describe('Accounts', `Remove the token owner’s ${image}, back to the default picture`), ...RESPONSE },
      preHandler: requireScope('write:accounts', { user: true }),
    }, async (request) => {
      const me = request.token!.account!.id;
      const account = await core.accounts.updateProfileImages(me, image === 'avatar' ? { removeAvatar: true } : { removeHeader: true });
      request.log.info({ accountId: account.id }, `${image} removed`);
      return toMastodonCredentialAccount(account, await core.accounts.getAccountSettings(account.id), core.config);
    });
  }
}
