/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The matrix webview (browser side, bundled to dist/webview/matrix.js). It builds its
 * own DOM (the host's HTML is an empty shell), talks to the host only through the
 * messages of protocol.ts, filters and draws locally, and asks the host for a cell's
 * reason on hover and its explanation on click.
 */
import { buildDisplay, aggregateReason, stateWord, type DisplayMatrix } from '../../core/matrix/display';
import { matrixCsv, matrixSvg } from '../../core/matrix/export';
import { applyFilter, type MatrixFilter } from '../../core/matrix/filter';
import {
  GROUP_PREFIX,
  portLabel,
  type CellCode,
  type CellExplanation,
  type CellRef,
  type MatrixEndpoint,
  type MatrixView,
  type PortSelection,
} from '../../core/matrix/types';
import { baseName, breakable, h, setChildren } from '../dom';
import { readPalette, themeKind, type Palette } from './colors';
import { computeLayout, defaultCellSize, hitTest, moveFocus, revealCell, zoomStep, type Focus, type Hit, type MatrixLayout } from './layout';
import { cellKey, parseHostToMatrix, type ExportFormat, type MatrixToHostMessage } from './protocol';
import { axisText, drawMatrix, font, LabelMeasure, labelFont, type DrawState } from './renderer';

interface VsCodeApi {
  postMessage(message: MatrixToHostMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  readonly filter: MatrixFilter;
  readonly collapsed: readonly string[];
  readonly cell?: number;
}

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() ?? {}) as Partial<SavedState>;

// ---- State -------------------------------------------------------------------------------
let view: MatrixView | undefined;
let revision = -1;
let source = '';
let filter: MatrixFilter = saved.filter ?? {};
const collapsed = new Set<string>(saved.collapsed ?? []);
let cellSize: number | undefined = saved.cell;
let display: DisplayMatrix | undefined;
let layout: MatrixLayout | undefined;
let palette: Palette;
let hover: Hit | undefined;
let focus: Focus | undefined;
let selected: { r: number; c: number; cell: CellRef } | undefined;
let hasFocus = false;
let filterError: string | undefined;
let hostError: string | undefined;
const reasons = new Map<string, string>();
let explanationFor: string | undefined;

// ---- DOM ---------------------------------------------------------------------------------
const portSelect = h('select', { attrs: { 'aria-label': 'Port' } });
const nsSummary = h('summary', { text: 'All namespaces' });
const nsList = h('div', { class: 'ns-list', attrs: { role: 'group', 'aria-label': 'Namespaces' } });
const nsPicker = h('details', { class: 'ns-picker' }, [nsSummary, nsList]);
const labelInput = h('input', { attrs: { type: 'search', placeholder: 'Labels: app=web,tier!=db', 'aria-label': 'Label selector', title: 'A label selector as kubectl reads it: app=web,tier!=db, env in (prod,staging), !canary', spellcheck: 'false' } });
const textInput = h('input', { attrs: { type: 'search', placeholder: 'Name contains…', 'aria-label': 'Name filter', spellcheck: 'false' } });
const checkbox = (label: string, title: string): [HTMLLabelElement, HTMLInputElement] => {
  const input = h('input', { attrs: { type: 'checkbox' } });
  return [h('label', { class: 'check', attrs: { title } }, [input, label]), input];
};
const [deniedLabel, deniedBox] = checkbox('Only denied', 'Keep rows and columns with a denied cell');
const [changedLabel, changedBox] = checkbox('Only changed', 'Keep rows and columns with a cell the change opened or closed');
const [externalLabel, externalBox] = checkbox('External', 'Show ipBlocks (addresses outside the cluster)');
const button = (text: string, title: string, cls = ''): HTMLButtonElement => h('button', { class: `btn ${cls}`.trim(), text, attrs: { type: 'button', title } });
const collapseButton = button('Collapse all', 'Fold every namespace into one row and column (aggregate cells)', 'secondary');
const zoomOut = button('−', 'Smaller cells (Ctrl+scroll)', 'secondary icon');
const zoomIn = button('+', 'Bigger cells (Ctrl+scroll)', 'secondary icon');
const exportButtons = (['csv', 'svg', 'png'] as const).map((f) => {
  const b = button(f.toUpperCase(), `Export the current view as ${f.toUpperCase()}`, 'secondary');
  b.addEventListener('click', () => void exportAs(f));
  return b;
});
const titleEl = h('div', { class: 'title' }, [h('span', { class: 'title-main', text: 'Reachability' }), h('span', { class: 'title-sub', text: '' })]);
const toolbar = h('header', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Matrix filters' } }, [
  titleEl,
  h('label', { class: 'field' }, [h('span', { text: 'Port' }), portSelect]),
  nsPicker,
  labelInput,
  textInput,
  deniedLabel,
  changedLabel,
  externalLabel,
]);
const banner = h('div', { class: 'banner', attrs: { role: 'status' } });
const legendItems = h('div', { class: 'legend-items' });
const legend = h('div', { class: 'legend', attrs: { 'aria-label': 'Legend and view' } }, [
  legendItems,
  h('span', { class: 'spacer' }),
  collapseButton,
  h('span', { class: 'group', attrs: { role: 'group', 'aria-label': 'Zoom' } }, [zoomOut, zoomIn]),
  h('span', { class: 'group', attrs: { role: 'group', 'aria-label': 'Export' } }, exportButtons),
]);
const canvas = h('canvas', { class: 'grid-canvas', attrs: { 'aria-hidden': 'true' } });
const spacer = h('div', { class: 'spacer-box' });
const scroller = h('div', {
  class: 'scroller',
  attrs: {
    tabindex: '0', role: 'application', 'aria-roledescription': 'reachability matrix',
    'aria-label': 'Reachability matrix. Arrow keys move between cells, Enter explains the cell, Space folds a namespace.',
  },
}, [spacer]);
const tooltip = h('div', { class: 'tooltip', attrs: { role: 'tooltip', hidden: '' } });
const gridWrap = h('div', { class: 'grid-wrap' }, [canvas, scroller, tooltip]);
const details = h('aside', { class: 'details', attrs: { 'aria-label': 'Explanation', 'aria-live': 'polite' } });
const status = h('footer', { class: 'status' });
const announce = h('div', { class: 'sr-only', attrs: { 'aria-live': 'polite' } });
const app = h('div', { class: 'app' }, [toolbar, banner, legend, h('main', { class: 'body' }, [gridWrap, details]), status, announce]);
document.body.append(app);
const ctx = canvas.getContext('2d')!;
const measure = new LabelMeasure(ctx);

