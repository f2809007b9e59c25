/**
 * The cluster side of a connectivity test against the fake API server, through real
 * client-node: permission pre-checks, confirmation, the exact ephemeral-container patch and its
 * reuse, image failures, the Pod Security fallback, cancellation, timeouts, exec over the channel
 * protocol, and that nothing leaks.
 */
import { strict as assert } from 'node:assert';
import { ClusterError } from '../../src/cluster/errors';
import { ConnectivityTest, reportFor } from '../../src/cluster/debug/connectivity';
import { ConfirmationRequiredError, ContainerStartError, DebugError, MissingPermissionsError, PodSecurityRejectedError } from '../../src/cluster/debug/errors';
import { execInContainer } from '../../src/cluster/debug/exec';
import { runChecks } from '../../src/cluster/debug/run-checks';
import { DebugSession } from '../../src/cluster/debug/session';
import { CLUSTER_WRITES } from '../../src/cluster/debug/writes';
import { planConnectivityChecks } from '../../src/core/connectivity/checks';
import { WEB_API_PODS } from '../support/demo-cluster';
import { runningPod, seed } from '../support/fake-kube/seed';
import type { KubeObject } from '../support/fake-kube/types';
import { IMAGE, assertOnlyListedWrites, baseline, expectNoLeaks, snapshotOf, startEnv, stopEnv, until, writes, type Env } from './helpers';

const WEB_API = { namespace: 'production', pod: WEB_API_PODS[0] };
const ZERO = (): number => 0;

/** A namespace that enforces Pod Security "restricted", with two compliant pods. */
function restrictedNamespace(): KubeObject[] {
  const compliant = (name: string, app: string, ip: string, port: number): KubeObject =>
    runningPod({
      namespace: 'secure',
      name,
      labels: { app, 'pod-template-hash': '58c7d9f6b4' },
      ip,
      node: 'node-b',
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: app, image: `registry.example.com/${app}:1.0`, ports: [{ name: 'http', containerPort: port }], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 1000 } }],
    });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'secure', labels: { 'kubernetes.io/metadata.name': 'secure', 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    compliant('api-58c7d9f6b4-k2v7n', 'api', '10.244.2.90', 8080),
    compliant('ledger-58c7d9f6b4-t6r3m', 'ledger', '10.244.3.90', 9000),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ledger', namespace: 'secure', labels: {} },
      spec: { clusterIP: '10.96.40.10', clusterIPs: ['10.96.40.10'], selector: { app: 'ledger' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    },
  ];
}

function ephemeralNames(env: Env, ns: string, pod: string): string[] {
  const obj = env.demo.fake.store.get('pods', ns, pod);
  return ((obj?.spec as { ephemeralContainers?: { name: string }[] }).ephemeralContainers ?? []).map((c) => c.name);
}

