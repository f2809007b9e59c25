/** Shared set-up for the connectivity tests: the demo cluster, a connection, snapshots, leak checks. */
import { strict as assert } from 'node:assert';
import { loadKubeconfig, type ClusterConnection } from '../../src/cluster/kubeconfig';
import { readClusterOnce } from '../../src/cluster/watcher';
import type { ClusterSnapshot, Pod } from '../../src/core/model';
import { startDemoCluster, type DemoCluster, type DemoClusterOptions } from '../support/demo-cluster';
import type { RequestRecord } from '../support/fake-kube/server';

export const IMAGE = 'nicolaka/netshoot:v0.13';

/** Kubelet timers short enough for tests. */
export const FAST = { containerCreatingMs: 5, startMs: 10, backOffMs: 10 };

export interface Env {
  readonly demo: DemoCluster;
  readonly conn: ClusterConnection;
}

export async function startEnv(options: DemoClusterOptions = {}): Promise<Env> {
  const demo = await startDemoCluster({ extraPods: 40, ...options, fake: { kubelet: FAST, ...options.fake } });
  const conn = loadKubeconfig({ path: demo.kubeconfigPath, env: {} }).connect();
  return { demo, conn };
}

/** Checks that nothing is left open on the server, then closes it. */
export async function stopEnv(env: Env | undefined): Promise<void> {
  if (!env) return;
  try {
    await env.demo.fake.waitForIdle(3000);
    const s = env.demo.fake.stats();
    assert.equal(s.connections, 0, 'open connections');
    assert.equal(s.watches, 0, 'open watches');
    assert.equal(s.execSessions, 0, 'open exec sessions');
  } finally {
    await env.demo.close();
  }
}

export async function snapshotOf(conn: ClusterConnection): Promise<ClusterSnapshot> {
  return (await readClusterOnce(conn, { resources: ['namespaces', 'pods', 'services', 'networkpolicies'] })).snapshot;
}

export function podOf(snapshot: ClusterSnapshot, key: string): Pod {
  const [ns, name] = key.split('/');
  const pod = snapshot.pods.find((p) => p.namespace === ns && p.name === name);
  assert.ok(pod, `pod ${key} in the snapshot`);
  return pod;
}

/** Requests that change state (everything except GET and access reviews). */
export function writes(requests: readonly RequestRecord[]): string[] {
  return requests
    .filter((r) => r.method !== 'GET' && !r.path.endsWith('/selfsubjectaccessreviews'))
    .map((r) => `${r.method} ${r.path}${r.query.includes('dryRun=All') ? '?dryRun=All' : ''}`);
}

/**
 * Timers and sockets this process holds, by type (for leak checks around a test). Call it from
 * an async hook after an await ({@link baseline}), so mocha's own timer for the hook is counted
 * on both sides.
 */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** {@link activeResources}, measured once mocha's timer for the running hook exists. */
export async function baseline(): Promise<Record<string, number>> {
  await new Promise((resolve) => setImmediate(resolve));
  return activeResources();
}

/** Waits until the active timers and sockets are back to (at most) what they were. */
export async function expectNoLeaks(before: Record<string, number>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let now = activeResources();
  const over = (): string[] =>
    ['Timeout', 'TCPSocketWrap', 'TLSWrap'].filter((k) => (now[k] ?? 0) > (before[k] ?? 0)).map((k) => `${k}: ${before[k] ?? 0} → ${now[k]}`);
  while (over().length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    now = activeResources();
  }
  assert.deepEqual(over(), [], 'resources left active');
}

/** Fails when the server saw a write that src/cluster/debug/writes.ts does not list. */
export function assertOnlyListedWrites(requests: readonly RequestRecord[], listed: readonly { verb: string; resource: string }[]): void {
  const verbs: Record<string, string> = { POST: 'create', PATCH: 'patch', DELETE: 'delete', PUT: 'update' };
  for (const r of requests) {
    if (r.method === 'GET' || r.path.endsWith('/selfsubjectaccessreviews')) continue;
    const verb = verbs[r.method] ?? r.method;
    const resource = r.path.endsWith('/ephemeralcontainers')
      ? 'pods/ephemeralcontainers'
      : /\/networkpolicies(\/|$)/.test(r.path)
        ? 'networkpolicies.networking.k8s.io'
        : /\/pods(\/|$)/.test(r.path)
          ? 'pods'
          : r.path;
    assert.ok(listed.some((w) => w.verb === verb && w.resource === resource), `unlisted write: ${r.method} ${r.path}`);
  }
}

/** Polls until `fn` is true (or fails after `timeoutMs`). */
export async function until(fn: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
