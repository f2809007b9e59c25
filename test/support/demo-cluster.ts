/**
 * The demo cluster: the seed incident plus a few hundred ordinary pods, served by the fake API
 * server with the simulated data plane (dataplane.ts) answering exec. Deterministic: the same
 * options give the same objects, names and IPs.
 *
 * - `production` (labelled kubernetes.io/metadata.name=production): postgres-0 (app=postgres,
 *   10.244.1.45, port 5432 `postgresql`), three web-api replicas (app=web-api,
 *   pod-template-hash=7d9f8b6c5d, 10.244.2.17…, port 8080 `http`), workers, Services `postgres` and
 *   `web-api`, and `default-deny-ingress` (with an exception for the ingress controller → web-api).
 *   The incident: web-api → postgres:5432 times out.
 * - `kube-system`: two CoreDNS pods (k8s-app=kube-dns, 53/UDP `dns`, 53/TCP `dns-tcp`, 9153
 *   `metrics`), the `kube-dns` Service 10.96.0.10, and kube-proxy on the host network.
 * - `ingress-nginx`, `monitoring`, `shop` (checkout's egress policy forgets DNS), `staging`,
 *   `batch`, and `team-01`… namespaces of generated pods up to `extraPods`.
 *
 * `startDemoCluster()` also powers `npm start`'s demo cluster (through a demo hook): it returns
 * the server and the path of a kubeconfig for it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDataplane, type Dataplane, type DataplaneFaults } from './dataplane';
import { runningPod, seed } from './fake-kube/seed';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from './fake-kube/server';
import type { KubeObject } from './fake-kube/types';

export interface DemoClusterOptions {
  /** Options of the fake API server (kubelet timers, RBAC, ...). */
  readonly fake?: FakeKubeOptions;
  /** Data plane faults to start with (change them later with `dataplane.setFaults`). */
  readonly faults?: DataplaneFaults;
  /** Generated pods on top of the named ones (default 300). */
  readonly extraPods?: number;
  /** Where to write the kubeconfig (default a new temporary directory, removed by `close()`). */
  readonly kubeconfigDir?: string;
  /** The kubeconfig context name (default `netlens-demo`). */
  readonly context?: string;
}

export interface DemoCluster {
  readonly fake: FakeKube;
  readonly dataplane: Dataplane;
  readonly kubeconfigPath: string;
  readonly context: string;
  /** Closes the server, ends pending data plane delays, removes a temporary kubeconfig directory. */
  close(): Promise<void>;
}

export const DEMO_NODES = [
  { name: 'node-a', ip: '192.168.49.2', cidr: '10.244.1.0/24' },
  { name: 'node-b', ip: '192.168.49.3', cidr: '10.244.2.0/24' },
  { name: 'node-c', ip: '192.168.49.4', cidr: '10.244.3.0/24' },
] as const;

export const WEB_API_PODS = ['web-api-7d9f8b6c5d-x2k4q', 'web-api-7d9f8b6c5d-p8m3z', 'web-api-7d9f8b6c5d-r5t7w'] as const;

type Port = { name?: string; containerPort: number; protocol?: string };

function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

function pod(ns: string, name: string, labels: Record<string, string>, ip: string, node: string, container: string, image: string, ports: Port[] = [], extra: { hostNetwork?: boolean } = {}): KubeObject {
  const p = runningPod({ namespace: ns, name, labels, ip, node, containers: [{ name: container, image, ...(ports.length ? { ports } : {}) }] });
  const hostIP = DEMO_NODES.find((n) => n.name === node)?.ip ?? '192.168.49.2';
  (p.status as Record<string, unknown>).hostIP = hostIP;
  if (extra.hostNetwork) (p.spec as Record<string, unknown>).hostNetwork = true;
  return p;
}

function service(ns: string, name: string, ip: string, selector: Record<string, string>, ports: { name?: string; port: number; targetPort: number | string; protocol?: string }[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector, ports: ports.map((p) => ({ protocol: 'TCP', ...p })) },
  };
}

