/**
 * The networking.k8s.io/v1 NetworkPolicy rules, one predicate each. Both the
 * explaining evaluator and the fast index are built from these, so the semantics
 * live in one place.
 *
 * Decisions where the API leaves room (see docs/semantics.md):
 * - A pod's traffic to itself is always allowed: a pod cannot isolate itself from itself.
 * - hostNetwork pods are never isolated, and selector peers never match them (their
 *   traffic carries the node's IP); only an ipBlock containing that IP matches them.
 * - A pod without an IP (a workload's pod-to-be) can be matched by selectors only.
 */
import { ipInBlock, parseIp, type IpAddress } from '../cidr';
import type { Labels, Namespace, NetworkPolicy, Pod, PolicyPeer, PolicyPort, PolicyRule, PolicyType, Protocol } from '../model';
import { selectorMatches } from '../selector';

export type NamespaceLabels = (namespace: string) => Labels;

/** Namespace label lookup; an unknown namespace has only its metadata.name label, as the API sets it. */
export function namespaceLabelLookup(namespaces: readonly Namespace[]): NamespaceLabels {
  const byName = new Map(namespaces.map((n) => [n.name, n.labels]));
  return (ns) => byName.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
}

/** Parsed IPs of a pod (unparseable entries are dropped). */
export function podIps(pod: Pod): IpAddress[] {
  const out: IpAddress[] = [];
  for (const text of pod.ips) {
    const ip = parseIp(text);
    if (ip) out.push(ip);
  }
  return out;
}

/** Whether `policy` selects `pod` for the given direction (i.e. isolates it). */
export function policySelects(policy: NetworkPolicy, pod: Pod, direction: PolicyType): boolean {
  return (
    !policy.invalid &&
    !pod.hostNetwork &&
    policy.namespace === pod.namespace &&
    policy.policyTypes.includes(direction) &&
    selectorMatches(policy.podSelector, pod.labels)
  );
}

/** Whether a selector peer of a policy in `policyNamespace` matches a pod. */
export function selectorPeerMatchesPod(
  peer: Extract<PolicyPeer, { type: 'selector' }>,
  policyNamespace: string,
  pod: Pod,
  nsLabels: NamespaceLabels,
): boolean {
  if (pod.hostNetwork) return false;
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, nsLabels(pod.namespace))) return false;
  } else if (pod.namespace !== policyNamespace) {
    return false;
  }
  return !peer.podSelector || selectorMatches(peer.podSelector, pod.labels);
}

/** Whether any peer form matches a pod. ipBlocks match pod IPs too. */
export function peerMatchesPod(peer: PolicyPeer, policyNamespace: string, pod: Pod, ips: readonly IpAddress[], nsLabels: NamespaceLabels): boolean {
  if (peer.type === 'ipBlock') return ips.some((ip) => ipInBlock(ip, peer.cidr, peer.except));
  return selectorPeerMatchesPod(peer, policyNamespace, pod, nsLabels);
}

/** Whether a peer matches an address that is not a known pod. Selectors never do. */
export function peerMatchesExternalIp(peer: PolicyPeer, ip: IpAddress): boolean {
  return peer.type === 'ipBlock' && ipInBlock(ip, peer.cidr, peer.except);
}

/**
 * Whether one `ports` entry admits `port`/`protocol` on the destination.
 * Named ports resolve on the destination pod (for egress too), with the protocol.
 */
export function portEntryMatches(entry: PolicyPort, port: number, protocol: Protocol, destination: Pod | undefined): boolean {
  if (entry.protocol !== protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'number') {
    return entry.endPort === undefined ? port === entry.port : port >= entry.port && port <= entry.endPort;
  }
  return destination !== undefined && destination.ports.some((cp) => cp.name === entry.port && cp.protocol === protocol && cp.containerPort === port);
}

/** Whether a rule's `ports` admit the port (an empty list admits every port and protocol). */
export function ruleAdmitsPort(rule: PolicyRule, port: number, protocol: Protocol, destination: Pod | undefined): boolean {
  return rule.ports.length === 0 || rule.ports.some((e) => portEntryMatches(e, port, protocol, destination));
}
