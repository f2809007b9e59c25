/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Draws the matrix on a canvas: only the visible cells (see layout.ts), then the sticky
 * headers over them. Geometry, colours and hit-testing are the pure functions of
 * layout.ts and colors.ts; this file only issues canvas calls.
 */
import type { DisplayMatrix } from '../../core/matrix/display';
import { groupLabel } from '../../core/matrix/types';
import { cellStyle, changeColor, withAlpha, type CellStyle, type Palette } from './colors';
import { cellOrigin, stickyLabelStart, visibleRange, type Focus, type Hit, type MatrixLayout, type Scroll, type Viewport } from './layout';

export interface DrawState {
  readonly scroll: Scroll;
  readonly viewport: Viewport;
  readonly hover?: Hit;
  readonly focus?: Focus;
  readonly selected?: Focus;
  readonly hasFocus: boolean;
  /** "Only denied": allowed cells fade. */
  readonly dimAllowed: boolean;
  /** "Only changed": unchanged cells fade. */
  readonly dimUnchanged: boolean;
}

const CH_ALLOWED = 65;
const CH_UNCHANGED = 32;

/** The text of a row or column label: the pod name, the block, or a collapsed group. */
export function axisText(display: DisplayMatrix, axis: 'row' | 'col', i: number): string {
  const e = (axis === 'row' ? display.rows : display.cols).entries[i]!;
  // Rotated, a ▸ would read as ▲: columns name the folded group without it.
  if (e.kind === 'group') return axis === 'row' ? `▸ ${groupLabel(e.group)} (${e.members.length})` : `${groupLabel(e.group)} (${e.members.length})`;
  const ep = (axis === 'row' ? display.view.rows : display.view.cols)[e.index]!;
  const base = ep.kind === 'pod' ? ep.name : ep.detail ? `${ep.name} ${ep.detail}` : ep.name;
  return ep.added ? `+ ${base}` : base;
}

export function font(palette: Palette, size: number, weight = ''): string {
  return `${weight ? `${weight} ` : ''}${size}px ${palette.fontFamily}`;
}

/** Widest labels in px, for the layout. Caches widths by text (labels repeat across filters). */
export class LabelMeasure {
  private readonly cache = new Map<string, number>();
  constructor(private readonly ctx: CanvasRenderingContext2D) {}

  width(text: string, f: string): number {
    const key = `${f}\u0000${text}`;
    let w = this.cache.get(key);
    if (w === undefined) {
      this.ctx.font = f;
      w = this.ctx.measureText(text).width;
      this.cache.set(key, w);
    }
    return w;
  }

  /** `text`, cut with … to fit `max` px. */
  fit(text: string, f: string, max: number): string {
    if (this.width(text, f) <= max) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.width(`${text.slice(0, mid)}…`, f) <= max) lo = mid;
      else hi = mid - 1;
    }
    return `${text.slice(0, lo)}…`;
  }
}

export function labelFont(palette: Palette, cell: number): string {
  return font(palette, Math.max(9, Math.min(palette.fontSize, cell - 3)));
}

