/**
 * Geometry of the matrix canvas, as pure functions (tested in Node, no DOM): header
 * sizes, the range of visible cells for a scroll position, hit-testing, scrolling a
 * cell into view and keyboard moves.
 *
 * The canvas is the size of the viewport. The row header (namespace column + name
 * column) stays at the left and scrolls vertically; the column header (namespace row +
 * rotated names) stays at the top and scrolls horizontally; cells scroll both ways.
 * A scroll container with a spacer of {@link MatrixLayout.contentWidth} ×
 * {@link MatrixLayout.contentHeight} provides native scrolling; only visible cells are drawn.
 */

export interface LayoutInput {
  readonly rows: number;
  readonly cols: number;
  /** Cell size in CSS px. */
  readonly cell: number;
  /** Widest row label and column label, and widest namespace label, measured in CSS px. */
  readonly rowLabelWidth: number;
  readonly colLabelWidth: number;
  readonly groupLabelWidth: number;
}

export interface MatrixLayout {
  readonly rows: number;
  readonly cols: number;
  readonly cell: number;
  /** Width of the namespace column at the far left. */
  readonly groupColumnWidth: number;
  /** Whole row header: namespace column + name column. */
  readonly rowHeaderWidth: number;
  /** Height of the namespace row at the top. */
  readonly groupRowHeight: number;
  /** Whole column header: namespace row + rotated names. */
  readonly colHeaderHeight: number;
  readonly contentWidth: number;
  readonly contentHeight: number;
}

export const MIN_CELL = 6;
export const MAX_CELL = 40;
export const ZOOM_STEPS: readonly number[] = [6, 8, 10, 12, 14, 16, 20, 24, 28, 34, 40];
const LABEL_PAD = 12;
const MAX_NAME_WIDTH = 280;
const MAX_GROUP_WIDTH = 170;
const GROUP_ROW = 22;

/** A comfortable cell size for the matrix's size: roomy for small clusters, dense for large. */
export function defaultCellSize(rows: number, cols: number): number {
  const n = Math.max(rows, cols);
  return n <= 12 ? 34 : n <= 40 ? 24 : n <= 120 ? 18 : n <= 400 ? 14 : 10;
}

/** The next zoom step in a direction (+1 bigger, -1 smaller). */
export function zoomStep(cell: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOM_STEPS.find((s) => s > cell) ?? MAX_CELL;
  return [...ZOOM_STEPS].reverse().find((s) => s < cell) ?? MIN_CELL;
}

export function computeLayout(input: LayoutInput): MatrixLayout {
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.round(input.cell)));
  const groupColumnWidth = Math.ceil(Math.min(MAX_GROUP_WIDTH, input.groupLabelWidth + 2 * LABEL_PAD + 14));
  const rowHeaderWidth = groupColumnWidth + Math.ceil(Math.min(MAX_NAME_WIDTH, input.rowLabelWidth) + 2 * LABEL_PAD);
  const groupRowHeight = GROUP_ROW;
  const colHeaderHeight = groupRowHeight + Math.ceil(Math.min(MAX_NAME_WIDTH, input.colLabelWidth) + 2 * LABEL_PAD);
  return {
    rows: input.rows,
    cols: input.cols,
    cell,
    groupColumnWidth,
    rowHeaderWidth,
    groupRowHeight,
    colHeaderHeight,
    contentWidth: rowHeaderWidth + input.cols * cell,
    contentHeight: colHeaderHeight + input.rows * cell,
  };
}

export interface Scroll {
  readonly left: number;
  readonly top: number;
}

export interface Viewport {
  readonly width: number;
  readonly height: number;
}

/** Half-open ranges [r0, r1) × [c0, c1) of the cells at least partly visible. */
export interface VisibleRange {
  readonly r0: number;
  readonly r1: number;
  readonly c0: number;
  readonly c1: number;
}

export function visibleRange(layout: MatrixLayout, scroll: Scroll, viewport: Viewport): VisibleRange {
  const { cell } = layout;
  const gridW = Math.max(0, viewport.width - layout.rowHeaderWidth);
  const gridH = Math.max(0, viewport.height - layout.colHeaderHeight);
  const r0 = Math.max(0, Math.min(layout.rows, Math.floor(scroll.top / cell)));
  const c0 = Math.max(0, Math.min(layout.cols, Math.floor(scroll.left / cell)));
  const r1 = Math.max(r0, Math.min(layout.rows, Math.ceil((scroll.top + gridH) / cell)));
  const c1 = Math.max(c0, Math.min(layout.cols, Math.ceil((scroll.left + gridW) / cell)));
  return { r0, r1, c0, c1 };
}

/** Screen position (canvas CSS px) of a cell's top-left corner. */
export function cellOrigin(layout: MatrixLayout, scroll: Scroll, r: number, c: number): { x: number; y: number } {
  return { x: layout.rowHeaderWidth + c * layout.cell - scroll.left, y: layout.colHeaderHeight + r * layout.cell - scroll.top };
}

