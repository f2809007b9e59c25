/**
 * The cluster view's tree, as plain data: contexts → namespaces → Pods / NetworkPolicies /
 * Services; a policy expands to the pods it selects and to its rules, a rule to its peers,
 * a peer (and a service) to the pods it matches.
 *
 * Node objects are stable: `children()` returns the same object for the same id until that id
 * goes away, because VS Code matches the elements given to `onDidChangeTreeData` by identity.
 * `applyChanges()` takes the watcher's change events and answers which of the nodes handed
 * out so far must be refreshed (the pod, the group or folder listing it, the policy whose
 * counts moved), never "everything" for one pod.
 *
 * Lists are paged (`PAGE_SIZE`, then a "Show more" node) and a large namespace's pods are
 * grouped by application (grouping.ts). Work per namespace is cached per label set: pods of
 * one workload share their labels, so isolation and selector matches are computed once per
 * workload rather than once per pod.
 */
import { peerPods, policyLenses, type Lens } from '../editor/lenses';
import { namespaceLabelLookup, policySelects, selectorPeerMatchesPod, type NamespaceLabels } from '../engine/semantics';
import { emptySnapshot, podKey } from '../model';
import type { ClusterSnapshot, Namespace, NetworkPolicy, Pod, PolicyPeer, PolicyRule, Service, SourceRef } from '../model';
import { selectorMatches } from '../selector';
import { labelsMatch, namespaceMatcher, NO_FILTER, type TreeFilter } from './filter';
import { groupOf, OTHER_GROUP } from './grouping';
import { CONNECTING, contextMessages, namespaceMessages, TREE_COMMANDS, type ClusterStatus, type MessageAction, type TreeMessage } from './messages';

/** Items per list before a "Show more" node. */
export const PAGE_SIZE = 200;
/** A namespace with more pods than this lists them by application group. */
export const GROUP_THRESHOLD = 100;

export interface ContextInfo {
  readonly name: string;
  readonly cluster?: string;
  readonly server?: string;
  readonly user?: string;
  /** The context's default namespace. */
  readonly namespace?: string;
}

/** One watch event, as the cluster layer's ChangeEvent names it. */
export interface TreeChange {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly kind: string;
  /** Undefined for namespaces (and other cluster-scoped kinds). */
  readonly namespace?: string;
  readonly name: string;
}

export type Folder = 'pods' | 'policies' | 'services';
export type Direction = 'ingress' | 'egress';

interface NodeBase {
  readonly id: string;
  readonly parent: TreeNode | undefined;
}

export interface ContextNode extends NodeBase {
  readonly kind: 'context';
  readonly context: string;
}
export interface NamespaceNode extends NodeBase {
  readonly kind: 'namespace';
  readonly namespace: string;
}
export interface FolderNode extends NodeBase {
  readonly kind: 'folder';
  readonly namespace: string;
  readonly folder: Folder;
}
export interface GroupNode extends NodeBase {
  readonly kind: 'group';
  readonly namespace: string;
  readonly group: string;
}
export interface PodNode extends NodeBase {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly name: string;
  /** Listed under a policy, peer or service rather than under its namespace. */
  readonly ref: boolean;
}
export interface PolicyNode extends NodeBase {
  readonly kind: 'policy';
  readonly namespace: string;
  readonly name: string;
}
export interface ServiceNode extends NodeBase {
  readonly kind: 'service';
  readonly namespace: string;
  readonly name: string;
}
/** "Selects N pods" under a policy. */
export interface SelectionNode extends NodeBase {
  readonly kind: 'selection';
  readonly namespace: string;
  readonly policy: string;
}
export interface RuleNode extends NodeBase {
  readonly kind: 'rule';
  readonly namespace: string;
  readonly policy: string;
  readonly direction: Direction;
  readonly index: number;
}
export interface PeerNode extends NodeBase {
  readonly kind: 'peer';
  readonly namespace: string;
  readonly policy: string;
  readonly direction: Direction;
  readonly rule: number;
  readonly index: number;
}
/** A fixed line of text ("denies all ingress: no rules", "anywhere"). */
export interface NoteNode extends NodeBase {
  readonly kind: 'note';
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon: string;
}
/** "Show 200 more" at the end of a long list. */
export interface MoreNode extends NodeBase {
  readonly kind: 'more';
  /** The node whose children continue. */
  readonly list: TreeNode;
}
export interface MessageNode extends NodeBase {
  readonly kind: 'message';
  readonly message: TreeMessage;
}
export interface ActionNode extends NodeBase {
  readonly kind: 'action';
  readonly action: MessageAction;
}

export type TreeNode =
  | ContextNode
  | NamespaceNode
  | FolderNode
  | GroupNode
  | PodNode
  | PolicyNode
  | ServiceNode
  | SelectionNode
  | RuleNode
  | PeerNode
  | NoteNode
  | MoreNode
  | MessageNode
  | ActionNode;

/** Which policies isolate a pod, per direction (valid policies of its namespace that select it). */
export interface Isolation {
  readonly ingress: readonly NetworkPolicy[];
  readonly egress: readonly NetworkPolicy[];
}

const NOT_ISOLATED: Isolation = { ingress: [], egress: [] };

/** Pods of one namespace that share their labels (and host-network flag). */
interface LabelSet {
  readonly labels: Pod['labels'];
  readonly hostNetwork: boolean;
  readonly pods: Pod[];
}

