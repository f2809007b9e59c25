/**
 * Loading realistic manifests: exact model objects, exact source ranges.
 */
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { loadManifests, parseManifestText, podFieldPath } from '../../src/core/manifest/load';
import type { ManifestInput } from '../../src/core/manifest/load';
import type { NetworkPolicy, Pod, SourceRef } from '../../src/core/model';
import { parseCidr } from '../../src/core/cidr';
import { codes, fixture, fixturePath, fixtureText, rangeOfText, rangeText } from './support';

/** A deep copy without `source` (compared separately), so objects can be compared exactly. */
function plain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(plain) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'source') out[k] = plain(x);
    return out as T;
  }
  return v;
}

function dir(rel: string): ManifestInput[] {
  return readdirSync(fixturePath(rel))
    .sort()
    .map((f) => ({ file: `${rel}/${f}`, content: fixture(`${rel}/${f}`) }));
}

function cidr(text: string) {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function at(src: SourceRef | undefined, path: string): { key: string; value: string } {
  const r = src?.at(path);
  return { key: rangeText(r?.key), value: rangeText(r?.value) };
}

describe('manifest loader: the seed incident', () => {
  const result = loadManifests(dir('seed-incident'));
  const { snapshot } = result;

  it('loads cleanly: no findings at all', () => {
    assert.deepEqual(result.findings, []);
  });

  it('reads the namespace, with its metadata.name label', () => {
    assert.deepEqual(plain(snapshot.namespaces), [
      { kind: 'Namespace', name: 'production', labels: { 'kubernetes.io/metadata.name': 'production' }, inferred: false },
    ]);
  });

  it('reads both pods exactly', () => {
    assert.deepEqual(plain(snapshot.pods), [
      {
        kind: 'Pod',
        namespace: 'production',
        name: 'postgres-0',
        labels: { app: 'postgres' },
        ips: ['10.244.1.45'],
        ports: [{ name: 'postgresql', containerPort: 5432, protocol: 'TCP', container: 'postgres' }],
        hostNetwork: false,
        phase: 'Running',
        origin: { type: 'pod' },
      },
      {
        kind: 'Pod',
        namespace: 'production',
        name: 'web-api-7d9f8b6c5d-x2k4q',
        labels: { app: 'web-api', 'pod-template-hash': '7d9f8b6c5d' },
        ips: ['10.244.2.17'],
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP', container: 'web-api' }],
        hostNetwork: false,
        phase: 'Running',
        origin: { type: 'pod' },
      },
    ]);
    assert.deepEqual(snapshot.services, []);
    assert.deepEqual(snapshot.nodes, []);
  });

  it('reads the default deny and the fix exactly', () => {
    assert.deepEqual(plain(snapshot.policies), [
      {
        kind: 'NetworkPolicy',
        namespace: 'production',
        name: 'allow-db-access',
        podSelector: { matchLabels: { app: 'postgres' }, matchExpressions: [] },
        policyTypes: ['Ingress'],
        policyTypesExplicit: true,
        ingress: [
          {
            peers: [{ type: 'selector', podSelector: { matchLabels: { app: 'web-api' }, matchExpressions: [] }, path: 'spec.ingress.0.from.0' }],
            ports: [{ protocol: 'TCP', port: 5432, path: 'spec.ingress.0.ports.0' }],
            path: 'spec.ingress.0',
          },
        ],
        egress: [],
      },
      {
        kind: 'NetworkPolicy',
        namespace: 'production',
        name: 'default-deny-ingress',
        podSelector: { matchLabels: {}, matchExpressions: [] },
        policyTypes: ['Ingress'],
        policyTypesExplicit: true,
        ingress: [],
        egress: [],
      },
    ]);
  });

  it('keeps exact sources: file, document, object range and every key and value', () => {
    const fix = snapshot.policies[0]!.source!;
    assert.equal(fix.file, 'seed-incident/allow-db-access.yaml');
    assert.equal(fix.doc, 0);
    // The comment on line 0 is not part of the object.
    assert.equal(rangeText(fix.range), '1:0-19:16');
    assert.deepEqual(at(fix, 'spec.ingress.0.from.0.podSelector.matchLabels.app'), { key: '16:10-16:13', value: '16:15-16:22' });
    assert.deepEqual(at(fix, 'spec.ingress.0.ports.0.port'), { key: '19:6-19:10', value: '19:12-19:16' });
    assert.deepEqual(at(fix, 'spec.policyTypes.0'), { key: '(none)', value: '11:4-11:11' });
    assert.deepEqual(at(fix, 'spec.ingress.0'), { key: '(none)', value: '13:4-19:16' });
    assert.deepEqual(at(fix, ''), { key: '(none)', value: '1:0-19:16' });
    assert.equal(fix.at('spec.egress'), undefined);
    assert.equal(fix.at('spec.ingress.1'), undefined);
    assert.equal(fix.at('spec.ingress.x'), undefined);

    const web = snapshot.pods[1]!.source!;
    assert.equal(web.doc, 1);
    const text = fixtureText('seed-incident/pods.yaml');
    assert.equal(at(web, 'metadata.labels.pod-template-hash').value, rangeOfText(text, '7d9f8b6c5d', 1));
    assert.equal(at(web, 'status.podIP').value, rangeOfText(text, '10.244.2.17'));
    assert.equal(at(web, 'spec.containers.0.ports.0.containerPort').value, rangeOfText(text, '8080'));
  });
});

describe('manifest loader: kubectl output', () => {
  it('reads a `kubectl get pods -o yaml` List: dual-stack IPs, hostNetwork, pending pods, protocols', () => {
    const r = parseManifestText('pods.yaml', fixture('kubectl/pods-list.yaml'));
    assert.deepEqual(r.findings, []);
    const pods = r.objects.map((o) => o.object as Pod);
    assert.deepEqual(plain(pods), [
      {
        kind: 'Pod',
        namespace: 'shop',
        name: 'frontend-6b7f9d4c8-abcde',
        labels: { 'app.kubernetes.io/name': 'frontend', 'pod-template-hash': '6b7f9d4c8', tier: 'web' },
        ips: ['10.244.1.23', 'fd00:10:244:1::17'],
        ports: [
          { name: 'http', containerPort: 8080, protocol: 'TCP', container: 'frontend' },
          { name: 'metrics', containerPort: 9090, protocol: 'TCP', container: 'frontend' },
        ],
        hostNetwork: false,
        nodeName: 'worker-1',
        phase: 'Running',
        origin: { type: 'pod' },
      },
      {
        kind: 'Pod',
        namespace: 'monitoring',
        name: 'node-exporter-7xk2p',
        labels: { 'app.kubernetes.io/name': 'node-exporter' },
        ips: ['192.168.10.12'],
        ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP', container: 'node-exporter' }],
        hostNetwork: true,
        nodeName: 'worker-2',
        phase: 'Running',
        origin: { type: 'pod' },
      },
      {
        kind: 'Pod',
        namespace: 'shop',
        name: 'checkout-5c8d7b9f6-q2w3e',
        labels: { 'app.kubernetes.io/name': 'checkout' },
        ips: [],
        ports: [{ name: 'dns-probe', containerPort: 5353, protocol: 'UDP', container: 'checkout' }],
        hostNetwork: false,
        phase: 'Pending',
        origin: { type: 'pod' },
      },
    ]);
    assert.deepEqual(r.objects[0]!.controller, { kind: 'ReplicaSet', name: 'frontend-6b7f9d4c8' });
    // List items: paths are relative to the item, the range is the item's.
    const src = pods[0]!.source!;
    assert.equal(src.doc, 0);
    assert.equal(rangeText(src.range), '2:2-60:37');
    assert.deepEqual(at(src, 'kind'), { key: '3:2-3:6', value: '3:8-3:11' });
    assert.deepEqual(at(src, 'metadata.labels.app.kubernetes.io/name'), { key: '10:6-10:28', value: '10:30-10:38' });
    assert.deepEqual(at(src, 'status.podIPs.1.ip'), { key: '58:6-58:8', value: '58:10-58:27' });
    assert.deepEqual(at(pods[1]!.source, 'spec.hostNetwork'), { key: '80:4-80:15', value: '80:17-80:21' });
  });

  it('reads a `kind: List` JSON of Namespaces, Pods with status.podIP and NetworkPolicies exactly', () => {
    const { snapshot, findings } = loadManifests([{ file: 'list.json', content: fixture('kubectl/list.json') }]);
    assert.deepEqual(findings, []);
    assert.deepEqual(plain(snapshot.namespaces), [
      { kind: 'Namespace', name: 'x', labels: { 'kubernetes.io/metadata.name': 'x', ns: 'x' }, inferred: false },
      { kind: 'Namespace', name: 'y', labels: { 'kubernetes.io/metadata.name': 'y', ns: 'y' }, inferred: false },
    ]);
    assert.deepEqual(plain(snapshot.pods), [
      {
        kind: 'Pod',
        namespace: 'x',
        name: 'a',
        labels: { pod: 'a' },
        ips: ['10.244.1.10'],
        ports: [
          { name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP', container: 'c' },
          { name: 'serve-81-sctp', containerPort: 81, protocol: 'SCTP', container: 'c' },
        ],
        hostNetwork: false,
        phase: 'Running',
        origin: { type: 'pod' },
      },
      {
        kind: 'Pod',
        namespace: 'y',
        name: 'b',
        labels: { pod: 'b' },
        ips: ['10.244.2.11'],
        ports: [{ name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP', container: 'c' }],
        hostNetwork: false,
        phase: 'Running',
        origin: { type: 'pod' },
      },
    ]);
    const policies = plain(snapshot.policies) as NetworkPolicy[];
    assert.deepEqual(policies, [
      {
        kind: 'NetworkPolicy',
        namespace: 'x',
        name: 'allow-client-a-via-cidr-egress-rule',
        podSelector: { matchLabels: { pod: 'a' }, matchExpressions: [] },
        policyTypes: ['Egress'],
        policyTypesExplicit: true,
        ingress: [],
        egress: [
          {
            peers: [{ type: 'ipBlock', cidr: cidr('10.244.1.10/4'), except: [cidr('10.244.1.11/32')], path: 'spec.egress.0.to.0' }],
            ports: [],
            path: 'spec.egress.0',
          },
        ],
      },
      {
        kind: 'NetworkPolicy',
        namespace: 'x',
        name: 'allow-ns-y-named-port',
        podSelector: { matchLabels: {}, matchExpressions: [] },
        policyTypes: ['Ingress'],
        policyTypesExplicit: false,
        ingress: [
          {
            peers: [
              {
                type: 'selector',
                namespaceSelector: { matchLabels: {}, matchExpressions: [{ key: 'ns', operator: 'In', values: ['y'] }] },
                path: 'spec.ingress.0.from.0',
              },
            ],
            ports: [
              { protocol: 'TCP', port: 'serve-80-tcp', path: 'spec.ingress.0.ports.0' },
              { protocol: 'UDP', port: 8080, endPort: 8090, path: 'spec.ingress.0.ports.1' },
            ],
            path: 'spec.ingress.0',
          },
        ],
        egress: [],
      },
    ]);
    // Host bits are masked (0.0.0.0/4) and the text is kept.
    const block = snapshot.policies[0]!.egress[0]!.peers[0]!;
    assert.equal(block.type === 'ipBlock' && block.cidr.network, 0n);
    assert.equal(block.type === 'ipBlock' && block.cidr.text, '10.244.1.10/4');
    // JSON ranges include the quotes.
    const text = fixtureText('kubectl/list.json');
    assert.deepEqual(at(snapshot.policies[0]!.source, 'spec.egress.0.to.0.ipBlock.cidr'), {
      key: rangeOfText(text, '"cidr"'),
      value: rangeOfText(text, '"10.244.1.10/4"'),
    });
    assert.equal(at(snapshot.pods[0]!.source, 'status.podIP').value, rangeOfText(text, '"10.244.1.10"'));
  });

  it('reads typed lists (PodList from the API), whose items have no kind', () => {
    const r = parseManifestText(
      'podlist.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'p', namespace: 'n' }, status: { podIP: '10.1.2.3' } }] }),
    );
    assert.deepEqual(r.findings, []);
    assert.deepEqual(plain(r.objects.map((o) => o.object)), [
      { kind: 'Pod', namespace: 'n', name: 'p', labels: {}, ips: ['10.1.2.3'], ports: [], hostNetwork: false, origin: { type: 'pod' } },
    ]);
  });

  it('reads a stream of JSON objects (jq -c output) as documents', () => {
    const r = parseManifestText('stream.json', '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}\n{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"b"}}\n');
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.objects.map((o) => [o.object.name, o.object.source!.doc]), [['a', 0], ['b', 1]]);
  });
});

describe('manifest loader: a GitOps directory', () => {
  const result = loadManifests(dir('gitops'));

  it('turns workloads into template pods (anchors and aliases resolved) and reads the Service', () => {
    const pods = result.snapshot.pods;
    assert.deepEqual(plain(pods), [
      {
        kind: 'Pod',
        namespace: 'shop',
        name: 'nightly-report',
        labels: { 'app.kubernetes.io/name': 'nightly-report' },
        ips: [],
        ports: [],
        hostNetwork: false,
        origin: { type: 'workload', kind: 'CronJob', name: 'nightly-report' },
      },
      {
        kind: 'Pod',
        namespace: 'shop',
        name: 'checkout',
        labels: { 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/part-of': 'shop' },
        ips: [],
        ports: [
          { name: 'http', containerPort: 8080, protocol: 'TCP', container: 'checkout' },
          { name: 'grpc', containerPort: 9000, protocol: 'TCP', container: 'checkout' },
        ],
        hostNetwork: false,
        origin: { type: 'workload', kind: 'Deployment', name: 'checkout' },
      },
    ]);
    assert.deepEqual(plain(result.snapshot.services), [
      {
        kind: 'Service',
        namespace: 'shop',
        name: 'checkout',
        selector: { 'app.kubernetes.io/name': 'checkout' },
        ports: [
          { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
          { name: 'grpc', port: 9000, targetPort: 9000, protocol: 'TCP' },
        ],
        clusterIPs: ['10.96.14.2'],
      },
    ]);
    // The workload pod's source is the workload; podFieldPath finds the template's fields.
    const deploy = pods[1]!;
    assert.equal(podFieldPath(deploy, 'metadata.labels'), 'spec.template.metadata.labels');
    assert.equal(podFieldPath(pods[0]!, 'spec'), 'spec.jobTemplate.spec.template.spec');
    const text = fixtureText('gitops/deployment.yaml');
    assert.equal(at(deploy.source, podFieldPath(deploy, 'metadata.labels')).value, rangeOfText(text, '*labels'));
    // Through the alias, a label resolves to where it is written: the anchor.
    assert.equal(at(deploy.source, 'spec.template.metadata.labels.app.kubernetes.io/part-of').value, rangeOfText(text, 'shop', 1));
  });

  it('reads flow-style policies with selectors and ipBlocks', () => {
    const names = result.snapshot.policies.map((p) => `${p.name}:${p.policyTypes.join('+')}`);
    assert.deepEqual(names, ['default-deny:Ingress+Egress', 'checkout-ingress:Ingress', 'allow-dns:Ingress+Egress']);
    const ingress = plain(result.snapshot.policies[1]!.ingress);
    assert.deepEqual(ingress, [
      {
        peers: [
          {
            type: 'selector',
            podSelector: { matchLabels: {}, matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['ingress-nginx'] }] },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, matchExpressions: [] },
            path: 'spec.ingress.0.from.0',
          },
          { type: 'ipBlock', cidr: cidr('192.168.0.0/16'), except: [cidr('192.168.10.0/24')], path: 'spec.ingress.0.from.1' },
        ],
        ports: [
          { protocol: 'TCP', port: 'http', path: 'spec.ingress.0.ports.0' },
          { protocol: 'TCP', port: 9000, path: 'spec.ingress.0.ports.1' },
        ],
        path: 'spec.ingress.0',
      },
    ]);
    const text = fixtureText('gitops/policies.yaml');
    const src = result.snapshot.policies[1]!.source!;
    assert.equal(src.doc, 1);
    assert.deepEqual(at(src, 'spec.ingress.0.from.0.podSelector.matchExpressions.0.values.0'), { key: '(none)', value: rangeOfText(text, 'ingress-nginx', 1) });
    assert.deepEqual(at(src, 'spec.ingress.0.from.1.ipBlock.except.0'), { key: '(none)', value: rangeOfText(text, '192.168.10.0/24') });
  });

  it('says once per file which objects it does not use, as a hint', () => {
    const hints = result.findings.filter((f) => f.severity === 'hint');
    assert.deepEqual(
      hints.map((f) => [f.file, f.code, rangeText(f.range), f.message.split(':')[0]]),
      [
        ['gitops/configmap.yaml', 'not-used', '1:6-1:15', 'netlens does not use 2 objects in this file'],
        ['gitops/kustomization.yaml', 'not-used', '1:6-1:19', 'netlens does not use this object'],
      ],
    );
    // A `{{` in a ConfigMap (an Alertmanager template) is not mistaken for a Helm template.
    assert.deepEqual(result.findings.filter((f) => f.severity !== 'hint'), []);
  });

  it('keeps user labels on namespaces and adds kubernetes.io/metadata.name', () => {
    assert.deepEqual(plain(result.snapshot.namespaces), [
      { kind: 'Namespace', name: 'shop', labels: { team: 'payments', environment: 'production', 'kubernetes.io/metadata.name': 'shop' }, inferred: false },
    ]);
  });
});

describe('manifest loader: Helm templates', () => {
  it('skips each templated document with one finding, and loads the others', () => {
    const r = parseManifestText('networkpolicy.yaml', fixture('helm/templates/networkpolicy.yaml'));
    assert.deepEqual(codes(r.findings), ['helm-template@0:0-0:39']);
    assert.equal(r.findings[0]!.severity, 'warning');
    assert.match(r.findings[0]!.message, /helm template/);
    assert.deepEqual(r.objects.map((o) => o.object.name), ['plain-namespace']);
  });

  it('reports every templated document of a file', () => {
    const text = 'kind: Pod\nmetadata:\n  name: {{ .Values.a }}\n---\nkind: Service\nmetadata:\n  name: "{{ .Values.b }}"\n';
    const r = parseManifestText('t.yaml', text);
    assert.deepEqual(codes(r.findings), ['helm-template@2:8-2:23', 'helm-template@6:9-6:24']);
    assert.deepEqual(r.objects, []);
  });
});

describe('manifest loader: source positions', () => {
  const crlfBom = (s: string): string => `\uFEFF${s.replace(/\n/g, '\r\n')}`;

  it('counts characters in UTF-16 code units, as the editor does', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    emoji: "🙂🙂"\n  labels:\n    bad: "🙂 x"\n';
    const r = parseManifestText('u.yaml', text);
    const pod = r.objects[0]!.object;
    assert.deepEqual(at(pod.source, 'metadata.annotations.emoji'), { key: '5:4-5:9', value: '5:11-5:17' });
    assert.deepEqual(codes(r.findings), ['invalid-label@7:9-7:15']);
  });

  it('gives the same positions with a BOM and CRLF line ends, on both readers', () => {
    for (const rel of ['seed-incident/allow-db-access.yaml', 'gitops/policies.yaml', 'kubectl/list.json']) {
      const lf = parseManifestText(rel, fixtureText(rel));
      const crlf = parseManifestText(rel, Buffer.from(crlfBom(fixtureText(rel)), 'utf8'));
      assert.deepEqual(crlf.findings, lf.findings);
      assert.equal(crlf.objects.length, lf.objects.length);
      lf.objects.forEach((o, i) => {
        const a = o.object.source!;
        const b = crlf.objects[i]!.object.source!;
        assert.deepEqual(plain(crlf.objects[i]!.object), plain(o.object));
        assert.deepEqual(b.range, a.range);
        for (const p of ['metadata.name', 'spec.podSelector', 'spec.ingress.0.from.0', 'items', 'metadata.labels']) {
          assert.deepEqual(b.at(p), a.at(p), `${rel} ${p}`);
        }
      });
    }
  });
});

describe('manifest loader: SourceRef.at', () => {
  const text =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    a.b: dotted\n    a:\n      b: nested\n    x: first\n    x: second\n' +
    '    list: [1, [2, 3], {k: v}]\n';
  const src = parseManifestText('at.yaml', text).objects[0]!.object.source!;

  it('resolves keys that contain dots, trying the nested reading too', () => {
    assert.equal(at(src, 'metadata.annotations.a.b').value, '5:9-5:15');
    assert.equal(at(src, 'metadata.annotations.a').value, '7:6-7:15');
  });

  it('points at the value that is used when a key is repeated (the last)', () => {
    assert.deepEqual(at(src, 'metadata.annotations.x'), { key: '9:4-9:5', value: '9:7-9:13' });
  });

  it('walks into flow collections by index, with no key for list items', () => {
    assert.deepEqual(at(src, 'metadata.annotations.list.1.0'), { key: '(none)', value: '10:15-10:16' });
    assert.deepEqual(at(src, 'metadata.annotations.list.2.k'), { key: '10:23-10:24', value: '10:26-10:27' });
    assert.equal(src.at('metadata.annotations.list.3'), undefined);
    assert.equal(src.at('metadata.annotations.list.01'), undefined);
    assert.equal(src.at('metadata.name.x'), undefined);
  });
});
