/**
 * The fallback when Pod Security admission rejects an ephemeral container: a short-lived probe
 * pod in the source namespace, created after confirmation, waited for, and deleted afterwards
 * (also on failure and cancellation).
 *
 * Safety of the pod itself:
 * - `restartPolicy: Never` and `activeDeadlineSeconds`: it stops by itself if netlens dies.
 * - An ownerReference to the source pod with `controller: true`: no ReplicaSet, DaemonSet or Job
 *   adopts it even when it carries their labels (they only adopt orphans), and the garbage
 *   collector deletes it with the source pod if netlens could not.
 * - Copied labels leave out `pod-template-hash` and the other per-revision labels.
 * - No service account token, no service links, grace period 0.
 *
 * Its policies: with the source's labels it is selected by the same NetworkPolicies as the source
 * (and sits behind the same Services, so it may receive their traffic while it lives); without
 * them, only the policies selecting every pod of the namespace apply to it, which is a different
 * test. `plannedChanges()` says which.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { randomInt } from 'node:crypto';
import { stableLabels } from '../../core/connectivity/labels';
import type { ExecOutcome, Prober } from '../../core/connectivity/checks';
import type { Pod } from '../../core/model';
import { parseStatus } from '../errors';
import type { ClusterConnection } from '../kubeconfig';
import type { AccessReviewer } from '../rbac';
import { withCallOptions } from '../request';
import { ConfirmationRequiredError, DebugError, PodSecurityRejectedError, parsePodSecurityRejection } from './errors';
import { execInContainer } from './exec';
import { ownPodPermissions, requirePermissions } from './permissions';
import { RESTRICTED_SECURITY_CONTEXT, randomSuffix, type SecurityProfile } from './session';
import { API_TIMEOUT_MS, START_TIMEOUT_MS, step, type StepOptions } from './steps';
import { waitForContainerRunning } from './wait';
import type { ClusterWriteId, PlannedChange } from './writes';

export const PROBE_POD_PREFIX = 'netlens-probe-';
const CONTAINER = 'probe';

export interface ProbePodOptions {
  readonly image: string;
  /** Give the probe pod the source pod's stable labels (default false; see the file comment). */
  readonly copyLabels?: boolean;
  /** `restricted` when the namespace enforces Pod Security restricted (see `PodSecurityRejectedError.suggestedProfile`). */
  readonly securityProfile?: SecurityProfile;
  /** How long the pod may live at most (default 600 s). */
  readonly activeDeadlineSeconds?: number;
  /** Run on the source pod's node (default true): same CNI agent, same conntrack table. */
  readonly sameNode?: boolean;
  readonly apiTimeoutMs?: number;
  readonly startTimeoutMs?: number;
  readonly maxOutputBytes?: number;
  readonly random?: (max: number) => number;
  readonly reviewer?: AccessReviewer;
}

/** A pod netlens creates, uses and deletes: the probe pod and the node debug pod share this. */
export abstract class OwnPod implements Prober {
  private created = false;
  private running = false;
  private deleted = false;

  protected constructor(
    protected readonly connection: ClusterConnection,
    readonly namespace: string,
    readonly name: string,
    protected readonly manifestObject: Record<string, unknown>,
    private readonly writeIds: { readonly create: ClusterWriteId; readonly remove: ClusterWriteId },
    protected readonly settings: { readonly apiTimeoutMs?: number; readonly startTimeoutMs?: number; readonly maxOutputBytes?: number },
  ) {}

  abstract get location(): string;
  protected abstract summary(): string;
  protected abstract warnings(): string[];

  /** The manifest that will be created. */
  manifest(): Record<string, unknown> {
    return structuredClone(this.manifestObject);
  }

  /** The create and the delete, for the user to confirm. */
  plannedChanges(): PlannedChange[] {
    return [
      { write: this.writeIds.create, verb: 'create', resource: 'pods', namespace: this.namespace, name: this.name, summary: this.summary(), permanent: false, body: this.manifest(), warnings: this.warnings() },
      { write: this.writeIds.remove, verb: 'delete', resource: 'pods', namespace: this.namespace, name: this.name, summary: `deletes ${this.namespace}/${this.name} when the test ends`, permanent: false },
    ];
  }

