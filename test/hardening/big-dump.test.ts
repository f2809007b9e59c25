/**
 * A 50 MB `kubectl get pods -A -o json` dump, generated in a temp directory (never committed):
 * the loader reads every pod, and `netlens matrix --summary` on it completes in a child process
 * whose time and peak memory are measured. The bounds are loose (they catch a hang or a blow-up,
 * not a slowdown: `npm run bench` tracks speed); the numbers are printed for the record.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadManifests } from '../../src/core/manifest/load';

const TARGET_BYTES = 50 * 1024 * 1024;
const ROOT = path.join(__dirname, '..', '..');

/** One pod as `kubectl get pods -A -o json` prints it (4-space indent, the usual fields). */
function pod(i: number): object {
  const app = `app-${i % 300}`;
  const ip = `10.${244 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z', 'prometheus.io/scrape': 'true' },
      creationTimestamp: '2024-05-01T10:00:00Z',
      generateName: `${app}-7d9f8b6c5d-`,
      labels: { app, 'pod-template-hash': '7d9f8b6c5d', tier: i % 3 === 0 ? 'db' : 'web' },
      name: `${app}-7d9f8b6c5d-${i.toString(36).padStart(5, '0')}`,
      namespace: `ns-${i % 50}`,
      ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: `${app}-7d9f8b6c5d`, uid: `0b1c1f0e-5c4c-4b1a-9c55-${String(i).padStart(12, '0')}` }],
      resourceVersion: String(100000 + i),
      uid: `7a0c3f1e-2d4b-4e8a-b1c2-${String(i).padStart(12, '0')}`,
    },
    spec: {
      containers: [
        {
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }],
          image: `registry.example.com/${app}:1.2.3`,
          imagePullPolicy: 'IfNotPresent',
          livenessProbe: { failureThreshold: 3, httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
          name: app,
          ports: [{ containerPort: i % 3 === 0 ? 5432 : 8080, name: i % 3 === 0 ? 'postgresql' : 'http', protocol: 'TCP' }],
          resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'kube-api-access', readOnly: true }],
        },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      nodeName: `node-${i % 20}`,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
        { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
      ],
    },
    status: {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:05Z', status: 'True', type: 'Ready' },
        { lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:01Z', status: 'True', type: 'PodScheduled' },
      ],
      containerStatuses: [
        {
          containerID: `containerd://${String(i).padStart(64, 'a')}`,
          image: `registry.example.com/${app}:1.2.3`,
          imageID: `registry.example.com/${app}@sha256:${String(i).padStart(64, '0')}`,
          lastState: {},
          name: app,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: '2024-05-01T10:00:03Z' } },
        },
      ],
      hostIP: `192.168.0.${i % 20}`,
      hostIPs: [{ ip: `192.168.0.${i % 20}` }],
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      qosClass: 'Burstable',
      startTime: '2024-05-01T10:00:00Z',
    },
  };
}

/** Writes the dump piece by piece (no 50 MB intermediate object) and returns its pod count. */
function writeDump(file: string): number {
  const head = '{\n    "apiVersion": "v1",\n    "items": [\n';
  const tail = '\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n';
  const parts: string[] = [head];
  let size = head.length + tail.length;
  let n = 0;
  while (size < TARGET_BYTES) {
    const text = (n ? ',\n' : '') + JSON.stringify(pod(n), null, 4).replace(/^/gm, '        ');
    parts.push(text);
    size += text.length;
    n++;
  }
  parts.push(tail);
  writeFileSync(file, parts.join(''));
  return n;
}

/** A full garbage collection, so heap sizes measure what is kept (mocha runs without --expose-gc). */
function gcNow(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

describe('hardening: a 50 MB kubectl dump', function () {
  this.timeout(180_000);
  let dir = '';
  let file: string;
  let pods: number;

  before(function () {
    // About 10 s on an idle machine; NETLENS_SKIP_BIG=1 leaves it out of a quick local run.
    if (process.env.NETLENS_SKIP_BIG) this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'netlens-big-'));
    file = path.join(dir, 'pods.json');
    pods = writeDump(file);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads every pod, with no finding, in bounded time', () => {
    const content = readFileSync(file);
    assert.ok(content.length >= TARGET_BYTES, `${content.length} bytes`);
    gcNow();
    const heapBefore = process.memoryUsage().heapUsed;
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const r = loadManifests([{ file, content }]);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const cpuUsed = process.cpuUsage(cpu);
    gcNow();
    const kept = process.memoryUsage().heapUsed - heapBefore;
    console.log(
      `      [big dump] ${mib(content.length)}, ${pods} pods: loaded in ${(ms / 1000).toFixed(1)} s wall, ${((cpuUsed.user + cpuUsed.system) / 1e6).toFixed(1)} s CPU; the result keeps ${mib(kept)} of heap`,
    );
    assert.equal(r.snapshot.pods.length, pods);
    assert.deepEqual(r.findings.filter((f) => f.severity !== 'info' && f.severity !== 'hint'), []);
    const last = r.snapshot.pods[pods - 1]!;
    assert.equal(last.ips[0], `10.${244 + ((pods - 1) >> 16)}.${((pods - 1) >> 8) & 255}.${(pods - 1) & 255}`);
    assert.ok(ms < 60_000, `took ${ms} ms`);
  });

  it('`netlens matrix --summary` on it completes; its time and peak memory are reported', async () => {
    const rssFile = path.join(dir, 'rss');
    const preload = path.join(dir, 'report-rss.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeFileSync(${JSON.stringify(rssFile)}, JSON.stringify({ maxRSS: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })); });\n`,
    );
    const t = Date.now();
    const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), '-r', preload, path.join(ROOT, 'src/cli/main.ts'), 'matrix', file, '--summary', '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const seconds = (Date.now() - t) / 1000;
    const usage = JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRSS: number; cpuMs: number };
    const peakKiB = usage.maxRSS;
    console.log(
      `      [big dump] netlens matrix --summary: ${seconds.toFixed(1)} s wall, ${(usage.cpuMs / 1000).toFixed(1)} s CPU (tsx transpiling included), peak RSS ${mib(peakKiB * 1024)} (file ${mib(statSync(file).size)})`,
    );
    assert.equal(code, 0, err);
    const summary = JSON.parse(out) as { pods: number; pairs: number; byPort: Array<{ port: number; protocol: string }> };
    assert.equal(summary.pods, pods);
    assert.equal(summary.pairs, pods * (pods - 1));
    assert.deepEqual(summary.byPort.map((b) => `${b.port}/${b.protocol}`), ['5432/TCP', '8080/TCP']);
    assert.ok(seconds < 120, `${seconds} s`);
    assert.ok(peakKiB < 4 * 1024 * 1024, `peak RSS ${mib(peakKiB * 1024)}`);
  });
});
