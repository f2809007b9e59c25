/**
 * A pretend kubelet: it turns containers added through the API into status changes on timers, each
 * one a store write (so a MODIFIED watch event), and offers hooks to fail an image pull, start a
 * container by hand, or terminate it.
 *
 * Ephemeral containers: (containerCreatingMs) `waiting{ContainerCreating}` → (startMs) `running`.
 * Pods created with POST: `phase: Pending` at once → (containerCreatingMs) scheduled, containers
 * `waiting{ContainerCreating}` → (startMs) `phase: Running`, podIP, containers `running`.
 * With `auto: false` nothing moves by itself; use the hooks.
 */
import { createHash } from 'node:crypto';
import type { FakeStore } from './store';
import type { ContainerState, ContainerStatus, Pod, PodStatus } from './types';

export interface KubeletOptions {
  /** Move containers on timers. Default true. */
  auto?: boolean;
  /** Delay until a new container shows `waiting: ContainerCreating`. Default 100 ms. */
  containerCreatingMs?: number;
  /** Delay from ContainerCreating to running. Default 200 ms. */
  startMs?: number;
  /** Delay from ErrImagePull to ImagePullBackOff. Default 300 ms. */
  backOffMs?: number;
  /** Images that never pull: image → reason (`ErrImagePull`, `InvalidImageName`, ...). */
  failImages?: Record<string, string>;
  /** Node a pod created without `spec.nodeName` lands on. Default: the first node, else `fake-node-1`. */
  defaultNode?: string;
}

type StatusList = 'containerStatuses' | 'initContainerStatuses' | 'ephemeralContainerStatuses';

interface Failure {
  reason: string;
  message?: string;
}

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function fullImage(image: string): string {
  const hasRegistry = /^[^/]+[.:][^/]*\//.test(image) || image.startsWith('localhost/');
  let ref = hasRegistry ? image : `docker.io/${image.includes('/') ? image : `library/${image}`}`;
  if (!/[:@][^/]*$/.test(ref)) ref += ':latest';
  return ref;
}

