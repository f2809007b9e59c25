/**
 * Merging files into one snapshot: inferred namespaces, duplicates, workloads that real
 * pods already stand for, and the editor's incremental use (parse per file, merge).
 */
import * as assert from 'node:assert/strict';
import { buildSnapshot, loadManifests, parseManifestText } from '../../src/core/manifest/load';
import type { LoadedObject } from '../../src/core/manifest/load';
import type { Finding } from '../../src/core/model';
import { codes, fixture, rangeText } from './support';

const pod = (name: string, ns?: string, extra = ''): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}${extra}`;

describe('manifest snapshot: namespaces', () => {
  it('infers namespaces that objects use but no file defines, with one info finding each', () => {
    const { snapshot, findings } = loadManifests([
      { file: 'a.yaml', content: `${pod('a', 'shop')}---\n${pod('b', 'shop')}---\n${pod('c')}` },
      { file: 'b.yaml', content: fixture('seed-incident/default-deny-ingress.yaml') },
    ]);
    assert.deepEqual(snapshot.namespaces, [
      { kind: 'Namespace', name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' }, inferred: true },
      { kind: 'Namespace', name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' }, inferred: true },
      { kind: 'Namespace', name: 'production', labels: { 'kubernetes.io/metadata.name': 'production' }, inferred: true },
    ]);
    // Located at the first object's namespace (or its name when the namespace is defaulted).
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.severity}:${f.code}@${rangeText(f.range)}:${f.object}`),
      [
        'a.yaml:info:namespace-inferred@4:13-4:17:Pod shop/a',
        'a.yaml:info:namespace-inferred@15:8-15:9:Pod default/c',
        'b.yaml:info:namespace-inferred@4:13-4:23:NetworkPolicy production/default-deny-ingress',
      ],
    );
    assert.match(findings[0]!.message, /^Namespace "shop" is not defined in the loaded files: .*kubectl get namespace shop -o yaml/);
  });

  it('does not infer a namespace that a file defines, wherever that file comes in the order', () => {
    const { snapshot, findings } = loadManifests([
      { file: 'pod.yaml', content: pod('a', 'production') },
      { file: 'ns.yaml', content: fixture('seed-incident/namespace.yaml') },
    ]);
    assert.deepEqual(snapshot.namespaces.map((n) => [n.name, n.inferred]), [['production', false]]);
    assert.deepEqual(findings, []);
  });
});

describe('manifest snapshot: duplicates and workloads', () => {
  it('keeps the later of two definitions of one object, warning at both', () => {
    const { snapshot, findings } = loadManifests([
      { file: 'a.yaml', content: pod('a', 'default', '  labels: {v: "1"}\n') },
      { file: 'b.yaml', content: pod('a', 'default', '  labels: {v: "2"}\n') },
    ]);
    assert.deepEqual(snapshot.pods.map((p) => p.labels), [{ v: '2' }]);
    assert.deepEqual(
      findings.filter((f) => f.code === 'duplicate-object').map((f) => `${f.file}@${rangeText(f.range)}: ${f.message}`),
      [
        'a.yaml@4:13-4:20: Pod default/a is defined again at b.yaml:1, which replaces this definition.',
        'b.yaml@4:13-4:20: Pod default/a was already defined at a.yaml:1; this later definition is the one used.',
      ],
    );
  });

  it('drops workload template pods that loaded real pods (or a loaded owner) already stand for', () => {
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: web}]\n';
    const replicaSet =
      'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-5d8f7\n  namespace: shop\n  ownerReferences: [{kind: Deployment, name: web, controller: true}]\n' +
      'spec:\n  template:\n    metadata:\n      labels: {app: web, pod-template-hash: 5d8f7}\n    spec:\n      containers: [{name: web}]\n';
    const realPod = pod('web-5d8f7-x1', 'shop', '  labels: {app: web, pod-template-hash: 5d8f7}\n  ownerReferences: [{kind: ReplicaSet, name: web-5d8f7, controller: true}]\n');
    const cronJob =
      'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\n  namespace: shop\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: r}]\n';
    const jobPod = pod('report-28599360-abcde', 'shop', '  ownerReferences: [{kind: Job, name: report-28599360, controller: true}]\n');
    const load = (...docs: string[]) =>
      loadManifests([{ file: 'all.yaml', content: docs.join('---\n') }]).snapshot.pods.map((p) => `${p.origin.type === 'pod' ? 'Pod' : p.origin.kind}/${p.name}`);

    assert.deepEqual(load(deployment), ['Deployment/web']);
    assert.deepEqual(load(deployment, replicaSet), ['Deployment/web']);
    assert.deepEqual(load(replicaSet), ['ReplicaSet/web-5d8f7']);
    assert.deepEqual(load(deployment, replicaSet, realPod), ['Pod/web-5d8f7-x1']);
    // Without the ReplicaSet, the pod is tied to its Deployment by the pod-template-hash naming.
    assert.deepEqual(load(deployment, realPod), ['Pod/web-5d8f7-x1']);
    assert.deepEqual(load(cronJob), ['CronJob/report']);
    assert.deepEqual(load(cronJob, jobPod), ['Pod/report-28599360-abcde']);
  });
});

describe('manifest snapshot: incremental use by the editor', () => {
  it('parsing files one by one and merging gives what loadManifests gives', () => {
    const files = ['seed-incident/namespace.yaml', 'seed-incident/pods.yaml', 'gitops/policies.yaml', 'kubectl/list.json'];
    const whole = loadManifests(files.map((f) => ({ file: f, content: fixture(f) })));
    const objects: LoadedObject[] = [];
    const findings: Finding[] = [];
    for (const f of files) {
      const parsed = parseManifestText(f, fixture(f));
      objects.push(...parsed.objects);
      findings.push(...parsed.findings);
    }
    const merged = buildSnapshot(objects, findings);
    // Sources hold closures (at), so compare them by what they point at.
    const comparable = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v, (k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : k === 'at' ? undefined : x)));
    assert.deepEqual(comparable(merged.snapshot), comparable(whole.snapshot));
    assert.deepEqual(codes(merged.findings).sort(), codes(whole.findings).sort());
  });

  it('orders findings by input file, then position', () => {
    const { findings } = loadManifests([
      { file: 'z.yaml', content: 'kind: [\n' },
      { file: 'a.yaml', content: `${pod('p', 'ns1')}---\nkind: [\n` },
    ]);
    assert.deepEqual(findings.map((f) => `${f.file}:${f.code}`), ['z.yaml:yaml-syntax', 'a.yaml:namespace-inferred', 'a.yaml:yaml-syntax']);
  });
});