// ---- Theme -------------------------------------------------------------------------------
function loadPalette(): void {
  const style = getComputedStyle(document.documentElement);
  const bodyStyle = getComputedStyle(document.body);
  palette = readPalette((n) => style.getPropertyValue(n) || bodyStyle.getPropertyValue(n), themeKind([...document.body.classList]));
}
loadPalette();
new MutationObserver(() => {
  loadPalette();
  scheduleDraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });

// ---- Messages ----------------------------------------------------------------------------
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = parseHostToMatrix(event.data);
  if (!msg) return;
  switch (msg.type) {
    case 'data':
      revision = msg.revision;
      source = msg.source ?? '';
      hostError = undefined;
      if (msg.filter) {
        filter = msg.filter;
        saveState();
      }
      setView(msg.view);
      break;
    case 'reason':
      if (msg.revision !== revision) return;
      reasons.set(cellKey(msg.cell), msg.text);
      refreshTooltip();
      if (hasFocus && focus && display && cellKey(cellRef(focus.r, focus.c)) === cellKey(msg.cell)) announceFocus();
      break;
    case 'explanation':
      if (msg.revision !== revision || cellKey(msg.cell) !== explanationFor) return;
      renderExplanation(msg.explanation);
      break;
    case 'error':
      hostError = msg.message;
      renderBanner();
      break;
  }
});

function post(message: MatrixToHostMessage): void {
  vscode.postMessage(message);
}

function saveState(): void {
  vscode.setState({ filter, collapsed: [...collapsed], ...(cellSize ? { cell: cellSize } : {}) } satisfies SavedState);
}

let filterTimer: ReturnType<typeof setTimeout> | undefined;
function filterChanged(): void {
  saveState();
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => post({ type: 'filter', filter }), 300);
}

// ---- View updates ------------------------------------------------------------------------
function setView(v: MatrixView): void {
  const keepSelection = selected && view ? selected.cell : undefined;
  view = v;
  reasons.clear();
  populatePorts();
  populateNamespaces();
  syncControls();
  update();
  if (keepSelection && display) {
    const pos = findCell(keepSelection);
    if (pos) select(pos.r, pos.c);
    else clearSelection();
  } else clearSelection();
}

function populatePorts(): void {
  if (!view) return;
  const options: [string, string][] = [['declared', 'Declared ports'], ...view.availablePorts.map((p): [string, string] => [portLabel(p), portLabel(p)])];
  const current = view.port.kind === 'declared' ? 'declared' : portLabel(view.port);
  if (!options.some(([value]) => value === current)) options.push([current, current]);
  setChildren(portSelect, options.map(([value, text]) => h('option', { text, attrs: { value } })));
  portSelect.value = current;
}

