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
}

/**
 * Reads the parameters of PUT /api/v1/statuses/:id: those of a new post (in_reply_to_id and scheduling
 * are not Mastodon's to edit and are ignored) plus `media_attributes[]`, refused like media while Pipit has none.
 */
export function readEditParams(params: Record<string, unknown>): EditParams {
  const create = readStatusParams({ ...params, in_reply_to_id: undefined, scheduled_at: undefined, media_ids: undefined });
  // Changing a post's attachments by an edit comes with a later slice of media (issue 9).
  if (listParam(params.media_ids, 'media_ids', 20).some((id) => id !== '')) throw new Invalid('Changing the media of a post is not supported yet: edit without media_ids.', 'media_ids');
  const attributes = params.media_attributes;
  if (attributes !== undefined && attributes !== null && attributes !== '' && !(Array.isArray(attributes) && attributes.length === 0)) {
    throw new Invalid('Changing the media of a post is not supported yet: edit without media_attributes.', 'media_attributes');
  }
  const spoiler = params.spoiler_text;
  return {
    text: create.text,
    visibility: create.visibility,
    // Empty or JSON null takes the warning away (Mastodon); absent leaves it.
    spoilerText: spoiler === '' || spoiler === null ? '' : create.spoilerText,
    sensitive: create.sensitive,
    language: create.language,
  };
}
