/**
 * The explaining evaluator: one query (from, to, port, protocol) in, a verdict with
 * its reasons out. Which policies isolate each side, which rule, peer and port
 * allowed it, and when nothing did, the nearest miss of every isolating policy,
 * each with its source location.
 */
import { formatCidr, formatIp, ipInBlock, type IpAddress } from '../cidr';
import type { ClusterSnapshot, NetworkPolicy, Pod, PolicyPeer, PolicyRule, PolicyType, Protocol, SourceRef } from '../model';
import { podKey } from '../model';
import { formatSelector, isEmptySelector, selectorMatches, unmetRequirements } from '../selector';
import {
  namespaceLabelLookup,
  podIps,
  policySelects,
  portEntryMatches,
  type NamespaceLabels,
} from './semantics';

export type Endpoint = { readonly kind: 'pod'; readonly pod: Pod } | { readonly kind: 'external'; readonly ip: IpAddress };

export interface PolicyRef {
  readonly namespace: string;
  readonly name: string;
  readonly source?: SourceRef;
}

/** A rule (and the peer and port entry within it) that admitted the traffic. */
export interface RuleMatch {
  readonly policy: PolicyRef;
  /** Zero-based rule index in `ingress` or `egress`. */
  readonly rule: number;
  /** Zero-based index of the matching peer, or -1 when the rule has no peers (all). */
  readonly peer: number;
  /** Zero-based index of the matching ports entry, or -1 when the rule has no ports (all). */
  readonly port: number;
  /** Dotted path of the rule inside the policy (for source ranges). */
  readonly path: string;
  readonly text: string;
}

/** Why an isolating policy did not admit the traffic: its closest rule. */
export interface Miss {
  readonly policy: PolicyRef;
  /** Rule index, absent when the policy has no rules in this direction. */
  readonly rule?: number;
  readonly path: string;
  readonly message: string;
}

export interface DirectionVerdict {
  readonly direction: 'egress' | 'ingress';
  /** `namespace/pod` whose policies this side is about; absent for an external address. */
  readonly pod?: string;
  /** False when NetworkPolicy cannot apply to this side (external address, hostNetwork pod). */
  readonly applies: boolean;
  readonly isolated: boolean;
  /** Valid policies that select the pod for this direction. */
  readonly policies: readonly PolicyRef[];
  readonly allowed: boolean;
  readonly allowedBy: readonly RuleMatch[];
  readonly misses: readonly Miss[];
  readonly note?: string;
}

export interface Verdict {
  readonly allowed: boolean;
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** The container port name the query used, when it was given by name. */
  readonly portName?: string;
  readonly self: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** Policies the API server would reject that would otherwise select an endpoint. The verdict ignores them. */
  readonly invalidPolicies: readonly { readonly policy: PolicyRef; readonly direction: PolicyType; readonly problems: readonly string[] }[];
  /** One line for people. */
  readonly summary: string;
}

export interface ResolvedPort {
  readonly port: number;
  readonly protocol: Protocol;
  readonly portName?: string;
}

export function endpointName(e: Endpoint): string {
  return e.kind === 'pod' ? podKey(e.pod) : formatIp(e.ip);
}

/**
 * Resolves a query port. A name is looked up among the destination pod's container
 * ports (with the protocol, when given); a number is used as it is.
 */
export function resolveQueryPort(to: Endpoint, port: number | string, protocol?: Protocol): ResolvedPort | { error: string } {
  if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `port ${port} is out of range: use 1 to 65535` };
    return { port, protocol: protocol ?? 'TCP' };
  }
  if (to.kind !== 'pod') return { error: `the named port "${port}" can only be resolved on a pod; give a number for ${endpointName(to)}` };
  const candidates = to.pod.ports.filter((p) => p.name === port && (!protocol || p.protocol === protocol));
  if (candidates.length === 0) {
    const declared = to.pod.ports.filter((p) => p.name).map((p) => `${p.name} (${p.containerPort}/${p.protocol})`);
    return {
      error: `${podKey(to.pod)} declares no container port named "${port}"${protocol ? ` with protocol ${protocol}` : ''}` +
        (declared.length ? `; it declares ${declared.join(', ')}` : '; it declares no named ports'),
    };
  }
  const c = candidates[0]!;
  return { port: c.containerPort, protocol: c.protocol, portName: port };
}

