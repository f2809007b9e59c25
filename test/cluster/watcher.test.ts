import { strict as assert } from 'node:assert';
import { loadKubeconfig } from '../../src/cluster/kubeconfig';
import { ClusterSession } from '../../src/cluster/session';
import { ClusterWatcher, type ChangeEvent, type ClusterWatcherOptions, type StreamError } from '../../src/cluster/watcher';
import type { FakeKube, FakeKubeOptions } from '../support/fake-kube/server';
import { runningPod } from '../support/fake-kube/seed';
import type { KubeObject } from '../support/fake-kube/types';
import {
  activeTimers,
  assertNoLeaks,
  closedPortUrl,
  connectTo,
  eventually,
  FAST_BACKOFF,
  incidentManifests,
  kubeconfigText,
  startFake,
  TempDir,
} from './helpers';

const OPTIONS: ClusterWatcherOptions = { backoff: FAST_BACKOFF, requestTimeoutMs: 5000 };

function otherNamespace(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { team: 'other' } } },
    runningPod({ namespace: 'other', name: 'client', labels: { app: 'client' }, ip: '10.244.3.3' }),
  ];
}

describe('ClusterWatcher', () => {
  let fake: FakeKube | undefined;
  let tmp: TempDir;
  let watcher: ClusterWatcher | undefined;
  let timers: number;

  /** `namespace`: the context's namespace; `null` for a context that names none. */
  async function setUp(
    options: FakeKubeOptions = {},
    objects: unknown = incidentManifests(),
    namespace?: string | null,
  ): Promise<{ fake: FakeKube; connect: (opts?: ClusterWatcherOptions) => ClusterWatcher }> {
    fake = await startFake(options, objects);
    timers = activeTimers();
    const f = fake;
    return {
      fake: f,
      connect: (opts: ClusterWatcherOptions = OPTIONS) => {
        const connection =
          namespace === null
            ? loadKubeconfig({
                path: tmp.write('config', kubeconfigText({ clusters: [{ name: 'c', server: f.url, ca: f.caCert }], users: [{ name: 'u', token: f.token }], contexts: [{ name: 'no-ns', cluster: 'c', user: 'u' }], current: 'no-ns' })),
                env: {},
              }).connect()
            : connectTo(f, tmp, namespace ? { namespace } : {});
        watcher = new ClusterWatcher(connection, opts);
        return watcher;
      },
    };
  }

  const requests = (path: string, pred: (query: URLSearchParams) => boolean = () => true): number =>
    fake!.requests().filter((r) => r.path === path && pred(new URLSearchParams(r.query))).length;
  const lists = (path: string): number => requests(path, (q) => q.get('watch') === null);
  const watches = (path: string): number => requests(path, (q) => q.get('watch') === 'true');

  beforeEach(() => {
    tmp = new TempDir();
  });

  afterEach(async () => {
    try {
      await watcher?.dispose();
      if (fake) await assertNoLeaks(fake, timers);
    } finally {
      watcher = undefined;
      await fake?.close();
      fake = undefined;
      tmp.cleanup();
    }
  });

  it('lists in pages (1,200 pods, 500 per page) and converts to the core model', async () => {
    const bulk: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bulk' } }];
    for (let i = 0; i < 1200; i++) bulk.push(runningPod({ namespace: 'bulk', name: `pod-${String(i).padStart(4, '0')}`, labels: { app: 'bulk' }, ip: `10.250.${i >> 8}.${i & 255}` }));
    const { connect } = await setUp({}, [...incidentManifests(), ...bulk]);
    const w = connect();
    await w.start();
    const pages = fake!.requests().filter((r) => r.path === '/api/v1/pods' && !r.query.includes('watch'));
    assert.equal(pages.length, 3);
    assert.ok(pages.every((r) => new URLSearchParams(r.query).get('limit') === '500'));
    assert.equal(pages.filter((r) => new URLSearchParams(r.query).has('continue')).length, 2);
    const snap = w.snapshot();
    assert.equal(snap.pods.length, 1202);
    const pg = snap.pods.find((p) => p.name === 'postgres-0')!;
    assert.deepEqual(pg.ips, ['10.244.1.45']);
    assert.deepEqual(pg.ports.map((p) => [p.name, p.containerPort, p.protocol]), [['postgresql', 5432, 'TCP']]);
    assert.equal(pg.source, undefined, 'live objects carry no source');
    assert.deepEqual(snap.policies.map((p) => `${p.namespace}/${p.name}`), ['production/default-deny-ingress']);
    assert.deepEqual(snap.namespaces.map((n) => [n.name, n.inferred]).sort(), [['bulk', false], ['production', false]]);
    assert.equal(w.snapshot(), snap, 'cached until something changes');
    assert.deepEqual(w.hidden(), []);
    assert.ok(w.streams().every((s) => s.phase === 'watching' && s.synced));
  });

  it('applies watch events to the snapshot and names each change', async () => {
    const { fake: f, connect } = await setUp();
    const w = connect();
    const events: ChangeEvent[] = [];
    w.onDidChange((batch) => events.push(...batch));
    await w.start();
    const before = w.snapshot();
    events.length = 0;

    f.store.create(runningPod({ namespace: 'production', name: 'worker-1', labels: { app: 'worker' }, ip: '10.244.5.5' }));
    await eventually(() => w.snapshot().pods.some((p) => p.name === 'worker-1'), 3000, 'ADDED pod');
    assert.notEqual(w.snapshot(), before);
    f.store.modify('pods', 'production', 'worker-1', (p) => {
      p.metadata.labels = { app: 'worker', tier: 'batch' };
    });
    await eventually(() => w.snapshot().pods.find((p) => p.name === 'worker-1')?.labels.tier === 'batch', 3000, 'MODIFIED pod');
    f.store.delete('pods', 'production', 'worker-1');
    await eventually(() => !w.snapshot().pods.some((p) => p.name === 'worker-1'), 3000, 'DELETED pod');
    f.store.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-web', namespace: 'production' },
      spec: { podSelector: { matchLabels: { app: 'web-api' } }, ingress: [{}] },
    });
    await eventually(() => w.snapshot().policies.length === 2, 3000, 'ADDED policy');

    assert.deepEqual(events, [
      { type: 'ADDED', kind: 'Pod', resource: 'pods', namespace: 'production', name: 'worker-1' },
      { type: 'MODIFIED', kind: 'Pod', resource: 'pods', namespace: 'production', name: 'worker-1' },
      { type: 'DELETED', kind: 'Pod', resource: 'pods', namespace: 'production', name: 'worker-1' },
      { type: 'ADDED', kind: 'NetworkPolicy', resource: 'networkpolicies', namespace: 'production', name: 'allow-web' },
    ]);
  });

  it('re-watches from where it was after the server closes every watch', async () => {
    const { fake: f, connect } = await setUp();
    const w = connect();
    await w.start();
    await eventually(() => f.stats().watches === 4, 3000, 'four watches');
    assert.equal(watches('/api/v1/pods'), 1);
    const podLists = lists('/api/v1/pods');
    const closed = f.hooks.closeAllWatches();
    assert.equal(closed, 4);
    await eventually(() => f.stats().watches === 4 && watches('/api/v1/pods') === 2, 3000, 're-watch');
    assert.equal(lists('/api/v1/pods'), podLists, 'no relist for a clean close');
    const rv = new URLSearchParams(f.requests().filter((r) => r.path === '/api/v1/pods').at(-1)!.query).get('resourceVersion');
    assert.ok(rv && rv !== '0', 'resumes from a resourceVersion');
    f.store.create(runningPod({ namespace: 'production', name: 'after-reconnect', ip: '10.244.6.6' }));
    await eventually(() => w.snapshot().pods.some((p) => p.name === 'after-reconnect'), 3000, 'event after reconnect');
    assert.deepEqual(w.errors(), [], 'a dropped stream is not an error');
  });

  it('relists on 410 Gone (ERROR event after expireBefore), and the relist emits what changed meanwhile', async () => {
    const { fake: f, connect } = await setUp();
    const w = connect({ ...OPTIONS, resources: ['pods', 'services'] });
    const events: ChangeEvent[] = [];
    w.onDidChange((batch) => events.push(...batch));
    await w.start();
    assert.equal(lists('/api/v1/pods'), 1);
    // Changes the pods watch does not see (services), then forget history up to now.
    f.store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'production' }, spec: { selector: { app: 'postgres' }, ports: [{ port: 5432 }] } });
    await eventually(() => w.snapshot().services.length === 1, 3000, 'service');
    f.hooks.expireBefore(f.store.currentRv);
    f.hooks.closeAllWatches();
    await eventually(() => lists('/api/v1/pods') === 2, 3000, 'pods relist');
    assert.equal(lists('/api/v1/services'), 1, 'services resumed from a current resourceVersion');

    // An ERROR 410 event on the open watch also relists.
    events.length = 0;
    f.store.delete('pods', 'production', 'web-api-7d9f8b6c5d-x2k4q');
    await eventually(() => events.length === 1, 3000, 'DELETED');
    f.hooks.expireAllWatches();
    await eventually(() => lists('/api/v1/pods') === 3 && f.stats().watches === 2, 3000, 'relist after ERROR 410');
    assert.deepEqual(w.errors(), []);
    assert.deepEqual(w.snapshot().pods.map((p) => p.name), ['postgres-0']);
  });

  it('honours BOOKMARK resourceVersions (no relist when older versions expire)', async () => {
    const { fake: f, connect } = await setUp({ bookmarkIntervalMs: 10 });
    const w = connect({ ...OPTIONS, resources: ['pods', 'services'] });
    await w.start();
    for (let i = 0; i < 5; i++) {
      f.store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'production' }, spec: { ports: [{ port: 80 }] } });
    }
    const current = String(f.store.currentRv);
    await eventually(() => w.streams().every((s) => s.resourceVersion === current), 3000, 'bookmark on the pods watch');
    f.hooks.expireBefore(f.store.currentRv);
    f.hooks.closeAllWatches();
    await eventually(() => watches('/api/v1/pods') === 2 && f.stats().watches === 2, 3000, 're-watch');
    assert.equal(lists('/api/v1/pods'), 1);
    assert.equal(lists('/api/v1/services'), 1);
  });

  it('reports Unreachable while the server is down, retries with backoff, and recovers', async () => {
    const { fake: f, connect } = await setUp();
    const w = connect({ ...OPTIONS, resources: ['pods'] });
    const errors: StreamError[] = [];
    w.onDidError((e) => errors.push(e));
    await w.start();
    await f.hooks.stopListening();
    f.store.delete('pods', 'production', 'postgres-0');
    await eventually(() => errors.length >= 3, 3000, 'retries');
    assert.ok(errors.every((e) => e.error.kind === 'Unreachable'), errors.map((e) => e.error.userMessage).join('; '));
    assert.equal(w.streams()[0]!.phase, 'retrying');
    await f.hooks.resumeListening();
    await eventually(() => w.errors().length === 0 && w.streams()[0]!.phase === 'watching', 3000, 'recovery');
    await eventually(() => !w.snapshot().pods.some((p) => p.name === 'postgres-0'), 3000, 'missed delete applied');
  });

  it('reports Expired when the token stops working, and recovers when it works again', async () => {
    const { fake: f, connect } = await setUp();
    const w = connect({ ...OPTIONS, resources: ['pods'] });
    await w.start();
    f.hooks.expireToken(f.token);
    f.hooks.closeAllWatches();
    const failing = await eventually(() => w.errors()[0], 3000, 'an error');
    assert.equal(failing.error.kind, 'Expired');
    assert.match(failing.error.userMessage, /Log in again/);
    f.hooks.addToken(f.token, 'fake-kube-admin');
    await eventually(() => w.errors().length === 0 && f.stats().watches === 1, 3000, 'recovery');
  });

  it('a server that was never reachable: Unreachable errors, and dispose leaves nothing behind', async () => {
    fake = await startFake();
    timers = activeTimers();
    const server = await closedPortUrl();
    const file = tmp.write('config', kubeconfigText({ clusters: [{ name: 'c', server }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'dead', cluster: 'c', user: 'u' }], current: 'dead' }));
    watcher = new ClusterWatcher(loadKubeconfig({ path: file, env: {} }).connect(), OPTIONS);
    await watcher.start();
    const errors = watcher.errors();
    assert.equal(errors.length, 4);
    assert.ok(errors.every((e) => e.error.kind === 'Unreachable'));
    assert.deepEqual(watcher.snapshot().pods, []);
    await new Promise((r) => setTimeout(r, 60));
  });

  it('falls back to the context namespace when cluster-wide reads are forbidden, and says what is hidden', async () => {
    const { fake: f, connect } = await setUp(
      { rbac: { rules: [{ verbs: ['list', 'watch'], resources: ['pods', 'services', 'networkpolicies', 'namespaces'], namespaces: [''], allow: false }] } },
      [...incidentManifests(), ...otherNamespace()],
      'production',
    );
    const w = connect();
    await w.start();
    assert.deepEqual(
      w.hidden().map((h) => [h.resource, h.namespace]),
      [
        ['pods', '*'],
        ['services', '*'],
        ['networkpolicies', '*'],
        ['namespaces', '*'],
      ],
    );
    const np = w.hidden().find((h) => h.resource === 'networkpolicies')!;
    assert.match(np.reason, /^Forbidden: you cannot list networkpolicies across all namespaces \(RBAC, context "fake-kube"\)\. .*; showing namespace production only$/);
    assert.deepEqual(w.errors(), []);
    const snap = w.snapshot();
    assert.deepEqual(snap.pods.map((p) => p.name).sort(), ['postgres-0', 'web-api-7d9f8b6c5d-x2k4q']);
    assert.deepEqual(snap.namespaces.map((n) => [n.name, n.inferred]), [['production', false]], 'the namespace object is read with get');
    assert.equal(f.requests().filter((r) => r.status === 403).length, 0, 'access reviews first, no 403s');
    // The per-namespace streams watch too.
    f.store.create(runningPod({ namespace: 'production', name: 'late', ip: '10.244.7.7' }));
    await eventually(() => w.snapshot().pods.some((p) => p.name === 'late'), 3000, 'event in the fallback namespace');
  });

  it('falls back on a real 403 too, when access reviews are unavailable', async () => {
    const { fake: f, connect } = await setUp(
      { rbac: { rules: [{ verbs: ['list', 'watch'], resources: ['pods', 'services', 'networkpolicies', 'namespaces'], namespaces: [''], allow: false }] } },
      [...incidentManifests(), ...otherNamespace()],
      'production',
    );
    f.hooks.failRequests({ path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' }, { code: 404 });
    const w = connect();
    await w.start();
    assert.deepEqual(w.hidden().map((h) => h.resource).sort(), ['namespaces', 'networkpolicies', 'pods', 'services']);
    assert.ok(w.hidden().every((h) => h.namespace === '*'));
    assert.deepEqual(w.errors(), []);
    assert.deepEqual(w.snapshot().pods.map((p) => p.name).sort(), ['postgres-0', 'web-api-7d9f8b6c5d-x2k4q']);
    assert.deepEqual(w.snapshot().namespaces.map((n) => [n.name, n.inferred]), [['production', false]]);
  });

  it('falls back to the namespaces the user may read when the context names none', async () => {
    const { connect } = await setUp(
      {
        rbac: {
          rules: [
            { verbs: ['list', 'watch'], resources: ['pods', 'networkpolicies'], namespaces: ['production'] },
            { verbs: ['list', 'watch'], resources: ['pods', 'networkpolicies'], allow: false },
          ],
        },
      },
      [...incidentManifests(), ...otherNamespace()],
      null,
    );
    const w = connect({ ...OPTIONS, resources: ['namespaces', 'pods', 'networkpolicies'] });
    await w.start();
    assert.deepEqual(w.hidden().map((h) => [h.resource, h.namespace]), [
      ['pods', '*'],
      ['networkpolicies', '*'],
    ]);
    assert.deepEqual(w.streams().filter((s) => s.resource === 'pods').map((s) => s.namespace), ['production']);
    assert.deepEqual(w.snapshot().namespaces.map((n) => n.name).sort(), ['other', 'production']);
  });

  it('configured namespaces: reads only those, and names the ones it may not read', async () => {
    const { connect } = await setUp(
      { rbac: { rules: [{ verbs: ['list', 'watch'], resources: ['pods'], namespaces: ['other'], allow: false }] } },
      [...incidentManifests(), ...otherNamespace()],
    );
    const w = connect({ ...OPTIONS, namespaces: ['production', 'other'], resources: ['pods', 'networkpolicies'] });
    await w.start();
    assert.deepEqual(w.hidden().map((h) => [h.resource, h.namespace]), [['pods', 'other']]);
    assert.match(w.hidden()[0]!.reason, /^Forbidden: you cannot list pods in namespace other \(RBAC/);
    assert.deepEqual(w.snapshot().pods.map((p) => p.namespace), ['production', 'production']);
    assert.equal(w.snapshot().policies.length, 1);
  });

  it('polls when it may list but not watch', async () => {
    const { fake: f, connect } = await setUp({ rbac: { rules: [{ verbs: ['watch'], resources: ['pods'], allow: false }] } });
    const w = connect({ ...OPTIONS, resources: ['pods'], pollIntervalMs: 20 });
    await w.start();
    assert.equal(w.streams()[0]!.phase, 'polling');
    f.store.create(runningPod({ namespace: 'production', name: 'polled', ip: '10.244.8.8' }));
    await eventually(() => w.snapshot().pods.some((p) => p.name === 'polled'), 3000, 'polled pod');
    assert.equal(watches('/api/v1/pods'), 0);
  });

  it('dispose while starting leaves nothing behind', async () => {
    const { connect } = await setUp();
    const w = connect();
    const started = w.start();
    await new Promise((r) => setTimeout(r, 2));
    await w.dispose();
    await started;
  });

  it('switching context disposes the old watches first (no leaked connections, watches or timers)', async () => {
    const a = await startFake({ tokens: { 'token-a': 'alice' } });
    const b = await startFake({ tokens: { 'token-b': 'bob' } }, [...incidentManifests(), ...otherNamespace()]);
    fake = a;
    timers = activeTimers();
    const file = tmp.write(
      'config',
      kubeconfigText({
        clusters: [
          { name: 'a', server: a.url, ca: a.caCert },
          { name: 'b', server: b.url, ca: b.caCert },
        ],
        users: [
          { name: 'alice', token: 'token-a' },
          { name: 'bob', token: 'token-b' },
        ],
        contexts: [
          { name: 'ctx-a', cluster: 'a', user: 'alice' },
          { name: 'ctx-b', cluster: 'b', user: 'bob', namespace: 'other' },
        ],
        current: 'ctx-a',
      }),
    );
    const session = new ClusterSession(loadKubeconfig({ path: file, env: {} }), OPTIONS);
    try {
      const switched: string[] = [];
      session.onDidSwitch((w) => switched.push(w.connection.context.name));
      const wa = await session.switchContext();
      assert.equal(wa.snapshot().pods.length, 2);
      await eventually(() => a.stats().watches === 4, 3000, 'watches on a');
      const wb = await session.switchContext('ctx-b');
      assert.equal(session.connection?.context.namespace, 'other');
      assert.equal(wb.snapshot().pods.length, 3);
      await a.waitForIdle(3000);
      assert.equal(a.stats().watches, 0);
      assert.equal(a.stats().connections, 0);
      await eventually(() => b.stats().watches === 4, 3000, 'watches on b');
      assert.deepEqual(switched, ['ctx-a', 'ctx-b']);
      await assert.rejects(session.switchContext('ctx-c'), /context "ctx-c" is not in the kubeconfig/);
      assert.equal(session.watcher, undefined);
      await b.waitForIdle(3000);
    } finally {
      await session.dispose();
      await assertNoLeaks(b, timers);
      await b.close();
    }
  });
});
