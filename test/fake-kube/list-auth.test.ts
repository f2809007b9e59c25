import * as k8s from '@kubernetes/client-node';
import { strict as assert } from 'node:assert';
import { runningPod } from '../support/fake-kube/seed';
import { startFakeKube, type FakeKube } from '../support/fake-kube/server';
import { expectApiError, rawRequest, startHarness, stopHarness, type Harness } from './helpers';

describe('fake-kube: lists, selectors, paging, authn and authz (client-node 1.4.0)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await stopHarness(h?.fake);
  });

  it('serves HTTPS with the test CA and lists every resource kind', async () => {
    assert.match(h.fake.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const namespaces = await h.core.listNamespace();
    assert.deepEqual(
      namespaces.items.map((n) => n.metadata?.name),
      ['other', 'shop'],
    );
    assert.equal(namespaces.items[1].metadata?.labels?.['kubernetes.io/metadata.name'], 'shop');
    const pods = await h.core.listNamespacedPod({ namespace: 'shop' });
    assert.deepEqual(
      pods.items.map((p) => p.metadata?.name),
      ['db-0', 'web-1', 'web-2'],
    );
    assert.ok(pods.items[0].metadata?.creationTimestamp instanceof Date, 'client-node deserializes timestamps');
    assert.equal(pods.metadata?.resourceVersion, h.fake.store.resourceVersion);
    const all = await h.core.listPodForAllNamespaces();
    assert.deepEqual(
      all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`),
      ['other/client', 'shop/db-0', 'shop/web-1', 'shop/web-2'],
    );
    assert.equal((await h.core.listNamespacedService({ namespace: 'shop' })).items[0].spec?.clusterIP, '10.96.0.10');
    assert.equal((await h.core.listServiceForAllNamespaces()).items.length, 1);
    assert.equal((await h.core.listNode()).items[0].metadata?.name, 'fake-node-1');
    const policies = await h.net.listNamespacedNetworkPolicy({ namespace: 'shop' });
    assert.equal(policies.items[0].spec?.podSelector?.matchLabels?.app, 'db');
    assert.equal((await h.net.listNetworkPolicyForAllNamespaces()).items.length, 1);
    const web = await h.core.readNamespacedPod({ namespace: 'shop', name: 'web-1' });
    assert.equal(web.status?.podIP, '10.244.0.11');
    assert.equal((await h.core.readNamespace({ name: 'shop' })).status?.phase, 'Active');
    assert.equal((await h.net.readNamespacedNetworkPolicy({ namespace: 'shop', name: 'db-ingress' })).metadata?.name, 'db-ingress');
  });

  it('writes list JSON the way the API server does (kinds, no item kinds, content type)', async () => {
    const res = await rawRequest(h.fake, 'GET', '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    const body = JSON.parse(res.body) as { kind: string; apiVersion: string; items: Record<string, unknown>[] };
    assert.equal(body.kind, 'NetworkPolicyList');
    assert.equal(body.apiVersion, 'networking.k8s.io/v1');
    assert.equal(body.items[0].kind, undefined);
    const single = JSON.parse((await rawRequest(h.fake, 'GET', '/api/v1/namespaces/shop/pods/web-1')).body) as { kind: string; apiVersion: string };
    assert.deepEqual([single.kind, single.apiVersion], ['Pod', 'v1']);
  });

  it('filters by label selectors: equality, inequality, existence and sets', async () => {
    const names = async (labelSelector: string): Promise<string[]> =>
      (await h.core.listPodForAllNamespaces({ labelSelector })).items.map((p) => p.metadata?.name as string);
    assert.deepEqual(await names('app=web'), ['web-1', 'web-2']);
    assert.deepEqual(await names('app==db'), ['db-0']);
    assert.deepEqual(await names('app!=web'), ['client', 'db-0']);
    assert.deepEqual(await names('tier'), ['web-1', 'web-2']);
    assert.deepEqual(await names('!tier'), ['client', 'db-0']);
    assert.deepEqual(await names('app in (db, client)'), ['client', 'db-0']);
    assert.deepEqual(await names('app notin (web),!tier'), ['client', 'db-0']);
    assert.deepEqual(await names('app=web,tier=front'), ['web-1', 'web-2']);
    const body = await expectApiError(h.core.listPodForAllNamespaces({ labelSelector: 'app=(' }), 400);
    assert.equal(body.reason, 'BadRequest');
  });

  it('filters by field selectors on metadata.name and metadata.namespace', async () => {
    const pods = await h.core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=web-2' });
    assert.deepEqual(
      pods.items.map((p) => p.metadata?.name),
      ['web-2'],
    );
    const notShop = await h.core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace!=shop' });
    assert.deepEqual(
      notShop.items.map((p) => p.metadata?.name),
      ['client'],
    );
    const both = await h.core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'metadata.name=db-0', labelSelector: 'app=db' });
    assert.equal(both.items.length, 1);
    const body = await expectApiError(h.core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'spec.bogus=1' }), 400);
    assert.match(String(body.message), /field label not supported: spec\.bogus/);
  });

  it('pages with limit and _continue, with remainingItemCount and a consistent snapshot', async () => {
    for (let i = 0; i < 4; i++) h.fake.store.create(runningPod({ namespace: 'shop', name: `extra-${i}`, labels: { app: 'extra' } }));
    const first = await h.core.listNamespacedPod({ namespace: 'shop', limit: 3 });
    assert.deepEqual(
      first.items.map((p) => p.metadata?.name),
      ['db-0', 'extra-0', 'extra-1'],
    );
    assert.equal(first.metadata?.remainingItemCount, 4);
    const token = first.metadata?._continue;
    assert.ok(token, 'a continue token');
    // A write between pages does not change the rest of this list.
    h.fake.store.create(runningPod({ namespace: 'shop', name: 'extra-9' }));
    const second = await h.core.listNamespacedPod({ namespace: 'shop', limit: 3, _continue: token });
    assert.deepEqual(
      second.items.map((p) => p.metadata?.name),
      ['extra-2', 'extra-3', 'web-1'],
    );
    assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
    const third = await h.core.listNamespacedPod({ namespace: 'shop', limit: 3, _continue: second.metadata?._continue });
    assert.deepEqual(
      third.items.map((p) => p.metadata?.name),
      ['web-2'],
    );
    assert.equal(third.metadata?._continue, undefined);
    // Selectors page too (without remainingItemCount, as on a real server).
    const selected = await h.core.listNamespacedPod({ namespace: 'shop', limit: 2, labelSelector: 'app=extra' });
    assert.equal(selected.items.length, 2);
    assert.ok(selected.metadata?._continue);
    assert.equal(selected.metadata?.remainingItemCount, undefined);
  });

  it('answers 410 Expired for an expired or unknown continue token', async () => {
    const first = await h.core.listNamespacedPod({ namespace: 'shop', limit: 1 });
    const token = first.metadata?._continue as string;
    h.fake.store.modify('pods', 'shop', 'web-1', (p) => {
      p.metadata.labels = { ...p.metadata.labels, touched: 'yes' };
    });
    h.fake.hooks.expireBefore(h.fake.store.currentRv);
    const body = await expectApiError(h.core.listNamespacedPod({ namespace: 'shop', limit: 1, _continue: token }), 410);
    assert.equal(body.reason, 'Expired');
    assert.match(String(body.message), /^The provided continue parameter is too old/);
    await expectApiError(h.core.listNamespacedPod({ namespace: 'shop', limit: 1, _continue: 'bm90LWEtdG9rZW4=' }), 410);
    await expectApiError(h.core.listNamespacedPod({ namespace: 'shop', limit: 1, _continue: '%%%' }), 410);
    const fresh = await h.core.listNamespacedPod({ namespace: 'shop', limit: 1 });
    h.fake.hooks.expireContinueTokens();
    await expectApiError(h.core.listNamespacedPod({ namespace: 'shop', limit: 1, _continue: fresh.metadata?._continue }), 410);
  });

  it('answers 404 NotFound with the real message shapes', async () => {
    const pod = await expectApiError(h.core.readNamespacedPod({ namespace: 'shop', name: 'nope' }), 404);
    assert.deepEqual(pod, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });
    const policy = await expectApiError(h.net.readNamespacedNetworkPolicy({ namespace: 'shop', name: 'nope' }), 404);
    assert.equal(policy.message, 'networkpolicies.networking.k8s.io "nope" not found');
    assert.deepEqual(policy.details, { name: 'nope', group: 'networking.k8s.io', kind: 'networkpolicies' });
    const unknown = await rawRequest(h.fake, 'GET', '/api/v1/configmaps');
    assert.equal(unknown.status, 404);
    assert.deepEqual(JSON.parse(unknown.body).details, {});
    assert.equal(JSON.parse(unknown.body).message, 'the server could not find the requested resource');
  });

  it('answers 403 Forbidden from the rule table, with namespace and cluster-scope wording', async () => {
    h.fake.hooks.setRbac({
      rules: [
        { verbs: ['list', 'watch'], resources: ['pods'], namespaces: ['shop'], allow: false },
        { verbs: ['list'], resources: ['nodes'], allow: false },
        { verbs: ['list'], apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], allow: false },
        { verbs: ['patch'], resources: ['pods/ephemeralcontainers'], allow: false },
      ],
    });
    const pods = await expectApiError(h.core.listNamespacedPod({ namespace: 'shop' }), 403);
    assert.deepEqual(pods, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "fake-kube-admin" cannot list resource "pods" in API group "" in the namespace "shop"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    // Other namespaces are still allowed.
    assert.equal((await h.core.listNamespacedPod({ namespace: 'other' })).items.length, 1);
    const nodes = await expectApiError(h.core.listNode(), 403);
    assert.equal(nodes.message, 'nodes is forbidden: User "fake-kube-admin" cannot list resource "nodes" in API group "" at the cluster scope');
    const policies = await expectApiError(h.net.listNetworkPolicyForAllNamespaces(), 403);
    assert.equal(
      policies.message,
      'networkpolicies.networking.k8s.io is forbidden: User "fake-kube-admin" cannot list resource "networkpolicies" in API group "networking.k8s.io" at the cluster scope',
    );
    assert.deepEqual(policies.details, { group: 'networking.k8s.io', kind: 'networkpolicies' });
    const patch = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers(
        { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [{ name: 'x', image: 'busybox' }] } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      ),
      403,
    );
    assert.equal(
      patch.message,
      'pods "web-1" is forbidden: User "fake-kube-admin" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "shop"',
    );
    assert.deepEqual(patch.details, { name: 'web-1', kind: 'pods' });
    // The error carries the raw body string and the message client-node builds.
    try {
      await h.core.listNode();
      assert.fail('expected 403');
    } catch (err) {
      assert.ok(err instanceof k8s.ApiException);
      assert.equal(typeof err.body, 'string');
      assert.match(err.message, /^HTTP-Code: 403\n/);
    }
  });

  it('answers SelfSubjectAccessReview with 201 and the same table', async () => {
    h.fake.hooks.setRbac({ rules: [{ verbs: ['create'], resources: ['pods/exec'], namespaces: ['shop'], allow: false, reason: 'no exec here' }] });
    const review = (verb: string, subresource: string): Promise<k8s.V1SelfSubjectAccessReview> =>
      h.authz.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { namespace: 'shop', verb, group: '', resource: 'pods', subresource, name: 'web-1' } },
        },
      });
    const denied = await review('create', 'exec');
    assert.equal(denied.status?.allowed, false);
    assert.equal(denied.status?.denied, true);
    assert.equal(denied.status?.reason, 'no exec here');
    assert.equal(denied.spec.resourceAttributes?.subresource, 'exec');
    const allowed = await review('patch', 'ephemeralcontainers');
    assert.equal(allowed.status?.allowed, true);
    const info = await h.authz.createSelfSubjectAccessReviewWithHttpInfo({
      body: { spec: { resourceAttributes: { verb: 'list', resource: 'pods' } } },
    });
    assert.equal(info.httpStatusCode, 201);
    await expectApiError(h.authz.createSelfSubjectAccessReview({ body: { spec: {} } }), 422);
  });

  it('answers 401 for a missing, wrong or expired token', async () => {
    assert.equal((await rawRequest(h.fake, 'GET', '/api/v1/namespaces', { token: null })).status, 401);
    const wrong = await rawRequest(h.fake, 'GET', '/api/v1/namespaces', { token: 'nope' });
    assert.deepEqual(JSON.parse(wrong.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    await h.core.listNamespace();
    h.fake.hooks.expireToken(h.fake.token);
    // client-node 1.4.0 throws ApiException(401, "Unauthorized", undefined): the Status body is dropped.
    await expectApiError(h.core.listNamespace(), 401);
    h.fake.hooks.addToken('second-token', 'alice');
    const alice = h.fake.loadKubeConfig({ token: 'second-token' }).makeApiClient(k8s.CoreV1Api);
    assert.equal((await alice.listNamespace()).items.length, 2);
    h.fake.hooks.setRbac({ rules: [{ users: ['alice'], verbs: ['*'], resources: ['*'], allow: false }] });
    const forbidden = await expectApiError(alice.listNamespace(), 403);
    assert.match(String(forbidden.message), /User "alice" cannot list resource "namespaces"/);
  });

  it('records what clients sent', async () => {
    await h.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web', limit: 5 });
    const last = h.fake.requests().at(-1);
    assert.equal(last?.method, 'GET');
    assert.equal(last?.path, '/api/v1/namespaces/shop/pods');
    assert.equal(new URLSearchParams(last?.query).get('labelSelector'), 'app=web');
    assert.equal(last?.status, 200);
    assert.equal(last?.user, 'fake-kube-admin');
  });
});

describe('fake-kube: transports', () => {
  let fake: FakeKube | undefined;
  afterEach(async () => {
    await stopHarness(fake);
    fake = undefined;
  });

  it('serves plain HTTP with insecure-skip-tls-verify kubeconfigs', async () => {
    fake = await startFakeKube({ tls: false, tokens: { t0k: 'bob' } });
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(fake.kubeconfig(), /insecure-skip-tls-verify: true/);
    const core = fake.loadKubeConfig().makeApiClient(k8s.CoreV1Api);
    assert.deepEqual((await core.listNamespace()).items, []);
  });

  it('refuses clients that do not trust the test CA', async () => {
    fake = await startFakeKube();
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: fake.url, skipTLSVerify: false }],
      users: [{ name: 'u', token: fake.token }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    await assert.rejects(kc.makeApiClient(k8s.CoreV1Api).listNamespace(), (err: unknown) => {
      assert.ok(!(err instanceof k8s.ApiException), 'a transport error, not an API error');
      assert.match(String((err as Error).message), /certificate|self.signed|verify/i);
      return true;
    });
    // insecure kubeconfig on HTTPS works.
    const insecure = fake.loadKubeConfig({ insecure: true }).makeApiClient(k8s.CoreV1Api);
    assert.deepEqual((await insecure.listNamespace()).items, []);
  });

  it('answers /version and health endpoints', async () => {
    fake = await startFakeKube({ minorVersion: '34' });
    const version = await fake.loadKubeConfig().makeApiClient(k8s.VersionApi).getCode();
    assert.equal(version.minor, '34');
    assert.equal((await rawRequest(fake, 'GET', '/readyz', { token: null })).body, 'ok');
  });
});