function populateNamespaces(): void {
  if (!view) return;
  const chosen = new Set(filter.namespaces ?? []);
  const boxes = view.groups.filter((g) => g !== '').map((g) => {
    const input = h('input', { attrs: { type: 'checkbox', value: g } });
    input.checked = chosen.has(g);
    input.addEventListener('change', () => {
      const picked = [...nsList.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
      filter = { ...filter, namespaces: picked };
      filterChanged();
      update();
    });
    return h('label', { class: 'check' }, [input, g]);
  });
  const clear = button('All namespaces', 'Show every namespace', 'link');
  clear.addEventListener('click', () => {
    filter = { ...filter, namespaces: [] };
    for (const i of nsList.querySelectorAll<HTMLInputElement>('input')) i.checked = false;
    filterChanged();
    update();
  });
  setChildren(nsList, [clear, ...boxes]);
}

function syncControls(): void {
  labelInput.value = filter.labels ?? '';
  textInput.value = filter.text ?? '';
  deniedBox.checked = filter.onlyDenied === true;
  externalBox.checked = filter.external !== false;
  const diff = view?.changes !== undefined;
  changedBox.disabled = !diff;
  changedBox.checked = diff && filter.onlyChanged === true;
  changedLabel.classList.toggle('disabled', !diff);
  changedLabel.title = diff ? 'Keep rows and columns with a cell the change opened or closed' : 'Needs a comparison with a "before" snapshot';
  const n = filter.namespaces?.length ?? 0;
  nsSummary.textContent = n === 0 ? 'All namespaces' : n === 1 ? filter.namespaces![0]! : `${n} namespaces`;
  const allCollapsed = view ? view.groups.every((g) => collapsed.has(g)) : false;
  collapseButton.textContent = allCollapsed ? 'Expand all' : 'Collapse all';
}

/** Filter → display → layout → draw; the part that must stay under 100 ms at 1,000+ pods. */
function update(): void {
  if (!view) return;
  const t0 = performance.now();
  const filtered = applyFilter(view, filter);
  const t1 = performance.now();
  filterError = filtered.error;
  display = buildDisplay(view, filtered, collapsed);
  const cell = cellSize ?? defaultCellSize(display.rowCount, display.colCount);
  const f = labelFont(palette, cell);
  const bold = font(palette, Math.max(9, Math.min(palette.fontSize, cell - 3)), '600');
  const gf = font(palette, Math.min(palette.fontSize, 12), '600');
  let rowW = 0;
  for (let r = 0; r < display.rowCount; r++) rowW = Math.max(rowW, measure.width(axisText(display, 'row', r), display.rows.entries[r]!.kind === 'group' ? bold : f));
  let colW = 0;
  for (let c = 0; c < display.colCount; c++) colW = Math.max(colW, measure.width(axisText(display, 'col', c), display.cols.entries[c]!.kind === 'group' ? bold : f));
  let groupW = measure.width('destination →', gf) - 40;
  for (const g of display.rows.groups) groupW = Math.max(groupW, measure.width(`▾ ${g.label}`, gf));
  layout = computeLayout({ rows: display.rowCount, cols: display.colCount, cell, rowLabelWidth: cell >= 8 ? rowW : 0, colLabelWidth: cell >= 8 ? colW : 0, groupLabelWidth: groupW });
  spacer.style.width = `${layout.contentWidth}px`;
  spacer.style.height = `${layout.contentHeight}px`;
  // The geometry, for end-to-end tests that point at a cell (the harness, *.vscode.test.ts).
  scroller.dataset.cell = String(layout.cell);
  scroller.dataset.rowHeaderWidth = String(layout.rowHeaderWidth);
  scroller.dataset.colHeaderHeight = String(layout.colHeaderHeight);
  if (focus && (focus.r >= display.rowCount || focus.c >= display.colCount)) focus = undefined;
  hover = undefined;
  hideTooltip();
  renderBanner();
  renderLegend();
  const t2 = performance.now();
  drawNow();
  const t3 = performance.now();
  const ms = t3 - t0;
  performance.measure('netlens:filter', { start: t0, end: t1 });
  performance.measure('netlens:layout', { start: t1, end: t2 });
  performance.measure('netlens:draw', { start: t2, end: t3 });
  performance.measure('netlens:update', { start: t0, duration: ms });
  renderStatus(ms);
}

function findCell(cell: CellRef): Focus | undefined {
  if (!display) return undefined;
  let r = -1;
  let c = -1;
  for (let i = 0; i < display.rowCount && r < 0; i++) if (display.rowId(i) === cell.row) r = i;
  for (let i = 0; i < display.colCount && c < 0; i++) if (display.colId(i) === cell.col) c = i;
  return r >= 0 && c >= 0 ? { r, c } : undefined;
}

// ---- Drawing -----------------------------------------------------------------------------
let frame = 0;
function scheduleDraw(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    drawNow();
  });
}

