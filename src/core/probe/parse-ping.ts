/**
 * Parses iputils ping (and busybox ping) output: packet counts, loss, round-trip times, and the
 * signals an MTU probe looks for: `local error: message too long, mtu=1450`,
 * `sendmsg: Message too long`, `Frag needed and DF set (mtu = 1400)`, `Packet too big: mtu=1400`.
 */

import { splitLines, unrecognised, type ToolOutput } from './tool-output';

/**
 * `reply`: at least one echo reply; `too-big`: the packet exceeded an MTU and the sender was told;
 * `no-reply`: sent, nothing came back, no error either; `unreachable`: an ICMP unreachable or no route.
 */
export type PingOutcome = 'reply' | 'no-reply' | 'too-big' | 'unreachable' | 'dns-failure' | 'unknown';

export interface PingResult {
  readonly outcome: PingOutcome;
  readonly transmitted?: number;
  readonly received?: number;
  /** The `+N errors` of the statistics line (ICMP errors and local send errors). */
  readonly errors?: number;
  readonly lossPercent?: number;
  readonly rttMs?: { readonly min: number; readonly avg: number; readonly max: number };
  /** The MTU named by a too-big signal. */
  readonly reportedMtu?: number;
  /** The line the outcome was read from. */
  readonly evidence: string;
  readonly message: string;
}

const TOO_BIG = /message too long|frag(?:mentation)? needed|packet too big/i;
const UNREACHABLE = /unreachable|packet filtered|prohibited/i;
const DNS = /^ping: \S+: (?:Name does not resolve|Try again|Name or service not known|Temporary failure in name resolution|No address associated with hostname)|^ping: bad address/i;
// Decimal numbers only: `[\d.]+` would also take `.` or `1.2.3`, which Number() reads as NaN.
const RTT = /(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = (\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)/;

function count(text: string, re: RegExp): number | undefined {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Classifies a ping run. A reply wins over everything; then a too-big signal, an unreachable
 * signal, a name that did not resolve; then plain silence.
 * @param out what the exec returned
 */
export function parsePing(out: ToolOutput): PingResult {
  const lines = [...splitLines(out.stdout), ...splitLines(out.stderr)].map((l) => l.trim());
  const stats = lines.find((l) => /packets transmitted/.test(l)) ?? '';
  const transmitted = count(stats, /(\d+) packets transmitted/);
  const received = count(stats, /(\d+) (?:packets )?received/);
  const errors = count(stats, /\+(\d+) errors/);
  const lossPercent = count(stats, /(\d+(?:\.\d+)?)% packet loss/);
  const rtt = lines.map((l) => RTT.exec(l)).find((m) => m !== null);
  const rttMs = rtt ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } : undefined;
  const base = {
    ...(transmitted !== undefined ? { transmitted } : {}),
    ...(received !== undefined ? { received } : {}),
    ...(errors !== undefined ? { errors } : {}),
    ...(lossPercent !== undefined ? { lossPercent } : {}),
    ...(rttMs !== undefined ? { rttMs } : {}),
  };
  if (received !== undefined && received > 0) {
    return { ...base, outcome: 'reply', evidence: stats, message: `${received} of ${transmitted ?? '?'} echo replies received${rttMs ? `, average ${rttMs.avg} ms` : ''}.` };
  }
  const tooBig = lines.find((l) => TOO_BIG.test(l));
  if (tooBig !== undefined) {
    const mtu = count(tooBig, /mtu\s*=\s*(\d+)/i);
    return {
      ...base,
      ...(mtu !== undefined ? { reportedMtu: mtu } : {}),
      outcome: 'too-big',
      evidence: tooBig,
      message: `The packet is larger than the path allows${mtu !== undefined ? ` (MTU ${mtu})` : ''}, and the sender was told so.`,
    };
  }
  const unreachable = lines.find((l) => UNREACHABLE.test(l));
  if (unreachable !== undefined) return { ...base, outcome: 'unreachable', evidence: unreachable, message: `The destination is unreachable: ${unreachable}` };
  const dns = lines.find((l) => DNS.test(l));
  if (dns !== undefined) return { ...base, outcome: 'dns-failure', evidence: dns, message: `The host name did not resolve: ${dns}` };
  if (transmitted !== undefined && transmitted > 0) {
    return { ...base, outcome: 'no-reply', evidence: stats, message: `No reply to ${transmitted} echo request${transmitted === 1 ? '' : 's'}: ICMP is dropped on the way or the host is down.` };
  }
  return { ...base, outcome: 'unknown', evidence: '', message: unrecognised('ping', out) };
}
