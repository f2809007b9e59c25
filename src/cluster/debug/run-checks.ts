/**
 * Runs planned checks one after the other through a Prober (debug container, probe pod, node
 * debug pod) and returns each run with its raw output and duration. Parsing is the core's
 * (`parseChecks`, `analyzeConnectivity`).
 */
import { parseChecks, type CheckRun, type ParsedChecks, type PlannedCheck, type Prober } from '../../core/connectivity/checks';
import { parsePing } from '../../core/probe/parse-ping';
import { cancelledError } from './errors';

export interface CheckProgress {
  /** Zero-based index of the check in the list. */
  readonly index: number;
  readonly total: number;
  readonly check: PlannedCheck;
  readonly phase: 'start' | 'done';
  /** With `done`: the run, raw output included (for a log channel). */
  readonly run?: CheckRun;
}

export interface RunChecksOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: CheckProgress) => void;
  /** The node the commands run on, for the conntrack results (node debug pods). */
  readonly node?: string;
}

export interface CheckResults {
  /** One per check that ran, with its raw output and duration (for the log channel). */
  readonly runs: CheckRun[];
  /** The parsers' results (see `parseChecks`). */
  readonly parsed: ParsedChecks;
}

/**
 * Runs the checks in order. The MTU sweep (largest packet first) stops at the first size that
 * gets a reply: smaller sizes would only pass too.
 * @returns one run per check that ran, and their parsed results
 * @throws a `Cancelled` DebugError when the signal aborts (the exec in flight is ended first)
 */
export async function runChecks(prober: Prober, checks: readonly PlannedCheck[], options: RunChecksOptions = {}): Promise<CheckResults> {
  const runs: CheckRun[] = [];
  let mtuDone = false;
  for (let index = 0; index < checks.length; index++) {
    const check = checks[index]!;
    if (options.signal?.aborted) throw cancelledError('running the checks');
    if (check.kind === 'mtu' && mtuDone) continue;
    options.onProgress?.({ index, total: checks.length, check, phase: 'start' });
    const out = await prober.exec(check.plan.argv, { timeoutMs: check.plan.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    const run: CheckRun = {
      check,
      output: { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode },
      durationMs: out.durationMs,
      where: prober.location,
      ...(out.truncated ? { truncated: true } : {}),
      ...(out.execError !== undefined ? { execError: out.execError } : {}),
    };
    runs.push(run);
    if (check.kind === 'mtu' && parsePing(run.output).outcome === 'reply') mtuDone = true;
    options.onProgress?.({ index, total: checks.length, check, phase: 'done', run });
  }
  return { runs, parsed: parseChecks(runs, options.node ? { node: options.node } : {}) };
}
