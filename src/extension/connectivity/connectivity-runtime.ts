// The connectivity feature's bridge to src/cluster. Only this file of the feature imports the
// cluster layer as values (and with it @kubernetes/client-node); load-runtime.ts loads it with a
// dynamic import() the first time a test runs in a trusted workspace, so neither activation nor
// Restricted Mode evaluates it. No `vscode` here: plain data, connections and promises.
//
// It opens its own connection per context instead of borrowing the cluster view's: the view
// exposes no connection, and its snapshot is mixed with the workspace's policies for the editor
// features, while a test needs the cluster's own policies.
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { applyPolicy, fromWire, plannedPolicyChanges, readPolicyDocuments, type ApplyResult } from '../../cluster/debug/apply';
import {
  ConnectivityTest,
  generateFix,
  reportFor,
  type ConnectivityProgress,
  type ConnectivityRequest,
  type ConnectivityResult,
  type PrepareOptions,
} from '../../cluster/debug/connectivity';
import { ConfirmationRequiredError, ContainerStartError, DebugError, MissingPermissionsError, PodSecurityRejectedError } from '../../cluster/debug/errors';
import { runNodeConntrack, type NodeDebugPod } from '../../cluster/debug/node-debug';
import type { ProbePod } from '../../cluster/debug/probe-pod';
import { step, userMessageOf } from '../../cluster/debug/steps';
import type { PlannedChange } from '../../cluster/debug/writes';
import { ClusterError, classifyError, parseStatus, sanitize } from '../../cluster/errors';
import { discoverKubeconfig, type ClusterConnection, type Kubeconfig } from '../../cluster/kubeconfig';
import { withCallOptions } from '../../cluster/request';
import { readClusterOnce } from '../../cluster/watcher';
import type { ClusterSnapshot } from '../../core/model';

export { ConnectivityTest, DebugError, generateFix, reportFor, applyPolicy, plannedPolicyChanges, runNodeConntrack, userMessageOf };
export type { ApplyResult, ConnectivityProgress, ConnectivityRequest, ConnectivityResult, NodeDebugPod, PlannedChange, ProbePod };

/** Each API request of a test (permission checks, reads, the patch). */
export const API_TIMEOUT_MS = 15_000;
/** Waiting for a debug container or probe pod to run (image pulls can be slow). */
export const START_TIMEOUT_MS = 120_000;
/** Listing the cluster for the pickers and the verdict. */
export const READ_TIMEOUT_MS = 60_000;

export interface ContextChoice {
  readonly name: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly server?: string;
}

/** What went wrong, as the UI needs it: a kind to branch on, a line to show, details for the log. */
export interface ErrorInfo {
  readonly kind:
    | 'MissingPermissions'
    | 'PodSecurityRejected'
    | 'ContainerFailed'
    | 'EphemeralContainersUnsupported'
    | 'Cancelled'
    | 'Timeout'
    | 'ConfirmationRequired'
    | 'Cluster'
    | 'Other';
  readonly message: string;
  readonly detail?: string;
  /** With ContainerFailed: the kubelet's reason (ErrImagePull, ...). */
  readonly reason?: string;
  /** With PodSecurityRejected: the profile the fallback pod should use. */
  readonly suggestedProfile?: 'restricted' | 'default';
}

export function describeError(error: unknown): ErrorInfo {
  if (error instanceof MissingPermissionsError) return { kind: 'MissingPermissions', message: error.userMessage };
  if (error instanceof PodSecurityRejectedError) return { kind: 'PodSecurityRejected', message: error.userMessage, suggestedProfile: error.suggestedProfile };
  if (error instanceof ContainerStartError) return { kind: 'ContainerFailed', message: error.userMessage, reason: error.reason };
  if (error instanceof ConfirmationRequiredError) return { kind: 'ConfirmationRequired', message: error.userMessage };
  if (error instanceof DebugError) {
    const kind = error.kind === 'Cancelled' || error.kind === 'Timeout' || error.kind === 'EphemeralContainersUnsupported' ? error.kind : 'Other';
    return { kind, message: error.userMessage, ...(error.detail ? { detail: error.detail } : {}) };
  }
  if (error instanceof ClusterError) return { kind: 'Cluster', message: error.userMessage, ...(error.detail ? { detail: error.detail } : {}) };
  const classified = classifyError(error);
  return { kind: classified.kind === 'Unknown' ? 'Other' : 'Cluster', message: userMessageOf(classified), ...(classified.detail ? { detail: classified.detail } : {}) };
}

/** The kubeconfig as found now (the setting, KUBECONFIG, ~/.kube/config, in-cluster). */
export type Discovery =
  | { readonly state: 'found'; readonly access: ClusterAccess }
  | { readonly state: 'none'; readonly message: string; readonly searched: readonly string[] };

/**
 * Finds the kubeconfig. `path` is the `netlens.kubeconfig` setting, a machine-scoped setting the
 * caller reads only in a trusted workspace: a kubeconfig can run credential plugins.
 */
export function discover(path: string | undefined, namespaces: readonly string[]): Discovery {
  const found = discoverKubeconfig({
    ...(path ? { path, pathOrigin: 'the netlens.kubeconfig setting' } : {}),
    kubeconfigHint: 'the netlens.kubeconfig setting',
    namespacesHint: 'netlens.namespaces',
  });
  if (found.state === 'none') return { state: 'none', message: found.error.userMessage, searched: found.searched };
  return { state: 'found', access: new ClusterAccess(found.kubeconfig, namespaces) };
}

