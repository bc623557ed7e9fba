import { isIP } from 'node:net';

// Apart from rate-limits.ts, whose functions buildCore binds to the database: this one needs none.

/**
 * The rate-limit subject of a client address: an IPv4 address as it is, an IPv6 address by its /64
 * (one household or server usually holds a whole /64, so counting single addresses would count nothing).
 */
export function clientSubject(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return mapped;
  if (isIP(ip) !== 6) return ip;
  // Expand "::" to the missing groups, then keep the first four.
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