/** What the lenses of a policy say, per rule and peer. */
export interface PolicyAnalysis {
  readonly selected: readonly Pod[];
  /** `ingress:0` → the rule's lens and, when it has several peers, one lens per peer. */
  readonly rules: ReadonlyMap<string, { readonly lens: Lens; readonly peers: readonly Lens[] }>;
}

const ZERO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
/** Live objects have no source; `policyLenses` needs one only to place lenses. */
const NO_SOURCE: SourceRef = { file: '', doc: 0, range: ZERO_RANGE, at: () => undefined };

const signatures = new WeakMap<Pod, string>();

/** A key equal for pods with the same labels and host-network flag. */
function labelSignature(pod: Pod): string {
  let sig = signatures.get(pod);
  if (sig === undefined) {
    const keys = Object.keys(pod.labels).sort();
    sig = `${pod.hostNetwork ? 'h' : 'p'}\u0000${keys.map((k) => `${k}=${pod.labels[k]}`).join('\u0000')}`;
    signatures.set(pod, sig);
  }
  return sig;
}

/** Names in the order people expect: `team-2` before `team-10`. */
const compareText = new Intl.Collator('en', { numeric: true }).compare;

function byName<T extends { name: string }>(a: T, b: T): number {
  return compareText(a.name, b.name);
}

function byGroup(a: string, b: string): number {
  if (a === b) return 0;
  if (a === OTHER_GROUP) return 1;
  if (b === OTHER_GROUP) return -1;
  return compareText(a, b);
}

class NamespaceData {
  namespace: Namespace | undefined;
  readonly pods = new Map<string, Pod>();
  readonly policies = new Map<string, NetworkPolicy>();
  readonly services = new Map<string, Service>();
  private sortedPods?: Pod[];
  private visible?: { filter: TreeFilter; pods: Pod[]; groups: Map<string, Pod[]> | undefined };
  private sortedPolicies?: NetworkPolicy[];
  private sortedServices?: Service[];
  private labelSetsCache?: LabelSet[];
  private readonly isolationCache = new Map<string, Isolation>();

  get empty(): boolean {
    return !this.namespace && this.pods.size === 0 && this.policies.size === 0 && this.services.size === 0;
  }

  podList(): Pod[] {
    return (this.sortedPods ??= [...this.pods.values()].sort(byName));
  }

  policyList(): NetworkPolicy[] {
    return (this.sortedPolicies ??= [...this.policies.values()].sort(byName));
  }

  serviceList(): Service[] {
    return (this.sortedServices ??= [...this.services.values()].sort(byName));
  }

  /** The pods the filter lets through and, for a large namespace, their groups. */
  visiblePods(filter: TreeFilter): { pods: Pod[]; groups: Map<string, Pod[]> | undefined } {
    if (this.visible?.filter === filter) return this.visible;
    const pods = filter.labels ? this.podList().filter((p) => labelsMatch(filter, p.labels)) : this.podList();
    let groups: Map<string, Pod[]> | undefined;
    if (pods.length > GROUP_THRESHOLD) {
      const byKey = new Map<string, Pod[]>();
      for (const p of pods) {
        const key = groupOf(p);
        const list = byKey.get(key);
        if (list) list.push(p);
        else byKey.set(key, [p]);
      }
      // Grouping helps only when groups hold several pods each.
      if (byKey.size > 1 && byKey.size <= pods.length / 2) groups = new Map([...byKey.entries()].sort(([a], [b]) => byGroup(a, b)));
    }
    this.visible = { filter, pods, groups };
    return this.visible;
  }

  labelSets(): LabelSet[] {
    if (!this.labelSetsCache) {
      const sets = new Map<string, LabelSet>();
      for (const p of this.pods.values()) {
        const sig = labelSignature(p);
        const set = sets.get(sig);
        if (set) set.pods.push(p);
        else sets.set(sig, { labels: p.labels, hostNetwork: p.hostNetwork, pods: [p] });
      }
      this.labelSetsCache = [...sets.values()];
    }
    return this.labelSetsCache;
  }

  isolation(pod: Pod): Isolation {
    if (pod.hostNetwork) return NOT_ISOLATED;
    const sig = labelSignature(pod);
    let iso = this.isolationCache.get(sig);
    if (!iso) {
      const ingress: NetworkPolicy[] = [];
      const egress: NetworkPolicy[] = [];
      for (const policy of this.policyList()) {
        if (policySelects(policy, pod, 'Ingress')) ingress.push(policy);
        if (policySelects(policy, pod, 'Egress')) egress.push(policy);
      }
      iso = ingress.length || egress.length ? { ingress, egress } : NOT_ISOLATED;
      this.isolationCache.set(sig, iso);
    }
    return iso;
  }

  /** Pods of this namespace a policy's podSelector selects (host-network pods never). */
  selectedPods(policy: NetworkPolicy): Pod[] {
    const out: Pod[] = [];
    for (const set of this.labelSets()) if (!set.hostNetwork && selectorMatches(policy.podSelector, set.labels)) out.push(...set.pods);
    return out.sort(byName);
  }

  selectedCount(policy: NetworkPolicy): number {
    let n = 0;
    for (const set of this.labelSets()) if (!set.hostNetwork && selectorMatches(policy.podSelector, set.labels)) n += set.pods.length;
    return n;
  }