function ref(p: NetworkPolicy): PolicyRef {
  return p.source ? { namespace: p.namespace, name: p.name, source: p.source } : { namespace: p.namespace, name: p.name };
}

function policyName(p: PolicyRef): string {
  return `${p.namespace}/${p.name}`;
}

/** Human text of a rule's ports, resolving named ports on the destination when known. */
export function describePorts(rule: PolicyRule, destination: Pod | undefined): string {
  if (rule.ports.length === 0) return 'all ports';
  return rule.ports
    .map((e) => {
      if (e.port === undefined) return `all ${e.protocol} ports`;
      if (typeof e.port === 'number') return e.endPort !== undefined ? `${e.port}-${e.endPort}/${e.protocol}` : `${e.port}/${e.protocol}`;
      const resolved = destination?.ports.find((cp) => cp.name === e.port && cp.protocol === e.protocol);
      return resolved ? `${e.port}/${e.protocol} (= ${resolved.containerPort} on ${destination!.name})` : `${e.port}/${e.protocol} (not declared by the destination)`;
    })
    .join(', ');
}

/** Human text of a peer. */
export function describePeer(peer: PolicyPeer, policyNamespace: string): string {
  if (peer.type === 'ipBlock') {
    const except = peer.except.length ? ` except ${peer.except.map(formatCidr).join(', ')}` : '';
    return `ipBlock ${formatCidr(peer.cidr)}${except}`;
  }
  const pods = peer.podSelector ? (isEmptySelector(peer.podSelector) ? 'all pods' : `pods ${formatSelector(peer.podSelector)}`) : 'all pods';
  if (!peer.namespaceSelector) return `${pods} in namespace ${policyNamespace}`;
  if (isEmptySelector(peer.namespaceSelector)) return `${pods} in all namespaces`;
  return `${pods} in namespaces ${formatSelector(peer.namespaceSelector)}`;
}

interface PeerCheck {
  readonly matched: boolean;
  /** Higher is closer to matching. */
  readonly closeness: number;
  readonly why: string;
}

function checkPeer(peer: PolicyPeer, policy: NetworkPolicy, other: Endpoint, nsLabels: NamespaceLabels): PeerCheck {
  const who = endpointName(other);
  if (peer.type === 'ipBlock') {
    const ips = other.kind === 'pod' ? podIps(other.pod) : [other.ip];
    if (ips.length === 0) return { matched: false, closeness: 0, why: `${who} has no IP yet, so ipBlock ${formatCidr(peer.cidr)} cannot match it` };
    if (ips.some((ip) => ipInBlock(ip, peer.cidr, peer.except))) return { matched: true, closeness: 9, why: `${ips.map(formatIp).join(', ')} is in ${describePeer(peer, policy.namespace)}` };
    const excluded = peer.except.find((e) => ips.some((ip) => ipInBlock(ip, peer.cidr, []) && ipInBlock(ip, e, [])));
    if (excluded) return { matched: false, closeness: 2, why: `${ips.map(formatIp).join(', ')} is in ${formatCidr(peer.cidr)} but excluded by except ${formatCidr(excluded)}` };
    return { matched: false, closeness: 1, why: `${ips.map(formatIp).join(', ')} is not in ${formatCidr(peer.cidr)}` };
  }
  if (other.kind !== 'pod') return { matched: false, closeness: 0, why: `${who} is not a pod; pod and namespace selectors never match addresses outside the cluster (use an ipBlock)` };
  const pod = other.pod;
  if (pod.hostNetwork) return { matched: false, closeness: 0, why: `${who} uses the host network; selectors do not match it (its traffic carries the node's IP)` };
  let nsOk: boolean;
  let nsWhy = '';
  if (peer.namespaceSelector) {
    const labels = nsLabels(pod.namespace);
    nsOk = selectorMatches(peer.namespaceSelector, labels);
    if (!nsOk) nsWhy = `namespace ${pod.namespace} lacks ${unmetRequirements(peer.namespaceSelector, labels).join(', ')} (the peer's namespaceSelector)`;
  } else {
    nsOk = pod.namespace === policy.namespace;
    if (!nsOk) nsWhy = `the peer has no namespaceSelector, so it means pods in the policy's own namespace ${policy.namespace}, and ${who} is in ${pod.namespace}`;
  }
  const unmet = peer.podSelector ? unmetRequirements(peer.podSelector, pod.labels) : [];
  if (nsOk && unmet.length === 0) return { matched: true, closeness: 9, why: `${who} matches ${describePeer(peer, policy.namespace)}` };
  if (nsOk) return { matched: false, closeness: 4 - Math.min(unmet.length, 3) * 0.1, why: `namespace matched, pod labels did not: needs ${unmet.join(', ')}` };
  const podPart = unmet.length === 0 ? (peer.podSelector ? ' (its pod labels match)' : '') : `; pod labels also need ${unmet.join(', ')}`;
  return { matched: false, closeness: unmet.length === 0 ? 3 : 2, why: nsWhy + podPart };
}

