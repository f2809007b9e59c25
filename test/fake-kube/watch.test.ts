import * as k8s from '@kubernetes/client-node';
import { strict as assert } from 'node:assert';
import { runningPod } from '../support/fake-kube/seed';
import { eventually, recordWatch, startHarness, stopHarness, stopInformer, type Harness } from './helpers';

describe('fake-kube: watch and informers (client-node 1.4.0)', () => {
  let h: Harness;
  afterEach(async () => {
    await stopHarness(h?.fake);
  });

  it('streams ADDED, MODIFIED and DELETED from a list resourceVersion', async () => {
    h = await startHarness();
    const list = await h.core.listNamespacedPod({ namespace: 'shop' });
    const w = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', { resourceVersion: list.metadata?.resourceVersion });
    await eventually(() => h.fake.stats().watches === 1, 2000, 'watch open');
    h.fake.store.create(runningPod({ namespace: 'shop', name: 'web-3', labels: { app: 'web' } }));
    h.fake.store.create(runningPod({ namespace: 'other', name: 'elsewhere' }));
    h.fake.store.modify('pods', 'shop', 'web-3', (p) => {
      p.metadata.labels = { app: 'web', version: 'v2' };
    });
    h.fake.store.delete('pods', 'shop', 'web-3');
    await w.waitFor((e) => e.type === 'DELETED');
    assert.deepEqual(
      w.events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED web-3', 'MODIFIED web-3', 'DELETED web-3'],
    );
    // Watch objects are raw JSON with kind and apiVersion, RVs increasing.
    assert.equal(w.events[0].object.kind, 'Pod');
    assert.equal(typeof w.events[0].object.metadata.creationTimestamp, 'string');
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs);
    assert.equal(String(rvs[2]), h.fake.store.resourceVersion);
    w.stop();
    // A client-side abort ends the watch with node-fetch's AbortError.
    assert.equal((await w.done as Error).name, 'AbortError');
  });

  it('replays events after an older resourceVersion, then streams live', async () => {
    h = await startHarness();
    const rv = h.fake.store.resourceVersion;
    h.fake.store.modify('pods', 'shop', 'db-0', (p) => {
      p.metadata.annotations = { note: 'one' };
    });
    const w = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: rv });
    await w.waitFor((e) => e.type === 'MODIFIED' && e.object.metadata.annotations?.note === 'one', 'replayed event');
    h.fake.store.modify('pods', 'shop', 'db-0', (p) => {
      p.metadata.annotations = { note: 'two' };
    });
    await w.waitFor((e) => e.object.metadata.annotations?.note === 'two', 'live event');
    assert.equal(w.events.length, 2);
    w.stop();
    await w.done;
  });

  it('applies selectors to events, turning label changes into ADDED and DELETED', async () => {
    h = await startHarness();
    const w = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', { resourceVersion: h.fake.store.resourceVersion, labelSelector: 'app=web' });
    const byName = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', {
      resourceVersion: h.fake.store.resourceVersion,
      fieldSelector: 'metadata.name=db-0',
    });
    await eventually(() => h.fake.stats().watches === 2, 2000, 'watches open');
    h.fake.store.modify('pods', 'shop', 'db-0', (p) => {
      p.metadata.annotations = { touched: '1' };
    });
    h.fake.store.modify('pods', 'shop', 'web-1', (p) => {
      p.metadata.labels = { app: 'retired' };
    });
    h.fake.store.modify('pods', 'shop', 'db-0', (p) => {
      p.metadata.labels = { app: 'web' };
    });
    await w.waitFor((e) => e.type === 'ADDED');
    assert.deepEqual(
      w.events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['DELETED web-1', 'ADDED db-0'],
    );
    await byName.waitFor((e) => e.object.metadata.labels?.app === 'web');
    assert.deepEqual(
      byName.events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['MODIFIED db-0', 'MODIFIED db-0'],
    );
    w.stop();
    byName.stop();
    await Promise.all([w.done, byName.done]);
  });

  it('sends BOOKMARK events when asked, at the configured interval', async () => {
    h = await startHarness({ bookmarkIntervalMs: 20 });
    const w = await recordWatch(h.kc, '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies', {
      resourceVersion: h.fake.store.resourceVersion,
      allowWatchBookmarks: true,
    });
    const bookmark = await w.waitFor((e) => e.type === 'BOOKMARK');
    assert.deepEqual(bookmark.object, {
      kind: 'NetworkPolicy',
      apiVersion: 'networking.k8s.io/v1',
      metadata: { resourceVersion: h.fake.store.resourceVersion },
    });
    const plain = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: h.fake.store.resourceVersion });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(plain.events.length, 0, 'no bookmarks unless allowWatchBookmarks');
    w.stop();
    plain.stop();
    await Promise.all([w.done, plain.done]);
  });

  it('sends an ERROR 410 event and ends the stream for a too old resourceVersion', async () => {
    h = await startHarness();
    const old = h.fake.store.resourceVersion;
    h.fake.store.modify('pods', 'shop', 'web-1', (p) => {
      p.metadata.annotations = { a: 'b' };
    });
    h.fake.hooks.expireBefore(h.fake.store.currentRv);
    const w = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', { resourceVersion: old });
    assert.equal(await w.done, null, 'a clean end of stream after the ERROR event');
    assert.deepEqual(w.events, [
      {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${old} (${h.fake.store.currentRv})`,
          reason: 'Expired',
          code: 410,
        },
      },
    ]);
  });

  it('trims the event log: resourceVersions older than the log expire by themselves', async () => {
    h = await startHarness({ eventLogSize: 3 });
    const old = h.fake.store.resourceVersion;
    h.fake.hooks.flood(3, { namespace: 'shop', name: 'web-1' });
    const stillOk = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: old });
    await stillOk.waitFor((e) => e.object.metadata.annotations?.['fake-kube/flood'] === '3');
    h.fake.hooks.flood(1, { namespace: 'shop', name: 'web-1' });
    const expired = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: old });
    await expired.done;
    assert.equal(expired.events[0].type, 'ERROR');
    assert.equal(expired.events[0].object.code, 410);
    stillOk.stop();
    await stillOk.done;
  });

  it('honours timeoutSeconds and keeps other streams open', async () => {
    h = await startHarness();
    const started = Date.now();
    const short = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: h.fake.store.resourceVersion, timeoutSeconds: 0.05 });
    const long = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: h.fake.store.resourceVersion });
    assert.equal(await short.done, null);
    assert.ok(Date.now() - started >= 40);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(h.fake.stats().watches, 1);
    long.stop();
    await long.done;
  });

  it('answers a forbidden watch with Error("Forbidden") and statusCode 403', async () => {
    h = await startHarness();
    h.fake.hooks.setRbac({ rules: [{ verbs: ['watch'], resources: ['pods'], allow: false }] });
    const w = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: '0' });
    const err = (await w.done) as Error & { statusCode?: number };
    assert.equal(err.message, 'Forbidden');
    assert.equal(err.statusCode, 403);
  });

  it('can start a watch from "now" or with synthetic ADDED events', async () => {
    h = await startHarness({ watchFromEmptyRv: 'synthetic-added' });
    const w = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', { resourceVersion: '' });
    await eventually(() => w.events.length === 3, 2000, 'synthetic ADDED');
    assert.deepEqual(
      w.events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED db-0', 'ADDED web-1', 'ADDED web-2'],
    );
    w.stop();
    await w.done;
  });

  it('feeds an informer: list, then add, update and delete events', async () => {
    h = await startHarness();
    const informer = k8s.makeInformer(h.kc, '/api/v1/namespaces/shop/pods', () => h.core.listNamespacedPod({ namespace: 'shop' }));
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata?.name}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
    await informer.start();
    await eventually(() => h.fake.stats().watches === 1, 2000, 'informer watch');
    h.fake.store.create(runningPod({ namespace: 'shop', name: 'cache-0', labels: { app: 'cache' } }));
    h.fake.store.modify('pods', 'shop', 'cache-0', (p) => {
      p.metadata.labels = { app: 'cache', v: '2' };
    });
    h.fake.store.delete('pods', 'shop', 'web-2');
    await eventually(() => seen.includes('delete web-2'), 2000, 'delete event');
    assert.deepEqual(seen, ['add db-0', 'add web-1', 'add web-2', 'add cache-0', 'update cache-0', 'delete web-2']);
    assert.deepEqual(
      informer
        .list('shop')
        .map((p) => p.metadata?.name)
        .sort(),
      ['cache-0', 'db-0', 'web-1'],
    );
    await stopInformer(informer);
  });

  it('makes an informer relist after a 410 (ERROR event on open watches)', async () => {
    h = await startHarness();
    let lists = 0;
    const informer = k8s.makeInformer(h.kc, '/api/v1/pods', () => {
      lists++;
      return h.core.listPodForAllNamespaces();
    });
    await informer.start();
    await eventually(() => h.fake.stats().watches === 1, 2000, 'informer watch');
    assert.equal(lists, 1);
    assert.equal(h.fake.hooks.expireAllWatches(), 1);
    await eventually(() => lists === 2 && h.fake.stats().watches === 1, 2000, 'relist and re-watch');
    h.fake.store.create(runningPod({ namespace: 'other', name: 'late' }));
    await eventually(() => informer.get('late', 'other'), 2000, 'event after relist');
    await stopInformer(informer);
  });

  it('makes an informer relist when its resourceVersion expired while it reconnected', async () => {
    h = await startHarness();
    let lists = 0;
    const informer = k8s.makeInformer(h.kc, '/api/v1/namespaces/shop/pods', () => {
      lists++;
      return h.core.listNamespacedPod({ namespace: 'shop' });
    });
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    await eventually(() => h.fake.stats().watches === 1, 2000, 'informer watch');
    // The re-watch is slow; meanwhile the cluster moves on and compacts.
    h.fake.hooks.setLatency({ path: '/api/v1/namespaces/shop/pods', times: 1 }, 100);
    h.fake.hooks.closeAllWatches();
    h.fake.store.delete('pods', 'shop', 'web-1');
    h.fake.hooks.expireBefore(h.fake.store.currentRv);
    await eventually(() => lists === 2 && h.fake.stats().watches === 1, 3000, 'relist after 410');
    assert.equal(informer.get('web-1', 'shop'), undefined, 'the relist saw the delete');
    assert.deepEqual(errors, []);
    await stopInformer(informer);
  });

  it('supports a ListWatch with a field selector (kubectl debug style wait)', async () => {
    h = await startHarness();
    const lw = new k8s.ListWatch(
      '/api/v1/namespaces/shop/pods',
      new k8s.Watch(h.kc),
      () => h.core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'metadata.name=web-1' }),
      false,
      undefined,
      'metadata.name=web-1',
    );
    const updates: string[] = [];
    lw.on('update', (p) => updates.push(String(p.metadata?.annotations?.step)));
    await lw.start();
    await eventually(() => h.fake.stats().watches === 1, 2000, 'watch');
    h.fake.store.modify('pods', 'shop', 'web-2', (p) => {
      p.metadata.annotations = { step: 'other pod' };
    });
    h.fake.store.modify('pods', 'shop', 'web-1', (p) => {
      p.metadata.annotations = { step: 'mine' };
    });
    await eventually(() => updates.length === 1, 2000, 'update');
    assert.deepEqual(updates, ['mine']);
    assert.deepEqual(
      lw.list().map((p) => p.metadata?.name),
      ['web-1'],
    );
    await stopInformer(lw);
  });
});