  /** Pods a Service's selector picks; a Service without selector picks none. */
  servicePods(service: Service): Pod[] {
    const selector = service.selector;
    if (!selector) return [];
    const out: Pod[] = [];
    for (const set of this.labelSets()) {
      if (Object.keys(selector).every((k) => set.labels[k] === selector[k])) out.push(...set.pods);
    }
    return out.sort(byName);
  }
}

/** Which list a pod of a namespace is in, as the grouping of `data` puts it. */
function groupKeyIn(data: NamespaceData | undefined, filter: TreeFilter, pod: Pod | undefined): string | undefined {
  if (!data || !pod) return undefined;
  const { groups } = data.visiblePods(filter);
  return groups ? groupOf(pod) : undefined;
}

export class ClusterTreeModel {
  private contextList: ContextInfo[] = [];
  private active: string | undefined;
  private statusValue: ClusterStatus = CONNECTING;
  private snapshotValue: ClusterSnapshot = emptySnapshot();
  private readonly data = new Map<string, NamespaceData>();
  private namespaceNames?: string[];
  private filterValue: TreeFilter = NO_FILTER;
  private readonly nodes = new Map<string, TreeNode>();
  private readonly limits = new Map<string, number>();
  /** Pod key → ids of the nodes showing it under policies, peers and services. */
  private readonly refs = new Map<string, Set<string>>();
  private readonly analyses = new Map<string, { policy: NetworkPolicy; version: number; analysis: PolicyAnalysis }>();
  private readonly peerLists = new Map<string, { version: number; policy: NetworkPolicy; pods: Pod[] }>();
  private nsLabels?: { version: number; lookup: NamespaceLabels };
  private podsVersion = 0;
  private rootMessage: TreeMessage | undefined;

  constructor(
    /** Names the data in lens titles ("context prod"). */
    private sourceName = 'cluster',
  ) {}

  // -------------------------------------------------------------------------------------------
  // Input

  /** The kubeconfig's contexts and the one being shown. Forgets all data and nodes. */
  setContexts(contexts: readonly ContextInfo[], active: string | undefined): void {
    this.contextList = [...contexts];
    if (active !== undefined && !this.contextList.some((c) => c.name === active)) this.contextList.push({ name: active });
    this.active = active;
    this.sourceName = active !== undefined ? `context ${active}` : 'cluster';
    this.rootMessage = undefined;
    this.statusValue = CONNECTING;
    this.snapshotValue = emptySnapshot();
    this.data.clear();
    this.namespaceNames = undefined;
    this.nodes.clear();
    this.limits.clear();
    this.refs.clear();
    this.analyses.clear();
    this.peerLists.clear();
    this.podsVersion++;
  }

  /** The connection's state, errors and what RBAC hides. Returns the nodes whose messages changed. */
  setStatus(status: ClusterStatus): TreeNode[] {
    const before = this.messageSignature();
    const phaseChanged = status.phase !== this.statusValue.phase;
    this.statusValue = status;
    if (this.active === undefined) return [];
    const ctx = this.nodes.get(this.contextId(this.active));
    if (phaseChanged) return ctx ? [ctx] : [];
    const after = this.messageSignature();
    const out: TreeNode[] = [];
    if (before.context !== after.context && ctx) out.push(ctx);
    for (const [ns, sig] of after.namespaces) {
      if (before.namespaces.get(ns) === sig) continue;
      const node = this.nodes.get(this.namespaceId(ns));
      if (node) out.push(node);
    }
    for (const ns of before.namespaces.keys()) {
      if (after.namespaces.has(ns)) continue;
      const node = this.nodes.get(this.namespaceId(ns));
      if (node) out.push(node);
    }
    return dedupe(out);
  }

  /** Replaces all cluster data (the first list, a relist after reconnecting). */
  setSnapshot(snapshot: ClusterSnapshot): void {
    this.snapshotValue = snapshot;
    this.data.clear();
    for (const n of snapshot.namespaces) this.dataFor(n.name).namespace = n;
    for (const p of snapshot.pods) this.dataFor(p.namespace).pods.set(p.name, p);
    for (const p of snapshot.policies) this.dataFor(p.namespace).policies.set(p.name, p);
    for (const s of snapshot.services) this.dataFor(s.namespace).services.set(s.name, s);
    this.namespaceNames = undefined;
    this.analyses.clear();
    this.podsVersion++;
    // Keep the context and namespace nodes (their ids survive); drop what lies below folders.
    for (const [id, node] of this.nodes) if (node.kind !== 'context' && node.kind !== 'namespace' && node.kind !== 'folder') this.nodes.delete(id);
    this.refs.clear();
  }