/** Draws the whole visible state. `ctx` is scaled to CSS px already. */
export function drawMatrix(ctx: CanvasRenderingContext2D, measure: LabelMeasure, display: DisplayMatrix, layout: MatrixLayout, palette: Palette, s: DrawState): void {
  const { cell } = layout;
  const { scroll, viewport } = s;
  const range = visibleRange(layout, scroll, viewport);
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, viewport.width, viewport.height);

  // Cells, clipped to the grid area.
  ctx.save();
  ctx.beginPath();
  ctx.rect(layout.rowHeaderWidth, layout.colHeaderHeight, viewport.width - layout.rowHeaderWidth, viewport.height - layout.colHeaderHeight);
  ctx.clip();
  const gap = cell >= 10 ? 1 : 0;
  const styles = new Map<number, CellStyle>();
  const styleOf = (code: number, dimmed: boolean): CellStyle => {
    const key = code * 2 + (dimmed ? 1 : 0);
    let st = styles.get(key);
    if (!st) styles.set(key, (st = cellStyle(code, palette, dimmed)));
    return st;
  };
  const glyphs = cell >= 16;
  const glyphFont = font(palette, Math.round(cell * 0.5), '600');
  const hasChanges = display.view.changes !== undefined;
  for (let r = range.r0; r < range.r1; r++) {
    for (let c = range.c0; c < range.c1; c++) {
      const code = display.code(r, c);
      const change = hasChanges ? display.changeCode(r, c) : CH_UNCHANGED;
      const dimmed = (s.dimAllowed && code === CH_ALLOWED) || (s.dimUnchanged && change === CH_UNCHANGED);
      const st = styleOf(code, dimmed);
      const { x, y } = cellOrigin(layout, scroll, r, c);
      ctx.fillStyle = st.fill;
      ctx.fillRect(x, y, cell - gap, cell - gap);
      if (palette.contrastBorder && !dimmed && code !== 78) {
        ctx.strokeStyle = palette.contrastBorder;
        ctx.lineWidth = 1;
        ctx.strokeRect(x + 0.5, y + 0.5, cell - gap - 1, cell - gap - 1);
      }
      if (glyphs && st.glyph) {
        ctx.fillStyle = st.glyphColor!;
        ctx.font = glyphFont;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(st.glyph, x + (cell - gap) / 2, y + (cell - gap) / 2 + 1);
      }
      const cc = changeColor(change, palette);
      if (cc) {
        // A corner flag: opened, closed, or both (~).
        const t = Math.max(4, Math.round(cell * 0.42));
        ctx.fillStyle = cc;
        ctx.beginPath();
        ctx.moveTo(x + cell - gap - t, y);
        ctx.lineTo(x + cell - gap, y);
        ctx.lineTo(x + cell - gap, y + t);
        ctx.closePath();
        ctx.fill();
        if (cell >= 12) {
          ctx.strokeStyle = cc;
          ctx.lineWidth = 2;
          ctx.strokeRect(x + 1, y + 1, cell - gap - 2, cell - gap - 2);
        }
      }
    }
  }
  // Namespace separators across the grid.
  ctx.strokeStyle = withAlpha(palette.foreground, 0.45);
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const g of display.rows.groups) {
    if (g.start === 0) continue;
    const y = Math.round(layout.colHeaderHeight + g.start * cell - scroll.top) - 0.5;
    ctx.moveTo(layout.rowHeaderWidth, y);
    ctx.lineTo(layout.rowHeaderWidth + layout.cols * cell - scroll.left, y);
  }
  for (const g of display.cols.groups) {
    if (g.start === 0) continue;
    const x = Math.round(layout.rowHeaderWidth + g.start * cell - scroll.left) - 0.5;
    ctx.moveTo(x, layout.colHeaderHeight);
    ctx.lineTo(x, layout.colHeaderHeight + layout.rows * cell - scroll.top);
  }
  ctx.stroke();
  // Hover, selection, focus.
  const outline = (f: Focus, color: string, width: number, dash: number[] = []): void => {
    const { x, y } = cellOrigin(layout, scroll, f.r, f.c);
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.strokeRect(x - width / 2 + 0.5, y - width / 2 + 0.5, cell - gap + width - 1, cell - gap + width - 1);
    ctx.setLineDash([]);
  };
  if (s.hover?.area === 'cell') outline(s.hover, palette.foreground, 1.5);
  if (s.selected) outline(s.selected, palette.foreground, 2.5);
  if (s.focus && s.hasFocus) outline(s.focus, palette.focus, 2, s.selected && s.selected.r === s.focus.r && s.selected.c === s.focus.c ? [3, 2] : []);
  ctx.restore();

  const hoverRow = s.hover && (s.hover.area === 'cell' || s.hover.area === 'rowHeader') ? s.hover.r : undefined;
  const hoverCol = s.hover && (s.hover.area === 'cell' || s.hover.area === 'colHeader') ? s.hover.c : undefined;
  const markRow = s.selected?.r ?? (s.hasFocus ? s.focus?.r : undefined);
  const markCol = s.selected?.c ?? (s.hasFocus ? s.focus?.c : undefined);
  drawRowHeader(ctx, measure, display, layout, palette, s, range.r0, range.r1, hoverRow, markRow);
  drawColHeader(ctx, measure, display, layout, palette, s, range.c0, range.c1, hoverCol, markCol);
  drawCorner(ctx, layout, palette);
}

