import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { TEST_CA_CERT, TEST_SERVER_CERT, TEST_SERVER_KEY } from '../support/fake-kube/certs';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchApplyError, PatchError } from '../support/fake-kube/patch';
import { evaluatePodSecurity } from '../support/fake-kube/podsecurity';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../support/fake-kube/selectors';
import { runningPod, seed, seedYaml } from '../support/fake-kube/seed';
import { ApiError } from '../support/fake-kube/status';
import { Kubelet } from '../support/fake-kube/kubelet';
import { FakeStore } from '../support/fake-kube/store';
import type { KubeObject, StoreEvent } from '../support/fake-kube/types';
import { parseCidr } from '../support/fake-kube/validation';

describe('fake-kube units', () => {
  describe('certs', () => {
    const dir = path.join(__dirname, '..', 'support', 'fake-kube', 'certs');
    it('inlines exactly the PEM files of certs/', () => {
      assert.equal(TEST_CA_CERT, readFileSync(path.join(dir, 'ca.crt'), 'utf8'));
      assert.equal(TEST_SERVER_CERT, readFileSync(path.join(dir, 'server.crt'), 'utf8'));
      assert.equal(TEST_SERVER_KEY, readFileSync(path.join(dir, 'server.key'), 'utf8'));
    });
    it('has a server certificate for 127.0.0.1 signed by the CA, valid for a century', () => {
      const ca = new X509Certificate(TEST_CA_CERT);
      const server = new X509Certificate(TEST_SERVER_CERT);
      assert.ok(server.verify(ca.publicKey));
      assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
      assert.equal(server.checkHost('localhost'), 'localhost');
      assert.ok(new Date(server.validTo).getUTCFullYear() >= 2125);
      assert.ok(new Date(server.validFrom).getUTCFullYear() <= 2000);
    });
  });

  describe('selectors', () => {
    const labels = { app: 'web', tier: 'front' };
    const cases: [string, boolean][] = [
      ['', true],
      ['app=web', true],
      ['app==web', true],
      ['app!=web', false],
      ['app!=db', true],
      ['missing!=x', true],
      ['tier', true],
      ['!tier', false],
      ['app in (db,web)', true],
      ['app in (db)', false],
      ['app notin (db)', true],
      ['missing notin (db)', true],
      ['missing in (db)', false],
      ['app=web, tier in (front, back), !canary', true],
      ['example.com/owner', false],
    ];
    for (const [selector, expected] of cases) {
      it(`label selector "${selector}" → ${expected}`, () => {
        assert.equal(matchesLabels(parseLabelSelector(selector), labels), expected);
      });
    }
    it('rejects malformed label selectors with 400', () => {
      for (const bad of ['app=we b', 'a in ()', '=x', ',']) {
        assert.throws(() => parseLabelSelector(bad), (e: unknown) => e instanceof ApiError && e.code === 400, bad);
      }
    });
    it('matches field selectors, including pod fields', () => {
      const pod = runningPod({ name: 'web', namespace: 'shop' });
      assert.ok(matchesFields(parseFieldSelector('metadata.name=web,metadata.namespace==shop', 'pods'), 'pods', pod));
      assert.ok(matchesFields(parseFieldSelector('status.phase=Running,spec.nodeName=fake-node-1', 'pods'), 'pods', pod));
      assert.ok(!matchesFields(parseFieldSelector('metadata.name!=web', 'pods'), 'pods', pod));
      assert.throws(() => parseFieldSelector('status.phase=Running', 'networkpolicies'), /field label not supported/);
    });
  });

  describe('patches', () => {
    it('applies every JSON Patch op', () => {
      const doc = { a: { b: [1, 2] }, c: 'x' };
      const out = applyJsonPatch(doc, [
        { op: 'add', path: '/a/b/-', value: 3 },
        { op: 'add', path: '/a/b/0', value: 0 },
        { op: 'replace', path: '/c', value: 'y' },
        { op: 'copy', from: '/c', path: '/d' },
        { op: 'move', from: '/d', path: '/e~1f' },
        { op: 'remove', path: '/a/b/1' },
        { op: 'test', path: '/c', value: 'y' },
      ]);
      assert.deepEqual(out, { a: { b: [0, 2, 3] }, c: 'y', 'e/f': 'y' });
      assert.deepEqual(doc, { a: { b: [1, 2] }, c: 'x' }, 'the input is not mutated');
      assert.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/nope/x', value: 1 }]), PatchApplyError);
      assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/c', value: 'z' }]), PatchApplyError);
      assert.throws(() => applyJsonPatch(doc, { op: 'add' }), PatchError);
    });
    it('applies merge patches (null deletes, lists replace)', () => {
      assert.deepEqual(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1] }, { a: null, b: { c: 9 }, l: [2] }), { b: { c: 9, d: 3 }, l: [2] });
    });
    it('applies strategic merge patches with merge keys and directives', () => {
      const pod = {
        metadata: { finalizers: ['a'] },
        spec: {
          containers: [
            { name: 'app', image: 'a:1', ports: [{ containerPort: 80, name: 'http' }] },
            { name: 'side', image: 's:1' },
          ],
          ephemeralContainers: [{ name: 'e1', image: 'x' }],
          tolerations: [{ key: 'a' }],
        },
      };
      const out = applyStrategicMergePatch(pod, {
        metadata: { finalizers: ['b'] },
        spec: {
          containers: [
            { name: 'app', image: 'a:2', ports: [{ containerPort: 443, name: 'https' }] },
            { name: 'side', $patch: 'delete' },
          ],
          '$setElementOrder/ephemeralContainers': [{ name: 'e2' }, { name: 'e1' }],
          ephemeralContainers: [{ name: 'e2', image: 'y' }],
          tolerations: [{ key: 'b' }],
        },
      }) as typeof pod;
      assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
      assert.deepEqual(out.spec.containers, [
        {
          name: 'app',
          image: 'a:2',
          ports: [
            { containerPort: 80, name: 'http' },
            { containerPort: 443, name: 'https' },
          ],
        },
      ]);
      assert.deepEqual(
        out.spec.ephemeralContainers.map((c) => c.name),
        ['e2', 'e1'],
      );
      assert.deepEqual(out.spec.tolerations, [{ key: 'b' }], 'lists without a merge key are replaced');
      assert.throws(() => applyStrategicMergePatch(pod, { spec: { containers: [{ image: 'no-name' }] } }), PatchError);
    });
  });

  describe('pod security', () => {
    it('passes a restricted-compliant pod and reports violations in admission order', () => {
      const compliant = {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'a', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }],
      };
      assert.equal(evaluatePodSecurity(compliant, 'restricted'), undefined);
      const bad = {
        hostNetwork: true,
        containers: [
          { name: 'a', securityContext: { privileged: true, capabilities: { add: ['SYS_PTRACE', 'NET_ADMIN'] } } },
          { name: 'b', securityContext: { runAsNonRoot: false, seccompProfile: { type: 'Unconfined' } } },
        ],
      };
      assert.equal(
        evaluatePodSecurity(bad, 'restricted'),
        'host namespaces (hostNetwork=true), ' +
          'privileged (container "a" must not set securityContext.privileged=true), ' +
          'allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false), ' +
          'unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; container "a" must not include "NET_ADMIN", "SYS_PTRACE" in securityContext.capabilities.add), ' +
          'runAsNonRoot != true (container "b" must not set securityContext.runAsNonRoot=false), ' +
          'seccompProfile (container "b" must not set securityContext.seccompProfile.type to "Unconfined"; pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      );
      assert.equal(
        evaluatePodSecurity(bad, 'baseline'),
        'non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_PTRACE" in securityContext.capabilities.add), ' +
          'host namespaces (hostNetwork=true), privileged (container "a" must not set securityContext.privileged=true)',
      );
      assert.equal(evaluatePodSecurity(bad, 'privileged'), undefined);
    });
  });

  describe('CIDRs', () => {
    it('parses IPv4 and IPv6 CIDRs and refuses bad ones', () => {
      assert.deepEqual(parseCidr('10.1.2.3/8'), { bits: 32, prefix: 8, network: 0x0a000000n });
      assert.equal(parseCidr('2001:db8::/32')?.network, 0x20010db8n << 96n);
      assert.equal(parseCidr('::ffff:10.0.0.1/128')?.network, (0xffffn << 32n) | 0x0a000001n);
      for (const bad of ['10.0.0.0/33', '10.0.0/8', '256.0.0.0/8', '10.0.0.0', '2001:db8::/129', '1::2::3/64', 'x/1']) {
        assert.equal(parseCidr(bad), undefined, bad);
      }
    });
  });

  describe('store', () => {
    it('bumps one global RV, logs events, trims the log and expires old RVs', () => {
      const store = new FakeStore({ eventLogSize: 3, now: () => new Date('2030-01-02T03:04:05.678Z') });
      const events: StoreEvent[] = [];
      store.subscribe((e) => events.push(e));
      const pod = store.create(runningPod({ name: 'a', namespace: 'ns' }));
      assert.equal(pod.metadata.creationTimestamp, '2030-01-02T03:04:05Z');
      assert.equal(store.get('namespaces', undefined, 'ns')?.metadata.name, 'ns', 'the namespace was created first');
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.resource} ${e.rv}`),
        ['ADDED namespaces 1', 'ADDED pods 2'],
      );
      assert.equal(pod.metadata.resourceVersion, '2');
      const same = store.modify('pods', 'ns', 'a', () => undefined);
      assert.equal(same.metadata.resourceVersion, '2', 'a no-op write bumps nothing');
      store.modify('pods', 'ns', 'a', (p) => {
        p.metadata.labels = { x: '1' };
      });
      store.delete('pods', 'ns', 'a');
      assert.equal(store.currentRv, 4);
      assert.equal(events.at(-1)?.object.metadata.resourceVersion, '4', 'DELETED carries the new RV');
      assert.equal(store.eventLogLength, 3);
      assert.equal(store.compactedRv, 1);
      assert.equal(store.eventsSince(0), 'expired');
      assert.equal((store.eventsSince(1) as StoreEvent[]).length, 3);
      store.expireBefore(3);
      assert.equal(store.eventsSince(2), 'expired');
      assert.deepEqual(
        (store.eventsSince(3) as StoreEvent[]).map((e) => e.type),
        ['DELETED'],
      );
      assert.throws(() => store.delete('pods', 'ns', 'a'), (e: unknown) => e instanceof ApiError && e.code === 404);
      assert.throws(
        () => store.update({ ...store.get('namespaces', undefined, 'ns')!, metadata: { name: 'ns', resourceVersion: '99' } }),
        (e: unknown) => e instanceof ApiError && e.code === 409,
      );
    });
    it('generates deterministic names and uids from the seed', () => {
      const a = new FakeStore({ seed: 7 });
      const b = new FakeStore({ seed: 7 });
      const names = [a.generateName('p-'), a.generateName('p-')];
      assert.deepEqual(names, [b.generateName('p-'), b.generateName('p-')]);
      assert.notEqual(names[0], names[1]);
      assert.equal(a.create({ kind: 'Node', metadata: { name: 'n' } }).metadata.uid, b.create({ kind: 'Node', metadata: { name: 'n' } }).metadata.uid);
    });
  });

  describe('seed', () => {
    it('takes kubectl List output, typed lists without item kinds, arrays and YAML', () => {
      const store = new FakeStore();
      seed(store, {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          runningPod({ name: 'p', namespace: 'late-ns' }),
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late-ns', labels: { a: 'b' } } },
        ],
      });
      assert.equal(store.get('namespaces', undefined, 'late-ns')?.metadata.labels?.a, 'b', 'namespaces are seeded first');
      seed(store, { kind: 'NetworkPolicyList', apiVersion: 'networking.k8s.io/v1', items: [{ metadata: { name: 'np', namespace: 'late-ns' }, spec: {} }] });
      assert.ok(store.get('networkpolicies', 'late-ns', 'np'));
      seedYaml(
        store,
        'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: late-ns}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\n',
      );
      assert.ok(store.get('services', 'late-ns', 's'));
      assert.ok(store.get('nodes', undefined, 'n1'));
      // Seeding again replaces.
      seed(store, [runningPod({ name: 'p', namespace: 'late-ns', labels: { v: '2' } })]);
      assert.equal(store.get('pods', 'late-ns', 'p')?.metadata.labels?.v, '2');
      assert.throws(() => seed(store, [{ kind: 'ConfigMap', metadata: { name: 'x' } }]), /unsupported kind "ConfigMap"/);
    });
  });
  describe('kubelet', () => {
    const bare = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } });

    it('records its timers, so close() cancels them all', () => {
      const store = new FakeStore();
      const kubelet = new Kubelet(store, { containerCreatingMs: 60_000, startMs: 60_000 });
      store.create(bare('a'));
      store.create(bare('b'));
      kubelet.podCreated('default', 'a');
      kubelet.podCreated('default', 'b');
      assert.equal(kubelet.pendingTimers, 2);
      kubelet.forget('default', 'a');
      assert.equal(kubelet.pendingTimers, 1);
      kubelet.close();
      assert.equal(kubelet.pendingTimers, 0);
    });

    it('gives scheduled pods IPs that no other pod holds, seeded ones included', () => {
      const store = new FakeStore();
      // Seeded pods sit on the addresses the allocator would hand out first.
      for (let i = 0; i < 40; i++) {
        store.create(runningPod({ namespace: 'default', name: `seeded-${i}`, ip: `10.244.1.${10 + i}` }));
      }
      const kubelet = new Kubelet(store, { auto: false });
      for (let i = 0; i < 300; i++) {
        store.create(bare(`new-${i}`));
        kubelet.schedule('default', `new-${i}`);
      }
      const ips = store.list('pods').map((o) => (o as { status?: { podIP?: string } }).status?.podIP);
      assert.equal(ips.length, 340);
      assert.ok(ips.every((ip) => typeof ip === 'string' && ip.startsWith('10.244.')));
      assert.equal(new Set(ips).size, 340, 'every pod has its own IP');
      kubelet.close();
    });
  });
});
