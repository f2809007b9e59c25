/**
 * Synthetic clusters shaped like real ones, for benchmarks: namespaces of teams,
 * Deployments with replicas sharing labels, a default deny per namespace, allow
 * rules between apps (pod and namespace selectors, named ports, port ranges), and
 * some ipBlocks. Seeded, so every run measures the same cluster.
 */

export interface SyntheticOptions {
  pods: number;
  policies: number;
  seed?: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plain manifests (as `kubectl get -o json` items) of a synthetic cluster. */
export function syntheticManifests(opts: SyntheticOptions): object[] {
  const rand = mulberry32(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const nsCount = Math.max(2, Math.round(opts.pods / 100));
  const teams = ['payments', 'search', 'identity', 'platform', 'data'];
  const tiers = ['frontend', 'backend', 'db', 'cache'];
  const out: object[] = [];
  const apps: { ns: string; app: string; tier: string; port: number; portName: string }[] = [];
  for (let n = 0; n < nsCount; n++) {
    const ns = `team-${n}`;
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns, team: pick(teams), env: n % 3 === 0 ? 'prod' : 'staging' } } });
  }
  let podCount = 0;
  let appIndex = 0;
  while (podCount < opts.pods) {
    const ns = `team-${appIndex % nsCount}`;
    const app = `app-${appIndex}`;
    const tier = pick(tiers);
    const port = tier === 'db' ? 5432 : tier === 'cache' ? 6379 : 8080;
    const portName = tier === 'db' ? 'postgresql' : tier === 'cache' ? 'redis' : 'http';
    apps.push({ ns, app, tier, port, portName });
    const replicas = Math.min(opts.pods - podCount, 1 + Math.floor(rand() * 10));
    const hash = Math.floor(rand() * 0xffffffff).toString(16);
    for (let r = 0; r < replicas; r++, podCount++) {
      out.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${app}-${hash}-${r}`, namespace: ns, labels: { app, tier, 'pod-template-hash': hash } },
        spec: { containers: [{ name: 'main', ports: [{ name: portName, containerPort: port, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090 }] }] },
        status: { phase: 'Running', podIP: `10.${(podCount >> 16) & 255}.${(podCount >> 8) & 255}.${podCount & 255}` },
      });
    }
    appIndex++;
  }
  let policyCount = 0;
  for (let n = 0; n < nsCount && policyCount < opts.policies; n++, policyCount++) {
    out.push({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-ingress', namespace: `team-${n}` },
      spec: { podSelector: {}, policyTypes: n % 4 === 0 ? ['Ingress', 'Egress'] : ['Ingress'] },
    });
  }
  for (let i = 0; policyCount < opts.policies; i++, policyCount++) {
    const target = pick(apps);
    const source = pick(apps);
    const kind = rand();
    const from: object[] =
      kind < 0.4 ? [{ podSelector: { matchLabels: { app: source.app } } }]
        : kind < 0.7 ? [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': source.ns } }, podSelector: { matchLabels: { tier: source.tier } } }]
          : kind < 0.85 ? [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } }]
            : ((net: number) => [{ ipBlock: { cidr: `10.0.${net}.0/24`, except: [`10.0.${net}.128/25`] } }])(Math.floor(rand() * 40));
    const ports = rand() < 0.5 ? [{ protocol: 'TCP', port: target.portName }] : rand() < 0.5 ? [{ protocol: 'TCP', port: target.port }] : [{ protocol: 'TCP', port: 8000, endPort: 9000 }];
    const egress = rand() < 0.2;
    out.push({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: `allow-${i}`, namespace: egress ? source.ns : target.ns },
      spec: egress
        ? {
          podSelector: { matchLabels: { app: source.app } }, policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: target.app } } }], ports }, { to: [{ namespaceSelector: {} , podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
        }
        : { podSelector: { matchLabels: { app: target.app } }, policyTypes: ['Ingress'], ingress: [{ from, ports }] },
    });
  }
  return out;
}
