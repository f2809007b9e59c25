import assert from 'node:assert/strict';
import { explain, resolveQueryPort, type Endpoint } from '../../src/core/engine/explain';
import { ReachIndex } from '../../src/core/engine/reach-index';
import { loadManifests } from '../../src/core/manifest/load';
import type { ClusterSnapshot } from '../../src/core/model';

const BASE = `apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Namespace, metadata: {name: production, labels: {kubernetes.io/metadata.name: production, env: prod}}}
  - {apiVersion: v1, kind: Namespace, metadata: {name: frontend, labels: {kubernetes.io/metadata.name: frontend}}}
  - apiVersion: v1
    kind: Pod
    metadata: {name: postgres-0, namespace: production, labels: {app: postgres}}
    spec: {containers: [{name: pg, ports: [{name: postgresql, containerPort: 5432}]}]}
    status: {podIP: 10.244.1.45}
  - apiVersion: v1
    kind: Pod
    metadata: {name: web-api, namespace: production, labels: {app: web-api, tier: api}}
    spec: {containers: [{name: api, ports: [{name: http, containerPort: 8080}]}]}
    status: {podIP: 10.244.2.17}
  - apiVersion: v1
    kind: Pod
    metadata: {name: web-ui, namespace: frontend, labels: {app: web-api}}
    spec: {containers: [{name: ui}]}
    status: {podIP: 10.244.3.3}
  - apiVersion: v1
    kind: Pod
    metadata: {name: node-agent, namespace: production, labels: {app: web-api}}
    spec: {hostNetwork: true, containers: [{name: a}]}
    status: {podIP: 192.168.0.10}
`;

function load(policies: string): ClusterSnapshot {
  const { snapshot, findings } = loadManifests([{ file: 'base.yaml', content: BASE }, { file: 'p.yaml', content: policies }]);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  return snapshot;
}

function pod(s: ClusterSnapshot, key: string): Endpoint {
  const p = s.pods.find((x) => `${x.namespace}/${x.name}` === key);
  assert.ok(p, key);
  return { kind: 'pod', pod: p };
}

const TO_PG = (extra: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-db, namespace: production}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
${extra}`;

describe('explanations', () => {
  it('peer matched, but the port is not admitted', () => {
    const s = load(TO_PG(`    - from: [{podSelector: {matchLabels: {app: web-api}}}]
      ports: [{port: 8080}]
`));
    const v = explain(s, pod(s, 'production/web-api'), pod(s, 'production/postgres-0'), { port: 5432, protocol: 'TCP' });
    assert.equal(v.allowed, false);
    assert.equal(v.ingress.misses[0]!.message, 'ingress rule 1: peer matched (pods app=web-api in namespace production), but port 5432/TCP is not in [8080/TCP]');
    assert.equal(v.ingress.misses[0]!.policy.source!.at(v.ingress.misses[0]!.path)!.value.start.line, 6, 'the miss points at the rule (0-based line 6)');
  });

  it('namespace matched, pod labels did not: says which labels are needed', () => {
    const s = load(TO_PG(`    - from: [{podSelector: {matchLabels: {app: web-api, tier: backend}}}]
      ports: [{port: 5432}]
`));
    const v = explain(s, pod(s, 'production/web-api'), pod(s, 'production/postgres-0'), { port: 5432, protocol: 'TCP' });
    assert.equal(v.ingress.misses[0]!.message, 'ingress rule 1: port matched, but the peer did not: namespace matched, pod labels did not: needs tier=backend');
  });

  it('a podSelector-only peer means the policy namespace', () => {
    const s = load(TO_PG(`    - from: [{podSelector: {matchLabels: {app: web-api}}}]
