/**
 * Parses `nc -zv` output from OpenBSD netcat and busybox nc (both report on stderr).
 *
 * Lines are matched on keywords (`succeeded!`, `open`, `refused`, `timed out`, `getaddrinfo`,
 * `bad address`), not whole strings: spacing differs between kernels, and errno texts differ
 * between glibc and musl (`Connection timed out` / `Operation timed out`, `No route to host` /
 * `Host is unreachable`, `Network is unreachable` / `Network unreachable`).
 */

import { validateHost } from './argv';
import { splitLines, unrecognised, type ToolOutput } from './tool-output';

export type NcOutcome = 'connected' | 'refused' | 'timeout' | 'dns-failure' | 'no-route' | 'unknown';

/** One address and port nc reported on. */
export interface NcAttempt {
  readonly outcome: NcOutcome;
  readonly host?: string;
  /** The address connected to, when nc printed it (or the host itself is an IP literal). */
  readonly ip?: string;
  readonly port?: number;
  /** The line this attempt was read from. */
  readonly evidence: string;
}

export interface NcResult {
  /** `connected` if any attempt connected (as nc's exit status does for a port range), else the last failure. */
  readonly outcome: NcOutcome;
  readonly host?: string;
  readonly ip?: string;
  readonly port?: number;
  /** The line the outcome was read from; empty when it was inferred from a silent exit status. */
  readonly evidence: string;
  /** Every report in order: several for a port range or a name with several addresses. */
  readonly attempts: readonly NcAttempt[];
  /** What the outcome means, for people. */
  readonly message: string;
}

const OPENBSD_OK = /\bConnection to\s+(\S+)(?:\s+\(([^()\s]*)\))?\s+(\d+)\s+port\b.*\bsucceeded!/;
const OPENBSD_FAIL = /\bconnect to\s+(\S+)(?:\s+\(([^()\s]*)\))?\s+port\s+(\d+)\s+\(\w+\)\s+(failed|timed out)\b:?\s*(.*)$/;
const GETADDRINFO = /\bgetaddrinfo\b(?:\s+for\s+host\s+"([^"]*)"\s+port\s+(\d+))?/;
const BUSYBOX_OK = /^(\S+)\s+\(([^()\s]*):(\d+)\)\s+open\b/;
const BUSYBOX_FAIL = /^nc:\s+(\S+)\s+\(([^()\s]*):(\d+)\):\s*(.*)$/;
const BUSYBOX_BAD_ADDRESS = /\bbad address\s+'([^']*)'/;

/** Classifies an errno text, glibc or musl. */
function failureKind(text: string): NcOutcome {
  if (/timed out/i.test(text)) return 'timeout';
  if (/refused/i.test(text)) return 'refused';
  if (/no route to host|unreachable/i.test(text)) return 'no-route';
  return 'unknown';
}

function stripBrackets(ip: string): string {
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}

function isIpLiteral(host: string): boolean {
  const checked = validateHost(host);
  return checked.ok && checked.value.kind !== 'dns';
}

function attempt(outcome: NcOutcome, evidence: string, host: string | undefined, ip: string | undefined, port: string | undefined): NcAttempt {
  const resolved = ip !== undefined && ip !== '' ? stripBrackets(ip) : host !== undefined && isIpLiteral(host) ? host : undefined;
  return {
    outcome,
    ...(host !== undefined ? { host } : {}),
    ...(resolved !== undefined ? { ip: resolved } : {}),
    ...(port !== undefined ? { port: Number(port) } : {}),
    evidence,
  };
}

function parseLine(line: string): NcAttempt | undefined {
  const text = line.trim();
  let m = OPENBSD_OK.exec(text);
  if (m) return attempt('connected', text, m[1], m[2], m[3]);
  m = OPENBSD_FAIL.exec(text);
  if (m) return attempt(m[4] === 'timed out' ? 'timeout' : failureKind(m[5] ?? ''), text, m[1], m[2], m[3]);
  m = GETADDRINFO.exec(text);
  if (m) return attempt('dns-failure', text, m[1], undefined, m[2]);
  m = BUSYBOX_OK.exec(text);
  if (m) return attempt('connected', text, m[1], m[2], m[3]);
  m = BUSYBOX_FAIL.exec(text);
  if (m) return attempt(failureKind(m[4] ?? ''), text, m[1], m[2], m[3]);
  m = BUSYBOX_BAD_ADDRESS.exec(text);
  if (m) return attempt('dns-failure', text, m[1], undefined, undefined);
  return undefined;
}

