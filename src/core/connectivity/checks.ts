/**
 * Which checks a connectivity test runs, what running one produced, and the parsed results.
 *
 * Pure: the plans are data (argv arrays from `core/probe/plan.ts`), the cluster layer execs them
 * through a {@link Prober} and hands back one {@link CheckRun} per plan, and {@link parseChecks}
 * turns the runs into the parsers' results. Nothing here talks to a cluster.
 */
import type { Protocol } from '../model';
import type { Validated } from '../probe/argv';
import { validateHost } from '../probe/argv';
import { analyzeMtu, type MtuAnalysis } from '../probe/mtu';
import { parseConntrack, type ConntrackResult } from '../probe/parse-conntrack';
import { parseCurl, type CurlResult } from '../probe/parse-curl';
import { parseDig, type DigResult } from '../probe/parse-dig';
import { parseNc, type NcResult } from '../probe/parse-nc';
import { parsePing } from '../probe/parse-ping';
import { parseResolvConf, type ResolvConfResult } from '../probe/parse-resolv-conf';
import { diagnoseSockets, parsePortRange, parseSs, type PortRangeResult, type SsResult } from '../probe/parse-ss';
import { planConntrack, planDnsLookup, planHttp, planMtu, planPortCheck, planResolvConf, planSockets, type ProbePlan } from '../probe/plan';
import type { ProbeDiagnosis, ToolOutput } from '../probe/tool-output';

export type CheckKind = 'tcp' | 'dns' | 'resolv-conf' | 'http' | 'mtu' | 'sockets' | 'port-range' | 'conntrack-count' | 'conntrack-max' | 'kernel-log';

/** One command of a connectivity test: the probe plan plus what it is for. */
export interface PlannedCheck {
  readonly kind: CheckKind;
  readonly plan: ProbePlan;
  /** MTU sweep: the ICMP payload of this ping, and the packet size it makes. */
  readonly payload?: number;
  readonly mtu?: number;
  /** DNS: the name looked up. */
  readonly name?: string;
}

/**
 * Runs commands somewhere in the cluster (an ephemeral debug container, a probe pod, a node
 * debug pod). The cluster layer implements it; the core only declares what it needs.
 */
export interface Prober {
  /** Where the commands run, for reports: `ephemeral container netlens-debug-ab12c in production/web-api-…`. */
  readonly location: string;
  /** Runs one argv (never a shell string). Rejects only when cancelled or when the exec cannot start. */
  exec(argv: readonly string[], options: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<ExecOutcome>;
}

/** What one exec returned, with how it went. */
export interface ExecOutcome extends ToolOutput {
  readonly durationMs: number;
  /** The output was longer than the cap and was cut (the command was stopped). */
  readonly truncated: boolean;
  /** Why the exec did not run to completion (timed out, stream closed, runtime error); absent when it did. */
  readonly execError?: string;
}

/** One check as it ran. */
export interface CheckRun {
  readonly check: PlannedCheck;
  readonly output: ToolOutput;
  readonly durationMs: number;
  readonly truncated?: boolean;
  /** The exec did not complete: the output may be partial or empty. */
  readonly execError?: string;
  /** Where it ran (see {@link Prober.location}). */
  readonly where?: string;
}

/** What to connect to. */
export interface ConnectivityTarget {
  /** What the TCP (and HTTP) checks connect to: a pod or Service IP, or a DNS name. */
  readonly host: string;
  readonly port: number;
  /** Default TCP. UDP and SCTP get no connect check (see `planPortCheck`). */
  readonly protocol?: Protocol;
  /**
   * A DNS name the application uses to find the destination, e.g.
   * `postgres.production.svc.cluster.local`. Default: `host` when it is a name.
   */
  readonly dnsName?: string;
}

export interface CheckOptions {
  /** Resolve the DNS name with dig and read /etc/resolv.conf (default: when there is a name). */
  readonly dns?: boolean;
  /** An HTTP(S) request with curl's timing phases (default none). */
  readonly http?: false | { readonly scheme?: 'http' | 'https'; readonly path?: string };
  /** A don't-fragment ping sweep for the path MTU (default false: up to 9 pings). */
  readonly mtu?: boolean;
  /** The socket table and the ephemeral port range of the source (default true). */
  readonly sockets?: boolean;
  /** nc's connect timeout, seconds (default 3). */
  readonly timeoutSeconds?: number;
}

export interface CheckPlanSet {
  readonly checks: readonly PlannedCheck[];
  /** Why a check was left out (a UDP port has no connect check). */
  readonly notes: readonly string[];
}

function isName(host: string): boolean {
  const h = validateHost(host);
  return h.ok && h.value.kind === 'dns';
}

/**
 * Plans the checks of a connectivity test, in the order they should run: resolver configuration
 * and DNS first (a name that does not resolve explains everything after it), then the TCP
 * connect, HTTP, the MTU sweep and the socket table.
 * @param target where to connect
 * @param options which optional checks to add
 * @returns the plans, or the first validation message (a bad host, port or path)
 */
export function planConnectivityChecks(target: ConnectivityTarget, options: CheckOptions = {}): Validated<CheckPlanSet> {
  const checks: PlannedCheck[] = [];
  const notes: string[] = [];
  const protocol = target.protocol ?? 'TCP';
  const dnsName = target.dnsName ?? (isName(target.host) ? target.host : undefined);
  if ((options.dns ?? dnsName !== undefined) && dnsName !== undefined) {
    checks.push({ kind: 'resolv-conf', plan: planResolvConf() });
    const dig = planDnsLookup(dnsName);
    if (!dig.ok) return dig;
    checks.push({ kind: 'dns', plan: dig.value, name: dnsName });
  } else if (options.dns) {
    checks.push({ kind: 'resolv-conf', plan: planResolvConf() });
  }
  const tcp = planPortCheck({ host: target.host, port: target.port, protocol }, { ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}) });
  if (tcp.ok) checks.push({ kind: 'tcp', plan: tcp.value });
  else if (protocol !== 'TCP') notes.push(tcp.message);
  else return tcp;
  if (options.http) {
    const http = planHttp({ host: target.host, port: target.port, scheme: options.http.scheme ?? 'http', ...(options.http.path !== undefined ? { path: options.http.path } : {}) });
    if (!http.ok) return http;
    checks.push({ kind: 'http', plan: http.value });
  }
  if (options.mtu) {
    const mtu = planMtu(target.host);
    if (!mtu.ok) return mtu;
    for (const p of mtu.value) checks.push({ kind: 'mtu', plan: p, payload: p.payload, mtu: p.mtu });
  }
  if (options.sockets ?? true) {
    const [ss, range] = planSockets();
    checks.push({ kind: 'sockets', plan: ss! }, { kind: 'port-range', plan: range! });
  }
  return { ok: true, value: { checks, notes } };
}

