import assert from 'node:assert/strict';
import fc from 'fast-check';
import { edgeCurve, fitText, layoutGraph, pointOnCurve } from '../../src/core/graph/layout';
import { policyGraph } from '../../src/core/graph/policy-graph';
import type { ClusterSnapshot } from '../../src/core/model';
import { clusterArb } from '../support/random-cluster';
import { demoSnapshots } from '../webview/demo';

const where = (l?: { file: string; line: number }): string => (l ? `${l.file.split('/').pop()}:${l.line}` : '-');

describe('policy graph', () => {
  let seed: ClusterSnapshot;
  let fixed: ClusterSnapshot;
  before(async () => {
    ({ before: seed, after: fixed } = await demoSnapshots());
  });

  it('around a namespace: pod groups, the policies selecting them, their peers, with locations', () => {
    const g = policyGraph(seed, { kind: 'namespace', namespace: 'production' });
    assert.equal(g.title, 'Policies of namespace production');
    assert.deepEqual(g.notes, []);
    const nodes = Object.fromEntries(g.nodes.map((n) => [n.id, `${n.column} ${n.label} | ${n.sublabel} | ${where(n.location)}`]));
    assert.deepEqual(nodes, {
      'pods:production/postgres-0': '2 postgres-0 | app=postgres, role=database | pods.yaml:5',
      'pods:production/web-api-7d9f8b6c5d-q8j3m': '2 app=web-api, role=api | 2 pods in production | pods.yaml:34',
      'policy:ingress:production/allow-monitoring': '1 allow-monitoring | 2 ingress rules | allow-monitoring.yaml:2',
      'policy:ingress:production/default-deny-ingress': '1 default-deny-ingress | no rules: denies all ingress | default-deny-ingress.yaml:2',
      'policy:egress:production/web-api-egress': '3 web-api-egress | 1 egress rule | web-api-egress.yaml:2',
      // The demo's mistake shows: the prometheus peer means pods in production, and there are none.
      'peer:ingress:all pods in ns team=observability': '0 all pods | in ns team=observability · 1 pod | allow-monitoring.yaml:15',
      'peer:ingress:pods app=prometheus in ns production': '0 pods app=prometheus | in ns production · 0 pods | allow-monitoring.yaml:18',
      'peer:ingress:cidr:10.244.1.0/24': '0 10.244.1.0/24 | ipBlock | allow-monitoring.yaml:26',
      'peer:egress:pods k8s-app=kube-dns in ns kubernetes.io/metadata.name=kube-system': '4 pods k8s-app=kube-dns | in ns kubernetes.io/metadata.name=kube-system · 0 pods | web-api-egress.yaml:15',
    });
    assert.equal(g.nodes.find((n) => n.id === 'policy:ingress:production/default-deny-ingress')!.denyAll, true);
    const edges = g.edges.map((e) => `${e.kind} ${e.direction} ${e.from} → ${e.to} [${e.label}] ${where(e.location)}`);
    assert.deepEqual(edges.sort(), [
      'rule egress policy:egress:production/web-api-egress → peer:egress:pods k8s-app=kube-dns in ns kubernetes.io/metadata.name=kube-system [53/UDP, 53/TCP] web-api-egress.yaml:15',
      'rule ingress peer:ingress:all pods in ns team=observability → policy:ingress:production/allow-monitoring [9187/TCP] allow-monitoring.yaml:15',
      'rule ingress peer:ingress:cidr:10.244.1.0/24 → policy:ingress:production/allow-monitoring [5432/TCP] allow-monitoring.yaml:26',
      'rule ingress peer:ingress:pods app=prometheus in ns production → policy:ingress:production/allow-monitoring [9187/TCP] allow-monitoring.yaml:18',
      'selects egress pods:production/web-api-7d9f8b6c5d-q8j3m → policy:egress:production/web-api-egress [] web-api-egress.yaml:9',
      'selects ingress policy:ingress:production/allow-monitoring → pods:production/postgres-0 [] allow-monitoring.yaml:9',
      'selects ingress policy:ingress:production/default-deny-ingress → pods:production/postgres-0 [] default-deny-ingress.yaml:8',
      'selects ingress policy:ingress:production/default-deny-ingress → pods:production/web-api-7d9f8b6c5d-q8j3m [] default-deny-ingress.yaml:8',
    ]);
  });

  it('around a pod, after the fix', () => {
    const g = policyGraph(fixed, { kind: 'pod', pod: 'production/postgres-0' });
    assert.equal(g.title, 'Policies around production/postgres-0');
    assert.deepEqual(g.nodes.filter((n) => n.kind === 'policy').map((n) => n.label).sort(), ['allow-db-access', 'allow-monitoring', 'default-deny-ingress']);
    const web = g.nodes.find((n) => n.id === 'peer:ingress:pods app=web-api in ns production')!;
    assert.equal(web.sublabel, 'in ns production · 2 pods');
    assert.deepEqual(policyGraph(fixed, { kind: 'pod', pod: 'production/nope' }).notes, ['no pod production/nope in the snapshot']);
    const empty = policyGraph(fixed, { kind: 'namespace', namespace: 'monitoring' });
    assert.deepEqual(empty.notes, ['no policy selects monitoring/prometheus-0: all their traffic is allowed']);
  });

  it('lays out in five columns, deterministically, without overlaps', () => {
    const g = policyGraph(seed, { kind: 'namespace', namespace: 'production' });
    const a = layoutGraph(g);
    const b = layoutGraph({ ...g, nodes: [...g.nodes].reverse(), edges: [...g.edges].reverse() });
    assert.deepEqual(a, b, 'input order does not matter');
    assert.deepEqual(a.columns.map((c) => c.title), ['Sources', 'Ingress policies', 'Selected pods', 'Egress policies', 'Destinations']);
    for (const col of [0, 1, 2, 3, 4]) {
      const xs = a.nodes.filter((n) => n.column === col).map((n) => n.x);
      assert.equal(new Set(xs).size <= 1, true, 'a column shares its x');
    }
    for (let i = 0; i < a.columns.length - 1; i++) assert.ok(a.columns[i]!.x + a.columns[i]!.width < a.columns[i + 1]!.x, 'columns do not overlap');
    for (const e of a.edges) {
      const from = a.nodes.find((n) => n.id === e.from)!;
      const to = a.nodes.find((n) => n.id === e.to)!;
      assert.equal(e.x1, from.x + from.width);
      assert.equal(e.x2, to.x);
      assert.ok(from.column < to.column, 'edges run left to right');
    }
    // Barycentre ordering: the policies sit next to the pods they select.
    const order = (col: number) => a.nodes.filter((n) => n.column === col).map((n) => n.label);
    assert.deepEqual(order(1), ['default-deny-ingress', 'allow-monitoring']);
    assert.deepEqual(order(2), ['app=web-api, role=api', 'postgres-0']);
  });

  it('never overlaps nodes and keeps every edge (200 random clusters)', () => {
    fc.assert(
      fc.property(clusterArb(10, 6), fc.nat(2), (snap, ns) => {
        const l = layoutGraph(policyGraph(snap, { kind: 'namespace', namespace: `ns${ns}` }));
        for (const a of l.nodes) {
          for (const b of l.nodes) {
            if (a === b || a.column !== b.column) continue;
            assert.ok(a.y + a.height <= b.y || b.y + b.height <= a.y, `${a.id} and ${b.id} overlap`);
          }
          assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= l.width && a.y + a.height <= l.height, `${a.id} is inside`);
          assert.ok(a.lines.every((t) => t.length <= 60));
        }
        const ids = new Set(l.nodes.map((n) => n.id));
        for (const e of l.edges) assert.ok(ids.has(e.from) && ids.has(e.to));
      }),
      { numRuns: 200 },
    );
  });

  it('helpers: text fitting and curve points', () => {
    assert.equal(fitText('abcdef', 6), 'abcdef');
    assert.equal(fitText('abcdefg', 6), 'abcde…');
    const c = edgeCurve(0, 0, 100, 50);
    assert.deepEqual(pointOnCurve(c, 0), { x: 0, y: 0 });
    assert.deepEqual(pointOnCurve(c, 1), { x: 100, y: 50 });
    assert.deepEqual(pointOnCurve(c, 0.5), { x: 50, y: 25 });
  });
});
