/** Shared set-up for the cluster layer's tests: a fake API server, kubeconfig files, leak checks. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeKube, type FakeKube, type FakeKubeOptions, type KubeconfigOptions } from '../support/fake-kube/server';
import { runningPod, seed } from '../support/fake-kube/seed';
import type { KubeObject } from '../support/fake-kube/types';
import { loadKubeconfig } from '../../src/cluster/kubeconfig';
import type { ClusterConnection } from '../../src/cluster/kubeconfig';

export const FAST_BACKOFF = { initialMs: 10, maxMs: 50, factor: 2, jitter: 0.2 };

/** The seed incident: production with a default-deny, postgres-0 and web-api. */
export function incidentManifests(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production', labels: { 'kubernetes.io/metadata.name': 'production' } } },
    runningPod({
      namespace: 'production',
      name: 'postgres-0',
      labels: { app: 'postgres' },
      ip: '10.244.1.45',
      containers: [{ name: 'postgres', image: 'postgres:16', ports: [{ name: 'postgresql', containerPort: 5432 }] }],
    }),
    runningPod({
      namespace: 'production',
      name: 'web-api-7d9f8b6c5d-x2k4q',
      labels: { app: 'web-api', 'pod-template-hash': '7d9f8b6c5d' },
      ip: '10.244.2.17',
      containers: [{ name: 'web-api', image: 'example/web-api:1.0', ports: [{ name: 'http', containerPort: 8080 }] }],
    }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-ingress', namespace: 'production' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
  ];
}

export function allowDbAccess(): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-db-access', namespace: 'production' },
    spec: {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web-api' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    },
  };
}

export async function startFake(options: FakeKubeOptions = {}, objects: unknown = incidentManifests()): Promise<FakeKube> {
  const fake = await startFakeKube(options);
  seed(fake.store, objects);
  return fake;
}

/** A temp directory removed by `cleanup()`. */
export class TempDir {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-cluster-'));

  write(name: string, text: string): string {
    const file = path.join(this.dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A connection to the fake through a kubeconfig file, as a user would have it. */
export function connectTo(fake: FakeKube, tmp: TempDir, options: KubeconfigOptions = {}, name = 'kubeconfig'): ClusterConnection {
  const file = tmp.write(name, fake.kubeconfig(options));
  return loadKubeconfig({ path: file, env: {} }).connect();
}

export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Checks the fake sees no open connection or watch, and no timer of ours is pending. */
export async function assertNoLeaks(fake: FakeKube, timersBefore: number): Promise<void> {
  await fake.waitForIdle(3000);
  const s = fake.stats();
  assert.equal(s.connections, 0, 'open connections');
  assert.equal(s.watches, 0, 'open watches');
  // Give closed sockets' timers a moment to go.
  for (let i = 0; i < 50 && activeTimers() > timersBefore; i++) await new Promise((r) => setImmediate(r));
  assert.ok(activeTimers() <= timersBefore, `pending timers: ${activeTimers()} > ${timersBefore} (${process.getActiveResourcesInfo().join(', ')})`);
}

export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 3000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface KubeconfigEntry {
  clusters?: { name: string; server: string; ca?: string; insecure?: boolean; caFile?: string }[];
  users?: { name: string; token?: string; exec?: { command: string; args?: string[]; env?: { name: string; value: string }[] } }[];
  contexts?: { name: string; cluster: string; user: string; namespace?: string }[];
  current?: string;
}

/** A kubeconfig YAML (as JSON, which is YAML) from parts. */
export function kubeconfigText(k: KubeconfigEntry): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: (k.clusters ?? []).map((c) => ({
        name: c.name,
        cluster: {
          server: c.server,
          ...(c.ca ? { 'certificate-authority-data': Buffer.from(c.ca).toString('base64') } : {}),
          ...(c.caFile ? { 'certificate-authority': c.caFile } : {}),
          ...(c.insecure ? { 'insecure-skip-tls-verify': true } : {}),
        },
      })),
      users: (k.users ?? []).map((u) => ({
        name: u.name,
        user: {
          ...(u.token ? { token: u.token } : {}),
          ...(u.exec ? { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', ...u.exec } } : {}),
        },
      })),
      contexts: (k.contexts ?? []).map((c) => ({
        name: c.name,
        context: { cluster: c.cluster, user: c.user, ...(c.namespace ? { namespace: c.namespace } : {}) },
      })),
      ...(k.current ? { 'current-context': k.current } : {}),
    },
    null,
    2,
  );
}

/** A closed port on 127.0.0.1 (nothing listens there). */
export async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `https://127.0.0.1:${port}`;
}
