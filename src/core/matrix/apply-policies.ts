/**
 * A cluster as it would be once some policies are applied to it (`kubectl apply`, without
 * `--prune`): each policy replaces the live one of the same namespace and name, or is added.
 * Live policies that are not named stay; pods, namespaces, services and nodes are untouched.
 * The edit diff compares a live cluster with itself plus the policies of the edited files.
 */
import type { ClusterSnapshot, NetworkPolicy } from '../model';

function policyKey(p: NetworkPolicy): string {
  return `${p.namespace}/${p.name}`;
}

/**
 * `base` with `policies` applied. A replaced policy keeps its place in the list, added ones
 * follow in the given order; when `policies` names one policy twice, the later one wins.
 * Returns `base` itself when there is nothing to apply.
 */
export function applyPolicies(base: ClusterSnapshot, policies: readonly NetworkPolicy[]): ClusterSnapshot {
  if (policies.length === 0) return base;
  const incoming = new Map<string, NetworkPolicy>();
  for (const p of policies) {
    const key = policyKey(p);
    incoming.delete(key); // the later definition also takes the later place among the added ones
    incoming.set(key, p);
  }
  const merged = base.policies.map((p) => {
    const key = policyKey(p);
    const replacement = incoming.get(key);
    if (!replacement) return p;
    incoming.delete(key);
    return replacement;
  });
  return { ...base, policies: [...merged, ...incoming.values()] };
}
