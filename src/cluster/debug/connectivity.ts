/**
 * "Test connectivity" from end to end, for the editor command and the CLI:
 *
 * ```ts
 * const test = await ConnectivityTest.prepare(conn, { snapshot, source, destination, port, image }, { signal });
 * if (test.plannedChanges().length) ask the user (each change has a summary and warnings);
 * let result;
 * try {
 *   result = await test.run({ confirmed: true, signal, onProgress });
 * } catch (e) {
 *   if (e instanceof PodSecurityRejectedError) {
 *     const probe = await test.planProbePod({ copyLabels, securityProfile: e.suggestedProfile });
 *     ask about probe.plannedChanges(), then result = await test.runInProbePod(probe, { confirmed: true, signal });
 *   } else throw e;
 * }
 * show reportFor(result, { context });
 * if (result.analysis.diagnosis.offerFix) { const fix = generateFix(result); show reportFor(result, { fix... }); applyPolicy(conn, fix.generated.yaml, { confirmed }) }
 * if (result.analysis.diagnosis.kind === 'dataplane-drop') offer test.planNodeConntrack(...) → runNodeConntrack → withConntrack(result, ...)
 * ```
 */
import { analyzeConnectivity, podTarget, serviceTarget, type ConnectivityAnalysis } from '../../core/connectivity/analyze';
import { generateAllowPolicies, type GeneratedPolicies } from '../../core/connectivity/allow-policy';
import { checkGenerated, type GeneratedCheck } from '../../core/connectivity/check-generated';
import { planConnectivityChecks, type CheckOptions, type CheckRun, type ConnectivityTarget, type PlannedCheck } from '../../core/connectivity/checks';
import { renderReport } from '../../core/connectivity/report';
import { parseIp } from '../../core/cidr';
import type { Endpoint } from '../../core/engine/explain';
import type { ClusterSnapshot, Pod, Protocol } from '../../core/model';
import { podKey } from '../../core/model';
import type { Validated } from '../../core/probe/argv';
import type { ClusterConnection } from '../kubeconfig';
import type { AccessReviewer } from '../rbac';
import { DebugError } from './errors';
import { NodeDebugPod } from './node-debug';
import { ProbePod, withProbePod } from './probe-pod';
import { runChecks, type CheckProgress } from './run-checks';
import { DebugSession, type SecurityProfile } from './session';
import type { StepOptions } from './steps';
import type { PlannedChange } from './writes';

export type DestinationRef =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'ip'; readonly ip: string };

export interface ConnectivityRequest {
  /** The cluster as the engine sees it (the watcher's snapshot). */
  readonly snapshot: ClusterSnapshot;
  readonly source: { readonly namespace: string; readonly name: string };
  readonly destination: DestinationRef;
  /** A number or, for a pod, a container port name; for a Service, its port number or name. */
  readonly port: number | string;
  readonly protocol?: Protocol;
  /** The DNS name the application uses, to resolve as part of the test (a Service's name is used by default). */
  readonly dnsName?: string;
  /** Optional checks (HTTP, MTU, sockets). */
  readonly checks?: CheckOptions;
  /** The debug image, from the user's settings. */
  readonly image: string;
  /** The container the debug container targets (default the source pod's first). */
  readonly targetContainer?: string;
  readonly securityProfile?: SecurityProfile;
}

export interface PrepareOptions extends StepOptions {
  readonly apiTimeoutMs?: number;
  readonly startTimeoutMs?: number;
  readonly maxOutputBytes?: number;
  readonly random?: (max: number) => number;
  readonly reviewer?: AccessReviewer;
}

export interface ConnectivityProgress {
  readonly stage: 'starting' | 'check';
  readonly message: string;
  /** With `check`: which check, and its run when done (raw output for the log). */
  readonly check?: CheckProgress;
}

export interface RunOptions extends StepOptions {
  /** Required when the run would add a container or pod (see `plannedChanges()`). */
  readonly confirmed?: boolean;
  readonly onProgress?: (p: ConnectivityProgress) => void;
}

