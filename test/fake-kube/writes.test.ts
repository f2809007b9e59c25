import * as k8s from '@kubernetes/client-node';
import { strict as assert } from 'node:assert';
import { eventually, expectApiError, rawRequest, recordWatch, startHarness, stopHarness, type Harness } from './helpers';

const SSA = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);

function policy(name: string, spec: Partial<k8s.V1NetworkPolicySpec> = {}): k8s.V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, ...spec },
  };
}

describe('fake-kube: create, delete, dry run and server-side apply (client-node 1.4.0)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await stopHarness(h?.fake);
  });

  it('creates a probe pod that the kubelet schedules and runs, then deletes it', async () => {
    const w = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', { resourceVersion: h.fake.store.resourceVersion, labelSelector: 'app=netlens-probe' });
    const created = await h.core.createNamespacedPodWithHttpInfo({
      namespace: 'shop',
      body: {
        metadata: { generateName: 'netlens-probe-', labels: { app: 'netlens-probe' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'probe', image: 'nicolaka/netshoot', command: ['sleep', '600'] }] },
      },
    });
    assert.equal(created.httpStatusCode, 201);
    const name = created.data.metadata?.name as string;
    assert.match(name, /^netlens-probe-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(created.data.status?.phase, 'Pending');
    assert.ok(created.data.metadata?.uid);
    const running = await w.waitFor((e) => e.object.status?.phase === 'Running', 'Running');
    assert.match(running.object.status.podIP, /^10\.244\.\d+\.\d+$/);
    assert.equal(running.object.spec.nodeName, 'fake-node-1');
    assert.equal(running.object.status.containerStatuses[0].state.running !== undefined, true);
    const deleted = await h.core.deleteNamespacedPod({ namespace: 'shop', name });
    assert.equal(deleted.metadata?.name, name);
    await w.waitFor((e) => e.type === 'DELETED');
    await expectApiError(h.core.readNamespacedPod({ namespace: 'shop', name }), 404);
    w.stop();
    await w.done;
  });

  it('validates pods on create and applies Pod Security to them', async () => {
    const invalid = await expectApiError(h.core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'x' }, spec: { containers: [] } } }), 422);
    assert.equal(invalid.message, 'Pod "x" is invalid: spec.containers: Required value');
    const exists = await expectApiError(
      h.core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'web-1' }, spec: { containers: [{ name: 'a', image: 'b' }] } } }),
      409,
    );
    assert.equal(exists.message, 'pods "web-1" already exists');
    assert.equal(exists.reason, 'AlreadyExists');
    const noNs = await expectApiError(
      h.core.createNamespacedPod({ namespace: 'ghost', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'b' }] } } }),
      404,
    );
    assert.equal(noNs.message, 'namespaces "ghost" not found');
    h.fake.hooks.setNamespaceSecurity('shop', 'restricted');
    const psa = await expectApiError(
      h.core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'root' }, spec: { containers: [{ name: 'a', image: 'b' }] } } }),
      403,
    );
    assert.match(String(psa.message), /^pods "root" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });

  it('dry-runs creates (validated, returned, not stored)', async () => {
    const rv = h.fake.store.resourceVersion;
    const info = await h.net.createNamespacedNetworkPolicyWithHttpInfo({ namespace: 'shop', body: policy('generated'), dryRun: 'All' });
    assert.equal(info.httpStatusCode, 201);
    assert.equal(info.data.metadata?.name, 'generated');
    assert.deepEqual(info.data.spec?.policyTypes, ['Ingress'], 'defaults are applied');
    assert.equal(h.fake.store.resourceVersion, rv);
    await expectApiError(h.net.readNamespacedNetworkPolicy({ namespace: 'shop', name: 'generated' }), 404);
    const pod = await h.core.createNamespacedPod({
      namespace: 'shop',
      body: { metadata: { name: 'dry' }, spec: { containers: [{ name: 'a', image: 'busybox' }] } },
      dryRun: 'All',
    });
    assert.equal(pod.metadata?.name, 'dry');
    assert.equal(h.fake.stats().kubeletTimers, 0, 'a dry-run pod is not scheduled');
    await expectApiError(h.net.createNamespacedNetworkPolicy({ namespace: 'shop', body: policy('p'), dryRun: 'Sometimes' }), 422);
    await h.net.deleteNamespacedNetworkPolicy({ namespace: 'shop', name: 'db-ingress', dryRun: 'All' });
    assert.ok(await h.net.readNamespacedNetworkPolicy({ namespace: 'shop', name: 'db-ingress' }));
  });

  it('rejects obviously invalid NetworkPolicies with 422 and one cause per field', async () => {
    const body = await expectApiError(
      h.net.createNamespacedNetworkPolicy({
        namespace: 'shop',
        body: policy('bad', {
          policyTypes: ['Ingress', 'Sideways'],
          ingress: [{ _from: [{ ipBlock: { cidr: '10.0.0.0/33' } }], ports: [{ protocol: 'TCP', port: 70000 }] }],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }, podSelector: {} }], ports: [{ protocol: 'ICMP', port: 53 }] }],
        }),
      }),
      422,
    );
    assert.equal(body.reason, 'Invalid');
    const details = body.details as { name: string; group: string; kind: string; causes: { reason: string; message: string; field: string }[] };
    assert.deepEqual([details.name, details.group, details.kind], ['bad', 'networking.k8s.io', 'NetworkPolicy']);
    assert.deepEqual(details.causes, [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 70000: must be between 1 and 65535, inclusive',
        field: 'spec.ingress[0].ports[0].port',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        field: 'spec.ingress[0].from[0].ipBlock.cidr',
      },
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        field: 'spec.egress[0].ports[0].protocol',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
        field: 'spec.egress[0].to[0].ipBlock.except[0]',
      },
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: may not specify both ipBlock and another peer',
        field: 'spec.egress[0].to[0]',
      },
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "Sideways": supported values: "Egress", "Ingress"',
        field: 'spec.policyTypes[1]',
      },
    ]);
    assert.match(String(body.message), /^NetworkPolicy\.networking\.k8s\.io "bad" is invalid: \[spec\.ingress\[0\]\.ports\[0\]\.port: Invalid value: 70000: /);
    const noName = await expectApiError(h.net.createNamespacedNetworkPolicy({ namespace: 'shop', body: { spec: { podSelector: {} } } }), 422);
    assert.equal(noName.message, 'NetworkPolicy.networking.k8s.io "" is invalid: metadata.name: Required value: name or generateName is required');
    const ok = await h.net.createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: policy('v6', { ingress: [{ _from: [{ ipBlock: { cidr: '2001:db8::/64', except: ['2001:db8::/96'] } }], ports: [{ port: 'http' as unknown as k8s.IntOrString, endPort: undefined }] }] }),
    });
    assert.equal(ok.spec?.ingress?.[0].ports?.[0].protocol, 'TCP', 'protocol defaults to TCP');
  });

  it('applies a NetworkPolicy server-side: create (201), update (200), fieldManager required', async () => {
    const applied = policy('allow-web', { ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }] });
    const first = await h.net.patchNamespacedNetworkPolicyWithHttpInfo(
      { namespace: 'shop', name: 'allow-web', body: applied, fieldManager: 'netlens', force: true },
      SSA,
    );
    assert.equal(first.httpStatusCode, 201);
    assert.equal(h.fake.requests().at(-1)?.contentType, 'application/apply-patch+yaml');
    assert.equal(first.data.metadata?.managedFields?.[0].manager, 'netlens');
    assert.equal(first.data.metadata?.generation, 1);
    const second = await h.net.patchNamespacedNetworkPolicyWithHttpInfo(
      {
        namespace: 'shop',
        name: 'allow-web',
        body: policy('allow-web', { ingress: [{ ports: [{ protocol: 'TCP', port: 9090 }] }] }),
        fieldManager: 'netlens',
      },
      SSA,
    );
    assert.equal(second.httpStatusCode, 200);
    assert.equal(second.data.spec?.ingress?.[0].ports?.[0].port, 9090);
    assert.equal(second.data.metadata?.generation, 2);
    assert.equal(second.data.metadata?.uid, first.data.metadata?.uid);
    const noManager = await expectApiError(h.net.patchNamespacedNetworkPolicy({ namespace: 'shop', name: 'allow-web', body: applied }, SSA), 422);
    assert.equal(noManager.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    // A YAML body works too.
    const yaml = await rawRequest(h.fake, 'PATCH', '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/from-yaml?fieldManager=kubectl', {
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: from-yaml\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n',
    });
    assert.equal(yaml.status, 201);
    assert.deepEqual(JSON.parse(yaml.body).spec.policyTypes, ['Egress']);
    // Dry-run apply stores nothing.
    await h.net.patchNamespacedNetworkPolicy({ namespace: 'shop', name: 'dry', body: policy('dry'), fieldManager: 'netlens', dryRun: 'All' }, SSA);
    await expectApiError(h.net.readNamespacedNetworkPolicy({ namespace: 'shop', name: 'dry' }), 404);
  });

  it('patches, replaces and deletes NetworkPolicies', async () => {
    const merged = await h.net.patchNamespacedNetworkPolicy(
      { namespace: 'shop', name: 'db-ingress', body: { metadata: { labels: { owner: 'netlens' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.metadata?.labels, { owner: 'netlens' });
    const current = await h.net.readNamespacedNetworkPolicy({ namespace: 'shop', name: 'db-ingress' });
    current.spec!.policyTypes = ['Ingress', 'Egress'];
    const replaced = await h.net.replaceNamespacedNetworkPolicy({ namespace: 'shop', name: 'db-ingress', body: current });
    assert.deepEqual(replaced.spec?.policyTypes, ['Ingress', 'Egress']);
    await expectApiError(h.net.replaceNamespacedNetworkPolicy({ namespace: 'shop', name: 'db-ingress', body: current }), 409);
    const status = await h.net.deleteNamespacedNetworkPolicy({ namespace: 'shop', name: 'db-ingress' });
    assert.equal(status.status, 'Success');
    assert.deepEqual(
      { name: status.details?.name, group: status.details?.group, kind: status.details?.kind },
      { name: 'db-ingress', group: 'networking.k8s.io', kind: 'networkpolicies' },
    );
    await expectApiError(h.net.deleteNamespacedNetworkPolicy({ namespace: 'shop', name: 'db-ingress' }), 404);
  });

  it('refuses pod spec changes other than images, and keeps status on updates', async () => {
    const pod = await h.core.readNamespacedPod({ namespace: 'shop', name: 'web-1' });
    pod.metadata!.labels = { ...pod.metadata!.labels, extra: 'yes' };
    pod.spec!.containers[0].image = 'nginx:1.28';
    pod.status = { phase: 'Failed' };
    const updated = await h.core.replaceNamespacedPod({ namespace: 'shop', name: 'web-1', body: pod });
    assert.equal(updated.metadata?.labels?.extra, 'yes');
    assert.equal(updated.spec?.containers[0].image, 'nginx:1.28');
    assert.equal(updated.status?.phase, 'Running');
    const bad = await expectApiError(
      h.core.patchNamespacedPod(
        { namespace: 'shop', name: 'web-1', body: { spec: { hostNetwork: true } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      ),
      422,
    );
    assert.match(String(bad.message), /^Pod "web-1" is invalid: spec: Forbidden: pod updates may not change fields other than/);
  });

  it('deletes a namespace with everything in it', async () => {
    const w = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: h.fake.store.resourceVersion });
    // client-node types this answer as V1Status; the server sends the Namespace, as a real one does.
    const res = await rawRequest(h.fake, 'DELETE', '/api/v1/namespaces/shop');
    assert.equal(JSON.parse(res.body).status.phase, 'Terminating');
    await eventually(() => w.events.filter((e) => e.type === 'DELETED').length === 3, 2000, 'pods deleted');
    assert.deepEqual((await h.core.listNamespacedPod({ namespace: 'shop' })).items, []);
    assert.deepEqual((await h.net.listNetworkPolicyForAllNamespaces()).items, []);
    w.stop();
    await w.done;
  });
});
