/**
 * IP addresses and CIDRs, IPv4 and IPv6, as the Kubernetes API reads them.
 *
 * Addresses are held as bigints (32 or 128 bits) so containment and sizes are exact.
 * Parsing never throws: it returns a result with a message a person can act on.
 */
import type { Cidr } from './model';

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const V4_BITS = 32;
const V6_BITS = 128;

function bitsOf(family: 4 | 6): number {
  return family === 4 ? V4_BITS : V6_BITS;
}

function parseV4Parts(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are read as decimal, as the API server's legacy parser does.
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  if (text.length === 0 || text.length > 45 || text.includes('%')) return undefined;
  let head = text;
  let v4Tail: bigint | undefined;
  // An embedded IPv4 tail (`::ffff:1.2.3.4`, `2001:db8::1.2.3.4`) takes the last 32 bits.
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    v4Tail = parseV4Parts(text.slice(lastColon + 1));
    if (v4Tail === undefined) return undefined;
    head = text.slice(0, lastColon + 1);
    // `::1.2.3.4` leaves `::`; `x::1.2.3.4` leaves `x::`; `x:1.2.3.4` leaves `x:`
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const groupsNeeded = v4Tail === undefined ? 8 : 6;
  const doubleColon = head.indexOf('::');
  if (doubleColon !== head.lastIndexOf('::') || head.includes(':::')) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (doubleColon >= 0) {
    const left = parseGroups(head.slice(0, doubleColon));
    const right = parseGroups(head.slice(doubleColon + 2));
    if (!left || !right) return undefined;
    const missing = groupsNeeded - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    const all = parseGroups(head);
    if (!all || all.length !== groupsNeeded) return undefined;
    groups = all;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  if (v4Tail !== undefined) value = (value << 32n) | v4Tail;
  return value;
}

/** Parses an IPv4 or IPv6 address (no zone, no brackets). */
export function parseIp(text: string): IpAddress | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  if (t.includes(':')) {
    const v = parseV6(t);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseV4Parts(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = bitsOf(family);
  return ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

/** Input text as a message shows it: quoted, escaped to one line, cut short (it may be hostile). */
function shown(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

/** Parses a CIDR as the API server does: host bits are masked, and reported via `hostBitsSet`. */
export function parseCidr(text: unknown): ParseResult<Cidr> {
  if (typeof text !== 'string') return { ok: false, error: `a CIDR must be a string such as "10.0.0.0/16", not ${describeType(text)}` };
  // The API server parses the text as it is (netutils.ParseCIDRSloppy): " 10.0.0.0/8" is rejected.
  if (text.trim() !== text) return { ok: false, error: `${shown(text)} has spaces around it, which the API server rejects: remove them` };
  const t = text;
  const slash = t.indexOf('/');
  if (slash < 0) return { ok: false, error: `${shown(t)} has no prefix length: write ${shown(`${t}/32`)} for one IPv4 address or ${shown(`${t}/128`)} for one IPv6 address` };
  const address = t.slice(0, slash);
  const ip = address.trim() === address ? parseIp(address) : undefined;
  if (!ip) return { ok: false, error: `${shown(t)} is not a valid CIDR: ${shown(address)} is not an IPv4 or IPv6 address` };
  const prefixText = t.slice(slash + 1);
  const bits = bitsOf(ip.family);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, error: `${shown(t)} is not a valid CIDR: the prefix length must be 0 to ${bits} for IPv${ip.family}` };
  }
  const prefix = Number(prefixText);
  const network = ip.value & mask(ip.family, prefix);
  return { ok: true, value: { family: ip.family, network, prefix, text: t, hostBitsSet: network !== ip.value } };
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** True when the address lies inside the CIDR (families must match). */
export function cidrContainsIp(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && (ip.value & mask(cidr.family, cidr.prefix)) === cidr.network;
}

/** True when `inner` is entirely inside `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix && (inner.network & mask(outer.family, outer.prefix)) === outer.network;
}

/** True when the two ranges share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

/** Number of addresses in the range. */
export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(bitsOf(cidr.family) - cidr.prefix);
}

/** ipBlock semantics: inside `cidr` and outside every `except`. */
export function ipInBlock(ip: IpAddress, cidr: Cidr, except: readonly Cidr[]): boolean {
  return cidrContainsIp(cidr, ip) && !except.some((e) => cidrContainsIp(e, ip));
}

/** Canonical text of an address: dotted quad, or RFC 5952 IPv6. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    const v = Number(ip.value);
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // Longest run of two or more zero groups becomes `::` (RFC 5952 section 4.2).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical, masked text of a CIDR (what the API server effectively uses). */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.network })}/${cidr.prefix}`;
}

/** First and last address of the range. */
export function cidrBounds(cidr: Cidr): { first: IpAddress; last: IpAddress } {
  const size = cidrSize(cidr);
  return { first: { family: cidr.family, value: cidr.network }, last: { family: cidr.family, value: cidr.network + size - 1n } };
}

/** Formats a count of addresses for people: 256, 65,536, 2^64. */
export function formatAddressCount(n: bigint): string {
  if (n <= 1_000_000_000_000n) return Number(n).toLocaleString('en-US');
  let bits = 0;
  while (1n << BigInt(bits) < n) bits++;
  return `2^${bits}`;
}

/** A CIDR for exactly one address (`/32` or `/128`). */
export function hostCidr(ip: IpAddress): Cidr {
  const prefix = bitsOf(ip.family);
  return { family: ip.family, network: ip.value, prefix, text: `${formatIp(ip)}/${prefix}`, hostBitsSet: false };
}
