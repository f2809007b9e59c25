/**
 * A debug session in one pod: the pod's netlens ephemeral container, added once (after the
 * caller confirmed it) and reused by every later test, and exec in it.
 *
 * ```ts
 * const session = await DebugSession.prepare(conn, { namespace, pod }, { image });
 * if (session.plannedChanges().length && !(await askUser(session.plannedChanges()))) return;
 * await session.start({ confirmed: true, signal });
 * const runs = await runChecks(session, checks, { signal });
 * ```
 *
 * Why `sleep infinity`: ephemeral containers can never be restarted or removed. A container that
 * sleeps for an hour ends, and the next test would have to add another one, piling dead
 * containers up in the pod spec. One that sleeps forever is reused by every later test, so a pod
 * gets at most one netlens container per image; it costs one idle process. netshoot's `sleep`
 * (busybox on Alpine, and coreutils) accepts `infinity`.
 */
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { randomInt } from 'node:crypto';
import type { ExecOutcome, Prober } from '../../core/connectivity/checks';
import { parseStatus } from '../errors';
import type { ClusterConnection } from '../kubeconfig';
import type { AccessReviewer } from '../rbac';
import { withCallOptions } from '../request';
import { ConfirmationRequiredError, DebugError, PodSecurityRejectedError, parsePodSecurityRejection } from './errors';
import { execInContainer } from './exec';
import { debugContainerPermissions, requirePermissions } from './permissions';
import { API_TIMEOUT_MS, START_TIMEOUT_MS, step, type StepOptions } from './steps';
import { waitForContainerRunning } from './wait';
import type { PlannedChange } from './writes';

/** Names of netlens debug containers start with this. */
export const DEBUG_CONTAINER_PREFIX = 'netlens-debug-';

/** The command of the debug container (see the file comment). */
export const DEBUG_COMMAND: readonly string[] = ['sleep', 'infinity'];

/** Settings Pod Security "restricted" requires of every container. */
export const RESTRICTED_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  runAsUser: 65534,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export type SecurityProfile = 'default' | 'restricted';

export interface DebugSessionOptions {
  /** The debug image. Take it from the user's settings (netlens.debugImage) only, never from a workspace. */
  readonly image: string;
  /** The container whose process namespace the debug container joins (default: the pod's first container). */
  readonly targetContainer?: string;
  /**
   * `restricted`: run as non-root (uid 65534) with no privilege escalation, every capability
   * dropped and the RuntimeDefault seccomp profile, which Pod Security "restricted" admits; ping
   * (the MTU check) may then fail. Default: the image's own user, no added capabilities.
   */
  readonly securityProfile?: SecurityProfile;
  /** Each API request (default 15 s). */
  readonly apiTimeoutMs?: number;
  /** Waiting for the container to run (default 120 s). */
  readonly startTimeoutMs?: number;
  /** Per exec stream. */
  readonly maxOutputBytes?: number;
  /** Random source for the container name (tests); default crypto.randomInt. */
  readonly random?: (max: number) => number;
  /** A shared reviewer (its answers are cached). */
  readonly reviewer?: AccessReviewer;
}

/** `netlens-debug-` plus five random [a-z0-9]. */
export function randomSuffix(random: (max: number) => number = randomInt, length = 5): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[random(alphabet.length)];
  return s;
}

/** The ephemeral container netlens adds. */
export function debugContainerSpec(name: string, image: string, targetContainerName: string, profile: SecurityProfile = 'default'): Record<string, unknown> {
  return {
    name,
    image,
    command: [...DEBUG_COMMAND],
    targetContainerName,
    terminationMessagePolicy: 'File',
    ...(profile === 'restricted' ? { securityContext: structuredClone(RESTRICTED_SECURITY_CONTEXT) } : {}),
  };
}

/**
 * The strategic-merge patch body that adds `container` after the pod's existing ephemeral
 * containers, as `kubectl debug` sends it (`$setElementOrder` only when there are others).
 */
export function ephemeralContainerPatch(existing: readonly string[], container: Record<string, unknown>): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (existing.length) spec['$setElementOrder/ephemeralContainers'] = [...existing, String(container.name)].map((name) => ({ name }));
  spec.ephemeralContainers = [container];
  return { spec };
}

interface LooseContainer {
  name?: string;
  image?: string;
}

interface LooseContainerStatus {
  name?: string;
  state?: { running?: unknown; waiting?: { reason?: string }; terminated?: unknown };
}

export class DebugSession implements Prober {
  private started: boolean;

