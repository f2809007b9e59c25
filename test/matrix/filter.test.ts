import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildMatrixView } from '../../src/core/matrix/build';
import { aggregateReason, buildDisplay, displayAxis } from '../../src/core/matrix/display';
import { applyFilter, parseLabelFilter, type MatrixFilter } from '../../src/core/matrix/filter';
import type { MatrixView } from '../../src/core/matrix/types';
import type { ClusterSnapshot } from '../../src/core/model';
import { clusterArb } from '../support/random-cluster';
import { demoSnapshots, syntheticSnapshot } from '../webview/demo';

const ids = (view: MatrixView, f: ReturnType<typeof applyFilter>): [string[], string[]] => [[...f.rows].map((i) => view.rows[i]!.id), [...f.cols].map((i) => view.cols[i]!.id)];

describe('label filter syntax', () => {
  it('reads kubectl selectors', () => {
    const ok = (text: string): string =>
      JSON.stringify((parseLabelFilter(text) as { requirements: unknown }).requirements);
    assert.equal(ok(''), '[]');
    assert.equal(ok('app=web'), '[{"key":"app","operator":"In","values":["web"]}]');
    assert.equal(ok('app==web'), '[{"key":"app","operator":"In","values":["web"]}]');
    assert.equal(ok(' app = web , tier!=db '), '[{"key":"app","operator":"In","values":["web"]},{"key":"tier","operator":"NotIn","values":["db"]}]');
    assert.equal(ok('env in (prod, staging),canary'), '[{"key":"env","operator":"In","values":["prod","staging"]},{"key":"canary","operator":"Exists","values":[]}]');
    assert.equal(ok('env notin (dev),!legacy'), '[{"key":"env","operator":"NotIn","values":["dev"]},{"key":"legacy","operator":"DoesNotExist","values":[]}]');
    assert.equal(ok('app.kubernetes.io/name=db'), '[{"key":"app.kubernetes.io/name","operator":"In","values":["db"]}]');
    assert.equal(ok('app='), '[{"key":"app","operator":"In","values":[""]}]', 'an empty value is a value');
  });

  it('says what is wrong', () => {
    const err = (text: string): string => (parseLabelFilter(text) as { error: string }).error;
    assert.equal(err('env in (prod'), 'unbalanced parentheses');
    assert.equal(err('a=b,,c=d'), 'empty requirement (two commas in a row?)');
    assert.equal(err('a=b c'), 'cannot read "a=b c": write key=value, key!=value, key in (a,b), key notin (a,b), key or !key');
    assert.equal(err('-bad=x'), '"-bad" is not a label key');
    assert.equal(err('app=we b'), 'cannot read "app=we b": write key=value, key!=value, key in (a,b), key notin (a,b), key or !key');
    assert.equal(err('env in (pr od)'), '"pr od" is not a label value');
  });
});