describe('connectivity: debug sessions against the fake API server', () => {
  let env: Env | undefined;
  let before: Record<string, number>;

  beforeEach(async () => {
    before = await baseline();
  });

  afterEach(async () => {
    if (env) assertOnlyListedWrites(env.demo.fake.requests(), CLUSTER_WRITES);
    await stopEnv(env);
    env = undefined;
    await expectNoLeaks(before);
  });

  describe('permissions', () => {
    it('names the missing permission (RBAC table) and writes nothing', async () => {
      env = await startEnv({
        fake: {
          rbac: {
            rules: [{ verbs: ['patch'], resources: ['pods/ephemeralcontainers'], namespaces: ['production'], allow: false, reason: 'no debugging in production' }],
          },
        },
      });
      const err = await DebugSession.prepare(env.conn, WEB_API, { image: IMAGE }).then(
        () => assert.fail('prepare should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MissingPermissionsError);
      assert.equal(err.kind, 'MissingPermissions');
      assert.deepEqual(err.missing.map((m) => `${m.verb} ${m.resource}/${m.subresource}`), ['patch pods/ephemeralcontainers']);
      assert.equal(
        err.userMessage,
        `you may not add a debug container to production/${WEB_API.pod} and run commands in it: missing "patch pods/ephemeralcontainers "${WEB_API.pod}" in namespace production" (no debugging in production). Ask a cluster admin to grant it`,
      );
      assert.deepEqual(writes(env.demo.fake.requests()), []);
    });

    it('asks for both get and create on pods/exec (a WebSocket exec needs both since Kubernetes 1.35)', async () => {
      env = await startEnv({ fake: { rbac: { rules: [{ verbs: ['create'], resources: ['pods/exec'], allow: false }] } } });
      const err = await DebugSession.prepare(env.conn, WEB_API, { image: IMAGE }).catch((e: unknown) => e);
      assert.ok(err instanceof MissingPermissionsError);
      assert.deepEqual(err.missing.map((m) => `${m.verb} ${m.resource}/${m.subresource}`), ['create pods/exec']);
    });
  });

  describe('the ephemeral container', () => {
    it('writes nothing without confirmation, then sends the exact strategic-merge patch once and reuses the container', async () => {
      // The test plays the kubelet, so the container starts only once the wait is watching.
      env = await startEnv({ fake: { kubelet: { auto: false } } });
      const core = env.conn.core();
      const sent: { body: unknown; hasOptions: boolean }[] = [];
      const patch = core.patchNamespacedPodEphemeralcontainers.bind(core);
      core.patchNamespacedPodEphemeralcontainers = ((param, options) => {
        sent.push({ body: param.body, hasOptions: options !== undefined });
        return patch(param, options);
      }) as typeof core.patchNamespacedPodEphemeralcontainers;

      const session = await DebugSession.prepare(env.conn, WEB_API, { image: IMAGE, random: ZERO });
      assert.equal(session.container, 'netlens-debug-aaaaa');
      assert.equal(session.reused, false);
      const [change] = session.plannedChanges();
      assert.equal(
        change?.summary,
        `adds ephemeral container netlens-debug-aaaaa (image ${IMAGE}, command sleep infinity, no added capabilities) to production/${WEB_API.pod}; it stays in the pod spec until the pod is replaced`,
      );
      assert.equal(change?.permanent, true);

      const err = await session.start().catch((e: unknown) => e);
      assert.ok(err instanceof ConfirmationRequiredError);
      assert.deepEqual(err.changes, session.plannedChanges());
      assert.deepEqual(writes(env.demo.fake.requests()), [], 'no write without confirmation');
      assert.deepEqual(ephemeralNames(env, 'production', WEB_API.pod), []);

      const starting = session.start({ confirmed: true });
      await until(() => env!.demo.fake.stats().watches === 1, 'the wait to watch the pod');
      env.demo.fake.hooks.startContainer('production', WEB_API.pod, 'netlens-debug-aaaaa');
      await starting;
      assert.equal(
        JSON.stringify(sent[0]?.body),
        `{"spec":{"ephemeralContainers":[{"name":"netlens-debug-aaaaa","image":"${IMAGE}","command":["sleep","infinity"],"targetContainerName":"web-api","terminationMessagePolicy":"File"}]}}`,
      );
      assert.equal(sent.length, 1);
      const patches = env.demo.fake.requests().filter((r) => r.method === 'PATCH');
      assert.deepEqual(
        patches.map((r) => [r.path, r.contentType, r.status]),
        [[`/api/v1/namespaces/production/pods/${WEB_API.pod}/ephemeralcontainers`, 'application/strategic-merge-patch+json', 200]],
      );
      const stored = env.demo.fake.store.get('pods', 'production', WEB_API.pod)?.spec as { ephemeralContainers: Record<string, unknown>[] };
      const ec = stored.ephemeralContainers[0]!;
      assert.deepEqual([ec.name, ec.image, ec.command, ec.targetContainerName, ec.terminationMessagePolicy, ec.securityContext], [
        'netlens-debug-aaaaa',
        IMAGE,
        ['sleep', 'infinity'],
        'web-api',
        'File',
        undefined,
      ]);
      const waits = env.demo.fake.requests().filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/production/pods');
      assert.ok(waits.some((r) => r.query.includes('watch=true') && decodeURIComponent(r.query).includes(`fieldSelector=metadata.name=${WEB_API.pod}`)), 'waits with a watch on the pod');

      // A second test in the same pod reuses the running container: nothing to confirm, nothing written.
      const mark = env.demo.fake.requests().length;
      const again = await DebugSession.prepare(env.conn, WEB_API, { image: IMAGE, random: () => 1 });
      assert.equal(again.container, 'netlens-debug-aaaaa');
      assert.equal(again.reused, true);
      assert.deepEqual(again.plannedChanges(), []);
      await again.start();
      const out = await again.exec(['cat', '/etc/resolv.conf'], { timeoutMs: 5000 });
      assert.equal(out.exitCode, 0);
      assert.deepEqual(writes(env.demo.fake.requests().slice(mark)), []);
      assert.deepEqual(ephemeralNames(env, 'production', WEB_API.pod), ['netlens-debug-aaaaa'], 'no pile-up');
    });

    it('keeps the existing ephemeral containers in order ($setElementOrder, as kubectl debug sends it); a different image gets its own container', async () => {
      env = await startEnv();
      const session = await DebugSession.prepare(env.conn, WEB_API, { image: IMAGE, random: ZERO });
      await session.start({ confirmed: true });
      const other = await DebugSession.prepare(env.conn, WEB_API, { image: 'nicolaka/netshoot:v0.14', random: () => 1 });
      assert.equal(other.reused, false);
      assert.deepEqual(other.patchBody(), {
        spec: {
          '$setElementOrder/ephemeralContainers': [{ name: 'netlens-debug-aaaaa' }, { name: 'netlens-debug-bbbbb' }],
          ephemeralContainers: [
            { name: 'netlens-debug-bbbbb', image: 'nicolaka/netshoot:v0.14', command: ['sleep', 'infinity'], targetContainerName: 'web-api', terminationMessagePolicy: 'File' },
          ],
        },
      });
      await other.start({ confirmed: true });
      assert.deepEqual(ephemeralNames(env, 'production', WEB_API.pod), ['netlens-debug-aaaaa', 'netlens-debug-bbbbb']);
    });

    it('fails fast on ErrImagePull with the kubelet reason and message', async () => {
      const bad = 'registry.invalid/netshoot:nope';
      env = await startEnv({ fake: { kubelet: { auto: false } } });
      const session = await DebugSession.prepare(env.conn, WEB_API, { image: bad, random: ZERO, startTimeoutMs: 30_000 });
      const started = Date.now();
      const starting = session.start({ confirmed: true }).catch((e: unknown) => e);
      await until(() => env!.demo.fake.stats().watches === 1, 'the wait to watch the pod');
      // The kubelet's part: ContainerCreating, then the pull fails (the fake's own failure text).
      env.demo.fake.store.modify('pods', 'production', WEB_API.pod, (obj) => {
        const status = obj.status as { ephemeralContainerStatuses?: unknown[] };
        status.ephemeralContainerStatuses = [
          { name: 'netlens-debug-aaaaa', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: bad, imageID: '' },
        ];
      });
      env.demo.fake.hooks.failImage('production', WEB_API.pod, 'netlens-debug-aaaaa', 'ErrImagePull');
      const err = await starting;
      assert.ok(err instanceof ContainerStartError, String(err));
      assert.equal(err.reason, 'ErrImagePull');
      assert.match(err.kubeletMessage, /failed to pull/i);
      assert.match(err.userMessage, /did not start: ErrImagePull: .*Check the netlens\.debugImage setting/);
      assert.ok(Date.now() - started < 5000, 'long before the start timeout');
    });
  });

  describe('Pod Security', () => {
    it('a restricted namespace rejects the debug container; the probe pod fallback is created after confirmation and deleted afterwards', async () => {
      env = await startEnv();
      seed(env.demo.fake.store, restrictedNamespace());
      const snapshot = await snapshotOf(env.conn);
      const test = await ConnectivityTest.prepare(env.conn, {
        snapshot,
        source: { namespace: 'secure', name: 'api-58c7d9f6b4-k2v7n' },
        destination: { kind: 'service', namespace: 'secure', name: 'ledger' },
        port: 80,
        image: IMAGE,
      });
      const err = await test.run({ confirmed: true }).catch((e: unknown) => e);
      assert.ok(err instanceof PodSecurityRejectedError, String(err));
      assert.equal(err.level, 'restricted:latest');
      assert.equal(err.suggestedProfile, 'restricted');
      assert.match(err.violations, /allowPrivilegeEscalation != false/);
      assert.match(err.userMessage, /Use a short-lived probe pod in secure instead/);
      assert.deepEqual(ephemeralNames(env, 'secure', 'api-58c7d9f6b4-k2v7n'), [], 'nothing was added');

      const probe = await test.planProbePod({ copyLabels: true, securityProfile: err.suggestedProfile });
      const changes = probe.plannedChanges();
      assert.deepEqual(changes.map((c) => `${c.verb} ${c.resource} ${c.namespace}/${c.name}`), [`create pods secure/${probe.name}`, `delete pods secure/${probe.name}`]);
      assert.match(changes[0]!.warnings!.join(' '), /the same NetworkPolicies select it .* same Services/);
      const manifest = probe.manifest() as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
      assert.deepEqual(manifest.metadata.labels, { app: 'api' }, 'stable labels only');
      assert.equal((manifest.metadata.ownerReferences as { kind: string; controller: boolean }[])[0]!.controller, true);
      assert.equal(manifest.spec.restartPolicy, 'Never');
      assert.equal(manifest.spec.activeDeadlineSeconds, 600);
      assert.equal(manifest.spec.nodeName, 'node-b');

      const mark = env.demo.fake.requests().length;
      await assert.rejects(test.runInProbePod(probe), ConfirmationRequiredError);
      assert.deepEqual(writes(env.demo.fake.requests().slice(mark)), [], 'nothing without confirmation');
      const result = await test.runInProbePod(probe, { confirmed: true });
      assert.deepEqual(writes(env.demo.fake.requests().slice(mark)), ['POST /api/v1/namespaces/secure/pods', `DELETE /api/v1/namespaces/secure/pods/${probe.name}`]);
      assert.equal(env.demo.fake.store.get('pods', 'secure', probe.name), undefined, 'deleted afterwards');
      assert.equal(result.analysis.classification.outcome, 'connected');
      assert.equal(result.source.name, probe.name);
      assert.match(reportFor(result), new RegExp(`Probe from   probe pod secure/${probe.name} \\(with api-58c7d9f6b4-k2v7n's labels\\)`));
    });

    it('without copied labels it says the policies differ; a cancelled probe pod run still deletes the pod', async () => {
      env = await startEnv();
      seed(env.demo.fake.store, restrictedNamespace());
      env.demo.dataplane.setFaults({ delayMs: (argv) => (argv[0] === 'nc' ? 30_000 : 0) });
      const snapshot = await snapshotOf(env.conn);
      const test = await ConnectivityTest.prepare(env.conn, {
        snapshot,
        source: { namespace: 'secure', name: 'api-58c7d9f6b4-k2v7n' },
        destination: { kind: 'pod', namespace: 'secure', name: 'ledger-58c7d9f6b4-t6r3m' },
        port: 'http',
        image: IMAGE,
        securityProfile: 'restricted',
      });
      const probe = await test.planProbePod({ securityProfile: 'restricted' });
      assert.match(probe.plannedChanges()[0]!.warnings!.join(' '), /do not select the probe pod: only those selecting every pod of secure apply/);
      const controller = new AbortController();
      const err = await test
        .runInProbePod(probe, {
          confirmed: true,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.check?.phase === 'start' && p.check.check.kind === 'tcp') setTimeout(() => controller.abort(), 50);
          },
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof DebugError && err.kind === 'Cancelled', String(err));
      assert.equal(env.demo.fake.store.get('pods', 'secure', probe.name), undefined, 'deleted after the cancellation');
      assert.ok(writes(env.demo.fake.requests()).includes(`DELETE /api/v1/namespaces/secure/pods/${probe.name}`));
      assert.equal(env.demo.fake.stats().execSessions, 0);
    });
  });

  describe('cancellation and timeouts', () => {
    it('a cancelled run leaves nothing behind except the ephemeral container', async () => {
      env = await startEnv({ faults: { delayMs: (argv) => (argv[0] === 'nc' ? 30_000 : 0) } });
      const snapshot = await snapshotOf(env.conn);
      const test = await ConnectivityTest.prepare(env.conn, {
        snapshot,
        source: { namespace: WEB_API.namespace, name: WEB_API.pod },
        destination: { kind: 'pod', namespace: 'production', name: 'postgres-0' },
        port: 5432,
        image: IMAGE,
      });
      const controller = new AbortController();
      const podsBefore = env.demo.fake.store.list('pods').length;
      const err = await test
        .run({
          confirmed: true,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.check?.phase === 'start' && p.check.check.kind === 'tcp') setTimeout(() => controller.abort(), 50);
          },
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof DebugError && err.kind === 'Cancelled', String(err));
      assert.equal(env.demo.fake.store.list('pods').length, podsBefore);
      assert.equal(ephemeralNames(env, 'production', WEB_API.pod).length, 1);
      await env.demo.fake.waitForIdle(2000);
      assert.deepEqual([env.demo.fake.stats().execSessions, env.demo.fake.stats().watches], [0, 0]);
    });

    // kubelet.auto false: the container never gets a status, and the fake kubelet holds no timer
    // (its timers are not cancelled by close(); see the report).
    it('cancelling while the container starts ends the watch', async () => {
      env = await startEnv({ fake: { kubelet: { auto: false } } });
      const session = await DebugSession.prepare(env.conn, WEB_API, { image: IMAGE });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const err = await session.start({ confirmed: true, signal: controller.signal }).catch((e: unknown) => e);
      assert.ok(err instanceof DebugError && err.kind === 'Cancelled', String(err));
      await env.demo.fake.waitForIdle(2000);
      assert.equal(env.demo.fake.stats().watches, 0);
      assert.equal(ephemeralNames(env, 'production', WEB_API.pod).length, 1);
    });

    it('a start timeout is a typed Timeout and leaves only the ephemeral container', async () => {
      env = await startEnv({ fake: { kubelet: { auto: false } } });
      const session = await DebugSession.prepare(env.conn, WEB_API, { image: IMAGE, startTimeoutMs: 200 });
      const err = await session.start({ confirmed: true }).catch((e: unknown) => e);
      assert.ok(err instanceof DebugError && err.kind === 'Timeout', String(err));
      assert.match(err.userMessage, /^waiting for container netlens-debug-\w{5} in production\/web-api-7d9f8b6c5d-x2k4q to run did not finish within 200 ms$/);
      assert.deepEqual(writes(env.demo.fake.requests()), [`PATCH /api/v1/namespaces/production/pods/${WEB_API.pod}/ephemeralcontainers`]);
    });

    it('a per-command timeout ends that exec and reports it; the next check still runs', async () => {
      env = await startEnv({ faults: { delayMs: (argv) => (argv[0] === 'nc' ? 30_000 : 0) } });
      const session = await DebugSession.prepare(env.conn, WEB_API, { image: IMAGE });
      await session.start({ confirmed: true });
      const plans = planConnectivityChecks({ host: '10.244.1.45', port: 5432 }, { sockets: false });
      assert.ok(plans.ok);
      const checks = plans.value.checks.map((c) => (c.kind === 'tcp' ? { ...c, plan: { ...c.plan, timeoutMs: 150 } } : c));
      const extra = planConnectivityChecks({ host: '10.244.1.45', port: 5432 }, { sockets: true });
      assert.ok(extra.ok);
      const { runs, parsed } = await runChecks(session, [...checks, ...extra.value.checks.filter((c) => c.kind === 'port-range')]);
      assert.equal(parsed.tcp?.outcome, 'unknown');
      assert.equal(parsed.portRange?.outcome, 'ok');
      assert.deepEqual(runs.map((r) => r.check.kind), ['tcp', 'port-range']);
      assert.equal(runs[0]!.output.exitCode, null);
      assert.equal(runs[0]!.execError, 'timed out after 150 ms');
      assert.equal(runs[1]!.output.exitCode, 0);
      await env.demo.fake.waitForIdle(2000);
    });
  });

  describe('exec (channel protocol)', () => {
    async function started(e: Env): Promise<DebugSession> {
      const s = await DebugSession.prepare(e.conn, WEB_API, { image: IMAGE, random: ZERO });
      await s.start({ confirmed: true });
      return s;
    }

    for (const protocol of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
      it(`${protocol}: stdout and stderr apart, exit codes from the status channel, runtime errors, the output cap`, async () => {
        env = await startEnv({ fake: { execProtocols: [protocol] } });
        await started(env);
        const target = { namespace: 'production', pod: WEB_API.pod, container: 'netlens-debug-aaaaa' };
        const nc = await execInContainer(env.conn, target, ['nc', '-zv', '-w', '3', '--', '10.244.1.45', '5432'], { timeoutMs: 5000 });
        assert.deepEqual([nc.stdout, nc.stderr, nc.exitCode, nc.truncated, nc.execError], ['', 'nc: connect to 10.244.1.45 port 5432 (tcp) timed out: Operation now in progress\n', 1, false, undefined]);
        const resolv = await execInContainer(env.conn, target, ['cat', '/etc/resolv.conf'], { timeoutMs: 5000 });
        assert.deepEqual([resolv.stdout, resolv.stderr, resolv.exitCode], ['search production.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n', '', 0]);
        const missing = await execInContainer(env.conn, target, ['tcpdump', '-c', '1'], { timeoutMs: 5000 });
        assert.equal(missing.exitCode, null);
        assert.match(missing.execError ?? '', /executable file not found/);
        const capped = await execInContainer(env.conn, target, ['cat', '/etc/resolv.conf'], { timeoutMs: 5000, maxOutputBytes: 16 });
        assert.equal(capped.truncated, true);
        assert.equal(capped.stdout, 'search productio');
        assert.match(capped.execError ?? '', /output larger than 16 bytes/);
        const calls = env.demo.fake.hooks.execCalls();
        assert.ok(calls.every((c) => c.protocol === protocol && c.tty === false && c.streams.stdin === false && c.streams.stderr === true));
        assert.deepEqual(calls[0]!.argv, ['nc', '-zv', '-w', '3', '--', '10.244.1.45', '5432']);
      });
    }

    it('an exec the API server refuses is a typed error (the upgrade loses the Status body)', async () => {
      env = await startEnv({ fake: { rbac: { rules: [{ verbs: ['get'], resources: ['pods/exec'], allow: false }] } } });
      const err = await execInContainer(env.conn, { namespace: 'production', pod: WEB_API.pod, container: 'web-api' }, ['true']).catch((e: unknown) => e);
      assert.ok(err instanceof ClusterError, String(err));
      assert.equal(err.kind, 'Forbidden');
      assert.match(err.userMessage, /you cannot create pods\/exec/);
      const notRunning = await execInContainer(env.conn, { namespace: 'production', pod: WEB_API.pod, container: 'nope' }, ['true']).catch((e: unknown) => e);
      assert.ok(notRunning instanceof DebugError || notRunning instanceof ClusterError, String(notRunning));
    });

    it('a cancelled exec rejects with Cancelled and closes its socket', async () => {
      env = await startEnv({ faults: { delayMs: () => 30_000 } });
      await started(env);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const err = await execInContainer(env.conn, { namespace: 'production', pod: WEB_API.pod, container: 'netlens-debug-aaaaa' }, ['ss', '-tan'], { signal: controller.signal }).catch((e: unknown) => e);
      assert.ok(err instanceof DebugError && err.kind === 'Cancelled', String(err));
      await env.demo.fake.waitForIdle(2000);
      assert.equal(env.demo.fake.stats().execSessions, 0);
    });
  });
});
