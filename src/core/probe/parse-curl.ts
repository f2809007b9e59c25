/**
 * Parses curl's `-w` output (`%{json}`, or a `key=value` line such as
 * `http_code=200 … time_total=0.009060 exitcode=0 errormsg=`) plus its exit status and
 * `curl: (N) …` stderr line, into an outcome and timing phases with the latency diagnoses of
 * the network debugging guide.
 */

import { excerpt, splitLines, unrecognised, type ProbeDiagnosis, type ToolOutput } from './tool-output';

export type CurlOutcome = 'ok' | 'refused' | 'timeout' | 'dns-failure' | 'no-route' | 'tls-error' | 'other' | 'unknown';

/** Phase durations in milliseconds; a phase that did not complete is absent. */
export interface CurlTimings {
  /** time_namelookup */
  readonly dns?: number;
  /** time_connect − time_namelookup: the TCP handshake */
  readonly connect?: number;
  /** time_appconnect − time_connect, only when TLS was negotiated */
  readonly tls?: number;
  /** time_starttransfer − (time_appconnect or time_connect): request sent to first response byte */
  readonly firstByte?: number;
  /** time_total */
  readonly total?: number;
}

export interface CurlResult {
  readonly outcome: CurlOutcome;
  /** curl's exit status, from the exec or else from `%{exitcode}` or the stderr line. */
  readonly exitCode?: number;
  /** The HTTP status; a 404 or 500 still has outcome `ok`: the network delivered it. */
  readonly httpStatus?: number;
  readonly remoteIp?: string;
  readonly remotePort?: number;
  /** For a timeout: whether it struck before the TCP handshake completed or while waiting for the response. */
  readonly timeoutPhase?: 'connect' | 'response';
  readonly timings: CurlTimings;
  /** curl's own error text (`%{errormsg}` or the `curl: (N)` line). */
  readonly error?: string;
  readonly message: string;
  readonly diagnoses: readonly ProbeDiagnosis[];
}

/** Latency above which a phase is called slow (from the network debugging guide), in ms. */
export const CURL_THRESHOLDS_MS = { dns: 50, connect: 100, tls: 200, firstByte: 500 } as const;

const TLS_EXIT_CODES = new Set([35, 51, 60]);
const CURL_STDERR = /^curl: \((\d+)\)\s*(.*)$/;

type WriteOut = ReadonlyMap<string, string>;

/** Reads `%{json}` output: the last line that parses as a JSON object. */
function readJson(lines: readonly string[]): WriteOut | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim() ?? '';
    if (!line.startsWith('{') || !line.endsWith('}')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue;
    const map = new Map<string, string>();
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === 'string' || typeof v === 'number') map.set(k, String(v));
    }
    return map;
  }
  return undefined;
}

/**
 * Reads a `key=value …` line. errormsg is taken to the end of the line because curl's messages
 * contain spaces; it must therefore come last in the -w format, as in the fixtures.
 */
function readKeyValues(lines: readonly string[]): WriteOut | undefined {
  const line = lines.find((l) => /(?:^|\s)(?:time_total|http_code)=/.test(l));
  if (line === undefined) return undefined;
  const map = new Map<string, string>();
  const at = line.search(/(?:^|\s)errormsg=/);
  const head = at < 0 ? line : line.slice(0, at);
  if (at >= 0) map.set('errormsg', line.slice(line.indexOf('errormsg=', at) + 'errormsg='.length).trim());
  for (const token of head.split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0) map.set(token.slice(0, eq), token.slice(eq + 1));
  }
  return map;
}

