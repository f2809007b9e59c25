/**
 * The live-cluster load for `npm run bench`: the fake API server (test/support/fake-kube) in a
 * process of its own, seeded with the synthetic cluster as realistic Running pods; this process
 * lists it the way the CLI and the cluster view do (access reviews, paged lists of 500, conversion
 * into the model, the snapshot) and builds the cluster view's tree model. The conversion alone is
 * also timed both ways: straight from the parsed objects (`fromObject`, what the cluster layer
 * uses) and through JSON text and the file loader (what it used before).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { loadKubeconfig } from '../src/cluster/kubeconfig';
import { convertObject, RESOURCES, type ResourceInfo, type WireObject } from '../src/cluster/to-model';
import { readClusterOnce } from '../src/cluster/watcher';
import { parseManifestText } from '../src/core/manifest/load';
import { ClusterTreeModel, type TreeNode } from '../src/core/tree/cluster-tree';
import { runningPod, seed } from '../test/support/fake-kube/seed';
import { startFakeKube } from '../test/support/fake-kube/server';
import type { KubeObject } from '../test/support/fake-kube/types';
import { syntheticManifests } from './synthetic';

export interface LiveResult {
  pods: number;
  policies: number;
  /** The first load (cold JIT): access reviews, paged lists, conversion, snapshot. */
  firstLoadMs: number;
  /** Median of the next three loads. */
  loadMs: number;
  /** CPU time of this process (user + system) in those loads: the client's own work, median. */
  loadCpuMs: number;
  /** ClusterTreeModel: snapshot in, contexts, namespaces and every folder listed. */
  treeMs: number;
  /** Converting the 10k pod + 2k policy objects alone (median of three): fromObject. */
  convertMs: number;
  /** The same through JSON text and the file loader. */
  convertViaTextMs: number;
  peakRssMb: number;
}

/** The synthetic cluster as the API server holds it: pods with spec and status as kubelet sets them. */
export function liveObjects(pods: number, policies: number): KubeObject[] {
  return (syntheticManifests({ pods, policies }) as KubeObject[]).map((o) => {
    if (o.kind !== 'Pod') return o;
    const spec = o.spec as { containers: Array<{ name: string; ports: Array<{ name?: string; containerPort: number; protocol?: string }> }> };
    const status = o.status as { podIP: string };
    return runningPod({
      namespace: o.metadata.namespace,
      name: o.metadata.name,
      labels: o.metadata.labels as Record<string, string>,
      ip: status.podIP,
      containers: spec.containers.map((c) => ({ name: c.name, image: 'registry.example/app:1.0', ports: c.ports })),
    });
  });
}

/** `--serve pods:policies`: runs the fake API server and prints its kubeconfig on one line. */
export async function serve(pods: number, policies: number): Promise<void> {
  const fake = await startFakeKube({ kubelet: { auto: false } });
  seed(fake.store, liveObjects(pods, policies));
  process.stdout.write(JSON.stringify({ kubeconfig: fake.kubeconfig() }) + '\n');
  // Runs until the parent closes stdin.
  process.stdin.resume();
  process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function startServer(script: string, pods: number, policies: number): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const child = spawn(process.execPath, [script, '--serve', `${pods}:${policies}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fake API server exited (${code})`)));
  });
  return { child, kubeconfig: (JSON.parse(line) as { kubeconfig: string }).kubeconfig };
}

function walkTree(m: ClusterTreeModel): number {
  let count = 0;
  const render = (n: TreeNode | undefined): TreeNode[] => {
    const kids = m.children(n);
    count += kids.length;
    return kids;
  };
  const namespaces = render(render(undefined)[0]);
  for (const n of namespaces) for (const folder of render(n)) render(folder);
  return count;
}

export async function runLiveCase(script: string, pods: number, policies: number): Promise<LiveResult> {
  const server = await startServer(script, pods, policies);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-bench-'));
  try {
    const file = path.join(dir, 'kubeconfig');
    fs.writeFileSync(file, server.kubeconfig);
    const connection = loadKubeconfig({ path: file, env: {} }).connect();
    const loads: number[] = [];
    const cpu: number[] = [];
    let treeMs = 0;
    for (let i = 0; i < 4; i++) {
      const t = process.hrtime.bigint();
      const c = process.cpuUsage();
      const result = await readClusterOnce(connection, { pageSize: 500 });
      loads.push(ms(t));
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      if (result.snapshot.pods.length !== pods || result.snapshot.policies.length !== policies) {
        throw new Error(`live load: expected ${pods} pods and ${policies} policies, got ${result.snapshot.pods.length} and ${result.snapshot.policies.length}`);
      }
      if (i === 0) {
        const t2 = process.hrtime.bigint();
        const model = new ClusterTreeModel();
        model.setContexts([{ name: connection.context.name }], connection.context.name);
        model.setSnapshot(result.snapshot);
        model.setStatus({ phase: 'connected', streamErrors: [], hidden: [], streams: [] });
        walkTree(model);
        treeMs = ms(t2);
      }
    }
    // The conversion alone, on the objects as a list page holds them (parsed JSON, no kind).
    const wire = JSON.parse(JSON.stringify(liveObjects(pods, policies).filter((o) => o.kind === 'Pod' || o.kind === 'NetworkPolicy'))) as WireObject[];
    const infoOf = (o: WireObject): ResourceInfo => (o.kind === 'Pod' ? RESOURCES.pods : RESOURCES.networkpolicies);
    const direct: number[] = [];
    const viaText: number[] = [];
    for (let r = 0; r < 3; r++) {
      let t = process.hrtime.bigint();
      for (const o of wire) convertObject('bench', infoOf(o), o);
      direct.push(ms(t));
      t = process.hrtime.bigint();
      for (const o of wire) parseManifestText('kube://bench', JSON.stringify(o));
      viaText.push(ms(t));
    }
    return {
      pods,
      policies,
      firstLoadMs: loads[0]!,
      loadMs: median(loads.slice(1)),
      loadCpuMs: median(cpu.slice(1)),
      treeMs,
      convertMs: median(direct),
      convertViaTextMs: median(viaText),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    server.child.stdin?.end();
    await new Promise((resolve) => {
      server.child.once('exit', resolve);
      setTimeout(() => server.child.kill(), 5000).unref();
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
