/**
 * Parses `ss -tan`, `ss -tanp` and `ss -tn state <state>` (where ss leaves out the State column),
 * and `/proc/sys/net/ipv4/ip_local_port_range`; diagnoses socket-state build-ups and ephemeral
 * port pressure with the thresholds of the network debugging guide.
 */

import { splitLines, unrecognised, type ProbeDiagnosis, type ToolOutput } from './tool-output';

export interface SocketAddress {
  /** The address without brackets or `%interface`; `*` for a wildcard. */
  readonly address: string;
  /** The port, or undefined for `*`. */
  readonly port?: number;
}

export interface SsSocket {
  /** ss's state label (ESTAB, TIME-WAIT, …), or UNKNOWN when the column is missing and no filter state was given. */
  readonly state: string;
  readonly recvQ: number;
  readonly sendQ: number;
  readonly local: SocketAddress;
  readonly peer: SocketAddress;
  /** The Process column of `-p`, e.g. `users:(("nc",pid=31834,fd=3))`. */
  readonly process?: string;
}

export type SsResult =
  | { readonly outcome: 'ok'; readonly sockets: readonly SsSocket[]; readonly counts: Readonly<Record<string, number>> }
  | { readonly outcome: 'unknown'; readonly reason: string };

export interface PortRange {
  readonly low: number;
  readonly high: number;
  /** Ports in the range, both ends included. */
  readonly size: number;
}

export type PortRangeResult = ({ readonly outcome: 'ok' } & PortRange) | { readonly outcome: 'unknown'; readonly reason: string };

/** Counts above which a state is a problem, with what it usually means (network debugging guide). */
export const SOCKET_STATE_THRESHOLDS: ReadonlyArray<{ readonly state: string; readonly above: number; readonly meaning: string }> = [
  { state: 'CLOSE-WAIT', above: 100, meaning: 'the application is not closing connections; check for leaked HTTP clients or unclosed sockets.' },
  { state: 'TIME-WAIT', above: 10_000, meaning: 'many short-lived connections; use connection pooling or keep-alive (or enable tcp_tw_reuse).' },
  { state: 'SYN-RECV', above: 500, meaning: 'a possible SYN flood or slow handshakes; check SYN cookies (net.ipv4.tcp_syncookies).' },
  { state: 'SYN-SENT', above: 200, meaning: 'connections are not completing: the target is unreachable, firewalled or overloaded.' },
  { state: 'FIN-WAIT-2', above: 500, meaning: "the remote side is not closing cleanly; check the remote application's shutdown." },
];

/** Share of the ephemeral range, per destination, from which port exhaustion is reported. */
export const EPHEMERAL_WARNING_RATIO = 0.8;

const STATES = new Set(['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING']);
/** `ss state <filter>` names whose label differs from the filter name. */
const FILTER_LABELS: Readonly<Record<string, string>> = { ESTABLISHED: 'ESTAB', LISTENING: 'LISTEN', CLOSED: 'UNCONN' };

function addressOf(text: string): SocketAddress | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const portText = text.slice(colon + 1);
  let address = text.slice(0, colon);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  address = address.replace(/%.*$/, '');
  if (portText === '*') return { address };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  return { address, port: Number(portText) };
}

/**
 * Reads ss's TCP socket table and counts sockets by state.
 * @param out what the exec returned
 * @param opts `state`: the state a `ss … state <state>` filter selected (`established`, `time-wait`, …),
 *   needed because ss then omits the State column
 */