  private constructor(
    private readonly connection: ClusterConnection,
    readonly namespace: string,
    readonly pod: string,
    /** The ephemeral container the session runs in (new or reused). */
    readonly container: string,
    /** True when the pod already had a usable netlens container: nothing will be written. */
    readonly reused: boolean,
    /** True when the reused container is already running. */
    running: boolean,
    readonly targetContainer: string,
    private readonly existing: readonly string[],
    private readonly options: DebugSessionOptions,
  ) {
    this.started = running;
  }

  /**
   * Checks permissions (SelfSubjectAccessReview), reads the pod and decides: reuse its running
   * (or starting) netlens container with the same image, or add a new one. Writes nothing.
   * @throws MissingPermissionsError, a ClusterError (NotFound, ...), or PodNotReady
   */
  static async prepare(connection: ClusterConnection, target: { readonly namespace: string; readonly pod: string }, options: DebugSessionOptions & StepOptions): Promise<DebugSession> {
    const { namespace, pod } = target;
    if (!options.image || /\s/.test(options.image)) throw new DebugError('InvalidRequest', `the debug image ${JSON.stringify(options.image)} is not a valid image reference; set netlens.debugImage`);
    const apiTimeoutMs = options.apiTimeoutMs ?? API_TIMEOUT_MS;
    await requirePermissions(connection, debugContainerPermissions(namespace, pod), `add a debug container to ${namespace}/${pod} and run commands in it`, {
      signal: options.signal,
      timeoutMs: apiTimeoutMs,
      ...(options.reviewer ? { reviewer: options.reviewer } : {}),
    });
    const obj = await step(`reading pod ${namespace}/${pod}`, { signal: options.signal, timeoutMs: apiTimeoutMs }, (signal) =>
      withCallOptions({ signal }, (o) => connection.core().readNamespacedPod({ namespace, name: pod }, o)).catch((err: unknown) => {
        throw connection.classify(err, { verb: 'get', resource: 'pods', namespace, name: pod });
      }),
    );
    return DebugSession.fromPod(connection, obj, options);
  }

  /** @internal The decision of {@link prepare}, from a pod object. */
  static fromPod(connection: ClusterConnection, obj: V1Pod, options: DebugSessionOptions): DebugSession {
    const namespace = obj.metadata?.namespace ?? '';
    const pod = obj.metadata?.name ?? '';
    const phase = obj.status?.phase;
    if (phase !== 'Running') {
      throw new DebugError('PodNotReady', `pod ${namespace}/${pod} is ${phase ?? 'in an unknown phase'}, not Running: a connectivity test needs a running pod`);
    }
    const containers = (obj.spec?.containers ?? []) as LooseContainer[];
    const targetContainer = options.targetContainer ?? containers[0]?.name;
    if (!targetContainer || !containers.some((c) => c.name === targetContainer)) {
      throw new DebugError('InvalidRequest', `pod ${namespace}/${pod} has no container ${targetContainer ?? ''}; it has ${containers.map((c) => c.name).join(', ')}`);
    }
    const ephemeral = (obj.spec?.ephemeralContainers ?? []) as LooseContainer[];
    const statuses = (obj.status?.ephemeralContainerStatuses ?? []) as LooseContainerStatus[];
    const stateOf = (name: string): LooseContainerStatus['state'] => statuses.find((s) => s.name === name)?.state;
    const candidates = ephemeral.filter((c) => c.name?.startsWith(DEBUG_CONTAINER_PREFIX) && c.image === options.image);
    const running = candidates.find((c) => stateOf(c.name!)?.running !== undefined);
    const starting = candidates.find((c) => {
      const st = stateOf(c.name!);
      return st === undefined || (st.waiting !== undefined && (st.waiting.reason === undefined || st.waiting.reason === 'ContainerCreating' || st.waiting.reason === 'PodInitializing'));
    });
    const existing = ephemeral.map((c) => c.name ?? '').filter((n) => n !== '');
    const reuse = running ?? starting;
    if (reuse) return new DebugSession(connection, namespace, pod, reuse.name!, true, running !== undefined, targetContainer, existing, options);
    const taken = new Set([...containers, ...ephemeral, ...((obj.spec?.initContainers ?? []) as LooseContainer[])].map((c) => c.name));
    let name: string;
    do name = `${DEBUG_CONTAINER_PREFIX}${randomSuffix(options.random)}`;
    while (taken.has(name));
    return new DebugSession(connection, namespace, pod, name, false, false, targetContainer, existing, options);
  }

  /** Where commands run, for reports. */
  get location(): string {
    return `ephemeral container ${this.container} in ${this.namespace}/${this.pod}`;
  }

