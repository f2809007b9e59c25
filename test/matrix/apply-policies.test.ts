import assert from 'node:assert/strict';
import { applyPolicies } from '../../src/core/matrix/apply-policies';
import { diffSnapshots } from '../../src/core/matrix/diff';
import { loadManifests } from '../../src/core/manifest/load';
import type { ClusterSnapshot, NetworkPolicy } from '../../src/core/model';

const load = (files: Record<string, string>): ClusterSnapshot =>
  loadManifests(Object.entries(files).map(([file, content]) => ({ file, content }))).snapshot;

const pod = (namespace: string, name: string, app: string, ip: string, port: number): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${app}}}
spec: {containers: [{name: main, image: x, ports: [{containerPort: ${port}}]}]}
status: {phase: Running, podIP: ${ip}}
`;

/** A live cluster: production denies ingress except web-api → postgres:5432; nothing isolates egress. */
const LIVE = load({
  'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: production}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n',
  'pods.yaml': [
    pod('production', 'postgres-0', 'postgres', '10.0.0.1', 5432),
    pod('production', 'web-api-1', 'web-api', '10.0.0.2', 8080),
    pod('monitoring', 'prometheus-0', 'prometheus', '10.0.1.1', 9090),
  ].join('---\n'),
  'live-policies.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: production}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-db-access, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web-api}}}], ports: [{port: 5432}]}]
`,
});

/** The policies of an edited file, as the editor's index holds them. */
const edited = (text: string): readonly NetworkPolicy[] => load({ 'edited.yaml': text }).policies;

const WEB_API_EGRESS_DNS_ONLY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-api-egress, namespace: production}
spec:
  podSelector: {matchLabels: {app: web-api}}
  policyTypes: [Egress]
  egress: [{ports: [{port: 53, protocol: UDP}]}]
`;

const names = (s: ClusterSnapshot): string[] => s.policies.map((p) => `${p.namespace}/${p.name}`);

describe('applyPolicies', () => {
  it('adds a policy the cluster does not have, after the live ones, leaving everything else alone', () => {
    const after = applyPolicies(LIVE, edited(WEB_API_EGRESS_DNS_ONLY));
    assert.deepEqual(names(after), ['production/default-deny-ingress', 'production/allow-db-access', 'production/web-api-egress']);
    assert.equal(after.pods, LIVE.pods);
    assert.equal(after.namespaces, LIVE.namespaces);
    assert.equal(after.services, LIVE.services);
    assert.deepEqual(names(LIVE), ['production/default-deny-ingress', 'production/allow-db-access'], 'the base is not modified');
  });

  it('replaces the live policy of the same namespace and name in place', () => {
    const [replacement] = edited(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-db-access, namespace: production}
spec: {podSelector: {matchLabels: {app: postgres}}, policyTypes: [Ingress]}
`);
    const after = applyPolicies(LIVE, [replacement!]);
    assert.deepEqual(names(after), ['production/default-deny-ingress', 'production/allow-db-access']);
    assert.equal(after.policies[1], replacement);
    assert.equal(after.policies[0], LIVE.policies[0]);
  });

  it('matches by namespace too: the same name in another namespace is another policy', () => {
    const after = applyPolicies(LIVE, edited('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-db-access, namespace: monitoring}\nspec: {podSelector: {}}\n'));
    assert.deepEqual(names(after), ['production/default-deny-ingress', 'production/allow-db-access', 'monitoring/allow-db-access']);
  });

  it('takes the later of two definitions of one policy, at the later place', () => {
    const a = edited('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: production}\nspec: {podSelector: {}}\n')[0]!;
    const b = edited('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: production}\nspec: {podSelector: {}}\n')[0]!;
    const a2 = { ...a, policyTypes: ['Egress' as const] };
    const after = applyPolicies(LIVE, [a, b, a2]);
    assert.deepEqual(names(after).slice(2), ['production/b', 'production/a']);
    assert.equal(after.policies[3], a2);
  });

  it('returns the base itself when there is nothing to apply', () => {
    assert.equal(applyPolicies(LIVE, []), LIVE);
  });

  it('with diffSnapshots: an egress policy applied to the live cluster closes web-api → postgres and → prometheus', () => {
    const d = diffSnapshots(LIVE, applyPolicies(LIVE, edited(WEB_API_EGRESS_DNS_ONLY)));
    assert.deepEqual(d.opened, []);
    assert.deepEqual(d.closed, [
      { from: 'production/web-api-1', to: 'monitoring/prometheus-0', port: 9090, protocol: 'TCP' },
      { from: 'production/web-api-1', to: 'production/postgres-0', port: 5432, protocol: 'TCP' },
    ]);
    assert.equal(
      d.summary,
      'This change opens no paths and closes 2 paths (production/web-api-1 → monitoring/prometheus-0:9090/TCP, production/web-api-1 → production/postgres-0:5432/TCP).',
    );
  });

  it('with diffSnapshots: replacing allow-db-access to admit prometheus opens prometheus → postgres:5432 only', () => {
    const d = diffSnapshots(
      LIVE,
      applyPolicies(
        LIVE,
        edited(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-db-access, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: web-api}}}, {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
      ports: [{port: 5432}]
`),
      ),
    );
    assert.deepEqual(d.opened, [{ from: 'monitoring/prometheus-0', to: 'production/postgres-0', port: 5432, protocol: 'TCP' }]);
    assert.deepEqual(d.closed, []);
  });
});