export interface ConnectivityResult {
  readonly time: Date;
  /** The source as the engine judged it: the source pod, or the probe pod that stood in for it. */
  readonly source: Pod;
  readonly destination: Endpoint;
  /** What the checks connected to. */
  readonly target: ConnectivityTarget;
  readonly runs: readonly CheckRun[];
  readonly conntrack?: { readonly node: string; readonly runs: readonly CheckRun[]; readonly location: string };
  readonly probeLocation: string;
  /** The snapshot the verdict used (with the probe pod added when one was used). */
  readonly snapshot: ClusterSnapshot;
  readonly port: number | string;
  readonly protocol?: Protocol;
  readonly analysis: ConnectivityAnalysis;
  /** Things to say in the report (which Service backend the verdict is about, ...). */
  readonly notes: readonly string[];
}

function findPod(snapshot: ClusterSnapshot, namespace: string, name: string): Pod | undefined {
  return snapshot.pods.find((p) => p.namespace === namespace && p.name === name && p.origin.type === 'pod');
}

interface Resolved {
  readonly destination: Endpoint;
  readonly target: ConnectivityTarget;
  readonly port: number | string;
  readonly protocol?: Protocol;
  readonly notes: string[];
}

function resolveDestination(request: ConnectivityRequest): Validated<Resolved> {
  const { snapshot, destination: d } = request;
  const dnsName = request.dnsName;
  if (d.kind === 'pod') {
    const pod = findPod(snapshot, d.namespace, d.name);
    if (!pod) return { ok: false, message: `pod ${d.namespace}/${d.name} is not in the cluster view; refresh it` };
    const destination: Endpoint = { kind: 'pod', pod };
    const target = podTarget(destination, request.port, { ...(request.protocol ? { protocol: request.protocol } : {}), ...(dnsName ? { dnsName } : {}) });
    if (!target.ok) return target;
    return { ok: true, value: { destination, target: target.value, port: request.port, ...(request.protocol ? { protocol: request.protocol } : {}), notes: [] } };
  }
  if (d.kind === 'service') {
    const service = snapshot.services.find((s) => s.namespace === d.namespace && s.name === d.name);
    if (!service) return { ok: false, message: `Service ${d.namespace}/${d.name} is not in the cluster view; refresh it` };
    const st = serviceTarget(snapshot, service, request.port);
    if (!st.ok) return st;
    const backend = st.value.backends[0];
    if (!backend) return { ok: false, message: `Service ${d.namespace}/${d.name} has no running backend pod for that port: there is nothing to connect to` };
    const target = dnsName ? { ...st.value.target, dnsName } : st.value.target;
    const notes = [
      `The checks connect to the Service (${target.host}:${target.port}); NetworkPolicy applies after its address translation, so the policy verdict is for its backend ${podKey(backend.pod)} on ${backend.port}/${backend.protocol}${st.value.backends.length > 1 ? ` (one of ${st.value.backends.length} backends; the kernel picks one per connection)` : ''}.`,
    ];
    return { ok: true, value: { destination: { kind: 'pod', pod: backend.pod }, target, port: backend.port, protocol: backend.protocol, notes } };
  }
  const owner = snapshot.pods.find((p) => p.ips.includes(d.ip));
  if (owner) return resolveDestination({ ...request, destination: { kind: 'pod', namespace: owner.namespace, name: owner.name } });
  const ip = parseIp(d.ip);
  if (!ip) return { ok: false, message: `${JSON.stringify(d.ip)} is not an IP address` };
  if (typeof request.port !== 'number') return { ok: false, message: 'give a port number for an address outside the cluster' };
  return {
    ok: true,
    value: {
      destination: { kind: 'external', ip },
      target: { host: d.ip, port: request.port, ...(request.protocol ? { protocol: request.protocol } : {}), ...(dnsName ? { dnsName } : {}) },
      port: request.port,
      ...(request.protocol ? { protocol: request.protocol } : {}),
      notes: [],
    },
  };
}

export class ConnectivityTest {
  private constructor(
    private readonly connection: ClusterConnection,
    readonly request: ConnectivityRequest,
    readonly sourcePod: Pod,
    private readonly resolved: Resolved,
    /** The checks that will run, in order. */
    readonly checks: readonly PlannedCheck[],
    /** Why a check was left out. */
    readonly notes: readonly string[],
    /** The debug session in the source pod. */
    readonly session: DebugSession,
    private readonly options: PrepareOptions,
  ) {}