function drawRowHeader(
  ctx: CanvasRenderingContext2D, measure: LabelMeasure, display: DisplayMatrix, layout: MatrixLayout, palette: Palette, s: DrawState,
  r0: number, r1: number, hover: number | undefined, mark: number | undefined,
): void {
  const { cell } = layout;
  const top = layout.colHeaderHeight;
  const height = s.viewport.height - top;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, top, layout.rowHeaderWidth, height);
  ctx.clip();
  ctx.fillStyle = palette.headerBackground;
  ctx.fillRect(0, top, layout.rowHeaderWidth, height);
  const f = labelFont(palette, cell);
  const nameX = layout.groupColumnWidth + 8;
  const nameMax = layout.rowHeaderWidth - nameX - 8;
  for (let r = r0; r < r1; r++) {
    const y = top + r * cell - s.scroll.top;
    if (r === hover || r === mark) {
      ctx.fillStyle = r === mark ? withAlpha(palette.focus, 0.25) : palette.hover;
      ctx.fillRect(layout.groupColumnWidth, y, layout.rowHeaderWidth - layout.groupColumnWidth, cell);
    }
    if (cell < 8) continue;
    const e = display.rows.entries[r]!;
    ctx.font = e.kind === 'group' ? font(palette, Math.max(9, Math.min(palette.fontSize, cell - 3)), '600') : f;
    ctx.fillStyle = palette.foreground;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(measure.fit(axisText(display, 'row', r), ctx.font, nameMax), nameX, y + cell / 2);
  }
  // Namespace column: a band per group, its label sticky at the top of the visible part.
  const gf = font(palette, Math.min(palette.fontSize, 12), '600');
  for (const g of display.rows.groups) {
    const y0 = top + g.start * cell - s.scroll.top;
    const y1 = top + g.end * cell - s.scroll.top;
    if (y1 < top || y0 > s.viewport.height) continue;
    ctx.fillStyle = withAlpha(palette.foreground, 0.05);
    ctx.fillRect(0, y0, layout.groupColumnWidth, y1 - y0);
    ctx.strokeStyle = withAlpha(palette.foreground, 0.45);
    ctx.beginPath();
    ctx.moveTo(0, Math.round(y0) + 0.5);
    ctx.lineTo(layout.rowHeaderWidth, Math.round(y0) + 0.5);
    ctx.stroke();
    // A folded group's row names it already; the band only shows the fold mark.
    const labelH = 18;
    const ly = stickyLabelStart(y0, y1, top, Math.min(labelH, y1 - y0));
    ctx.font = gf;
    ctx.fillStyle = palette.foreground;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const text = g.collapsed ? '▸' : `▾ ${g.label}`;
    ctx.fillText(measure.fit(text, gf, layout.groupColumnWidth - 14), 8, ly + Math.min(labelH, y1 - y0) / 2);
  }
  ctx.strokeStyle = palette.separator;
  ctx.beginPath();
  ctx.moveTo(layout.groupColumnWidth + 0.5, top);
  ctx.lineTo(layout.groupColumnWidth + 0.5, s.viewport.height);
  ctx.moveTo(layout.rowHeaderWidth - 0.5, top);
  ctx.lineTo(layout.rowHeaderWidth - 0.5, s.viewport.height);
  ctx.stroke();
  ctx.restore();
}

