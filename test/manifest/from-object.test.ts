/**
 * `fromObject(value)` (live objects, no text) must give what the text loader gives for
 * `JSON.stringify(value)`: the same model objects (without source) and the same findings (code,
 * severity, message, object; ranges aside), for random and hostile objects alike.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromObject } from '../../src/core/manifest/from-object';
import { parseManifestText } from '../../src/core/manifest/load';
import type { LoadedObject, ParsedFile } from '../../src/core/manifest/load';
import type { Finding } from '../../src/core/model';

const RUNS = Number(process.env.FROM_OBJECT_RUNS ?? 400);

function stripSource(lo: LoadedObject): LoadedObject {
  const { source: _s, ...object } = lo.object as typeof lo.object & { source?: unknown };
  return { ...lo, object: object as LoadedObject['object'] };
}

function findingKey(f: Finding): string {
  return JSON.stringify([f.code, f.severity, f.message, f.object ?? null, f.file]);
}

/** What must agree: objects in order, findings as a multiset (the text loader sorts them by position). */
function comparable(r: ParsedFile): { objects: LoadedObject[]; findings: string[] } {
  return { objects: r.objects.map(stripSource), findings: r.findings.map(findingKey).sort() };
}

function viaText(value: unknown): ReturnType<typeof comparable> {
  return comparable(parseManifestText('kube://ctx/x', JSON.stringify(value)));
}

function viaObject(value: unknown): ReturnType<typeof comparable> {
  return comparable(fromObject(value, { file: 'kube://ctx/x' }));
}

function assertSame(value: unknown): void {
  // A file with "{{" anywhere is a Helm template to the text loader (skipped as a whole); an
  // object from the API server is never one. That check is about text, so it is left out here.
  const json = JSON.stringify(value);
  if (json !== undefined && json.includes('{{')) return;
  const text = viaText(value);
  const object = viaObject(value);
  assert.deepStrictEqual(object, text, `differs for ${JSON.stringify(value).slice(0, 2000)}`);
  // Every object keeps the shape the file path gives, without a SourceRef.
  for (const lo of fromObject(value).objects) assert.equal('source' in lo.object, false);
}

// ---------------------------------------------------------------------------------------------
// Generators: plausible API objects, then hostile edits anywhere in them.