  /**
   * Applies watch events. `snapshot` is the watcher's snapshot after them. Returns the nodes
   * handed out so far that must be refreshed, none of them below another one in the list.
   */
  applyChanges(snapshot: ClusterSnapshot, changes: readonly TreeChange[]): TreeNode[] {
    this.snapshotValue = snapshot;
    if (this.active === undefined || changes.length === 0) return [];
    const touched = new Set<string>();
    for (const c of changes) {
      if (c.kind === 'Namespace') touched.add(c.name);
      else if (c.namespace !== undefined) touched.add(c.namespace);
    }
    const fresh = new Map<string, NamespaceData>();
    for (const ns of touched) fresh.set(ns, new NamespaceData());
    for (const n of snapshot.namespaces) {
      const d = fresh.get(n.name);
      if (d) d.namespace = n;
    }
    for (const p of snapshot.pods) fresh.get(p.namespace)?.pods.set(p.name, p);
    for (const p of snapshot.policies) fresh.get(p.namespace)?.policies.set(p.name, p);
    for (const s of snapshot.services) fresh.get(s.namespace)?.services.set(s.name, s);

    const out = new Set<TreeNode>();
    const add = (id: string): void => {
      const node = this.nodes.get(id);
      if (node) out.add(node);
    };
    let podsChanged = false;
    let namespaceSetChanged = false;
    let namespaceLabelsChanged = false;
    const filter = this.filterValue;
    for (const [ns, next] of fresh) {
      const prev = this.data.get(ns);
      const nsId = this.namespaceId(ns);
      const podsFolder = `${nsId}/pods`;
      if (!prev !== next.empty) namespaceSetChanged = true;
      if (prev?.namespace && next.namespace && !sameLabels(prev.namespace.labels, next.namespace.labels)) {
        namespaceLabelsChanged = true;
        add(nsId);
      }
      const prevGroups = prev?.visiblePods(filter).groups;
      const nextGroups = next.visiblePods(filter).groups;
      const groupingChanged = !prevGroups !== !nextGroups || (prevGroups && nextGroups && !sameKeys(prevGroups, nextGroups));
      if (groupingChanged) add(podsFolder);
      for (const c of changes) {
        const namespace = c.kind === 'Namespace' ? c.name : c.namespace;
        if (namespace !== ns) continue;
        if (c.kind === 'Pod') {
          const before = prev?.pods.get(c.name);
          const after = next.pods.get(c.name);
          if (before === after) continue;
          podsChanged = true;
          const beforeGroup = groupKeyIn(prev, filter, before);
          const afterGroup = groupKeyIn(next, filter, after);
          const listOf = (group: string | undefined): string => (group === undefined ? podsFolder : `${podsFolder}/group:${group}`);
          if (!before || !after || beforeGroup !== afterGroup || labelSignature(before) !== labelSignature(after)) {
            // In or out of a list, or moved between lists: the lists change.
            if (before) add(listOf(beforeGroup));
            if (after) add(listOf(afterGroup));
            if (!nextGroups) add(podsFolder);
            if (before && (!after || beforeGroup !== afterGroup)) this.forget(`${listOf(beforeGroup)}/pod:${c.name}`);
          } else {
            add(`${listOf(afterGroup)}/pod:${c.name}`);
          }
          for (const id of this.refs.get(podKey({ namespace: ns, name: c.name })) ?? []) {
            if (after) add(id);
          }
          if (!after) this.refs.delete(podKey({ namespace: ns, name: c.name }));
          // The policies and services of the namespace whose selection gained or lost it.
          if (!before || !after || labelSignature(before) !== labelSignature(after)) {
            for (const pod of [before, after]) {
              if (!pod || pod.hostNetwork) continue;
              for (const policy of next.policyList()) if (selectorMatches(policy.podSelector, pod.labels)) add(`${nsId}/policies/policy:${policy.name}`);
              for (const s of next.serviceList()) {
                const sel = s.selector;
                if (sel && Object.keys(sel).every((k) => pod.labels[k] === sel[k])) add(`${nsId}/services/service:${s.name}`);
              }
            }
          }
        } else if (c.kind === 'NetworkPolicy') {
          const before = prev?.policies.get(c.name);
          const after = next.policies.get(c.name);
          if (before === after) continue;
          const id = `${nsId}/policies/policy:${c.name}`;
          if (!before || !after) {
            add(`${nsId}/policies`);
            this.forget(id);
          } else add(id);
          this.analyses.delete(id);
          // Isolation badges of the namespace's pods.
          add(podsFolder);
        } else if (c.kind === 'Service') {
          const before = prev?.services.get(c.name);
          const after = next.services.get(c.name);
          if (before === after) continue;
          const id = `${nsId}/services/service:${c.name}`;
          if (!before || !after) {
            add(`${nsId}/services`);
            this.forget(id);
          } else add(id);
        }
      }
      if (next.empty) this.data.delete(ns);
      else this.data.set(ns, next);
    }
    if (namespaceSetChanged) {
      this.namespaceNames = undefined;
      add(this.contextId(this.active));
      for (const ns of touched) if (!this.data.has(ns)) this.forget(this.namespaceId(ns));
    }
    if (podsChanged || namespaceLabelsChanged) {
      this.podsVersion++;
      // Peers reach across namespaces: every policy whose rules were expanded is checked.
      for (const [id, cached] of this.analyses) {
        const node = this.nodes.get(id);
        if (!node || node.kind !== 'policy') continue;
        const analysis = this.analyze(cached.policy, id);
        if (!sameAnalysis(cached.analysis, analysis)) out.add(node);
      }
    }
    return dedupe([...out]);
  }

  /** Sets the filter; the caller refreshes the whole tree. */
  setFilter(filter: TreeFilter): void {
    this.filterValue = filter;
    this.namespaceNames = undefined;
    // Pod lists and groups depend on the filter: their ids go, the context and namespaces stay.
    for (const [id, node] of this.nodes) if (node.kind !== 'context' && node.kind !== 'namespace' && node.kind !== 'folder') this.nodes.delete(id);
    this.limits.clear();
    this.refs.clear();
  }

