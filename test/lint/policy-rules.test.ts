import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseManifestText } from '../../src/core/manifest/load';
import { fixesForInputFinding } from '../../src/core/lint/policy-rules';
import type { LintFinding } from '../../src/core/lint/types';
import type { NetworkPolicy } from '../../src/core/model';
import { applyEdits, lintTexts } from './support';

const PODS = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Namespace
    metadata: {name: production, labels: {kubernetes.io/metadata.name: production, env: prod}}
  - apiVersion: v1
    kind: Namespace
    metadata: {name: monitoring, labels: {kubernetes.io/metadata.name: monitoring, team: observability}}
  - apiVersion: v1
    kind: Pod
    metadata: {name: postgres-0, namespace: production, labels: {app: postgres}}
    spec: {containers: [{name: pg, ports: [{name: postgresql, containerPort: 5432}]}]}
    status: {podIP: 10.244.1.45}
  - apiVersion: v1
    kind: Pod
    metadata: {name: web-api-1, namespace: production, labels: {app: web-api, pod-template-hash: abc}}
    spec: {containers: [{name: api, ports: [{name: http, containerPort: 8080}]}]}
    status: {podIP: 10.244.2.17}
  - apiVersion: v1
    kind: Pod
    metadata: {name: prometheus-0, namespace: monitoring, labels: {app: prometheus}}
    spec: {containers: [{name: p, ports: [{name: web, containerPort: 9090}]}]}
    status: {podIP: 10.244.3.30}
  - apiVersion: v1
    kind: Service
    metadata: {name: postgres, namespace: production}
    spec: {selector: {app: postgres}, ports: [{port: 15432, targetPort: postgresql}]}
