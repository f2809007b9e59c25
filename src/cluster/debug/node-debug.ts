/**
 * Reading a node's conntrack table (the conntrack-exhaustion runbook): a privileged node debug
 * pod, created only after its own confirmation, pinned to the node, that runs `cat
 * nf_conntrack_count`, `cat nf_conntrack_max` and `dmesg`, and is deleted afterwards in `finally`.
 *
 * - `hostNetwork: true`: the conntrack counters are per network namespace; the node's are in the
 *   host's.
 * - `privileged: true`: reading the kernel log needs CAP_SYSLOG (and `kernel.dmesg_restrict`).
 * - No `hostPID`: nothing here needs the node's processes, so they stay out of reach.
 * - `nodeName` pinned, tolerations for every taint: it must run on that node, even a tainted one.
 * - `restartPolicy: Never`, a short `activeDeadlineSeconds`, no service account token.
 * - Namespace: the caller's choice (default the source pod's); it must allow privileged pods.
 */
import { randomInt } from 'node:crypto';
import { planNodeConntrackChecks, type CheckRun } from '../../core/connectivity/checks';
import type { ClusterConnection } from '../kubeconfig';
import type { AccessReviewer } from '../rbac';
import { ownPodPermissions, requirePermissions } from './permissions';
import { OwnPod, withProbePod } from './probe-pod';
import { runChecks, type RunChecksOptions } from './run-checks';
import { randomSuffix } from './session';
import { API_TIMEOUT_MS, type StepOptions } from './steps';

export const NODE_DEBUG_PREFIX = 'netlens-node-debug-';

export interface NodeDebugOptions {
  readonly image: string;
  readonly node: string;
  /** Where the pod goes; it must allow privileged pods (Pod Security "privileged"). */
  readonly namespace: string;
  /** Default 120 s. */
  readonly activeDeadlineSeconds?: number;
  readonly apiTimeoutMs?: number;
  readonly startTimeoutMs?: number;
  readonly maxOutputBytes?: number;
  readonly random?: (max: number) => number;
  readonly reviewer?: AccessReviewer;
}

export class NodeDebugPod extends OwnPod {
  private constructor(
    connection: ClusterConnection,
    name: string,
    manifest: Record<string, unknown>,
    readonly node: string,
    options: NodeDebugOptions,
  ) {
    super(connection, options.namespace, name, manifest, { create: 'node-debug-pod', remove: 'node-debug-pod-delete' }, options);
  }

  /** Checks permissions and builds the manifest. Writes nothing. */
  static async plan(connection: ClusterConnection, options: NodeDebugOptions & StepOptions): Promise<NodeDebugPod> {
    await requirePermissions(connection, ownPodPermissions(options.namespace), `create a node debug pod in namespace ${options.namespace}, run commands in it and delete it`, {
      signal: options.signal,
      timeoutMs: options.apiTimeoutMs ?? API_TIMEOUT_MS,
      ...(options.reviewer ? { reviewer: options.reviewer } : {}),
    });
    return NodeDebugPod.build(connection, options);
  }

  /** @internal */
  static build(connection: ClusterConnection, options: NodeDebugOptions): NodeDebugPod {
    const name = `${NODE_DEBUG_PREFIX}${randomSuffix(options.random ?? randomInt)}`;
    const deadline = options.activeDeadlineSeconds ?? 120;
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: options.namespace,
        annotations: { 'netlens.dev/purpose': `conntrack read on node ${options.node}; deleted when the read ends` },
      },
      spec: {
        nodeName: options.node,
        hostNetwork: true,
        restartPolicy: 'Never',
        activeDeadlineSeconds: deadline,
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        tolerations: [{ operator: 'Exists' }],
        containers: [
          {
            name: 'probe',
            image: options.image,
            command: ['sleep', String(deadline)],
            terminationMessagePolicy: 'File',
            securityContext: { privileged: true },
          },
        ],
      },
    };
    return new NodeDebugPod(connection, name, manifest, options.node, options);
  }

  get location(): string {
    return `node debug pod ${this.namespace}/${this.name} on node ${this.node}`;
  }

  protected summary(): string {
    return `creates a privileged pod ${this.namespace}/${this.name} on node ${this.node} (host network) to read nf_conntrack_count, nf_conntrack_max and dmesg; it is deleted when the read ends`;
  }

  protected warnings(): string[] {
    return [
      'The pod is privileged and uses the node\'s network: it can see and change the node\'s networking while it runs. It only runs cat and dmesg.',
      `Namespace ${this.namespace} must allow privileged pods (Pod Security level "privileged").`,
    ];
  }

  protected podSecurityAdvice(): string {
    return 'Choose a namespace whose Pod Security level is privileged for the node debug pod.';
  }
}

/**
 * Runs the conntrack checks in a planned node debug pod: creates it (only with `confirmed:
 * true`), runs `cat nf_conntrack_count`, `cat nf_conntrack_max` and `dmesg`, deletes it in
 * `finally` (also when cancelled).
 * @returns the runs, for `analyzeConnectivity({ conntrack: { node, runs } })`
 */
export async function runNodeConntrack(
  pod: NodeDebugPod,
  options: StepOptions & { readonly confirmed?: boolean; readonly onProgress?: RunChecksOptions['onProgress'] } = {},
): Promise<{ readonly node: string; readonly runs: CheckRun[]; readonly location: string }> {
  const signal = options.signal ? { signal: options.signal } : {};
  const { runs } = await withProbePod(pod, { ...signal, ...(options.confirmed !== undefined ? { confirmed: options.confirmed } : {}) }, (p) =>
    runChecks(p, planNodeConntrackChecks(), { ...signal, node: pod.node, ...(options.onProgress ? { onProgress: options.onProgress } : {}) }),
  );
  return { node: pod.node, runs, location: pod.location };
}

/** {@link NodeDebugPod.plan} and {@link runNodeConntrack} in one call, for callers that asked already. */
export async function readNodeConntrack(
  connection: ClusterConnection,
  options: NodeDebugOptions & StepOptions & { readonly confirmed?: boolean; readonly onProgress?: RunChecksOptions['onProgress'] },
): Promise<{ readonly node: string; readonly runs: CheckRun[]; readonly location: string }> {
  const pod = await NodeDebugPod.plan(connection, options);
  return runNodeConntrack(pod, options);
}