function directionVerdict(
  snapshot: ClusterSnapshot,
  direction: PolicyType,
  subject: Endpoint,
  other: Endpoint,
  port: ResolvedPort,
  nsLabels: NamespaceLabels,
): DirectionVerdict {
  const dir = direction === 'Ingress' ? 'ingress' : 'egress';
  if (subject.kind !== 'pod') {
    return { direction: dir, applies: false, isolated: false, policies: [], allowed: true, allowedBy: [], misses: [], note: `${endpointName(subject)} is outside the cluster; no NetworkPolicy applies to it` };
  }
  const pod = subject.pod;
  const key = podKey(pod);
  if (pod.hostNetwork) {
    return { direction: dir, pod: key, applies: false, isolated: false, policies: [], allowed: true, allowedBy: [], misses: [], note: `${key} uses the host network; NetworkPolicy does not isolate it` };
  }
  const destination = direction === 'Ingress' ? pod : other.kind === 'pod' ? other.pod : undefined;
  const selecting = snapshot.policies.filter((p) => policySelects(p, pod, direction));
  if (selecting.length === 0) {
    return { direction: dir, pod: key, applies: true, isolated: false, policies: [], allowed: true, allowedBy: [], misses: [], note: `no policy selects ${key} for ${dir}, so all ${dir} is allowed` };
  }
  const allowedBy: RuleMatch[] = [];
  const misses: Miss[] = [];
  for (const policy of selecting) {
    const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
    let bestMiss: { score: number; miss: Miss } | undefined;
    rules.forEach((rule, ri) => {
      const portIndex = rule.ports.length === 0 ? -1 : rule.ports.findIndex((e) => portEntryMatches(e, port.port, port.protocol, destination));
      const portOk = rule.ports.length === 0 || portIndex >= 0;
      const checks = rule.peers.map((peer) => checkPeer(peer, policy, other, nsLabels));
      const peerIndex = rule.peers.length === 0 ? -1 : checks.findIndex((c) => c.matched);
      const peerOk = rule.peers.length === 0 || peerIndex >= 0;
      if (peerOk && portOk) {
        const peerText = peerIndex < 0 ? `all ${direction === 'Ingress' ? 'sources' : 'destinations'}` : describePeer(rule.peers[peerIndex]!, policy.namespace);
        allowedBy.push({
          policy: ref(policy), rule: ri, peer: peerIndex, port: portIndex, path: rule.path,
          text: `${policyName(ref(policy))} ${dir} rule ${ri + 1} admits ${peerText} on ${describePorts(rule, destination)}`,
        });
        return;
      }
      const portText = `port ${port.port}/${port.protocol} is not in [${describePorts(rule, destination)}]`;
      let score: number;
      let message: string;
      if (peerOk) {
        score = 10;
        const peerText = peerIndex < 0 ? `all ${direction === 'Ingress' ? 'sources' : 'destinations'}` : describePeer(rule.peers[peerIndex]!, policy.namespace);
        message = `peer matched (${peerText}), but ${portText}`;
      } else {
        const best = checks.reduce((a, b) => (b.closeness > a.closeness ? b : a));
        score = (portOk ? 5 : 0) + best.closeness / 10;
        message = portOk ? `port matched, but the peer did not: ${best.why}` : `neither peer nor port matched: ${best.why}; ${portText}`;
      }
      if (!bestMiss || score > bestMiss.score) bestMiss = { score, miss: { policy: ref(policy), rule: ri, path: rule.path, message: `${dir} rule ${ri + 1}: ${message}` } };
    });
    if (rules.length === 0) {
      misses.push({ policy: ref(policy), path: 'spec', message: `has no ${dir} rules, so it allows no ${dir} to the pods it selects (a default deny)` });
    } else if (bestMiss && !allowedBy.some((m) => m.policy.name === policy.name && m.policy.namespace === policy.namespace)) {
      misses.push(bestMiss.miss);
    }
  }
  const allowed = allowedBy.length > 0;
  return { direction: dir, pod: key, applies: true, isolated: true, policies: selecting.map(ref), allowed, allowedBy, misses: allowed ? [] : misses };
}

