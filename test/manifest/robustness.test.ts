/**
 * Bad input never escapes the loader: every case ends in findings, quickly, and whatever
 * else the file (and the other files) hold still loads.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadManifests, parseManifestText } from '../../src/core/manifest/load';
import type { ParsedFile } from '../../src/core/manifest/load';
import type { NetworkPolicy } from '../../src/core/model';
import { codes, fixture, fixtureText, rangeOfText } from './support';

const NAMESPACE_DOC = '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: still-loads\n';

function names(r: ParsedFile): string[] {
  return r.objects.map((o) => o.object.name);
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t = process.hrtime.bigint();
  const value = fn();
  return { value, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

describe('manifest robustness: bad input', () => {
  it('invalid YAML: a finding at the error, the broken document skipped, the others loaded', () => {
    const r = parseManifestText('bad.yaml', fixture('bad/invalid-yaml.yaml'));
    assert.deepEqual(names(r), ['before-the-error', 'after-the-error']);
    assert.deepEqual(codes(r.findings), ['yaml-syntax@11:0-11:1']);
    assert.equal(
      r.findings[0]!.message,
      'YAML syntax error: All mapping items must start at the same column: line the entries up with their siblings. The document was skipped.',
    );
    assert.equal(r.findings[0]!.severity, 'error');
  });

  it('other files load when one is broken', () => {
    const { snapshot, findings } = loadManifests([
      { file: 'a.yaml', content: 'kind: [\n' },
      { file: 'b.yaml', content: fixture('seed-incident/namespace.yaml') },
    ]);
    assert.deepEqual(snapshot.namespaces.map((n) => n.name), ['production']);
    assert.deepEqual(findings.map((f) => `${f.file}:${f.code}`), ['a.yaml:yaml-syntax']);
  });

  it('duplicate keys: the object loads with the last value, as the API server decodes it, and a warning', () => {
    const json = '{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p"},"spec":{"podSelector":{"matchLabels":{"app":"web","app":"api"}}}}';
    for (const [text, range] of [
      [fixtureText('bad/duplicate-keys.yaml'), '9:6-9:9'],
      // Block style only, so the fast reader handles it too.
      [fixtureText('bad/duplicate-keys.yaml').replace('policyTypes: [Ingress]', 'policyTypes:\n  - Ingress'), '9:6-9:9'],
      [json, rangeOfText(json, '"app"', 1)],
    ] as const) {
      const r = parseManifestText('dup.yaml', text);
      const policy = r.objects[0]!.object as NetworkPolicy;
      assert.deepEqual(policy.podSelector.matchLabels, { app: 'api' });
      assert.equal(policy.invalid, undefined);
      assert.deepEqual(codes(r.findings), [`duplicate-key@${range}`]);
      assert.equal(r.findings[0]!.severity, 'warning');
      assert.match(r.findings[0]!.message, /^Duplicate key "app": the API server keeps the last value/);
      // The source map agrees: the key resolves to the value that is used.
      assert.equal(policy.source!.at('spec.podSelector.matchLabels.app')!.value.start.line, text.startsWith('{') ? 0 : 9);
    }
  });

  it('a YAML alias bomb is stopped after maxAliasCount expansions, quickly, and the next document loads', () => {
    const { value: r, ms } = timed(() => parseManifestText('bomb.yaml', fixture('bad/alias-bomb.yaml')));
    assert.ok(ms < 2000, `took ${ms} ms`);
    assert.deepEqual(names(r), ['survives-the-bomb']);
    assert.deepEqual(codes(r.findings), ['yaml-alias-limit@7:9-7:11']);
    // A modest use of anchors stays fine, and the limit is configurable.
    const anchors = 'kind: Pod\nmetadata:\n  name: p\n  labels: &l {app: web}\n  annotations: *l\nspec:\n  x: *l\n  y: *l\n';
    assert.deepEqual(parseManifestText('a.yaml', anchors).findings, []);
    assert.deepEqual(codes(parseManifestText('a.yaml', anchors, { maxAliasCount: 2 }).findings), ['yaml-alias-limit@7:5-7:7']);
  });

  it('a file over maxFileBytes is skipped with a finding', () => {
    const content = fixture('seed-incident/pods.yaml');
    for (const c of [content, content.toString('utf8')]) {
      const r = parseManifestText('big.yaml', c, { maxFileBytes: 100 });
      assert.deepEqual(r.objects, []);
      assert.deepEqual(codes(r.findings), ['file-too-large@0:0-0:0']);
      assert.match(r.findings[0]!.message, /over the 1 KiB limit: it was skipped/);
    }
  });

  it('deep nesting never overflows the stack: the document is skipped with a finding, the next one loads', () => {
    const deep: Record<string, string> = {
      'closed flow lists': `${'['.repeat(2000)}${']'.repeat(2000)}\n`,
      'unclosed flow lists': `${'['.repeat(2000)}\n`,
      'flow maps': `${'{a: '.repeat(2000)}1${'}'.repeat(2000)}\n`,
      'block maps': `${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')}\n`,
      'compact lists': `${'- '.repeat(2000)}x\n`,
    };
    const TOO_DEEP = 'This document is nested more than 256 levels deep, which no Kubernetes object needs: it was skipped.';
    for (const [what, text] of Object.entries(deep)) {
      const r = parseManifestText('deep.yaml', text + NAMESPACE_DOC);
      assert.deepEqual(r.findings.map((f) => [f.code, f.message]), [['too-deep', TOO_DEEP]], what);
      assert.deepEqual(names(r), ['still-loads'], what);
    }
    // The limit is configurable, and documents under it load.
    // The limit is configurable, and documents under it load.
    const nested = 'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    a: {b: {c: {d: [[[1]]]}}}\n';
    assert.deepEqual(parseManifestText('n.yaml', nested).findings, []);
    assert.deepEqual(parseManifestText('n.yaml', nested, { maxDepth: 5 }).findings.map((f) => f.code), ['too-deep']);
  });

  it('deep JSON is stopped by the JSON reader itself at the limit: no fallback to the yaml package, one pass over the text', () => {
    const N = 100_000;
    const NS = '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "still-loads"}}';
    const cases: Array<[string, string, string, string[], string]> = [
      // what, text, where the finding starts (line:column), objects that still load, the reader
      ['100,000 nested arrays', `${'['.repeat(N)}${']'.repeat(N)}`, '0:256', [], 'json'],
      ['100,000 nested objects, then a namespace', `${'{"a": '.repeat(N)}1${'}'.repeat(N)}\n${NS}`, `0:${6 * 256}`, ['still-loads'], 'json'],
      ['deep strings with brackets inside, then a namespace', `${'["]\\"", '.repeat(N)}1${']'.repeat(N)}\n${NS}`, `0:${8 * 255 + 1}`, ['still-loads'], 'json'],
      // Never closed: not JSON, so the yaml package reads it (a `---` line would end the document there) and says the same.
      ['100,000 unclosed arrays', '['.repeat(N), '0:257', [], 'yaml'],
    ];
    for (const [what, text, at, loaded, reader] of cases) {
      const readers: string[] = [];
      const r = parseManifestText('deep.json', text, undefined, { onReader: (used) => readers.push(used) });
      assert.deepEqual(readers, [reader], `${what}: read by the ${reader} reader`);
      assert.deepEqual(r.findings.map((f) => `${f.code}@${f.range.start.line}:${f.range.start.character} ${f.message}`), [`too-deep@${at} This document is nested more than 256 levels deep, which no Kubernetes object needs: it was skipped.`], what);
      assert.deepEqual(names(r), loaded, what);
    }
    // Exactly at the limit still loads, one level more does not, on both paths.
    const nested = (levels: number): string => `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "annotations": {}}, "x": ${'['.repeat(levels)}${']'.repeat(levels)}}`;
    for (const [levels, ok] of [[255, true], [256, false]] as const) {
      for (const forceCareful of [false, true]) {
        const r = parseManifestText('n.json', nested(levels), undefined, { forceCareful });
        assert.deepEqual(r.findings.map((f) => f.code), ok ? [] : ['too-deep'], `${levels} levels, ${forceCareful ? 'yaml' : 'json'} reader`);
        assert.deepEqual(names(r), ok ? ['n'] : [], `${levels} levels, ${forceCareful ? 'yaml' : 'json'} reader`);
      }
    }
    // A small limit from the options applies to JSON too.
    assert.deepEqual(parseManifestText('s.json', '{"a": [[[[1]]]]}', { maxDepth: 3 }).findings.map((f) => f.code), ['too-deep']);
  });

  it('non-UTF-8 bytes: reported at the first bad byte (line/column), the rest still loads', () => {
    const r = parseManifestText('latin1.yaml', fixture('bad/latin1.yaml'));
    assert.deepEqual(codes(r.findings), ['invalid-utf8@5:20-5:21']);
    assert.equal(r.findings[0]!.severity, 'warning');
    assert.match(r.findings[0]!.message, /not valid UTF-8 \(byte 0xE9\)/);
    assert.deepEqual(names(r), ['cafe']);
  });

  it('binary files (NUL bytes) are skipped with one finding', () => {
    const r = parseManifestText('binary.yaml', fixture('bad/binary.yaml'));
    assert.deepEqual(r.objects, []);
    assert.deepEqual(codes(r.findings), ['binary-file@0:0-0:0']);
  });

  it('UTF-16 files (with a BOM) are decoded', () => {
    const text = fixtureText('seed-incident/namespace.yaml');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const r = parseManifestText('utf16.yaml', le);
    assert.deepEqual([names(r), r.findings], [['production'], []]);
  });

  it('tabs used for indentation get a clear finding', () => {
    const r = parseManifestText('tabs.yaml', fixture('bad/tabs.yaml'));
    assert.deepEqual(codes(r.findings), ['yaml-tab-indent@3:0-3:1']);
    assert.match(r.findings[0]!.message, /^YAML does not allow tabs for indentation: indent with spaces/);
    // Tabs inside values are fine.
    assert.deepEqual(parseManifestText('t.yaml', 'kind: Namespace\nmetadata:\n  name: ok\n  annotations:\n    a: "x\\ty"\n    b: x\ty\n').findings, []);
  });

  it('empty and comment-only files: no objects, no findings', () => {
    for (const f of ['bad/empty.yaml', 'bad/comments-only.yaml']) {
      assert.deepEqual(parseManifestText(f, fixture(f)), { objects: [], findings: [] });
    }
    assert.deepEqual(parseManifestText('e.yaml', ''), { objects: [], findings: [] });
    assert.deepEqual(parseManifestText('e.yaml', '---\n---\n'), { objects: [], findings: [] });
    assert.deepEqual(parseManifestText('e.json', new Uint8Array()), { objects: [], findings: [] });
  });
});

// Mutations a file can suffer: a flipped byte, a cut, a template or tab pasted in, lines lost or doubled.
type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete-line'; line: number }
  | { kind: 'duplicate-line'; line: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom('{{', '{{ .Values.x }}', '\t', '\n\t', ': ', '- ', '&a ', '*a', '<<: *a\n', '[', '{', '"', "'", '|\n', '---\n', '\r', '\u00e9', '\0', '#'),
  }),
  fc.record({ kind: fc.constant('delete-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat() }),
);

function mutate(bytes: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of mutations) {
    if (b.length === 0) break;
    switch (m.kind) {
      case 'flip': {
        b[m.at % b.length] = m.byte;
        break;
      }
      case 'truncate':
        b = b.subarray(0, m.at % b.length);
        break;
      case 'insert': {
        const at = m.at % (b.length + 1);
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text, 'utf8'), b.subarray(at)]);
        break;
      }
      default: {
        const lines = b.toString('latin1').split('\n');
        const i = m.line % lines.length;
        if (m.kind === 'delete-line') lines.splice(i, 1);
        else lines.splice(i, 0, lines[i]!);
        b = Buffer.from(lines.join('\n'), 'latin1');
      }
    }
  }
  return b;
}

const SOURCES = [
  'seed-incident/allow-db-access.yaml',
  'seed-incident/pods.yaml',
  'kubectl/pods-list.yaml',
  'kubectl/list.json',
  'gitops/deployment.yaml',
  'gitops/policies.yaml',
  'bad/invalid-policies.yaml',
  'helm/templates/networkpolicy.yaml',
];

describe('manifest robustness: random damage (property)', () => {
  it('mutated real manifests never throw, never hit an internal error, and load fast', function () {
    this.timeout(120000);
    let slowest = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SOURCES), fc.array(mutation, { minLength: 1, maxLength: 4 }), (source, mutations) => {
        const content = mutate(fixture(source), mutations);
        const { value: r, ms } = timed(() => parseManifestText(source, content));
        slowest = Math.max(slowest, ms);
        assert.ok(ms < 2000, `took ${ms} ms`);
        assert.deepEqual(r.findings.filter((f) => f.code === 'internal-error'), []);
        const lineCount = content.toString('utf8').split(/\r\n|\r|\n/).length;
        for (const f of r.findings) {
          assert.ok(f.range.start.line <= f.range.end.line && f.range.end.line < lineCount, `finding ${f.code} within the file`);
          assert.ok(f.message.length > 10);
        }
        for (const { object } of r.objects) {
          const src = object.source!;
          assert.deepEqual(src.at('')?.value, src.range);
          assert.ok(src.range.end.line < lineCount);
          if (object.kind === 'NetworkPolicy' && object.invalid) assert.ok(object.invalid.length > 0);
        }
      }),
      { numRuns: 400 },
    );
    assert.ok(slowest < 2000);
  });
});

describe('manifest performance', () => {
  /** A `kubectl get pods -A -o yaml` dump: realistic pods of about 3 KB each. */
  function podDump(n: number): string {
    const out = ['apiVersion: v1', 'items:'];
    for (let i = 0; i < n; i++) {
      const app = `app-${i % 300}`;
      out.push(
        `- apiVersion: v1\n  kind: Pod\n  metadata:\n    annotations:\n      prometheus.io/scrape: "true"\n    creationTimestamp: "2024-05-01T10:00:00Z"\n` +
          `    generateName: ${app}-7d9f8b6c5d-\n    labels:\n      app: ${app}\n      pod-template-hash: 7d9f8b6c5d\n    name: ${app}-7d9f8b6c5d-${i}\n` +
          `    namespace: ns-${i % 50}\n    ownerReferences:\n    - apiVersion: apps/v1\n      controller: true\n      kind: ReplicaSet\n      name: ${app}-7d9f8b6c5d\n` +
          `      uid: 0b1c1f0e-5c4c-4b1a-9c55-${String(i).padStart(12, '0')}\n    resourceVersion: "${100000 + i}"\n  spec:\n    containers:\n    - env:\n` +
          `      - name: POD_IP\n        valueFrom:\n          fieldRef:\n            apiVersion: v1\n            fieldPath: status.podIP\n` +
          `      image: registry.example.com/${app}:1.2.3\n      livenessProbe:\n        httpGet:\n          path: /healthz\n          port: http\n` +
          `      name: ${app}\n      ports:\n      - containerPort: 8080\n        name: http\n        protocol: TCP\n      resources:\n        requests:\n` +
          `          cpu: 100m\n          memory: 128Mi\n      volumeMounts:\n      - mountPath: /var/run/secrets/kubernetes.io/serviceaccount\n` +
          `        name: kube-api-access\n        readOnly: true\n    nodeName: node-${i % 20}\n    tolerations:\n    - effect: NoExecute\n` +
          `      key: node.kubernetes.io/not-ready\n      operator: Exists\n      tolerationSeconds: 300\n  status:\n    conditions:\n    - lastProbeTime: null\n` +
          `      status: "True"\n      type: Ready\n    phase: Running\n    podIP: 10.${244 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}\n    podIPs:\n` +
          `    - ip: 10.${244 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}\n    qosClass: Burstable`,
      );
    }
    out.push('kind: List', 'metadata:', '  resourceVersion: ""', '');
    return out.join('\n');
  }

  /** The same pods as `kubectl get pods -A -o json` prints them. */
  function podJson(n: number): string {
    const items = Array.from({ length: n }, (_, i) => {
      const app = `app-${i % 300}`;
      const ip = `10.${244 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          annotations: { 'prometheus.io/scrape': 'true' },
          labels: { app, 'pod-template-hash': '7d9f8b6c5d' },
          name: `${app}-7d9f8b6c5d-${i}`,
          namespace: `ns-${i % 50}`,
          ownerReferences: [{ apiVersion: 'apps/v1', controller: true, kind: 'ReplicaSet', name: `${app}-7d9f8b6c5d` }],
        },
        spec: {
          containers: [
            {
              env: [{ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }],
              image: `registry.example.com/${app}:1.2.3`,
              name: app,
              ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
            },
          ],
          nodeName: `node-${i % 20}`,
          tolerations: [{ effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 }],
        },
        status: { conditions: [{ lastProbeTime: null, status: 'True', type: 'Ready' }], phase: 'Running', podIP: ip, podIPs: [{ ip }] },
      };
    });
    return JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4);
  }

  // Bounds are generous for slow CI machines; on a laptop both take one to a few seconds.
  for (const [format, make] of [
    ['YAML', podDump],
    ['JSON', podJson],
  ] as const) {
    it(`loads a 10k-pod \`kubectl get pods -A -o ${format.toLowerCase()}\` dump in a few seconds`, function () {
      this.timeout(120000);
      const text = make(10000);
      const r = timed(() => loadManifests([{ file: `pods.${format.toLowerCase()}`, content: text }]));
      assert.ok(r.ms < 20000, `10k pods (${format}) took ${r.ms} ms`);
      assert.equal(r.value.snapshot.pods.length, 10000);
      assert.deepEqual(r.value.findings.filter((f) => f.severity !== 'info'), []);
      const pod = r.value.snapshot.pods[9999]!;
      assert.equal(pod.ips[0], '10.244.39.15');
      assert.equal(pod.source!.at('status.podIPs.0.ip')!.value.start.line, pod.source!.range.end.line - (format === 'JSON' ? 4 : 1));
    });
  }
});
