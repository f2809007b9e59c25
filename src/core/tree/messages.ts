/**
 * What the cluster view says when something cannot be shown: connection and watch errors,
 * and resources hidden by RBAC, as messages with the actions that help. The cluster layer's
 * typed errors arrive as plain data (kind + one-line userMessage).
 */

/** Command ids the messages' actions run (registered by src/extension/cluster-view). */
export const TREE_COMMANDS = {
  retry: 'netlens.retryCluster',
  showLog: 'netlens.showLog',
  showDetails: 'netlens.showClusterErrorDetails',
  chooseNamespaces: 'netlens.chooseNamespaces',
  switchContext: 'netlens.switchContext',
  chooseKubeconfig: 'netlens.chooseKubeconfig',
  showMore: 'netlens.clusterView.showMore',
  openPolicy: 'netlens.openClusterPolicy',
} as const;

export type MessageSeverity = 'error' | 'warning' | 'info';

export interface MessageAction {
  readonly title: string;
  readonly command: string;
  readonly args?: readonly unknown[];
  /** A codicon name. */
  readonly icon: string;
}

export interface TreeMessage {
  /** Stable within its parent: the node id is built from it. */
  readonly key: string;
  readonly severity: MessageSeverity;
  /** Short, for the tree. */
  readonly label: string;
  /** The whole explanation: tooltip and "Show Details". */
  readonly detail: string;
  /** The error kind (`Forbidden`, `Unreachable`, …), `hidden`, or `loading`. */
  readonly kind: string;
  readonly actions: readonly MessageAction[];
}

/** A failing list/watch stream (from ClusterWatcher.errors()). */
export interface StreamProblem {
  readonly resource: string;
  /** Undefined: all namespaces, or a cluster-scoped resource. */
  readonly namespace?: string;
  readonly kind: string;
  readonly message: string;
}

/** Something RBAC hides (from ClusterWatcher.hidden()); `*` is every namespace. */
export interface HiddenProblem {
  readonly resource: string;
  readonly namespace: string;
  readonly reason: string;
}

export interface StreamInfo {
  readonly resource: string;
  readonly namespace?: string;
}

export interface ClusterStatus {
  readonly phase: 'connecting' | 'connected' | 'failed';
  /** Why connecting failed (phase `failed`). */
  readonly error?: { readonly kind: string; readonly message: string };
  readonly streamErrors: readonly StreamProblem[];
  readonly hidden: readonly HiddenProblem[];
  readonly streams: readonly StreamInfo[];
}

export const CONNECTING: ClusterStatus = { phase: 'connecting', streamErrors: [], hidden: [], streams: [] };

const RESOURCE_NAMES: Readonly<Record<string, string>> = {
  pods: 'pods',
  services: 'services',
  networkpolicies: 'NetworkPolicies',
  namespaces: 'namespaces',
  nodes: 'nodes',
};

