/**
 * A deliberately naive NetworkPolicy evaluator, written straight from the API
 * reference and kept apart from src/core/engine, as the reference the fast engine
 * is checked against. One pair at a time, every policy, every rule, every peer.
 */
import { parseIp } from '../../src/core/cidr';
import type { ClusterSnapshot, Pod, PolicyPeer, PolicyPort, Protocol } from '../../src/core/model';
import { selectorMatches } from '../../src/core/selector';

export type NaiveEndpoint = { pod: Pod } | { ip: string };

function ipsOf(e: NaiveEndpoint): string[] {
  return 'pod' in e ? [...e.pod.ips] : [e.ip];
}

function inBlock(ipText: string, peer: Extract<PolicyPeer, { type: 'ipBlock' }>): boolean {
  const ip = parseIp(ipText);
  if (!ip) return false;
  const within = (c: { family: 4 | 6; network: bigint; prefix: number }): boolean => {
    if (c.family !== ip.family) return false;
    const shift = BigInt((c.family === 4 ? 32 : 128) - c.prefix);
    return ip.value >> shift === c.network >> shift;
  };
  return within(peer.cidr) && !peer.except.some(within);
}

function peerMatches(peer: PolicyPeer, policyNs: string, e: NaiveEndpoint, snap: ClusterSnapshot): boolean {
  if (peer.type === 'ipBlock') return ipsOf(e).some((ip) => inBlock(ip, peer));
  if (!('pod' in e) || e.pod.hostNetwork) return false;
  if (peer.namespaceSelector) {
    const ns = snap.namespaces.find((n) => n.name === e.pod.namespace);
    const labels = ns ? ns.labels : { 'kubernetes.io/metadata.name': e.pod.namespace };
    if (!selectorMatches(peer.namespaceSelector, labels)) return false;
  } else if (e.pod.namespace !== policyNs) {
    return false;
  }
  return peer.podSelector === undefined || selectorMatches(peer.podSelector, e.pod.labels);
}

function portMatches(ports: readonly PolicyPort[], port: number, protocol: Protocol, dst: NaiveEndpoint): boolean {
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if (p.protocol !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') {
      return 'pod' in dst && dst.pod.ports.some((c) => c.name === p.port && c.protocol === protocol && c.containerPort === port);
    }
    return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
  });
}

function sideAllows(snap: ClusterSnapshot, egress: boolean, subject: NaiveEndpoint, other: NaiveEndpoint, dst: NaiveEndpoint, port: number, protocol: Protocol): boolean {
  if (!('pod' in subject) || subject.pod.hostNetwork) return true;
  const pod = subject.pod;
  const type = egress ? 'Egress' : 'Ingress';
  const isolating = snap.policies.filter(
    (p) => !p.invalid && p.namespace === pod.namespace && p.policyTypes.includes(type) && selectorMatches(p.podSelector, pod.labels),
  );
  if (isolating.length === 0) return true;
  for (const p of isolating) {
    for (const rule of egress ? p.egress : p.ingress) {
      const peerOk = rule.peers.length === 0 || rule.peers.some((peer) => peerMatches(peer, p.namespace, other, snap));
      if (peerOk && portMatches(rule.ports, port, protocol, dst)) return true;
    }
  }
  return false;
}

/** Whether `from` may connect to `to` on port/protocol. */
export function naiveAllowed(snap: ClusterSnapshot, from: NaiveEndpoint, to: NaiveEndpoint, port: number, protocol: Protocol): boolean {
  if ('pod' in from && 'pod' in to && from.pod.namespace === to.pod.namespace && from.pod.name === to.pod.name) return true;
  return sideAllows(snap, true, from, to, to, port, protocol) && sideAllows(snap, false, to, from, to, port, protocol);
}

/** The full matrix, pair by pair: result[i][j] for pods i → j. */
export function naiveMatrix(snap: ClusterSnapshot, port: number, protocol: Protocol): boolean[][] {
  return snap.pods.map((a) => snap.pods.map((b) => naiveAllowed(snap, { pod: a }, { pod: b }, port, protocol)));
}
