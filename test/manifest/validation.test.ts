/**
 * Validation as the API server does it, and normalisation into the model.
 */
import * as assert from 'node:assert/strict';
import { parseManifestText } from '../../src/core/manifest/load';
import type { NetworkPolicy, Pod, Service } from '../../src/core/model';
import { codes, fixture, fixtureText, rangeOfText } from './support';

function policy(spec: string, extra = ''): { policy: NetworkPolicy; findings: string[]; messages: string[] } {
  const text = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: netpol\n${extra}spec:\n${spec}`;
  const r = parseManifestText('p.yaml', text);
  assert.equal(r.objects.length, 1, 'one policy');
  return { policy: r.objects[0]!.object as NetworkPolicy, findings: codes(r.findings), messages: r.findings.map((f) => f.message) };
}

function one<T>(text: string): { object: T; findings: string[]; messages: string[] } {
  const r = parseManifestText('o.yaml', text);
  assert.equal(r.objects.length, 1, 'one object');
  return { object: r.objects[0]!.object as T, findings: codes(r.findings), messages: r.findings.map((f) => f.message) };
}

describe('manifest validation: policies the API server rejects', () => {
  const text = fixtureText('bad/invalid-policies.yaml');
  const r = parseManifestText('bad/invalid-policies.yaml', fixture('bad/invalid-policies.yaml'));
  const byName = new Map(r.objects.map((o) => [o.object.name, o.object as NetworkPolicy]));

  it('loads every policy but marks each invalid, with one message per problem', () => {
    assert.deepEqual(
      [...byName.values()].map((p) => [p.name, p.invalid?.length]),
      [
        ['bad-cidrs', 4],
        ['bad-ports', 8],
        ['bad-end-ports', 4],
        ['bad-protocols', 2],
        ['bad-selectors', 5],
        ['bad-peers', 2],
        ['bad-policy-types', 2],
        ['wrong-types', 5],
        ['unknown-field', 1],
        ['old-api-version', 1],
      ],
    );
  });

  it('reports each problem with its code at the exact range of the offending key or value', () => {
    assert.deepEqual(codes(r.findings), [
      `invalid-cidr@${rangeOfText(text, '10.0.0.0/33')}`,
      `invalid-cidr@${rangeOfText(text, 'not-a-cidr')}`,
      `except-outside-cidr@${rangeOfText(text, '10.1.0.0/24')}`,
      `except-outside-cidr@${rangeOfText(text, '10.0.0.0/16', 1)}`,
      'invalid-port@30:12-30:13',
      'invalid-port@31:12-31:17',
      'invalid-port@32:12-32:14',
      'invalid-port@33:12-33:16',
      `invalid-port@${rangeOfText(text, 'Http_Port')}`,
      `invalid-port@${rangeOfText(text, '"8080"')}`,
      `invalid-port@${rangeOfText(text, 'a-very-long-port-name')}`,
      `invalid-port@${rangeOfText(text, 'web--ui')}`,
      'invalid-end-port@50:15-50:19',
      'invalid-end-port@51:15-51:19',
      'invalid-end-port@53:15-53:19',
      'invalid-end-port@55:15-55:20',
      `invalid-protocol@${rangeOfText(text, 'tcp')}`,
      `invalid-protocol@${rangeOfText(text, 'ICMP')}`,
      `invalid-selector@${rangeOfText(text, 'Equals')}`,
      'invalid-selector@85:14-85:16',
      'invalid-selector@88:14-88:19',
      `invalid-selector@${rangeOfText(text, 'bad key')}`,
      `invalid-selector@${rangeOfText(text, '-bad-')}`,
      'invalid-peer@105:6-105:8',
      'invalid-peer@106:6-108:21',
      `invalid-policy-type@${rangeOfText(text, '[ingress, Egress, Ingress]')}`,
      `invalid-policy-type@${rangeOfText(text, 'ingress,')}`.replace(/(\d+)$/, (c) => String(Number(c) - 1)),
      'invalid-selector@127:11-127:12',
      'invalid-selector@128:15-128:18',
      `wrong-type@${rangeOfText(text, '[web]', 2)}`,
      'wrong-type@131:4-132:21',
      `wrong-type@${rangeOfText(text, 'everything')}`,
      'missing-pod-selector@141:0-141:4',
      `unknown-field@${rangeOfText(text, 'podselector')}`,
      `unsupported-api-version@${rangeOfText(text, 'extensions/v1beta1')}`,
    ]);
    assert.ok(r.findings.every((f) => f.file === 'bad/invalid-policies.yaml'));
    assert.ok(r.findings.filter((f) => f.code !== 'missing-pod-selector').every((f) => f.severity === 'error'));
    assert.ok(r.findings.every((f) => f.object?.startsWith('NetworkPolicy netpol-tests/')));
  });

  it('says what is wrong and what to do', () => {
    const messages = r.findings.map((f) => f.message);
    const expected = [
      'CIDR "10.0.0.0/33" is invalid: the prefix length must be 0 to 32 for IPv4.',
      'CIDR "not-a-cidr" is invalid: write an address range such as "10.0.0.0/16" (or "192.0.2.7/32" for one address).',
      'except "10.1.0.0/24" is not inside cidr "10.0.0.0/16": each except entry must be a strict subset of cidr, or the API server rejects the policy.',
      'except "10.0.0.0/16" covers all of cidr "10.0.0.0/16": an except entry must be a strict subset (a longer prefix than /16), or the API server rejects the policy.',
      'Port 0 is invalid: it must be between 1 and 65535.',
      'Port 70000 is invalid: it must be between 1 and 65535.',
      'Port -1 is invalid: it must be between 1 and 65535.',
      'Port 80.5 is invalid: it must be a whole number from 1 to 65535.',
      'Port name "Http_Port" is invalid: a port name may contain only lowercase letters, digits and "-".',
      'Port "8080" is a quoted number, which the API server reads as a port name, and port names need a letter: write 8080 without quotes.',
      'Port name "a-very-long-port-name" is invalid: it is 21 characters long: a port name has at most 15.',
      'Port name "web--ui" is invalid: a port name must not contain "--".',
      'endPort cannot be used with the named port "http": use a numeric port to make a range.',
      'endPort 9000 needs a port: add "port: <first port>" to make the range port..endPort.',
      'endPort 8000 is less than port 9000: the range port..endPort must go upwards.',
      'endPort 65537 is invalid: it must be between 1 and 65535.',
      'Protocol "tcp" is not supported: use TCP, UDP or SCTP: write "TCP" (protocols are case-sensitive).',
      'Protocol "ICMP" is not supported: use TCP, UDP or SCTP.',
      'Operator "Equals" is not supported: use In, NotIn, Exists or DoesNotExist; operators are case-sensitive.',
      'Operator In needs at least one value in "values".',
      'Operator Exists takes no values: remove "values" (or use In / NotIn).',
    ];
    assert.deepEqual(messages.slice(0, expected.length), expected);
    assert.match(messages[23]!, /^This peer is empty: .*remove "from"/);
    assert.match(messages[24]!, /^ipBlock cannot be combined with podSelector or namespaceSelector in one peer/);
    assert.equal(messages[27], 'Label "app" has the value 1, which YAML reads as a number: label values must be strings, so quote it: app: "1".');
    assert.equal(messages[28], 'Label "enabled" has the value yes, which YAML reads as a boolean: label values must be strings, so quote it: enabled: "yes".');
    assert.match(messages[33]!, /^Unknown field "podselector" in spec \(spec.podselector\): did you mean "podSelector"\?/);
  });

  it('keeps the valid parts of an invalid policy, never the invalid ones', () => {
    const ports = byName.get('bad-ports')!.ingress[0]!.ports;
    assert.deepEqual(ports, [{ protocol: 'TCP', port: 443, path: 'spec.ingress.0.ports.8' }]);
    const endPorts = byName.get('bad-end-ports')!.ingress[0]!.ports;
    assert.deepEqual(endPorts, [{ protocol: 'TCP', port: 30000, endPort: 32767, path: 'spec.ingress.0.ports.4' }]);
    const cidrs = byName.get('bad-cidrs')!.egress[0]!.peers;
    assert.deepEqual(cidrs, []);
    assert.deepEqual(byName.get('bad-policy-types')!.policyTypes, ['Egress', 'Ingress']);
  });
});

describe('manifest normalisation: as the API server defaults', () => {
  it('policyTypes: Ingress always, Egress only when egress rules exist', () => {
    assert.deepEqual(policy('  podSelector: {}\n').policy.policyTypes, ['Ingress']);
    assert.equal(policy('  podSelector: {}\n').policy.policyTypesExplicit, false);
    assert.deepEqual(policy('  podSelector: {}\n  egress:\n  - {}\n').policy.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(policy('  podSelector: {}\n  egress: []\n').policy.policyTypes, ['Ingress']);
    const empty = policy('  podSelector: {}\n  policyTypes: []\n  egress:\n  - {}\n').policy;
    assert.deepEqual([empty.policyTypes, empty.policyTypesExplicit], [['Ingress', 'Egress'], false]);
    const egressOnly = policy('  podSelector: {}\n  policyTypes: [Egress]\n  ingress:\n  - {}\n').policy;
    assert.deepEqual([egressOnly.policyTypes, egressOnly.policyTypesExplicit, egressOnly.ingress.length], [['Egress'], true, 1]);
  });

  it('rules: absent or empty from/to means everyone; absent or empty ports means every port', () => {
    const p = policy('  podSelector: {}\n  ingress:\n  - {}\n  - from: []\n    ports: []\n  - ports:\n    - {}\n    - port: 53\n      protocol: UDP\n    -\n').policy;
    assert.deepEqual(p.ingress, [
      { peers: [], ports: [], path: 'spec.ingress.0' },
      { peers: [], ports: [], path: 'spec.ingress.1' },
      {
        peers: [],
        ports: [
          { protocol: 'TCP', path: 'spec.ingress.2.ports.0' },
          { protocol: 'UDP', port: 53, path: 'spec.ingress.2.ports.1' },
          { protocol: 'TCP', path: 'spec.ingress.2.ports.2' },
        ],
        path: 'spec.ingress.2',
      },
    ]);
    assert.equal(p.invalid, undefined);
  });

  it('masks CIDR host bits and keeps the text; reads IPv6', () => {
    const p = policy('  podSelector: {}\n  egress:\n  - to:\n    - ipBlock:\n        cidr: 10.0.0.1/24\n    - ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:1::/48"]}\n').policy;
    const [a, b] = p.egress[0]!.peers;
    assert.ok(a?.type === 'ipBlock' && b?.type === 'ipBlock');
    assert.deepEqual([a.cidr.network, a.cidr.prefix, a.cidr.text, a.cidr.hostBitsSet], [0x0a000000n, 24, '10.0.0.1/24', true]);
    assert.deepEqual([b.cidr.family, b.cidr.prefix, b.except.map((e) => e.text)], [6, 32, ['2001:db8:1::/48']]);
  });

  it('defaults the namespace, and LoadOptions can change the default', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n';
    assert.equal((parseManifestText('a', text).objects[0]!.object as Pod).namespace, 'default');
    assert.equal((parseManifestText('a', text, { defaultNamespace: 'team-a' }).objects[0]!.object as Pod).namespace, 'team-a');
  });

  it('warns about a missing podSelector (it selects every pod) and about null rules (they allow everything)', () => {
    assert.deepEqual(policy('  policyTypes: [Ingress]\n').findings, ['missing-pod-selector@5:0-5:4']);
    const nullRule = policy('  podSelector: {}\n  ingress:\n  -\n');
    assert.deepEqual(nullRule.findings, ['empty-rule@8:3-8:3']);
    assert.deepEqual(nullRule.policy.ingress, [{ peers: [], ports: [], path: 'spec.ingress.0' }]);
    assert.equal(nullRule.policy.invalid, undefined);
  });

  it('treats null like absent, as the API server decodes it', () => {
    const p = policy('  podSelector:\n  ingress:\n  - from:\n    - podSelector:\n      namespaceSelector: {}\n    ports:\n');
    // An empty spec.podSelector selects every pod: worth a warning, as when it is missing.
    assert.deepEqual(p.findings, ['missing-pod-selector@6:2-6:13']);
    assert.deepEqual(p.policy.ingress, [
      { peers: [{ type: 'selector', namespaceSelector: { matchLabels: {}, matchExpressions: [] }, path: 'spec.ingress.0.from.0' }], ports: [], path: 'spec.ingress.0' },
    ]);
  });

  it('stores a null label value as "" with a warning', () => {
    const p = policy('  podSelector:\n    matchLabels:\n      app:\n');
    assert.deepEqual(p.policy.podSelector.matchLabels, { app: '' });
    assert.deepEqual(p.findings, ['empty-label-value@8:6-8:9']);
  });

  it('reads YAML 1.1 like kubectl: yes/no/on/off are booleans, 1:20 is a string', () => {
    const p = policy('  podSelector:\n    matchLabels:\n      legacy: no\n      port: 1:20\n      version: 1.10\n');
    assert.deepEqual(p.policy.podSelector.matchLabels, {});
    assert.deepEqual(p.findings, ['invalid-selector@8:14-8:16', 'invalid-selector@9:12-9:16', 'invalid-selector@10:15-10:19']);
    assert.match(p.messages[0]!, /value no, which YAML reads as a boolean: .* quote it: legacy: "no"/);
    assert.match(p.messages[1]!, /^Label value "1:20" of "port" is invalid/);
    assert.match(p.messages[2]!, /value 1.10, which YAML reads as a number: .* quote it: version: "1.10"/);
  });

  it('flags unknown fields (typos) with a suggestion, and marks the policy invalid', () => {
    const p = policy('  podSelector:\n    matchLabel:\n      app: web\n  ingress:\n  - from:\n    - namespaceSelectors: {}\n', '  namepsace: x\n');
    assert.deepEqual(p.findings, ['unknown-field@5:2-5:11', 'unknown-field@8:4-8:14', 'unknown-field@12:6-12:24', 'invalid-peer@12:6-12:28']);
    assert.match(p.messages[0]!, /"namepsace" in metadata .*did you mean "namespace"/);
    assert.match(p.messages[1]!, /did you mean "matchLabels"/);
    assert.equal(p.policy.invalid?.length, 4, 'three unknown fields and the peer left empty');
  });
});

describe('manifest validation: pods, workloads, services, nodes, namespaces', () => {
  it('reports label values that are not strings on pods and drops them', () => {
    const r = one<Pod>('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    app: web\n    replicas: 3\n    canary: true\n');
    assert.deepEqual(r.object.labels, { app: 'web' });
    assert.deepEqual(r.findings, ['wrong-type@6:14-6:15', 'wrong-type@7:12-7:16']);
    assert.match(r.messages[0]!, /quote it: replicas: "3"/);
  });

  it('validates container ports, protocols, names, hostNetwork and IPs', () => {
    const r = one<Pod>(
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: "true"\n  containers:\n  - name: c\n    ports:\n' +
        '    - containerPort: 0\n    - containerPort: 80\n      protocol: tcp\n    - containerPort: 81\n      name: Web_UI\n    - containerPort: 82\n' +
        '  initContainers:\n  - name: sidecar\n    restartPolicy: Always\n    ports:\n    - containerPort: 15001\n  - name: init\n    ports:\n    - containerPort: 9\n' +
        'status:\n  podIP: 10.0.0.300\n',
    );
    assert.deepEqual(r.findings, [
      'wrong-type@5:15-5:21',
      'invalid-port@9:21-9:22',
      'invalid-protocol@11:16-11:19',
      'invalid-port@13:12-13:18',
      'invalid-ip@24:9-24:19',
    ]);
    assert.match(r.messages[0]!, /spec.hostNetwork must be true or false, not the string "true" \(remove the quotes\)/);
    assert.deepEqual(r.object.ports, [
      { containerPort: 81, protocol: 'TCP', container: 'c' },
      { containerPort: 82, protocol: 'TCP', container: 'c' },
      { containerPort: 15001, protocol: 'TCP', container: 'sidecar' },
    ]);
    assert.deepEqual([r.object.hostNetwork, r.object.ips], [false, []]);
  });

  it('skips objects without a name, saying why', () => {
    const r = parseManifestText('g.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: web-\n');
    assert.deepEqual(r.objects, []);
    assert.deepEqual(codes(r.findings), ['missing-field@2:0-2:8']);
    assert.match(r.findings[0]!.message, /no metadata.name \(only generateName/);
  });

  it('reads Services: targetPort defaults to port, headless has no cluster IP, quoted numbers are rejected', () => {
    const r = one<Service>(
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  clusterIP: None\n  selector: {}\n  ports:\n  - port: 53\n    protocol: UDP\n  - port: 80\n    targetPort: "8080"\n',
    );
    assert.deepEqual(r.findings, ['invalid-port@11:16-11:22']);
    assert.deepEqual(r.object.ports, [{ port: 53, targetPort: 53, protocol: 'UDP' }]);
    assert.deepEqual([r.object.clusterIPs, r.object.selector], [[], undefined]);
  });

  it('reads Nodes: internal and external addresses, pod CIDRs', () => {
    const r = one<{ addresses: string[]; podCIDRs: string[]; labels: object }>(
      'apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\n  labels: {zone: a}\nspec:\n  podCIDRs: [10.244.1.0/24, "fd00:10:244:1::/64"]\n' +
        'status:\n  addresses:\n  - {type: InternalIP, address: 192.168.10.11}\n  - {type: Hostname, address: worker-1}\n  - {type: ExternalIP, address: 203.0.113.7}\n',
    );
    assert.deepEqual(r.findings, []);
    assert.deepEqual([r.object.addresses, r.object.podCIDRs, r.object.labels], [
      ['192.168.10.11', '203.0.113.7'],
      ['10.244.1.0/24', 'fd00:10:244:1::/64'],
      { zone: 'a' },
    ]);
  });

  it('sets kubernetes.io/metadata.name on namespaces, warning when another value was written', () => {
    const r = one<{ labels: object }>('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n    kubernetes.io/metadata.name: production\n');
    assert.deepEqual(r.object.labels, { 'kubernetes.io/metadata.name': 'prod' });
    assert.deepEqual(r.findings, ['namespace-name-label@5:33-5:43']);
  });

  it('warns about a workload without a pod template and skips it', () => {
    const r = parseManifestText('d.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n');
    assert.deepEqual(r.objects, []);
    assert.deepEqual(codes(r.findings), ['missing-field@1:6-1:16']);
  });

  it('warns about policies of other APIs (Calico, Cilium, AdminNetworkPolicy), which netlens does not analyse', () => {
    const r = parseManifestText(
      'o.yaml',
      'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: a}\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: b}\n' +
        '---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: c}\n',
    );
    assert.deepEqual(r.objects, []);
    assert.deepEqual(codes(r.findings), ['other-policy-kind@1:6-1:19', 'other-policy-kind@5:6-5:25', 'other-policy-kind@9:6-9:24']);
    assert.ok(r.findings.every((f) => f.severity === 'warning'));
    assert.match(r.findings[1]!.message, /^This CiliumNetworkPolicy \(cilium.io\/v2\) is not a Kubernetes NetworkPolicy: netlens does not analyse it/);
  });

  it('hints once per file at objects netlens does not use, and at documents that are not objects', () => {
    const r = parseManifestText('x.yaml', 'kind: ConfigMap\n---\nkind: ConfigMap\n---\n- a\n- b\n---\nhello\n---\nkind: Secret\n');
    assert.deepEqual(codes(r.findings), ['not-used@0:6-0:15']);
    assert.equal(r.findings[0]!.severity, 'hint');
    assert.equal(
      r.findings[0]!.message,
      'netlens does not use 5 objects in this file: ConfigMap (2), plain lists, plain values, Secret. Only Namespaces, Pods, workloads, Services, Nodes and NetworkPolicies matter for network analysis.',
    );
  });
});
