import { isIP } from 'node:net';

// TRUST_PROXY says which X-Forwarded-For hops to believe. `true` (believe every hop) is refused:
// the leftmost entries are whatever the client wrote, so a client could pick its own address and
// walk past every per-IP rate limit even behind a correctly configured proxy. The two safe forms are
// the ones Fastify's `trustProxy` (proxy-addr) takes: a hop count, or the proxies' addresses.

/** `false`: ignore X-Forwarded-*; a number: trust that many hops; a list: trust hops from these addresses/CIDRs. */
export type TrustProxy = false | number | readonly string[];

// proxy-addr's names for common private ranges.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_HOPS = 10;

export const TRUST_PROXY_TRUE_MESSAGE =
  'true would trust every X-Forwarded-For hop, so any client could choose its own address; give the number of proxies in front of Pipit (e.g. 1) or their addresses (e.g. 127.0.0.1 or 10.0.0.0/8,loopback)';

function validEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** Parses TRUST_PROXY; returns the value or a message saying what to write instead. */
export function parseTrustProxy(raw: string): { value: TrustProxy } | { error: string } {
  const text = raw.trim().toLowerCase();
  if (text === 'false' || text === '0') return { value: false };
  if (text === 'true') return { error: TRUST_PROXY_TRUE_MESSAGE };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops <= MAX_HOPS ? { value: hops } : { error: `must be at most ${MAX_HOPS} hops` };
  }
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const bad = entries.find((e) => !validEntry(e));
  if (entries.length === 0 || bad !== undefined) {
    return { error: `must be false, a number of proxy hops (e.g. 1), or proxy addresses/CIDRs separated by commas (e.g. 127.0.0.1,10.0.0.0/8)${bad ? `; "${bad}" is none of these` : ''}` };
  }
  return { value: Object.freeze(entries) };
}
