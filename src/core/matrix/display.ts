/**
 * What is on screen: the filtered rows and columns, with collapsed namespaces folded
 * into one aggregate entry each, and the cell of any two entries ("all / some / none
 * allowed" with counts for aggregates). Pure and shared by the webview renderer, the
 * CSV and SVG exports, and the host's reasons for aggregate cells.
 */
import { cellCodes, changeCodes } from './codes';
import type { FilteredView } from './filter';
import { groupLabel, GROUP_PREFIX, type CellCode, type ChangeCode, type MatrixEndpoint, type MatrixView } from './types';

export type AxisEntry =
  | { readonly kind: 'endpoint'; readonly index: number; readonly group: string }
  | { readonly kind: 'group'; readonly group: string; readonly members: readonly number[] };

/** A namespace's span of entries on one axis. */
export interface AxisGroup {
  readonly group: string;
  readonly label: string;
  /** [start, end) into the axis entries. */
  readonly start: number;
  readonly end: number;
  /** Endpoints of the group that passed the filter. */
  readonly size: number;
  readonly collapsed: boolean;
}

export interface DisplayAxis {
  readonly entries: readonly AxisEntry[];
  readonly groups: readonly AxisGroup[];
}

/** Builds one axis from filtered indices (already in group order), folding collapsed groups. */
export function displayAxis(endpoints: readonly MatrixEndpoint[], indices: ArrayLike<number>, collapsed: ReadonlySet<string>): DisplayAxis {
  const entries: AxisEntry[] = [];
  const groups: AxisGroup[] = [];
  let i = 0;
  while (i < indices.length) {
    const group = endpoints[indices[i]!]!.group;
    const members: number[] = [];
    while (i < indices.length && endpoints[indices[i]!]!.group === group) members.push(indices[i++]!);
    const start = entries.length;
    const isCollapsed = collapsed.has(group);
    if (isCollapsed) entries.push({ kind: 'group', group, members });
    else for (const index of members) entries.push({ kind: 'endpoint', index, group });
    groups.push({ group, label: groupLabel(group), start, end: entries.length, size: members.length, collapsed: isCollapsed });
  }
  return { entries, groups };
}

export interface CellSummary {
  readonly state: CellCode;
  readonly change: ChangeCode;
  /** Pairs (self pairs excluded) by state; for a plain cell, one of them is 1. */
  readonly allowed: number;
  readonly some: number;
  readonly denied: number;
  readonly notApplicable: number;
}

const CH = { A: 65, S: 83, D: 68, N: 78, SELF: 45, SPACE: 32, PLUS: 43, MINUS: 45, TILDE: 126 } as const;

/**
 * The cells of a display: plain lookups for two endpoints, aggregates (memoised, so a
 * redraw only pays for each aggregate once) when either side is a collapsed group.
 */
export class DisplayMatrix {
  readonly rowCount: number;
  readonly colCount: number;
  private readonly C: number;
  private readonly memo = new Map<number, CellSummary>();
  private readonly cells: Uint8Array;
  private readonly changes: Uint8Array | undefined;

  constructor(
    readonly view: MatrixView,
    readonly rows: DisplayAxis,
    readonly cols: DisplayAxis,
  ) {
    this.rowCount = rows.entries.length;
    this.colCount = cols.entries.length;
    this.C = view.cols.length;
    this.cells = cellCodes(view);
    this.changes = changeCodes(view);
  }

  /** The state character code of a display cell (fast path for the renderer). */
  code(r: number, c: number): number {
    const re = this.rows.entries[r]!;
    const ce = this.cols.entries[c]!;
    if (re.kind === 'endpoint' && ce.kind === 'endpoint') return this.cells[re.index * this.C + ce.index]!;
    return this.summary(r, c).state.charCodeAt(0);
  }

  /** The change character code of a display cell (`' '` when the view has no diff). */
  changeCode(r: number, c: number): number {
    if (this.changes === undefined) return CH.SPACE;
    const re = this.rows.entries[r]!;
    const ce = this.cols.entries[c]!;
    if (re.kind === 'endpoint' && ce.kind === 'endpoint') return this.changes[re.index * this.C + ce.index]!;
    return this.summary(r, c).change.charCodeAt(0);
  }

