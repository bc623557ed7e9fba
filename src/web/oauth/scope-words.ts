// Scopes in words, for the consent page and the settings page: a person decides from these.

const RESOURCE_WORDS: Record<string, string> = {
  accounts: 'account information',
  blocks: 'blocks',
  bookmarks: 'bookmarks',
  conversations: 'conversations',
  favourites: 'favourites',
  filters: 'filters',
  follows: 'follows',
  lists: 'lists',
  media: 'media uploads',
  mutes: 'mutes',
  notifications: 'notifications',
  reports: 'reports',
  search: 'searches',
  statuses: 'posts',
};

const WHOLE: Record<string, string> = {
  read: 'Read everything in your account: posts, notifications, follows, profile',
  write: 'Change everything in your account: post, delete, follow, edit your profile',
  follow: 'Manage whom you follow, block and mute',
  push: 'Receive push notifications',
  profile: 'See your basic profile (name and username) only',
};

/** One scope in plain words. */
export function describeScope(scope: string): string {
  const whole = WHOLE[scope];
  if (whole) return whole;
  const [family, resource = ''] = scope.split(':');
  const what = RESOURCE_WORDS[resource] ?? resource;
  if (family === 'read') return `Read your ${what}`;
  if (resource === 'search') return 'Search';
  return `Change your ${what}`;
}