  /**
   * Resolves the pods, plans the checks and prepares the debug session (permission check, pod
   * read, reuse decision). Writes nothing.
   * @throws an `InvalidRequest` DebugError (unknown pod, bad port), MissingPermissionsError, a ClusterError
   */
  static async prepare(connection: ClusterConnection, request: ConnectivityRequest, options: PrepareOptions = {}): Promise<ConnectivityTest> {
    const source = findPod(request.snapshot, request.source.namespace, request.source.name);
    if (!source) throw new DebugError('InvalidRequest', `pod ${request.source.namespace}/${request.source.name} is not in the cluster view; refresh it`);
    const resolved = resolveDestination(request);
    if (!resolved.ok) throw new DebugError('InvalidRequest', resolved.message);
    const plans = planConnectivityChecks(resolved.value.target, request.checks ?? {});
    if (!plans.ok) throw new DebugError('InvalidRequest', plans.message);
    const session = await DebugSession.prepare(
      connection,
      { namespace: source.namespace, pod: source.name },
      {
        image: request.image,
        ...(request.targetContainer ? { targetContainer: request.targetContainer } : {}),
        ...(request.securityProfile ? { securityProfile: request.securityProfile } : {}),
        ...options,
      },
    );
    const notes = [...plans.value.notes, ...(source.hostNetwork ? [`${podKey(source)} uses the host network: the checks run with its node's address, and NetworkPolicy does not isolate it.`] : [])];
    return new ConnectivityTest(connection, request, source, resolved.value, plans.value.checks, notes, session, options);
  }

  /** The writes {@link run} would make (none when the pod already has a netlens container). */
  plannedChanges(): PlannedChange[] {
    return this.session.plannedChanges();
  }

