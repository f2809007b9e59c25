/**
 * The messages between the matrix webview and its VS Code host, both directions.
 * Data crosses only here, as plain JSON-safe objects: the HTML never holds any.
 *
 * Flow: the webview posts `ready`; the host answers with `data` (and again whenever
 * the snapshot, port or "before" changes, with a higher `revision`). Hover and click
 * ask for a cell's reason or explanation; the host answers with the same `revision`
 * and cell, and the webview drops answers for an older revision. Filters, collapsing,
 * zoom and exports (CSV, SVG, PNG) run in the webview; the host only saves the files.
 */
import type { GraphFocus } from '../../core/graph/policy-graph';
import type { MatrixFilter } from '../../core/matrix/filter';
import type { CellExplanation, CellRef, MatrixView, PortSelection } from '../../core/matrix/types';

/** Host → webview. */
export type HostToMatrixMessage =
  /**
   * A new view. `revision` grows with each one; `source` says what the data came from ("demo/workspace", "context prod").
   * `filter`, when given, replaces the one on screen (the panel was opened on a namespace or a policy file, or a new
   * webview gets the filter the host remembered); without it the webview keeps its own.
   */
  | { readonly type: 'data'; readonly revision: number; readonly view: MatrixView; readonly source?: string; readonly filter?: MatrixFilter }
  /** The one-line reason of a hovered cell (from `cellReason`). */
  | { readonly type: 'reason'; readonly revision: number; readonly cell: CellRef; readonly text: string }
  /** The full explanation of a clicked cell (from `cellExplanation`). */
  | { readonly type: 'explanation'; readonly revision: number; readonly cell: CellRef; readonly explanation: CellExplanation }
  /** Something the host could not do (a port change that failed, no snapshot yet): shown in the banner. */
  | { readonly type: 'error'; readonly message: string };

export type ExportFormat = 'csv' | 'svg' | 'png';

/** Webview → host. */
export type MatrixToHostMessage =
  | { readonly type: 'ready' }
  /** The filter on screen changed (debounced); the host may persist it. */
  | { readonly type: 'filter'; readonly filter: MatrixFilter }
  /** The user picked another port: answer with a new `data`. */
  | { readonly type: 'selectPort'; readonly port: PortSelection }
  /** Answer with `reason`. `filter` is the one on screen, for aggregate (`ns:`) cells. */
  | { readonly type: 'cellHover'; readonly revision: number; readonly cell: CellRef; readonly filter: MatrixFilter }
  /** Answer with `explanation`. */
  | { readonly type: 'cellClick'; readonly revision: number; readonly cell: CellRef; readonly filter: MatrixFilter }
  /** Open a manifest at a 1-based line and column (a location the host sent). */
  | { readonly type: 'openLocation'; readonly file: string; readonly line: number; readonly column?: number }
  /** Show the policy graph around a pod or a namespace. */
  | { readonly type: 'showGraph'; readonly focus: GraphFocus }
  /** Save a file: `data` is UTF-8 text (csv, svg) or base64 (png). */
  | { readonly type: 'export'; readonly format: ExportFormat; readonly filename: string; readonly data: string; readonly encoding: 'utf8' | 'base64' };

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isCellRef(x: unknown): x is CellRef {
  return isObj(x) && typeof x.row === 'string' && typeof x.col === 'string';
}

function isFilter(x: unknown): x is MatrixFilter {
  if (!isObj(x)) return false;
  const optString = (k: string): boolean => x[k] === undefined || typeof x[k] === 'string';
  const optBool = (k: string): boolean => x[k] === undefined || typeof x[k] === 'boolean';
  const ns = x.namespaces;
  return optString('labels') && optString('text') && optBool('onlyDenied') && optBool('onlyChanged') && optBool('external') &&
    (ns === undefined || (Array.isArray(ns) && ns.every((n) => typeof n === 'string')));
}

function isPortSelection(x: unknown): x is PortSelection {
  if (!isObj(x)) return false;
  if (x.kind === 'declared') return true;
  return x.kind === 'port' && Number.isInteger(x.port) && (x.port as number) >= 1 && (x.port as number) <= 65535 && (x.protocol === 'TCP' || x.protocol === 'UDP' || x.protocol === 'SCTP');
}

function isFocus(x: unknown): x is GraphFocus {
  return isObj(x) && ((x.kind === 'pod' && typeof x.pod === 'string') || (x.kind === 'namespace' && typeof x.namespace === 'string'));
}

/**
 * Checks a message from the webview before the host acts on it (webview content is
 * not trusted: a compromised page could post anything). Returns undefined when malformed.
 */
export function parseMatrixToHost(x: unknown): MatrixToHostMessage | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'ready':
      return { type: 'ready' };
    case 'filter':
      return isFilter(x.filter) ? { type: 'filter', filter: x.filter } : undefined;
    case 'selectPort':
      return isPortSelection(x.port) ? { type: 'selectPort', port: x.port } : undefined;
    case 'cellHover':
    case 'cellClick':
      return typeof x.revision === 'number' && isCellRef(x.cell) && isFilter(x.filter) ? { type: x.type, revision: x.revision, cell: x.cell, filter: x.filter } : undefined;
    case 'openLocation':
      if (typeof x.file !== 'string' || !Number.isInteger(x.line) || (x.line as number) < 1) return undefined;
      if (x.column !== undefined && (!Number.isInteger(x.column) || (x.column as number) < 1)) return undefined;
      return { type: 'openLocation', file: x.file, line: x.line as number, ...(x.column !== undefined ? { column: x.column as number } : {}) };
    case 'showGraph':
      return isFocus(x.focus) ? { type: 'showGraph', focus: x.focus } : undefined;
    case 'export':
      if ((x.format !== 'csv' && x.format !== 'svg' && x.format !== 'png') || typeof x.data !== 'string' || typeof x.filename !== 'string') return undefined;
      if (x.encoding !== 'utf8' && x.encoding !== 'base64') return undefined;
      return { type: 'export', format: x.format, filename: x.filename, data: x.data, encoding: x.encoding };
    default:
      return undefined;
  }
}

/** Checks a message from the host (shallowly: the host is trusted, but other extensions' frames are not). */
export function parseHostToMatrix(x: unknown): HostToMatrixMessage | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'data': {
      const v = x.view;
      if (typeof x.revision !== 'number' || !isObj(v) || v.schema !== 1 || !Array.isArray(v.rows) || !Array.isArray(v.cols) || typeof v.cells !== 'string') return undefined;
      if (v.cells.length !== v.rows.length * v.cols.length) return undefined;
      if (v.changes !== undefined && (typeof v.changes !== 'string' || v.changes.length !== v.cells.length)) return undefined;
      if (x.filter !== undefined && !isFilter(x.filter)) return undefined;
      return x as HostToMatrixMessage;
    }
    case 'reason':
      return typeof x.revision === 'number' && isCellRef(x.cell) && typeof x.text === 'string' ? (x as HostToMatrixMessage) : undefined;
    case 'explanation':
      return typeof x.revision === 'number' && isCellRef(x.cell) && isObj(x.explanation) && Array.isArray(x.explanation.sections) ? (x as HostToMatrixMessage) : undefined;
    case 'error':
      return typeof x.message === 'string' ? { type: 'error', message: x.message } : undefined;
    default:
      return undefined;
  }
}

/** Key of a cell for caches. */
export function cellKey(cell: CellRef): string {
  return `${cell.row}\u0000${cell.col}`;
}
