/**
 * What each policy, rule and peer selects, as short titles for CodeLens and as
 * lists for quick picks and hovers. Pure: the editor layer only places them.
 */
import { cidrContainsIp, cidrSize, formatAddressCount, formatCidr } from '../cidr';
import { namespaceLabelLookup, podIps, selectorPeerMatchesPod, type NamespaceLabels } from '../engine/semantics';
import type { ClusterSnapshot, NetworkPolicy, Pod, PolicyPeer, PolicyPort, PolicyRule, Range } from '../model';
import { podKey } from '../model';
import { selectorMatches } from '../selector';

export interface PodSummary {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ips: readonly string[];
  /** "workload Deployment/web-api" for pods-to-be read from a template. */
  readonly origin?: string;
}

export interface Lens {
  readonly kind: 'policy' | 'types' | 'rule' | 'peer';
  readonly range: Range;
  readonly title: string;
  /** Pods the lens is about, for a click-through list. */
  readonly pods: readonly PodSummary[];
  /** Dotted path of the element inside the policy. */
  readonly path: string;
}

export function podSummary(p: Pod): PodSummary {
  return {
    key: podKey(p), namespace: p.namespace, name: p.name, labels: p.labels, ips: p.ips,
    ...(p.origin.type === 'workload' ? { origin: `workload ${p.origin.kind}/${p.origin.name}` } : {}),
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function nameList(pods: readonly Pod[], max = 3): string {
  const names = pods.slice(0, max).map((p) => p.name);
  return pods.length > max ? `${names.join(', ')}, … (+${pods.length - max})` : names.join(', ');
}

/** Pods a policy selects (ignoring the direction). */
export function selectedPods(policy: NetworkPolicy, pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => !p.hostNetwork && p.namespace === policy.namespace && selectorMatches(policy.podSelector, p.labels));
}

/** Pods one peer matches. */
export function peerPods(peer: PolicyPeer, policy: NetworkPolicy, pods: readonly Pod[], nsLabels: NamespaceLabels): Pod[] {
  if (peer.type === 'ipBlock') return pods.filter((p) => podIps(p).some((ip) => cidrContainsIp(peer.cidr, ip) && !peer.except.some((e) => cidrContainsIp(e, ip))));
  return pods.filter((p) => selectorPeerMatchesPod(peer, policy.namespace, p, nsLabels));
}

function portsText(ports: readonly PolicyPort[], destinations: readonly Pod[]): string {
  if (ports.length === 0) return 'on all ports';
  const parts = ports.map((e) => {
    if (e.port === undefined) return `all ${e.protocol}`;
    if (typeof e.port === 'number') return e.endPort !== undefined ? `${e.protocol} ${e.port}-${e.endPort}` : `${e.protocol} ${e.port}`;
    const numbers = [...new Set(destinations.flatMap((p) => p.ports.filter((cp) => cp.name === e.port && cp.protocol === e.protocol).map((cp) => cp.containerPort)))];
    return numbers.length ? `${e.protocol} ${e.port} (= ${numbers.join(', ')})` : `${e.protocol} ${e.port} (unresolved)`;
  });
  return `on ${parts.join(', ')}`;
}

function peersText(rule: PolicyRule, direction: 'ingress' | 'egress', policy: NetworkPolicy, pods: readonly Pod[], nsLabels: NamespaceLabels): { text: string; pods: Pod[] } {
  const word = direction === 'ingress' ? 'from' : 'to';
  if (rule.peers.length === 0) return { text: `${word} anywhere (all pods and addresses)`, pods: [...pods] };
  const matched = new Map<string, Pod>();
  let cidrs = 0;
  let addresses = 0n;
  let selectorPeers = 0;
  for (const peer of rule.peers) {
    for (const p of peerPods(peer, policy, pods, nsLabels)) matched.set(podKey(p), p);
    if (peer.type === 'ipBlock') {
      cidrs++;
      addresses += cidrSize(peer.cidr) - peer.except.reduce((s, e) => s + cidrSize(e), 0n);
    } else selectorPeers++;
  }
  const parts: string[] = [];
  const list = [...matched.values()];
  if (selectorPeers > 0) {
    const selectorMatched = list.filter((p) => rule.peers.some((peer) => peer.type === 'selector' && selectorPeerMatchesPod(peer, policy.namespace, p, nsLabels)));
    const nss = new Set(selectorMatched.map((p) => p.namespace));
    parts.push(selectorMatched.length === 0 ? 'no known pods' : `${plural(selectorMatched.length, 'pod')} in ${plural(nss.size, 'namespace')}`);
  }
  if (cidrs > 0) parts.push(`${plural(cidrs, 'CIDR')} (${formatAddressCount(addresses)} addresses)`);
  return { text: `${word} ${parts.join(' · ')}`, pods: list };
}

function peerTitle(peer: PolicyPeer, policy: NetworkPolicy, pods: readonly Pod[], nsLabels: NamespaceLabels): { title: string; pods: Pod[] } {
  const matched = peerPods(peer, policy, pods, nsLabels);
  if (peer.type === 'ipBlock') {
    const size = cidrSize(peer.cidr) - peer.except.reduce((s, e) => s + cidrSize(e), 0n);
    const known = matched.length ? ` · ${plural(matched.length, 'known pod')} inside` : '';
    return { title: `${formatCidr(peer.cidr)}: ${formatAddressCount(size)} addresses${known}`, pods: matched };
  }
  if (matched.length === 0) return { title: 'selects nothing known', pods: matched };
  const nss = new Set(matched.map((p) => p.namespace));
  return { title: `${plural(matched.length, 'pod')} in ${plural(nss.size, 'namespace')}: ${nameList(matched)}`, pods: matched };
}

/**
 * Lenses for one policy: what it selects, what it isolates, and for each rule and
 * peer what it admits. `source` names the data ("workspace", a context name).
 */
export function policyLenses(policy: NetworkPolicy, snapshot: ClusterSnapshot, source: string): Lens[] {
  const src = policy.source;
  if (!src) return [];
  const at = (path: string): Range => src.at(path)?.key ?? src.at(path)?.value ?? src.range;
  const nsLabels = namespaceLabelLookup(snapshot.namespaces);
  const pods = snapshot.pods;
  const selected = selectedPods(policy, pods);
  const lenses: Lens[] = [];
  const known = pods.some((p) => p.namespace === policy.namespace);
  const selTitle =
    selected.length === 0
      ? known ? `selects no pods (${source})` : `selects no known pods: no pods of namespace ${policy.namespace} are known (${source})`
      : `selects ${plural(selected.length, 'pod')}: ${nameList(selected)} (${source})`;
  lenses.push({ kind: 'policy', range: src.range, title: selTitle, pods: selected.map(podSummary), path: '' });
  const types = policy.policyTypes.map((t) => t.toLowerCase()).join(', ');
  lenses.push({ kind: 'types', range: src.range, title: policy.invalid ? 'invalid: the API server would reject this policy' : `isolates ${types}`, pods: [], path: 'spec.policyTypes' });
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = direction === 'ingress' ? policy.ingress : policy.egress;
    const type = direction === 'ingress' ? 'Ingress' : 'Egress';
    const ignored = !policy.policyTypes.includes(type);
    rules.forEach((rule) => {
      const { text, pods: admitted } = peersText(rule, direction, policy, pods, nsLabels);
      const destinations = direction === 'ingress' ? selected : admitted;
      const title = `${ignored ? `ignored (policyTypes lacks ${type}): ` : ''}${text} · ${portsText(rule.ports, destinations)}`;
      lenses.push({ kind: 'rule', range: at(rule.path), title, pods: admitted.map(podSummary), path: rule.path });
      if (rule.peers.length > 1) {
        for (const peer of rule.peers) {
          const t = peerTitle(peer, policy, pods, nsLabels);
          lenses.push({ kind: 'peer', range: at(peer.path), title: t.title, pods: t.pods.map(podSummary), path: peer.path });
        }
      }
    });
  }
  return lenses;
}