  /**
   * Creates the pod (only with `confirmed: true`) and waits until it runs; deletes it again when
   * waiting fails or is cancelled.
   */
  async start(options: StepOptions & { readonly confirmed?: boolean } = {}): Promise<void> {
    if (this.running) return;
    if (this.deleted) throw new DebugError('InvalidRequest', `${this.namespace}/${this.name} was already deleted`);
    if (options.confirmed !== true) throw new ConfirmationRequiredError(this.plannedChanges());
    const apiTimeoutMs = this.settings.apiTimeoutMs ?? API_TIMEOUT_MS;
    try {
      await step(`creating pod ${this.namespace}/${this.name}`, { signal: options.signal, timeoutMs: apiTimeoutMs }, async (signal) => {
        try {
          await withCallOptions({ signal }, (o) => this.connection.core().createNamespacedPod({ namespace: this.namespace, body: this.manifestObject as V1Pod }, o));
        } catch (err) {
          throw this.createError(err);
        }
        this.created = true;
      });
    } catch (err) {
      // A create that timed out or was cancelled may still have happened on the server.
      if (!this.created && err instanceof DebugError && (err.kind === 'Timeout' || err.kind === 'Cancelled')) this.created = true;
      await this.delete().catch(() => undefined);
      throw err;
    }
    try {
      await waitForContainerRunning(this.connection, this.namespace, this.name, CONTAINER, 'regular', {
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? this.settings.startTimeoutMs ?? START_TIMEOUT_MS,
        apiTimeoutMs,
      });
    } catch (err) {
      await this.delete().catch(() => undefined);
      throw err;
    }
    this.running = true;
  }

  private createError(err: unknown): Error {
    const e = err as { code?: unknown; body?: unknown };
    const text = parseStatus(e?.body)?.message ?? '';
    const pss = parsePodSecurityRejection(text);
    if ((e?.code === 403 || e?.code === 422) && pss) {
      return new PodSecurityRejectedError(this.namespace, pss.level, pss.violations, this.podSecurityAdvice(pss.level));
    }
    return this.connection.classify(err, { verb: 'create', resource: 'pods', namespace: this.namespace, name: this.name });
  }

  protected abstract podSecurityAdvice(level: string): string;

  /** The pod's IP once it runs (read from the API). */
  async podIp(options: StepOptions = {}): Promise<string | undefined> {
    const obj = await step(`reading pod ${this.namespace}/${this.name}`, { signal: options.signal, timeoutMs: options.timeoutMs ?? this.settings.apiTimeoutMs ?? API_TIMEOUT_MS }, (signal) =>
      withCallOptions({ signal }, (o) => this.connection.core().readNamespacedPod({ namespace: this.namespace, name: this.name }, o)),
    );
    return obj.status?.podIP;
  }

  exec(argv: readonly string[], options: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<ExecOutcome> {
    if (!this.running) return Promise.reject(new DebugError('InvalidRequest', `start() ${this.namespace}/${this.name} before running commands`));
    return execInContainer(this.connection, { namespace: this.namespace, pod: this.name, container: CONTAINER }, argv, {
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.settings.maxOutputBytes !== undefined ? { maxOutputBytes: this.settings.maxOutputBytes } : {}),
    });
  }

  /**
   * Deletes the pod if this object created it; idempotent, a pod already gone is fine. Takes no
   * caller signal on purpose: cleanup runs after a cancellation too.
   */
  async delete(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (!this.created || this.deleted) return;
    this.running = false;
    try {
      await withCallOptions({ timeoutMs: options.timeoutMs ?? this.settings.apiTimeoutMs ?? API_TIMEOUT_MS }, (o) =>
        this.connection.core().deleteNamespacedPod({ namespace: this.namespace, name: this.name, gracePeriodSeconds: 0 }, o),
      );
    } catch (err) {
      if ((err as { code?: unknown })?.code !== 404) throw this.connection.classify(err, { verb: 'delete', resource: 'pods', namespace: this.namespace, name: this.name });
    }
    this.deleted = true;
  }
}

/** The source pod as the probe pod needs it. */
export interface ProbeSource {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName?: string;
}

export class ProbePod extends OwnPod {
  private constructor(
    connection: ClusterConnection,
    name: string,
    manifest: Record<string, unknown>,
    readonly source: ProbeSource,
    readonly copyLabels: boolean,
    options: ProbePodOptions,
  ) {
    super(connection, source.namespace, name, manifest, { create: 'probe-pod', remove: 'probe-pod-delete' }, options);
  }

