/**
 * A deterministic layered layout of a {@link PolicyGraph}: five columns (sources →
 * ingress policies → selected pods → egress policies → destinations), nodes ordered in
 * each column by the mean position of their neighbours (two barycentre sweeps, ties by
 * id), columns centred vertically, edges as right-side-to-left-side anchors with a label
 * point. The webview only draws what this returns.
 */
import { COLUMN_TITLES, type GraphEdge, type GraphNode, type PolicyGraph } from './policy-graph';

export interface LayoutOptions {
  /** Average character width of the node font in px (default 7, for 12px sans-serif). */
  readonly charWidth?: number;
  readonly nodeHeight?: number;
  readonly gapY?: number;
  readonly gapX?: number;
  readonly minNodeWidth?: number;
  readonly maxNodeWidth?: number;
  readonly padding?: number;
}

export interface PlacedNode extends GraphNode {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** The label and sublabel cut to fit the width (with …). */
  readonly lines: readonly string[];
}

export interface PlacedEdge extends GraphEdge {
  /** Start (source node's right middle) and end (target node's left middle). */
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /**
   * Where the label goes: just outside the peer's node for rule edges (peers have a row
   * each, so labels of a fan-in do not collide), the curve's middle otherwise.
   */
  readonly labelX: number;
  readonly labelY: number;
  readonly labelAnchor: 'start' | 'middle' | 'end';
}

export interface PlacedColumn {
  readonly title: string;
  readonly x: number;
  readonly width: number;
  readonly count: number;
}

export interface GraphLayout {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly columns: readonly PlacedColumn[];
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly notes: readonly string[];
}

const DEFAULTS = { charWidth: 7.8, nodeHeight: 44, gapY: 14, gapX: 72, minNodeWidth: 150, maxNodeWidth: 240, padding: 24 };
/** Width of a character of an edge label (11px monospace). */
const EDGE_CHAR = 6.7;
/** Room for the kind badge (NP, POD, NS, IP) at the node's top right. */
const BADGE = 52;
/** Sublabels are set smaller (and lighter) than labels. */
const SUB = 0.8;
const HEADER = 36;

/** The cubic Bézier an edge is drawn as: horizontal tangents at both ends. */
export function edgeCurve(x1: number, y1: number, x2: number, y2: number): [number, number, number, number, number, number, number, number] {
  const dx = Math.max(30, (x2 - x1) / 2);
  return [x1, y1, x1 + dx, y1, x2 - dx, y2, x2, y2];
}

/** A point of an edge's curve at t (0 start, 1 end). */
export function pointOnCurve(c: readonly number[], t: number): { x: number; y: number } {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const d = 3 * u * t * t;
  const e = t * t * t;
  return { x: a * c[0]! + b * c[2]! + d * c[4]! + e * c[6]!, y: a * c[1]! + b * c[3]! + d * c[5]! + e * c[7]! };
}

