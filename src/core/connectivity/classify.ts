/**
 * One outcome for a connectivity test, from the parsed checks: did the connection open, and if
 * not, how did it fail. Side findings (slow HTTP phases, socket build-ups, an MTU black hole,
 * conntrack pressure) are collected without changing the outcome.
 */
import { CURL_THRESHOLDS_MS } from '../probe/parse-curl';
import { ndotsPenalty } from '../probe/parse-resolv-conf';
import type { ProbeDiagnosis } from '../probe/tool-output';
import type { ParsedChecks } from './checks';

export type ConnectivityOutcome = 'connected' | 'refused' | 'timeout' | 'dns-failure' | 'no-route' | 'unknown';

/** The words a report shows for an outcome. */
export const OUTCOME_WORDS: Readonly<Record<ConnectivityOutcome, string>> = {
  connected: 'CONNECTED',
  refused: 'REFUSED',
  timeout: 'TIMED OUT',
  'dns-failure': 'DNS FAILURE',
  'no-route': 'NO ROUTE',
  unknown: 'UNKNOWN',
};

export interface Classification {
  readonly outcome: ConnectivityOutcome;
  /** The check the outcome was read from. */
  readonly basis: 'tcp' | 'http' | 'dns' | 'none';
  /** One line for people. */
  readonly summary: string;
  /** The tool lines and parser conclusions behind the outcome, most important first. */
  readonly evidence: readonly string[];
  /** Findings that do not change the outcome: timings, sockets, MTU, conntrack, ndots. */
  readonly findings: readonly ProbeDiagnosis[];
}

const DIG_FAILED = new Set(['nxdomain', 'servfail', 'refused', 'unreachable', 'no-answer']);

function fromCurl(c: NonNullable<ParsedChecks['http']>): ConnectivityOutcome {
  switch (c.outcome) {
    case 'ok':
    case 'tls-error':
      return 'connected';
    case 'timeout':
      return c.timeoutPhase === 'response' ? 'connected' : 'timeout';
    case 'refused':
    case 'dns-failure':
    case 'no-route':
      return c.outcome;
    default:
      return 'unknown';
  }
}

/** The findings of every check that are not the outcome itself. */
export function sideFindings(parsed: ParsedChecks): ProbeDiagnosis[] {
  const out: ProbeDiagnosis[] = [];
  if (parsed.http) {
    out.push(...parsed.http.diagnoses);
    if (parsed.http.outcome === 'timeout' && parsed.http.timeoutPhase === 'response') {
      out.push({ code: 'http-no-response', severity: 'warning', message: parsed.http.message });
    }
    if (parsed.http.outcome === 'tls-error') out.push({ code: 'http-tls', severity: 'warning', message: parsed.http.message });
  }
  if (parsed.socketDiagnoses) out.push(...parsed.socketDiagnoses);
  if (parsed.mtu?.outcome === 'black-hole') out.push({ code: 'mtu-black-hole', severity: 'error', message: parsed.mtu.message });
  else if (parsed.mtu?.outcome === 'reduced') out.push({ code: 'mtu-reduced', severity: 'info', message: parsed.mtu.message });
  if (parsed.conntrack) {
    const node = parsed.conntrack.node;
    out.push(...parsed.conntrack.diagnoses.map((d) => (node ? { ...d, message: `Node ${node}: ${d.message}` } : d)));
  }
  if (parsed.dns && parsed.resolvConf?.outcome === 'ok') {
    // The penalty matters when DNS is slow or failing; otherwise it is noise.
    const slow = (parsed.dns.result.queryTimeMs ?? 0) > CURL_THRESHOLDS_MS.dns || (parsed.http?.timings.dns ?? 0) > CURL_THRESHOLDS_MS.dns;
    const failed = DIG_FAILED.has(parsed.dns.result.outcome);
    const penalty = ndotsPenalty(parsed.dns.name, parsed.resolvConf.conf);
    if (penalty.applies && (slow || failed)) out.push({ code: 'dns-ndots', severity: 'info', message: penalty.message });
  }
  return out;
}

/**
 * Classifies a connectivity test. The TCP connect (nc) decides; when it could not tell, curl
 * does. A name that does not resolve makes the outcome `dns-failure` even when the IP itself
 * connects: the application uses the name.
 * @param parsed the parsed checks of one test
 */
export function classify(parsed: ParsedChecks): Classification {
  const evidence: string[] = [];
  const findings = sideFindings(parsed);
  const dig = parsed.dns?.result;
  const dnsFailed = dig !== undefined && DIG_FAILED.has(dig.outcome);
  let outcome: ConnectivityOutcome = 'unknown';
  let basis: Classification['basis'] = 'none';
  let summary = 'No check could tell whether the connection opens.';
  if (parsed.tcp && parsed.tcp.outcome !== 'unknown') {
    outcome = parsed.tcp.outcome;
    basis = 'tcp';
    summary = parsed.tcp.message;
    if (parsed.tcp.evidence) evidence.push(`nc: ${parsed.tcp.evidence.replace(/^nc:\s*/, '')}`);
  } else if (parsed.http && fromCurl(parsed.http) !== 'unknown') {
    outcome = fromCurl(parsed.http);
    basis = 'http';
    summary = parsed.http.message;
    if (parsed.http.error) evidence.push(`curl: ${parsed.http.error}`);
  } else if (parsed.tcp) {
    summary = parsed.tcp.message;
  }
  if (parsed.http && basis === 'tcp') {
    const status = parsed.http.httpStatus !== undefined ? `HTTP ${parsed.http.httpStatus}` : parsed.http.outcome;
    evidence.push(`curl: ${status}${parsed.http.error ? ` (${parsed.http.error})` : ''}`);
  }
  if (dnsFailed && dig) {
    const name = parsed.dns?.name ?? 'the name';
    evidence.unshift(`dig ${name}: ${dig.status ?? dig.outcome}${dig.errors[0] ? ` (${dig.errors[0]})` : ''}`);
    if (outcome === 'connected') {
      summary = `${name} does not resolve (${dig.message}) although the address itself connects: the application, which uses the name, cannot connect.`;
    } else {
      summary = `${name} does not resolve: ${dig.message}`;
    }
    outcome = 'dns-failure';
    basis = 'dns';
  } else if (dig && dig.outcome === 'ok') {
    evidence.push(`dig ${parsed.dns?.name ?? ''}: ${dig.answers.map((a) => a.data).join(', ')}${dig.queryTimeMs !== undefined ? ` (${dig.queryTimeMs} ms)` : ''}`);
  }
  return { outcome, basis, summary, evidence, findings };
}
