import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fromClient } from '../shared/client-body.ts';

// A page form with files (the compose form) arrives as multipart/form-data. Its text fields before the
// first file (the CSRF token comes first in the form) are read in preValidation into `request.body`, so
// the ordinary CSRF preHandler checks them before a byte of any file is read or stored; the handler then
// streams the files (and any fields after them) with `remainingParts`. Files are never buffered.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This page route takes multipart bodies with files (read by the handler through remainingParts). */
    formFiles?: boolean;
  }
  interface FastifyRequest {
    /** The parts of a multipart form after its leading fields: see remainingParts. */
    formRest?: { first: MultipartFile | undefined; iterator: AsyncIterator<Multipart> };
  }
}

/** Bounds of a page form with files: four pictures, a few short fields. */
export const FORM_FILE_LIMITS = { files: 4, fields: 30, fieldSize: 64 * 1024, fieldNameSize: 100, parts: 40, headerPairs: 100 };

/** Installs the leading-fields read for routes marked `formFiles` (others get no body from a multipart post). */
export function registerFormFiles(scope: FastifyInstance, maxFileBytes: number): void {
  scope.addHook('preValidation', async (request: FastifyRequest) => {
    if (!request.routeOptions.config?.formFiles || !request.isMultipart()) return;
    // One byte past the limit, so the core sees the file is too large and says so.
    const iterator = fromClient(request.parts({ limits: { ...FORM_FILE_LIMITS, fileSize: maxFileBytes + 1 } }), INTERRUPTED);
    const fields: Record<string, string | string[]> = {};
    let first: MultipartFile | undefined;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      if (next.value.type === 'file') {
        first = next.value;
        break;
      }
      addField(fields, next.value.fieldname, next.value.value);
    }
    request.body = fields;
    request.formRest = { first, iterator };
  });
}

const INTERRUPTED = 'The form was interrupted before all of it arrived: send it again.';

/** A file part's bytes, with a failure of the request body made a 400 (not a failure of what reads them). */
export function fileBytes(part: MultipartFile): AsyncGenerator<Buffer> {
  return fromClient<Buffer>(part.file, INTERRUPTED);
}

function addField(fields: Record<string, string | string[]>, name: string, value: unknown): void {
  const text = typeof value === 'string' ? value : String(value ?? '');
  const had = fields[name];
  fields[name] = had === undefined ? text : Array.isArray(had) ? [...had, text] : [had, text];
}

/**
 * The rest of a multipart form: each file part in order (the caller must read or drain its stream before
 * asking for the next), and fields after the first file added to `request.body` as they come.
 */
export async function* remainingParts(request: FastifyRequest): AsyncGenerator<MultipartFile> {
  const rest = request.formRest;
  if (!rest) return;
  const fields = request.body as Record<string, string | string[]>;
  if (rest.first) yield rest.first;
  for (;;) {
    const next = await rest.iterator.next();
    if (next.done) return;
    if (next.value.type === 'file') yield next.value;
    else addField(fields, next.value.fieldname, next.value.value);
  }
}
