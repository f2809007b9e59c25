import assert from 'node:assert/strict';
import { parseCidr } from '../../src/core/cidr';
import { buildMatrixView } from '../../src/core/matrix/build';
import { cellExplanation, cellReason } from '../../src/core/matrix/reason';
import type { ClusterSnapshot, NetworkPolicy } from '../../src/core/model';
import { podKey } from '../../src/core/model';
import { demoSnapshots } from '../webview/demo';

const WEB = 'production/web-api-7d9f8b6c5d-x2k4q';
const DB = 'production/postgres-0';
const PROM = 'monitoring/prometheus-0';
const BLOCK = 'cidr:10.244.1.0/24';
const PORT = { kind: 'port' as const, port: 5432, protocol: 'TCP' as const };

describe('cell reasons and explanations', () => {
  let seed: ClusterSnapshot;
  let fixed: ClusterSnapshot;
  before(async () => {
    ({ before: seed, after: fixed } = await demoSnapshots());
  });

  it('one line for the seed incident, naming the isolating policies on each side', () => {
    const v = buildMatrixView(seed, { port: PORT });
    assert.equal(
      cellReason(seed, v, { row: WEB, col: DB }),
      'denied: production/web-api-egress isolates web-api-7d9f8b6c5d-x2k4q; no egress rule admits postgres-0 on 5432/TCP; ' +
        'and production/allow-monitoring, production/default-deny-ingress isolate postgres-0; no ingress rule admits web-api-7d9f8b6c5d-x2k4q on 5432/TCP',
    );
    assert.equal(cellReason(seed, v, { row: PROM, col: WEB }), 'denied: production/default-deny-ingress isolates production/web-api-7d9f8b6c5d-x2k4q; no ingress rule admits monitoring/prometheus-0 on 5432/TCP');
    assert.equal(cellReason(seed, v, { row: DB, col: PROM }), 'allowed on 5432/TCP: no policy isolates production/postgres-0 (egress) or monitoring/prometheus-0 (ingress)');
    assert.equal(cellReason(seed, v, { row: DB, col: DB }), 'allowed: a pod can always reach itself (NetworkPolicy does not apply)');
    assert.equal(cellReason(seed, v, { row: BLOCK, col: DB }), 'allowed on 5432/TCP: egress not isolated; ingress by production/allow-monitoring');
    assert.equal(cellReason(seed, v, { row: 'production/nope', col: DB }), 'this cell is no longer in the view');
  });

  it('after the fix, names the allowing policies', () => {
    const v = buildMatrixView(fixed, { port: PORT });
    assert.equal(cellReason(fixed, v, { row: WEB, col: DB }), 'allowed on 5432/TCP: egress by production/web-api-egress; ingress by production/allow-db-access');
  });

  it('groups declared ports with the same reason, and keeps different ones apart', () => {
    // postgres also serves its metrics exporter on 9187, which allow-monitoring admits from team=observability namespaces.
    const pods = seed.pods.map((p) => (podKey(p) === DB ? { ...p, ports: [...p.ports, { name: 'metrics', containerPort: 9187, protocol: 'TCP' as const }] } : p));
    const snap = { ...seed, pods };
    const v = buildMatrixView(snap);
    const k = v.rows.findIndex((e) => e.id === PROM) * v.cols.length + v.cols.findIndex((e) => e.id === DB);
    assert.equal(v.cells[k], 'S');
    assert.equal(
      cellReason(snap, v, { row: PROM, col: DB }),
      'denied: production/allow-monitoring, production/default-deny-ingress isolate production/postgres-0; no ingress rule admits monitoring/prometheus-0 on 5432/TCP · ' +
        'allowed on 9187/TCP: egress not isolated; ingress by production/allow-monitoring',
    );
    assert.match(cellReason(snap, v, { row: WEB, col: DB }), /on 5432\/TCP, 9187\/TCP$/, 'the same reason on both ports is said once');
  });

  it('says which addresses of a block differ', () => {
    const c = (t: string) => {
      const r = parseCidr(t);
      assert.ok(r.ok);
      return r.value;
    };
    const half: NetworkPolicy = {
      kind: 'NetworkPolicy', namespace: 'production', name: 'allow-lower-half', podSelector: { matchLabels: { app: 'web-api' }, matchExpressions: [] },
      policyTypes: ['Ingress'], policyTypesExplicit: true, ingress: [{ peers: [{ type: 'ipBlock', cidr: c('10.244.1.0/25'), except: [], path: 'spec.ingress.0.from.0' }], ports: [], path: 'spec.ingress.0' }], egress: [],
    };
    const snap = { ...seed, policies: [...seed.policies, half] };
    const v = buildMatrixView(snap, { port: PORT });
    const r = v.rows.findIndex((e) => e.id === BLOCK);
    const col = v.cols.findIndex((e) => e.id === WEB);
    assert.equal(v.cells[r * v.cols.length + col], 'S');
    const reason = cellReason(snap, v, { row: BLOCK, col: WEB });
    assert.match(reason, /^some addresses differ: 10\.244\.1\.0–10\.244\.1\.127: allowed on 5432\/TCP: egress not isolated; ingress by production\/allow-lower-half · 10\.244\.1\.128–10\.244\.1\.255: denied: /);
    const x = cellExplanation(snap, v, { row: BLOCK, col: WEB });
    assert.deepEqual(x.sections.map((s) => s.title), ['Endpoints', '5432/TCP from 10.244.1.0–10.244.1.127: allowed', '5432/TCP from 10.244.1.128–10.244.1.255: denied']);
  });

  it('explains a cell with every rule and miss, each with its location', () => {
    const v = buildMatrixView(seed, { port: PORT });
    const x = cellExplanation(seed, v, { row: WEB, col: DB });
    assert.equal(x.title, `${WEB} → ${DB}`);
    assert.equal(x.state, 'D');
    assert.equal(x.summary, cellReason(seed, v, { row: WEB, col: DB }));
    assert.deepEqual(x.sections.map((s) => s.title), ['Endpoints', '5432/TCP: denied']);
    const [endpoints, verdict] = x.sections;
    assert.match(endpoints!.lines[0]!.text, /^From: pod production\/web-api-7d9f8b6c5d-x2k4q \{app=web-api, role=api, env=prod, pod-template-hash=7d9f8b6c5d\} \(10\.244\.2\.17\)$/);
    assert.equal(endpoints!.lines[1]!.location!.line, 5);
    const where = verdict!.lines.map((l) => `${l.kind} ${l.location ? `${l.location.file.split('/').pop()}:${l.location.line}` : '-'} ${l.text.slice(0, 40)}`);
    assert.deepEqual(where, [
      'note - Egress from production/web-api-7d9f8b6c5',
      'miss web-api-egress.yaml:14 production/web-api-egress: egress rule 1',
      'note - Ingress to production/postgres-0: isolat',
      'miss allow-monitoring.yaml:24 production/allow-monitoring: ingress rul',
      'miss default-deny-ingress.yaml:8 production/default-deny-ingress: has no ',
    ]);
  });

  it('says what a changed cell was before the change', () => {
    const v = buildMatrixView(fixed, { port: PORT, before: seed });
    const x = cellExplanation(fixed, v, { row: WEB, col: DB }, { before: seed });
    const last = x.sections[x.sections.length - 1]!;
    assert.equal(last.title, 'Before the change (opened by the change)');
    assert.match(last.lines[0]!.text, /^denied: production\/web-api-7d9f8b6c5d-x2k4q → production\/postgres-0 on 5432\/TCP/);
    assert.ok(!cellExplanation(fixed, v, { row: DB, col: PROM }, { before: seed }).sections.some((s) => s.title.startsWith('Before')));
  });

  it('describes aggregate cells by counts, over the filtered members, with example denials', () => {
    const v = buildMatrixView(seed, { port: PORT });
    assert.equal(cellReason(seed, v, { row: 'ns:production', col: 'ns:production' }), 'production (3 pods) → production (3 pods): 0 of 6 pairs allowed, 6 denied on 5432/TCP');
    assert.equal(cellReason(seed, v, { row: 'ns:production', col: PROM }), 'production (3 pods) → monitoring/prometheus-0: 1 of 3 pairs allowed, 2 denied on 5432/TCP');
    assert.equal(
      cellReason(seed, v, { row: 'ns:production', col: 'ns:production' }, { filter: { labels: 'app=web-api' } }),
      'production (2 pods) → production (2 pods): 0 of 2 pairs allowed, 2 denied on 5432/TCP',
    );
    assert.equal(cellReason(seed, v, { row: 'ns:kube-system', col: DB }), 'this cell is no longer in the view');
    const x = cellExplanation(seed, v, { row: 'ns:production', col: 'ns:production' });
    assert.equal(x.state, 'D');
    assert.equal(x.sections[1]!.title, 'Denied pairs');
    assert.equal(x.sections[1]!.lines.length, 6);
    assert.match(x.sections[1]!.lines[0]!.text, /^production\/postgres-0 → production\/web-api-7d9f8b6c5d-q8j3m: denied: /);
  });
});