export function pullFailureMessage(reason: string, image: string): string {
  const ref = fullImage(image);
  switch (reason) {
    case 'ImagePullBackOff':
      return `Back-off pulling image "${image}"`;
    case 'InvalidImageName':
      return `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
    default:
      return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
  }
}

export class Kubelet {
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();
  private readonly pendingFailures = new Map<string, Failure>();
  private ipCounter = 0;
  private closed = false;
  auto: boolean;

  constructor(
    private readonly store: FakeStore,
    private readonly options: KubeletOptions = {},
  ) {
    this.auto = options.auto ?? true;
  }

  /** Schedules the life of a newly added ephemeral container. */
  ephemeralAdded(namespace: string, pod: string, container: string): void {
    if (!this.auto) return;
    const creatingMs = this.options.containerCreatingMs ?? 100;
    const startMs = this.options.startMs ?? 200;
    this.after(namespace, pod, container, creatingMs, () => {
      if (!this.setState(namespace, pod, container, { waiting: { reason: 'ContainerCreating' } }, { onlyIfAbsent: true })) return;
      if (this.pullFails(namespace, pod, container)) return;
      this.after(namespace, pod, container, startMs, () => {
        if (this.currentState(namespace, pod, container)?.waiting?.reason === 'ContainerCreating') {
          this.startContainer(namespace, pod, container);
        }
      });
    });
  }

  /** Schedules a pod created through the API: scheduled, then running. */
  podCreated(namespace: string, pod: string): void {
    if (!this.auto) return;
    const creatingMs = this.options.containerCreatingMs ?? 100;
    const startMs = this.options.startMs ?? 200;
    this.after(namespace, pod, '', creatingMs, () => {
      const current = this.pod(namespace, pod);
      if (!current) return;
      this.schedule(namespace, pod);
      const names = (current.spec?.containers ?? []).map((c) => c.name);
      for (const name of names) this.setState(namespace, pod, name, { waiting: { reason: 'ContainerCreating' } }, { onlyIfAbsent: true });
      const failed = names.filter((name) => this.pullFails(namespace, pod, name));
      this.after(namespace, pod, '', startMs, () => {
        for (const name of names) {
          if (failed.includes(name)) continue;
          if (this.currentState(namespace, pod, name)?.waiting?.reason === 'ContainerCreating') this.startContainer(namespace, pod, name);
        }
      });
    });
  }

  /** Gives a pod a node, host IP and pod IP (`phase: Pending`, scheduled). Idempotent. */
  schedule(namespace: string, pod: string): void {
    const node = this.options.defaultNode ?? this.store.list('nodes')[0]?.metadata.name ?? 'fake-node-1';
    this.store.modify('pods', namespace, pod, (obj) => {
      const p = obj as Pod;
      p.spec = p.spec ?? {};
      if (!p.spec.nodeName) p.spec.nodeName = node;
      const status: PodStatus = p.status ?? {};
      p.status = status;
      if (!status.podIP) {
        status.podIP = this.freeIp();
        status.podIPs = [{ ip: status.podIP }];
      }
      status.hostIP = status.hostIP ?? this.hostIP(p.spec.nodeName);
      status.phase = status.phase ?? 'Pending';
      status.startTime = status.startTime ?? this.store.timestamp();
    });
  }

  /**
   * Makes the image pull of a container fail: `waiting{reason, message}` now if the container
   * exists, or when the kubelet gets to it. `ErrImagePull` later turns into `ImagePullBackOff`.
   */
  failImage(namespace: string, pod: string, container: string, reason = 'ErrImagePull', message?: string): void {
    const key = this.key(namespace, pod, container);
    const found = this.locate(namespace, pod, container);
    if (!found || !this.currentState(namespace, pod, container)) {
      this.pendingFailures.set(key, { reason, message });
      return;
    }
    this.cancel(namespace, pod, container);
    this.applyFailure(namespace, pod, container, { reason, message });
  }

  /** Moves a container to `running` now (whatever the timers say). */
  startContainer(namespace: string, pod: string, container: string): void {
    this.cancel(namespace, pod, container);
    const started = this.store.timestamp();
    this.setState(namespace, pod, container, { running: { startedAt: started } }, { started: true });
    const current = this.pod(namespace, pod);
    if (!current) return;
    const all = current.spec?.containers ?? [];
    const statuses = current.status?.containerStatuses ?? [];
    const allRunning = all.length > 0 && all.every((c) => statuses.find((s) => s.name === c.name)?.state.running);
    if (allRunning && current.status?.phase !== 'Running') {
      this.schedule(namespace, pod);
      this.store.modify('pods', namespace, pod, (obj) => {
        const status = (obj as Pod).status as PodStatus;
        status.phase = 'Running';
        status.conditions = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
          type,
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: started,
        }));
      });
    }
  }

  /** Moves a container to `terminated{exitCode}`; a `restartPolicy: Never` pod whose containers all ended gets its final phase. */
  terminate(namespace: string, pod: string, container: string, exitCode: number, reason?: string): void {
    this.cancel(namespace, pod, container);
    const prior = this.currentState(namespace, pod, container);
    const now = this.store.timestamp();
    this.setState(
      namespace,
      pod,
      container,
      {
        terminated: {
          exitCode,
          reason: reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
          startedAt: prior?.running?.startedAt ?? now,
          finishedAt: now,
          containerID: this.containerID(namespace, pod, container),
        },
      },
      { started: false },
    );
    const current = this.pod(namespace, pod);
    if (!current || current.spec?.restartPolicy !== 'Never') return;
    const statuses = current.status?.containerStatuses ?? [];
    const all = current.spec?.containers ?? [];
    if (all.length && all.every((c) => statuses.find((s) => s.name === c.name)?.state.terminated)) {
      const failed = statuses.some((s) => (s.state.terminated?.exitCode ?? 0) !== 0);
      this.store.modify('pods', namespace, pod, (obj) => {
        ((obj as Pod).status as PodStatus).phase = failed ? 'Failed' : 'Succeeded';
      });
    }
  }

  /** Forgets a pod's timers (on delete). */
  forget(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const [key, set] of this.timers) {
      if (!key.startsWith(prefix)) continue;
      set.forEach(clearTimeout);
      this.timers.delete(key);
    }
  }

  /** Number of pending timers (for leak checks). */
  get pendingTimers(): number {
    let n = 0;
    for (const set of this.timers.values()) n += set.size;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const set of this.timers.values()) set.forEach(clearTimeout);
    this.timers.clear();
  }

  // -------------------------------------------------------------------------------------------

  private pullFails(namespace: string, pod: string, container: string): boolean {
    const key = this.key(namespace, pod, container);
    let failure = this.pendingFailures.get(key);
    const image = this.locate(namespace, pod, container)?.image;
    if (!failure && image && this.options.failImages?.[image]) failure = { reason: this.options.failImages[image] };
    if (!failure) return false;
    this.pendingFailures.delete(key);
    this.applyFailure(namespace, pod, container, failure);
    return true;
  }

  private applyFailure(namespace: string, pod: string, container: string, failure: Failure): void {
    const image = this.locate(namespace, pod, container)?.image ?? '';
    const message = failure.message ?? pullFailureMessage(failure.reason, image);
    this.setState(namespace, pod, container, { waiting: { reason: failure.reason, message } });
    if (failure.reason === 'ErrImagePull' && this.auto) {
      this.after(namespace, pod, container, this.options.backOffMs ?? 300, () => {
        if (this.currentState(namespace, pod, container)?.waiting?.reason !== 'ErrImagePull') return;
        this.setState(namespace, pod, container, {
          waiting: { reason: 'ImagePullBackOff', message: pullFailureMessage('ImagePullBackOff', image) },
        });
      });
    }
  }

  /** The next pod IP in 10.244.0.0/16 that no pod (seeded or scheduled) holds. */
  private freeIp(): string {
    const used = new Set(this.store.list('pods').map((o) => (o as Pod).status?.podIP).filter((ip): ip is string => !!ip));
    for (let tries = 0; tries < 250 * 200; tries++) {
      const n = this.ipCounter++;
      const ip = `10.244.${1 + (Math.floor(n / 200) % 250)}.${10 + (n % 200)}`;
      if (!used.has(ip)) return ip;
    }
    throw new Error('fake kubelet: no free pod IP left in 10.244.0.0/16');
  }

  private key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  private after(namespace: string, pod: string, container: string, ms: number, fn: () => void): void {
    if (this.closed) return;
    const key = this.key(namespace, pod, container);
    const set = this.timers.get(key) ?? new Set<NodeJS.Timeout>();
    this.timers.set(key, set);
    const timer = setTimeout(() => {
      set.delete(timer);
      if (set.size === 0 && this.timers.get(key) === set) this.timers.delete(key);
      if (this.closed) return;
      try {
        fn();
      } catch {
        // The pod may be gone; the kubelet moves on.
      }
    }, ms);
    set.add(timer);
  }

  private cancel(namespace: string, pod: string, container: string): void {
    const key = this.key(namespace, pod, container);
    this.timers.get(key)?.forEach(clearTimeout);
    this.timers.delete(key);
  }

  private pod(namespace: string, pod: string): Pod | undefined {
    return this.store.get('pods', namespace, pod) as Pod | undefined;
  }

  private locate(namespace: string, pod: string, container: string): { list: StatusList; image: string } | undefined {
    const spec = this.pod(namespace, pod)?.spec;
    if (!spec) return undefined;
    const lists: [keyof typeof spec, StatusList][] = [
      ['containers', 'containerStatuses'],
      ['initContainers', 'initContainerStatuses'],
      ['ephemeralContainers', 'ephemeralContainerStatuses'],
    ];
    for (const [specList, statusList] of lists) {
      const found = (spec[specList] as { name: string; image?: string }[] | undefined)?.find((c) => c.name === container);
      if (found) return { list: statusList, image: found.image ?? '' };
    }
    return undefined;
  }

  private currentState(namespace: string, pod: string, container: string): ContainerState | undefined {
    const where = this.locate(namespace, pod, container);
    if (!where) return undefined;
    const status = this.pod(namespace, pod)?.status?.[where.list] as ContainerStatus[] | undefined;
    return status?.find((s) => s.name === container)?.state;
  }

  private containerID(namespace: string, pod: string, container: string): string {
    return `containerd://${hex(`${namespace}/${pod}/${container}`, 64)}`;
  }

  private hostIP(node: string | undefined): string {
    const obj = node ? this.store.get('nodes', undefined, node) : undefined;
    const addresses = (obj?.status?.addresses ?? []) as { type?: string; address?: string }[];
    return addresses.find((a) => a.type === 'InternalIP')?.address ?? '192.168.49.2';
  }

  /** Writes one container status; returns false when the pod or container is gone. */
  private setState(
    namespace: string,
    pod: string,
    container: string,
    state: ContainerState,
    opts: { onlyIfAbsent?: boolean; started?: boolean } = {},
  ): boolean {
    const where = this.locate(namespace, pod, container);
    if (!where) return false;
    let written = false;
    this.store.modify('pods', namespace, pod, (obj) => {
      const p = obj as Pod;
      const status: PodStatus = p.status ?? {};
      p.status = status;
      const list = (status[where.list] as ContainerStatus[] | undefined) ?? [];
      status[where.list] = list;
      const index = list.findIndex((s) => s.name === container);
      if (index >= 0 && opts.onlyIfAbsent) return;
      const running = state.running !== undefined;
      const image = where.image;
      const entry: ContainerStatus = {
        name: container,
        state,
        lastState: {},
        ready: running && where.list !== 'ephemeralContainerStatuses',
        restartCount: 0,
        image,
        imageID: running || state.terminated ? `${fullImage(image).replace(/:[^:/]+$/, '')}@sha256:${hex(image, 64)}` : '',
        started: opts.started ?? false,
      };
      if (running || state.terminated) entry.containerID = this.containerID(namespace, pod, container);
      if (index >= 0) list[index] = entry;
      else list.push(entry);
      written = true;
    });
    return written;
  }
}
