/**
 * Whether two snapshots give every connection the same verdict because they hold the same
 * objects: a cheap test before a diff, for edits that move text but change no object (a
 * comment, a blank line, reordered keys). Objects are compared by identity first, then by
 * their data without source locations; services are left out (they decide no verdict).
 */
import type { ClusterSnapshot } from '../model';

/** JSON without source locations; CIDRs hold bigints, which JSON cannot write as they are. */
function withoutSource(key: string, value: unknown): unknown {
  if (key === 'source') return undefined;
  return typeof value === 'bigint' ? `${value}n` : value;
}

function sameObjects<T extends object>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && JSON.stringify(x, withoutSource) !== JSON.stringify(y, withoutSource)) return false;
  }
  return true;
}

/**
 * True when `a` and `b` hold the same namespaces, pods, nodes and policies in the same order,
 * apart from where they were written. False does not mean a verdict differs: only a diff says that.
 */
export function equivalentSnapshots(a: ClusterSnapshot, b: ClusterSnapshot): boolean {
  return sameObjects(a.policies, b.policies) && sameObjects(a.namespaces, b.namespaces) && sameObjects(a.pods, b.pods) && sameObjects(a.nodes, b.nodes);
}