`;

function only(findings: LintFinding[], code: string): LintFinding[] {
  return findings.filter((f) => f.code === code);
}

describe('lint rules', () => {
  it('cidr-host-bits: says what the range means and offers /32 and the masked network', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: backup
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: postgres
  ingress:
    - from:
        # the backup host
        - ipBlock:
            cidr: "10.20.30.40/24"   # typo?
`;
    const { findings } = lintTexts({ 'p.yaml': policy });
    const [f] = only(findings, 'cidr-host-bits');
    assert.ok(f);
    assert.equal(f.message, '10.20.30.40/24 has host bits set: the API server reads it as 10.20.30.0/24 (256 addresses). For the one host 10.20.30.40, write 10.20.30.40/32; for the whole network, write 10.20.30.0/24.');
    assert.deepEqual(f.range, { start: { line: 13, character: 18 }, end: { line: 13, character: 34 } });
    assert.deepEqual(f.fixes!.map((x) => x.title), ['Narrow to 10.20.30.40/32 (the one host)', 'Mask to 10.20.30.0/24 (the network it already means)']);
    assert.equal(applyEdits(policy, f.fixes![0]!.edits), policy.replace('"10.20.30.40/24"', '"10.20.30.40/32"'));
    assert.equal(applyEdits(policy, f.fixes![1]!.edits), policy.replace('"10.20.30.40/24"', '"10.20.30.0/24"'));
  });

  it('cidr-too-broad: the /24 typed for a /32, with the one known pod inside', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  egress:
    - to:
        - ipBlock:
            cidr: 10.244.1.0/24
  policyTypes: [Egress]
`;
    const { findings } = lintTexts({ 'pods.yaml': PODS, 'p.yaml': policy });
    const [f] = only(findings, 'cidr-too-broad');
    assert.ok(f, JSON.stringify(findings.map((x) => x.code)));
    assert.match(f.message, /^10\.244\.1\.0\/24 admits 256 addresses; only postgres-0 \(10\.244\.1\.45\) is inside \(workspace\): did you mean 10\.244\.1\.45\/32\?/);
    assert.equal(applyEdits(policy, f.fixes![0]!.edits), policy.replace('10.244.1.0/24', '10.244.1.45/32'));
  });

  it('cidr-too-broad: broader than the threshold, and 0.0.0.0/0 as an ingress source', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: wide, namespace: production}
spec:
  podSelector: {}
  ingress:
    - from:
        - ipBlock: {cidr: 0.0.0.0/0}
        - ipBlock: {cidr: 10.0.0.0/8}
`;
    const { findings } = lintTexts({ 'p.yaml': policy });
    assert.deepEqual(only(findings, 'cidr-too-broad').map((f) => f.message), [
      '0.0.0.0/0 admits every IPv4 address, the whole internet included, as a source. Name the networks that should connect instead.',
      '10.0.0.0/8 admits 16,777,216 addresses, broader than /24. Narrow it to the addresses that need access.',
    ]);
    assert.equal(only(lintTexts({ 'p.yaml': policy }, { broadPrefixV4: 8 }).findings, 'cidr-too-broad').length, 1, 'the threshold is configurable');
    assert.equal(only(lintTexts({ 'p.yaml': policy }, { severities: { 'cidr-too-broad': 'off' } }).findings, 'cidr-too-broad').length, 0, 'a rule can be turned off');
    assert.equal(only(lintTexts({ 'p.yaml': policy }, { severities: { 'cidr-too-broad': 'error' } }).findings, 'cidr-too-broad')[0]!.severity, 'error');
  });

  it('peer-and-or-confusion: explains OR vs AND and merges the peers keeping comments', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-monitoring
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: postgres
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              team: observability
        # only prometheus
        - podSelector:
            matchLabels:
              app: prometheus
`;
    const { findings } = lintTexts({ 'pods.yaml': PODS, 'p.yaml': policy });
    const [f] = only(findings, 'peer-and-or-confusion');
    assert.ok(f);
    assert.equal(f.message, 'These are two peers, ORed: every pod in namespaces team=observability, or pods app=prometheus in production. One peer with both selectors (no dash before podSelector) would mean only pods app=prometheus in namespaces team=observability.');
    assert.equal(f.range.start.line, 15);
    assert.equal(f.related![0]!.range.start.line, 11);
    const fixed = applyEdits(policy, f.fixes![0]!.edits);
    assert.equal(fixed, policy.replace('        - podSelector:', '          podSelector:'));
    const after = lintTexts({ 'pods.yaml': PODS, 'p.yaml': fixed });
    assert.equal(only(after.findings, 'peer-and-or-confusion').length, 0);
    const peers = parseManifestText('p.yaml', fixed).objects.map((o) => o.object).find((o) => o.kind === 'NetworkPolicy');
    assert.ok(peers && peers.kind === 'NetworkPolicy');
    assert.equal(peers.ingress[0]!.peers.length, 1, 'the fixed policy has one peer with both selectors');
  });

  it('egress-blocks-dns: flags egress isolation without DNS and adds the rule', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-api-egress
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: web-api
  policyTypes:
    - Egress
  egress:
    - to:
        - podSelector:
            matchLabels:
              app: postgres
      ports:
        - protocol: TCP
          port: 5432
`;
    const { findings } = lintTexts({ 'pods.yaml': PODS, 'p.yaml': policy });
    const [f] = only(findings, 'egress-blocks-dns');
    assert.ok(f);
    assert.match(f.message, /no egress rule allows DNS on port 53\/UDP and 53\/TCP/);
    assert.match(f.message, /Affected \(workspace\): web-api-1\./);
    const fixed = applyEdits(policy, f.fixes![0]!.edits);
    assert.equal(fixed, `${policy}    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
`);
    assert.equal(only(lintTexts({ 'pods.yaml': PODS, 'p.yaml': fixed }).findings, 'egress-blocks-dns').length, 0, 'the fix silences the rule');
  });

  it('egress-blocks-dns: a default deny of all egress gets an egress key added in kubectl (compact) style', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: production
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  - Egress
`;
    const { findings } = lintTexts({ 'p.yaml': policy });
    const [f] = only(findings, 'egress-blocks-dns');
    assert.ok(f);
    const fixed = applyEdits(policy, f.fixes![0]!.edits);
    assert.equal(fixed, `${policy}  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
`);
    assert.equal(only(lintTexts({ 'p.yaml': fixed }).findings, 'egress-blocks-dns').length, 0);
  });

  it('policytypes-missing-egress: egress rules ignored; the fix adds Egress to the list', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: production}
spec:
  podSelector: {}
  policyTypes: [Ingress]  # egress forgotten
  egress:
    - ports:
        - {protocol: UDP, port: 53}
`;
    const { findings } = lintTexts({ 'p.yaml': policy });
    const [f] = only(findings, 'policytypes-missing-egress');
    assert.ok(f);
    assert.match(f.message, /^These egress rules are ignored: policyTypes lists Ingress but not Egress\./);
    assert.equal(f.range.start.line, 6);
    assert.equal(applyEdits(policy, f.fixes![0]!.edits), policy.replace('[Ingress]', '[Ingress, Egress]'));
  });

  it('policytypes-missing-ingress: the mirror case, in a block list', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: production}
spec:
  podSelector: {}
  policyTypes:
    - Egress
  ingress:
    - {}
  egress:
    - {}
`;
    const [f] = only(lintTexts({ 'p.yaml': policy }).findings, 'policytypes-missing-ingress');
    assert.ok(f);
    assert.equal(applyEdits(policy, f.fixes![0]!.edits), policy.replace('    - Egress\n', '    - Egress\n    - Ingress\n'));
  });

  it('named-port-unresolved: names the protocol and what the pods declare', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
    - ports:
        - {port: postgresql, protocol: UDP}
        - {port: postgres}
        - {port: postgresql}
`;
    const messages = only(lintTexts({ 'pods.yaml': PODS, 'p.yaml': policy }).findings, 'named-port-unresolved').map((f) => f.message);
    assert.deepEqual(messages, [
      'No selected pod declares a container port named "postgresql" with protocol UDP, so this entry admits nothing (checked 1 pod from workspace): postgres-0 declares postgresql as TCP.',
      'No selected pod declares a container port named "postgres" with protocol TCP, so this entry admits nothing (checked 1 pod from workspace). They declare: postgresql.',
    ]);
  });

  it('selector-matches-nothing: says which data was used and what values exist', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgress}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {team: observabilty}}
        - podSelector: {matchLabels: {app: web}}
