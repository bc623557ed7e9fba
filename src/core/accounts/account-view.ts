import type { Selectable } from 'kysely';
import type { AccountsTable } from '../db/schema.ts';

/** An account as the rest of the system sees it: never the password hash or the email. */
export interface Account {
  id: string;
  username: string;
  displayName: string;
  note: string;
  isAdmin: boolean;
  locked: boolean;
  bot: boolean;
  /** Wants to be found (search by the start of a name, directories); false: only by exact username. */
  discoverable: boolean;
  statusesCount: number;
  followersCount: number;
  followingCount: number;
  lastStatusAt: Date | null;
  createdAt: Date;
  /** Storage keys of the uploaded pictures (urls.ts `mediaUrl`); null: the default ones. */
  avatarKey: string | null;
  avatarSmallKey: string | null;
  headerKey: string | null;
}

/** The columns an Account is made of, for selects and joins. */
export const ACCOUNT_COLUMNS = [
  'id',
  'username',
  'display_name',
  'note',
  'is_admin',
  'locked',
  'bot',
  'discoverable',
  'statuses_count',
  'followers_count',
  'following_count',
  'last_status_at',
  'created_at',
  'avatar_key',
  'avatar_small_key',
  'header_key',
] as const;

type AccountRow = Pick<Selectable<AccountsTable>, (typeof ACCOUNT_COLUMNS)[number]>;

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    note: row.note,
    isAdmin: row.is_admin,
    locked: row.locked,
    bot: row.bot,
    discoverable: row.discoverable,
    statusesCount: row.statuses_count,
    followersCount: row.followers_count,
    followingCount: row.following_count,
    lastStatusAt: row.last_status_at,
    createdAt: row.created_at,
    avatarKey: row.avatar_key,
    avatarSmallKey: row.avatar_small_key,
    headerKey: row.header_key,
  };
}
