/**
 * What a change to the manifests does to reachability: the paths (from, to, port,
 * protocol) it opens and closes, over the pods present on both sides.
 *
 * Both snapshots are indexed with the shared pods first, in the same order, so the
 * top-left block of each port's matrix is aligned and a row's changes are one XOR per
 * 32 destinations. A verdict between two pods depends only on the policies and those
 * two pods, so leaving the other side's extra pods out of the alignment changes nothing.
 */
import { newBitset, setBit, wordsFor, type Bitset } from '../engine/bitset';
import { ReachIndex } from '../engine/reach-index';
import type { ClusterSnapshot, Pod, Protocol } from '../model';
import { podKey } from '../model';
import { allDeclaredPorts, comparePorts, viewOrder } from './pods';
import { portLabel, type PortSpec } from './types';
import { joinLines } from '../report/one-line';

export interface DiffPath {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface SnapshotDiff {
  /** The ports compared. */
  readonly ports: readonly PortSpec[];
  /**
   * True when no ports were given: each port then counts only towards destinations
   * declaring it (an opened path where the destination listens after the change, a
   * closed one where it listened before). Given ports count for every pair.
   */
  readonly declared: boolean;
  /** Allowed after, denied before; ordered by source, destination, port. */
  readonly opened: readonly DiffPath[];
  /** Allowed before, denied after. */
  readonly closed: readonly DiffPath[];
  /** Pods (`namespace/name`) only in the "after" snapshot; their paths are not in `opened`. */
  readonly addedPods: readonly string[];
  /** Pods only in the "before" snapshot. */
  readonly removedPods: readonly string[];
  /** One sentence: "This change opens 2 paths (a → b:5432/TCP, …) and closes none." */
  readonly summary: string;
}

function declaredMask(pods: readonly Pod[], count: number, p: PortSpec): Bitset {
  const mask = newBitset(count);
  for (let j = 0; j < count; j++) {
    if (pods[j]!.ports.some((cp) => cp.containerPort === p.port && cp.protocol === p.protocol)) setBit(mask, j);
  }
  return mask;
}

function fullMask(count: number): Bitset {
  const mask = new Uint32Array(wordsFor(count)).fill(0xffffffff);
  if (count & 31) mask[mask.length - 1] = (1 << (count & 31)) - 1;
  return mask;
}

const EXAMPLES = 3;

function pathText(p: DiffPath): string {
  return `${p.from} → ${p.to} ${p.port}/${p.protocol}`;
}

/** `from → to:port/PROTO`, as the summary's examples read. */
function exampleText(p: DiffPath): string {
  return `${p.from} → ${p.to}:${p.port}/${p.protocol}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function examples(paths: readonly DiffPath[]): string {
  const shown = paths.slice(0, EXAMPLES).map(exampleText).join(', ');
  return ` (${shown}${paths.length > EXAMPLES ? ', …' : ''})`;
}

/** The one-sentence summary of a diff. */
export function diffSummary(d: Pick<SnapshotDiff, 'opened' | 'closed' | 'addedPods' | 'removedPods'>): string {
  const opens = d.opened.length ? `opens ${plural(d.opened.length, 'path', 'paths')}${examples(d.opened)}` : 'opens no paths';
  const closes = d.closed.length ? `closes ${plural(d.closed.length, 'path', 'paths')}${examples(d.closed)}` : 'closes none';
  let pods = '';
  if (d.addedPods.length || d.removedPods.length) {
    const parts: string[] = [];
    if (d.addedPods.length) parts.push(`${plural(d.addedPods.length, 'pod', 'pods')} added`);
    if (d.removedPods.length) parts.push(`${plural(d.removedPods.length, 'pod', 'pods')} removed`);
    pods = `; ${parts.join(', ')} (their paths are not counted)`;
  }
  return `This change ${opens} and ${closes}${pods}.`;
}

/**
 * Compares reachability before and after a change. `ports` (when given) are compared for
 * every ordered pair of distinct pods; without them, every port the pods declare, each
 * towards the destinations declaring it (see {@link SnapshotDiff.declared}).
 */
export function diffSnapshots(before: ClusterSnapshot, after: ClusterSnapshot, ports?: readonly PortSpec[]): SnapshotDiff {
  const beforeByKey = new Map(before.pods.map((p) => [podKey(p), p]));
  const afterKeys = new Set(after.pods.map(podKey));
  const common = viewOrder(after.pods.filter((p) => beforeByKey.has(podKey(p))));
  const added = viewOrder(after.pods.filter((p) => !beforeByKey.has(podKey(p))));
  const removed = viewOrder(before.pods.filter((p) => !afterKeys.has(podKey(p))));
  const c = common.length;
  const afterPods = [...common, ...added];
  const beforePods = [...common.map((p) => beforeByKey.get(podKey(p))!), ...removed];
  const afterIndex = new ReachIndex({ ...after, pods: afterPods });
  const beforeIndex = new ReachIndex({ ...before, pods: beforePods });
  const declared = ports === undefined;
  const portList = [...(ports ?? allDeclaredPorts(before, after))].sort(comparePorts);
  const keys = common.map(podKey);
  const W = wordsFor(c);
  const all = fullMask(c);

  // [row, column, port] triples, collected port by port, sorted at the end.
  const opened: number[][] = [];
  const closed: number[][] = [];
  portList.forEach((p, pi) => {
    const ma = afterIndex.matrix(p.port, p.protocol).matrix;
    const mb = beforeIndex.matrix(p.port, p.protocol).matrix;
    const maskAfter = declared ? declaredMask(afterPods, c, p) : all;
    const maskBefore = declared ? declaredMask(beforePods, c, p) : all;
    for (let r = 0; r < c; r++) {
      const rowA = ma.row(r);
      const rowB = mb.row(r);
      for (let w = 0; w < W; w++) {
        const x = (rowA[w]! ^ rowB[w]!) & all[w]!;
        if (x === 0) continue;
        for (const [bits, out] of [[x & rowA[w]! & maskAfter[w]!, opened], [x & rowB[w]! & maskBefore[w]!, closed]] as const) {
          let v = bits;
          while (v !== 0) {
            const low = v & -v;
            out.push([r, (w << 5) + 31 - Math.clz32(low), pi]);
            v ^= low;
          }
        }
      }
    }
  });
  const toPaths = (triples: number[][]): DiffPath[] =>
    triples
      .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!)
      .map(([r, col, pi]) => ({ from: keys[r!]!, to: keys[col!]!, port: portList[pi!]!.port, protocol: portList[pi!]!.protocol }));
  const result = {
    ports: portList,
    declared,
    opened: toPaths(opened),
    closed: toPaths(closed),
    addedPods: added.map(podKey),
    removedPods: removed.map(podKey),
  };
  return { ...result, summary: diffSummary(result) };
}

/** `netlens diff --json`: `{opened, closed, added_pods, removed_pods, summary}`. */
export function diffJson(d: SnapshotDiff): Record<string, unknown> {
  return { opened: d.opened, closed: d.closed, added_pods: d.addedPods, removed_pods: d.removedPods, summary: d.summary };
}

/**
 * `netlens diff` for people: the summary, then `+` opened and `-` closed paths, then pods on one
 * side only. Each line is escaped to one line (`oneLine`): pod names come from the manifests.
 */
export function diffText(d: SnapshotDiff): string {
  const lines = [d.summary];
  const group = (title: string, sign: string, paths: readonly DiffPath[]): void => {
    if (!paths.length) return;
    lines.push('', `${title}:`);
    for (const p of paths) lines.push(`${sign} ${pathText(p)}`);
  };
  group(`Opened (${d.opened.length})`, '+', d.opened);
  group(`Closed (${d.closed.length})`, '-', d.closed);
  if (d.addedPods.length) lines.push('', `Only after (${d.addedPods.length}): ${d.addedPods.join(', ')}`);
  if (d.removedPods.length) lines.push('', `Only before (${d.removedPods.length}): ${d.removedPods.join(', ')}`);
  const portsText = d.ports.map(portLabel).join(', ');
  lines.push('', d.declared ? `Compared on the ports each destination declares (${portsText || 'none'}).` : `Compared on ${portsText} for every pair of pods.`);
  return joinLines(lines);
}
