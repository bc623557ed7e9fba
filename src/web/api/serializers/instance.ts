import { DESCRIPTION_MAX, MAX_ATTACHMENTS, URL_LENGTH, attachmentMimeTypes, type Account, type Config, type InstanceFacts } from '../../../core/index.ts';
import { accountSchema, DEFAULT_HEADER_PATH, toMastodonAccount, type MastodonAccount } from './account.ts';
import { anyObject, arr, bool, int, obj, orNull, str } from './schema.ts';

// The Instance documents (v2, and v1 for megalodon and Tusky's fallback), mastodon-api.md §3. The
// version is Mastodon's 4.2 surface that Pipit implements (clients switch features on it: §7.1); the
// limits are Pipit's own (media: the images it processes, within its size and pixel limits; no video
// yet). What Pipit does not have yet (video, polls, pinned posts, profile fields,
// featured tags, streaming) is announced as a zero limit or left out, so clients offer none of it.

export const MASTODON_VERSION = '4.2.0';
const TITLE = 'Pipit';
const DESCRIPTION = 'A small microblogging server.';

/**
 * With no account yet (a fresh install, before `pipit user create`) there is no one to name, but clients
 * crash on a null contact (mastodon #29418): they get this stand-in for the site itself. Its id "0" can
 * never be a real snowflake, so fetching it answers 404 rather than someone else's account.
 */
export function placeholderContact(): Account {
  return {
    id: '0',
    username: 'pipit',
    displayName: TITLE,
    note: 'No account has been made on this site yet.',
    isAdmin: false,
    locked: false,
    bot: true,
    discoverable: false,
    statusesCount: 0,
    followersCount: 0,
    followingCount: 0,
    lastStatusAt: null,
    createdAt: new Date(0),
    avatarKey: null,
    avatarSmallKey: null,
    headerKey: null,
  };
}

function contactOf(facts: InstanceFacts, config: Config): MastodonAccount {
  return toMastodonAccount(facts.contact ?? placeholderContact(), config);
}

function limits(config: Config, videoSupported: boolean) {
  // Without ffmpeg, video and audio are refused at upload: the limits say so with zeros, as Mastodon's
  // clients read a zero video limit as "no video here".
  const video = videoSupported;
  return {
    accounts: { max_featured_tags: 0, max_pinned_statuses: 0, max_profile_fields: 0 },
    statuses: { max_characters: config.maxPostLength, max_media_attachments: MAX_ATTACHMENTS, characters_reserved_per_url: URL_LENGTH },
    media_attachments: {
      // HEIC only where heif-convert is installed, video and audio only with ffmpeg: else they are refused.
      supported_mime_types: attachmentMimeTypes({ heic: config.mediaHeifConvert !== undefined, video }),
      description_limit: DESCRIPTION_MAX,
      image_size_limit: config.mediaMaxImageBytes,
      image_matrix_limit: config.mediaMaxImagePixels,
      video_size_limit: video ? config.mediaMaxVideoBytes : 0,
      video_frame_rate_limit: video ? config.mediaMaxVideoFrameRate : 0,
      video_matrix_limit: video ? config.mediaMaxVideoPixels : 0,
    },
    polls: { max_options: 0, max_characters_per_option: 0, min_expiration: 0, max_expiration: 0 },
  };
}

const host = (config: Config) => new URL(config.publicUrl).host;

/** GET /api/v2/instance. */
export function toInstanceV2(facts: InstanceFacts, config: Config) {
  return {
    domain: host(config),
    title: TITLE,
    version: MASTODON_VERSION,
    source_url: `${config.publicUrl}/about`,
    description: DESCRIPTION,
    usage: { users: { active_month: facts.activeMonth } },
    thumbnail: { url: `${config.publicUrl}${DEFAULT_HEADER_PATH}`, blurhash: null, versions: {} },
    icon: [] as never[],
    languages: ['en'],
    api_versions: { mastodon: 1 },
    configuration: {
      urls: { status: null, about: `${config.publicUrl}/about` },
      vapid: { public_key: '' },
      ...limits(config, facts.videoSupported),
      translation: { enabled: false },
    },
    registrations: { enabled: true, approval_required: false, message: null },
    contact: { email: '', account: contactOf(facts, config) },
    rules: [] as never[],
  };
}

/** GET /api/v1/instance. */
export function toInstanceV1(facts: InstanceFacts, config: Config) {
  return {
    uri: host(config),
    title: TITLE,
    short_description: DESCRIPTION,
    description: DESCRIPTION,
    email: '',
    version: MASTODON_VERSION,
    urls: {},
    stats: { user_count: facts.users, status_count: facts.posts, domain_count: 0 },
    thumbnail: `${config.publicUrl}${DEFAULT_HEADER_PATH}`,
    languages: ['en'],
    registrations: true,
    approval_required: false,
    invites_enabled: false,
    configuration: limits(config, facts.videoSupported),
    contact_account: contactOf(facts, config),
    rules: [] as never[],
  };
}

const limitsSchema = {
  accounts: obj({ max_featured_tags: int, max_pinned_statuses: int, max_profile_fields: int }),
  statuses: obj({ max_characters: int, max_media_attachments: int, characters_reserved_per_url: int }),
  media_attachments: obj({
    supported_mime_types: arr(str),
    description_limit: int,
    image_size_limit: int,
    image_matrix_limit: int,
    video_size_limit: int,
    video_frame_rate_limit: int,
    video_matrix_limit: int,
  }),
  polls: obj({ max_options: int, max_characters_per_option: int, min_expiration: int, max_expiration: int }),
};

const ruleSchema = obj({ id: str, text: str, hint: str });

export const instanceV2Schema = obj({
  domain: str,
  title: str,
  version: str,
  source_url: str,
  description: str,
  usage: obj({ users: obj({ active_month: int }) }),
  thumbnail: obj({ url: str, blurhash: orNull(str), versions: anyObject }),
  icon: arr(anyObject),
  languages: arr(str),
  api_versions: obj({ mastodon: int }),
  configuration: obj({
    urls: obj({ status: orNull(str), about: str }),
    vapid: obj({ public_key: str }),
    ...limitsSchema,
    translation: obj({ enabled: bool }),
  }),
  registrations: obj({ enabled: bool, approval_required: bool, message: orNull(str) }),
  contact: obj({ email: str, account: accountSchema }),
  rules: arr(ruleSchema),
});

export const instanceV1Schema = obj({
  uri: str,
  title: str,
  short_description: str,
  description: str,
  email: str,
  version: str,
  urls: obj({}),
  stats: obj({ user_count: int, status_count: int, domain_count: int }),
  thumbnail: str,
  languages: arr(str),
  registrations: bool,
  approval_required: bool,
  invites_enabled: bool,
  configuration: obj(limitsSchema),
  contact_account: accountSchema,
  rules: arr(ruleSchema),
});