function drawNow(): void {
  const width = gridWrap.clientWidth;
  const height = gridWrap.clientHeight;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  if (!display || !layout) {
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, width, height);
    return;
  }
  const state: DrawState = {
    scroll: { left: scroller.scrollLeft, top: scroller.scrollTop },
    viewport: { width, height },
    ...(hover ? { hover } : {}),
    ...(focus ? { focus } : {}),
    ...(selected ? { selected } : {}),
    hasFocus,
    dimAllowed: filter.onlyDenied === true,
    dimUnchanged: filter.onlyChanged === true && view?.changes !== undefined,
  };
  drawMatrix(ctx, measure, display, layout, palette, state);
}

new ResizeObserver(() => drawNow()).observe(gridWrap);
scroller.addEventListener('scroll', () => {
  hideTooltip();
  scheduleDraw();
});

// ---- Text for people ---------------------------------------------------------------------
function endpointLabel(e: MatrixEndpoint): string {
  return e.kind === 'pod' ? e.id : `${e.name}${e.detail ? ` ${e.detail}` : ''}`;
}

function cellRef(r: number, c: number): CellRef {
  return { row: display!.rowId(r), col: display!.colId(c) };
}

function isAggregate(cell: CellRef): boolean {
  return cell.row.startsWith(GROUP_PREFIX) || cell.col.startsWith(GROUP_PREFIX);
}

function stateOf(r: number, c: number): CellCode {
  return String.fromCharCode(display!.code(r, c)) as CellCode;
}

function changeText(r: number, c: number): string {
  const ch = String.fromCharCode(display!.changeCode(r, c));
  return ch === '+' ? ' · opened by the change' : ch === '-' ? ' · closed by the change' : ch === '~' ? ' · changed' : '';
}

/** The reason line: local for aggregates, from the host (cached) for pairs. */
function reasonFor(r: number, c: number): string | undefined {
  const cell = cellRef(r, c);
  if (isAggregate(cell)) return aggregateReason(display!, r, c);
  if (stateOf(r, c) === '-') return 'allowed: a pod can always reach itself (NetworkPolicy does not apply)';
  return reasons.get(cellKey(cell));
}

// ---- Tooltip -----------------------------------------------------------------------------
let hoverTimer: ReturnType<typeof setTimeout> | undefined;
let tooltipAt: { x: number; y: number } | undefined;

function showTooltip(r: number, c: number, x: number, y: number): void {
  tooltipAt = { x, y };
  const reason = reasonFor(r, c);
  const cell = cellRef(r, c);
  setChildren(tooltip, [
    h('div', { class: 'tt-title' }, breakable(`${display!.rowLabel(r)} → ${display!.colLabel(c)}`)),
    h('div', { class: `tt-state state-${stateOf(r, c) === '-' ? 'self' : stateOf(r, c)}`, text: `${stateWord(stateOf(r, c))} on ${view!.portLabel}${changeText(r, c)}` }),
    h('div', { class: 'tt-reason', text: reason ?? '…' }),
  ]);
  tooltip.hidden = false;
  positionTooltip();
  if (reason === undefined) {
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(() => post({ type: 'cellHover', revision, cell, filter }), 90);
  }
}

/** The full name of a header (labels are cut to fit) and what a click does. */
function showHeaderTooltip(hit: Hit, x: number, y: number): void {
  if (!display || !view) return;
  const isRow = hit.area === 'rowHeader' || hit.area === 'rowGroup';
  const axis = isRow ? display.rows : display.cols;
  const i = hit.area === 'rowHeader' || hit.area === 'rowGroup' ? hit.r : hit.area === 'colHeader' || hit.area === 'colGroup' ? hit.c : -1;
  if (i < 0) return;
  const entry = axis.entries[i]!;
  const group = axis.groups.find((g) => i >= g.start && i < g.end)!;
  let title: string;
  let hint: string;
  if (hit.area === 'rowGroup' || hit.area === 'colGroup' || entry.kind === 'group') {
    title = `${group.label}: ${group.size} ${group.group === '' ? 'ipBlocks' : 'pods'}`;
    hint = group.collapsed ? 'Click to expand' : 'Click to fold into one row and column';
  } else {
    const e = (isRow ? view.rows : view.cols)[entry.index]!;
    title = endpointLabel(e);
    hint = `${isRow ? 'Source' : 'Destination'}${e.ports.length ? ` · ${e.ports.join(', ')}` : ''} · click for details`;
  }
  tooltipAt = { x, y };
  setChildren(tooltip, [h('div', { class: 'tt-title' }, breakable(title)), h('div', { class: 'tt-reason', text: hint })]);
  tooltip.hidden = false;
  positionTooltip();
}

