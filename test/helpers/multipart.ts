// A multipart/form-data body as browsers and client libraries send it: built by the platform's own
// FormData (through a Request, which serializes it), so the boundary and headers are real ones.

export interface FilePart {
  data: Buffer;
  /** The file name the client sends (Pipit ignores it: only the content counts). */
  name: string;
  /** The declared type (also ignored by Pipit, and sometimes wrong, as masto.js's is). */
  type: string;
}

/** `fields`, then `files` (by field name), as one multipart body with its content type. */
export async function multipartBody(fields: Record<string, string>, files: Record<string, FilePart> = {}): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [name, file] of Object.entries(files)) form.append(name, new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}
