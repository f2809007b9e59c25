/**
 * The policy graph around one namespace or one pod: the pods (grouped by the policies
 * that select them), those policies (one node per direction), their peers (pod
 * selector groups, namespaces, CIDRs, "everyone") and the ports on each rule edge.
 * Every node and edge carries the source location of what it stands for, so a click
 * opens the policy, rule or peer. Plain data; layout.ts places it.
 *
 * Traffic reads left to right: sources → ingress policies → selected pods → egress
 * policies → destinations. A policy with both types appears in both policy columns.
 */
import { describePorts } from '../engine/explain';
import { namespaceLabelLookup, selectorPeerMatchesPod } from '../engine/semantics';
import { formatCidr } from '../cidr';
import type { ClusterSnapshot, NetworkPolicy, Pod, PolicyPeer, PolicyRule } from '../model';
import { podKey } from '../model';
import { jsonLocation } from '../report/verdict-format';
import { formatSelector, isEmptySelector, selectorMatches } from '../selector';
import type { Location } from '../matrix/types';

export type GraphFocus = { readonly kind: 'namespace'; readonly namespace: string } | { readonly kind: 'pod'; readonly pod: string };

export type GraphDirection = 'ingress' | 'egress';

/** 0 sources, 1 ingress policies, 2 selected pods, 3 egress policies, 4 destinations. */
export type GraphColumn = 0 | 1 | 2 | 3 | 4;

export const COLUMN_TITLES: readonly string[] = ['Sources', 'Ingress policies', 'Selected pods', 'Egress policies', 'Destinations'];

export type PeerKind = 'all' | 'pods' | 'namespaces' | 'pods-in-namespaces' | 'cidr';

export interface GraphNode {
  readonly id: string;
  readonly kind: 'pods' | 'policy' | 'peer';
  readonly column: GraphColumn;
  readonly label: string;
  readonly sublabel?: string;
  readonly direction?: GraphDirection;
  readonly peerKind?: PeerKind;
  /** Where the pod, policy or (first) peer is written. */
  readonly location?: Location;
  /** Pod keys of a `pods` node. */
  readonly pods?: readonly string[];
  /** A policy with no rules for its direction: it denies everything not admitted elsewhere. */
  readonly denyAll?: boolean;
  /** A policy the API server would reject (it takes no part in verdicts). */
  readonly invalid?: boolean;
  /** A policy of the namespace that selects none of its pods. */
  readonly selectsNothing?: boolean;
}

/** One rule behind an edge: its ports and where it is written. */
export interface EdgeRule {
  readonly ports: string;
  readonly location?: Location;
}

export interface GraphEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** `rule`: a peer admitted by a rule; `selects`: a policy isolating pods. */
  readonly kind: 'rule' | 'selects';
  readonly direction: GraphDirection;
  /** Ports of the rules (joined with "; "), or `''` for `selects`. */
  readonly label: string;
  readonly rules: readonly EdgeRule[];
  readonly location?: Location;
}

export interface PolicyGraph {
  readonly focus: GraphFocus;
  readonly title: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Things the picture cannot say: host-network pods, nothing selected, unknown focus. */
  readonly notes: readonly string[];
}

function selectsPod(p: NetworkPolicy, pod: Pod): boolean {
  return p.namespace === pod.namespace && !pod.hostNetwork && selectorMatches(p.podSelector, pod.labels);
}

function hasType(p: NetworkPolicy, d: GraphDirection): boolean {
  return p.policyTypes.includes(d === 'ingress' ? 'Ingress' : 'Egress');
}

