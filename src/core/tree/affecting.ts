/**
 * The policies that concern one pod: those that isolate it (they select it) and those whose
 * rules name it as a peer (they admit traffic from or to it). Rules without peers admit every
 * pod and are left out: they would list every policy of the cluster.
 */
import { describePorts } from '../engine/explain';
import { namespaceLabelLookup, peerMatchesPod, podIps, policySelects } from '../engine/semantics';
import type { ClusterSnapshot, NetworkPolicy, Pod } from '../model';

export interface PolicyEffect {
  readonly policy: NetworkPolicy;
  readonly kind: 'isolates' | 'peer';
  /** `isolates ingress (2 rules)`, `admits it as a source · ingress rule 1 · 5432/TCP`. */
  readonly text: string;
}

function plural(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

export function policiesAffecting(snapshot: ClusterSnapshot, pod: Pod): PolicyEffect[] {
  const out: PolicyEffect[] = [];
  for (const policy of snapshot.policies) {
    if (policy.namespace !== pod.namespace) continue;
    const dirs = (['Ingress', 'Egress'] as const).filter((d) => policySelects(policy, pod, d));
    if (dirs.length === 0) continue;
    const parts = dirs.map((d) => {
      const rules = d === 'Ingress' ? policy.ingress : policy.egress;
      return `${d.toLowerCase()} (${rules.length ? plural(rules.length, 'rule') : 'denies all'})`;
    });
    out.push({ policy, kind: 'isolates', text: `isolates ${parts.join(', ')}` });
  }
  const nsLabels = namespaceLabelLookup(snapshot.namespaces);
  const ips = podIps(pod);
  for (const policy of snapshot.policies) {
    if (policy.invalid) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      policy[direction].forEach((rule, i) => {
        if (rule.peers.length === 0 || !rule.peers.some((peer) => peerMatchesPod(peer, policy.namespace, pod, ips, nsLabels))) return;
        const role = direction === 'ingress' ? 'admits it as a source' : 'admits it as a destination';
        out.push({ policy, kind: 'peer', text: `${role} · ${direction} rule ${i + 1} · ${describePorts(rule, direction === 'egress' ? pod : undefined)}` });
      });
    }
  }
  return out;
}
