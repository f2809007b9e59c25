import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { buildDisplay } from '../../src/core/matrix/display';
import { matrixCsv } from '../../src/core/matrix/export';
import { applyFilter } from '../../src/core/matrix/filter';
import { cellReason } from '../../src/core/matrix/reason';
import type { ClusterSnapshot } from '../../src/core/model';
import { demoSnapshots } from './demo';
import { readPalette } from '../../src/webview/matrix/colors';
import { buildBundles, canvasPixel, cellCentre, chromiumAvailable, Harness, hexRgb, THEMES } from './harness';

const WEB = 'production/web-api-7d9f8b6c5d-x2k4q';
const DB = 'production/postgres-0';
const PROM = 'monitoring/prometheus-0';
const PORT = { kind: 'port' as const, port: 5432, protocol: 'TCP' as const };

function near(actual: readonly number[], hex: string, label: string): void {
  const want = hexRgb(hex);
  const off = Math.max(...want.map((v, i) => Math.abs(v - actual[i]!)));
  assert.ok(off <= 6 && actual[3] === 255, `${label}: rgba(${actual.join(', ')}) is not ${hex}`);
}

/** Waits for something the page posts (bindings deliver asynchronously). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting for a message from the webview');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A point inside a cell away from its glyph and outlines. */
async function cellPoint(page: Page, r: number, c: number): Promise<{ x: number; y: number }> {
  const p = await cellCentre(page, r, c);
  return { x: p.left + 4, y: p.top + p.cell / 2 };
}

