import { DomainError } from '../../core/index.ts';
import { BadRequest } from './error-table.ts';

// A multipart body is read as it arrives, so the client's connection can fail in the middle of it (a
// dropped connection, a cut-off request). That is the client's failure, a 400 saying to send it again,
// not ours: these helpers tell it apart from a failure of what reads the body (a domain error, a limit).

/** `error` as the client's 400 with `message`, unless it already is a domain error or carries a status. */
export function interruptedBody(error: unknown, message: string): Error {
  if (error instanceof DomainError || (error as { statusCode?: number }).statusCode) return error as Error;
  return Object.assign(new BadRequest(message), { cause: error });
}

/** `source` as it is, with a failure of the request body itself made `interruptedBody(…, message)`. */
export async function* fromClient<T>(source: AsyncIterable<T>, message: string): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw interruptedBody(error, message);
    }
    if (next.done) return;
    yield next.value;
  }
}
