/** The network a client address counts as, for every per-address limit. */
import { isIPv6 } from 'node:net';

/**
 * The network a per-address limit counts: an IPv4 address alone, an IPv6 address by its
 * prefix (a /64 by default; RATE_LIMIT_IPV6_PREFIX, see clientNetwork in
 * src/http/ui/ui-support.ts for the configured one), since one subscriber is routinely
 * given a whole /64 and would otherwise be as many clients as it has addresses. An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d, in either notation) counts as its IPv4 address;
 * a zone id is ignored. Anything that is not an IP address is returned unchanged.
 *
 * The result is `a:b:c:d:0:0:0:0/64` (lower-case hex, no `::`), so every spelling of one
 * network gives one string.
 */
export function addressBucket(ip: string, ipv6PrefixBits = 64): string {
  if (!isIPv6(ip)) return ip;
  const groups = expandIPv6(ip);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  const bits = Math.max(0, Math.min(128, Math.trunc(ipv6PrefixBits)));
  const kept: string[] = [];
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    const mask = keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
    kept.push(((groups[i] as number) & mask).toString(16));
  }
  return `${kept.join(':')}/${bits}`;
}

/** The eight 16-bit groups of a valid IPv6 address (a zone id dropped, a trailing dotted quad read). */
function expandIPv6(ip: string): number[] {
  let text = ip.replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}
