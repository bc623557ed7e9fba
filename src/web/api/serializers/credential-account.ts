import type { Account, AccountSettings, SiteUrls } from '../../../core/index.ts';
import { accountProperties, toMastodonAccount, type MastodonAccount } from './account.ts';
import { arr, bool, int, obj, orNull, str } from './schema.ts';

// The CredentialAccount (mastodon-api.md §3): the Account plus what only its owner sees — `source`, the
// plain text and defaults an edit form starts from (Ice Cubes needs `sensitive`, `note` and `fields`
// non-null), and `role`.

export interface MastodonCredentialAccount extends Omit<MastodonAccount, 'discoverable'> {
  discoverable: boolean;
  source: {
    privacy: string;
    sensitive: boolean;
    language: string | null;
    note: string;
    fields: { name: string; value: string }[];
    follow_requests_count: number;
    discoverable: boolean;
    indexable: boolean;
  };
  role: { id: string; name: string; color: string; permissions: string; highlighted: boolean };
}

// Mastodon's permission bits: 1 is "administrator" (everything); 0 is an ordinary user.
const ADMIN_ROLE = { id: '3', name: 'Admin', color: '', permissions: '1', highlighted: true };
const USER_ROLE = { id: '-99', name: '', color: '', permissions: '0', highlighted: false };

/** The token owner's own account, with its source and role. */
export function toMastodonCredentialAccount(account: Account, settings: AccountSettings, site: SiteUrls): MastodonCredentialAccount {
  return {
    ...toMastodonAccount(account, site),
    discoverable: settings.discoverable,
    source: {
      privacy: settings.defaultVisibility,
      sensitive: settings.defaultSensitive,
      language: settings.defaultLanguage,
      note: account.note,
      fields: [],
      // Follows are accepted at once: nothing ever waits for approval.
      follow_requests_count: 0,
      discoverable: settings.discoverable,
      indexable: false,
    },
    role: account.isAdmin ? ADMIN_ROLE : USER_ROLE,
  };
}

export const credentialAccountSchema = obj({
  ...accountProperties,
  discoverable: bool,
  source: obj({
    privacy: str,
    sensitive: bool,
    language: orNull(str),
    note: str,
    fields: arr(obj({ name: str, value: str })),
    follow_requests_count: int,
    discoverable: bool,
    indexable: bool,
  }),
  role: obj({ id: str, name: str, color: str, permissions: str, highlighted: bool }),
});