function drawColHeader(
  ctx: CanvasRenderingContext2D, measure: LabelMeasure, display: DisplayMatrix, layout: MatrixLayout, palette: Palette, s: DrawState,
  c0: number, c1: number, hover: number | undefined, mark: number | undefined,
): void {
  const { cell } = layout;
  const left = layout.rowHeaderWidth;
  const width = s.viewport.width - left;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, 0, width, layout.colHeaderHeight);
  ctx.clip();
  ctx.fillStyle = palette.headerBackground;
  ctx.fillRect(left, 0, width, layout.colHeaderHeight);
  const f = labelFont(palette, cell);
  const nameBottom = layout.colHeaderHeight - 8;
  const nameMax = layout.colHeaderHeight - layout.groupRowHeight - 16;
  for (let c = c0; c < c1; c++) {
    const x = left + c * cell - s.scroll.left;
    if (c === hover || c === mark) {
      ctx.fillStyle = c === mark ? withAlpha(palette.focus, 0.25) : palette.hover;
      ctx.fillRect(x, layout.groupRowHeight, cell, layout.colHeaderHeight - layout.groupRowHeight);
    }
    if (cell < 8) continue;
    const e = display.cols.entries[c]!;
    const cf = e.kind === 'group' ? font(palette, Math.max(9, Math.min(palette.fontSize, cell - 3)), '600') : f;
    ctx.save();
    ctx.translate(x + cell / 2, nameBottom);
    ctx.rotate(-Math.PI / 2);
    ctx.font = cf;
    ctx.fillStyle = palette.foreground;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(measure.fit(axisText(display, 'col', c), cf, nameMax), 0, 0);
    ctx.restore();
  }
  const gf = font(palette, Math.min(palette.fontSize, 12), '600');
  for (const g of display.cols.groups) {
    const x0 = left + g.start * cell - s.scroll.left;
    const x1 = left + g.end * cell - s.scroll.left;
    if (x1 < left || x0 > s.viewport.width) continue;
    ctx.fillStyle = withAlpha(palette.foreground, 0.05);
    ctx.fillRect(x0, 0, x1 - x0, layout.groupRowHeight);
    ctx.strokeStyle = withAlpha(palette.foreground, 0.45);
    ctx.beginPath();
    ctx.moveTo(Math.round(x0) + 0.5, 0);
    ctx.lineTo(Math.round(x0) + 0.5, layout.colHeaderHeight);
    ctx.stroke();
    // Narrow spans drop the fold mark for letters of the name; a folded group's column names it already.
    const spanW = x1 - x0;
    const text = g.collapsed ? '▸' : spanW < 60 ? g.label : `▾ ${g.label}`;
    const fitted = measure.fit(text, gf, Math.max(12, spanW - 6));
    const w = measure.width(fitted, gf);
    const lx = stickyLabelStart(x0 + 4, x1 - 2, left + 4, w);
    ctx.font = gf;
    ctx.fillStyle = palette.foreground;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(fitted, lx, layout.groupRowHeight / 2 + 1);
  }
  ctx.strokeStyle = palette.separator;
  ctx.beginPath();
  ctx.moveTo(left, layout.groupRowHeight + 0.5);
  ctx.lineTo(s.viewport.width, layout.groupRowHeight + 0.5);
  ctx.moveTo(left, layout.colHeaderHeight - 0.5);
  ctx.lineTo(s.viewport.width, layout.colHeaderHeight - 0.5);
  ctx.stroke();
  ctx.restore();
}

function drawCorner(ctx: CanvasRenderingContext2D, layout: MatrixLayout, palette: Palette): void {
  ctx.fillStyle = palette.headerBackground;
  ctx.fillRect(0, 0, layout.rowHeaderWidth, layout.colHeaderHeight);
  ctx.strokeStyle = palette.separator;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, layout.colHeaderHeight - 0.5);
  ctx.lineTo(layout.rowHeaderWidth, layout.colHeaderHeight - 0.5);
  ctx.moveTo(layout.rowHeaderWidth - 0.5, 0);
  ctx.lineTo(layout.rowHeaderWidth - 0.5, layout.colHeaderHeight);
  ctx.stroke();
  // Reading hint: sources are rows, destinations are columns.
  ctx.fillStyle = palette.muted;
  ctx.font = font(palette, Math.min(palette.fontSize, 12));
  ctx.textAlign = 'right';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText('destination →', layout.rowHeaderWidth - 10, layout.colHeaderHeight - 12);
  ctx.textAlign = 'left';
  ctx.fillText('source ↓', 10, layout.colHeaderHeight - 12);
}
