import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffJson, diffSnapshots, diffSummary, diffText, type DiffPath } from '../../src/core/matrix/diff';
import { podKey, type ClusterSnapshot, type Pod } from '../../src/core/model';
import { naiveAllowed } from '../support/naive';
import { clusterArb } from '../support/random-cluster';
import { demoSnapshots } from '../webview/demo';

const WEB_A = 'production/web-api-7d9f8b6c5d-q8j3m';
const WEB_B = 'production/web-api-7d9f8b6c5d-x2k4q';
const DB = 'production/postgres-0';

const key = (p: DiffPath): string => `${p.from}>${p.to}@${p.port}/${p.protocol}`;

describe('diffSnapshots', () => {
  let seed: ClusterSnapshot;
  let fixed: ClusterSnapshot;
  before(async () => {
    ({ before: seed, after: fixed } = await demoSnapshots());
  });

  it('the fix opens web-api → postgres:5432 from both replicas, and closes nothing', () => {
    const d = diffSnapshots(seed, fixed);
    assert.deepEqual(d.opened, [
      { from: WEB_A, to: DB, port: 5432, protocol: 'TCP' },
      { from: WEB_B, to: DB, port: 5432, protocol: 'TCP' },
    ]);
    assert.deepEqual(d.closed, []);
    assert.equal(d.declared, true);
    assert.deepEqual(d.ports, [{ port: 5432, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }]);
    assert.equal(d.summary, `This change opens 2 paths (${WEB_A} → ${DB}:5432/TCP, ${WEB_B} → ${DB}:5432/TCP) and closes none.`);
    const back = diffSnapshots(fixed, seed);
    assert.deepEqual(back.closed, d.opened);
    assert.deepEqual(back.opened, []);
  });

  it('text: the summary, then + and - lines grouped, then the ports compared', () => {
    assert.equal(
      diffText(diffSnapshots(seed, fixed)),
      [
        `This change opens 2 paths (${WEB_A} → ${DB}:5432/TCP, ${WEB_B} → ${DB}:5432/TCP) and closes none.`,
        '',
        'Opened (2):',
        `+ ${WEB_A} → ${DB} 5432/TCP`,
        `+ ${WEB_B} → ${DB} 5432/TCP`,
        '',
        'Compared on the ports each destination declares (5432/TCP, 8080/TCP, 9090/TCP).',
      ].join('\n'),
    );
    assert.deepEqual(Object.keys(diffJson(diffSnapshots(seed, fixed))), ['opened', 'closed', 'added_pods', 'removed_pods', 'summary']);
  });

  it('reports pods on one side apart and does not count their paths', () => {
    const db = seed.pods.find((p) => podKey(p) === DB)!;
    const replica: Pod = { ...db, name: 'postgres-1', ips: ['10.244.1.46'] };
    const grown: ClusterSnapshot = { ...fixed, pods: [...fixed.pods.filter((p) => podKey(p) !== WEB_A), replica] };
    const d = diffSnapshots(seed, grown);
    assert.deepEqual(d.addedPods, ['production/postgres-1']);
    assert.deepEqual(d.removedPods, [WEB_A]);
    assert.deepEqual(d.opened.map(key), [`${WEB_B}>${DB}@5432/TCP`]);
    assert.match(d.summary, /; 1 pod added, 1 pod removed \(their paths are not counted\)\.$/);
  });

  it('with ports given, compares every pair on them (declared or not)', () => {
    const d = diffSnapshots(seed, fixed, [{ port: 5432, protocol: 'TCP' }, { port: 22, protocol: 'TCP' }]);
    assert.equal(d.declared, false);
    assert.deepEqual(d.ports, [{ port: 22, protocol: 'TCP' }, { port: 5432, protocol: 'TCP' }]);
    assert.deepEqual(d.opened.map(key), [`${WEB_A}>${DB}@5432/TCP`, `${WEB_B}>${DB}@5432/TCP`]);
    assert.match(diffText(d), /Compared on 22\/TCP, 5432\/TCP for every pair of pods\.$/);
  });

  it('summarises many paths with three examples', () => {
    const p = (i: number): DiffPath => ({ from: `a/p${i}`, to: 'b/q', port: 80, protocol: 'TCP' });
    assert.equal(diffSummary({ opened: [p(1), p(2), p(3), p(4)], closed: [p(5)], addedPods: [], removedPods: [] }),
      'This change opens 4 paths (a/p1 → b/q:80/TCP, a/p2 → b/q:80/TCP, a/p3 → b/q:80/TCP, …) and closes 1 path (a/p5 → b/q:80/TCP).');
    assert.equal(diffSummary({ opened: [], closed: [], addedPods: [], removedPods: [] }), 'This change opens no paths and closes none.');
  });

  // Ground truth: a pair loop with the naive evaluator over the pods on both sides.
  it('equals the naive pair-by-pair comparison on random clusters (150 pairs)', () => {
    fc.assert(
      fc.property(clusterArb(40, 6), clusterArb(40, 6), fc.boolean(), (a, b, declared) => {
        // Pod sets overlap partly: b keeps a's first pods (with b's labels) and adds its own.
        const shared = a.pods.slice(0, Math.ceil(a.pods.length / 2)).map((p, i) => ({ ...p, labels: b.pods[i]?.labels ?? p.labels }));
        const after: ClusterSnapshot = { ...b, namespaces: a.namespaces, pods: [...shared, ...b.pods.slice(shared.length).map((p) => ({ ...p, name: `${p.name}-b` }))] };
        const ports = declared ? undefined : [{ port: 80, protocol: 'TCP' as const }, { port: 53, protocol: 'UDP' as const }];
        const d = diffSnapshots(a, after, ports);
        const beforeByKey = new Map(a.pods.map((p) => [podKey(p), p]));
        const common = after.pods.filter((p) => beforeByKey.has(podKey(p)));
        const opened: string[] = [];
        const closed: string[] = [];
        for (const p of d.ports) {
          for (const x of common) {
            for (const y of common) {
              if (podKey(x) === podKey(y)) continue;
              const bx = beforeByKey.get(podKey(x))!;
              const by = beforeByKey.get(podKey(y))!;
              const was = naiveAllowed(a, { pod: bx }, { pod: by }, p.port, p.protocol);
              const is = naiveAllowed(after, { pod: x }, { pod: y }, p.port, p.protocol);
              const listens = (pod: Pod): boolean => !declared || pod.ports.some((cp) => cp.containerPort === p.port && cp.protocol === p.protocol);
              const k = key({ from: podKey(x), to: podKey(y), port: p.port, protocol: p.protocol });
              if (is && !was && listens(y)) opened.push(k);
              if (was && !is && listens(by)) closed.push(k);
            }
          }
        }
        assert.deepEqual(d.opened.map(key).sort(), opened.sort());
        assert.deepEqual(d.closed.map(key).sort(), closed.sort());
        assert.deepEqual([...d.addedPods].sort(), after.pods.filter((p) => !beforeByKey.has(podKey(p))).map(podKey).sort());
      }),
      { numRuns: 150 },
    );
  });
});
