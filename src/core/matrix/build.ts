/**
 * Builds the matrix view model from a snapshot: pods as rows and columns (grouped by
 * namespace), ipBlocks as external rows (ingress sources) and columns (egress
 * destinations), one cell code per pair, for one port or for each destination's
 * declared ports; with a "before" snapshot, one change code per cell too.
 *
 * Pod cells come from {@link ReachIndex.matrix} (bitsets); ipBlock cells from
 * {@link ExternalEvaluator}. Nothing here calls `explain`: reasons are computed lazily,
 * per cell, in reason.ts.
 */
import { ReachIndex } from '../engine/reach-index';
import type { ClusterSnapshot, Pod } from '../model';
import { podKey } from '../model';
import { jsonLocation } from '../report/verdict-format';
import { diffSnapshots } from './diff';
import { allDeclaredPorts, declaredPorts, viewOrder } from './pods';
import { atomsOf, ExternalEvaluator, ipBlockNodes, ipBlockRanges, type Atom, type IpBlockNode } from './external';
import {
  portLabel,
  selectionLabel,
  type CellCounts,
  type MatrixEndpoint,
  type MatrixView,
  type PortSelection,
  type PortSpec,
} from './types';

export interface MatrixViewOptions {
  /** One port, or each destination's declared ports (the default). */
  readonly port?: PortSelection;
  /** Mark each cell's change against this snapshot ("only changed", diff banner). */
  readonly before?: ClusterSnapshot;
  /** Include ipBlock nodes (default true). */
  readonly external?: boolean;
}

/** Ports a cell towards an egress ipBlock evaluates in "declared" mode. */
export function blockPorts(node: IpBlockNode, fallback: readonly PortSpec[]): readonly PortSpec[] {
  return node.ports.length ? node.ports : fallback;
}

const A = 65; // 'A'
const S = 83; // 'S'
const D = 68; // 'D'
const N = 78; // 'N'
const SELF = 45; // '-'
const OPENED = 1;
const CLOSED = 2;
const CHANGE_CHARS = [32, 43, 45, 126]; // ' ', '+', '-', '~' indexed by flags

/** ASCII codes to a string (TextDecoder is in every runtime and is fast; windows-1252 = ASCII below 0x80). */
function toText(codes: Uint8Array): string {
  return new TextDecoder('latin1').decode(codes);
}

function state(allowed: number, total: number): number {
  return total === 0 ? N : allowed === total ? A : allowed === 0 ? D : S;
}

interface FlatAtoms {
  readonly atoms: Atom[];
  /** Per node: [start, end) into `atoms`. */
  readonly spans: [number, number][];
}

function flatten(perNode: Atom[][]): FlatAtoms {
  const atoms: Atom[] = [];
  const spans: [number, number][] = [];
  for (const list of perNode) {
    spans.push([atoms.length, atoms.length + list.length]);
    atoms.push(...list);
  }
  return { atoms, spans };
}

/**
 * The view model of a snapshot (see {@link MatrixView}). O(n²) in the pods for the cells
 * plus one bitset matrix per port; at 1,000 pods a few tens of milliseconds.
 */