/** Cuts text to at most `max` characters, ending with … when cut. */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? '…' : `${text.slice(0, max - 1)}…`;
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Places every node and edge of the graph. Same graph, same options: same coordinates. */
export function layoutGraph(graph: PolicyGraph, options: LayoutOptions = {}): GraphLayout {
  const o = { ...DEFAULTS, ...options };
  const columns: GraphNode[][] = [[], [], [], [], []];
  for (const n of [...graph.nodes].sort(byId)) columns[n.column]!.push(n);
  const neighbours = new Map<string, string[]>();
  for (const e of graph.edges) {
    neighbours.set(e.from, [...(neighbours.get(e.from) ?? []), e.to]);
    neighbours.set(e.to, [...(neighbours.get(e.to) ?? []), e.from]);
  }
  const columnOf = new Map(graph.nodes.map((n) => [n.id, n.column as number]));
  const rank = new Map<string, number>();
  const setRanks = (col: number): void => columns[col]!.forEach((n, i) => rank.set(n.id, i));
  columns.forEach((_, i) => setRanks(i));
  const sortByBarycentre = (col: number, towards: readonly number[]): void => {
    const inTowards = new Set(towards.flatMap((t) => columns[t]!.map((n) => n.id)));
    const centre = (n: GraphNode): number => {
      const ns = (neighbours.get(n.id) ?? []).filter((id) => inTowards.has(id));
      return ns.length ? ns.reduce((s, id) => s + rank.get(id)!, 0) / ns.length : Number.POSITIVE_INFINITY;
    };
    const keyed = columns[col]!.map((n) => ({ n, c: centre(n) }));
    keyed.sort((a, b) => (a.c === b.c ? byId(a.n, b.n) : a.c - b.c));
    columns[col] = keyed.map((k) => k.n);
    setRanks(col);
  };
  // Outwards from the pods, then back inwards, then outwards again.
  for (const [col, towards] of [[1, [2]], [3, [2]], [0, [1]], [4, [3]], [1, [0, 2]], [3, [2, 4]], [2, [1, 3]], [1, [0, 2]], [3, [2, 4]], [0, [1]], [4, [3]]] as const) {
    sortByBarycentre(col, towards);
  }

  const widths = columns.map((nodes) =>
    Math.ceil(Math.min(o.maxNodeWidth, Math.max(o.minNodeWidth, ...nodes.map((n) => Math.max(n.label.length * o.charWidth + BADGE, (n.sublabel ?? '').length * o.charWidth * SUB) + 24)))),
  );
  const heights = columns.map((nodes) => nodes.length * o.nodeHeight + Math.max(0, nodes.length - 1) * o.gapY);
  const tallest = Math.max(0, ...heights);
  // A gap is wide enough for the longest edge label crossing it, plus the arrow.
  const gaps = [0, 1, 2, 3, 4].map((col) =>
    Math.max(o.gapX, ...graph.edges.filter((e) => columnOf.get(e.from) === col).map((e) => Math.ceil(e.label.length * EDGE_CHAR) + 34)),
  );
  const placed = new Map<string, PlacedNode>();
  const placedColumns: PlacedColumn[] = [];
  let x = o.padding;
  columns.forEach((nodes, col) => {
    const w = widths[col]!;
    const y0 = o.padding + HEADER + (tallest - heights[col]!) / 2;
    const labelChars = Math.max(4, Math.floor((w - 24 - BADGE) / o.charWidth));
    const subChars = Math.max(4, Math.floor((w - 24) / (o.charWidth * SUB)));
    nodes.forEach((n, i) => {
      const lines = [fitText(n.label, labelChars), ...(n.sublabel ? [fitText(n.sublabel, subChars)] : [])];
      placed.set(n.id, { ...n, x, y: Math.round(y0 + i * (o.nodeHeight + o.gapY)), width: w, height: o.nodeHeight, lines });
    });
    placedColumns.push({ title: COLUMN_TITLES[col]!, x, width: w, count: nodes.length });
    x += w + gaps[col]!;
  });
  const width = x - gaps[4]! + o.padding;
  const height = o.padding * 2 + HEADER + tallest;
  const edges: PlacedEdge[] = [...graph.edges].sort(byId).flatMap((e): PlacedEdge[] => {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (!a || !b) return [];
    const x1 = a.x + a.width;
    const y1 = a.y + a.height / 2;
    const x2 = b.x;
    const y2 = b.y + b.height / 2;
    if (e.kind === 'rule' && e.direction === 'ingress') return [{ ...e, x1, y1, x2, y2, labelX: x1 + 6, labelY: y1 - 5, labelAnchor: 'start' as const }];
    if (e.kind === 'rule') return [{ ...e, x1, y1, x2, y2, labelX: x2 - 12, labelY: y2 - 5, labelAnchor: 'end' as const }];
    const at = pointOnCurve(edgeCurve(x1, y1, x2, y2), 0.5);
    return [{ ...e, x1, y1, x2, y2, labelX: Math.round(at.x), labelY: Math.round(at.y) - 4, labelAnchor: 'middle' as const }];
  });
  const nodes = columns.flatMap((c) => c.map((n) => placed.get(n.id)!));
  return { title: graph.title, width, height, columns: placedColumns, nodes, edges, notes: graph.notes };
}