function positionTooltip(): void {
  if (!tooltipAt) return;
  const pad = 14;
  const w = tooltip.offsetWidth;
  const hgt = tooltip.offsetHeight;
  let x = tooltipAt.x + pad;
  let y = tooltipAt.y + pad;
  if (x + w > gridWrap.clientWidth - 4) x = Math.max(4, tooltipAt.x - w - pad);
  if (y + hgt > gridWrap.clientHeight - 4) y = Math.max(4, tooltipAt.y - hgt - pad);
  tooltip.style.left = `${x}px`;
  tooltip.style.top = `${y}px`;
}

function refreshTooltip(): void {
  if (tooltip.hidden || !tooltipAt || hover?.area !== 'cell') return;
  showTooltip(hover.r, hover.c, tooltipAt.x, tooltipAt.y);
}

function hideTooltip(): void {
  tooltip.hidden = true;
  tooltipAt = undefined;
  clearTimeout(hoverTimer);
}

// ---- Pointer -----------------------------------------------------------------------------
function pointerHit(e: MouseEvent): Hit {
  const rect = gridWrap.getBoundingClientRect();
  return hitTest(layout!, { left: scroller.scrollLeft, top: scroller.scrollTop }, e.clientX - rect.left, e.clientY - rect.top);
}

scroller.addEventListener('mousemove', (e) => {
  if (!layout || !display) return;
  const hit = pointerHit(e);
  const same = hover && hit.area === hover.area && JSON.stringify(hit) === JSON.stringify(hover);
  hover = hit;
  const rect = gridWrap.getBoundingClientRect();
  if (hit.area === 'cell') {
    if (!same || tooltip.hidden) showTooltip(hit.r, hit.c, e.clientX - rect.left, e.clientY - rect.top);
    else {
      tooltipAt = { x: e.clientX - rect.left, y: e.clientY - rect.top };
      positionTooltip();
    }
  } else if (hit.area === 'rowHeader' || hit.area === 'colHeader' || hit.area === 'rowGroup' || hit.area === 'colGroup') {
    if (!same || tooltip.hidden) showHeaderTooltip(hit, e.clientX - rect.left, e.clientY - rect.top);
  } else hideTooltip();
  scroller.style.cursor = hit.area === 'none' || hit.area === 'corner' ? 'default' : 'pointer';
  if (!same) scheduleDraw();
});
scroller.addEventListener('mouseleave', () => {
  hover = undefined;
  hideTooltip();
  scheduleDraw();
});
scroller.addEventListener('click', (e) => {
  if (!layout || !display) return;
  const hit = pointerHit(e);
  switch (hit.area) {
    case 'cell':
      focus = { r: hit.r, c: hit.c };
      select(hit.r, hit.c);
      break;
    case 'rowGroup':
    case 'colGroup': {
      const axis = hit.area === 'rowGroup' ? display.rows : display.cols;
      const i = hit.area === 'rowGroup' ? hit.r : hit.c;
      const group = axis.groups.find((g) => i >= g.start && i < g.end);
      if (group) toggleGroup(group.group);
      break;
    }
    case 'rowHeader':
    case 'colHeader': {
      const axis = hit.area === 'rowHeader' ? display.rows : display.cols;
      const entry = axis.entries[hit.area === 'rowHeader' ? hit.r : hit.c]!;
      if (entry.kind === 'group') toggleGroup(entry.group);
      else renderEndpoint((hit.area === 'rowHeader' ? view!.rows : view!.cols)[entry.index]!, hit.area === 'rowHeader' ? 'source' : 'destination');
      break;
    }
    default:
      break;
  }
});
scroller.addEventListener('wheel', (e) => {
  if (!e.ctrlKey) return;
  e.preventDefault();
  setZoom(e.deltaY < 0 ? 1 : -1);
}, { passive: false });

function toggleGroup(group: string): void {
  if (collapsed.has(group)) collapsed.delete(group);
  else collapsed.add(group);
  saveState();
  syncControls();
  const keep = selected?.cell;
  update();
  reselect(keep);
}

