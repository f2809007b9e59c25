/** Pod order and declared ports, shared by the view builder, the diff and reasons. */
import type { ClusterSnapshot, Pod } from '../model';
import { portLabel, type PortSpec } from './types';

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Natural order: digit runs compare as numbers (`team-2` before `team-10`, `web-9` before
 * `web-10`), everything else by code unit, so the order is the same in every runtime
 * (no locale). Ties (`a01` vs `a1`) fall back to plain code-unit order.
 */
export function compareNatural(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+/, '');
      const ny = y.replace(/^0+/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return compareText(nx, ny);
      continue;
    }
    return compareText(x, y);
  }
  return pa.length - pb.length || compareText(a, b);
}

/** Pods in view order: by namespace, then name, both in natural order. */
export function viewOrder(pods: readonly Pod[]): Pod[] {
  return [...pods].sort((a, b) => compareNatural(a.namespace, b.namespace) || compareNatural(a.name, b.name));
}

export function comparePorts(a: PortSpec, b: PortSpec): number {
  return a.port - b.port || compareText(a.protocol, b.protocol);
}

/** The distinct container ports a pod declares, sorted. */
export function declaredPorts(pod: Pod): PortSpec[] {
  const seen = new Map<string, PortSpec>();
  for (const cp of pod.ports) seen.set(`${cp.containerPort}/${cp.protocol}`, { port: cp.containerPort, protocol: cp.protocol });
  return [...seen.values()].sort(comparePorts);
}

/** The distinct container ports of every pod of the snapshots, sorted. */
export function allDeclaredPorts(...snapshots: readonly ClusterSnapshot[]): PortSpec[] {
  const seen = new Map<string, PortSpec>();
  for (const s of snapshots) for (const pod of s.pods) for (const p of declaredPorts(pod)) seen.set(portLabel(p), p);
  return [...seen.values()].sort(comparePorts);
}
