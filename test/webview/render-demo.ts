/**
 * Visual check of the webviews (manual, not part of `npm test`):
 *
 *   npx tsx test/webview/render-demo.ts [--fresh] [--out test-results/webview]
 *
 * Loads dist/webview/*.js (running `node scripts/build.mjs` first when missing; `--fresh`
 * builds the bundles into a temporary folder instead) into headless Chromium with a fake
 * host, renders the demo workspace's matrix in light, dark and high-contrast themes with
 * the web-api → postgres cell explained and hovered, the diff of the fix, the policy
 * graph, and a 1,500-pod synthetic cluster, and saves screenshots. It also prints the
 * time of each filter update at 1,500 pods.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { buildBundles, cellCentre, Harness, REPO, type Theme } from './harness';
import { buildMatrixView } from '../../src/core/matrix/build';
import { demoSnapshots, syntheticSnapshot } from './demo';

const WEB = 'production/web-api-7d9f8b6c5d-x2k4q';
const DB = 'production/postgres-0';

async function select(page: Page, r: number, c: number): Promise<void> {
  await page.focus('.scroller');
  for (let i = 0; i < r; i++) await page.keyboard.press('ArrowDown');
  for (let i = 0; i < c; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('.details')?.textContent?.includes('Explaining…'));
}

async function hover(page: Page, r: number, c: number): Promise<void> {
  const p = await cellCentre(page, r, c);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction(() => {
    const t = document.querySelector('.tooltip');
    return t && !t.hasAttribute('hidden') && t.querySelector('.tt-reason')?.textContent !== '…';
  });
}

async function updateTimes(page: Page): Promise<number[]> {
  return page.evaluate(() => performance.getEntriesByName('netlens:update').map((e) => e.duration));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const outArg = argv.indexOf('--out');
  const out = path.resolve(outArg >= 0 ? argv[outArg + 1]! : path.join(REPO, 'test-results/webview'));
  mkdirSync(out, { recursive: true });
  let bundleDir = path.join(REPO, 'dist/webview');
  let temp: string | undefined;
  if (argv.includes('--fresh')) {
    temp = mkdtempSync(path.join(tmpdir(), 'netlens-bundles-'));
    bundleDir = temp;
    await buildBundles(bundleDir);
  } else if (!existsSync(path.join(bundleDir, 'matrix.js')) || !existsSync(path.join(bundleDir, 'graph.js'))) {
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/build.mjs')], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('node scripts/build.mjs failed');
  }
  const { before, after } = await demoSnapshots();
  const harness = await Harness.launch({ bundleDir });
  const shots: string[] = [];
  const shot = async (page: Page, name: string): Promise<void> => {
    const file = path.join(out, `${name}.png`);
    await page.screenshot({ path: file });
    shots.push(file);
  };
  try {
    // The seed incident on 5432/TCP, the failing cell explained and hovered, in each theme.
    for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
      const { page, view } = await harness.openMatrix(before, { theme, port: { kind: 'port', port: 5432, protocol: 'TCP' }, source: 'demo/workspace' });
      const r = view().rows.findIndex((e) => e.id === WEB);
      const c = view().cols.findIndex((e) => e.id === DB);
      await select(page, r, c);
      await hover(page, r, c);
      await shot(page, `matrix-${theme}`);
      await page.close();
    }
    // Declared ports, production folded into aggregate cells.
    {
      const { page } = await harness.openMatrix(before, { theme: 'dark', source: 'demo/workspace' });
      await page.mouse.click(...(await groupPoint(page)));
      await shot(page, 'matrix-declared-collapsed-dark');
      await page.close();
    }
    // The fix as a diff: what it opens, "only changed" on.
    for (const theme of ['light', 'dark'] as Theme[]) {
      const { page } = await harness.openMatrix(after, { theme, before, source: 'demo/workspace + fix' });
      await page.check('text=Only changed');
      // "Only changed" leaves the two web-api rows and the postgres column: x2k4q is row 1.
      await page.waitForFunction(() => /showing 2 × 1/.test(document.querySelector('.status')?.textContent ?? ''));
      await select(page, 1, 0);
      await hover(page, 1, 0);
      await shot(page, `matrix-diff-${theme}`);
      await page.close();
    }
    // The policy graph of the production namespace and of postgres-0.
    for (const theme of ['dark', 'light'] as Theme[]) {
      const page = await harness.openGraph(before, { kind: 'namespace', namespace: 'production' }, theme);
      await shot(page, `graph-namespace-${theme}`);
      await page.close();
    }
    {
      const page = await harness.openGraph(after, { kind: 'pod', pod: DB }, 'dark');
      await shot(page, 'graph-pod-dark');
      await page.close();
    }
    // 1,500 pods: draw, then filters, timing each update.
    {
      const big = syntheticSnapshot(1500, 300);
      const port = { kind: 'port' as const, port: 8080, protocol: 'TCP' as const };
      const tb = performance.now();
      const built = buildMatrixView(big, { port });
      console.log(`1,500 pods (${built.rows.length} rows × ${built.cols.length} columns, ${(JSON.stringify(built).length / 1e6).toFixed(1)} MB as JSON): buildMatrixView ${(performance.now() - tb).toFixed(0)} ms in Node`);
      const t0 = Date.now();
      const { page } = await harness.openMatrix(big, { theme: 'dark', port, source: 'synthetic 1,500 pods' });
      const first = (await updateTimes(page))[0]!;
      console.log(`  first view: ${Date.now() - t0} ms from page load (harness transfer included), of which the webview's update ${first.toFixed(0)} ms`);
      await shot(page, 'matrix-1500-dark');
      const steps: [string, () => Promise<void>][] = [
        ['label app filter', async () => page.fill('input[aria-label="Label selector"]', 'tier=db')],
        ['clear label filter', async () => page.fill('input[aria-label="Label selector"]', '')],
        ['only denied', async () => page.check('text=Only denied')],
        ['name filter', async () => page.fill('input[aria-label="Name filter"]', 'team-1')],
        ['clear name filter', async () => page.fill('input[aria-label="Name filter"]', '')],
        ['collapse all', async () => page.click('text=Collapse all')],
        ['expand all', async () => page.click('text=Expand all')],
      ];
      for (const [label, step] of steps) {
        const n = (await updateTimes(page)).length;
        await step();
        await page.waitForFunction((count) => performance.getEntriesByName('netlens:update').length > count, n);
        const times = await updateTimes(page);
        const parts = await page.evaluate(() => ['filter', 'layout', 'draw'].map((n) => performance.getEntriesByName(`netlens:${n}`).at(-1)!.duration));
        console.log(`  ${label}: update ${times[times.length - 1]!.toFixed(1)} ms (filter ${parts[0]!.toFixed(1)}, display+layout ${parts[1]!.toFixed(1)}, draw ${parts[2]!.toFixed(1)})`);
        if (label === 'collapse all') await shot(page, 'matrix-1500-collapsed-dark');
      }
      const scrollTimes = await page.evaluate(async () => {
        const s = document.querySelector<HTMLElement>('.scroller')!;
        const times: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t = performance.now();
          s.scrollTop += 400;
          s.scrollLeft += 300;
          await new Promise((r) => requestAnimationFrame(() => r(undefined)));
          times.push(performance.now() - t);
        }
        return times;
      });
      console.log(`  scroll frames: median ${scrollTimes.sort((a, b) => a - b)[10]!.toFixed(1)} ms`);
      await page.close();
    }
  } finally {
    await harness.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
  for (const f of shots) console.log(path.relative(process.cwd(), f));
  if (harness.problems.length) {
    console.error(`Problems in the pages:\n${harness.problems.join('\n')}`);
    process.exitCode = 1;
  }
}

/** A point on the namespace column of the second group (production) to fold it. */
async function groupPoint(page: Page): Promise<[number, number]> {
  return page.evaluate(() => {
    const s = document.querySelector<HTMLElement>('.scroller')!;
    const rect = s.getBoundingClientRect();
    const cell = Number(s.dataset.cell);
    return [rect.left + 20, rect.top + Number(s.dataset.colHeaderHeight) + cell * 1.5] as [number, number];
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