const labelKey = fc.oneof(
  fc.constantFrom('app', 'tier', 'app.kubernetes.io/name', 'kubernetes.io/metadata.name', 'team', 'k8s-app', 'pod-template-hash'),
  fc.constantFrom('Bad Key', '-x', 'a/b/c', '/x', 'x/', 'EXAMPLE.com/x', 'a'.repeat(70), '', 'on', '1'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
);
const labelValue = fc.oneof(
  fc.constantFrom('web', 'api', 'db', '', 'prod', 'x'.repeat(64), 'bad value', '-x', 'yes', '1'),
  fc.stringMatching(/^[a-z0-9]{1,12}$/),
);
const labels = fc.oneof(
  fc.dictionary(labelKey, labelValue, { maxKeys: 5 }),
  // A huge label map.
  fc.integer({ min: 200, max: 600 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key-${i}`, `v${i}`]))),
);
const name = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.constantFrom('Bad_Name', 'x'.repeat(260), 'a.b', ''));
const namespace = fc.oneof(fc.constantFrom('default', 'production', 'kube-system'), fc.constantFrom('Bad.NS', ''));
const ip = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.')),
  fc.constantFrom('fd00::1', '2001:db8::5', '10.0.0.300', 'not-an-ip', 'None', ''),
);
const portName = fc.constantFrom('http', 'metrics', 'postgresql', 'dns-tcp', 'Bad_Name', 'x'.repeat(16), '8080', '--a', 'a--b', '');
const port = fc.oneof(fc.integer({ min: -5, max: 70000 }), portName, fc.constant(1.5));
const protocol = fc.constantFrom('TCP', 'UDP', 'SCTP', 'tcp', 'ICMP', undefined);
const cidr = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 0, max: 33 })).map(([a, b, p]) => `10.${a}.${b}.0/${p}`),
  fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '192.168.1.5/24', 'fd00::/8', '::/0', '2001:db8::/129', '10.0.0.1', 'garbage', ''),
);

const requirement = fc.record(
  {
    key: labelKey,
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'in', 'Equals'),
    values: fc.array(labelValue, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const selector = fc.record({ matchLabels: labels, matchExpressions: fc.array(requirement, { maxLength: 2 }) }, { requiredKeys: [] });
const ipBlock = fc.record({ cidr, except: fc.array(cidr, { maxLength: 3 }) }, { requiredKeys: [] });
const peer = fc.oneof(
  fc.record({ podSelector: selector, namespaceSelector: selector }, { requiredKeys: [] }),
  fc.record({ ipBlock }),
  fc.record({ ipBlock, podSelector: selector }),
);
const policyPort = fc.record({ protocol, port, endPort: fc.integer({ min: 0, max: 70000 }) }, { requiredKeys: [] });
const ingressRule = fc.record({ from: fc.array(peer, { maxLength: 3 }), ports: fc.array(policyPort, { maxLength: 3 }) }, { requiredKeys: [] });
const egressRule = fc.record({ to: fc.array(peer, { maxLength: 3 }), ports: fc.array(policyPort, { maxLength: 3 }) }, { requiredKeys: [] });

const metadata = fc.record(
  {
    name,
    namespace,
    labels,
    annotations: fc.dictionary(labelKey, fc.oneof(fc.string({ maxLength: 8 }), fc.integer())),
    resourceVersion: fc.nat().map(String),
    creationTimestamp: fc.constantFrom('2024-01-01T00:00:00Z', new Date(Date.UTC(2024, 4, 1, 10, 0, 0))),
    ownerReferences: fc.array(
      fc.record({ kind: fc.constantFrom('ReplicaSet', 'Job', 'StatefulSet'), name, controller: fc.boolean(), uid: fc.uuid() }, { requiredKeys: ['kind', 'name'] }),
      { maxLength: 2 },
    ),
    managedFields: fc.constant([{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }]),
  },
  { requiredKeys: ['name'] },
);

const networkPolicy = fc.record(
  {
    apiVersion: fc.constantFrom('networking.k8s.io/v1', 'networking.k8s.io/v1', 'extensions/v1beta1'),
    kind: fc.constant('NetworkPolicy'),
    metadata,
    spec: fc.record(
      {
        podSelector: selector,
        policyTypes: fc.array(fc.constantFrom('Ingress', 'Egress', 'ingress', 'Both'), { maxLength: 3 }),
        ingress: fc.array(ingressRule, { maxLength: 3 }),
        egress: fc.array(egressRule, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['kind', 'metadata'] },
);

const containerPort = fc.record({ name: portName, containerPort: port, protocol, hostPort: fc.nat(100) }, { requiredKeys: ['containerPort'] });
const container = fc.record(
  {
    name,
    image: fc.constant('nginx:1.27'),
    ports: fc.array(containerPort, { maxLength: 3 }),
    restartPolicy: fc.constantFrom('Always', 'Never'),
    env: fc.array(fc.record({ name: fc.string({ maxLength: 6 }), value: fc.string({ maxLength: 6 }) }), { maxLength: 2 }),
  },
  { requiredKeys: ['name'] },
);
const pod = fc.record(
  {
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Pod'),
    metadata,
    spec: fc.record(
      { containers: fc.array(container, { maxLength: 2 }), initContainers: fc.array(container, { maxLength: 1 }), hostNetwork: fc.boolean(), nodeName: name },
      { requiredKeys: [] },
    ),
    status: fc.record(
      { phase: fc.constantFrom('Running', 'Pending', 'Succeeded'), podIP: ip, podIPs: fc.array(fc.record({ ip }), { maxLength: 2 }), hostIP: ip },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['kind', 'metadata'] },
);
const service = fc.record(
  {
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Service'),
    metadata,
    spec: fc.record(
      {
        type: fc.constantFrom('ClusterIP', 'NodePort'),
        selector: labels,
        clusterIP: ip,
        clusterIPs: fc.array(ip, { maxLength: 2 }),
        ports: fc.array(fc.record({ name: portName, port, targetPort: port, protocol }, { requiredKeys: [] }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['kind', 'metadata'] },
);
const namespaceObject = fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Namespace'), metadata }, { requiredKeys: ['kind', 'metadata'] });
const node = fc.record(
  {
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Node'),
    metadata,
    spec: fc.record({ podCIDR: cidr, podCIDRs: fc.array(cidr, { maxLength: 2 }) }, { requiredKeys: [] }),
    status: fc.record({ addresses: fc.array(fc.record({ type: fc.constantFrom('InternalIP', 'ExternalIP', 'Hostname'), address: ip }), { maxLength: 3 }) }),
  },
  { requiredKeys: ['kind', 'metadata'] },
);
const workload = fc.record({
  apiVersion: fc.constant('apps/v1'),
  kind: fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'Job'),
  metadata,
  spec: fc.record({ template: fc.record({ metadata: fc.record({ labels }), spec: fc.record({ containers: fc.array(container, { maxLength: 2 }) }) }) }),
});
const other = fc.oneof(
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constantFrom('ConfigMap', 'Secret'), metadata, data: fc.dictionary(fc.string(), fc.string()) }),
  fc.record({ apiVersion: fc.constant('cilium.io/v2'), kind: fc.constant('CiliumNetworkPolicy'), metadata }),
);
const object = fc.oneof(networkPolicy, pod, service, namespaceObject, node, workload, other);

/** Any JSON-ish value, including what JSON.stringify treats specially. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, undefined, true, false, 0, -0, 1.5, -1, 1e21, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '', 'x'.repeat(300), '80', 'yes',
    '\u2028\u202e\u0000', '10.0.0.0/8', {}, [], [null], [undefined], new Date(Date.UTC(2020, 0, 1)), new Date(Number.NaN),
    () => 1, Symbol('s'), { toJSON: () => 'from toJSON' }, { toJSON: () => undefined },
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
);

type Json = Record<string, unknown> | unknown[];

/** Every path to a value inside `v` (not through toJSON objects). */
function paths(v: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (typeof v !== 'object' || v === null || v instanceof Date) return out;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return out;
  const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    const p = [...prefix, k];
    out.push(p);
    paths(x, p, out);
  }
  return out;
}

type Edit = { pick: number; op: 'set' | 'delete' | 'add'; value: unknown; key: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'add'),
  value: hostileValue,
  key: fc.oneof(fc.constantFrom('podSelector', 'ports', 'from', 'ipBlock', 'except', 'matchLabels', 'extra', '__proto__', 'constructor'), fc.string({ maxLength: 6 })),
});

function applyEdits(base: unknown, edits: readonly Edit[]): unknown {
  // A structured copy keeps Dates and undefined; functions and symbols are only ever added by edits.
  const root = structuredClone(base) as Json;
  for (const e of edits) {
    const all = paths(root);
    if (all.length === 0) break;
    const p = all[e.pick % all.length]!;
    let parent: unknown = root;
    for (const seg of p.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[seg];
    const last = p[p.length - 1]!;
    const target = parent as Record<string | number, unknown>;
    if (e.op === 'delete') {
      if (Array.isArray(target)) target.splice(Number(last), 1);
      else delete target[last];
    } else if (e.op === 'add') {
      const inner = target[last];
      if (typeof inner === 'object' && inner !== null && !Array.isArray(inner) && !(inner instanceof Date)) {
        Object.defineProperty(inner, e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
      } else target[last] = e.value;
    } else target[last] = e.value;
  }
  return root;
}

describe('fromObject: live objects without text', () => {
  it('gives what the text loader gives for JSON.stringify(object): plausible objects', () => {
    fc.assert(fc.property(object, (o) => assertSame(o)), { numRuns: RUNS });
  });

  it('… and for hostile ones: wrong types, missing fields, odd values anywhere', () => {
    fc.assert(
      fc.property(object, fc.array(edit, { minLength: 1, maxLength: 6 }), (o, edits) => assertSame(applyEdits(o, edits))),
      { numRuns: RUNS },
    );
  });

  it('… and for lists (typed and plain), plain values and nesting at the depth limit', () => {
    fc.assert(
      fc.property(fc.array(object, { maxLength: 4 }), fc.constantFrom('List', 'PodList', 'NetworkPolicyList', 'ConfigMapList'), (items, kind) =>
        assertSame({ apiVersion: 'v1', kind, items: items.map((i) => ({ ...(i as object), kind: undefined })) }),
      ),
      { numRuns: Math.ceil(RUNS / 4) },
    );
    for (const v of [null, 'text', 42, [], [{ kind: 'Pod', metadata: { name: 'a' } }], {}, { kind: 'List', items: null }, { kind: 'List', items: 'x' }]) assertSame(v);
    const nest = (levels: number): unknown => {
      let v: unknown = { leaf: 1 };
      for (let i = 0; i < levels; i++) v = { a: v };
      return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'deep', labels: { x: 'y' } }, spec: v };
    };
    const nestList = (levels: number): unknown => {
      let v: unknown = [];
      for (let i = 0; i < levels; i++) v = [v];
      return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'deep' }, spec: { containers: v } };
    };
    for (let levels = 248; levels <= 258; levels++) {
      assertSame(nest(levels));
      assertSame(nestList(levels));
    }
  });

  it('reads Dates and client-node-style timestamps as their JSON text, and a cycle as too deep', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'ns', creationTimestamp: new Date(Date.UTC(2024, 0, 2)), labels: { when: new Date(0) } },
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 'http' }] }] },
    };
    assertSame(policy);
    // The Date label value reads as its ISO text, which is no valid label value.
    const r = fromObject(policy);
    assert.deepEqual(r.findings.map((f) => f.code), ['invalid-label']);
    assert.match(r.findings[0]!.message, /"1970-01-01T00:00:00.000Z"/);
    const cyclic: Record<string, unknown> = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'loop' } };
    cyclic.spec = cyclic;
    assert.deepEqual(fromObject(cyclic).findings.map((f) => f.code), ['too-deep']);
  });
});
