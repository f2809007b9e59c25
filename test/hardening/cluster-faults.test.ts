/**
 * Cluster faults through the fake API server, beyond what test/cluster/watcher.test.ts covers:
 * a server down at start, gone mid-watch and back with changes made meanwhile, answers slower
 * than the timeouts, rotating exec-plugin credentials after a 401, a static token that stops
 * working, 403s on some resources only, malformed JSON in a list and in a watch stream, a watch
 * that never ends, a 10,000-event flood, and the CLI's one-shot read under the same faults.
 *
 * Every test also checks, through `withGuards`: no unhandled promise rejection, nothing left
 * open after dispose (the fake's connection and watch counts, and this process's sockets and
 * timers from `process.getActiveResourcesInfo()`), and that the user-facing messages are one
 * clear line.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { run } from '../../src/cli/main';
import { ClusterError } from '../../src/cluster/errors';
import { loadKubeconfig, type ClusterConnection } from '../../src/cluster/kubeconfig';
import { readClusterOnce, ClusterWatcher, type ClusterWatcherOptions, type StreamError } from '../../src/cluster/watcher';
import type { FakeKube, FakeKubeOptions } from '../support/fake-kube/server';
import { runningPod } from '../support/fake-kube/seed';
import { closedPortUrl, connectTo, eventually, FAST_BACKOFF, incidentManifests, kubeconfigText, startFake, TempDir } from '../cluster/helpers';

const OPTIONS: ClusterWatcherOptions = { backoff: FAST_BACKOFF, requestTimeoutMs: 5000 };

/** Resources that mean something is still open: sockets, timers, child processes, pending fs work. */
const TRACKED = ['TCPSocketWrap', 'TCPWrap', 'TLSWrap', 'Timeout', 'PipeWrap', 'ProcessWrap', 'FSReqCallback', 'FSReqPromise', 'GetAddrInfoReqWrap'];

