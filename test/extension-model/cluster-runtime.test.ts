// The cluster view's bridge to src/cluster (src/extension/cluster-view/cluster-runtime.ts, which
// imports no vscode) against the fake API server: discovery, connecting, the status the tree
// shows, and a policy's YAML as kubectl prints it. Also the "policies affecting a pod" list.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { policiesAffecting } from '../../src/core/tree/affecting';
import { discover, kubectlYaml, type LiveCluster } from '../../src/extension/cluster-view/cluster-runtime';
import { startFakeKube, type FakeKube } from '../support/fake-kube/server';
import { runningPod, seed } from '../support/fake-kube/seed';

describe('cluster view runtime', () => {
  let fake: FakeKube;
  let live: LiveCluster | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-runtime-'));

  before(async () => {
    fake = await startFakeKube({ rbac: { rules: [{ verbs: ['list', 'watch'], resources: ['pods'], namespaces: ['', 'secret'], allow: false }] } });
    seed(fake.store, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'secret' } },
      runningPod({ namespace: 'production', name: 'postgres-0', labels: { app: 'postgres' }, ip: '10.244.1.45' }),
      runningPod({ namespace: 'production', name: 'web-0', labels: { app: 'web' }, ip: '10.244.1.46' }),
      runningPod({ namespace: 'secret', name: 'vault-0', labels: { app: 'vault' }, ip: '10.244.2.2' }),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-db', namespace: 'production', managedFields: [{ manager: 'kubectl', operation: 'Apply' }] },
        spec: { podSelector: { matchLabels: { app: 'postgres' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }] },
      },
    ]);
  });

  after(async () => {
    await live?.dispose();
    await fake.waitForIdle(3000);
    await fake.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('says what it searched when there is no kubeconfig', () => {
    const found = discover({ path: path.join(tmp, 'missing') });
    assert.equal(found.state, 'none');
    assert.ok(found.state === 'none' && found.searched.includes(path.join(tmp, 'missing')));
    assert.match(found.state === 'none' ? found.message : '', /given by the netlens\.kubeconfig setting does not exist/);
  });

  it('connects, reports what RBAC hides, and prints a policy as kubectl does', async () => {
    const file = path.join(tmp, 'kubeconfig');
    fs.writeFileSync(file, fake.kubeconfig({ context: 'kind-shop', namespace: '' }).replace(/\n\s*namespace: ""\n/, '\n'));
    const found = discover({ path: file });
    assert.equal(found.state, 'found');
    if (found.state !== 'found') return;
    assert.deepEqual(found.kubeconfig.contexts().map((c) => c.name), ['kind-shop']);
    live = await found.kubeconfig.connect('kind-shop', { namespaces: [] });
    const status = live.status();
    assert.equal(status.phase, 'connected');
    assert.deepEqual(status.hidden.map((h) => [h.resource, h.namespace]), [['pods', '*']]);
    assert.deepEqual(live.watcher.snapshot().pods.map((p) => p.name).sort(), ['postgres-0', 'web-0']);
    const yaml = await live.policyYaml('production', 'allow-db');
    assert.match(yaml, /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n {2}creationTimestamp: /);
    assert.match(yaml, /\nspec:\n {2}ingress:\n {2}- from:\n {4}- podSelector:\n {8}matchLabels:\n {10}app: web\n {4}ports:\n {4}- port: 5432\n {6}protocol: TCP\n/);
    assert.doesNotMatch(yaml, /managedFields/);
    await assert.rejects(live.policyYaml('production', 'nope'), /was not found/);
  });

  it('sorts keys and drops managedFields like kubectl', () => {
    assert.equal(kubectlYaml({ kind: 'X', apiVersion: 'v1', metadata: { name: 'a', managedFields: [{}], labels: { b: '1', a: '2' } }, spec: { list: [{ z: 1, a: 2 }] } }),
      'apiVersion: v1\nkind: X\nmetadata:\n  labels:\n    a: "2"\n    b: "1"\n  name: a\nspec:\n  list:\n  - a: 2\n    z: 1\n');
  });

  it('lists the policies that isolate a pod and those that admit it as a peer', () => {
    const snapshot = live!.watcher.snapshot();
    const pod = (name: string) => snapshot.pods.find((p) => p.name === name)!;
    assert.deepEqual(policiesAffecting(snapshot, pod('postgres-0')).map((e) => `${e.kind} ${e.policy.name}: ${e.text}`), ['isolates allow-db: isolates ingress (1 rule)']);
    assert.deepEqual(policiesAffecting(snapshot, pod('web-0')).map((e) => `${e.kind} ${e.policy.name}: ${e.text}`), ['peer allow-db: admits it as a source · ingress rule 1 · 5432/TCP']);
  });
});