  /**
   * Checks permissions, reads the source pod and builds the probe pod's manifest. Writes nothing.
   */
  static async plan(connection: ClusterConnection, source: { readonly namespace: string; readonly pod: string }, options: ProbePodOptions & StepOptions): Promise<ProbePod> {
    const apiTimeoutMs = options.apiTimeoutMs ?? API_TIMEOUT_MS;
    await requirePermissions(connection, ownPodPermissions(source.namespace), `create a probe pod in namespace ${source.namespace}, run commands in it and delete it`, {
      signal: options.signal,
      timeoutMs: apiTimeoutMs,
      ...(options.reviewer ? { reviewer: options.reviewer } : {}),
    });
    const obj = await step(`reading pod ${source.namespace}/${source.pod}`, { signal: options.signal, timeoutMs: apiTimeoutMs }, (signal) =>
      withCallOptions({ signal }, (o) => connection.core().readNamespacedPod({ namespace: source.namespace, name: source.pod }, o)).catch((err: unknown) => {
        throw connection.classify(err, { verb: 'get', resource: 'pods', namespace: source.namespace, name: source.pod });
      }),
    );
    return ProbePod.fromSource(
      connection,
      {
        namespace: source.namespace,
        name: source.pod,
        ...(obj.metadata?.uid ? { uid: obj.metadata.uid } : {}),
        labels: obj.metadata?.labels ?? {},
        ...(obj.spec?.nodeName ? { nodeName: obj.spec.nodeName } : {}),
      },
      options,
    );
  }

  /** @internal The manifest, from what is known of the source pod. */
  static fromSource(connection: ClusterConnection, source: ProbeSource, options: ProbePodOptions): ProbePod {
    const name = `${PROBE_POD_PREFIX}${randomSuffix(options.random ?? randomInt)}`;
    const deadline = options.activeDeadlineSeconds ?? 600;
    const copyLabels = options.copyLabels === true;
    const restricted = options.securityProfile === 'restricted';
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: source.namespace,
        ...(copyLabels ? { labels: { ...stableLabels(source.labels) } } : {}),
        annotations: { 'netlens.dev/purpose': `connectivity probe for ${source.namespace}/${source.name}; deleted when the test ends` },
        ...(source.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: source.name, uid: source.uid, controller: true }] } : {}),
      },
      spec: {
        restartPolicy: 'Never',
        activeDeadlineSeconds: deadline,
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        ...((options.sameNode ?? true) && source.nodeName ? { nodeName: source.nodeName } : {}),
        containers: [
          {
            name: CONTAINER,
            image: options.image,
            command: ['sleep', String(deadline)],
            terminationMessagePolicy: 'File',
            ...(restricted ? { securityContext: structuredClone(RESTRICTED_SECURITY_CONTEXT) } : {}),
          },
        ],
      },
    };
    return new ProbePod(connection, name, manifest, source, copyLabels, options);
  }

  get location(): string {
    return `probe pod ${this.namespace}/${this.name}${this.copyLabels ? ` (with ${this.source.name}'s labels)` : ' (without labels)'}`;
  }

  protected summary(): string {
    return `creates pod ${this.namespace}/${this.name} (image from netlens.debugImage, restartPolicy Never, deleted when the test ends)${this.copyLabels ? ` with ${this.source.namespace}/${this.source.name}'s labels` : ''}`;
  }

  protected warnings(): string[] {
    const labels = stableLabels(this.source.labels);
    return this.copyLabels
      ? [
          `With the labels ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '(none)'}, the same NetworkPolicies select it as ${this.source.name}, and it sits behind the same Services: while it lives it may receive some of their traffic (it answers nothing).`,
        ]
      : [
          `Without ${this.source.name}'s labels, the NetworkPolicies that select ${this.source.name} do not select the probe pod: only those selecting every pod of ${this.namespace} apply, so its results can differ from ${this.source.name}'s. Copy the labels to test what ${this.source.name} sees.`,
        ];
  }

  protected podSecurityAdvice(level: string): string {
    return level.startsWith('restricted')
      ? 'Retry with the restricted security profile (non-root), or ask for an exemption.'
      : 'The debug image or its settings do not meet the namespace level; ask for an exemption.';
  }

  /** The probe pod as a model pod, for the engine's verdict (it is not in the cluster snapshot). */
  asModelPod(ip: string | undefined): Pod {
    return {
      kind: 'Pod',
      namespace: this.namespace,
      name: this.name,
      labels: this.copyLabels ? stableLabels(this.source.labels) : {},
      ips: ip ? [ip] : [],
      ports: [],
      hostNetwork: false,
      ...(this.source.nodeName ? { nodeName: this.source.nodeName } : {}),
      phase: 'Running',
      origin: { type: 'pod' },
    };
  }
}

/**
 * Creates the probe pod, runs `fn` with it, and deletes it afterwards whatever happens.
 * @throws ConfirmationRequiredError without `confirmed: true` (nothing is created)
 */
export async function withProbePod<T>(probe: OwnPod, options: StepOptions & { readonly confirmed?: boolean }, fn: (probe: OwnPod) => Promise<T>): Promise<T> {
  await probe.start(options);
  try {
    return await fn(probe);
  } finally {
    await probe.delete();
  }
}
