import type { FastifyRequest } from 'fastify';
import { Invalid, type Visibility } from '../../../core/index.ts';
import { listParam, parseBoolean } from '../params.ts';

// The parameters of POST /api/v1/statuses as clients send them (JSON, form or multipart, merged with the
// query): each checked for its type here, so a number where text belongs or an object where a list
// belongs is a 422 naming the parameter, never a 500. The core checks the values (length, visibility).

/** A request's body as a parameter object; anything else (a JSON array, a string) is refused. */
export function bodyParams(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new Invalid('The body must be an object of parameters.', 'body');
  return body as Record<string, unknown>;
}

/** An optional text parameter: absent, null or '' is undefined; numbers are taken as their text. */
export function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new Invalid(`${name} must be text.`, name);
}

/** An optional id parameter: text, or a JSON number only while it is exact (snowflakes pass 2^53: send them as strings). */
function optionalIdText(value: unknown, name: string): string | undefined {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Invalid(`${name} must be an id sent as a string (this number lost digits).`, name);
  return optionalText(value, name);
}

export interface StatusParams {
  text: string;
  visibility: Visibility | undefined;
  inReplyToId: string | undefined;
  spoilerText: string | undefined;
  sensitive: boolean | undefined;
  language: string | undefined;
  /** Uploads to attach, in order (the core checks them: ≤ 4, the author's, ready, unattached). */
  mediaIds: string[];
}

/** Reads and type-checks the create parameters; refuses what Pipit does not have (polls, scheduling). */
export function readStatusParams(params: Record<string, unknown>): StatusParams {
  // An empty `media_ids[]=` (forms send one) is no media. A longer list than a post takes is left to the core's message.
  const mediaIds = listParam(params.media_ids, 'media_ids', 20).filter((id) => id !== '');
  if (params.poll !== undefined && params.poll !== null && params.poll !== '') throw new Invalid('polls are not supported: post without poll.', 'poll');
  if (optionalText(params.scheduled_at, 'scheduled_at') !== undefined) throw new Invalid('scheduling is not supported: post without scheduled_at.', 'scheduled_at');
  const visibility = optionalText(params.visibility, 'visibility');
  return {
    text: optionalText(params.status, 'status') ?? '',
    visibility: visibility as Visibility | undefined,
    inReplyToId: optionalIdText(params.in_reply_to_id, 'in_reply_to_id'),
    spoilerText: optionalText(params.spoiler_text, 'spoiler_text'),
    sensitive: parseBoolean(params.sensitive, 'sensitive'),
    language: optionalText(params.language, 'language'),
    mediaIds,
  };
}

export interface EditParams {
  text: string;
  visibility: Visibility | undefined;
  /** '' is kept apart from absent here: it takes a content warning away. */
  spoilerText: string | undefined;
  sensitive: boolean | undefined;
  language: string | undefined;
  /** Absent: the attachments stay; a list (empty too) is what the post has after the edit. */
  mediaIds: string[] | undefined;
  mediaAttributes: { id: string; description: string | undefined; focus: string | undefined }[];
}

/** At most this many `media_attributes` (a post has 4 attachments; repeats are the core's to refuse). */
const MAX_MEDIA_ATTRIBUTES = 20;

/**
 * `media_attributes[]` as clients send it: a JSON array of objects, an indexed form
 * (`media_attributes[0][id]=…`), or Rails' `media_attributes[][id]=…&media_attributes[][description]=…`,
 * which the query parser reads as one object of lists, taken here entry by entry.
 */
function readMediaAttributes(value: unknown): EditParams['mediaAttributes'] {
  if (value === undefined || value === null || value === '') return [];
  const entries = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : [value];
  const flat: unknown[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Invalid('media_attributes must be a list of objects with id, description and focus.', 'media_attributes');
    const fields = entry as Record<string, unknown>;
    if (!Array.isArray(fields.id)) {
      flat.push(fields);
      continue;
    }
    const ids = fields.id as unknown[];
    const column = (name: string): unknown[] => {
      const v = fields[name];
      if (v === undefined) return [];
      if (!Array.isArray(v) || v.length !== ids.length) throw new Invalid(`media_attributes: give every attachment its ${name}, or send media_attributes as JSON.`, 'media_attributes');
      return v;
    };
    const descriptions = column('description');
    const focuses = column('focus');
    ids.forEach((id, i) => flat.push({ id, description: descriptions[i], focus: focuses[i] }));
  }
  if (flat.length > MAX_MEDIA_ATTRIBUTES) throw new Invalid(`media_attributes may list at most ${MAX_MEDIA_ATTRIBUTES} attachments.`, 'media_attributes');
  return flat.map((entry) => {
    const fields = entry as Record<string, unknown>;
    const id = optionalIdText(fields.id, 'media_attributes[][id]');
    if (id === undefined) throw new Invalid('media_attributes: each needs the id of an attachment.', 'media_attributes');
    return { id, description: optionalText(fields.description, 'media_attributes[][description]'), focus: optionalText(fields.focus, 'media_attributes[][focus]') };
  });
}

/**
 * Reads the parameters of PUT /api/v1/statuses/:id: those of a new post (in_reply_to_id and scheduling
 * are not Mastodon's to edit and are ignored), `media_ids[]` (absent: the attachments stay) and
 * `media_attributes[]` (description and focus of the post's attachments).
 */
export function readEditParams(params: Record<string, unknown>): EditParams {
  const create = readStatusParams({ ...params, in_reply_to_id: undefined, scheduled_at: undefined });
  const mediaGiven = params.media_ids !== undefined && params.media_ids !== null;
  const spoiler = params.spoiler_text;
  return {
    text: create.text,
    visibility: create.visibility,
    // Empty or JSON null takes the warning away (Mastodon); absent leaves it.
    spoilerText: spoiler === '' || spoiler === null ? '' : create.spoilerText,
    sensitive: create.sensitive,
    language: create.language,
    // `media_ids[]=` alone (a form's empty list) or JSON [] removes them all.
    mediaIds: mediaGiven ? create.mediaIds : undefined,
    mediaAttributes: readMediaAttributes(params.media_attributes),
  };
}