  /** Shows one more page of `more.list`; returns the node to refresh. */
  showMore(more: MoreNode): TreeNode {
    this.limits.set(more.list.id, (this.limits.get(more.list.id) ?? PAGE_SIZE) + PAGE_SIZE);
    this.nodes.delete(more.id);
    return more.list;
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  get filter(): TreeFilter {
    return this.filterValue;
  }

  get status(): ClusterStatus {
    return this.statusValue;
  }

  get activeContext(): string | undefined {
    return this.active;
  }

  get contexts(): readonly ContextInfo[] {
    return this.contextList;
  }

  get snapshot(): ClusterSnapshot {
    return this.snapshotValue;
  }

  context(name: string): ContextInfo | undefined {
    return this.contextList.find((c) => c.name === name);
  }

  namespace(name: string): Namespace | undefined {
    return this.data.get(name)?.namespace;
  }

  pod(namespace: string, name: string): Pod | undefined {
    return this.data.get(namespace)?.pods.get(name);
  }

  policy(namespace: string, name: string): NetworkPolicy | undefined {
    return this.data.get(namespace)?.policies.get(name);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.data.get(namespace)?.services.get(name);
  }

  counts(namespace: string): { pods: number; visiblePods: number; policies: number; services: number; groups: number | undefined } {
    const d = this.data.get(namespace);
    if (!d) return { pods: 0, visiblePods: 0, policies: 0, services: 0, groups: undefined };
    const visible = d.visiblePods(this.filterValue);
    return { pods: d.pods.size, visiblePods: visible.pods.length, policies: d.policies.size, services: d.services.size, groups: visible.groups?.size };
  }

  groupSize(namespace: string, group: string): number {
    return this.data.get(namespace)?.visiblePods(this.filterValue).groups?.get(group)?.length ?? 0;
  }

  /** The valid policies of its namespace that select a pod, per direction. */
  isolation(pod: Pod): Isolation {
    return this.data.get(pod.namespace)?.isolation(pod) ?? NOT_ISOLATED;
  }

  selectedCount(policy: NetworkPolicy): number {
    return this.data.get(policy.namespace)?.selectedCount(policy) ?? 0;
  }

  servicePodCount(service: Service): number {
    return this.data.get(service.namespace)?.servicePods(service).length ?? 0;
  }

  /** What the lenses say about a policy's selection, rules and peers (cached until pods change). */
  policyAnalysis(node: PolicyNode | SelectionNode | RuleNode | PeerNode): PolicyAnalysis | undefined {
    const name = node.kind === 'policy' ? node.name : node.policy;
    const policy = this.policy(node.namespace, name);
    if (!policy) return undefined;
    return this.analyze(policy, this.policyId(node.namespace, name));
  }

  /** Number of items a list node holds in all (for "Show more"). */
  listTotal(list: TreeNode): number {
    return this.listItems(list).length;
  }

  shown(list: TreeNode): number {
    return Math.min(this.limits.get(list.id) ?? PAGE_SIZE, this.listTotal(list));
  }

  get(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }

  /** Replaces the whole tree with one message (the cluster layer could not be loaded, ...). */
  setRootMessage(message: TreeMessage): void {
    this.setContexts([], undefined);
    this.rootMessage = message;
  }

  roots(): TreeNode[] {
    if (this.rootMessage) return [this.messageNode(undefined, this.rootMessage)];
    return this.contextList.map((c) => this.node<ContextNode>(this.contextId(c.name), () => ({ kind: 'context', id: this.contextId(c.name), parent: undefined, context: c.name })));
  }

  parent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  /** The node of a pod under its namespace (created if need be, so it can be revealed). */
  podNode(namespace: string, name: string): PodNode | undefined {
    const data = this.data.get(namespace);
    const pod = data?.pods.get(name);
    if (!data || !pod || this.active === undefined) return undefined;
    const { pods, groups } = data.visiblePods(this.filterValue);
    if (!pods.includes(pod)) return undefined;
    const folder = this.folderNode(this.namespaceNode(namespace), 'pods');
    let list: TreeNode = folder;
    let items: Pod[] = pods;
    if (groups) {
      const key = groupOf(pod);
      list = this.node<GroupNode>(`${folder.id}/group:${key}`, () => ({ kind: 'group', id: `${folder.id}/group:${key}`, parent: folder, namespace, group: key }));
      items = groups.get(key) ?? [];
    }
    const at = items.indexOf(pod);
    if (at >= (this.limits.get(list.id) ?? PAGE_SIZE)) this.limits.set(list.id, Math.ceil((at + 1) / PAGE_SIZE) * PAGE_SIZE);
    return this.podItem(list, pod, false);
  }

  /** The node of a policy under its namespace's folder. */
  policyNode(namespace: string, name: string): PolicyNode | undefined {
    const data = this.data.get(namespace);
    if (!data?.policies.has(name) || this.active === undefined) return undefined;
    const folder = this.folderNode(this.namespaceNode(namespace), 'policies');
    const at = data.policyList().findIndex((p) => p.name === name);
    if (at >= (this.limits.get(folder.id) ?? PAGE_SIZE)) this.limits.set(folder.id, Math.ceil((at + 1) / PAGE_SIZE) * PAGE_SIZE);
    return this.node<PolicyNode>(`${folder.id}/policy:${name}`, () => ({ kind: 'policy', id: `${folder.id}/policy:${name}`, parent: folder, namespace, name }));
  }

  /** The "selects N pods" node of a policy. */
  selectionNode(namespace: string, name: string): SelectionNode | undefined {
    const policy = this.policyNode(namespace, name);
    return policy && this.node<SelectionNode>(`${policy.id}/selects`, () => ({ kind: 'selection', id: `${policy.id}/selects`, parent: policy, namespace, policy: name }));
  }

  children(node?: TreeNode): TreeNode[] {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'context':
        return this.contextChildren(node);
      case 'namespace':
        return [
          ...namespaceMessages(this.statusValue, node.namespace).map((m) => this.messageNode(node, m)),
          this.folderNode(node, 'pods'),
          this.folderNode(node, 'policies'),
          this.folderNode(node, 'services'),
        ];
      case 'folder':
      case 'group':
      case 'selection':
      case 'peer':
      case 'service':
        return this.listChildren(node);
      case 'policy':
        return this.policyChildren(node);
      case 'rule':
        return this.ruleChildren(node);
      case 'message':
        return node.message.actions.map((action, i) =>
          this.node<ActionNode>(`${node.id}/action:${i}`, () => ({ kind: 'action', id: `${node.id}/action:${i}`, parent: node, action })),
        );
      default:
        return [];
    }
  }