function reselect(cell: CellRef | undefined): void {
  if (!cell) return;
  const pos = findCell(cell);
  if (pos) selected = { ...pos, cell };
  else clearSelection();
  scheduleDraw();
}

// ---- Keyboard ----------------------------------------------------------------------------
scroller.addEventListener('focus', () => {
  hasFocus = true;
  if (!focus && display && display.rowCount && display.colCount) focus = selected ? { r: selected.r, c: selected.c } : { r: 0, c: 0 };
  announceFocus();
  scheduleDraw();
});
scroller.addEventListener('blur', () => {
  hasFocus = false;
  scheduleDraw();
});
scroller.addEventListener('keydown', (e) => {
  if (!display || !layout) return;
  if ((e.key === 'Enter' || e.key === ' ') && focus) {
    e.preventDefault();
    if (e.key === ' ') {
      const entry = display.rows.entries[focus.r]!;
      toggleGroup(entry.group);
      return;
    }
    select(focus.r, focus.c);
    return;
  }
  if (e.key === 'Escape') {
    clearSelection();
    scheduleDraw();
    return;
  }
  if ((e.key === '+' || e.key === '=') && !e.ctrlKey) return setZoom(1);
  if (e.key === '-' && !e.ctrlKey) return setZoom(-1);
  const viewport = { width: gridWrap.clientWidth, height: gridWrap.clientHeight };
  const pageRows = Math.max(1, Math.floor((viewport.height - layout.colHeaderHeight) / layout.cell) - 1);
  const next = moveFocus(focus, e, display.rowCount, display.colCount, pageRows);
  if (!next) return;
  e.preventDefault();
  focus = next;
  const scroll = revealCell(layout, { left: scroller.scrollLeft, top: scroller.scrollTop }, viewport, next.r, next.c);
  scroller.scrollLeft = scroll.left;
  scroller.scrollTop = scroll.top;
  announceFocus();
  scheduleDraw();
});

function announceFocus(): void {
  if (!focus || !display) return;
  const reason = reasonFor(focus.r, focus.c);
  // Screen readers hear the reason too: ask for it like a hover does (the answer re-announces).
  if (reason === undefined) post({ type: 'cellHover', revision, cell: cellRef(focus.r, focus.c), filter });
  announce.textContent = `${display.rowLabel(focus.r)} to ${display.colLabel(focus.c)}: ${stateWord(stateOf(focus.r, focus.c))}${changeText(focus.r, focus.c)}.${reason ? ` ${reason}` : ''}`;
  renderStatus();
}

// ---- Selection and the details pane ------------------------------------------------------
function select(r: number, c: number): void {
  const cell = cellRef(r, c);
  selected = { r, c, cell };
  explanationFor = cellKey(cell);
  setChildren(details, [
    h('h2', {}, breakable(`${display!.rowLabel(r)} → ${display!.colLabel(c)}`)),
    h('p', { class: 'muted', text: 'Explaining…' }),
  ]);
  post({ type: 'cellClick', revision, cell, filter });
  scheduleDraw();
}

function clearSelection(): void {
  selected = undefined;
  explanationFor = undefined;
  setChildren(details, [
    h('h2', { text: 'Why?' }),
    h('p', { class: 'muted', text: 'Select a cell to see which policies decide it, the rule that admits the traffic or each isolating policy’s nearest miss, with links to the YAML.' }),
    h('ul', { class: 'keys' }, [
      h('li', {}, [h('kbd', { text: '← ↑ → ↓' }), ' move']),
      h('li', {}, [h('kbd', { text: 'Enter' }), ' explain']),
      h('li', {}, [h('kbd', { text: 'Space' }), ' fold the namespace']),
      h('li', {}, [h('kbd', { text: '+ −' }), ' zoom']),
    ]),
  ]);
}

function locationLink(loc: { file: string; line: number; column?: number }, label?: string): HTMLAnchorElement {
  const a = h('a', { class: 'loc', text: label ?? `${baseName(loc.file)}:${loc.line}`, attrs: { href: '#', title: `Open ${loc.file}:${loc.line}` } });
  a.addEventListener('click', (e) => {
    e.preventDefault();
    post({ type: 'openLocation', file: loc.file, line: loc.line, ...(loc.column ? { column: loc.column } : {}) });
  });
  return a;
}

const LINE_ICON: Record<string, string> = { allow: '✓', miss: '✗', note: '•' };