function num(w: WriteOut | undefined, key: string): number | undefined {
  const raw = w?.get(key);
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** Seconds to whole microseconds, so phase differences come out exact in ms. */
function micros(w: WriteOut | undefined, key: string): number {
  const s = num(w, key);
  return s === undefined || s < 0 ? 0 : Math.round(s * 1e6);
}

function timingsOf(w: WriteOut | undefined): CurlTimings {
  const lookup = micros(w, 'time_namelookup');
  const connect = micros(w, 'time_connect');
  const app = micros(w, 'time_appconnect');
  const start = micros(w, 'time_starttransfer');
  const total = micros(w, 'time_total');
  const ms = (us: number): number => us / 1000;
  const sent = app > 0 ? app : connect;
  return {
    ...(lookup > 0 ? { dns: ms(lookup) } : {}),
    ...(connect > 0 ? { connect: ms(connect - lookup) } : {}),
    ...(app > 0 && connect > 0 ? { tls: ms(app - connect) } : {}),
    ...(start > 0 && sent > 0 ? { firstByte: ms(start - sent) } : {}),
    ...(total > 0 ? { total: ms(total) } : {}),
  };
}

function fmt(ms: number): string {
  return `${Math.round(ms * 10) / 10} ms`;
}

const SLOW_PHASES = [
  {
    phase: 'dns',
    code: 'curl-slow-dns',
    label: 'DNS lookup',
    hint: 'check the resolver and the ndots/search list in /etc/resolv.conf; a name with fewer dots than ndots is tried against every search domain first.',
  },
  {
    phase: 'connect',
    code: 'curl-slow-connect',
    label: 'TCP connect',
    hint: 'the network path is slow or SYNs are being retransmitted (packet loss, a full accept backlog or conntrack table).',
  },
  {
    phase: 'tls',
    code: 'curl-slow-tls',
    label: 'TLS handshake',
    hint: 'check the certificate chain, OCSP stapling and the load on the TLS terminator.',
  },
  {
    phase: 'firstByte',
    code: 'curl-slow-first-byte',
    label: 'Time to first byte',
    hint: 'the application is slow, not the network; look at its logs and its own dependencies.',
  },
] as const;

/**
 * Applies the latency thresholds of the network debugging guide ({@link CURL_THRESHOLDS_MS}) to
 * curl's timing phases.
 * @param t the phases in ms
 * @returns one warning per slow phase, saying where to look next
 */
export function diagnoseCurlTimings(t: CurlTimings): ProbeDiagnosis[] {
  return SLOW_PHASES.flatMap(({ phase, code, label, hint }) => {
    const value = t[phase];
    const limit = CURL_THRESHOLDS_MS[phase];
    return value !== undefined && value > limit
      ? [{ code, severity: 'warning' as const, message: `${label} took ${fmt(value)} (over ${limit} ms): ${hint}` }]
      : [];
  });
}

/** Text curl printed, as a message quotes it: one line, cut short (errors can quote what the server sent). */
function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function describe(outcome: CurlOutcome, r: { httpStatus?: number; remoteIp?: string; remotePort?: number; timeoutPhase?: string; error?: string; exitCode?: number }): string {
  const where = r.remoteIp !== undefined && r.remoteIp !== '' ? ` from ${clip(r.remoteIp, 60)}:${r.remotePort ?? '?'}` : '';
  const why = r.error !== undefined ? `: ${clip(r.error, 300)}` : '';
  switch (outcome) {
    case 'ok':
      return `HTTP ${r.httpStatus ?? '?'}${where}: the request went through${r.httpStatus !== undefined && r.httpStatus >= 400 ? ' and the application answered with an error status' : ''}.`;
    case 'refused':
      return `Connection refused${why}. The host is reachable but nothing listens on that port.`;
    case 'timeout':
      return r.timeoutPhase === 'response'
        ? `Connected, but no complete response before the timeout${why}. The application is slow or stuck, not the network.`
        : `No TCP handshake before the timeout${why}. Packets are silently dropped (a NetworkPolicy or firewall is the usual cause) or the host is down.`;
    case 'dns-failure':
      return `The host name did not resolve${why}.`;
    case 'no-route':
      return `The address is unreachable from this pod${why}.`;
    case 'tls-error':
      return `TLS failed (curl exit ${r.exitCode ?? '?'})${why}. The TCP connection worked; check the certificate, its CA and the server name.`;
    default:
      return `curl failed (exit ${r.exitCode ?? '?'})${why}.`;
  }
}

function classify(exit: number, error: string): CurlOutcome {
  if (exit === 0) return 'ok';
  if (exit === 6) return 'dns-failure';
  if (exit === 28) return 'timeout';
  if (TLS_EXIT_CODES.has(exit)) return 'tls-error';
  // exit 7 covers every failed connect(); its text tells a refusal from an ICMP unreachable.
  if (exit === 7) return /no route to host|unreachable/i.test(error) ? 'no-route' : 'refused';
  return 'other';
}

/**
 * Classifies a curl run made with `-sS -o /dev/null -w '%{json}'` (or a `-w` key=value line):
 * ok with the HTTP status, refused (exit 7), timeout (28), dns-failure (6), tls-error (35, 51, 60),
 * no-route, other; plus the timing phases and the slow-phase diagnoses.
 * @param out what the exec returned
 */
export function parseCurl(out: ToolOutput): CurlResult {
  const lines = splitLines(out.stdout);
  const w = readJson(lines) ?? readKeyValues(lines);
  const stderrLine = splitLines(out.stderr)
    .map((l) => CURL_STDERR.exec(l.trim()))
    .find((m) => m !== null);
  const exitCode = out.exitCode ?? num(w, 'exitcode') ?? (stderrLine ? Number(stderrLine[1]) : undefined);
  const errormsg = w?.get('errormsg');
  const stderrText = stderrLine?.[2];
  const error = errormsg !== undefined && errormsg !== '' ? errormsg : stderrText !== undefined && stderrText !== '' ? stderrText : undefined;
  const timings = timingsOf(w);
  const httpStatus = num(w, 'http_code') ?? num(w, 'response_code');
  const remoteIp = w?.get('remote_ip');
  const remotePort = num(w, 'remote_port');
  const base = {
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(remoteIp !== undefined && remoteIp !== '' ? { remoteIp } : {}),
    ...(remotePort !== undefined && remotePort > 0 ? { remotePort } : {}),
    ...(error !== undefined ? { error } : {}),
    timings,
    diagnoses: diagnoseCurlTimings(timings),
  };
  if (exitCode === undefined) return { ...base, outcome: 'unknown', message: unrecognised('curl', out) };
  const outcome = classify(exitCode, error ?? '');
  if (outcome === 'ok' && (httpStatus === undefined || httpStatus === 0)) {
    const reason = w === undefined ? `curl exited 0 but printed no -w data: ${unrecognised('curl', out)}` : `curl exited 0 but reported no HTTP status: ${excerpt(out.stdout)}`;
    return { ...base, outcome: 'unknown', message: reason };
  }
  const timeoutPhase: CurlResult['timeoutPhase'] = outcome === 'timeout' ? (timings.connect === undefined ? 'connect' : 'response') : undefined;
  const result = {
    ...base,
    ...(outcome === 'ok' && httpStatus !== undefined ? { httpStatus } : {}),
    ...(timeoutPhase !== undefined ? { timeoutPhase } : {}),
  };
  return { ...result, outcome, message: describe(outcome, result) };
}
