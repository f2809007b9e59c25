/**
 * Timing of the matrix computations at 1,000+ pods (a script, not a test: numbers depend
 * on the machine). Run: npx tsx test/matrix/perf.ts [pods] [policies]
 */
import { buildMatrixView } from '../../src/core/matrix/build';
import { diffSnapshots } from '../../src/core/matrix/diff';
import { buildDisplay } from '../../src/core/matrix/display';
import { matrixCsv, matrixSvg } from '../../src/core/matrix/export';
import { applyFilter, type MatrixFilter } from '../../src/core/matrix/filter';
import { cellReason } from '../../src/core/matrix/reason';
import type { ClusterSnapshot } from '../../src/core/model';
import { syntheticSnapshot } from '../webview/demo';

function time<T>(label: string, f: () => T, runs = 5): T {
  let result!: T;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = f();
    samples.push(performance.now() - t);
  }
  const first = samples[0]!;
  samples.sort((a, b) => a - b);
  console.log(`${label.padEnd(60)} first ${first.toFixed(1).padStart(7)} ms   median ${samples[Math.floor(samples.length / 2)]!.toFixed(1).padStart(7)} ms`);
  return result;
}

const pods = Number(process.argv[2] ?? 1500);
const policies = Number(process.argv[3] ?? 300);
const snapshot = syntheticSnapshot(pods, policies);
// "after": the same cluster with a tenth of the policies dropped.
const after: ClusterSnapshot = { ...snapshot, policies: snapshot.policies.filter((_, i) => i % 10 !== 3) };
console.log(`${snapshot.pods.length} pods, ${snapshot.policies.length} policies, ${snapshot.namespaces.length} namespaces`);

const one = time('buildMatrixView, one port (8080/TCP)', () => buildMatrixView(snapshot, { port: { kind: 'port', port: 8080, protocol: 'TCP' } }), 3);
time('buildMatrixView, declared ports', () => buildMatrixView(snapshot), 3);
time('buildMatrixView, one port, with before (changes)', () => buildMatrixView(after, { port: { kind: 'port', port: 8080, protocol: 'TCP' }, before: snapshot }), 3);
const diff = time('diffSnapshots, declared ports', () => diffSnapshots(snapshot, after), 3);
console.log(`  ${diff.summary.slice(0, 150)}…`);
time('JSON.stringify(view) (what postMessage carries)', () => JSON.stringify(one).length, 3);

const filters: [string, MatrixFilter][] = [
  ['no filter', {}],
  ['labels tier=db', { labels: 'tier=db' }],
  ['labels tier!=db,app', { labels: 'tier!=db,app' }],
  ['namespaces team-1, team-2', { namespaces: ['team-1', 'team-2'] }],
  ['only denied', { onlyDenied: true }],
  ['only denied + text', { onlyDenied: true, text: 'app-1' }],
];
for (const [label, f] of filters) time(`applyFilter ${label}`, () => applyFilter(one, f));
const all = applyFilter(one, {});
const groups = new Set(one.groups);
time('buildDisplay + every aggregate, all namespaces collapsed', () => {
  const d = buildDisplay(one, all, groups);
  for (let r = 0; r < d.rowCount; r++) for (let c = 0; c < d.colCount; c++) d.code(r, c);
  return d;
});
time('buildDisplay + 60×40 visible cells, nothing collapsed', () => {
  const d = buildDisplay(one, all, new Set());
  for (let r = 0; r < 60; r++) for (let c = 0; c < 40; c++) d.code(r, c);
  return d;
});
const display = buildDisplay(one, all, new Set());
time('matrixCsv of the whole view', () => matrixCsv(display).length, 1);
time('matrixSvg of the whole view', () => matrixSvg(display).length, 1);
const denied = one.cells.indexOf('D');
const cell = { row: one.rows[Math.floor(denied / one.cols.length)]!.id, col: one.cols[denied % one.cols.length]!.id };
time('cellReason of one denied pair (explain)', () => cellReason(snapshot, one, cell), 20);
