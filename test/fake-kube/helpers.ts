/** Shared set-up for the fake API server's own tests: a seeded cluster, clients, leak checks. */
import * as k8s from '@kubernetes/client-node';
import { strict as assert } from 'node:assert';
import * as https from 'node:https';
import * as http from 'node:http';
import { runningPod, seed } from '../support/fake-kube/seed';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from '../support/fake-kube/server';
import type { KubeObject } from '../support/fake-kube/types';

/** A small "shop" namespace: two web pods, one db pod, a service, a node, a policy. */
export function shopManifests(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'shop' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'fake-node-1', labels: { 'kubernetes.io/hostname': 'fake-node-1' } },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.49.2' }] },
    },
    runningPod({ namespace: 'shop', name: 'web-1', labels: { app: 'web', tier: 'front' }, ip: '10.244.0.11' }),
    runningPod({ namespace: 'shop', name: 'web-2', labels: { app: 'web', tier: 'front' }, ip: '10.244.0.12' }),
    runningPod({ namespace: 'shop', name: 'db-0', labels: { app: 'db' }, ip: '10.244.0.13', containers: [{ name: 'postgres', image: 'postgres:16' }] }),
    runningPod({ namespace: 'other', name: 'client', labels: { app: 'client' }, ip: '10.244.0.21' }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], clusterIP: '10.96.0.10' },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'db-ingress', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
      },
    },
  ];
}

export interface Harness {
  fake: FakeKube;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  net: k8s.NetworkingV1Api;
  authz: k8s.AuthorizationV1Api;
}

/** Fast kubelet timers so status transitions take milliseconds. */
export const FAST_KUBELET = { containerCreatingMs: 5, startMs: 10, backOffMs: 10 };

export async function startHarness(options: FakeKubeOptions = {}): Promise<Harness> {
  const fake = await startFakeKube({ kubelet: FAST_KUBELET, ...options });
  seed(fake.store, shopManifests());
  const kc = fake.loadKubeConfig();
  return {
    fake,
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    net: kc.makeApiClient(k8s.NetworkingV1Api),
    authz: kc.makeApiClient(k8s.AuthorizationV1Api),
  };
}

/** Waits for every client connection to go, checks nothing leaks, closes the server, checks again. */
export async function stopHarness(fake: FakeKube | undefined): Promise<void> {
  if (!fake) return;
  try {
    await fake.waitForIdle(3000);
    const s = fake.stats();
    assert.equal(s.connections, 0, 'open connections before close');
    assert.equal(s.watches, 0, 'open watches before close');
    assert.equal(s.execSessions, 0, 'open exec sessions before close');
  } finally {
    await fake.close();
  }
  const after = fake.stats();
  assert.equal(after.connections, 0);
  assert.equal(after.watches, 0);
  assert.equal(after.execSessions, 0);
  assert.equal(after.kubeletTimers, 0);
  assert.equal(after.listening, false);
}

/** Polls until `check` returns a truthy value. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 2000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface WatchEvent {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw watch JSON
  object: any;
}

export interface WatchRecorder {
  events: WatchEvent[];
  done: Promise<unknown>;
  controller: AbortController;
  waitFor(pred: (e: WatchEvent) => boolean, what?: string): Promise<WatchEvent>;
  stop(): void;
}

/** Opens a client-node Watch and records its events. */
export async function recordWatch(
  kc: k8s.KubeConfig,
  path: string,
  params: Record<string, string | number | boolean | undefined>,
): Promise<WatchRecorder> {
  const events: WatchEvent[] = [];
  let resolveDone!: (err: unknown) => void;
  const done = new Promise<unknown>((resolve) => {
    resolveDone = resolve;
  });
  const controller = await new k8s.Watch(kc).watch(
    path,
    params,
    (type, object) => events.push({ type, object }),
    (err) => resolveDone(err),
  );
  return {
    events,
    done,
    controller,
    waitFor: (pred, what = 'watch event') => eventually(() => events.find(pred), 2000, what),
    stop: () => controller.abort(),
  };
}

/** Parses the Status JSON of an ApiException. */
export function statusOf(err: unknown): { code: number; body: Record<string, unknown> } {
  assert.ok(err instanceof k8s.ApiException, `expected ApiException, got ${String(err)}`);
  const e = err as k8s.ApiException<string | undefined>;
  // client-node 1.4.0 drops the body of a 401 (ApiException(401, "Unauthorized", undefined)).
  return { code: e.code, body: e.body === undefined ? {} : (JSON.parse(e.body) as Record<string, unknown>) };
}

export async function expectApiError(promise: Promise<unknown>, code: number): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    const s = statusOf(err);
    assert.equal(s.code, code, `status code; body ${JSON.stringify(s.body)}`);
    return s.body;
  }
  assert.fail(`expected HTTP ${code}`);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP(S) request to the fake, with its token and CA, for what client-node cannot send. */
export function rawRequest(
  fake: FakeKube,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; token?: string | null } = {},
): Promise<RawResponse> {
  const url = new URL(path, fake.url);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const token = options.token === undefined ? fake.token : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = (fake.tls ? https : http).request(
      url,
      { method, headers, ca: fake.caCert, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Stops a client-node informer without leaking its watch. In 1.4.0, `stop()` only aborts the
 * watch request it already holds: called while a re-watch is connecting (after the server opened
 * the stream, before `fetch` resolved), the new stream stays open forever. So wait until the
 * informer holds its request first.
 */
export async function stopInformer(informer: { stop(): Promise<void> | void }): Promise<void> {
  await eventually(() => (informer as unknown as { request?: unknown }).request !== undefined, 2000, 'informer request');
  await informer.stop();
}