/** Labels controllers add per rollout or per replica: they name no group people think of. */
const NOISE_LABELS = new Set(['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'pod-template-generation', 'apps.kubernetes.io/pod-index']);

/** Labels all members share, as `k=v`, without per-rollout labels; at most `max` of them. */
function commonLabels(pods: readonly Pod[], max = 2): string {
  const first = pods[0]!.labels;
  return Object.keys(first)
    .filter((k) => !NOISE_LABELS.has(k) && pods.every((p) => p.labels[k] === first[k]))
    .slice(0, max)
    .map((k) => `${k}=${first[k]}`)
    .join(', ');
}

function peerText(peer: Exclude<PolicyPeer, { type: 'ipBlock' }>, policyNamespace: string): { label: string; sublabel: string; kind: PeerKind } {
  const pods = peer.podSelector && !isEmptySelector(peer.podSelector) ? `pods ${formatSelector(peer.podSelector)}` : 'all pods';
  if (!peer.namespaceSelector) return { label: pods, sublabel: `in ns ${policyNamespace}`, kind: 'pods' };
  const ns = isEmptySelector(peer.namespaceSelector) ? 'in all namespaces' : `in ns ${formatSelector(peer.namespaceSelector)}`;
  return { label: pods, sublabel: ns, kind: peer.podSelector && !isEmptySelector(peer.podSelector) ? 'pods-in-namespaces' : 'namespaces' };
}

/** Builds the graph around a namespace or a pod (`namespace/name`). */
export function policyGraph(snapshot: ClusterSnapshot, focus: GraphFocus): PolicyGraph {
  const notes: string[] = [];
  const focusPods = focus.kind === 'pod' ? snapshot.pods.filter((p) => podKey(p) === focus.pod) : snapshot.pods.filter((p) => p.namespace === focus.namespace);
  const namespace = focus.kind === 'namespace' ? focus.namespace : focusPods[0]?.namespace;
  const title = focus.kind === 'pod' ? `Policies around ${focus.pod}` : `Policies of namespace ${focus.namespace}`;
  if (focus.kind === 'pod' && focusPods.length === 0) return { focus, title, nodes: [], edges: [], notes: [`no pod ${focus.pod} in the snapshot`] };
  const nsLabels = namespaceLabelLookup(snapshot.namespaces);
  const policies = snapshot.policies.filter((p) => p.namespace === namespace);

  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, { from: string; to: string; kind: 'rule' | 'selects'; direction: GraphDirection; rules: EdgeRule[]; location?: Location }>();
  const addEdge = (from: string, to: string, kind: 'rule' | 'selects', direction: GraphDirection, rule?: EdgeRule): void => {
    const id = `${from}→${to}`;
    let e = edges.get(id);
    if (!e) edges.set(id, (e = { from, to, kind, direction, rules: [], ...(rule?.location ? { location: rule.location } : {}) }));
    if (rule) e.rules.push(rule);
  };

  // Pod groups: pods selected by the same policies in each direction.
  const groups = new Map<string, { pods: Pod[]; ingress: NetworkPolicy[]; egress: NetworkPolicy[] }>();
  for (const pod of focusPods) {
    if (pod.hostNetwork) notes.push(`${podKey(pod)} uses the host network: NetworkPolicy does not isolate it`);
    const selecting = policies.filter((p) => selectsPod(p, pod));
    const ingress = selecting.filter((p) => hasType(p, 'ingress'));
    const egress = selecting.filter((p) => hasType(p, 'egress'));
    const key = `${ingress.map(podKey).join(',')}|${egress.map(podKey).join(',')}`;
    const g = groups.get(key);
    if (g) g.pods.push(pod);
    else groups.set(key, { pods: [pod], ingress, egress });
  }
  const policyNodeId = (p: NetworkPolicy, d: GraphDirection): string => `policy:${d}:${podKey(p)}`;
  const policyNode = (p: NetworkPolicy, d: GraphDirection, selectsNothing: boolean): string => {
    const id = policyNodeId(p, d);
    if (!nodes.has(id)) {
      const rules = d === 'ingress' ? p.ingress : p.egress;
      const location = jsonLocation(p.source);
      const sublabel = p.invalid ? `invalid: ${p.invalid[0]}` : rules.length === 0 ? `no rules: denies all ${d}` : `${rules.length} ${d} ${rules.length === 1 ? 'rule' : 'rules'}`;
      nodes.set(id, {
        id, kind: 'policy', column: d === 'ingress' ? 1 : 3, label: p.name, sublabel, direction: d,
        ...(location ? { location } : {}),
        ...(rules.length === 0 ? { denyAll: true } : {}),
        ...(p.invalid ? { invalid: true } : {}),
        ...(selectsNothing ? { selectsNothing: true } : {}),
      });
      for (const rule of rules) addRuleEdges(p, d, rule, id);
    }
    return id;
  };
  const addRuleEdges = (p: NetworkPolicy, d: GraphDirection, rule: PolicyRule, policyId: string): void => {
    const ports = describePorts(rule, undefined);
    const ruleLocation = jsonLocation(p.source, rule.path);
    const column = d === 'ingress' ? 0 : 4;
    const peers: (PolicyPeer | undefined)[] = rule.peers.length ? [...rule.peers] : [undefined];
    for (const peer of peers) {
      let id: string;
      let node: Omit<GraphNode, 'id' | 'column' | 'kind'>;
      const peerLocation = peer ? jsonLocation(p.source, peer.path) : ruleLocation;
      if (!peer) {
        id = `peer:${d}:all`;
        node = { label: d === 'ingress' ? 'all sources' : 'all destinations', sublabel: 'any pod, any address', peerKind: 'all' };
      } else if (peer.type === 'ipBlock') {
        const cidr = formatCidr(peer.cidr);
        const except = peer.except.map(formatCidr);
        id = `peer:${d}:cidr:${cidr}${except.length ? ` except ${except.join(',')}` : ''}`;
        node = { label: cidr, sublabel: except.length ? `except ${except.join(', ')}` : 'ipBlock', peerKind: 'cidr' };
      } else {
        const t = peerText(peer, p.namespace);
        id = `peer:${d}:${t.label} ${t.sublabel}`;
        const matches = snapshot.pods.filter((pod) => selectorPeerMatchesPod(peer, p.namespace, pod, nsLabels)).length;
        node = { label: t.label, sublabel: `${t.sublabel} · ${matches} ${matches === 1 ? 'pod' : 'pods'}`, peerKind: t.kind };
      }
      if (!nodes.has(id)) nodes.set(id, { id, kind: 'peer', column, direction: d, ...node, ...(peerLocation ? { location: peerLocation } : {}) });
      const edgeRule: EdgeRule = { ports, ...(peerLocation ? { location: peerLocation } : {}) };
      if (d === 'ingress') addEdge(id, policyId, 'rule', d, edgeRule);
      else addEdge(policyId, id, 'rule', d, edgeRule);
    }
  };

  const sortedGroups = [...groups.values()].sort((a, b) => podKey(a.pods[0]!).localeCompare(podKey(b.pods[0]!)));
  for (const g of sortedGroups) {
    const keys = g.pods.map(podKey).sort();
    const id = `pods:${keys[0]}`;
    const location = jsonLocation(g.pods[0]!.source);
    const common = commonLabels(g.pods);
    const single = g.pods.length === 1;
    nodes.set(id, {
      id, kind: 'pods', column: 2,
      label: single ? g.pods[0]!.name : common || `${g.pods.length} pods`,
      sublabel: single ? common || g.pods[0]!.namespace : `${g.pods.length} pods in ${g.pods[0]!.namespace}`,
      pods: keys,
      ...(location ? { location } : {}),
    });
    if (g.ingress.length === 0 && g.egress.length === 0) notes.push(`no policy selects ${single ? keys[0] : `${g.pods.length} pods (${common || keys[0]})`}: all their traffic is allowed`);
    // A "selects" edge opens the policy's podSelector.
    const selector = (p: NetworkPolicy): EdgeRule => {
      const location = jsonLocation(p.source, 'spec.podSelector');
      return { ports: '', ...(location ? { location } : {}) };
    };
    for (const p of g.ingress) addEdge(policyNode(p, 'ingress', false), id, 'selects', 'ingress', selector(p));
    for (const p of g.egress) addEdge(id, policyNode(p, 'egress', false), 'selects', 'egress', selector(p));
  }
  if (focus.kind === 'namespace') {
    for (const p of policies) {
      for (const d of ['ingress', 'egress'] as const) {
        if (hasType(p, d) && !nodes.has(policyNodeId(p, d))) policyNode(p, d, true);
      }
    }
    if (focusPods.length === 0) notes.push(`no pods in namespace ${focus.namespace} in the snapshot`);
  }

  const edgeList: GraphEdge[] = [...edges.entries()].map(([id, e]) => ({
    id, from: e.from, to: e.to, kind: e.kind, direction: e.direction,
    label: [...new Set(e.rules.map((r) => r.ports).filter((t) => t !== ''))].join('; '),
    rules: e.rules,
    ...(e.location ? { location: e.location } : {}),
  }));
  return { focus, title, nodes: [...nodes.values()], edges: edgeList, notes };
}