/** One kubeconfig: its contexts, a connection per context, and fresh reads of the cluster. */
export class ClusterAccess {
  private readonly connections = new Map<string, ClusterConnection>();

  constructor(
    private readonly kubeconfig: Kubeconfig,
    private readonly namespaces: readonly string[],
  ) {}

  /** Files the kubeconfig came from, for the log. */
  get files(): readonly string[] {
    return this.kubeconfig.files;
  }

  get currentContext(): string | undefined {
    return this.kubeconfig.currentContext;
  }

  /** The kubeconfig's literal secrets, for the log's redactor (never shown). */
  secretValues(): string[] {
    return this.kubeconfig.secretValues();
  }

  contexts(): ContextChoice[] {
    return this.kubeconfig.contexts().map((c) => ({ name: c.name, cluster: c.cluster, namespace: c.namespace, ...(c.server ? { server: c.server } : {}) }));
  }

  /** The context's server, to tell clusters apart in confirmations. Throws a NoContext ClusterError. */
  server(context: string): string | undefined {
    return this.kubeconfig.context(context).server;
  }

  /**
   * The connection to a context, made once per ClusterAccess. The UI discovers the kubeconfig
   * again for every command, so a refreshed token or a changed file is picked up. Permission
   * checks are not cached across steps: a user who was just granted a permission retries at once.
   */
  connection(context: string): ClusterConnection {
    let connection = this.connections.get(context);
    if (!connection) {
      connection = this.kubeconfig.connect(context);
      this.connections.set(context, connection);
    }
    return connection;
  }

  /** Lists namespaces, pods, services, policies and nodes once. */
  async read(context: string, signal: AbortSignal): Promise<ClusterSnapshot> {
    const connection = this.connection(context);
    if (signal.aborted) throw new DebugError('Cancelled', 'reading the cluster: cancelled');
    // readClusterOnce takes no signal: race it, so Cancel returns at once (the read ends by
    // itself within its request timeout).
    const read = readClusterOnce(connection, {
      resources: ['namespaces', 'pods', 'services', 'networkpolicies', 'nodes'],
      ...(this.namespaces.length ? { namespaces: this.namespaces } : {}),
      requestTimeoutMs: READ_TIMEOUT_MS,
    });
    read.catch(() => undefined);
    const cancelled = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new DebugError('Cancelled', 'reading the cluster: cancelled')), { once: true }));
    cancelled.catch(() => undefined);
    return (await Promise.race([read, cancelled])).snapshot;
  }

  prepare(context: string, request: ConnectivityRequest, signal: AbortSignal): Promise<ConnectivityTest> {
    const options: PrepareOptions = { signal, apiTimeoutMs: API_TIMEOUT_MS, startTimeoutMs: START_TIMEOUT_MS };
    return ConnectivityTest.prepare(this.connection(context), request, options);
  }

  /**
   * Validates every NetworkPolicy of `yaml` with a server-side dry run (`dryRun=All`: validation
   * and admission run, nothing is stored), so the confirmation the user answers next is about a
   * policy the API server accepts. apply.ts has no dry-run-only call; this is the same request
   * its `dryRunFirst` step sends.
   * @returns `namespace/name` of each policy accepted
   * @throws an `InvalidRequest` DebugError (not a policy, rejected), `AlreadyExists`, a ClusterError
   */
  async dryRun(context: string, yaml: string, signal: AbortSignal): Promise<string[]> {
    const connection = this.connection(context);
    const accepted: string[] = [];
    for (const d of readPolicyDocuments(yaml)) {
      const what = `${d.namespace}/${d.name}`;
      await step(`validating NetworkPolicy ${what}`, { signal, timeoutMs: API_TIMEOUT_MS }, (s) =>
        withCallOptions({ signal: s }, (o) =>
          connection.networking().createNamespacedNetworkPolicy({ namespace: d.namespace, body: fromWire(d.manifest, 'V1NetworkPolicy') as V1NetworkPolicy, dryRun: 'All' }, o),
        ).catch((err: unknown) => {
          const e = err as { code?: unknown; body?: unknown };
          if (e?.code === 409) throw new DebugError('AlreadyExists', `NetworkPolicy ${what} already exists; netlens never overwrites a policy: rename the generated one, or review and change the existing one yourself`);
          if (e?.code === 422 || e?.code === 400) throw new DebugError('InvalidRequest', `the API server rejected NetworkPolicy ${what} in the dry run: ${sanitize(parseStatus(e.body)?.message ?? `HTTP ${String(e.code)}`)}`);
          throw connection.classify(err, { verb: 'create', resource: 'networkpolicies', namespace: d.namespace, name: d.name });
        }),
      );
      accepted.push(what);
    }
    return accepted;
  }

  /** Creates the policies: a dry run of each again right before (nothing changed meanwhile), then the creates. */
  apply(context: string, yaml: string, signal: AbortSignal): Promise<ApplyResult> {
    // The caller asked the user first (or was called programmatically with confirm: true).
    return applyPolicy(this.connection(context), yaml, { dryRunFirst: true, confirmed: true, signal, timeoutMs: API_TIMEOUT_MS });
  }
}