  // -------------------------------------------------------------------------------------------
  // Building nodes

  /**
   * The active context and the others differ in id, so that a context that becomes active is
   * a new item to VS Code and opens expanded, whatever state it had while inactive.
   */
  private contextId(name: string): string {
    return name === this.active ? `ctx:${name}` : `ctx-inactive:${name}`;
  }

  private namespaceId(ns: string): string {
    return `${this.contextId(this.active ?? '')}/ns:${ns}`;
  }

  private policyId(ns: string, name: string): string {
    return `${this.namespaceId(ns)}/policies/policy:${name}`;
  }

  private dataFor(ns: string): NamespaceData {
    let d = this.data.get(ns);
    if (!d) this.data.set(ns, (d = new NamespaceData()));
    return d;
  }

  private node<T extends TreeNode>(id: string, make: () => T): T {
    let n = this.nodes.get(id) as T | undefined;
    if (!n) this.nodes.set(id, (n = make()));
    return n;
  }

  /** Drops a node and everything below it from the cache (its id went away). */
  private forget(id: string): void {
    const prefix = `${id}/`;
    for (const key of this.nodes.keys()) if (key === id || key.startsWith(prefix)) this.nodes.delete(key);
    for (const key of this.limits.keys()) if (key === id || key.startsWith(prefix)) this.limits.delete(key);
    for (const key of this.analyses.keys()) if (key === id || key.startsWith(prefix)) this.analyses.delete(key);
    for (const key of this.peerLists.keys()) if (key === id || key.startsWith(prefix)) this.peerLists.delete(key);
  }

  private namespaceNode(ns: string): NamespaceNode {
    const ctx = this.roots().find((r) => r.kind === 'context' && r.context === this.active)!;
    const id = this.namespaceId(ns);
    return this.node<NamespaceNode>(id, () => ({ kind: 'namespace', id, parent: ctx, namespace: ns }));
  }

  private folderNode(parent: NamespaceNode, folder: Folder): FolderNode {
    const id = `${parent.id}/${folder}`;
    return this.node<FolderNode>(id, () => ({ kind: 'folder', id, parent, namespace: parent.namespace, folder }));
  }

  private messageNode(parent: TreeNode | undefined, message: TreeMessage): MessageNode {
    const id = `${parent?.id ?? 'root'}/msg:${message.key}`;
    const known = this.nodes.get(id);
    if (known?.kind === 'message' && sameMessage(known.message, message)) return known;
    this.forget(id);
    const node: MessageNode = { kind: 'message', id, parent, message };
    this.nodes.set(id, node);
    return node;
  }

  private noteNode(parent: TreeNode, key: string, note: Omit<NoteNode, 'kind' | 'id' | 'parent'>): NoteNode {
    const id = `${parent.id}/note:${key}`;
    return this.node<NoteNode>(id, () => ({ kind: 'note', id, parent, ...note }));
  }

  private podItem(parent: TreeNode, pod: Pod, ref: boolean): PodNode {
    const id = `${parent.id}/pod:${ref ? `${pod.namespace}/` : ''}${pod.name}`;
    return this.node<PodNode>(id, () => {
      if (ref) {
        const key = podKey(pod);
        let set = this.refs.get(key);
        if (!set) this.refs.set(key, (set = new Set()));
        set.add(id);
      }
      return { kind: 'pod', id, parent, namespace: pod.namespace, name: pod.name, ref };
    });
  }

  private sortedNamespaces(): string[] {
    if (!this.namespaceNames) {
      const matches = namespaceMatcher(this.filterValue.namespaces);
      this.namespaceNames = [...this.data.keys()].filter(matches).sort(compareText);
    }
    return this.namespaceNames;
  }

  private contextChildren(node: ContextNode): TreeNode[] {
    if (node.context !== this.active) {
      return [
        this.messageNode(node, {
          key: 'inactive',
          severity: 'info',
          kind: 'inactive',
          label: 'Not connected',
          detail: `The view shows one context at a time. Switch to ${node.context} to see it.`,
          actions: [{ title: 'Switch to This Context', command: TREE_COMMANDS.switchContext, args: [node.context], icon: 'plug' }],
        }),
      ];
    }
    const messages = contextMessages(this.statusValue, node.context).map((m) => this.messageNode(node, m));
    if (this.statusValue.phase !== 'connected') return messages;
    return [...messages, ...this.page(node, this.sortedNamespaces(), (ns) => this.namespaceNode(ns))];
  }

