import * as k8s from '@kubernetes/client-node';
import { strict as assert } from 'node:assert';
import { runningPod } from '../support/fake-kube/seed';
import { eventually, expectApiError, recordWatch, startHarness, stopHarness, type Harness } from './helpers';

const SMP = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

const probe = (name: string, extra: Partial<k8s.V1EphemeralContainer> = {}): k8s.V1EphemeralContainer => ({
  name,
  image: 'nicolaka/netshoot',
  command: ['sleep', '3600'],
  terminationMessagePolicy: 'File',
  ...extra,
});

describe('fake-kube: ephemeral containers (client-node 1.4.0)', () => {
  let h: Harness;
  afterEach(async () => {
    await stopHarness(h?.fake);
  });

  it('adds one with a strategic merge patch (the exact content type) and runs it on a timer', async () => {
    h = await startHarness();
    const w = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', {
      resourceVersion: h.fake.store.resourceVersion,
      fieldSelector: 'metadata.name=web-1',
    });
    const pod = await h.core.patchNamespacedPodEphemeralcontainers(
      { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [probe('netprobe-abcde', { targetContainerName: 'app' })] } } },
      SMP,
    );
    const patch = h.fake.requests().find((r) => r.method === 'PATCH');
    assert.equal(patch?.contentType, 'application/strategic-merge-patch+json');
    assert.equal(patch?.path, '/api/v1/namespaces/shop/pods/web-1/ephemeralcontainers');
    const ec = pod.spec?.ephemeralContainers?.[0];
    assert.equal(ec?.name, 'netprobe-abcde');
    assert.equal(ec?.targetContainerName, 'app');
    assert.equal(ec?.terminationMessagePath, '/dev/termination-log', 'API defaults are filled in');
    assert.equal(pod.status?.ephemeralContainerStatuses, undefined, 'no status until the kubelet syncs');

    const running = await w.waitFor(
      (e) => e.object.status?.ephemeralContainerStatuses?.[0]?.state?.running !== undefined,
      'running status',
    );
    const states = w.events.map((e) => e.object.status?.ephemeralContainerStatuses?.[0]?.state);
    assert.deepEqual(states[0], undefined, 'the patch itself');
    assert.deepEqual(states[1], { waiting: { reason: 'ContainerCreating' } });
    assert.ok(states[2].running.startedAt);
    assert.ok(w.events.every((e) => e.type === 'MODIFIED'));
    const status = running.object.status.ephemeralContainerStatuses[0];
    assert.equal(status.ready, false);
    assert.match(status.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    w.stop();
    await w.done;
  });

  it('merges by name with $setElementOrder, as kubectl debug sends it', async () => {
    h = await startHarness();
    await h.core.patchNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [probe('first')] } } }, SMP);
    const pod = await h.core.patchNamespacedPodEphemeralcontainers(
      {
        namespace: 'shop',
        name: 'web-1',
        body: {
          spec: {
            '$setElementOrder/ephemeralContainers': [{ name: 'first' }, { name: 'debugger-x7k2p' }],
            ephemeralContainers: [
              {
                image: 'nicolaka/netshoot',
                name: 'debugger-x7k2p',
                resources: {},
                stdin: true,
                targetContainerName: 'app',
                terminationMessagePolicy: 'File',
                tty: true,
              },
            ],
          },
        },
      },
      SMP,
    );
    assert.deepEqual(
      pod.spec?.ephemeralContainers?.map((c) => c.name),
      ['first', 'debugger-x7k2p'],
    );
  });

  it('takes the client default JSON Patch (add the list, then append with /-)', async () => {
    h = await startHarness();
    await h.core.patchNamespacedPodEphemeralcontainers({
      namespace: 'shop',
      name: 'web-2',
      body: [{ op: 'add', path: '/spec/ephemeralContainers', value: [probe('one')] }],
    });
    assert.equal(h.fake.requests().at(-1)?.contentType, 'application/json-patch+json');
    const pod = await h.core.patchNamespacedPodEphemeralcontainers({
      namespace: 'shop',
      name: 'web-2',
      body: [{ op: 'add', path: '/spec/ephemeralContainers/-', value: probe('two') }],
    });
    assert.deepEqual(
      pod.spec?.ephemeralContainers?.map((c) => c.name),
      ['one', 'two'],
    );
    // A merge-style body under the default JSON Patch content type is a 400, as on a real server.
    const bad = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-2', body: { spec: { ephemeralContainers: [probe('x')] } } }),
      400,
    );
    assert.equal(bad.reason, 'BadRequest');
    // /- on a pod without the list fails to apply: 422.
    await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers({
        namespace: 'shop',
        name: 'db-0',
        body: [{ op: 'add', path: '/spec/ephemeralContainers/-', value: probe('x') }],
      }),
      422,
    );
  });

  it('takes a merge patch that repeats the existing containers', async () => {
    h = await startHarness();
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await h.core.patchNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'db-0', body: { spec: { ephemeralContainers: [probe('a')] } } }, merge);
    const current = await h.core.readNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'db-0' });
    const pod = await h.core.patchNamespacedPodEphemeralcontainers(
      { namespace: 'shop', name: 'db-0', body: { spec: { ephemeralContainers: [...(current.spec?.ephemeralContainers ?? []), probe('b')] } } },
      merge,
    );
    assert.deepEqual(
      pod.spec?.ephemeralContainers?.map((c) => c.name),
      ['a', 'b'],
    );
    // Dropping one is refused.
    const body = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'db-0', body: { spec: { ephemeralContainers: [probe('b')] } } }, merge),
      422,
    );
    assert.match(String(body.message), /existing ephemeral containers "a" may not be removed/);
  });

  it('answers 415 for other content types', async () => {
    h = await startHarness();
    const body = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers(
        { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [probe('x')] } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
      ),
      415,
    );
    assert.equal(body.reason, 'UnsupportedMediaType');
    assert.match(String(body.message), /accepted media types include: application\/json-patch\+json/);
  });

  it('answers 422 Invalid for a changed existing container or a missing name or image', async () => {
    h = await startHarness();
    await h.core.patchNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [probe('dbg')] } } }, SMP);
    const changed = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers(
        { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] } } },
        SMP,
      ),
      422,
    );
    assert.equal(changed.reason, 'Invalid');
    assert.equal(changed.message, 'Pod "web-1" is invalid: spec.ephemeralContainers[dbg]: Forbidden: existing ephemeral containers "dbg" may not be changed');
    assert.deepEqual(changed.details, {
      name: 'web-1',
      kind: 'Pod',
      causes: [
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: existing ephemeral containers "dbg" may not be changed',
          field: 'spec.ephemeralContainers[dbg]',
        },
      ],
    });
    const missing = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers(
        { namespace: 'shop', name: 'web-2', body: [{ op: 'add', path: '/spec/ephemeralContainers', value: [{ name: 'noimage' }, { image: 'busybox' }] }] },
      ),
      422,
    );
    assert.equal(
      missing.message,
      'Pod "web-2" is invalid: [spec.ephemeralContainers[0].image: Required value, spec.ephemeralContainers[1].name: Required value]',
    );
    const duplicate = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-2', body: { spec: { ephemeralContainers: [probe('app')] } } }, SMP),
      422,
    );
    assert.match(String(duplicate.message), /spec\.ephemeralContainers\[0\]\.name: Duplicate value: "app"/);
    const target = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers(
        { namespace: 'shop', name: 'web-2', body: { spec: { ephemeralContainers: [probe('t', { targetContainerName: 'nope' })] } } },
        SMP,
      ),
      422,
    );
    assert.match(String(target.message), /targetContainerName: Not found: "nope"/);
    await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'ghost', body: { spec: { ephemeralContainers: [probe('x')] } } }, SMP),
      404,
    );
  });

  it('replaces with PUT, refusing a stale resourceVersion with 409', async () => {
    h = await startHarness();
    const pod = await h.core.readNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-1' });
    const stale = structuredClone(pod);
    pod.spec!.ephemeralContainers = [probe('put-one')];
    const updated = await h.core.replaceNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-1', body: pod });
    assert.equal(updated.spec?.ephemeralContainers?.[0].name, 'put-one');
    assert.notEqual(updated.metadata?.resourceVersion, pod.metadata?.resourceVersion);
    stale.spec!.ephemeralContainers = [probe('put-two')];
    const conflict = await expectApiError(h.core.replaceNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-1', body: stale }), 409);
    assert.equal(
      conflict.message,
      'Operation cannot be fulfilled on pods "web-1": the object has been modified; please apply your changes to the latest version and try again',
    );
    assert.equal(conflict.reason, 'Conflict');
    // Other changes in the body are dropped, as the subresource strategy does.
    // The kubelet's status updates for put-one may bump the resourceVersion between the read and
    // the replace: read-modify-write again on a 409, as real clients do.
    let result: Awaited<ReturnType<typeof h.core.replaceNamespacedPodEphemeralcontainers>> | undefined;
    for (let attempt = 0; attempt < 10 && !result; attempt++) {
      const again = await h.core.readNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-1' });
      again.metadata!.labels = { hacked: 'yes' };
      again.spec!.ephemeralContainers!.push(probe('put-three'));
      result = await h.core.replaceNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-1', body: again }).catch((e: { code?: number }) => {
        if (e.code === 409) return undefined;
        throw e;
      });
    }
    assert.ok(result, 'the replace went through');
    assert.deepEqual(result.metadata?.labels, { app: 'web', tier: 'front' });
    assert.equal(result.spec?.ephemeralContainers?.length, 2);
  });

  it('reports ErrImagePull then ImagePullBackOff for a failing image', async () => {
    h = await startHarness();
    h.fake.hooks.failImage('shop', 'web-1', 'broken', 'ErrImagePull');
    const w = await recordWatch(h.kc, '/api/v1/namespaces/shop/pods', {
      resourceVersion: h.fake.store.resourceVersion,
      fieldSelector: 'metadata.name=web-1',
    });
    await h.core.patchNamespacedPodEphemeralcontainers(
      { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [probe('broken', { image: 'example.com/nope:1' })] } } },
      SMP,
    );
    await w.waitFor((e) => e.object.status?.ephemeralContainerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff', 'back-off');
    const reasons = w.events
      .map((e) => e.object.status?.ephemeralContainerStatuses?.[0]?.state?.waiting)
      .filter(Boolean)
      .map((s) => s.reason);
    assert.deepEqual(reasons, ['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff']);
    const pull = w.events.find((e) => e.object.status?.ephemeralContainerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull');
    assert.match(pull!.object.status.ephemeralContainerStatuses[0].state.waiting.message, /failed to pull and unpack image "example.com\/nope:1"/);
    const last = w.events.at(-1)!.object.status.ephemeralContainerStatuses[0].state.waiting.message;
    assert.equal(last, 'Back-off pulling image "example.com/nope:1"');
    w.stop();
    await w.done;
  });

  it('fails images by name from the options, and terminates containers on request', async () => {
    h = await startHarness({ kubelet: { containerCreatingMs: 2, startMs: 2, backOffMs: 1000, failImages: { 'nope:latest': 'ErrImagePull' } } });
    await h.core.patchNamespacedPodEphemeralcontainers(
      { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [probe('bad', { image: 'nope:latest' }), probe('good')] } } },
      SMP,
    );
    const read = async (): Promise<k8s.V1ContainerStatus[]> =>
      (await h.core.readNamespacedPod({ namespace: 'shop', name: 'web-1' })).status?.ephemeralContainerStatuses ?? [];
    await eventually(async () => (await read()).find((s) => s.name === 'good')?.state?.running, 2000, 'good running');
    const bad = (await read()).find((s) => s.name === 'bad');
    assert.equal(bad?.state?.waiting?.reason, 'ErrImagePull');
    h.fake.hooks.terminate('shop', 'web-1', 'good', 3);
    const good = (await read()).find((s) => s.name === 'good');
    assert.equal(good?.state?.terminated?.exitCode, 3);
    assert.equal(good?.state?.terminated?.reason, 'Error');
    // The hook starts a container whatever its state.
    h.fake.hooks.startContainer('shop', 'web-1', 'bad');
    assert.ok((await read()).find((s) => s.name === 'bad')?.state?.running);
  });

  it('enforces Pod Security: restricted rejects a root debug container with the admission message', async () => {
    h = await startHarness();
    h.fake.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'secure', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
    h.fake.store.create(
      runningPod({
        namespace: 'secure',
        name: 'api',
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          { name: 'app', image: 'api:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true } },
        ],
      }),
    );
    const root = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers(
        { namespace: 'secure', name: 'api', body: { spec: { ephemeralContainers: [probe('dbg', { securityContext: { runAsUser: 0 } })] } } },
        SMP,
      ),
      403,
    );
    assert.deepEqual(root, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods "api" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "dbg" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "dbg" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "dbg" must set securityContext.runAsNonRoot=true), runAsUser=0 (container "dbg" must not set runAsUser=0)',
      reason: 'Forbidden',
      details: { name: 'api', kind: 'pods' },
      code: 403,
    });
    // A compliant probe is admitted.
    const ok = await h.core.patchNamespacedPodEphemeralcontainers(
      {
        namespace: 'secure',
        name: 'api',
        body: {
          spec: {
            ephemeralContainers: [
              probe('safe', {
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 1000 },
              }),
            ],
          },
        },
      },
      SMP,
    );
    assert.equal(ok.spec?.ephemeralContainers?.length, 1);
    // Baseline forbids SYS_PTRACE (kubectl debug --profile=general).
    h.fake.hooks.setNamespaceSecurity('shop', 'baseline');
    const ptrace = await expectApiError(
      h.core.patchNamespacedPodEphemeralcontainers(
        { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [probe('dbg', { securityContext: { capabilities: { add: ['SYS_PTRACE'] } } })] } } },
        SMP,
      ),
      403,
    );
    assert.equal(
      ptrace.message,
      'pods "web-1" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "dbg" must not include "SYS_PTRACE" in securityContext.capabilities.add)',
    );
    // The switch turns admission off.
    h.fake.hooks.setPodSecurity(false);
    await h.core.patchNamespacedPodEphemeralcontainers(
      { namespace: 'secure', name: 'api', body: { spec: { ephemeralContainers: [probe('root', { securityContext: { runAsUser: 0 } })] } } },
      SMP,
    );
  });

  it('does not write when nothing changes and honours dryRun', async () => {
    h = await startHarness();
    const before = h.fake.store.resourceVersion;
    const dry = await h.core.patchNamespacedPodEphemeralcontainers(
      { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [probe('dry')] } }, dryRun: 'All' },
      SMP,
    );
    assert.equal(dry.spec?.ephemeralContainers?.[0].name, 'dry');
    assert.equal(h.fake.store.resourceVersion, before);
    await h.core.patchNamespacedPodEphemeralcontainers({ namespace: 'shop', name: 'web-1', body: { spec: {} } }, SMP);
    assert.equal(h.fake.store.resourceVersion, before);
    assert.equal(h.fake.stats().kubeletTimers, 0);
  });
});