// Renders the real bundle in headless Chromium (Debian's /usr/bin/chromium) and checks pixels,
// the protocol round trips and the CSP. Skipped where Chromium is not installed.
describe('matrix webview in Chromium', function () {
  this.timeout(90_000);
  let harness: Harness;
  let bundles: string;
  let seed: ClusterSnapshot;

  before(async function () {
    if (!chromiumAvailable()) this.skip();
    bundles = mkdtempSync(path.join(tmpdir(), 'netlens-bundles-'));
    await buildBundles(bundles);
    ({ before: seed } = await demoSnapshots());
    harness = await Harness.launch({ bundleDir: bundles, viewport: { width: 1200, height: 760 } });
  });
  after(async () => {
    await harness?.close();
    if (bundles) rmSync(bundles, { recursive: true, force: true });
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`draws the seed incident in ${theme}: web-api → postgres red, postgres → prometheus green`, async () => {
      const { page, view } = await harness.openMatrix(seed, { theme, port: PORT });
      try {
        const v = view();
        const r = v.rows.findIndex((e) => e.id === WEB);
        const c = v.cols.findIndex((e) => e.id === DB);
        await page.mouse.move(1, 1);
        const palette = readPalette((n) => THEMES[theme].vars[n.replace(/^--vscode-/, '')] ?? '', theme);
        near(await canvasPixel(page, ...Object.values(await cellPoint(page, r, c)) as [number, number]), palette.denied, `${theme} web-api → postgres`);
        const pr = v.rows.findIndex((e) => e.id === DB);
        const pc = v.cols.findIndex((e) => e.id === PROM);
        near(await canvasPixel(page, ...Object.values(await cellPoint(page, pr, pc)) as [number, number]), THEMES[theme].vars['charts-green']!, `${theme} postgres → prometheus`);
      } finally {
        await page.close();
      }
    });
  }

  it('hover asks the host for the reason; click and Enter explain; links open locations; CSV exports the view', async () => {
    const { page, posted, view } = await harness.openMatrix(seed, { theme: 'dark', port: PORT });
    try {
      const v = view();
      const r = v.rows.findIndex((e) => e.id === WEB);
      const c = v.cols.findIndex((e) => e.id === DB);
      const centre = await cellCentre(page, r, c);
      await page.mouse.move(centre.x, centre.y);
      await page.waitForFunction(() => (document.querySelector('.tt-reason')?.textContent ?? '…') !== '…');
      assert.equal(await page.textContent('.tt-reason'), cellReason(seed, v, { row: WEB, col: DB }));
      assert.ok(posted.messages.some((m) => m.type === 'cellHover' && m.cell.row === WEB && m.cell.col === DB));

      await page.mouse.click(centre.x, centre.y);
      await page.waitForSelector('.details .summary');
      const details = await page.textContent('.details');
      assert.match(details!, /production\/default-deny-ingress: has no ingress rules/);
      await page.click('.details a.loc:has-text("default-deny-ingress.yaml:8")');
      await until(() => posted.messages.some((m) => m.type === 'openLocation'));
      const open = posted.messages.filter((m) => m.type === 'openLocation').at(-1);
      assert.ok(open && open.type === 'openLocation');
      assert.match(open.file, /default-deny-ingress\.yaml$/);
      assert.equal(open.line, 8);

      // Keyboard: from the selected cell, one up, Enter explains that cell.
      await page.focus('.scroller');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /web-api-7d9f8b6c5d-q8j3m/.test(document.querySelector('.details h2')?.textContent ?? ''));
      const clicks = posted.messages.filter((m) => m.type === 'cellClick');
      assert.deepEqual(clicks.at(-1)!.type === 'cellClick' && clicks.at(-1)!.cell, { row: 'production/web-api-7d9f8b6c5d-q8j3m', col: DB });
      assert.match((await page.textContent('.sr-only'))!, /^production\/web-api-7d9f8b6c5d-q8j3m to production\/postgres-0: denied/);

      await page.click('button:has-text("CSV")');
      await until(() => posted.messages.some((m) => m.type === 'export'));
      const exported = posted.messages.find((m) => m.type === 'export');
      assert.ok(exported && exported.type === 'export');
      assert.equal(exported.filename, 'netlens-matrix-5432-TCP.csv');
      assert.equal(exported.data, matrixCsv(buildDisplay(v, applyFilter(v, {}), new Set())));
      await page.click('button:has-text("SVG")');
      await page.click('button:has-text("PNG")');
      await until(() => posted.messages.filter((m) => m.type === 'export').length === 3);
      const [, svg, png] = posted.messages.filter((m) => m.type === 'export');
      assert.ok(svg?.type === 'export' && svg.encoding === 'utf8' && svg.data.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
      assert.ok(png?.type === 'export' && png.encoding === 'base64' && png.filename === 'netlens-matrix-5432-TCP.png');
      assert.equal(Buffer.from(png.data, 'base64').subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG file');
      assert.deepEqual(posted.rejected, [], 'every message the webview posted follows the protocol');
    } finally {
      await page.close();
    }
  });

  it('filters locally and folds namespaces', async () => {
    const { page, posted } = await harness.openMatrix(seed, { theme: 'light', port: PORT });
    try {
      const showing = (text: string) => page.waitForFunction((t) => (document.querySelector('.status')?.textContent ?? '').includes(t), text);
      await page.fill('input[aria-label="Label selector"]', 'app=web-api');
      await showing('showing 3 × 2'); // two web-api rows and the ipBlock row; two web-api columns
      await page.fill('input[aria-label="Label selector"]', 'app in (');
      await page.waitForFunction(() => /unbalanced parentheses/.test(document.querySelector('.banner')?.textContent ?? ''));
      await page.fill('input[aria-label="Label selector"]', '');
      await showing('showing 5 × 4');
      await page.click('button:has-text("Collapse all")');
      await showing('showing 3 × 2');
      await page.waitForTimeout(350);
      assert.ok(posted.messages.some((m) => m.type === 'filter'), 'the host hears about filters');
      await page.selectOption('select[aria-label="Port"]', 'declared');
      await page.waitForFunction(() => /declared ports/.test(document.querySelector('.legend')?.textContent ?? ''));
      assert.deepEqual(posted.messages.filter((m) => m.type === 'selectPort').map((m) => m.type === 'selectPort' && m.port), [{ kind: 'declared' }]);
    } finally {
      await page.close();
    }
  });

  it('loads with no CSP violation, console error or stray request', () => {
    assert.deepEqual(harness.problems, []);
  });
});