  /** The container netlens will add (the exact patch entry). */
  containerSpec(): Record<string, unknown> {
    return debugContainerSpec(this.container, this.options.image, this.targetContainer, this.options.securityProfile);
  }

  /** The strategic-merge patch body {@link start} sends. */
  patchBody(): Record<string, unknown> {
    return ephemeralContainerPatch(this.existing, this.containerSpec());
  }

  /** The writes {@link start} will make: none when an existing container is reused. */
  plannedChanges(): PlannedChange[] {
    if (this.reused) return [];
    const restricted = this.options.securityProfile === 'restricted';
    return [
      {
        write: 'ephemeral-container',
        verb: 'patch',
        resource: 'pods/ephemeralcontainers',
        namespace: this.namespace,
        name: this.pod,
        summary: `adds ephemeral container ${this.container} (image ${this.options.image}, command sleep infinity, ${restricted ? 'non-root, all capabilities dropped' : 'no added capabilities'}) to ${this.namespace}/${this.pod}; it stays in the pod spec until the pod is replaced`,
        permanent: true,
        body: this.patchBody(),
        warnings: [
          'Ephemeral containers cannot be removed: it stays until the pod is deleted or replaced (later tests reuse it).',
          `It shares the pod's network namespace, so the checks run with ${this.namespace}/${this.pod}'s IP and policies.`,
        ],
      },
    ];
  }

  /**
   * Adds the debug container if needed (only with `confirmed: true`) and waits until it runs.
   * @throws ConfirmationRequiredError (nothing written), PodSecurityRejectedError,
   *   ContainerStartError (image pull and the like, at once), a Timeout or Cancelled DebugError,
   *   a ClusterError
   */
  async start(options: StepOptions & { readonly confirmed?: boolean } = {}): Promise<void> {
    if (this.started) return;
    const apiTimeoutMs = this.options.apiTimeoutMs ?? API_TIMEOUT_MS;
    if (!this.reused) {
      const changes = this.plannedChanges();
      if (options.confirmed !== true) throw new ConfirmationRequiredError(changes);
      await step(`adding debug container ${this.container} to ${this.namespace}/${this.pod}`, { signal: options.signal, timeoutMs: apiTimeoutMs }, (signal) =>
        withCallOptions({ signal }, (o) =>
          this.connection
            .core()
            .patchNamespacedPodEphemeralcontainers({ namespace: this.namespace, name: this.pod, body: this.patchBody() }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch, o)),
        ).catch((err: unknown) => {
          throw this.patchError(err);
        }),
      );
    }
    await waitForContainerRunning(this.connection, this.namespace, this.pod, this.container, 'ephemeral', {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.options.startTimeoutMs ?? START_TIMEOUT_MS,
      apiTimeoutMs,
    });
    this.started = true;
  }

  private patchError(err: unknown): Error {
    const e = err as { code?: unknown; body?: unknown };
    const status = parseStatus(e?.body);
    const text = status?.message ?? '';
    const pss = parsePodSecurityRejection(text);
    if ((e?.code === 403 || e?.code === 422) && pss) {
      return new PodSecurityRejectedError(
        this.namespace,
        pss.level,
        pss.violations,
        pss.level.startsWith('restricted')
          ? `Use a short-lived probe pod in ${this.namespace} instead (non-root, restricted settings; deleted afterwards), or retry with the restricted security profile.`
          : `Use a short-lived probe pod in ${this.namespace} instead (deleted afterwards): the pod itself does not meet the namespace's level, a new pod can.`,
      );
    }
    if (e?.code === 404 && !status?.details?.name) {
      return new DebugError('EphemeralContainersUnsupported', 'this cluster does not support ephemeral containers (the ephemeralcontainers subresource is missing; Kubernetes 1.23+ has it): use a probe pod instead');
    }
    return this.connection.classify(err, { verb: 'patch', resource: 'pods/ephemeralcontainers', namespace: this.namespace, name: this.pod });
  }

  /**
   * Runs one argv in the debug container.
   * @throws a DebugError when the session has not started, or when cancelled
   */
  exec(argv: readonly string[], options: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<ExecOutcome> {
    if (!this.started) return Promise.reject(new DebugError('InvalidRequest', 'start() the debug session before running commands'));
    return execInContainer(this.connection, { namespace: this.namespace, pod: this.pod, container: this.container }, argv, {
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.options.maxOutputBytes !== undefined ? { maxOutputBytes: this.options.maxOutputBytes } : {}),
    });
  }
}
