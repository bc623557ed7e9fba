import type { FastifyInstance } from 'fastify';
import { Invalid, MARKER_TIMELINES, type Core, type Marker, type MarkerTimeline } from '../../../core/index.ts';
import { requireScope } from '../authenticate.ts';
import { listParam } from '../params.ts';
import { int, obj, str } from '../serializers/schema.ts';
import { describe, id, list, nested } from '../docs/describe.ts';

// Where the account stopped reading, shared by its apps. Both timelines are always in the answer, a
// never-saved one as a default Marker (last_read_id "0", version 0): Elk reads
// `notifications.last_read_id` without a guard. Saving the notifications marker also marks those
// notifications read on the website.

const markerSchema = obj({ last_read_id: str, version: int, updated_at: str });
const markersSchema = obj({ home: markerSchema, notifications: markerSchema });
const NEVER = new Date(0).toISOString();

function toMarkers(saved: readonly Marker[]) {
  const entry = (timeline: MarkerTimeline) => {
    const m = saved.find((s) => s.timeline === timeline);
    return m ? { last_read_id: m.lastReadId, version: m.version, updated_at: m.updatedAt.toISOString() } : { last_read_id: '0', version: 0, updated_at: NEVER };
  };
  return { home: entry('home'), notifications: entry('notifications') };
}

/** `home[last_read_id]` and `notifications[last_read_id]` of a body (form brackets or JSON objects). */
function positions(body: unknown): Partial<Record<MarkerTimeline, string>> {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const out: Partial<Record<MarkerTimeline, string>> = {};
  for (const timeline of MARKER_TIMELINES) {
    const value = b[timeline];
    if (value === undefined || value === null || value === '') continue;
    const id = typeof value === 'object' ? (value as Record<string, unknown>).last_read_id : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') throw new Invalid(`${timeline}[last_read_id] must be an id.`, `${timeline}[last_read_id]`);
    out[timeline] = String(id);
  }
  return out;
}

/** GET and POST /api/v1/markers. */
export function registerMarkerRoutes(scope: FastifyInstance, core: Core): void {
  const read = describe('Markers', 'Where the user stopped reading the home timeline and the notifications', {
    query: { 'timeline[]': list('home and/or notifications (both are always answered).') },
  });
  scope.get('/v1/markers', { schema: { ...read, response: { 200: markersSchema } }, preHandler: requireScope('read:statuses', { user: true }) }, async (request) => {
    // `timeline[]` is read (and bounded) but both keys are answered whatever it says (see above).
    listParam((request.query as Record<string, unknown>).timeline, 'timeline', 10);
    return toMarkers(await core.markers.getMarkers(request.token!.account!.id));
  });

  const save = describe('Markers', 'Save where the user stopped reading', {
    description: 'Send one or both. Saving the notifications marker also marks those notifications read on the website.',
    body: {
      home: nested('`home[last_read_id]` in a form.', { last_read_id: id('The last status read in the home timeline.') }),
      notifications: nested('`notifications[last_read_id]` in a form.', { last_read_id: id('The last notification read.') }),
    },
  });
  scope.post('/v1/markers', { schema: { ...save, response: { 200: markersSchema } }, preHandler: requireScope('write:statuses', { user: true }) }, async (request) => {
    const accountId = request.token!.account!.id;
    const wanted = positions(request.body);
    if (Object.keys(wanted).length === 0) throw new Invalid('Send home[last_read_id] or notifications[last_read_id].', 'home');
    await core.markers.saveMarkers(accountId, wanted);
    return toMarkers(await core.markers.getMarkers(accountId));
  });
}