function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (TRACKED.includes(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function assertOneClearLine(message: string, what: string): void {
  assert.ok(message.length > 20 && message.length < 600, `${what}: ${message.length} characters: ${message}`);
  assert.doesNotMatch(message, /[\r\n]/, `${what}: one line`);
  assert.doesNotMatch(message, /\bat .*\.(js|ts):\d+|\[object Object\]|undefined|TypeError|SyntaxError: /, `${what}: no internals: ${message}`);
}

interface Guarded {
  fake: FakeKube;
  tmp: TempDir;
  /** Watchers and anything else to dispose before the leak check. */
  disposables: Array<{ dispose(): unknown }>;
  connect(options?: Parameters<FakeKube['kubeconfig']>[0]): ClusterConnection;
  watch(connection: ClusterConnection, options?: ClusterWatcherOptions): ClusterWatcher;
}

/**
 * Runs a test body with the fake API server and the guards: unhandled rejections recorded,
 * resources counted before and after, everything disposed, the fake idle.
 */
async function withGuards(fakeOptions: FakeKubeOptions, objects: unknown, body: (g: Guarded) => Promise<void>): Promise<void> {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const tmp = new TempDir();
  const fake = await startFake(fakeOptions, objects);
  const before = activeResources();
  const g: Guarded = {
    fake,
    tmp,
    disposables: [],
    connect: (o) => connectTo(fake, tmp, o ?? {}),
    watch: (connection, options = OPTIONS) => {
      const w = new ClusterWatcher(connection, options);
      g.disposables.push(w);
      return w;
    },
  };
  try {
    await body(g);
  } finally {
    try {
      for (const d of g.disposables.reverse()) await d.dispose();
      fake.hooks.clearFaults();
      if (!fake.stats().listening) await fake.hooks.resumeListening();
      await fake.waitForIdle(5000);
      assert.deepEqual([fake.stats().connections, fake.stats().watches], [0, 0], 'the fake sees nothing open');
      // Closed sockets and cleared timers leave the list within a few turns of the loop.
      let after = activeResources();
      for (let i = 0; i < 100 && [...after].some(([k, n]) => n > (before.get(k) ?? 0)); i++) {
        await new Promise((r) => setTimeout(r, 10));
        after = activeResources();
      }
      for (const [k, n] of after) assert.ok(n <= (before.get(k) ?? 0), `leaked ${k}: ${n} after, ${before.get(k) ?? 0} before (${process.getActiveResourcesInfo().join(', ')})`);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(rejections.map(String), [], 'no unhandled rejection');
    } finally {
      process.off('unhandledRejection', onRejection);
      await fake.close();
      tmp.cleanup();
    }
  }
}

function errorsOf(w: ClusterWatcher): StreamError[] {
  const out: StreamError[] = [];
  w.onDidError((e) => out.push(e));
  return out;
}

/** A full garbage collection, so heap sizes measure what is kept (mocha runs without --expose-gc). */
function gcNow(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('hardening: cluster faults', function () {
  this.timeout(30_000);

  it('API server down at start: Unreachable with a clear message; when it comes up the watcher syncs without being restarted', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      const connection = g.connect();
      await g.fake.hooks.stopListening();
      const w = g.watch(connection);
      const errors = errorsOf(w);
      await w.start();
      assert.ok(errors.length >= 4, `${errors.length} errors`);
      for (const e of errors) {
        assert.equal(e.error.kind, 'Unreachable');
        assert.match(e.error.userMessage, new RegExp(`^cannot reach the API server at ${g.fake.url.replace(/[.]/g, '\\.')}: connection refused \\(context "fake-kube"\\)\\. Check that the cluster is running`));
        assertOneClearLine(e.error.userMessage, 'down at start');
      }
      assert.deepEqual(w.snapshot().pods, []);
      await g.fake.hooks.resumeListening();
      await eventually(() => w.errors().length === 0 && w.snapshot().pods.length === 2 && w.streams().every((s) => s.phase === 'watching'), 5000, 'recovery');
      assert.deepEqual(w.snapshot().policies.map((p) => p.name), ['default-deny-ingress']);
    });
  });

  it('going away mid-watch and coming back: every stream recovers and the snapshot catches up on what changed meanwhile', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      const w = g.watch(g.connect());
      const errors = errorsOf(w);
      await w.start();
      await eventually(() => g.fake.stats().watches === 4, 3000, 'four watches');
      await g.fake.hooks.stopListening();
      // Changes the watcher cannot see while the server is away, on every resource it watches.
      g.fake.store.delete('pods', 'production', 'postgres-0');
      g.fake.store.create(runningPod({ namespace: 'production', name: 'added-while-down', labels: { app: 'new' }, ip: '10.244.9.9' }));
      g.fake.store.delete('networkpolicies', 'production', 'default-deny-ingress');
      g.fake.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'born-while-down' } });
      g.fake.store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'production' }, spec: { selector: { app: 'new' }, ports: [{ port: 80 }] } });
      await eventually(() => errors.length >= 4, 3000, 'errors while down');
      assert.ok(errors.every((e) => e.error.kind === 'Unreachable' && e.error.retryable));
      await g.fake.hooks.resumeListening();
      await eventually(() => w.errors().length === 0 && g.fake.stats().watches === 4, 5000, 'all four watches back');
      await eventually(() => {
        const s = w.snapshot();
        return (
          s.pods.map((p) => p.name).sort().join() === 'added-while-down,web-api-7d9f8b6c5d-x2k4q' &&
          s.policies.length === 0 &&
          s.namespaces.some((n) => n.name === 'born-while-down' && !n.inferred) &&
          s.services.map((x) => x.name).join() === 'svc'
        );
      }, 5000, 'the snapshot catches up');
    });
  });

  it('answers slower than the request timeout: a typed Timeout that says what to do, then recovery when the server is fast again', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      g.fake.hooks.setLatency({ path: '/api/v1/pods', method: 'GET' }, 400);
      const w = g.watch(g.connect(), { ...OPTIONS, resources: ['pods'], requestTimeoutMs: 100 });
      const errors = errorsOf(w);
      await w.start();
      const first = errors[0]!;
      assert.equal(first.error.kind, 'Timeout');
      assert.equal(first.error.userMessage, `the API server at ${g.fake.url} did not answer in time (context "fake-kube"). Check your network or VPN, then try again`);
      assert.equal(first.error.retryable, true);
      g.fake.hooks.clearFaults();
      await eventually(() => w.errors().length === 0 && w.snapshot().pods.length === 2, 5000, 'recovery');
      // Requests still delayed by the fake are abandoned, not leaked: the guard waits for them.
      await new Promise((r) => setTimeout(r, 450));
    });
  });

  it('slow access reviews: the watcher gives up on them (Timeout) and lets the real requests decide', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      g.fake.hooks.setLatency({ path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' }, 400);
      const w = g.watch(g.connect(), { ...OPTIONS, requestTimeoutMs: 150 });
      await w.start();
      assert.deepEqual(w.hidden(), []);
      assert.equal(w.snapshot().pods.length, 2);
      await new Promise((r) => setTimeout(r, 450));
    });
  });

  it('exec credential plugin: after a 401 the plugin is run again, its new token is used, and the watch recovers', async () => {
    await withGuards({ tokens: { 'fake-kube-token': 'admin', 'rotating-token-1': 'plugin-user' } }, incidentManifests(), async (g) => {
      const tokenFile = g.tmp.write('token', 'rotating-token-1');
      const runs = g.tmp.write('runs', '');
      // A credential plugin like a cloud's: reads the current token, says when it expires.
      const plugin = g.tmp.write(
        'plugin.js',
        `const fs = require('fs');\nfs.appendFileSync(${JSON.stringify(runs)}, 'x');\n` +
          `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', ` +
          `status: { token: fs.readFileSync(${JSON.stringify(tokenFile)}, 'utf8'), expirationTimestamp: new Date(Date.now() + 300).toISOString() } }));\n`,
      );
      const file = g.tmp.write(
        'config',
        kubeconfigText({
          clusters: [{ name: 'fake', server: g.fake.url, ca: g.fake.caCert }],
          users: [{ name: 'cloud', exec: { command: process.execPath, args: [plugin] } }],
          contexts: [{ name: 'cloud', cluster: 'fake', user: 'cloud' }],
          current: 'cloud',
        }),
      );
      const w = g.watch(loadKubeconfig({ path: file, env: {} }).connect(), { ...OPTIONS, resources: ['pods'] });
      const errors = errorsOf(w);
      await w.start();
      assert.equal(w.snapshot().pods.length, 2);
      await eventually(() => g.fake.stats().watches === 1, 3000, 'watch');
      // The token expires on the server; the plugin will hand out a new one.
      writeFileSync(tokenFile, 'rotating-token-2');
      g.fake.hooks.addToken('rotating-token-2', 'plugin-user');
      g.fake.hooks.expireToken('rotating-token-1');
      g.fake.store.create(runningPod({ namespace: 'production', name: 'after-rotation', ip: '10.244.7.1' }));
      g.fake.hooks.closeAllWatches();
      await eventually(() => w.snapshot().pods.some((p) => p.name === 'after-rotation') && w.errors().length === 0 && g.fake.stats().watches === 1, 8000, 'recovery with the new token');
      const users = new Set(g.fake.requests().filter((r) => r.status === 200 || r.status === 201).map((r) => r.user));
      assert.deepEqual([...users], ['plugin-user']);
      // Errors seen while the cached token was still used, if any, said what happened.
      for (const e of errors) {
        assert.equal(e.error.kind, 'Expired');
        assertOneClearLine(e.error.userMessage, 'expired plugin token');
      }
      const authorised = g.fake.requests().filter((r) => r.path === '/api/v1/pods' && r.status !== 401).length;
      assert.ok(authorised >= 2);
      assert.ok(readFileSync(runs, 'utf8').length >= 2, 'the plugin ran again');
    });
  });

  it('a static token that stops working: Expired (it worked before), with a message that says to log in again; a bad one from the start: Unauthorized', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      const w = g.watch(g.connect(), { ...OPTIONS, resources: ['pods'] });
      await w.start();
      g.fake.hooks.expireToken(g.fake.token);
      g.fake.hooks.closeAllWatches();
      const e = await eventually(() => w.errors()[0], 3000, 'an error');
      assert.equal(e.error.kind, 'Expired');
      assert.equal(
        e.error.userMessage,
        'your credentials (context "fake-kube") stopped working (HTTP 401 after earlier requests succeeded): they have probably expired. Log in again (re-run your cluster\'s login or get-credentials command), then reconnect',
      );
      const bad = g.watch(g.connect({ token: 'never-valid' }), { ...OPTIONS, resources: ['pods'] });
      await bad.start();
      const u = bad.errors()[0]!;
      assert.equal(u.error.kind, 'Unauthorized');
      assert.equal(
        u.error.userMessage,
        `the API server at ${g.fake.url} rejected your credentials (HTTP 401) (context "fake-kube"). Check the user's token or certificate in the kubeconfig, or log in again with your cluster's login command`,
      );
    });
  });

  it('403 on some resources only: those are reported hidden with the reason, the rest is watched', async () => {
    await withGuards(
      { rbac: { rules: [{ verbs: ['list', 'watch'], resources: ['services'], allow: false }, { verbs: ['watch'], resources: ['networkpolicies'], allow: false }] } },
      incidentManifests(),
      async (g) => {
        const w = g.watch(g.connect(), { ...OPTIONS, pollIntervalMs: 60_000 });
        await w.start();
        assert.deepEqual(w.hidden().map((h) => `${h.resource} ${h.namespace}`), ['services *', 'services default']);
        for (const h of w.hidden()) assertOneClearLine(h.reason, 'hidden');
        assert.match(w.hidden()[0]!.reason, /^Forbidden: you cannot list services across all namespaces \(RBAC, context "fake-kube"\)\. Ask for a cluster-wide "view" role, or set netlens\.namespaces/);
        assert.deepEqual(
          w.streams().map((s) => `${s.resource}:${s.phase}`).sort(),
          ['namespaces:watching', 'networkpolicies:polling', 'pods:watching'],
        );
        assert.equal(w.snapshot().policies.length, 1);
      },
    );
  });

  it('malformed JSON in a list: a typed error with a clear message, no crash; the next list succeeds', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      g.fake.hooks.malformed({ path: '/api/v1/pods', method: 'GET', times: 1 });
      const w = g.watch(g.connect(), { ...OPTIONS, resources: ['pods'] });
      const errors = errorsOf(w);
      await w.start();
      assert.equal(errors.length, 1);
      assert.ok(errors[0]!.error instanceof ClusterError);
      assertOneClearLine(errors[0]!.error.userMessage, 'malformed list');
      assert.match(errors[0]!.error.userMessage, /^the API server at https:\/\/127\.0\.0\.1:\d+ sent a response netlens cannot read \(invalid JSON\) \(context "fake-kube"\)/);
      await eventually(() => w.errors().length === 0 && w.snapshot().pods.length === 2, 3000, 'recovery');
    });
  });

  it('malformed JSON in a watch stream: the line is dropped, the watch is opened again and events keep coming', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      const w = g.watch(g.connect(), { ...OPTIONS, resources: ['pods'] });
      await w.start();
      const watchesBefore = g.fake.requests().filter((r) => r.path === '/api/v1/pods' && r.query.includes('watch=true')).length;
      g.fake.hooks.malformed({ path: '/api/v1/pods', method: 'GET', times: 2 });
      g.fake.hooks.closeAllWatches();
      await eventually(() => g.fake.requests().filter((r) => r.path === '/api/v1/pods' && r.query.includes('watch=true')).length >= watchesBefore + 3, 5000, 're-watches');
      g.fake.store.create(runningPod({ namespace: 'production', name: 'after-garbage', ip: '10.244.8.1' }));
      await eventually(() => w.snapshot().pods.some((p) => p.name === 'after-garbage'), 3000, 'events flow again');
      assert.deepEqual(w.errors(), []);
    });
  });

  it('a watch that never ends, and one whose server never answers: dispose closes both at once', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      const w = g.watch(g.connect(), { ...OPTIONS, resources: ['pods'] });
      await w.start();
      await eventually(() => g.fake.stats().watches === 1, 3000, 'an open watch');
      // A second watcher whose watch request hangs before any header (a stuck proxy).
      g.fake.hooks.setLatency({ path: '/api/v1/pods', method: 'GET' }, 60_000);
      const stuck = g.watch(g.connect(), { ...OPTIONS, resources: ['namespaces', 'pods'], requestTimeoutMs: 60_000 });
      const starting = stuck.start();
      await eventually(() => g.fake.stats().connections >= 2, 3000, 'the stuck request is open');
      const t = Date.now();
      await Promise.all([w.dispose(), stuck.dispose()]);
      await starting;
      assert.ok(Date.now() - t < 1000, `dispose took ${Date.now() - t} ms`);
      g.fake.hooks.clearFaults();
      await g.fake.waitForIdle(3000);
    });
  });

  it('a flood of 10,000 events: the snapshot ends correct, memory stays bounded, nothing is left pending', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      const w = g.watch(g.connect(), { ...OPTIONS, resources: ['pods'] });
      let changes = 0;
      w.onDidChange((batch) => (changes += batch.length));
      await w.start();
      await eventually(() => g.fake.stats().watches === 1, 3000, 'watch');
      gcNow();
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = Date.now();
      g.fake.hooks.flood(10_000, { namespace: 'production', name: 'postgres-0' });
      const flooded = Date.now() - t0;
      await eventually(() => w.snapshot().pods.find((p) => p.name === 'postgres-0') && changes >= 10_000, 20_000, '10,000 events');
      gcNow();
      const grown = process.memoryUsage().heapUsed - heapBefore;
      if (process.env.NETLENS_FUZZ_REPORT) console.log(`      [flood] 10,000 events written in ${flooded} ms, applied after ${Date.now() - t0} ms, heap +${(grown / 1024 / 1024).toFixed(1)} MiB`);
      // The store keeps one copy per object, not one per event (10,000 copies of a pod are ~30 MB).
      assert.ok(grown < 10 * 1024 * 1024, `heap grew ${(grown / 1024 / 1024).toFixed(1)} MiB`);
      assert.equal(w.snapshot().pods.length, 2);
      const rv = w.streams()[0]!.resourceVersion;
      assert.equal(rv, String(g.fake.store.currentRv), 'resumes from the last event');
      assert.deepEqual(w.errors(), []);
    });
  });

  it('the CLI under the same faults: one clear line, exit 2, nothing left open', async () => {
    await withGuards({}, incidentManifests(), async (g) => {
      const config = g.tmp.write('kubeconfig', g.fake.kubeconfig());
      const REACH = ['--from', 'production/web-api-7d9f8b6c5d-x2k4q', '--to', 'production/postgres-0', '--port', '5432'];
      const cli = async (argv: string[]): Promise<{ code: number; err: string[] }> => {
        const err: string[] = [];
        const code = await run(argv, { out: async () => undefined, err: (t) => void err.push(t) });
        return { code, err };
      };
      g.fake.hooks.malformed({ path: '/apis/networking.k8s.io/v1/networkpolicies', method: 'GET', times: 1 });
      const malformed = await cli(['reach', '--kubeconfig', config, ...REACH]);
      assert.equal(malformed.code, 2);
      assert.equal(malformed.err.length, 1);
      assert.match(malformed.err[0]!, /^netlens: the API server at https:\/\/127\.0\.0\.1:\d+ sent a response netlens cannot read \(invalid JSON\)/);

      g.fake.hooks.setLatency({ path: '/api/v1/pods' }, 300);
      const slow = await readClusterOnce(g.connect(), { requestTimeoutMs: 100 }).then(
        () => assert.fail('expected a timeout'),
        (e: unknown) => e,
      );
      assert.ok(slow instanceof ClusterError && slow.kind === 'Timeout', String(slow));
      g.fake.hooks.clearFaults();
      await new Promise((r) => setTimeout(r, 350));

      await g.fake.hooks.stopListening();
      const down = await cli(['matrix', '--kubeconfig', config, '--summary']);
      assert.equal(down.code, 2);
      assert.deepEqual(down.err, [`netlens: cannot reach the API server at ${g.fake.url}: connection refused (context "fake-kube"). Check that the cluster is running and that you are on the right network or VPN`]);
      await g.fake.hooks.resumeListening();

      const dead = await closedPortUrl();
      const deadConfig = g.tmp.write('dead', kubeconfigText({ clusters: [{ name: 'c', server: dead }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'dead', cluster: 'c', user: 'u' }], current: 'dead' }));
      const never = await cli(['lint', '--kubeconfig', deadConfig]);
      assert.equal(never.code, 2);
      assert.equal(never.err.length, 1);
    });
  });
});