function renderExplanation(x: CellExplanation): void {
  const state = x.state === '-' ? 'self' : x.state;
  const children: HTMLElement[] = [
    h('h2', {}, breakable(x.title)),
    // The badge says the verdict, so the summary's leading "denied: " goes.
    h('p', { class: `summary state-${state}` }, [h('span', { class: 'badge', text: stateWord(x.state) }), ' ', x.summary.replace(/^(allowed|denied)(: | (?=on ))/, '')]),
  ];
  for (const s of x.sections) {
    const lines = s.lines.map((l) =>
      h('li', { class: `line ${l.kind}` }, [
        h('span', { class: 'icon', text: LINE_ICON[l.kind] ?? '•', attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'text', text: l.text }),
        l.location ? locationLink(l.location) : undefined,
      ]),
    );
    children.push(h('section', { class: `sec ${s.verdict ? `verdict-${s.verdict}` : ''}` }, [h('h3', { text: s.title }), h('ul', {}, lines)]));
  }
  setChildren(details, children);
}

function renderEndpoint(e: MatrixEndpoint, role: 'source' | 'destination'): void {
  selected = undefined;
  explanationFor = undefined;
  const rows: [string, string][] = [['kind', e.kind === 'pod' ? 'pod' : 'ipBlock (outside the cluster)']];
  if (e.kind === 'pod') rows.push(['namespace', e.group]);
  if (e.detail) rows.push([e.kind === 'pod' ? 'address' : 'except', e.detail]);
  if (Object.keys(e.labels).length) rows.push(['labels', Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(', ')]);
  if (e.ports.length) rows.push([role === 'destination' ? 'ports evaluated' : 'declared ports', e.ports.join(', ')]);
  const actions: HTMLElement[] = [];
  if (e.location) actions.push(locationLink(e.location, 'Open in editor'));
  if (e.kind === 'pod') {
    const graph = h('a', { class: 'loc', text: 'Policy graph', attrs: { href: '#' } });
    graph.addEventListener('click', (ev) => {
      ev.preventDefault();
      post({ type: 'showGraph', focus: { kind: 'pod', pod: e.id } });
    });
    actions.push(graph);
  }
  setChildren(details, [
    h('h2', {}, breakable(endpointLabel(e))),
    h('dl', {}, rows.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
    h('p', { class: 'actions' }, actions),
  ]);
  scheduleDraw();
}

// ---- Banner, legend, status --------------------------------------------------------------
function renderBanner(): void {
  const parts: HTMLElement[] = [];
  if (hostError) parts.push(h('div', { class: 'msg error', text: hostError }));
  if (filterError) parts.push(h('div', { class: 'msg warning', text: `Label selector: ${filterError} (ignored)` }));
  if (view?.diff) {
    const d = view.diff;
    parts.push(h('div', { class: 'msg diff' }, [h('strong', { text: `+${d.opened} opened · −${d.closed} closed` }), ' ', d.summary]));
  }
  setChildren(banner, parts);
  banner.hidden = parts.length === 0;
}

function swatch(cls: string, glyph: string, label: string): HTMLElement {
  return h('span', { class: 'item' }, [h('span', { class: `sw ${cls}`, text: glyph, attrs: { 'aria-hidden': 'true' } }), label]);
}

function renderLegend(): void {
  const items = [
    swatch('state-A', '✓', 'allowed'),
    swatch('state-D', '✕', 'denied'),
    swatch('state-S', '◐', view?.port.kind === 'declared' ? 'some ports / addresses' : 'some addresses'),
    swatch('state-N', '', 'not applicable'),
    swatch('state-self', '', 'self'),
  ];
  if (view?.changes !== undefined) items.push(swatch('chg-opened', '', 'opened'), swatch('chg-closed', '', 'closed'));
  const hint = h('span', { class: 'hint', text: `rows: sources · columns: destinations · ${view?.port.kind === 'declared' ? 'each destination’s declared ports' : (view?.portLabel ?? '')}` });
  setChildren(legendItems, [...items, hint]);
}

function renderStatus(ms?: number): void {
  if (!view || !display) return;
  const pods = view.rows.filter((e) => e.kind === 'pod').length;
  const blocks = view.rows.length + view.cols.length - 2 * pods;
  const c = view.counts;
  const parts = [
    source ? `${source}` : undefined,
    `${pods} pods${blocks ? `, ${blocks} ipBlocks` : ''}`,
    `showing ${display.rowCount} × ${display.colCount}`,
    `${c.allowed} allowed · ${c.denied} denied${c.some ? ` · ${c.some} partly` : ''}`,
    ms !== undefined ? `updated in ${ms.toFixed(0)} ms` : undefined,
  ].filter((p): p is string => p !== undefined);
  const focusText = focus && hasFocus ? `${display.rowLabel(focus.r)} → ${display.colLabel(focus.c)}: ${stateWord(stateOf(focus.r, focus.c))}` : '';
  setChildren(status, [h('span', { text: parts.join('  ·  ') }), h('span', { class: 'focus-text', text: focusText })]);
  titleEl.lastElementChild!.textContent = source;
}

// ---- Controls ----------------------------------------------------------------------------
portSelect.addEventListener('change', () => {
  const value = portSelect.value;
  let port: PortSelection;
  if (value === 'declared') port = { kind: 'declared' };
  else {
    const [n, proto] = value.split('/');
    port = { kind: 'port', port: Number(n), protocol: proto as 'TCP' | 'UDP' | 'SCTP' };
  }
  post({ type: 'selectPort', port });
});
let inputTimer: ReturnType<typeof setTimeout> | undefined;
const onText = (): void => {
  clearTimeout(inputTimer);
  inputTimer = setTimeout(() => {
    filter = { ...filter, labels: labelInput.value, text: textInput.value };
    filterChanged();
    update();
  }, 60);
};
labelInput.addEventListener('input', onText);
textInput.addEventListener('input', onText);
const onCheck = (): void => {
  filter = { ...filter, onlyDenied: deniedBox.checked, onlyChanged: changedBox.checked, external: externalBox.checked };
  filterChanged();
  update();
};
for (const b of [deniedBox, changedBox, externalBox]) b.addEventListener('change', onCheck);
collapseButton.addEventListener('click', () => {
  if (!view) return;
  const all = view.groups.every((g) => collapsed.has(g));
  collapsed.clear();
  if (!all) for (const g of view.groups) collapsed.add(g);
  saveState();
  syncControls();
  const keep = selected?.cell;
  update();
  reselect(keep);
});
function setZoom(direction: 1 | -1): void {
  if (!layout) return;
  cellSize = zoomStep(layout.cell, direction);
  saveState();
  update();
}
zoomIn.addEventListener('click', () => setZoom(1));
zoomOut.addEventListener('click', () => setZoom(-1));

// ---- Export ------------------------------------------------------------------------------
function fileStem(): string {
  return `netlens-matrix-${(view?.portLabel ?? 'view').replace(/[^A-Za-z0-9]+/g, '-')}`;
}

const MAX_PNG = 8192;

async function exportAs(format: ExportFormat): Promise<void> {
  if (!view || !display || !layout) return;
  if (format === 'csv') {
    post({ type: 'export', format, filename: `${fileStem()}.csv`, data: matrixCsv(display), encoding: 'utf8' });
    return;
  }
  if (format === 'svg') {
    const p = palette;
    const svgPalette = {
      background: p.background, foreground: p.foreground, muted: p.muted, grid: p.separator, allowed: p.allowed, some: p.some,
      denied: p.denied, notApplicable: p.notApplicable, self: p.self, opened: p.opened, closed: p.closed,
    };
    post({ type: 'export', format, filename: `${fileStem()}.svg`, data: matrixSvg(display, { palette: svgPalette, title: `Reachability on ${view.portLabel}` }), encoding: 'utf8' });
    return;
  }
  // PNG: the whole current view on an offscreen canvas, cells shrunk to fit 8192 px.
  const fit = Math.floor(Math.min(
    layout.cell,
    (MAX_PNG - layout.rowHeaderWidth) / Math.max(1, display.colCount),
    (MAX_PNG - layout.colHeaderHeight) / Math.max(1, display.rowCount),
  ));
  const exportLayout = fit === layout.cell ? layout : computeLayout({
    rows: display.rowCount, cols: display.colCount, cell: Math.max(2, fit),
    rowLabelWidth: layout.rowHeaderWidth - layout.groupColumnWidth - 24, colLabelWidth: layout.colHeaderHeight - layout.groupRowHeight - 24, groupLabelWidth: layout.groupColumnWidth - 38,
  });
  const out = document.createElement('canvas');
  out.width = Math.min(MAX_PNG, exportLayout.contentWidth);
  out.height = Math.min(MAX_PNG, exportLayout.contentHeight);
  const octx = out.getContext('2d')!;
  drawMatrix(octx, new LabelMeasure(octx), display, exportLayout, palette, {
    scroll: { left: 0, top: 0 }, viewport: { width: out.width, height: out.height }, hasFocus: false,
    dimAllowed: filter.onlyDenied === true, dimUnchanged: filter.onlyChanged === true && view.changes !== undefined,
  });
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) return;
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  post({ type: 'export', format, filename: `${fileStem()}.png`, data: btoa(binary), encoding: 'base64' });
}

// ---- Start -------------------------------------------------------------------------------
clearSelection();
renderLegend();
banner.hidden = true;
drawNow();
post({ type: 'ready' });
