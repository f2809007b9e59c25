import * as k8s from '@kubernetes/client-node';
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { eventually, expectApiError, recordWatch, startHarness, stopHarness, type Harness } from './helpers';

describe('fake-kube: fault switches and teardown', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await stopHarness(h?.fake);
  });

  it('adds latency to matching requests only', async () => {
    h.fake.hooks.setLatency({ path: '/api/v1/namespaces/shop/pods' }, 300);
    const order: string[] = [];
    const started = Date.now();
    const slow = h.core.listNamespacedPod({ namespace: 'shop' }).then(() => order.push('slow'));
    const fast = h.core.listNamespace().then(() => order.push('fast'));
    await Promise.all([slow, fast]);
    assert.ok(Date.now() - started >= 295, 'the slow path waited');
    assert.deepEqual(order, ['fast', 'slow'], 'other paths are not delayed');
    h.fake.hooks.clearFaults();
    const again: string[] = [];
    h.fake.hooks.setLatency({ path: '/api/v1/namespaces', method: 'GET', times: 1 }, 300);
    await Promise.all([
      h.core.listNamespace().then(() => again.push('delayed once')),
      new Promise((r) => setTimeout(r, 50)).then(() => h.core.listNamespace()).then(() => again.push('not delayed')),
    ]);
    assert.deepEqual(again, ['not delayed', 'delayed once']);
  });

  it('answers malformed JSON for a path', async () => {
    h.fake.hooks.malformed({ path: /\/pods$/, method: 'GET', times: 1 });
    await assert.rejects(h.core.listNamespacedPod({ namespace: 'shop' }), (err: unknown) => {
      assert.ok(!(err instanceof k8s.ApiException));
      assert.ok(err instanceof SyntaxError, String(err));
      return true;
    });
    assert.equal((await h.core.listNamespacedPod({ namespace: 'shop' })).items.length, 3, 'times: 1');
  });

  it('fails requests with an injected status', async () => {
    h.fake.hooks.failRequests({ path: '/api/v1/nodes', times: 2 }, { code: 503, message: 'etcd is sad', retryAfterSeconds: 1 });
    const body = await expectApiError(h.core.listNode(), 503);
    assert.equal(body.reason, 'ServiceUnavailable');
    assert.equal(body.message, 'etcd is sad');
    await expectApiError(h.core.listNode(), 503);
    assert.equal((await h.core.listNode()).items.length, 1);
  });

  it('stops listening (connection refused) and comes back on the same port', async () => {
    const url = h.fake.url;
    const w = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: h.fake.store.resourceVersion });
    await eventually(() => h.fake.stats().watches === 1, 2000, 'watch');
    await h.fake.hooks.stopListening();
    assert.equal(h.fake.stats().listening, false);
    assert.equal(h.fake.stats().connections, 0);
    assert.notEqual(await w.done, undefined, 'the watch ends with an error');
    await assert.rejects(h.core.listNamespace(), (err: unknown) => {
      assert.match(String((err as Error).message), /ECONNREFUSED/);
      return true;
    });
    await h.fake.hooks.resumeListening();
    assert.equal(h.fake.url, url);
    assert.equal((await h.core.listNamespace()).items.length, 2);
  });

  it('drops every connection but keeps listening', async () => {
    const w = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: h.fake.store.resourceVersion });
    await eventually(() => h.fake.stats().watches === 1, 2000, 'watch');
    h.fake.hooks.dropConnections();
    await w.done;
    assert.equal((await h.core.listNamespace()).items.length, 2);
  });

  it('closes all watches cleanly, and floods a watch with events', async () => {
    const a = await recordWatch(h.kc, '/api/v1/pods', { resourceVersion: h.fake.store.resourceVersion });
    const b = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', { resourceVersion: h.fake.store.resourceVersion, labelSelector: 'app=db' });
    await eventually(() => h.fake.stats().watches === 2, 2000, 'watches');
    h.fake.hooks.flood(500, { namespace: 'shop', name: 'web-2' });
    await eventually(() => a.events.length === 500, 5000, '500 events');
    assert.equal(b.events.length, 0, 'selectors still apply');
    assert.equal(a.events.at(-1)?.object.metadata.annotations['fake-kube/flood'], '500');
    assert.equal(h.fake.hooks.closeAllWatches(), 2);
    assert.equal(await a.done, null);
    assert.equal(await b.done, null);
  });

  it('closes with open watches, informers and exec sessions, leaving nothing open', async () => {
    const informer = k8s.makeInformer(h.kc, '/api/v1/pods', () => h.core.listPodForAllNamespaces());
    informer.on('error', () => undefined);
    await informer.start();
    const w = await recordWatch(h.kc, '/api/v1/nodes', { resourceVersion: '0', allowWatchBookmarks: true });
    h.fake.hooks.setExecHandler(() => new Promise(() => undefined));
    await new k8s.Exec(h.kc).exec('shop', 'web-1', 'app', ['sleep', '100'], new PassThrough(), new PassThrough(), null, false);
    await eventually(() => h.fake.stats().watches === 2 && h.fake.stats().execSessions === 1, 2000, 'all open');
    assert.ok(h.fake.stats().connections >= 3);
    await h.fake.close();
    assert.deepEqual(
      { ...h.fake.stats(), totalConnections: 0, totalRequests: 0 },
      { connections: 0, watches: 0, execSessions: 0, kubeletTimers: 0, totalConnections: 0, totalRequests: 0, listening: false },
    );
    await w.done;
    await informer.stop();
    // close() is idempotent.
    await h.fake.close();
  });
});