export function buildMatrixView(snapshot: ClusterSnapshot, options: MatrixViewOptions = {}): MatrixView {
  const selection: PortSelection = options.port ?? { kind: 'declared' };
  const pods = viewOrder(snapshot.pods);
  const snap: ClusterSnapshot = { ...snapshot, pods };
  const index = new ReachIndex(snap);
  const n = pods.length;
  const external = options.external !== false;
  const inNodes = external ? ipBlockNodes(snap, 'ingress') : [];
  const outNodes = external ? ipBlockNodes(snap, 'egress') : [];
  const R = n + inNodes.length;
  const C = n + outNodes.length;
  const codes = new Uint8Array(R * C).fill(N);
  const before = options.before;
  const flags = before ? new Uint8Array(R * C) : undefined;
  const available = allDeclaredPorts(snapshot, ...(before ? [before] : []));

  // The "before" pods aligned to the view: before index of each view pod, or -1 (added).
  const beforeOf = new Int32Array(n).fill(-1);
  let beforeIndex: ReachIndex | undefined;
  const beforePods: Pod[] = [];
  if (before) {
    const byKey = new Map(before.pods.map((p) => [podKey(p), p]));
    pods.forEach((p, i) => {
      const bp = byKey.get(podKey(p));
      if (bp) {
        beforeOf[i] = beforePods.length;
        beforePods.push(bp);
      }
    });
    beforeIndex = new ReachIndex({ ...before, pods: beforePods });
  }

  const podPorts = pods.map(declaredPorts);
  const ports = selection.kind === 'port' ? [{ port: selection.port, protocol: selection.protocol }] : available;

  // Pod × pod: allowed counts per pair from one bit matrix per port (bits read inline:
  // this loop runs n² times per port), then one code per pair.
  const allowedCount = new Uint16Array(n * n);
  const totals = Uint16Array.from(podPorts, (pp) => (selection.kind === 'port' ? 1 : pp.length));
  for (const p of ports) {
    const m = index.matrix(p.port, p.protocol).matrix;
    const mb = beforeIndex?.matrix(p.port, p.protocol).matrix;
    const declares = (pod: Pod): boolean => pod.ports.some((cp) => cp.containerPort === p.port && cp.protocol === p.protocol);
    const declaredAfter = Uint8Array.from(pods, (pod) => (selection.kind === 'port' || declares(pod) ? 1 : 0));
    const declaredBefore = Uint8Array.from(pods, (_, j) => (selection.kind === 'port' || (beforeOf[j]! >= 0 && declares(beforePods[beforeOf[j]!]!)) ? 1 : 0));
    const dests = Int32Array.from(pods.flatMap((_, j) => (declaredAfter[j] ? [j] : [])));
    const W = m.words;
    const data = m.data;
    for (let i = 0; i < n; i++) {
      const row = i * W;
      const out = i * n;
      for (let k = 0; k < dests.length; k++) {
        const j = dests[k]!;
        allowedCount[out + j]! += (data[row + (j >>> 5)]! >>> (j & 31)) & 1;
      }
    }
    if (mb && flags) {
      const bw = mb.words;
      const bdata = mb.data;
      const changed = Int32Array.from(pods.flatMap((_, j) => ((declaredAfter[j] || declaredBefore[j]) && beforeOf[j]! >= 0 ? [j] : [])));
      for (let i = 0; i < n; i++) {
        const bi = beforeOf[i]!;
        if (bi < 0) continue;
        const row = i * W;
        const brow = bi * bw;
        for (let k = 0; k < changed.length; k++) {
          const j = changed[k]!;
          const bj = beforeOf[j]!;
          const a = (data[row + (j >>> 5)]! >>> (j & 31)) & 1;
          const b = (bdata[brow + (bj >>> 5)]! >>> (bj & 31)) & 1;
          if (a === b || i === j) continue;
          if (a && declaredAfter[j]) flags[i * C + j]! |= OPENED;
          else if (b && declaredBefore[j]) flags[i * C + j]! |= CLOSED;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const out = i * C;
    const counts = i * n;
    for (let j = 0; j < n; j++) {
      const total = totals[j]!;
      const allowed = allowedCount[counts + j]!;
      codes[out + j] = total === 0 ? N : allowed === total ? A : allowed === 0 ? D : S;
    }
    codes[out + i] = SELF;
  }

  // ipBlocks: atoms cut at the boundaries of both snapshots, so "before" and "after" compare atom by atom.
  const ranges = [...ipBlockRanges(snap), ...(before ? ipBlockRanges(before) : [])];
  const beforeSnap: ClusterSnapshot | undefined = before ? { ...before, pods: beforePods } : undefined;
  const externalCells = (nodes: readonly IpBlockNode[], direction: 'ingress' | 'egress'): void => {
    if (nodes.length === 0) return;
    const { atoms, spans } = flatten(atomsOf(nodes, ranges));
    const evalAfter = new ExternalEvaluator(snap, index, atoms, direction);
    const evalBefore = beforeSnap && beforeIndex ? new ExternalEvaluator(beforeSnap, beforeIndex, atoms, direction) : undefined;
    for (let k = 0; k < n; k++) {
      const allowed = new Uint32Array(nodes.length);
      const total = new Uint32Array(nodes.length);
      const change = new Uint8Array(nodes.length);
      const seenAfter = new Map<string, Uint8Array>();
      const seenBefore = new Map<string, Uint8Array>();
      const portsFor = (node: number): readonly PortSpec[] =>
        selection.kind === 'port' ? ports : direction === 'ingress' ? podPorts[k]! : blockPorts(nodes[node]!, available);
      // Ports are shared by every node for ingress rows (the pod's ports), and per node for egress.
      const portSets = direction === 'ingress' ? [portsFor(0)] : nodes.map((_, c) => portsFor(c));
      portSets.forEach((set, si) => {
        for (const p of set) {
          // Egress blocks share ports: each (pod, port) is evaluated once.
          const key = portLabel(p);
          let adm = seenAfter.get(key);
          if (!adm) seenAfter.set(key, (adm = evalAfter.admitted(k, p.port, p.protocol)));
          const bk = beforeOf[k]!;
          let admBefore = seenBefore.get(key);
          if (!admBefore && evalBefore && bk >= 0) seenBefore.set(key, (admBefore = evalBefore.admitted(bk, p.port, p.protocol)));
          const nodeRange = direction === 'ingress' ? nodes.map((_, c) => c) : [si];
          for (const c of nodeRange) {
            const [s, e] = spans[c]!;
            for (let t = s; t < e; t++) {
              allowed[c]! += adm[t]!;
              total[c]!++;
              if (admBefore) {
                if (adm[t] && !admBefore[t]) change[c]! |= OPENED;
                else if (!adm[t] && admBefore[t]) change[c]! |= CLOSED;
              }
            }
          }
        }
      });
      for (let c = 0; c < nodes.length; c++) {
        const cell = direction === 'ingress' ? (n + c) * C + k : k * C + n + c;
        codes[cell] = state(allowed[c]!, total[c]!);
        if (flags) flags[cell] = change[c]!;
      }
    }
  };
  externalCells(inNodes, 'ingress');
  externalCells(outNodes, 'egress');

  const histogram = new Uint32Array(128);
  for (let i = 0; i < codes.length; i++) histogram[codes[i]!]!++;
  const counts: CellCounts = { allowed: histogram[A]!, some: histogram[S]!, denied: histogram[D]!, notApplicable: histogram[N]! };

  const podEndpoint = (p: Pod, i: number): MatrixEndpoint => {
    const location = jsonLocation(p.source);
    const detail = p.origin.type === 'workload' ? `pod template of ${p.origin.kind} ${p.origin.name}` : p.ips.length ? p.ips.join(', ') : undefined;
    return {
      id: podKey(p), kind: 'pod', group: p.namespace, name: p.name, labels: p.labels, ports: podPorts[i]!.map(portLabel),
      ...(detail ? { detail } : {}), ...(location ? { location } : {}), ...(before && beforeOf[i]! < 0 ? { added: true } : {}),
    };
  };
  const blockEndpoint = (node: IpBlockNode, ports: readonly PortSpec[]): MatrixEndpoint => ({
    id: node.id, kind: 'cidr', group: '', name: node.label, labels: {}, ports: ports.map(portLabel),
    ...(node.detail ? { detail: node.detail } : {}), ...(node.location ? { location: node.location } : {}),
  });
  const podEndpoints = pods.map(podEndpoint);
  const rows = [...podEndpoints, ...inNodes.map((node) => blockEndpoint(node, []))];
  const cols = [...podEndpoints, ...outNodes.map((node) => blockEndpoint(node, selection.kind === 'port' ? ports : blockPorts(node, available)))];
  const groups = [...new Set(pods.map((p) => p.namespace))];
  if (inNodes.length || outNodes.length) groups.push('');

  let diff: MatrixView['diff'];
  let changes: string | undefined;
  if (before && flags) {
    const d = diffSnapshots(before, snapshot, selection.kind === 'port' ? ports : undefined);
    diff = { summary: d.summary, opened: d.opened.length, closed: d.closed.length, addedPods: d.addedPods, removedPods: d.removedPods };
    const chars = new Uint8Array(flags.length);
    for (let i = 0; i < flags.length; i++) chars[i] = CHANGE_CHARS[flags[i]!]!;
    changes = toText(chars);
  }

  return {
    schema: 1,
    port: selection,
    portLabel: selectionLabel(selection),
    availablePorts: available,
    rows,
    cols,
    cells: toText(codes),
    ...(changes !== undefined ? { changes } : {}),
    ...(diff ? { diff } : {}),
    groups,
    counts,
  };
}
