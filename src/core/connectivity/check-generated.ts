/**
 * What a generated fix changes, checked with the engine before anything is applied: the
 * reachability matrix of every declared port, with and without the new policies, compared cell
 * by cell. The intended path must open; anything else that opens (other replicas selected by the
 * same labels) or closes (a pod that becomes isolated) is listed.
 */
import { explain, type Verdict } from '../engine/explain';
import { ReachIndex } from '../engine/reach-index';
import type { ClusterSnapshot, NetworkPolicy, Protocol } from '../model';
import { podKey } from '../model';
import type { GeneratedPolicies } from './allow-policy';

export interface PathChange {
  /** `namespace/name` */
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface GeneratedCheck {
  /** Whether the intended path is allowed with the generated policies. */
  readonly allowed: boolean;
  /** The engine's verdict for the intended path with the generated policies. */
  readonly after: Verdict;
  /** Paths (other than the intended one) that the fix opens. */
  readonly opened: readonly PathChange[];
  /** Paths that were allowed and no longer are (a pod the fix newly isolates). */
  readonly closed: readonly PathChange[];
  /** Every port and protocol compared: the pods' declared container ports plus the intended one. */
  readonly portsCompared: readonly { readonly port: number; readonly protocol: Protocol }[];
  /** Existing policies the generated ones would replace (same namespace and name). */
  readonly replaces: readonly string[];
  /** One sentence: "with this, A → B:5432 is allowed; nothing else changes". */
  readonly summary: string;
}

function key(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

/** The snapshot with the generated policies added (a policy of the same name is replaced). */
export function withPolicies(snapshot: ClusterSnapshot, policies: readonly NetworkPolicy[]): ClusterSnapshot {
  const names = new Set(policies.map(key));
  return { ...snapshot, policies: [...snapshot.policies.filter((p) => !names.has(key(p))), ...policies] };
}

function portsOf(snapshot: ClusterSnapshot, extra: { port: number; protocol: Protocol }): { port: number; protocol: Protocol }[] {
  const seen = new Map<string, { port: number; protocol: Protocol }>();
  const add = (port: number, protocol: Protocol): void => {
    const k = `${port}/${protocol}`;
    if (!seen.has(k)) seen.set(k, { port, protocol });
  };
  add(extra.port, extra.protocol);
  for (const pod of snapshot.pods) for (const p of pod.ports) add(p.containerPort, p.protocol);
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

function group(changes: readonly PathChange[], limit: number): string {
  const byTarget = new Map<string, string[]>();
  for (const c of changes) {
    const k = `${c.to}:${c.port}/${c.protocol}`;
    const list = byTarget.get(k) ?? [];
    list.push(c.from);
    byTarget.set(k, list);
  }
  const parts: string[] = [];
  for (const [target, froms] of byTarget) {
    const shown = froms.slice(0, limit);
    const more = froms.length > limit ? ` and ${froms.length - limit} more` : '';
    parts.push(`${shown.join(', ')}${more} → ${target}`);
  }
  return parts.join('; ');
}

/**
 * Verifies a generated fix with the engine: the intended path must be allowed with it, and the
 * matrix diff over every declared port says what else changes.
 * @param snapshot the cluster without the fix
 * @param generated what {@link generateAllowPolicies} returned
 */
export function checkGenerated(snapshot: ClusterSnapshot, generated: GeneratedPolicies): GeneratedCheck {
  const after = withPolicies(snapshot, generated.models);
  const replaces = generated.models.filter((m) => snapshot.policies.some((p) => key(p) === key(m))).map(key);
  const source = snapshot.pods.find((p) => podKey(p) === generated.source);
  const destination = snapshot.pods.find((p) => podKey(p) === generated.destination);
  const resolved = { port: generated.port, protocol: generated.protocol, ...(generated.portName ? { portName: generated.portName } : {}) };
  const verdict = source && destination ? explain(after, { kind: 'pod', pod: source }, { kind: 'pod', pod: destination }, resolved) : generated.before;
  const ports = portsOf(snapshot, generated);
  const beforeIndex = new ReachIndex(snapshot);
  const afterIndex = new ReachIndex(after);
  const pods = beforeIndex.pods;
  const opened: PathChange[] = [];
  const closed: PathChange[] = [];
  const n = pods.length;
  for (const { port, protocol } of ports) {
    const b = beforeIndex.matrix(port, protocol).matrix;
    const a = afterIndex.matrix(port, protocol).matrix;
    for (let i = 0; i < n; i++) {
      const rowB = b.row(i);
      const rowA = a.row(i);
      for (let w = 0; w < rowB.length; w++) {
        let diff = rowB[w]! ^ rowA[w]!;
        while (diff !== 0) {
          const low = diff & -diff;
          const j = (w << 5) + 31 - Math.clz32(low);
          diff ^= low;
          if (j >= n || j === i) continue;
          const change = { from: podKey(pods[i]!), to: podKey(pods[j]!), port, protocol };
          if (change.from === generated.source && change.to === generated.destination && port === generated.port && protocol === generated.protocol) continue;
          if ((rowA[w]! & low) !== 0) opened.push(change);
          else closed.push(change);
        }
      }
    }
  }
  const target = `${generated.source} → ${generated.destination}:${generated.port}/${generated.protocol}`;
  const parts: string[] = [];
  if (!verdict.allowed) parts.push(`with this, ${target} is still denied (${verdict.summary})`);
  else parts.push(`with this, ${target} is allowed`);
  if (opened.length === 0 && closed.length === 0) parts.push('nothing else changes');
  if (opened.length) parts.push(`it also allows ${opened.length} other path${opened.length === 1 ? '' : 's'}: ${group(opened, 8)}`);
  if (closed.length) parts.push(`it denies ${closed.length} path${closed.length === 1 ? '' : 's'} that were allowed: ${group(closed, 8)}`);
  if (replaces.length) parts.push(`it replaces the existing ${replaces.join(', ')}`);
  return { allowed: verdict.allowed, after: verdict, opened, closed, portsCompared: ports, replaces, summary: parts.join('; ') };
}
