// The cluster view's bridge to src/cluster. This module is the only one of the view that
// imports the cluster layer (and with it @kubernetes/client-node); load-runtime.ts loads it
// with a dynamic import() the first time the view is shown in a trusted workspace, so neither
// activation nor Restricted Mode ever evaluates it. It imports no `vscode`: what it returns is
// plain data, the watcher and promises.
import { stringify as stringifyYaml } from 'yaml';
import { ClusterError, classifyError, sanitize } from '../../cluster/errors';
import { discoverKubeconfig, type Kubeconfig } from '../../cluster/kubeconfig';
import { ClusterSession } from '../../cluster/session';
import { toWire } from '../../cluster/to-model';
import type { ChangeEvent, ClusterWatcher } from '../../cluster/watcher';
import type { ClusterStatus, StreamProblem } from '../../core/tree/messages';
import type { ContextInfo } from '../../core/tree/cluster-tree';

export interface DiscoverOptions {
  /** The `netlens.kubeconfig` setting (user or machine settings only). */
  readonly path: string | undefined;
}

export type Discovery =
  | { readonly state: 'found'; readonly kubeconfig: KubeconfigHandle }
  | { readonly state: 'none'; readonly message: string; readonly searched: readonly string[] };

/** Finds the kubeconfig as kubectl does (the setting, KUBECONFIG, ~/.kube/config, in-cluster). */
export function discover(options: DiscoverOptions): Discovery {
  const found = discoverKubeconfig({
    ...(options.path ? { path: options.path, pathOrigin: 'the netlens.kubeconfig setting' } : {}),
    kubeconfigHint: 'the netlens.kubeconfig setting',
    namespacesHint: 'netlens.namespaces',
  });
  if (found.state === 'none') return { state: 'none', message: found.error.userMessage, searched: found.searched };
  return { state: 'found', kubeconfig: new KubeconfigHandle(found.kubeconfig) };
}

export interface ConnectOptions {
  readonly namespaces: readonly string[];
}

export class KubeconfigHandle {
  constructor(private readonly kubeconfig: Kubeconfig) {}

  get files(): readonly string[] {
    return this.kubeconfig.files;
  }

  get source(): string {
    return this.kubeconfig.source;
  }

  get currentContext(): string | undefined {
    return this.kubeconfig.currentContext;
  }

  /** The kubeconfig's literal secrets, for the log's redactor (never shown). */
  secretValues(): string[] {
    return this.kubeconfig.secretValues();
  }

  contexts(): ContextInfo[] {
    return this.kubeconfig.contexts().map((c) => ({
      name: c.name,
      cluster: c.cluster,
      ...(c.server ? { server: c.server } : {}),
      ...(c.user ? { user: c.user } : {}),
      namespace: c.namespace,
    }));
  }

  /**
   * Connects to a context and lists everything once (resolves when every stream has listed or
   * failed once; failing streams keep retrying). Rejects with a ClusterError (NoContext, a
   * credential plugin that is missing, ...) when the context cannot be used at all.
   */
  async connect(context: string, options: ConnectOptions): Promise<LiveCluster> {
    const session = new ClusterSession(this.kubeconfig, { namespaces: options.namespaces });
    try {
      const watcher = await session.switchContext(context);
      return new LiveCluster(context, session, watcher);
    } catch (error) {
      await session.dispose();
      throw classifyError(error, { context });
    }
  }
}

/** One connected context: its watcher, its state as the tree shows it, and reads. */
export class LiveCluster {
  constructor(
    readonly context: string,
    private readonly session: ClusterSession,
    readonly watcher: ClusterWatcher,
  ) {}

  status(): ClusterStatus {
    const streamErrors: StreamProblem[] = this.watcher.errors().map((e) => ({
      resource: e.resource,
      ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
      kind: e.error.kind,
      message: e.error.userMessage,
    }));
    return {
      phase: 'connected',
      streamErrors,
      hidden: this.watcher.hidden(),
      streams: this.watcher.streams().map((s) => ({ resource: s.resource, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}) })),
    };
  }

  /** Technical lines for the log (sanitised by the cluster layer). */
  errorDetails(): string[] {
    return this.watcher.errors().map((e) => `${e.resource}${e.namespace ? ` in ${e.namespace}` : ''}: ${e.error.kind}: ${e.error.detail ?? e.error.userMessage}`);
  }

  onDidChange(listener: (events: readonly ChangeEvent[]) => void): { dispose(): void } {
    return this.watcher.onDidChange(listener);
  }

  onDidChangeStatus(listener: () => void): { dispose(): void } {
    return this.watcher.onDidChangeStatus(listener);
  }

  /** The policy as `kubectl get networkpolicy -o yaml` prints it, without managedFields. */
  async policyYaml(namespace: string, name: string): Promise<string> {
    const connection = this.session.connection;
    if (!connection) throw new ClusterError('NoContext', `not connected to context ${this.context}`);
    try {
      const policy = await connection.networking().readNamespacedNetworkPolicy({ name, namespace });
      return kubectlYaml({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...(toWire(policy) as Record<string, unknown>) });
    } catch (error) {
      throw connection.classify(error, { verb: 'get', resource: 'networkpolicies', namespace, name });
    }
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/** YAML the way kubectl prints an object: keys sorted, sequences not indented, no managedFields. */
export function kubectlYaml(object: Record<string, unknown>): string {
  const metadata = typeof object.metadata === 'object' && object.metadata !== null ? { ...(object.metadata as Record<string, unknown>) } : undefined;
  if (metadata) delete metadata.managedFields;
  const clean = metadata ? { ...object, metadata } : object;
  return stringifyYaml(sortKeys(clean), { indentSeq: false, lineWidth: 0 });
}

/** A short, safe text of any error for messages and the log. */
export function describeError(error: unknown): { kind: string; message: string; detail?: string } {
  const e = error instanceof ClusterError ? error : classifyError(error);
  return { kind: e.kind, message: e.userMessage, ...(e.detail ? { detail: e.detail } : {}) };
}

export { sanitize };