function policy(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** A small deterministic generator (mulberry32). */
function rng(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed incident alone: production with postgres-0, the web-api replicas and the default deny, plus cluster DNS. */
export function incidentObjects(): KubeObject[] {
  return [
    ...DEMO_NODES.map((n) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name } },
      spec: { podCIDR: n.cidr, podCIDRs: [n.cidr] },
      status: { addresses: [{ type: 'InternalIP', address: n.ip }] },
    })),
    namespace('production', { team: 'payments' }),
    namespace('kube-system'),
    namespace('ingress-nginx'),
    pod('kube-system', 'coredns-5d78c9869d-7xk2p', { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' }, '10.244.1.2', 'node-a', 'coredns', 'registry.k8s.io/coredns/coredns:v1.11.3', [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
    ]),
    pod('kube-system', 'coredns-5d78c9869d-q9w4t', { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' }, '10.244.2.2', 'node-b', 'coredns', 'registry.k8s.io/coredns/coredns:v1.11.3', [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
    ]),
    ...DEMO_NODES.map((n, i) =>
      pod('kube-system', `kube-proxy-${['7bq2x', 'k4m9d', 'w8t3n'][i]}`, { 'k8s-app': 'kube-proxy', 'controller-revision-hash': '6b8f5c7d9', 'pod-template-generation': '1' }, n.ip, n.name, 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.31.2', [], { hostNetwork: true }),
    ),
    service('kube-system', 'kube-dns', '10.96.0.10', { 'k8s-app': 'kube-dns' }, [
      { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' },
    ]),
    pod('production', 'postgres-0', { app: 'postgres', 'statefulset.kubernetes.io/pod-name': 'postgres-0', 'controller-revision-hash': 'postgres-6c8b9d5f7' }, '10.244.1.45', 'node-a', 'postgres', 'postgres:16', [
      { name: 'postgresql', containerPort: 5432 },
    ]),
    pod('production', WEB_API_PODS[0], { app: 'web-api', 'pod-template-hash': '7d9f8b6c5d' }, '10.244.2.17', 'node-b', 'web-api', 'registry.example.com/web-api:2.3.1', [{ name: 'http', containerPort: 8080 }]),
    pod('production', WEB_API_PODS[1], { app: 'web-api', 'pod-template-hash': '7d9f8b6c5d' }, '10.244.2.18', 'node-b', 'web-api', 'registry.example.com/web-api:2.3.1', [{ name: 'http', containerPort: 8080 }]),
    pod('production', WEB_API_PODS[2], { app: 'web-api', 'pod-template-hash': '7d9f8b6c5d' }, '10.244.3.21', 'node-c', 'web-api', 'registry.example.com/web-api:2.3.1', [{ name: 'http', containerPort: 8080 }]),
    pod('production', 'worker-6f7c9d8b4-h2j5k', { app: 'worker', 'pod-template-hash': '6f7c9d8b4' }, '10.244.3.22', 'node-c', 'worker', 'registry.example.com/worker:2.3.1'),
    pod('production', 'worker-6f7c9d8b4-m7n2p', { app: 'worker', 'pod-template-hash': '6f7c9d8b4' }, '10.244.2.19', 'node-b', 'worker', 'registry.example.com/worker:2.3.1'),
    service('production', 'postgres', '10.96.12.34', { app: 'postgres' }, [{ name: 'postgresql', port: 5432, targetPort: 'postgresql' }]),
    service('production', 'web-api', '10.96.20.10', { app: 'web-api' }, [{ name: 'http', port: 80, targetPort: 'http' }]),
    policy('production', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
    policy('production', 'allow-ingress-to-web-api', {
      podSelector: { matchLabels: { app: 'web-api' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ],
    }),
    pod(
      'ingress-nginx',
      'ingress-nginx-controller-5c9f7b8d6-zt4qw',
      { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller', 'pod-template-hash': '5c9f7b8d6' },
      '10.244.3.5',
      'node-c',
      'controller',
      'registry.k8s.io/ingress-nginx/controller:v1.11.3',
      [
        { name: 'http', containerPort: 80 },
        { name: 'https', containerPort: 443 },
      ],
    ),
  ];
}

/** The other named namespaces: monitoring, shop (with the DNS-less egress policy), staging, batch. */
function neighbourhood(): KubeObject[] {
  const shopPods: KubeObject[] = [];
  const shopApps: [string, string, number, Port[]][] = [
    ['frontend', '8d7c6b5a4', 4, [{ name: 'http', containerPort: 8080 }]],
    ['cart', '7c6b5a4d3', 3, [{ name: 'http', containerPort: 8080 }]],
    ['checkout', '6b5a4d3c2', 2, [{ name: 'http', containerPort: 8080 }]],
    ['catalog', '5a4d3c2b1', 3, [{ name: 'http', containerPort: 8080 }]],
  ];
  let host = 50;
  for (const [app, hash, n, ports] of shopApps) {
    for (let i = 0; i < n; i++) {
      const k = (host + i) % 3;
      const node = DEMO_NODES[k]!;
      const ip = `10.244.${k + 1}.${host + i}`;
      shopPods.push(pod('shop', `${app}-${hash}-${String.fromCharCode(97 + i)}${hash.slice(0, 4)}`, { app, tier: app === 'frontend' ? 'web' : 'backend', 'pod-template-hash': hash }, ip, node.name, app, `registry.example.com/shop/${app}:1.8.0`, ports));
    }
    host += 5;
  }
  return [
    namespace('monitoring', { team: 'observability' }),
    namespace('shop'),
    namespace('staging'),
    namespace('batch'),
    pod('monitoring', 'prometheus-0', { 'app.kubernetes.io/name': 'prometheus', 'statefulset.kubernetes.io/pod-name': 'prometheus-0' }, '10.244.3.6', 'node-c', 'prometheus', 'prom/prometheus:v2.55.0', [{ name: 'web', containerPort: 9090 }]),
    pod('monitoring', 'grafana-6d5c4b3a2-v9x8w', { 'app.kubernetes.io/name': 'grafana', 'pod-template-hash': '6d5c4b3a2' }, '10.244.2.6', 'node-b', 'grafana', 'grafana/grafana:11.3.0', [{ name: 'http', containerPort: 3000 }]),
    ...shopPods,
    pod('shop', 'redis-0', { app: 'redis', 'statefulset.kubernetes.io/pod-name': 'redis-0' }, '10.244.2.60', 'node-b', 'redis', 'redis:7.4', [{ name: 'redis', containerPort: 6379 }]),
    service('shop', 'cart', '10.96.30.11', { app: 'cart' }, [{ name: 'http', port: 80, targetPort: 'http' }]),
    service('shop', 'catalog', '10.96.30.12', { app: 'catalog' }, [{ name: 'http', port: 80, targetPort: 'http' }]),
    service('shop', 'checkout', '10.96.30.13', { app: 'checkout' }, [{ name: 'http', port: 80, targetPort: 'http' }]),
    service('shop', 'frontend', '10.96.30.14', { app: 'frontend' }, [{ name: 'http', port: 80, targetPort: 'http' }]),
    service('shop', 'redis', '10.96.30.15', { app: 'redis' }, [{ name: 'redis', port: 6379, targetPort: 'redis' }]),
    // The classic mistake: an egress allow-list without DNS. checkout can reach cart by IP, but no name resolves.
    policy('shop', 'checkout-egress', {
      podSelector: { matchLabels: { app: 'checkout' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'cart' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    }),
    pod('staging', 'web-api-5b4c3d2e1-a1b2c', { app: 'web-api', 'pod-template-hash': '5b4c3d2e1' }, '10.244.3.70', 'node-c', 'web-api', 'registry.example.com/web-api:2.4.0-rc1', [{ name: 'http', containerPort: 8080 }]),
    pod('staging', 'postgres-0', { app: 'postgres', 'statefulset.kubernetes.io/pod-name': 'postgres-0' }, '10.244.2.70', 'node-b', 'postgres', 'postgres:16', [{ name: 'postgresql', containerPort: 5432 }]),
    pod(
      'batch',
      'nightly-report-28950240-7xk9p',
      { 'job-name': 'nightly-report-28950240', 'batch.kubernetes.io/job-name': 'nightly-report-28950240', 'batch.kubernetes.io/controller-uid': '6f1d2c3b-0000-4000-8000-000000000001', 'controller-uid': '6f1d2c3b-0000-4000-8000-000000000001', app: 'nightly-report' },
      '10.244.3.80',
      'node-c',
      'report',
      'registry.example.com/report:3.1.0',
    ),
  ];
}

/** Generated teams: `team-NN` namespaces with a few apps each, some with a default deny and an allow. */
function generated(count: number, seedValue = 7): KubeObject[] {
  const next = rng(seedValue);
  const out: KubeObject[] = [];
  const apps = ['api', 'web', 'worker', 'cache', 'db', 'queue', 'search', 'auth'];
  const portsOf: Record<string, Port[]> = {
    api: [{ name: 'http', containerPort: 8080 }],
    web: [{ name: 'http', containerPort: 8080 }],
    worker: [],
    cache: [{ name: 'redis', containerPort: 6379 }],
    db: [{ name: 'postgresql', containerPort: 5432 }],
    queue: [{ name: 'amqp', containerPort: 5672 }],
    search: [{ name: 'http', containerPort: 9200 }],
    auth: [{ name: 'grpc', containerPort: 9000 }],
  };
  let made = 0;
  // Per node: the next free host number in its /24 (generated pods use .100 to .254).
  const nextHost = DEMO_NODES.map(() => 100);
  for (let t = 1; made < count; t++) {
    const ns = `team-${String(t).padStart(2, '0')}`;
    out.push(namespace(ns, { team: ns }));
    const teamApps = apps.filter(() => next() < 0.6);
    if (teamApps.length === 0) teamApps.push('api');
    for (const app of teamApps) {
      const replicas = 2 + Math.floor(next() * 5);
      const hash = Math.floor(next() * 0xfffffffff).toString(16).padStart(9, '0').slice(0, 9);
      for (let r = 0; r < replicas && made < count; r++) {
        let k = Math.floor(next() * DEMO_NODES.length);
        for (let tries = 0; nextHost[k]! > 254 && tries < DEMO_NODES.length; tries++) k = (k + 1) % DEMO_NODES.length;
        if (nextHost[k]! > 254) throw new Error('demo cluster: more generated pods than the node subnets hold (about 460)');
        const node = DEMO_NODES[k]!;
        const ip = `10.244.${k + 1}.${nextHost[k]!}`;
        nextHost[k]!++;
        const suffix = Math.floor(next() * 36 ** 5).toString(36).padStart(5, '0');
        out.push(pod(ns, `${app}-${hash}-${suffix}`, { app, 'app.kubernetes.io/part-of': ns, 'pod-template-hash': hash }, ip, node.name, app, `registry.example.com/${ns}/${app}:1.${t}.0`, portsOf[app]));
        made++;
      }
    }
    if (next() < 0.5) {
      out.push(policy(ns, 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }));
      const server = teamApps.find((a) => portsOf[a]!.length > 0);
      if (server) {
        out.push(
          policy(ns, `allow-to-${server}`, {
            podSelector: { matchLabels: { app: server } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: portsOf[server]![0]!.containerPort }] }],
          }),
        );
      }
    }
  }
  return out;
}

/** Every object of the demo cluster, in seeding order. */
export function demoObjects(options: { readonly extraPods?: number } = {}): KubeObject[] {
  const objects = [...incidentObjects(), ...neighbourhood(), ...generated(options.extraPods ?? 300)];
  const seen = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== 'Pod' || (o.spec as { hostNetwork?: boolean }).hostNetwork) continue;
    const ip = String((o.status as { podIP?: string }).podIP);
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    if (seen.has(ip)) throw new Error(`demo cluster: ${key} and ${seen.get(ip)} share ${ip}`);
    seen.set(ip, key);
  }
  return objects;
}

/**
 * Starts the demo cluster: the fake API server seeded with {@link demoObjects}, the simulated
 * data plane as its exec handler, and a kubeconfig file for it.
 */
export async function startDemoCluster(options: DemoClusterOptions = {}): Promise<DemoCluster> {
  const fake = await startFakeKube({ kubelet: { containerCreatingMs: 20, startMs: 40, backOffMs: 40 }, ...options.fake });
  seed(fake.store, demoObjects(options));
  const dataplane = createDataplane(fake.store, { ...(options.faults ? { faults: options.faults } : {}) });
  fake.hooks.setExecHandler(dataplane.handler);
  const context = options.context ?? 'netlens-demo';
  const temporary = options.kubeconfigDir === undefined;
  const dir = options.kubeconfigDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-demo-'));
  fs.mkdirSync(dir, { recursive: true });
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfigPath, fake.kubeconfig({ context, cluster: 'netlens-demo', namespace: 'production' }), { mode: 0o600 });
  let closed = false;
  return {
    fake,
    dataplane,
    kubeconfigPath,
    context,
    async close() {
      if (closed) return;
      closed = true;
      dataplane.dispose();
      await fake.close();
      if (temporary) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
