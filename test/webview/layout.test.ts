import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cellOrigin, computeLayout, defaultCellSize, hitTest, moveFocus, revealCell, stickyLabelStart, visibleRange, zoomStep, MAX_CELL, MIN_CELL,
} from '../../src/webview/matrix/layout';

const base = { rows: 1000, cols: 800, cell: 14, rowLabelWidth: 180, colLabelWidth: 150, groupLabelWidth: 90 };

describe('matrix layout (pure)', () => {
  it('sizes headers from the measured labels, with caps', () => {
    const l = computeLayout(base);
    assert.equal(l.groupColumnWidth, 90 + 24 + 14);
    assert.equal(l.rowHeaderWidth, l.groupColumnWidth + 180 + 24);
    assert.equal(l.colHeaderHeight, 22 + 150 + 24);
    assert.equal(l.contentWidth, l.rowHeaderWidth + 800 * 14);
    assert.equal(l.contentHeight, l.colHeaderHeight + 1000 * 14);
    const capped = computeLayout({ ...base, rowLabelWidth: 5000, colLabelWidth: 5000, groupLabelWidth: 5000, cell: 500 });
    assert.equal(capped.cell, MAX_CELL);
    assert.equal(capped.rowHeaderWidth, 170 + 280 + 24);
    assert.equal(computeLayout({ ...base, cell: 1 }).cell, MIN_CELL);
  });

  it('draws only the visible cells', () => {
    const l = computeLayout(base);
    const viewport = { width: 1200, height: 800 };
    assert.deepEqual(visibleRange(l, { left: 0, top: 0 }, viewport), { r0: 0, r1: Math.ceil((800 - l.colHeaderHeight) / 14), c0: 0, c1: Math.ceil((1200 - l.rowHeaderWidth) / 14) });
    const mid = visibleRange(l, { left: 700, top: 1400 }, viewport);
    assert.equal(mid.r0, 100);
    assert.equal(mid.c0, 50);
    const end = visibleRange(l, { left: l.contentWidth, top: l.contentHeight }, viewport);
    assert.equal(end.r1, 1000);
    assert.equal(end.c1, 800);
    const tiny = computeLayout({ ...base, rows: 3, cols: 2 });
    assert.deepEqual(visibleRange(tiny, { left: 0, top: 0 }, viewport), { r0: 0, r1: 3, c0: 0, c1: 2 });
    // At 1,000+ pods a screen holds a few thousand cells, never the n².
    const r = visibleRange(l, { left: 0, top: 0 }, { width: 2560, height: 1440 });
    assert.ok((r.r1 - r.r0) * (r.c1 - r.c0) < 20_000);
  });

  it('hit-tests cells, headers, namespace bands and the corner', () => {
    const l = computeLayout(base);
    const s = { left: 140, top: 280 };
    const { x, y } = cellOrigin(l, s, 30, 12);
    assert.deepEqual(hitTest(l, s, x + 1, y + 1), { area: 'cell', r: 30, c: 12 });
    assert.deepEqual(hitTest(l, s, x + 13.9, y + 13.9), { area: 'cell', r: 30, c: 12 });
    assert.deepEqual(hitTest(l, s, x + 14, y), { area: 'cell', r: 30, c: 13 });
    assert.deepEqual(hitTest(l, s, 5, 5), { area: 'corner' });
    assert.deepEqual(hitTest(l, s, l.groupColumnWidth + 5, y + 2), { area: 'rowHeader', r: 30 });
    assert.deepEqual(hitTest(l, s, 3, y + 2), { area: 'rowGroup', r: 30 });
    assert.deepEqual(hitTest(l, s, x + 2, l.groupRowHeight + 3), { area: 'colHeader', c: 12 });
    assert.deepEqual(hitTest(l, s, x + 2, 3), { area: 'colGroup', c: 12 });
    assert.deepEqual(hitTest(l, s, -1, 10), { area: 'none' });
    const small = computeLayout({ ...base, rows: 2, cols: 2 });
    assert.deepEqual(hitTest(small, { left: 0, top: 0 }, small.rowHeaderWidth + 100, small.colHeaderHeight + 5), { area: 'none' }, 'right of the last column');
  });

  it('hit-testing inverts cellOrigin for every cell and scroll (property)', () => {
    const l = computeLayout(base);
    fc.assert(fc.property(fc.nat(999), fc.nat(799), fc.nat(5000), fc.nat(5000), fc.double({ min: 0, max: 0.999, noNaN: true }), (r, c, left, top, f) => {
      const s = { left, top };
      const o = cellOrigin(l, s, r, c);
      const px = o.x + f * l.cell;
      const py = o.y + f * l.cell;
      if (px < l.rowHeaderWidth || py < l.colHeaderHeight) return; // under the sticky headers
      assert.deepEqual(hitTest(l, s, px, py), { area: 'cell', r, c });
    }));
  });

  it('scrolls just enough to reveal a cell', () => {
    const l = computeLayout(base);
    const viewport = { width: 1000, height: 700 };
    const s0 = { left: 0, top: 0 };
    assert.deepEqual(revealCell(l, s0, viewport, 0, 0), s0);
    const down = revealCell(l, s0, viewport, 100, 0);
    const gridH = 700 - l.colHeaderHeight;
    assert.equal(down.top, 101 * 14 - gridH);
    assert.deepEqual(revealCell(l, down, viewport, 100, 0), down, 'already visible: no scroll');
    assert.equal(revealCell(l, { left: 5000, top: 5000 }, viewport, 3, 2).left, 28);
    const last = revealCell(l, s0, viewport, 999, 799);
    assert.equal(last.left, l.contentWidth - viewport.width);
    assert.equal(last.top, l.contentHeight - viewport.height);
  });

  it('moves the focus with arrows, pages and Home/End, and ignores other keys', () => {
    const m = (key: string, f = { r: 5, c: 5 }, ctrlKey = false) => moveFocus(f, { key, ctrlKey }, 10, 8, 4);
    assert.deepEqual(m('ArrowUp'), { r: 4, c: 5 });
    assert.deepEqual(m('ArrowDown'), { r: 6, c: 5 });
    assert.deepEqual(m('ArrowLeft'), { r: 5, c: 4 });
    assert.deepEqual(m('ArrowRight'), { r: 5, c: 6 });
    assert.deepEqual(m('ArrowRight', { r: 5, c: 7 }), { r: 5, c: 7 }, 'stops at the edge');
    assert.deepEqual(m('ArrowUp', { r: 0, c: 0 }), { r: 0, c: 0 });
    assert.deepEqual(m('PageDown'), { r: 9, c: 5 });
    assert.deepEqual(m('PageUp'), { r: 1, c: 5 });
    assert.deepEqual(m('Home'), { r: 5, c: 0 });
    assert.deepEqual(m('End'), { r: 5, c: 7 });
    assert.deepEqual(m('Home', undefined, true), { r: 0, c: 0 });
    assert.deepEqual(m('End', undefined, true), { r: 9, c: 7 });
    assert.equal(m('a'), undefined);
    assert.equal(m('Enter'), undefined, 'Enter is the caller\'s: it opens the cell');
    assert.deepEqual(moveFocus(undefined, { key: 'ArrowDown' }, 10, 8, 4), { r: 0, c: 0 }, 'the first move lands on the first cell');
    assert.equal(moveFocus(undefined, { key: 'ArrowDown' }, 0, 0, 4), undefined);
    assert.deepEqual(moveFocus({ r: 20, c: 20 }, { key: 'ArrowUp' }, 10, 8, 4), { r: 9, c: 7 }, 'a focus past a shrunk view is clamped');
  });

  it('chooses cell sizes and zoom steps', () => {
    assert.equal(defaultCellSize(4, 4), 34);
    assert.equal(defaultCellSize(30, 30), 24);
    assert.equal(defaultCellSize(1500, 1500), 10);
    assert.equal(zoomStep(14, 1), 16);
    assert.equal(zoomStep(14, -1), 12);
    assert.equal(zoomStep(40, 1), 40);
    assert.equal(zoomStep(6, -1), 6);
    assert.equal(zoomStep(15, -1), 14);
  });

  it('keeps group labels in the visible part of their span', () => {
    assert.equal(stickyLabelStart(100, 500, 50, 18), 100, 'span below the top: at its start');
    assert.equal(stickyLabelStart(100, 500, 300, 18), 300, 'span scrolled under the header: pinned');
    assert.equal(stickyLabelStart(100, 500, 490, 18), 482, 'end of the span: pushed up by the next group');
  });
});
