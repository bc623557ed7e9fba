// PostgreSQL text cannot hold NUL, and other control characters only ever arrive by accident or
// malice; removing them keeps such input from turning into a database error.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Normalises user text: CRLF to LF, no control characters other than tab and newline. */
export function cleanText(input: string): string {
  return input.replace(/\r\n?/g, '\n').replace(CONTROL, '');
}