describe('filters and display', () => {
  let seed: ClusterSnapshot;
  let fixed: ClusterSnapshot;
  let view: MatrixView;
  before(async () => {
    ({ before: seed, after: fixed } = await demoSnapshots());
    view = buildMatrixView(seed, { port: { kind: 'port', port: 5432, protocol: 'TCP' } });
  });

  it('filters by namespace, labels and name; ipBlocks follow "external" only', () => {
    assert.deepEqual(ids(view, applyFilter(view, { namespaces: ['monitoring'] })), [['monitoring/prometheus-0', 'cidr:10.244.1.0/24'], ['monitoring/prometheus-0']]);
    assert.deepEqual(ids(view, applyFilter(view, { labels: 'app in (web-api,postgres),role!=api', external: false }))[0], ['production/postgres-0']);
    assert.deepEqual(ids(view, applyFilter(view, { text: 'X2K4Q' }))[1], ['production/web-api-7d9f8b6c5d-x2k4q']);
    assert.deepEqual(ids(view, applyFilter(view, { text: '10.244' }))[0], ['cidr:10.244.1.0/24']);
    const bad = applyFilter(view, { labels: 'app in (' });
    assert.equal(bad.error, 'unbalanced parentheses');
    assert.equal(bad.rows.length, view.rows.length, 'a broken selector filters nothing');
  });

  it('"only denied" keeps rows and columns with a denied cell', () => {
    const [rows, cols] = ids(view, applyFilter(view, { onlyDenied: true }));
    assert.deepEqual(rows, view.rows.map((e) => e.id), 'every source is denied somewhere');
    assert.deepEqual(cols, view.cols.map((e) => e.id), 'web-api may not reach prometheus either (its egress lock)');
    const allowedOnly = applyFilter(view, { onlyDenied: true, namespaces: ['monitoring'], external: false });
    assert.deepEqual(ids(view, allowedOnly), [[], []], 'prometheus to itself is no denial');
  });

  it('"only changed" keeps the rows and columns the change touches (and is ignored without a diff)', () => {
    const diffView = buildMatrixView(fixed, { before: seed, port: { kind: 'port', port: 5432, protocol: 'TCP' } });
    assert.deepEqual(ids(diffView, applyFilter(diffView, { onlyChanged: true })), [['production/web-api-7d9f8b6c5d-q8j3m', 'production/web-api-7d9f8b6c5d-x2k4q'], ['production/postgres-0']]);
    assert.equal(applyFilter(view, { onlyChanged: true }).rows.length, view.rows.length);
    assert.equal(applyFilter(diffView, { onlyChanged: true, onlyDenied: true }).rows.length, 0, 'the change only opened paths');
  });

  it('"only denied" keeps exactly the rows and columns holding a D or S cell (300 clusters)', () => {
    fc.assert(
      fc.property(clusterArb(12, 6), fc.boolean(), (snap, declared) => {
        const v = buildMatrixView(snap, declared ? {} : { port: { kind: 'port', port: 80, protocol: 'TCP' } });
        const f = applyFilter(v, { onlyDenied: true });
        const C = v.cols.length;
        const bad = (k: number): boolean => v.cells[k] === 'D' || v.cells[k] === 'S';
        const wantRows = v.rows.flatMap((_, r) => (v.cols.some((__, c) => bad(r * C + c)) ? [r] : []));
        const wantCols = v.cols.flatMap((_, c) => (v.rows.some((__, r) => bad(r * C + c)) ? [c] : []));
        assert.deepEqual([...f.rows], wantRows);
        assert.deepEqual([...f.cols], wantCols);
      }),
      { numRuns: 300 },
    );
  });

  it('folds namespaces into aggregate entries with all / some / none and counts', () => {
    const d = buildDisplay(view, applyFilter(view, {}), new Set(['production']));
    assert.deepEqual(d.rows.entries.map((e) => (e.kind === 'group' ? `ns:${e.group}(${e.members.length})` : view.rows[e.index]!.id)), [
      'monitoring/prometheus-0', 'ns:production(3)', 'cidr:10.244.1.0/24',
    ]);
    assert.deepEqual(d.rows.groups.map((g) => [g.group, g.start, g.end, g.size, g.collapsed]), [['monitoring', 0, 1, 1, false], ['production', 1, 2, 3, true], ['', 2, 3, 1, false]]);
    assert.equal(d.rowId(1), 'ns:production');
    assert.equal(d.colId(1), 'ns:production');
    assert.equal(d.rowLabel(1), 'production (3 pods)');
    const prodProd = d.summary(1, 1);
    assert.deepEqual({ ...prodProd }, { state: 'D', change: ' ', allowed: 0, some: 0, denied: 6, notApplicable: 0 });
    assert.equal(String.fromCharCode(d.code(1, 0)), 'S', 'production → prometheus: postgres may, web-api may not');
    assert.equal(String.fromCharCode(d.code(0, 1)), 'D', 'prometheus → production: nothing on 5432');
    const ext = d.summary(2, 1);
    assert.deepEqual([ext.state, ext.allowed, ext.denied], ['S', 1, 2], 'the /24 reaches postgres but not web-api');
    assert.equal(aggregateReason(d, 2, 1), '10.244.1.0/24 → production (3 pods): 1 of 3 pairs allowed, 2 denied on 5432/TCP');
    const one = displayAxis(view.rows, Int32Array.from([1]), new Set(['production']));
    assert.equal(one.entries.length, 1);
    assert.equal(one.entries[0]!.kind, 'group');
  });

  it('aggregates count only the pairs that pass the filter', () => {
    const d = buildDisplay(view, applyFilter(view, { text: 'x2k4q' }), new Set(['production']));
    assert.deepEqual(d.rowLabel(0), 'production (1 pod)');
    const s = d.summary(0, 0);
    assert.equal(s.state, '-', 'one pod and itself');
  });

  // The fastest of five runs: this is about the work done, not about a busy machine's scheduler.
  it('stays fast at 1,500 pods: filter + display of the visible cells under 100 ms', () => {
    const big = buildMatrixView(syntheticSnapshot(1500, 300), { port: { kind: 'port', port: 8080, protocol: 'TCP' } });
    const filters: MatrixFilter[] = [{}, { labels: 'tier=db' }, { onlyDenied: true }, { namespaces: ['team-1', 'team-2'], onlyDenied: true }, { text: 'app-1' }];
    applyFilter(big, { onlyDenied: true }); // warm the JIT and the byte cache, as the first paint does
    for (const f of filters) {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const d = buildDisplay(big, applyFilter(big, f), new Set());
        for (let r = 0; r < Math.min(80, d.rowCount); r++) for (let c = 0; c < Math.min(60, d.colCount); c++) d.code(r, c);
        samples.push(performance.now() - t);
      }
      const best = Math.min(...samples);
      assert.ok(best < 100, `${JSON.stringify(f)}: ${best.toFixed(1)} ms`);
    }
  });
});
