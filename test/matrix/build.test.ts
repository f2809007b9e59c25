import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cidrBounds, formatIp, parseCidr } from '../../src/core/cidr';
import { buildMatrixView } from '../../src/core/matrix/build';
import { atomsOf, ipBlockNodes, ipBlockRanges } from '../../src/core/matrix/external';
import { compareNatural, viewOrder } from '../../src/core/matrix/pods';
import type { MatrixView } from '../../src/core/matrix/types';
import { podKey, type ClusterSnapshot, type Pod } from '../../src/core/model';
import { naiveAllowed } from '../support/naive';
import { PROTOCOLS, QUERY_PORTS, clusterArb } from '../support/random-cluster';
import { demoSnapshots } from '../webview/demo';

const WEB = 'production/web-api-7d9f8b6c5d-x2k4q';
const DB = 'production/postgres-0';

function cell(view: MatrixView, row: string, col: string): string {
  const r = view.rows.findIndex((e) => e.id === row);
  const c = view.cols.findIndex((e) => e.id === col);
  assert.ok(r >= 0 && c >= 0, `${row} → ${col} is in the view`);
  return view.cells[r * view.cols.length + c]!;
}

function change(view: MatrixView, row: string, col: string): string {
  const r = view.rows.findIndex((e) => e.id === row);
  const c = view.cols.findIndex((e) => e.id === col);
  return view.changes![r * view.cols.length + c]!;
}