/** The node conntrack checks, to run in a node debug pod (host network, privileged). */
export function planNodeConntrackChecks(): PlannedCheck[] {
  const kinds: CheckKind[] = ['conntrack-count', 'conntrack-max', 'kernel-log'];
  return planConntrack().map((plan, i) => ({ kind: kinds[i]!, plan }));
}

/** Every parser's result for the checks that ran; a check that did not run is absent. */
export interface ParsedChecks {
  readonly tcp?: NcResult;
  readonly dns?: { readonly name: string; readonly result: DigResult };
  readonly resolvConf?: ResolvConfResult;
  readonly http?: CurlResult;
  readonly mtu?: MtuAnalysis;
  readonly sockets?: SsResult;
  readonly portRange?: PortRangeResult;
  /** Socket-state and ephemeral-port findings (thresholds of the network debugging guide). */
  readonly socketDiagnoses?: readonly ProbeDiagnosis[];
  /** Node conntrack, with the node it was read on. */
  readonly conntrack?: ConntrackResult & { readonly node?: string };
}

/**
 * Parses every run with its tool's parser. Total: any output gives a result.
 * @param runs the runs of one test, any order
 * @param opts `node`: the node the conntrack checks ran on
 */
export function parseChecks(runs: readonly CheckRun[], opts: { readonly node?: string } = {}): ParsedChecks {
  const first = (kind: CheckKind): CheckRun | undefined => runs.find((r) => r.check.kind === kind);
  const out: { -readonly [K in keyof ParsedChecks]: ParsedChecks[K] } = {};
  const tcp = first('tcp');
  if (tcp) out.tcp = parseNc(tcp.output);
  const dns = first('dns');
  if (dns) out.dns = { name: dns.check.name ?? '', result: parseDig(dns.output) };
  const resolv = first('resolv-conf');
  if (resolv) out.resolvConf = parseResolvConf(resolv.output);
  const http = first('http');
  if (http) out.http = parseCurl(http.output);
  const pings = runs.filter((r) => r.check.kind === 'mtu' && r.check.payload !== undefined);
  if (pings.length > 0) {
    const family = pings.some((r) => r.check.plan.argv.includes('-6')) ? 'ipv6' : 'ipv4';
    out.mtu = analyzeMtu(
      pings.map((r) => ({ payload: r.check.payload!, result: parsePing(r.output) })),
      family,
    );
  }
  const ss = first('sockets');
  const range = first('port-range');
  if (ss) out.sockets = parseSs(ss.output);
  if (range) out.portRange = parsePortRange(range.output);
  if (out.sockets?.outcome === 'ok') {
    out.socketDiagnoses = diagnoseSockets(out.sockets.sockets, out.portRange?.outcome === 'ok' ? out.portRange : undefined);
  }
  const count = first('conntrack-count');
  const max = first('conntrack-max');
  if (count && max) {
    const log = first('kernel-log');
    out.conntrack = { ...parseConntrack({ count: count.output, max: max.output, ...(log ? { kernelLog: log.output } : {}) }), ...(opts.node ? { node: opts.node } : {}) };
  }
  return out;
}