  /**
   * Starts the debug container (adding it only with `confirmed: true`), runs the checks and
   * analyses them.
   * @throws ConfirmationRequiredError, PodSecurityRejectedError (offer {@link planProbePod}),
   *   ContainerStartError, a Timeout or Cancelled DebugError, a ClusterError
   */
  async run(options: RunOptions = {}): Promise<ConnectivityResult> {
    const signal = options.signal ? { signal: options.signal } : {};
    options.onProgress?.({ stage: 'starting', message: this.session.reused ? `Using ${this.session.location}` : `Adding ${this.session.location}` });
    await this.session.start({ ...signal, ...(options.confirmed !== undefined ? { confirmed: options.confirmed } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
    const time = new Date();
    const { runs } = await runChecks(this.session, this.checks, { ...signal, onProgress: (check) => options.onProgress?.({ stage: 'check', message: check.check.plan.title, check }) });
    return this.result(time, runs, this.request.snapshot, this.sourcePod, this.session.location, []);
  }

  /**
   * The Pod Security fallback: plans a probe pod in the source namespace. Writes nothing.
   * @param options `copyLabels` (see ProbePod), `securityProfile` (use the rejection's suggestedProfile)
   */
  planProbePod(options: StepOptions & { readonly copyLabels?: boolean; readonly securityProfile?: SecurityProfile; readonly activeDeadlineSeconds?: number } = {}): Promise<ProbePod> {
    return ProbePod.plan(this.connection, { namespace: this.sourcePod.namespace, pod: this.sourcePod.name }, { image: this.request.image, ...this.settings(), ...options });
  }

  /**
   * Runs the checks in a probe pod: creates it (only with `confirmed: true`), runs, deletes it
   * in `finally` (also on failure and cancellation). The verdict is computed for the probe pod
   * as it is (its labels, its IP), since that is what the checks tested.
   */
  async runInProbePod(probe: ProbePod, options: RunOptions = {}): Promise<ConnectivityResult> {
    const signal = options.signal ? { signal: options.signal } : {};
    options.onProgress?.({ stage: 'starting', message: `Creating ${probe.location}` });
    const time = new Date();
    const { runs, ip } = await withProbePod(probe, { ...signal, ...(options.confirmed !== undefined ? { confirmed: options.confirmed } : {}) }, async (p) => {
      const podIp = await probe.podIp(signal);
      const out = await runChecks(p, this.checks, { ...signal, onProgress: (check) => options.onProgress?.({ stage: 'check', message: check.check.plan.title, check }) });
      return { runs: out.runs, ip: podIp };
    });
    const model = probe.asModelPod(ip);
    const snapshot = { ...this.request.snapshot, pods: [...this.request.snapshot.pods, model] };
    const note = probe.copyLabels
      ? `The checks ran in ${probe.location}, which the same policies select as ${podKey(this.sourcePod)}.`
      : `The checks ran in ${probe.location}: the policies selecting ${podKey(this.sourcePod)} do not select it, so the verdict is for the probe pod, not for ${podKey(this.sourcePod)}.`;
    return this.result(time, runs, snapshot, model, probe.location, [note]);
  }

  /**
   * Plans reading conntrack on a node (default: the destination pod's node, else the source's).
   * Writes nothing; run it with `runNodeConntrack(pod, { confirmed: true })`.
   */
  planNodeConntrack(options: StepOptions & { readonly node?: string; readonly namespace?: string } = {}): Promise<NodeDebugPod> {
    const dest = this.resolved.destination.kind === 'pod' ? this.resolved.destination.pod : undefined;
    const node = options.node ?? dest?.nodeName ?? this.sourcePod.nodeName;
    if (!node) return Promise.reject(new DebugError('InvalidRequest', 'no node is known for the pods of this test; name one'));
    return NodeDebugPod.plan(this.connection, { image: this.request.image, ...this.settings(), node, namespace: options.namespace ?? this.sourcePod.namespace, ...(options.signal ? { signal: options.signal } : {}) });
  }

  /** The result analysed again with a node's conntrack reading. */
  withConntrack(result: ConnectivityResult, conntrack: { readonly node: string; readonly runs: readonly CheckRun[]; readonly location: string }): ConnectivityResult {
    const analysis = analyzeConnectivity({
      snapshot: result.snapshot,
      source: result.source,
      destination: result.destination,
      port: result.port,
      ...(result.protocol ? { protocol: result.protocol } : {}),
      runs: result.runs,
      conntrack,
    });
    if (!analysis.ok) throw new DebugError('InvalidRequest', analysis.message);
    return { ...result, conntrack, analysis: analysis.value };
  }

  /** The prepare options that carry over to later steps (not its signal or timeout: those were for prepare). */
  private settings(): Omit<PrepareOptions, 'signal' | 'timeoutMs'> {
    const { signal: _signal, timeoutMs: _timeoutMs, ...rest } = this.options;
    return rest;
  }

  private result(time: Date, runs: CheckRun[], snapshot: ClusterSnapshot, source: Pod, location: string, notes: string[]): ConnectivityResult {
    const r = this.resolved;
    const analysis = analyzeConnectivity({ snapshot, source, destination: r.destination, port: r.port, ...(r.protocol ? { protocol: r.protocol } : {}), runs });
    if (!analysis.ok) throw new DebugError('InvalidRequest', analysis.message);
    return {
      time,
      source,
      destination: r.destination,
      target: r.target,
      runs,
      probeLocation: location,
      snapshot,
      port: r.port,
      ...(r.protocol ? { protocol: r.protocol } : {}),
      analysis: analysis.value,
      notes: [...this.notes, ...r.notes, ...notes],
    };
  }
}

/**
 * The narrow fix for a result whose diagnosis offers one, checked with the engine.
 * @returns the generated policies and what they change, or why none can be generated
 */
export function generateFix(result: ConnectivityResult): Validated<{ readonly generated: GeneratedPolicies; readonly check: GeneratedCheck }> {
  if (result.destination.kind !== 'pod') return { ok: false, message: 'a fix can only be generated for a destination pod' };
  const generated = generateAllowPolicies(result.snapshot, result.source, result.destination.pod, result.analysis.port.port, result.analysis.port.protocol);
  if (!generated.ok) return generated;
  return { ok: true, value: { generated: generated.value, check: checkGenerated(result.snapshot, generated.value) } };
}

/** The report text of a result, optionally with a generated fix. */
export function reportFor(result: ConnectivityResult, extras: { readonly context?: string; readonly fix?: GeneratedPolicies; readonly fixCheck?: GeneratedCheck } = {}): string {
  const destIp = result.destination.kind === 'pod' ? result.destination.pod.ips[0] : undefined;
  const showTarget = result.target.host !== destIp || result.target.dnsName !== undefined;
  return renderReport({
    analysis: result.analysis,
    source: result.source,
    destination: result.destination,
    runs: [...result.runs, ...(result.conntrack?.runs ?? [])],
    time: result.time,
    probeLocation: result.probeLocation,
    ...(showTarget ? { target: result.target } : {}),
    ...(extras.context ? { context: extras.context } : {}),
    ...(extras.fix ? { fix: extras.fix } : {}),
    ...(extras.fixCheck ? { fixCheck: extras.fixCheck } : {}),
    ...(result.notes.length ? { notes: result.notes } : {}),
  });
}
