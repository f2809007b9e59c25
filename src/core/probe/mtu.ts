/**
 * Path MTU from a don't-fragment ping sweep, and PMTU black-hole detection.
 */

import { ICMP_OVERHEAD } from './plan';
import type { PingResult } from './parse-ping';

/**
 * `ok`: the largest size tested passed; `reduced`: larger sizes are refused with a too-big signal,
 * so path MTU discovery works; `black-hole`: larger sizes vanish with no signal while smaller ones
 * pass; `unreachable`: no size got a reply, so the MTU cannot be measured; `unknown`: no results,
 * or larger sizes failed for some other reason.
 */
export type MtuOutcome = 'ok' | 'reduced' | 'black-hole' | 'unreachable' | 'unknown';

export interface MtuAnalysis {
  readonly outcome: MtuOutcome;
  /** Largest passing payload + header overhead. */
  readonly pathMtu?: number;
  /** True when the largest size tested passed, so the real path MTU may be higher. */
  readonly atLeast: boolean;
  /** An MTU named by a too-big message (local interface or a router on the path). */
  readonly reportedMtu?: number;
  /** Payloads that got neither a reply nor a too-big signal while a smaller one passed. */
  readonly vanished: readonly number[];
  readonly message: string;
}

/**
 * Works out the path MTU from one ping result per payload size.
 * @param results one entry per size tried, any order
 * @param family the address family pinged, for the header overhead (28 bytes for IPv4, 48 for IPv6)
 */
export function analyzeMtu(results: ReadonlyArray<{ readonly payload: number; readonly result: PingResult }>, family: 'ipv4' | 'ipv6' = 'ipv4'): MtuAnalysis {
  const overhead = ICMP_OVERHEAD[family];
  const sorted = [...results].sort((a, b) => b.payload - a.payload);
  const reportedMtu = sorted.map((r) => r.result.reportedMtu).find((m) => m !== undefined);
  const reported = reportedMtu !== undefined ? { reportedMtu } : {};
  if (sorted.length === 0) return { outcome: 'unknown', atLeast: false, vanished: [], message: 'No ping results to analyse.' };
  const passing = sorted.find((r) => r.result.outcome === 'reply');
  if (passing === undefined) {
    return {
      outcome: 'unreachable',
      atLeast: false,
      vanished: [],
      ...reported,
      message: 'No packet size got a reply: the host is down or drops ICMP, so the path MTU cannot be measured this way.',
    };
  }
  const pathMtu = passing.payload + overhead;
  const larger = sorted.filter((r) => r.payload > passing.payload);
  const vanished = larger.filter((r) => r.result.outcome === 'no-reply').map((r) => r.payload);
  if (larger.length === 0) {
    return { outcome: 'ok', pathMtu, atLeast: true, vanished, ...reported, message: `Packets of ${pathMtu} bytes pass with don't-fragment set: the path MTU is at least ${pathMtu}.` };
  }
  if (vanished.length > 0) {
    const biggest = Math.max(...vanished) + overhead;
    return {
      outcome: 'black-hole',
      pathMtu,
      atLeast: false,
      vanished,
      ...reported,
      message:
        `PMTU black hole: packets up to ${pathMtu} bytes pass, but larger ones (up to ${biggest} bytes) vanish without a "Frag needed" or "message too long" reply. ` +
        'Small requests will work while large transfers hang. Lower the pod or CNI MTU to the path MTU, clamp TCP MSS, or let ICMP "fragmentation needed" through. ' +
        'A single lost packet looks the same: re-run to confirm.',
    };
  }
  if (larger.some((r) => r.result.outcome !== 'too-big')) {
    const other = larger.filter((r) => r.result.outcome !== 'too-big').map((r) => `${r.payload} bytes: ${r.result.outcome}`);
    return {
      outcome: 'unknown',
      pathMtu,
      atLeast: false,
      vanished,
      ...reported,
      message: `Packets up to ${pathMtu} bytes pass, but larger sizes failed for other reasons (${other.join('; ')}).`,
    };
  }
  return {
    outcome: 'reduced',
    pathMtu,
    atLeast: false,
    vanished,
    ...reported,
    message: `The path MTU is ${pathMtu} bytes${reportedMtu !== undefined ? ` (reported MTU ${reportedMtu})` : ''}; larger packets are refused with a too-big signal, so path MTU discovery works.`,
  };
}