export function resourceName(resource: string): string {
  return RESOURCE_NAMES[resource] ?? resource;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const RETRY: MessageAction = { title: 'Retry', command: TREE_COMMANDS.retry, icon: 'refresh' };
const SHOW_LOG: MessageAction = { title: 'Show Log', command: TREE_COMMANDS.showLog, icon: 'output' };
const CHOOSE_NAMESPACES: MessageAction = { title: 'Choose Namespaces', command: TREE_COMMANDS.chooseNamespaces, icon: 'filter' };
const SWITCH_CONTEXT: MessageAction = { title: 'Switch Context', command: TREE_COMMANDS.switchContext, icon: 'arrow-swap' };
const CHOOSE_KUBECONFIG: MessageAction = { title: 'Choose Kubeconfig File', command: TREE_COMMANDS.chooseKubeconfig, icon: 'folder-opened' };

function details(label: string, detail: string): MessageAction {
  return { title: 'Show Details', command: TREE_COMMANDS.showDetails, args: [`${label}.\n\n${detail}`], icon: 'info' };
}

/** The first sentence of a user message, capitalised, for a tree label. */
function firstClause(message: string): string {
  const cut = message.search(/[.:;](\s|$)/);
  return capitalized((cut > 0 ? message.slice(0, cut) : message).trim());
}

function errorLabel(kind: string, message: string): string {
  switch (kind) {
    case 'Unreachable':
      return 'Cannot reach the API server';
    case 'Expired':
      return 'Your credentials have expired';
    case 'Unauthorized':
      return 'The API server rejected your credentials';
    case 'Timeout':
      return 'The API server did not answer in time';
    case 'NoContext':
      return 'This context cannot be used';
    case 'NoKubeconfig':
      return 'The kubeconfig cannot be used';
    default:
      return firstClause(message) || 'Unexpected error talking to the cluster';
  }
}

function errorActions(kind: string, label: string, message: string): MessageAction[] {
  switch (kind) {
    case 'NoContext':
      return [SWITCH_CONTEXT, CHOOSE_KUBECONFIG];
    case 'NoKubeconfig':
      return [CHOOSE_KUBECONFIG, SHOW_LOG];
    case 'Forbidden':
      return [details(label, message), CHOOSE_NAMESPACES];
    default:
      return [RETRY, SHOW_LOG];
  }
}

function forbiddenLabel(resource: string, namespace: string): string {
  return namespace === '*'
    ? `You cannot list ${resourceName(resource)} across all namespaces (RBAC)`
    : `You cannot list ${resourceName(resource)} in namespace ${namespace} (RBAC)`;
}

function withoutPrefix(reason: string): string {
  const text = reason.replace(/^Forbidden:\s*/, '');
  return capitalized(text);
}

/** Messages shown directly under the context: the connection, cluster-wide errors, what RBAC hides everywhere. */
export function contextMessages(status: ClusterStatus, context: string): TreeMessage[] {
  const out: TreeMessage[] = [];
  if (status.phase === 'connecting') {
    out.push({ key: 'loading', severity: 'info', kind: 'loading', label: `Connecting to ${context}…`, detail: `Listing namespaces, pods, services and NetworkPolicies of context ${context}.`, actions: [] });
    return out;
  }
  if (status.phase === 'failed' && status.error) {
    const label = errorLabel(status.error.kind, status.error.message);
    out.push({ key: `connect:${status.error.kind}`, severity: 'error', kind: status.error.kind, label, detail: capitalized(status.error.message), actions: errorActions(status.error.kind, label, status.error.message) });
    return out;
  }
  // One message per kind of cluster-wide failure, naming the resources it affects.
  const byKind = new Map<string, StreamProblem[]>();
  for (const e of status.streamErrors) {
    if (e.namespace !== undefined) continue;
    byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e]);
  }
  for (const [kind, errors] of byKind) {
    const label = errorLabel(kind, errors[0]!.message);
    const resources = errors.map((e) => resourceName(e.resource)).join(', ');
    out.push({ key: `error:${kind}`, severity: 'error', kind, label, detail: `${capitalized(errors[0]!.message)}.\n\nAffects: ${resources}.`, actions: errorActions(kind, label, errors[0]!.message) });
  }
  for (const h of status.hidden) {
    if (h.namespace !== '*') continue;
    const label = forbiddenLabel(h.resource, '*');
    const detail = withoutPrefix(h.reason);
    out.push({ key: `hidden:${h.resource}`, severity: 'info', kind: 'hidden', label, detail, actions: [details(label, detail), CHOOSE_NAMESPACES] });
  }
  return out;
}

/** Messages shown at the top of a namespace: its failing streams and what RBAC hides in it. */
export function namespaceMessages(status: ClusterStatus, namespace: string): TreeMessage[] {
  if (status.phase !== 'connected') return [];
  const out: TreeMessage[] = [];
  for (const e of status.streamErrors) {
    if (e.namespace !== namespace) continue;
    const label = e.kind === 'Forbidden' ? forbiddenLabel(e.resource, namespace) : `${capitalized(resourceName(e.resource))}: ${errorLabel(e.kind, e.message).replace(/^./, (c) => c.toLowerCase())}`;
    out.push({ key: `error:${e.resource}:${e.kind}`, severity: 'error', kind: e.kind, label, detail: capitalized(e.message), actions: errorActions(e.kind, label, e.message) });
  }
  const reported = new Set<string>();
  for (const h of status.hidden) {
    if (h.namespace !== namespace) continue;
    reported.add(h.resource);
    const label = forbiddenLabel(h.resource, namespace);
    const detail = withoutPrefix(h.reason);
    out.push({ key: `hidden:${h.resource}`, severity: 'warning', kind: 'Forbidden', label, detail, actions: [details(label, detail), CHOOSE_NAMESPACES] });
  }
  // Cluster-wide reads were refused and the fallback streams skip this namespace: its
  // objects of that kind are missing, not absent.
  for (const h of status.hidden) {
    if (h.namespace !== '*' || reported.has(h.resource) || h.resource === 'namespaces' || h.resource === 'nodes') continue;
    const perNamespace = status.streams.filter((s) => s.resource === h.resource && s.namespace !== undefined);
    if (perNamespace.some((s) => s.namespace === namespace)) continue;
    const label = forbiddenLabel(h.resource, namespace);
    const detail = `${capitalized(resourceName(h.resource))} of namespace ${namespace} are not shown. ${withoutPrefix(h.reason)}`;
    out.push({ key: `hidden:${h.resource}`, severity: 'warning', kind: 'Forbidden', label, detail, actions: [details(label, detail), CHOOSE_NAMESPACES] });
  }
  return out;
}

/** Whether a resource of a namespace is known to be incomplete (for the folder's description). */
export function resourceHidden(status: ClusterStatus, resource: string, namespace: string): boolean {
  return namespaceMessages(status, namespace).some((m) => m.kind === 'Forbidden' && m.key === `hidden:${resource}`);
}