function invalidSelecting(snapshot: ClusterSnapshot, e: Endpoint, direction: PolicyType): Verdict['invalidPolicies'] {
  if (e.kind !== 'pod' || e.pod.hostNetwork) return [];
  return snapshot.policies
    .filter((p) => p.invalid && p.namespace === e.pod.namespace && p.policyTypes.includes(direction) && selectorMatches(p.podSelector, e.pod.labels))
    .map((p) => ({ policy: ref(p), direction, problems: p.invalid! }));
}

/**
 * Evaluates one connection against every policy, with reasons.
 * `port` must already be resolved (see {@link resolveQueryPort}).
 */
export function explain(snapshot: ClusterSnapshot, from: Endpoint, to: Endpoint, port: ResolvedPort): Verdict {
  const nsLabels = namespaceLabelLookup(snapshot.namespaces);
  const fromName = endpointName(from);
  const toName = endpointName(to);
  const invalidPolicies = [...invalidSelecting(snapshot, from, 'Egress'), ...invalidSelecting(snapshot, to, 'Ingress')];
  const base = { from: fromName, to: toName, port: port.port, protocol: port.protocol, ...(port.portName ? { portName: port.portName } : {}), invalidPolicies };
  if (from.kind === 'pod' && to.kind === 'pod' && podKey(from.pod) === podKey(to.pod)) {
    const note = 'a pod can always reach itself; NetworkPolicy does not apply to its own traffic';
    const side = (direction: 'egress' | 'ingress'): DirectionVerdict => ({ direction, pod: fromName, applies: false, isolated: false, policies: [], allowed: true, allowedBy: [], misses: [], note });
    return { ...base, allowed: true, self: true, egress: side('egress'), ingress: side('ingress'), summary: `allowed: ${note}` };
  }
  const egress = directionVerdict(snapshot, 'Egress', from, to, port, nsLabels);
  const ingress = directionVerdict(snapshot, 'Ingress', to, from, port, nsLabels);
  const allowed = egress.allowed && ingress.allowed;
  return { ...base, allowed, self: false, egress, ingress, summary: summarize(allowed, egress, ingress, fromName, toName, port) };
}

function summarize(allowed: boolean, egress: DirectionVerdict, ingress: DirectionVerdict, from: string, to: string, port: ResolvedPort): string {
  const path = `${from} → ${to} on ${port.port}/${port.protocol}`;
  const sideText = (d: DirectionVerdict): string => {
    if (!d.isolated) return `${d.direction} not isolated`;
    if (d.allowed) return `${d.direction} allowed by ${[...new Set(d.allowedBy.map((m) => policyName(m.policy)))].join(', ')}`;
    return `${d.direction} denied: ${d.policies.map(policyName).join(', ')} ${d.policies.length === 1 ? 'isolates' : 'isolate'} ${d.pod} and no rule admits it`;
  };
  if (allowed) return `allowed: ${path} (${sideText(egress)}; ${sideText(ingress)})`;
  const denied = [egress, ingress].filter((d) => !d.allowed).map(sideText);
  return `denied: ${path} (${denied.join('; ')})`;
}

/** Deciding policies of a verdict as `namespace/name`: the ones that allowed it, or the isolating ones that did not. */
export function decidingPolicies(v: Verdict): string[] {
  const names = new Set<string>();
  for (const d of [v.egress, v.ingress]) {
    if (v.allowed) d.allowedBy.forEach((m) => names.add(policyName(m.policy)));
    else if (!d.allowed) d.policies.forEach((p) => names.add(policyName(p)));
  }
  return [...names];
}
