/**
 * `npm run bench`: load, index, one-port full matrix, single-query latency and peak
 * memory on synthetic clusters, with the naive pair-by-pair evaluator beside the
 * fast engine where it finishes in reasonable time; then the same clusters loaded live
 * from the fake API server (live.ts). Each size runs in its own process so peak RSS
 * belongs to that size alone.
 *
 *   node dist/bench.js [--sizes 1000x200,5000x1000,10000x2000] [--no-naive] [--no-live] [--json]
 */
import { spawnSync } from 'node:child_process';
import { ReachIndex } from '../src/core/engine/reach-index';
import { loadManifests } from '../src/core/manifest/load';
import { naiveMatrix } from '../test/support/naive';
import { runLiveCase, serve, type LiveResult } from './live';
import { syntheticManifests } from './synthetic';

interface CaseResult {
  pods: number;
  policies: number;
  loadMs: number;
  indexMs: number;
  firstMatrixMs: number;
  matrixMs: number;
  allowedPairs: number;
  queryP50Us: number;
  queryP99Us: number;
  peakRssMb: number;
  naiveMs?: number;
  speedup?: number;
}

const TARGETS = { matrixMs: 1000, peakRssMb: 1024, queryP50Us: 20, speedup: 300, liveLoadMs: 2000 };

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function runCase(pods: number, policies: number, naive: boolean): CaseResult {
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: syntheticManifests({ pods, policies }) });
  let t = process.hrtime.bigint();
  const { snapshot, findings } = loadManifests([{ file: 'synthetic.json', content: text }]);
  const loadMs = ms(t);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length) throw new Error(`synthetic cluster has errors: ${errors[0]!.message}`);
  if (snapshot.pods.length !== pods) throw new Error(`expected ${pods} pods, loaded ${snapshot.pods.length}`);

  t = process.hrtime.bigint();
  const index = new ReachIndex(snapshot);
  const indexMs = ms(t);

  // The first matrix runs cold (the JIT has not compiled it yet); the figure is the median of
  // five runs after it, and the cold one is reported beside it.
  t = process.hrtime.bigint();
  const { matrix } = index.matrix(8080, 'TCP');
  const firstMatrixMs = ms(t);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = process.hrtime.bigint();
    index.matrix(8080, 'TCP');
    runs.push(ms(t));
  }
  const matrixMs = runs.sort((a, b) => a - b)[2]!;
  const allowedPairs = matrix.count() - pods;

  // Single queries: random pairs, each timed on its own.
  let seed = 7;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const samples = new Float64Array(20000);
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += index.allowed(Math.floor(rand() * pods), Math.floor(rand() * pods), 8080, 'TCP') ? 1 : 0; // warm-up
  for (let i = 0; i < samples.length; i++) {
    const a = Math.floor(rand() * pods);
    const b = Math.floor(rand() * pods);
    const q = process.hrtime.bigint();
    sink += index.allowed(a, b, 8080, 'TCP') ? 1 : 0;
    samples[i] = Number(process.hrtime.bigint() - q) / 1000;
  }
  samples.sort();
  const result: CaseResult = {
    pods, policies, loadMs, indexMs, firstMatrixMs, matrixMs, allowedPairs,
    queryP50Us: samples[Math.floor(samples.length * 0.5)]!,
    queryP99Us: samples[Math.floor(samples.length * 0.99)]!,
    peakRssMb: 0,
  };
  if (naive) {
    t = process.hrtime.bigint();
    const expected = naiveMatrix(snapshot, 8080, 'TCP');
    result.naiveMs = ms(t);
    result.speedup = result.naiveMs / matrixMs;
    let naiveAllowed = 0;
    expected.forEach((row, i) => row.forEach((v, j) => (naiveAllowed += v && i !== j ? 1 : 0)));
    if (naiveAllowed !== allowedPairs) throw new Error(`fast and naive disagree: ${allowedPairs} vs ${naiveAllowed} allowed pairs`);
  }
  result.peakRssMb = process.resourceUsage().maxRSS / 1024;
  if (sink < 0) console.log(sink);
  return result;
}

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined ? '-' : n.toFixed(digits);
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach((r) => console.log(line(r)));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const caseArg = argv.indexOf('--case');
  if (caseArg >= 0) {
    const [pods, policies, naive] = argv[caseArg + 1]!.split(':');
    process.stdout.write(JSON.stringify(runCase(Number(pods), Number(policies), naive === '1')));
    return;
  }
  const serveArg = argv.indexOf('--serve');
  if (serveArg >= 0) {
    const [pods, policies] = argv[serveArg + 1]!.split(':').map(Number);
    await serve(pods!, policies!);
    return;
  }
  const liveArg = argv.indexOf('--live-case');
  if (liveArg >= 0) {
    const [pods, policies] = argv[liveArg + 1]!.split(':').map(Number);
    process.stdout.write(JSON.stringify(await runLiveCase(__filename, pods!, policies!)));
    return;
  }
  const sizesArg = argv.indexOf('--sizes');
  const sizes = (sizesArg >= 0 ? argv[sizesArg + 1]! : '1000x200,5000x1000,10000x2000').split(',').map((s) => s.split('x').map(Number) as [number, number]);
  const withNaive = !argv.includes('--no-naive');
  const results: CaseResult[] = [];
  for (const [pods, policies] of sizes) {
    const naive = withNaive && pods <= 1000;
    const child = spawnSync(process.execPath, ['--expose-gc', __filename, '--case', `${pods}:${policies}:${naive ? 1 : 0}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) {
      process.stderr.write(`bench: ${pods} pods / ${policies} policies failed: ${child.stderr.split('\n').find((l) => /Error/.test(l)) ?? child.stderr.trim()}\n`);
      process.exitCode = 1;
      continue;
    }
    results.push(JSON.parse(child.stdout) as CaseResult);
  }
  const live: LiveResult[] = [];
  if (!argv.includes('--no-live')) {
    for (const [pods, policies] of sizes) {
      const child = spawnSync(process.execPath, [__filename, '--live-case', `${pods}:${policies}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (child.status !== 0) {
        process.stderr.write(`bench: live ${pods} pods / ${policies} policies failed: ${child.stderr.split('\n').find((l) => /Error/.test(l)) ?? child.stderr.trim()}\n`);
        process.exitCode = 1;
        continue;
      }
      live.push(JSON.parse(child.stdout) as LiveResult);
    }
  }
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ targets: TARGETS, results, live }, null, 2) + '\n');
    return;
  }
  table(
    ['pods', 'policies', 'load ms', 'index ms', 'first matrix ms', 'matrix ms', 'query p50 µs', 'query p99 µs', 'peak RSS MB', 'naive ms', 'speedup'],
    results.map((r) => [String(r.pods), String(r.policies), fmt(r.loadMs), fmt(r.indexMs), fmt(r.firstMatrixMs), fmt(r.matrixMs), fmt(r.queryP50Us, 2), fmt(r.queryP99Us, 2), fmt(r.peakRssMb), fmt(r.naiveMs), r.speedup ? `${fmt(r.speedup)}×` : '-']),
  );
  if (live.length) {
    console.log('\nLive cluster (fake API server in its own process; access reviews, paged lists, conversion, snapshot; then the cluster view\'s tree):\n');
    table(
      ['pods', 'policies', 'first load ms', 'load ms', 'client CPU ms', 'tree ms', 'convert ms', 'convert via text ms', 'peak RSS MB'],
      live.map((r) => [String(r.pods), String(r.policies), fmt(r.firstLoadMs), fmt(r.loadMs), fmt(r.loadCpuMs), fmt(r.treeMs), fmt(r.convertMs), fmt(r.convertViaTextMs), fmt(r.peakRssMb)]),
    );
  }
  console.log(
    `\nTargets: 10k pods × 2k policies matrix ≤ ${TARGETS.matrixMs} ms and ≤ ${TARGETS.peakRssMb} MB; single query ≤ ${TARGETS.queryP50Us} µs; ≥ ${TARGETS.speedup}× naive at 1k pods; ` +
      `10k pods × 2k policies loaded live and in the tree ≤ ${TARGETS.liveLoadMs} ms.`,
  );
  const big = results.find((r) => r.pods === 10000);
  const bigLive = live.find((r) => r.pods === 10000);
  const small = results.find((r) => r.speedup !== undefined);
  const checks = [
    big ? [`matrix ${fmt(big.matrixMs)} ms`, big.matrixMs <= TARGETS.matrixMs] : undefined,
    big ? [`peak ${fmt(big.peakRssMb)} MB`, big.peakRssMb <= TARGETS.peakRssMb] : undefined,
    big ? [`query p50 ${fmt(big.queryP50Us, 2)} µs`, big.queryP50Us <= TARGETS.queryP50Us] : undefined,
    small ? [`speedup ${fmt(small.speedup)}×`, small.speedup! >= TARGETS.speedup] : undefined,
    bigLive ? [`live load + tree ${fmt(bigLive.firstLoadMs + bigLive.treeMs)} ms (cold)`, bigLive.firstLoadMs + bigLive.treeMs <= TARGETS.liveLoadMs] : undefined,
  ].filter((c): c is [string, boolean] => c !== undefined);
  console.log(checks.map(([t, ok]) => `${ok ? 'met' : 'MISSED'}: ${t}`).join('; '));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
