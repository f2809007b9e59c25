/**
 * The reachability matrix as plain, JSON-safe data: what the host builds once from a
 * snapshot and posts to the webview, and what filters, exports and the renderer read.
 * No bigints, no typed arrays, no functions, so it survives `postMessage` and JSON.
 */
import type { Protocol } from '../model';

/**
 * One cell's state, one character per cell in {@link MatrixView.cells}:
 * - `A` allowed (on the port; on every declared port; from every address of the block)
 * - `S` some: allowed on some declared ports, or from some addresses of a block
 * - `D` denied
 * - `N` not applicable: the destination declares no port, or external to external
 * - `-` a pod to itself (always allowed; NetworkPolicy does not apply)
 */
export type CellCode = 'A' | 'S' | 'D' | 'N' | '-';

/**
 * A cell's change against the "before" snapshot, one character per cell in
 * {@link MatrixView.changes}: `' '` unchanged, `+` opened, `-` closed, `~` some ports
 * (or addresses) opened and others closed.
 */
export type ChangeCode = ' ' | '+' | '-' | '~';

export interface PortSpec {
  readonly port: number;
  readonly protocol: Protocol;
}

/** Which traffic the cells are about: one port, or each destination's declared ports. */
export type PortSelection = { readonly kind: 'port'; readonly port: number; readonly protocol: Protocol } | { readonly kind: 'declared' };

/** A place in a manifest; `line` and `column` are 1-based, as editors print them. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface MatrixEndpoint {
  /**
   * Stable id: `namespace/name` for pods, `cidr:<block>` for ipBlock nodes. Ids never
   * start with `ns:`, which names a namespace group in a {@link CellRef}.
   */
  readonly id: string;
  readonly kind: 'pod' | 'cidr';
  /** The namespace of a pod; `''` for ipBlock nodes (the "external" group). */
  readonly group: string;
  /** The pod's name, or the block's CIDR. */
  readonly name: string;
  /** Pod labels; `{}` for blocks. */
  readonly labels: Readonly<Record<string, string>>;
  /** Ports the cells evaluate for this endpoint as a destination, as `5432/TCP`. */
  readonly ports: readonly string[];
  /** One more line for tooltips: an ipBlock's `except` list, a workload pod's owner. */
  readonly detail?: string;
  /** Where the pod or (first) ipBlock is written. */
  readonly location?: Location;
  /** In a diff: the pod exists only in the "after" snapshot. */
  readonly added?: boolean;
}

/** Counts over the cells of distinct endpoints (self cells are not counted). */
export interface CellCounts {
  readonly allowed: number;
  readonly some: number;
  readonly denied: number;
  readonly notApplicable: number;
}

/** What a diff against the "before" snapshot found, for the view's banner. */
export interface ViewDiffInfo {
  readonly summary: string;
  readonly opened: number;
  readonly closed: number;
  readonly addedPods: readonly string[];
  readonly removedPods: readonly string[];
}

export interface MatrixView {
  readonly schema: 1;
  readonly port: PortSelection;
  /** `5432/TCP`, or `declared ports`. */
  readonly portLabel: string;
  /** Ports the pods declare, for a port picker. */
  readonly availablePorts: readonly PortSpec[];
  /** Sources: pods (by namespace, then name), then ipBlocks that are ingress sources. */
  readonly rows: readonly MatrixEndpoint[];
  /** Destinations: the same pods, then ipBlocks that are egress destinations. */
  readonly cols: readonly MatrixEndpoint[];
  /** `rows.length × cols.length` {@link CellCode}s, row-major. */
  readonly cells: string;
  /** `rows.length × cols.length` {@link ChangeCode}s when the view was built with a "before" snapshot. */
  readonly changes?: string;
  readonly diff?: ViewDiffInfo;
  /** Namespaces in row order; `''` last when there are ipBlock nodes. */
  readonly groups: readonly string[];
  readonly counts: CellCounts;
}

/**
 * A cell as the webview names it: endpoint ids, or `ns:<namespace>` for a collapsed
 * namespace (`ns:` alone is the group of ipBlocks).
 */
export interface CellRef {
  readonly row: string;
  readonly col: string;
}

export interface ExplanationLine {
  readonly text: string;
  /** `allow` a rule that admitted it, `miss` an isolating policy's nearest miss, `note` context. */
  readonly kind: 'allow' | 'miss' | 'note';
  readonly location?: Location;
}

export interface ExplanationSection {
  /** e.g. `5432/TCP: denied`, or `Egress from production/web-api-…`. */
  readonly title: string;
  readonly verdict?: 'allowed' | 'denied' | 'some' | 'n/a';
  readonly lines: readonly ExplanationLine[];
}

/** The full explanation of one cell, for the details pane. */
export interface CellExplanation {
  readonly cell: CellRef;
  /** `production/web-api-… → production/postgres-0`. */
  readonly title: string;
  /** The one-line reason (the same text as the tooltip). */
  readonly summary: string;
  readonly state: CellCode;
  readonly sections: readonly ExplanationSection[];
}

export const GROUP_PREFIX = 'ns:';
export const CIDR_PREFIX = 'cidr:';

export function portLabel(p: PortSpec): string {
  return `${p.port}/${p.protocol}`;
}

export function selectionLabel(sel: PortSelection): string {
  return sel.kind === 'port' ? portLabel(sel) : 'declared ports';
}

/** Label of a group: the namespace, or `external` for ipBlocks. */
export function groupLabel(group: string): string {
  return group === '' ? 'external (ipBlock)' : group;
}