`));
    const v = explain(s, pod(s, 'frontend/web-ui'), pod(s, 'production/postgres-0'), { port: 5432, protocol: 'TCP' });
    assert.equal(v.allowed, false);
    assert.equal(v.ingress.misses[0]!.message, "ingress rule 1: port matched, but the peer did not: the peer has no namespaceSelector, so it means pods in the policy's own namespace production, and frontend/web-ui is in frontend (its pod labels match)");
  });

  it('names every allowing rule with its peer and port', () => {
    const s = load(TO_PG(`    - from: [{namespaceSelector: {matchLabels: {env: prod}}, podSelector: {matchLabels: {tier: api}}}]
      ports: [{port: postgresql}]
`));
    const v = explain(s, pod(s, 'production/web-api'), pod(s, 'production/postgres-0'), { port: 5432, protocol: 'TCP' });
    assert.equal(v.allowed, true);
    assert.equal(v.ingress.allowedBy[0]!.text, 'production/allow-db ingress rule 1 admits pods tier=api in namespaces env=prod on postgresql/TCP (= 5432 on postgres-0)');
    assert.equal(v.summary, 'allowed: production/web-api → production/postgres-0 on 5432/TCP (egress not isolated; ingress allowed by production/allow-db)');
  });

  it("a pod's traffic to itself is always allowed, even under a default deny", () => {
    const s = load(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: production}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`);
    const pg = pod(s, 'production/postgres-0');
    const v = explain(s, pg, pg, { port: 5432, protocol: 'TCP' });
    assert.equal(v.allowed, true);
    assert.equal(v.self, true);
    assert.match(v.summary, /a pod can always reach itself/);
    const index = new ReachIndex(s);
    const i = index.indexOf('production/postgres-0')!;
    assert.equal(index.allowed(i, i, 5432, 'TCP'), true);
    assert.equal(index.matrix(5432, 'TCP').matrix.get(i, i), true);
    assert.equal(explain(s, pod(s, 'production/web-api'), pg, { port: 5432, protocol: 'TCP' }).allowed, false, 'while others are denied');
  });

  it('hostNetwork pods are not isolated, and selectors do not match them', () => {
    const s = load(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: production}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
${TO_PG(`    - from: [{podSelector: {matchLabels: {app: web-api}}}]
`)}`);
    const agent = pod(s, 'production/node-agent');
    const toAgent = explain(s, pod(s, 'production/web-api'), agent, { port: 9100, protocol: 'TCP' });
    assert.equal(toAgent.allowed, true);
    assert.match(toAgent.ingress.note!, /uses the host network; NetworkPolicy does not isolate it/);
    const fromAgent = explain(s, agent, pod(s, 'production/postgres-0'), { port: 5432, protocol: 'TCP' });
    assert.equal(fromAgent.allowed, false, 'its app=web-api label does not make it a web-api peer');
    assert.match(fromAgent.ingress.misses.map((m) => m.message).join('\n'), /uses the host network; selectors do not match it/);
  });

  it('a UDP-only policy still isolates for TCP', () => {
    const s = load(TO_PG(`    - ports: [{protocol: UDP, port: 5432}]
`));
    assert.equal(explain(s, pod(s, 'production/web-api'), pod(s, 'production/postgres-0'), { port: 5432, protocol: 'TCP' }).allowed, false);
    assert.equal(explain(s, pod(s, 'production/web-api'), pod(s, 'production/postgres-0'), { port: 5432, protocol: 'UDP' }).allowed, true);
  });

  it('resolves a named query port on the destination, with the protocol', () => {
    const s = load('');
    const pg = pod(s, 'production/postgres-0');
    assert.deepEqual(resolveQueryPort(pg, 'postgresql'), { port: 5432, protocol: 'TCP', portName: 'postgresql' });
    assert.deepEqual(resolveQueryPort(pg, 'postgresql', 'UDP'), { error: 'production/postgres-0 declares no container port named "postgresql" with protocol UDP; it declares postgresql (5432/TCP)' });
    assert.deepEqual(resolveQueryPort({ kind: 'external', ip: { family: 4, value: 1n } }, 'http'), { error: 'the named port "http" can only be resolved on a pod; give a number for 0.0.0.1' });
    assert.deepEqual(resolveQueryPort(pg, 0), { error: 'port 0 is out of range: use 1 to 65535' });
  });
});