  /** The whole list behind a list node, before paging. */
  private listItems(list: TreeNode): readonly unknown[] {
    switch (list.kind) {
      case 'context':
        return list.context === this.active && this.statusValue.phase === 'connected' ? this.sortedNamespaces() : [];
      case 'folder': {
        const d = this.data.get(list.namespace);
        if (!d) return [];
        if (list.folder === 'pods') {
          const { pods, groups } = d.visiblePods(this.filterValue);
          return groups ? [...groups.keys()] : pods;
        }
        return list.folder === 'policies' ? d.policyList() : d.serviceList();
      }
      case 'group':
        return this.data.get(list.namespace)?.visiblePods(this.filterValue).groups?.get(list.group) ?? [];
      case 'selection':
        return this.policyAnalysis(list)?.selected ?? [];
      case 'peer':
        return this.peerPodList(list);
      case 'service': {
        const d = this.data.get(list.namespace);
        const s = d?.services.get(list.name);
        return d && s ? d.servicePods(s) : [];
      }
      default:
        return [];
    }
  }

  private listChildren(list: FolderNode | GroupNode | SelectionNode | PeerNode | ServiceNode): TreeNode[] {
    if (list.kind === 'folder') {
      const d = this.data.get(list.namespace);
      if (!d) return [];
      if (list.folder === 'pods') {
        const { pods, groups } = d.visiblePods(this.filterValue);
        if (groups) {
          return this.page(list, [...groups.keys()], (key) => {
            const id = `${list.id}/group:${key}`;
            return this.node<GroupNode>(id, () => ({ kind: 'group', id, parent: list, namespace: list.namespace, group: key }));
          });
        }
        return this.page(list, pods, (p) => this.podItem(list, p, false));
      }
      if (list.folder === 'policies') {
        return this.page(list, d.policyList(), (p) => {
          const id = `${list.id}/policy:${p.name}`;
          return this.node<PolicyNode>(id, () => ({ kind: 'policy', id, parent: list, namespace: list.namespace, name: p.name }));
        });
      }
      return this.page(list, d.serviceList(), (s) => {
        const id = `${list.id}/service:${s.name}`;
        return this.node<ServiceNode>(id, () => ({ kind: 'service', id, parent: list, namespace: list.namespace, name: s.name }));
      });
    }
    if (list.kind === 'group') return this.page(list, this.listItems(list) as Pod[], (p) => this.podItem(list, p, false));
    if (list.kind === 'service') {
      const s = this.service(list.namespace, list.name);
      if (s && !s.selector) return [this.noteNode(list, 'no-selector', { label: 'No selector', description: 'endpoints are managed by hand', icon: 'info' })];
    }
    return this.page(list, this.listItems(list) as Pod[], (p) => this.podItem(list, p, true));
  }

  private page<T>(list: TreeNode, items: readonly T[], make: (item: T) => TreeNode): TreeNode[] {
    const limit = this.limits.get(list.id) ?? PAGE_SIZE;
    const out = items.slice(0, limit).map(make);
    if (items.length > limit) out.push(this.node<MoreNode>(`${list.id}/more`, () => ({ kind: 'more', id: `${list.id}/more`, parent: list, list })));
    return out;
  }