describe('matrix view model', () => {
  let seed: ClusterSnapshot;
  let fixed: ClusterSnapshot;
  before(async () => {
    ({ before: seed, after: fixed } = await demoSnapshots());
  });

  it('shows the seed incident: web-api → postgres denied on 5432/TCP, the backup block allowed', () => {
    const v = buildMatrixView(seed, { port: { kind: 'port', port: 5432, protocol: 'TCP' } });
    assert.equal(v.portLabel, '5432/TCP');
    assert.deepEqual(v.rows.map((e) => e.id), ['monitoring/prometheus-0', DB, 'production/web-api-7d9f8b6c5d-q8j3m', WEB, 'cidr:10.244.1.0/24']);
    assert.deepEqual(v.cols.map((e) => e.id), ['monitoring/prometheus-0', DB, 'production/web-api-7d9f8b6c5d-q8j3m', WEB], 'no egress ipBlocks in the demo');
    assert.deepEqual(v.groups, ['monitoring', 'production', '']);
    assert.equal(cell(v, WEB, DB), 'D');
    assert.equal(cell(v, DB, 'monitoring/prometheus-0'), 'A', 'monitoring has no policies and postgres no egress policy');
    assert.equal(cell(v, DB, DB), '-');
    assert.equal(cell(v, 'cidr:10.244.1.0/24', DB), 'A', 'allow-monitoring rule 2 admits the /24 on 5432');
    assert.equal(cell(v, 'cidr:10.244.1.0/24', WEB), 'D');
    assert.deepEqual(v.counts, { allowed: 3, some: 0, denied: 13, notApplicable: 0 });
    const ext = v.rows[4]!;
    assert.equal(ext.kind, 'cidr');
    assert.equal(ext.group, '');
    assert.match(ext.location!.file, /allow-monitoring\.yaml$/);
    assert.equal(ext.location!.line, 26);
    const web = v.rows[3]!;
    assert.deepEqual(web.ports, ['8080/TCP']);
    assert.equal(web.detail, '10.244.2.17');
    assert.match(web.location!.file, /pods\.yaml$/);
    assert.equal(v.changes, undefined);
  });

  it('in "declared ports" mode evaluates each destination on its own ports', () => {
    const v = buildMatrixView(seed);
    assert.equal(v.portLabel, 'declared ports');
    assert.deepEqual(v.availablePorts, [{ port: 5432, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }]);
    assert.deepEqual(v.cols.find((e) => e.id === DB)!.ports, ['5432/TCP']);
    assert.equal(cell(v, WEB, DB), 'D');
    assert.equal(cell(v, DB, 'monitoring/prometheus-0'), 'A');
  });

  it('marks what the fix opens, and only that', () => {
    const v = buildMatrixView(fixed, { before: seed, port: { kind: 'port', port: 5432, protocol: 'TCP' } });
    assert.equal(cell(v, WEB, DB), 'A');
    assert.equal(change(v, WEB, DB), '+');
    assert.equal(change(v, 'production/web-api-7d9f8b6c5d-q8j3m', DB), '+');
    const changed = [...v.changes!].filter((c) => c !== ' ').length;
    assert.equal(changed, 2);
    assert.deepEqual(v.diff, {
      summary: 'This change opens 2 paths (production/web-api-7d9f8b6c5d-q8j3m → production/postgres-0:5432/TCP, production/web-api-7d9f8b6c5d-x2k4q → production/postgres-0:5432/TCP) and closes none.',
      opened: 2, closed: 0, addedPods: [], removedPods: [],
    });
    const back = buildMatrixView(seed, { before: fixed });
    assert.equal(change(back, WEB, DB), '-');
  });

  it('marks ipBlock cells the change opens, address range by address range', () => {
    const c = (t: string) => {
      const r = parseCidr(t);
      assert.ok(r.ok);
      return r.value;
    };
    const half = {
      kind: 'NetworkPolicy' as const, namespace: 'production', name: 'allow-lower-half', podSelector: { matchLabels: { app: 'web-api' }, matchExpressions: [] },
      policyTypes: ['Ingress' as const], policyTypesExplicit: true, egress: [],
      ingress: [{ peers: [{ type: 'ipBlock' as const, cidr: c('10.244.1.0/25'), except: [], path: '' }], ports: [], path: '' }],
    };
    const v = buildMatrixView({ ...seed, policies: [...seed.policies, half] }, { before: seed, port: { kind: 'port', port: 5432, protocol: 'TCP' } });
    assert.equal(cell(v, 'cidr:10.244.1.0/24', WEB), 'S', 'the lower half of the /24 may reach web-api now');
    assert.equal(change(v, 'cidr:10.244.1.0/24', WEB), '+');
    assert.equal(change(v, 'cidr:10.244.1.0/24', DB), ' ');
    assert.equal(cell(v, 'cidr:10.244.1.0/25', WEB), 'A', 'the new block is a row of its own');
    assert.equal(change(v, 'cidr:10.244.1.0/25', WEB), '+');
    assert.equal(change(v, 'cidr:10.244.1.0/25', DB), ' ', 'postgres admitted the /25 before too, through the /24 rule');
  });

  it('marks pods that exist only after the change', () => {
    const extra: Pod = { ...seed.pods.find((p) => podKey(p) === WEB)!, name: 'web-api-7d9f8b6c5d-new01', ips: ['10.244.3.99'] };
    const grown = { ...seed, pods: [...seed.pods, extra] };
    const v = buildMatrixView(grown, { before: seed });
    assert.equal(v.rows.find((e) => e.id === 'production/web-api-7d9f8b6c5d-new01')!.added, true);
    assert.equal(v.rows.find((e) => e.id === WEB)!.added, undefined);
    assert.deepEqual(v.diff!.addedPods, ['production/web-api-7d9f8b6c5d-new01']);
    assert.ok(![...v.changes!].some((c) => c !== ' '), 'a new pod has no "before" to differ from');
  });

  it('can leave ipBlocks out', () => {
    const v = buildMatrixView(seed, { external: false });
    assert.equal(v.rows.length, 4);
    assert.deepEqual(v.groups, ['monitoring', 'production']);
  });

  it('orders pods by namespace, then name, numbers by value', () => {
    assert.ok(compareNatural('team-2', 'team-10') < 0);
    assert.ok(compareNatural('web-9', 'web-10') < 0);
    assert.ok(compareNatural('a', 'b') < 0);
    assert.ok(compareNatural('a01', 'a1') !== 0, 'equal values, different texts: still a total order');
    const pods = ['b/x', 'a/y10', 'a/y9', 'a/y'].map((k) => ({ namespace: k.split('/')[0]!, name: k.split('/')[1]! }) as Pod);
    assert.deepEqual(viewOrder(pods).map(podKey), ['a/y', 'a/y9', 'a/y10', 'b/x']);
  });

  it('cuts ipBlocks into atoms that every block holds whole', () => {
    const c = (t: string) => {
      const r = parseCidr(t);
      assert.ok(r.ok);
      return r.value;
    };
    const node = { id: 'cidr:x', cidr: c('10.0.0.0/24'), except: [c('10.0.0.128/25')], label: '', detail: '', ports: [], anyPort: false };
    const [atoms] = atomsOf([node], [c('10.0.0.0/24'), c('10.0.0.128/25'), c('10.0.0.0/26')]);
    assert.deepEqual(atoms!.map((a) => `${formatIp({ family: 4, value: a.first })}-${formatIp({ family: 4, value: a.last })}`), ['10.0.0.0-10.0.0.63', '10.0.0.64-10.0.0.127']);
  });

  // Ground truth: every pod cell against the naive pair-by-pair evaluator; every ipBlock cell
  // against the naive evaluator at each atom's first and last address (and the atoms covering the block).
  it('agrees with the naive evaluator on random clusters, pods and ipBlocks (300 clusters)', () => {
    fc.assert(
      fc.property(clusterArb(10, 6), fc.constantFrom(...QUERY_PORTS), fc.constantFrom(...PROTOCOLS), (snap, port, protocol) => {
        const v = buildMatrixView(snap, { port: { kind: 'port', port, protocol } });
        const byKey = new Map(snap.pods.map((p) => [podKey(p), p]));
        const ranges = ipBlockRanges(snap);
        const nodes = { ingress: ipBlockNodes(snap, 'ingress'), egress: ipBlockNodes(snap, 'egress') };
        const atomsByNode = new Map([...nodes.ingress, ...nodes.egress].map((n) => [n.id, atomsOf([n], ranges)[0]!]));
        const C = v.cols.length;
        v.rows.forEach((row, r) => {
          v.cols.forEach((col, c) => {
            const got = v.cells[r * C + c];
            if (row.kind === 'pod' && col.kind === 'pod') {
              if (row.id === col.id) return assert.equal(got, '-');
              const want = naiveAllowed(snap, { pod: byKey.get(row.id)! }, { pod: byKey.get(col.id)! }, port, protocol);
              return assert.equal(got, want ? 'A' : 'D', `${row.id} → ${col.id} on ${port}/${protocol}`);
            }
            if (row.kind === 'cidr' && col.kind === 'cidr') return assert.equal(got, 'N');
            const blockId = row.kind === 'cidr' ? row.id : col.id;
            const atoms = atomsByNode.get(blockId)!;
            const verdicts = atoms.map((a) => {
              const at = (value: bigint): boolean => {
                const ip = formatIp({ family: a.family, value });
                return row.kind === 'cidr'
                  ? naiveAllowed(snap, { ip }, { pod: byKey.get(col.id)! }, port, protocol)
                  : naiveAllowed(snap, { pod: byKey.get(row.id)! }, { ip }, port, protocol);
              };
              const first = at(a.first);
              assert.equal(at(a.last), first, `atom ${formatIp({ family: a.family, value: a.first })} of ${blockId} is uniform`);
              return first;
            });
            const want = atoms.length === 0 ? 'N' : verdicts.every(Boolean) ? 'A' : verdicts.some(Boolean) ? 'S' : 'D';
            assert.equal(got, want, `${row.id} → ${col.id} on ${port}/${protocol}`);
          });
        });
        // The atoms of a block cover exactly its addresses outside the excepts.
        for (const n of [...nodes.ingress, ...nodes.egress]) {
          const atoms = atomsByNode.get(n.id)!;
          const size = atoms.reduce((s, a) => s + (a.last - a.first + 1n), 0n);
          const { first, last } = cidrBounds(n.cidr);
          let expected = 0n;
          for (let x = first.value; x <= last.value && last.value - first.value < 4096n; x++) {
            if (!n.except.some((e) => e.family === n.cidr.family && cidrBounds(e).first.value <= x && x <= cidrBounds(e).last.value)) expected++;
          }
          if (last.value - first.value < 4096n) assert.equal(size, expected, `atoms of ${n.id} cover the block`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('"declared ports" cells are all / some / none of each destination\'s ports (200 clusters)', () => {
    fc.assert(
      fc.property(clusterArb(8, 5), (snap) => {
        const v = buildMatrixView(snap, { external: false });
        const byKey = new Map(snap.pods.map((p) => [podKey(p), p]));
        const C = v.cols.length;
        v.rows.forEach((row, r) => {
          v.cols.forEach((col, c) => {
            if (row.id === col.id) return;
            const dst = byKey.get(col.id)!;
            const ports = [...new Map(dst.ports.map((p) => [`${p.containerPort}/${p.protocol}`, p])).values()];
            const allowed = ports.filter((p) => naiveAllowed(snap, { pod: byKey.get(row.id)! }, { pod: dst }, p.containerPort, p.protocol)).length;
            const want = ports.length === 0 ? 'N' : allowed === ports.length ? 'A' : allowed === 0 ? 'D' : 'S';
            assert.equal(v.cells[r * C + c], want, `${row.id} → ${col.id}`);
          });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('change codes agree with comparing two views cell by cell (200 pairs of clusters)', () => {
    fc.assert(
      fc.property(clusterArb(8, 5), clusterArb(8, 5), fc.constantFrom(...QUERY_PORTS), (a, b, port) => {
        // Same pods (b's policies over a's pods), so every pod is on both sides.
        const after: ClusterSnapshot = { ...a, policies: b.policies, namespaces: a.namespaces };
        const port1 = { kind: 'port' as const, port, protocol: 'TCP' as const };
        const v = buildMatrixView(after, { before: a, port: port1, external: false });
        const old = buildMatrixView(a, { port: port1, external: false });
        for (let k = 0; k < v.cells.length; k++) {
          const [x, y] = [old.cells[k]!, v.cells[k]!];
          const want = x === y ? ' ' : y === 'A' && x === 'D' ? '+' : y === 'D' && x === 'A' ? '-' : undefined;
          if (want !== undefined) assert.equal(v.changes![k], want, `cell ${k}: ${x} → ${y}`);
          else assert.notEqual(v.changes![k], ' ', `cell ${k}: ${x} → ${y} is a change`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
