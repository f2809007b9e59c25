/**
 * Node conntrack pressure from nf_conntrack_count, nf_conntrack_max and the kernel log, with the
 * remediation of the conntrack-exhaustion runbook. A full table drops new connections silently:
 * no RST, no ICMP, just random timeouts, while ping and existing connections keep working.
 */

import { excerpt, splitLines, unrecognised, type ProbeDiagnosis, type ToolOutput } from './tool-output';

export type ConntrackOutcome = 'ok' | 'warning' | 'critical' | 'unknown';

export interface ConntrackResult {
  readonly outcome: ConntrackOutcome;
  readonly count?: number;
  readonly max?: number;
  /** count / max × 100, rounded to one decimal. */
  readonly usagePercent?: number;
  /** `nf_conntrack: table full, dropping packet` lines in the kernel log. */
  readonly tableFullLines: number;
  /** Whether the kernel log could be read; `not-run` when no output was given. */
  readonly kernelLog: 'read' | 'unreadable' | 'not-run';
  /** Why a reading is missing (a file that does not exist, dmesg not permitted, …). */
  readonly problems: readonly string[];
  readonly diagnoses: readonly ProbeDiagnosis[];
}

/** Usage from which the table is reported, in percent of nf_conntrack_max. */
export const CONNTRACK_THRESHOLDS = { warning: 80, critical: 100 } as const;

const TABLE_FULL = /conntrack: table full, dropping packet/;

/** What the runbook says to do, most urgent first. */
export const CONNTRACK_REMEDIATION: readonly string[] = [
  'Now: find the noisy pod on this node (short-lived connections, aggressive retries, DNS storms, load tests) and reduce its retries and connection churn, or stop it; drain the node if needed.',
  'Do not restart pods or scale blindly: that frees entries briefly and the table refills.',
  'Then: raise the table size. On Kubernetes kube-proxy sets nf_conntrack_max from conntrack.maxPerCore / conntrack.min, so change those rather than only `sysctl -w net.netfilter.nf_conntrack_max=…`, and raise the hash size too.',
  'Lasting: use keep-alive and connection pooling, rate-limit clients, separate noisy workloads, shorten nf_conntrack_tcp_timeout_time_wait, and alert on usage above 80%.',
];

function readNumber(out: ToolOutput | undefined, file: string, problems: string[]): number | undefined {
  if (out === undefined) return undefined;
  const text = out.stdout.trim();
  // A count beyond 2^53 is not a count the kernel printed: no usage is computed from it (Infinity / Infinity is NaN).
  if ((out.exitCode === 0 || out.exitCode === null) && /^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  problems.push(
    /no such file/i.test(out.stderr)
      ? `${file} does not exist: the nf_conntrack module is not loaded, or this is not the node's network namespace (the debug pod needs hostNetwork).`
      : `${file}: ${unrecognised('cat', out)}`,
  );
  return undefined;
}

/**
 * Assesses conntrack on a node: usage ≥ 80 % of nf_conntrack_max is a warning; ≥ 100 %, or any
 * `table full, dropping packet` line in the kernel log, is critical.
 * @param input the outputs of `cat nf_conntrack_count`, `cat nf_conntrack_max` and, optionally, `dmesg`
 */
export function parseConntrack(input: { readonly count: ToolOutput; readonly max: ToolOutput; readonly kernelLog?: ToolOutput }): ConntrackResult {
  const problems: string[] = [];
  const count = readNumber(input.count, 'nf_conntrack_count', problems);
  const max = readNumber(input.max, 'nf_conntrack_max', problems);
  let tableFullLines = 0;
  let lastFull: string | undefined;
  let kernelLog: ConntrackResult['kernelLog'] = 'not-run';
  if (input.kernelLog !== undefined) {
    if (input.kernelLog.exitCode === 0 || (input.kernelLog.exitCode === null && input.kernelLog.stdout !== '')) {
      kernelLog = 'read';
      for (const line of splitLines(input.kernelLog.stdout)) {
        if (TABLE_FULL.test(line)) {
          tableFullLines++;
          lastFull = line.trim();
        }
      }
    } else {
      kernelLog = 'unreadable';
      problems.push(`the kernel log could not be read (the node debug pod must be privileged): ${unrecognised('dmesg', input.kernelLog)}`);
    }
  }
  const usage = count !== undefined && max !== undefined && max > 0 ? (count / max) * 100 : undefined;
  const usagePercent = usage === undefined ? undefined : Math.round(usage * 10) / 10;
  const diagnoses: ProbeDiagnosis[] = [];
  const remedy = ` ${CONNTRACK_REMEDIATION.join(' ')}`;
  if (tableFullLines > 0) {
    diagnoses.push({
      code: 'conntrack-table-full',
      severity: 'error',
      message: `The kernel logged ${tableFullLines} "table full, dropping packet" line${tableFullLines === 1 ? '' : 's'} (last: ${excerpt(lastFull ?? '')}): new connections through this node are being dropped silently.${remedy}`,
    });
  }
  if (usage !== undefined && usage >= CONNTRACK_THRESHOLDS.warning) {
    const critical = usage >= CONNTRACK_THRESHOLDS.critical;
    diagnoses.push({
      code: 'conntrack-usage',
      severity: critical ? 'error' : 'warning',
      message: `Conntrack table ${critical ? 'full' : 'nearly full'}: ${count} of ${max} entries (${usagePercent}%, ${critical ? 'new connections are dropped' : `warning from ${CONNTRACK_THRESHOLDS.warning}%`}).${remedy}`,
    });
  }
  const outcome: ConntrackOutcome = diagnoses.some((d) => d.severity === 'error')
    ? 'critical'
    : diagnoses.length > 0
      ? 'warning'
      : usagePercent !== undefined
        ? 'ok'
        : 'unknown';
  return {
    outcome,
    ...(count !== undefined ? { count } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(usagePercent !== undefined ? { usagePercent } : {}),
    tableFullLines,
    kernelLog,
    problems,
    diagnoses,
  };
}