  private policyChildren(node: PolicyNode): TreeNode[] {
    const policy = this.policy(node.namespace, node.name);
    if (!policy) return [];
    const out: TreeNode[] = [];
    if (policy.invalid?.length) {
      out.push(
        this.messageNode(node, {
          key: 'invalid',
          severity: 'warning',
          kind: 'invalid',
          label: 'Invalid: the API server would reject this policy',
          detail: policy.invalid.join('\n'),
          actions: [],
        }),
      );
    }
    out.push(this.node<SelectionNode>(`${node.id}/selects`, () => ({ kind: 'selection', id: `${node.id}/selects`, parent: node, namespace: node.namespace, policy: node.name })));
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = policy[direction];
      const type = direction === 'ingress' ? 'Ingress' : 'Egress';
      rules.forEach((_rule, index) => {
        const id = `${node.id}/${direction}:${index}`;
        out.push(this.node<RuleNode>(id, () => ({ kind: 'rule', id, parent: node, namespace: node.namespace, policy: node.name, direction, index })));
      });
      if (policy.policyTypes.includes(type) && rules.length === 0) {
        out.push(
          this.noteNode(node, `deny-${direction}`, {
            label: `${type}: denies all`,
            description: 'no rules',
            tooltip: `The policy isolates the selected pods for ${direction} and has no ${direction} rules: it allows no ${direction} traffic by itself (other policies selecting the same pods may).`,
            icon: 'circle-slash',
          }),
        );
      }
    }
    return out;
  }

  private ruleChildren(node: RuleNode): TreeNode[] {
    const rule = this.ruleOf(node);
    if (!rule) return [];
    if (rule.peers.length === 0) {
      const word = node.direction === 'ingress' ? 'from' : 'to';
      return [this.noteNode(node, 'anywhere', { label: `${word} anywhere`, description: 'all pods and addresses', tooltip: `The rule has no \`${word}\`: it admits every source and destination.`, icon: 'globe' })];
    }
    return rule.peers.map((_peer, index) => {
      const id = `${node.id}/peer:${index}`;
      return this.node<PeerNode>(id, () => ({ kind: 'peer', id, parent: node, namespace: node.namespace, policy: node.policy, direction: node.direction, rule: node.index, index }));
    });
  }

  /** The rule a rule or peer node stands for. */
  ruleOf(node: RuleNode | PeerNode): PolicyRule | undefined {
    const policy = this.policy(node.namespace, node.policy);
    return policy?.[node.direction][node.kind === 'rule' ? node.index : node.rule];
  }

  peerOf(node: PeerNode): PolicyPeer | undefined {
    return this.ruleOf(node)?.peers[node.index];
  }

  private namespaceLabels(): NamespaceLabels {
    if (this.nsLabels?.version !== this.podsVersion) this.nsLabels = { version: this.podsVersion, lookup: namespaceLabelLookup(this.snapshotValue.namespaces) };
    return this.nsLabels.lookup;
  }

  /** The pods a peer matches, sorted by namespace and name; cached until pods or policies change. */
  private peerPodList(node: PeerNode): Pod[] {
    const policy = this.policy(node.namespace, node.policy);
    const peer = this.peerOf(node);
    if (!policy || !peer) return [];
    const cached = this.peerLists.get(node.id);
    if (cached && cached.version === this.podsVersion && cached.policy === policy) return cached.pods;
    const nsLabels = this.namespaceLabels();
    let pods: Pod[];
    if (peer.type === 'ipBlock') pods = peerPods(peer, policy, this.snapshotValue.pods, nsLabels);
    else {
      // The predicate depends on a pod's namespace, labels and host-network flag only: one
      // check per label set of each namespace.
      pods = [];
      for (const [ns, data] of this.data) {
        if (!peer.namespaceSelector && ns !== policy.namespace) continue;
        for (const set of data.labelSets()) if (selectorPeerMatchesPod(peer, policy.namespace, set.pods[0]!, nsLabels)) pods.push(...set.pods);
      }
    }
    pods.sort((a, b) => (a.namespace === b.namespace ? byName(a, b) : compareText(a.namespace, b.namespace)));
    this.peerLists.set(node.id, { version: this.podsVersion, policy, pods });
    return pods;
  }

  private analyze(policy: NetworkPolicy, id: string): PolicyAnalysis {
    const cached = this.analyses.get(id);
    if (cached && cached.policy === policy && cached.version === this.podsVersion) return cached.analysis;
    const lenses = policyLenses({ ...policy, source: NO_SOURCE }, this.snapshotValue, this.sourceName);
    const rules = new Map<string, { lens: Lens; peers: Lens[] }>();
    const byPath = new Map(lenses.map((l) => [l.path, l]));
    for (const direction of ['ingress', 'egress'] as const) {
      policy[direction].forEach((rule, i) => {
        const lens = byPath.get(rule.path);
        if (!lens) return;
        const peers = rule.peers.length > 1 ? rule.peers.map((p) => byPath.get(p.path)).filter((l): l is Lens => l !== undefined) : [];
        rules.set(`${direction}:${i}`, { lens, peers });
      });
    }
    const analysis: PolicyAnalysis = { selected: this.data.get(policy.namespace)?.selectedPods(policy) ?? [], rules };
    this.analyses.set(id, { policy, version: this.podsVersion, analysis });
    return analysis;
  }

  private messageSignature(): { context: string; namespaces: Map<string, string> } {
    const context = this.active === undefined ? '' : JSON.stringify(contextMessages(this.statusValue, this.active));
    const namespaces = new Map<string, string>();
    // The common case: nothing is reported per namespace.
    if (this.statusValue.hidden.length === 0 && this.statusValue.streamErrors.every((e) => e.namespace === undefined)) return { context, namespaces };
    for (const ns of this.data.keys()) {
      const m = namespaceMessages(this.statusValue, ns);
      if (m.length) namespaces.set(ns, JSON.stringify(m));
    }
    return { context, namespaces };
  }
}

function sameLabels(a: Pod['labels'], b: Pod['labels']): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function sameKeys(a: Map<string, unknown>, b: Map<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

function sameMessage(a: TreeMessage, b: TreeMessage): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function lensKey(l: Lens): string {
  return `${l.title}\u0000${l.pods.map((p) => p.key).join(',')}`;
}

function sameAnalysis(a: PolicyAnalysis, b: PolicyAnalysis): boolean {
  if (a.selected.length !== b.selected.length || a.selected.some((p, i) => p !== b.selected[i])) return false;
  if (a.rules.size !== b.rules.size) return false;
  for (const [key, r] of a.rules) {
    const o = b.rules.get(key);
    if (!o || lensKey(o.lens) !== lensKey(r.lens) || o.peers.length !== r.peers.length || o.peers.some((p, i) => lensKey(p) !== lensKey(r.peers[i]!))) return false;
  }
  return true;
}

/** Drops nodes below another node of the list (refreshing a node refreshes what is below it). */
export function dedupe(nodes: readonly TreeNode[]): TreeNode[] {
  const set = new Set(nodes);
  return [...set].filter((n) => {
    for (let p = n.parent; p; p = p.parent) if (set.has(p)) return false;
    return true;
  });
}
