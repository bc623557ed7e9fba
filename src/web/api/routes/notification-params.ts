import { NOTIFICATION_TYPES, type NotificationFilter, type NotificationType } from '../../../core/index.ts';
import { listParam, optionalId, PAGE_LIMITS, readPaging } from '../params.ts';
import { id, list, paging } from '../docs/describe.ts';

// The notification list's parameters, shared by v1 and the grouped v2: paging (40 by default, 80 at
// most), `types[]`, `exclude_types[]`, `account_id`. Types Pipit never makes (poll, status, update,
// follow_request, admin.*) are accepted and match nothing: asking only for those gives an empty page.

/** The list's parameters, as notification-params.ts reads them (v1 and v2 alike). */
export const NOTIFICATION_QUERY = {
  ...paging(PAGE_LIMITS.notifications),
  'types[]': list('Only these types (mention, favourite, reblog, follow; other types match nothing).'),
  'exclude_types[]': list('Leave out these types.'),
  account_id: id('Only notifications from this account.'),
};

function knownTypes(values: readonly string[]): NotificationType[] {
  return NOTIFICATION_TYPES.filter((t) => values.includes(t));
}

/** The filter a request asks for, or `null` when it can match nothing (only unknown types asked for). */
export function readNotificationFilter(query: unknown): NotificationFilter | null {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const paging = readPaging(q, PAGE_LIMITS.notifications);
  const asked = listParam(q.types, 'types', 50);
  const types = knownTypes(asked);
  const excludeTypes = knownTypes(listParam(q.exclude_types, 'exclude_types', 50));
  const fromAccountId = optionalId(q.account_id, 'account_id');
  if (asked.length > 0 && types.length === 0) return null;
  return { ...paging, types, excludeTypes, fromAccountId };
}