function target(a: { host?: string; ip?: string; port?: number }): string {
  const host = a.host ?? a.ip ?? 'the host';
  return a.port === undefined ? host : `${host}:${a.port}`;
}

function describe(a: { outcome: NcOutcome; host?: string; ip?: string; port?: number; evidence: string }): string {
  const where = target(a);
  switch (a.outcome) {
    case 'connected':
      return `TCP connection to ${where} succeeded${a.ip !== undefined && a.ip !== a.host ? ` (${a.ip})` : ''}.`;
    case 'refused':
      return `${where} refused the connection: the host is reachable but nothing listens on that port (or it rejects this client).`;
    case 'timeout':
      return `No answer from ${where} before the timeout: packets are silently dropped (a NetworkPolicy or firewall is the usual cause) or the host is down.`;
    case 'dns-failure':
      return /try again|temporary/i.test(a.evidence)
        ? `${a.host ?? 'The name'} could not be resolved because the resolver did not answer: check DNS egress (UDP and TCP 53) from this pod.`
        : `${a.host ?? 'The name'} does not resolve: check the name and its namespace (service.namespace).`;
    case 'no-route':
      return `No route to ${where}: the network returned an unreachable error, so the address is not reachable from this pod.`;
    case 'unknown':
      return `nc reported something unexpected about ${where}: ${a.evidence}`;
  }
}

/** The outcome when nc printed nothing: only its exit status is left. */
function silent(out: ToolOutput): NcResult {
  if (out.exitCode === 0) {
    return { outcome: 'connected', evidence: '', attempts: [], message: 'nc printed nothing and exited 0: the connection succeeded (nc -z without -v is silent).' };
  }
  if (out.exitCode === 1) {
    return {
      outcome: 'refused',
      evidence: '',
      attempts: [],
      message:
        'nc printed nothing and exited 1: taken as refused, the only failure busybox nc -v keeps quiet about (OpenBSD nc without -v is silent on every failure, so use -v to tell refused from timeout).',
    };
  }
  return { outcome: 'unknown', evidence: '', attempts: [], message: unrecognised('nc', out) };
}

/**
 * Classifies the output of `nc -zv` (OpenBSD) or `nc -zv`/`-zvv` (busybox), including port ranges,
 * names that resolve to several addresses, and silent runs (exit status only).
 * @param out what the exec returned
 * @returns the outcome with host, port, the connected IP when printed, and the evidence line
 */
export function parseNc(out: ToolOutput): NcResult {
  const lines = [...splitLines(out.stderr), ...splitLines(out.stdout)];
  const attempts = lines.map(parseLine).filter((a): a is NcAttempt => a !== undefined);
  if (attempts.length === 0) {
    return lines.some((l) => l.trim() !== '') ? { outcome: 'unknown', evidence: '', attempts, message: unrecognised('nc', out) } : silent(out);
  }
  const known = attempts.filter((a) => a.outcome !== 'unknown');
  const chosen = attempts.find((a) => a.outcome === 'connected') ?? known[known.length - 1] ?? attempts[attempts.length - 1];
  if (chosen === undefined) return { outcome: 'unknown', evidence: '', attempts, message: unrecognised('nc', out) };
  return {
    outcome: chosen.outcome,
    ...(chosen.host !== undefined ? { host: chosen.host } : {}),
    ...(chosen.ip !== undefined ? { ip: chosen.ip } : {}),
    ...(chosen.port !== undefined ? { port: chosen.port } : {}),
    evidence: chosen.evidence,
    attempts,
    message: describe(chosen),
  };
}
