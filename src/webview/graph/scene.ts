/**
 * The policy graph as a tree of SVG element descriptions (tag, attributes, text,
 * action), built from a {@link GraphLayout} by a pure function so it is tested in Node.
 * main.ts turns it into DOM with createElementNS/setAttribute/textContent: data never
 * becomes markup. Colours are CSS classes (media/webview/graph.css) over theme variables.
 */
import { edgeCurve, type GraphLayout, type PlacedEdge, type PlacedNode } from '../../core/graph/layout';
import type { Location } from '../../core/matrix/types';

export type SceneAction = { readonly kind: 'open'; readonly location: Location; readonly label: string };

export interface SceneNode {
  readonly tag: 'svg' | 'defs' | 'marker' | 'g' | 'rect' | 'path' | 'text' | 'title';
  readonly attrs: Readonly<Record<string, string | number>>;
  readonly text?: string;
  readonly children?: readonly SceneNode[];
  /** Makes the element focusable and clickable. */
  readonly action?: SceneAction;
}

const KIND_BADGE: Record<string, string> = { policy: 'NP', pods: 'POD', all: '∗', pods_peer: 'POD', namespaces: 'NS', 'pods-in-namespaces': 'NS+POD', cidr: 'IP' };

/** Short badge text of a node: NP for policies, POD, NS, IP, ∗ (everyone). */
export function badge(n: PlacedNode): string {
  if (n.kind === 'policy') return 'NP';
  if (n.kind === 'pods') return n.pods && n.pods.length > 1 ? `${n.pods.length} PODS` : 'POD';
  return KIND_BADGE[n.peerKind === 'pods' ? 'pods_peer' : (n.peerKind ?? 'all')] ?? '';
}

function nodeClass(n: PlacedNode): string {
  const classes = ['node', `node-${n.kind}`];
  if (n.peerKind) classes.push(`peer-${n.peerKind}`);
  if (n.direction) classes.push(`dir-${n.direction}`);
  if (n.denyAll) classes.push('deny-all');
  if (n.invalid) classes.push('invalid');
  if (n.selectsNothing) classes.push('selects-nothing');
  return classes.join(' ');
}

function nodeScene(n: PlacedNode): SceneNode {
  const tip = [n.label, n.sublabel, n.pods && n.pods.length > 1 ? n.pods.join('\n') : undefined, n.location ? `${n.location.file}:${n.location.line}` : undefined]
    .filter((t): t is string => t !== undefined)
    .join('\n');
  const b = badge(n);
  const children: SceneNode[] = [
    { tag: 'title', attrs: {}, text: tip },
    { tag: 'rect', attrs: { class: 'node-box', x: n.x, y: n.y, width: n.width, height: n.height, rx: 5 } },
    { tag: 'rect', attrs: { class: 'node-stripe', x: n.x, y: n.y, width: 4, height: n.height, rx: 2 } },
    { tag: 'text', attrs: { class: 'node-badge', x: n.x + n.width - 8, y: n.y + 14, 'text-anchor': 'end' }, text: b },
    { tag: 'text', attrs: { class: 'node-label', x: n.x + 12, y: n.y + (n.lines.length > 1 ? 18 : n.height / 2 + 4) }, text: n.lines[0] ?? '' },
  ];
  if (n.lines[1]) children.push({ tag: 'text', attrs: { class: 'node-sublabel', x: n.x + 12, y: n.y + 34 }, text: n.lines[1] });
  return {
    tag: 'g',
    attrs: { class: nodeClass(n), 'data-id': n.id },
    children,
    ...(n.location ? { action: { kind: 'open', location: n.location, label: `Open ${n.label} at ${n.location.file}:${n.location.line}` } } : {}),
  };
}

function edgePath(e: PlacedEdge): string {
  const [x1, y1, c1x, c1y, c2x, c2y, x2, y2] = edgeCurve(e.x1, e.y1, e.x2, e.y2);
  return `M${x1} ${y1} C${c1x} ${c1y}, ${c2x} ${c2y}, ${x2} ${y2}`;
}

function edgeScene(e: PlacedEdge): SceneNode {
  const children: SceneNode[] = [
    { tag: 'title', attrs: {}, text: e.kind === 'selects' ? `${e.direction === 'ingress' ? 'isolates' : 'isolated by'} (${e.direction})` : `${e.direction} rule: ${e.label}` },
    { tag: 'path', attrs: { class: 'edge-hit', d: edgePath(e) } },
    { tag: 'path', attrs: { class: 'edge-line', d: edgePath(e), 'marker-end': 'url(#arrow)' } },
  ];
  if (e.label) children.push({ tag: 'text', attrs: { class: 'edge-label', x: e.labelX, y: e.labelY, 'text-anchor': e.labelAnchor }, text: e.label });
  return {
    tag: 'g',
    attrs: { class: `edge edge-${e.kind} dir-${e.direction}`, 'data-id': e.id },
    children,
    ...(e.location ? { action: { kind: 'open', location: e.location, label: `Open the ${e.direction} rule (${e.label || e.kind}) at ${e.location.file}:${e.location.line}` } } : {}),
  };
}

/** The whole picture: column titles, edges under nodes, an arrow marker. */
export function graphScene(layout: GraphLayout): SceneNode {
  const columns: SceneNode[] = layout.columns.map((c) => ({
    tag: 'g',
    attrs: { class: 'column' },
    children: [
      { tag: 'text', attrs: { class: 'column-title', x: c.x, y: 34 }, text: c.title.toUpperCase() },
      ...(c.count === 0 ? [{ tag: 'text' as const, attrs: { class: 'column-empty', x: c.x, y: 62 }, text: 'none' }] : []),
    ],
  }));
  const defs: SceneNode = {
    tag: 'defs',
    attrs: {},
    children: [
      {
        tag: 'marker',
        attrs: { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        children: [{ tag: 'path', attrs: { class: 'arrow-head', d: 'M0 0L10 5L0 10z' } }],
      },
    ],
  };
  return {
    tag: 'svg',
    attrs: { class: 'graph', width: layout.width, height: layout.height, viewBox: `0 0 ${layout.width} ${layout.height}`, role: 'img', 'aria-label': layout.title },
    children: [defs, ...columns, { tag: 'g', attrs: { class: 'edges' }, children: layout.edges.map(edgeScene) }, { tag: 'g', attrs: { class: 'nodes' }, children: layout.nodes.map(nodeScene) }],
  };
}