export function parseSs(out: ToolOutput, opts: { readonly state?: string } = {}): SsResult {
  if (out.exitCode !== null && out.exitCode !== 0) return { outcome: 'unknown', reason: unrecognised('ss', out) };
  const filterState = opts.state?.toUpperCase();
  const implied = filterState === undefined ? 'UNKNOWN' : (FILTER_LABELS[filterState] ?? filterState);
  const lines = splitLines(out.stdout).filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const hasHeader = header[0] === 'State' || header[0] === 'Netid' || header[0] === 'Recv-Q';
  const sockets: SsSocket[] = [];
  for (const line of hasHeader ? lines.slice(1) : lines) {
    const t = line.trim().split(/\s+/);
    if (header[0] === 'Netid') t.shift();
    // With no header (ss -H) a leading state label is the only sign of the State column.
    const state = STATES.has(t[0] ?? '') ? (t.shift() ?? implied) : implied;
    const [recvQ, sendQ, localText, peerText, ...rest] = t;
    if (recvQ === undefined || sendQ === undefined || !/^\d+$/.test(recvQ) || !/^\d+$/.test(sendQ)) continue;
    const local = addressOf(localText ?? '');
    const peer = addressOf(peerText ?? '');
    if (!local || !peer) continue;
    sockets.push({ state, recvQ: Number(recvQ), sendQ: Number(sendQ), local, peer, ...(rest.length > 0 ? { process: rest.join(' ') } : {}) });
  }
  // Lines that were all unreadable, or silence without an exit status, tell us nothing.
  if (sockets.length === 0 && (lines.length > (hasHeader ? 1 : 0) || (lines.length === 0 && out.exitCode !== 0))) {
    return { outcome: 'unknown', reason: unrecognised('ss', out) };
  }
  const counts: Record<string, number> = {};
  for (const s of sockets) counts[s.state] = (counts[s.state] ?? 0) + 1;
  return { outcome: 'ok', sockets, counts };
}

/**
 * Reads `cat /proc/sys/net/ipv4/ip_local_port_range` (`32768\t60999`).
 * @param out what the exec returned
 */
export function parsePortRange(out: ToolOutput): PortRangeResult {
  const m = out.exitCode === 0 || out.exitCode === null ? /^\s*(\d{1,5})\s+(\d{1,5})\s*$/.exec(out.stdout) : null;
  const low = Number(m?.[1]);
  const high = Number(m?.[2]);
  if (!m || low < 1 || high > 65535 || low > high) return { outcome: 'unknown', reason: unrecognised('cat ip_local_port_range', out) };
  return { outcome: 'ok', low, high, size: high - low + 1 };
}

/**
 * Diagnoses a socket table: states over {@link SOCKET_STATE_THRESHOLDS}, and ephemeral port
 * pressure, i.e. outgoing connections from one local address to one destination ip:port that use
 * {@link EPHEMERAL_WARNING_RATIO} or more of the ephemeral range (each such connection holds one
 * local port, TIME-WAIT ones included for 60 s). Accepted connections (local port = a listening
 * port) are not outgoing and are left out.
 * @param sockets the parsed table
 * @param range the ephemeral port range, when it was read
 */
export function diagnoseSockets(sockets: readonly SsSocket[], range?: PortRange): ProbeDiagnosis[] {
  const counts = new Map<string, number>();
  for (const s of sockets) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const out: ProbeDiagnosis[] = SOCKET_STATE_THRESHOLDS.flatMap(({ state, above, meaning }) => {
    const n = counts.get(state) ?? 0;
    return n > above
      ? [{ code: `ss-${state.toLowerCase()}`, severity: 'warning' as const, message: `${n} sockets in ${state} (over ${above}): ${meaning}` }]
      : [];
  });
  if (range === undefined) return out;
  const listening = new Set(sockets.filter((s) => s.state === 'LISTEN').map((s) => s.local.port));
  const perDestination = new Map<string, number>();
  for (const s of sockets) {
    const port = s.local.port;
    if (s.state === 'LISTEN' || port === undefined || port < range.low || port > range.high || listening.has(port) || s.peer.port === undefined) continue;
    const key = `${s.local.address} → ${s.peer.address}:${s.peer.port}`;
    perDestination.set(key, (perDestination.get(key) ?? 0) + 1);
  }
  for (const [key, n] of perDestination) {
    if (n < range.size * EPHEMERAL_WARNING_RATIO) continue;
    const pct = Math.round((n / range.size) * 100);
    out.push({
      code: 'ephemeral-ports',
      severity: n >= range.size ? 'error' : 'warning',
      message:
        `${n} connections ${key} use ${pct}% of the ${range.size} ephemeral ports (${range.low}-${range.high}): new connections to that destination ` +
        `will fail with "Cannot assign requested address". Pool connections or use keep-alive; TIME-WAIT holds each port for 60 s.`,
    });
  }
  return out;
}