export type Hit =
  | { readonly area: 'cell'; readonly r: number; readonly c: number }
  | { readonly area: 'rowHeader'; readonly r: number }
  | { readonly area: 'colHeader'; readonly c: number }
  | { readonly area: 'rowGroup'; readonly r: number }
  | { readonly area: 'colGroup'; readonly c: number }
  | { readonly area: 'corner' }
  | { readonly area: 'none' };

/** What is under a point of the canvas (CSS px from its top-left). */
export function hitTest(layout: MatrixLayout, scroll: Scroll, x: number, y: number): Hit {
  if (x < 0 || y < 0) return { area: 'none' };
  const inHeaderX = x < layout.rowHeaderWidth;
  const inHeaderY = y < layout.colHeaderHeight;
  if (inHeaderX && inHeaderY) return { area: 'corner' };
  const c = Math.floor((x - layout.rowHeaderWidth + scroll.left) / layout.cell);
  const r = Math.floor((y - layout.colHeaderHeight + scroll.top) / layout.cell);
  if (inHeaderY) {
    if (c < 0 || c >= layout.cols) return { area: 'none' };
    return y < layout.groupRowHeight ? { area: 'colGroup', c } : { area: 'colHeader', c };
  }
  if (inHeaderX) {
    if (r < 0 || r >= layout.rows) return { area: 'none' };
    return x < layout.groupColumnWidth ? { area: 'rowGroup', r } : { area: 'rowHeader', r };
  }
  if (r < 0 || r >= layout.rows || c < 0 || c >= layout.cols) return { area: 'none' };
  return { area: 'cell', r, c };
}

/** The smallest scroll change that shows the whole cell (keyboard moves use it). */
export function revealCell(layout: MatrixLayout, scroll: Scroll, viewport: Viewport, r: number, c: number): Scroll {
  const gridW = Math.max(layout.cell, viewport.width - layout.rowHeaderWidth);
  const gridH = Math.max(layout.cell, viewport.height - layout.colHeaderHeight);
  const x = c * layout.cell;
  const y = r * layout.cell;
  let { left, top } = scroll;
  if (x < left) left = x;
  else if (x + layout.cell > left + gridW) left = x + layout.cell - gridW;
  if (y < top) top = y;
  else if (y + layout.cell > top + gridH) top = y + layout.cell - gridH;
  const maxLeft = Math.max(0, layout.contentWidth - viewport.width);
  const maxTop = Math.max(0, layout.contentHeight - viewport.height);
  return { left: Math.max(0, Math.min(maxLeft, left)), top: Math.max(0, Math.min(maxTop, top)) };
}

export interface Focus {
  readonly r: number;
  readonly c: number;
}

export interface KeyInput {
  readonly key: string;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
}

/**
 * The focus after a navigation key, or undefined when the key is not a move (the caller
 * then lets it through). Arrows move by one, PageUp/PageDown by a page of rows,
 * Home/End to the row's ends (with Ctrl or Cmd: the matrix's corners).
 */
export function moveFocus(focus: Focus | undefined, key: KeyInput, rows: number, cols: number, pageRows: number): Focus | undefined {
  if (rows === 0 || cols === 0) return undefined;
  const f = focus ?? { r: 0, c: 0 };
  const clampR = (r: number): number => Math.max(0, Math.min(rows - 1, r));
  const clampC = (c: number): number => Math.max(0, Math.min(cols - 1, c));
  const mod = key.ctrlKey === true || key.metaKey === true;
  switch (key.key) {
    case 'ArrowUp':
      return { r: clampR(f.r - 1), c: clampC(f.c) };
    case 'ArrowDown':
      return focus ? { r: clampR(f.r + 1), c: clampC(f.c) } : f;
    case 'ArrowLeft':
      return { r: clampR(f.r), c: clampC(f.c - 1) };
    case 'ArrowRight':
      return focus ? { r: clampR(f.r), c: clampC(f.c + 1) } : f;
    case 'PageUp':
      return { r: clampR(f.r - Math.max(1, pageRows)), c: clampC(f.c) };
    case 'PageDown':
      return { r: clampR(f.r + Math.max(1, pageRows)), c: clampC(f.c) };
    case 'Home':
      return mod ? { r: 0, c: 0 } : { r: clampR(f.r), c: 0 };
    case 'End':
      return mod ? { r: rows - 1, c: cols - 1 } : { r: clampR(f.r), c: cols - 1 };
    default:
      return undefined;
  }
}

/**
 * Where a group's label goes along its span so it stays visible while the span is
 * scrolled ("sticky"): the label start, clamped to the visible part of the span.
 */
export function stickyLabelStart(spanStart: number, spanEnd: number, visibleStart: number, labelSize: number): number {
  return Math.max(spanStart, Math.min(visibleStart, spanEnd - labelSize));
}