  summary(r: number, c: number): CellSummary {
    const key = r * this.colCount + c;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const re = this.rows.entries[r]!;
    const ce = this.cols.entries[c]!;
    const rowMembers = re.kind === 'endpoint' ? [re.index] : re.members;
    const colMembers = ce.kind === 'endpoint' ? [ce.index] : ce.members;
    const cells = cellCodes(this.view);
    const changes = changeCodes(this.view);
    // Counts per code, then the change flags in a separate pass only when there is a diff.
    const counts = new Uint32Array(128);
    for (const ri of rowMembers) {
      const base = ri * this.C;
      for (let i = 0; i < colMembers.length; i++) counts[cells[base + colMembers[i]!]!]!++;
    }
    let opened = false;
    let closed = false;
    if (changes) {
      for (const ri of rowMembers) {
        const base = ri * this.C;
        for (let i = 0; i < colMembers.length; i++) {
          const ch = changes[base + colMembers[i]!];
          if (ch === CH.PLUS) opened = true;
          else if (ch === CH.MINUS) closed = true;
          else if (ch === CH.TILDE) opened = closed = true;
        }
      }
    }
    const allowed = counts[CH.A]!;
    const some = counts[CH.S]!;
    const denied = counts[CH.D]!;
    const na = counts[CH.N]!;
    const self = counts[CH.SELF]!;
    const counted = allowed + some + denied;
    const state: CellCode =
      counted === 0 ? (self > 0 && na === 0 ? '-' : 'N') : allowed === counted ? 'A' : denied === counted ? 'D' : 'S';
    const change: ChangeCode = opened && closed ? '~' : opened ? '+' : closed ? '-' : ' ';
    const out: CellSummary = { state, change, allowed, some, denied, notApplicable: na };
    this.memo.set(key, out);
    return out;
  }

  /** The id a message uses for a row entry: the endpoint id, or `ns:<group>`. */
  rowId(r: number): string {
    const e = this.rows.entries[r]!;
    return e.kind === 'endpoint' ? this.view.rows[e.index]!.id : GROUP_PREFIX + e.group;
  }

  colId(c: number): string {
    const e = this.cols.entries[c]!;
    return e.kind === 'endpoint' ? this.view.cols[e.index]!.id : GROUP_PREFIX + e.group;
  }

  rowLabel(r: number): string {
    return entryLabel(this.view.rows, this.rows.entries[r]!);
  }

  colLabel(c: number): string {
    return entryLabel(this.view.cols, this.cols.entries[c]!);
  }
}

/** `production/postgres-0`, `10.0.0.0/8 except …`, or `production (12 pods)`. */
export function entryLabel(endpoints: readonly MatrixEndpoint[], e: AxisEntry): string {
  if (e.kind === 'group') return `${groupLabel(e.group)} (${e.members.length} ${e.group === '' ? (e.members.length === 1 ? 'block' : 'blocks') : e.members.length === 1 ? 'pod' : 'pods'})`;
  const ep = endpoints[e.index]!;
  return ep.kind === 'pod' ? ep.id : ep.detail ? `${ep.name} ${ep.detail}` : ep.name;
}

/** Builds the display of a filtered view with the given collapsed groups. */
export function buildDisplay(view: MatrixView, filtered: FilteredView, collapsed: ReadonlySet<string>): DisplayMatrix {
  return new DisplayMatrix(view, displayAxis(view.rows, filtered.rows, collapsed), displayAxis(view.cols, filtered.cols, collapsed));
}

/** Words for a cell state, for CSV, tooltips and screen readers. */
export function stateWord(state: CellCode): string {
  switch (state) {
    case 'A':
      return 'allowed';
    case 'S':
      return 'partly allowed';
    case 'D':
      return 'denied';
    case 'N':
      return 'not applicable';
    case '-':
      return 'self';
  }
}

/**
 * The one-line reason of an aggregate cell, from counts alone (no explain):
 * `production → monitoring: 2 of 6 pairs allowed, 1 partly (declared ports)`.
 */
export function aggregateReason(display: DisplayMatrix, r: number, c: number): string {
  const s = display.summary(r, c);
  const total = s.allowed + s.some + s.denied;
  const head = `${display.rowLabel(r)} → ${display.colLabel(c)}`;
  const port = display.view.portLabel;
  if (total === 0) return `${head}: nothing to evaluate on ${port}`;
  const parts = [`${s.allowed} of ${total} ${total === 1 ? 'pair' : 'pairs'} allowed`];
  if (s.some) parts.push(`${s.some} partly`);
  if (s.denied) parts.push(`${s.denied} denied`);
  const change = s.change === '+' ? '; some opened by the change' : s.change === '-' ? '; some closed by the change' : s.change === '~' ? '; some opened and some closed by the change' : '';
  return `${head}: ${parts.join(', ')} on ${port}${change}`;
}