`;
    const messages = only(lintTexts({ 'pods.yaml': PODS, 'p.yaml': policy }).findings, 'selector-matches-nothing').map((f) => f.message);
    assert.deepEqual(messages, [
      'podSelector app=postgress selects none of the 2 pods in namespace production (workspace) (app has postgres, web-api); this policy has no effect.',
      'namespaceSelector team=observabilty matches none of the 2 known namespaces (workspace). Namespaces carry kubernetes.io/metadata.name=<name> for selecting one by name.',
      'podSelector app=web matches none of the 2 candidate pods in namespace production (workspace) (app has postgres, web-api).',
    ]);
    assert.equal(only(lintTexts({ 'p.yaml': policy }).findings, 'selector-matches-nothing').length, 0, 'silent when no pod data is known');
  });

  it("service-port-not-target-port: the Service's port where the pod's port is needed", () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
    - ports:
        - port: 15432
`;
    const [f] = only(lintTexts({ 'pods.yaml': PODS, 'p.yaml': policy }).findings, 'service-port-not-target-port');
    assert.ok(f);
    assert.equal(f.message, "15432 is the port of Service production/postgres, but NetworkPolicy sees the pod's port: 5432 (targetPort postgresql on postgres-0). Use 5432.");
    assert.equal(applyEdits(policy, f.fixes![0]!.edits), policy.replace('15432', '5432'));
  });

  it('the seed incident policies and the demo allow policy draw no warning', () => {
    const dir = path.join(__dirname, '../../demo/workspace');
    const seed = {
      'deny.yaml': readFileSync(path.join(dir, 'policies/default-deny-ingress.yaml'), 'utf8'),
      'pods.yaml': readFileSync(path.join(dir, 'cluster-state/pods.yaml'), 'utf8'),
      'allow.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-db-access
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: postgres
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: web-api
    ports:
    - protocol: TCP
      port: 5432
`,
    };
    const { findings, loaderFindings } = lintTexts(seed);
    assert.deepEqual(findings, []);
    assert.deepEqual(loaderFindings.filter((f) => f.severity !== 'info' && f.severity !== 'hint'), []);
  });

  it('the demo workspace shows each mistake it was built to show', () => {
    const dir = path.join(__dirname, '../../demo/workspace');
    const files: Record<string, string> = {};
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.yaml')) files[path.relative(dir, path.join(d, e.name))] = readFileSync(path.join(d, e.name), 'utf8');
      }
    };
    walk(dir);
    const codes = lintTexts(files).findings.map((f) => `${f.file}:${f.code}`).sort();
    assert.deepEqual(codes, [
      // the /24 typed for a /32 around postgres-0: one finding offering the /32
      'policies/allow-monitoring.yaml:cidr-host-bits',
      'policies/allow-monitoring.yaml:peer-and-or-confusion',
      // prometheus lives in monitoring: the pod selector alone looks in production
      'policies/allow-monitoring.yaml:selector-matches-nothing',
    ]);
  });
});

describe('fixes for input findings', () => {
  it('except-outside-cidr: removes the stray except entry, or the except key when it is the only one', () => {
    const two = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: production}
spec:
  podSelector: {}
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/16
            except:
              - 10.0.5.0/24
              - 10.1.0.0/24   # outside
`;
    const one = two.replace('              - 10.0.5.0/24\n', '');
    for (const [text, expected] of [
      [two, two.replace('              - 10.1.0.0/24   # outside\n', '')],
      [one, one.replace('            except:\n              - 10.1.0.0/24   # outside\n', '')],
    ] as const) {
      const parsed = parseManifestText('p.yaml', text);
      const f = parsed.findings.find((x) => x.code === 'except-outside-cidr');
      assert.ok(f, 'the loader reports it');
      const policies = parsed.objects.map((o) => o.object).filter((o): o is NetworkPolicy => o.kind === 'NetworkPolicy');
      const [fix] = fixesForInputFinding(f, policies, () => text);
      assert.ok(fix);
      assert.equal(fix.title, 'Remove except 10.1.0.0/24');
      const fixed = applyEdits(text, fix.edits);
      assert.equal(fixed, expected);
      assert.equal(parseManifestText('p.yaml', fixed).findings.filter((x) => x.severity === 'error').length, 0, 'the fixed policy is valid');
    }
  });
});
