/**
 * Waiting for a container to run, as `kubectl debug` does: list the pod with
 * `fieldSelector=metadata.name=POD`, then watch from that list's resourceVersion until the
 * container's status says running. Image and configuration failures end the wait at once with
 * the kubelet's reason and message; a deleted pod, an exited container or a failed pod too.
 */
import { Watch } from '@kubernetes/client-node';
import type { ClusterConnection } from '../kubeconfig';
import { withCallOptions } from '../request';
import { ContainerStartError, DebugError, cancelledError, timeoutError } from './errors';
import { API_TIMEOUT_MS, START_TIMEOUT_MS, delay, throwIfCancelled, type StepOptions } from './steps';

/** Waiting reasons that will not turn into Running by waiting longer. */
export const FAIL_FAST_REASONS: readonly string[] = [
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
];

export type ContainerKind = 'ephemeral' | 'regular';

interface LooseStatus {
  name?: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: unknown;
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
}

interface LoosePod {
  metadata?: { name?: string; resourceVersion?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: LooseStatus[];
    ephemeralContainerStatuses?: LooseStatus[];
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

type Evaluation = { readonly kind: 'running' } | { readonly kind: 'waiting'; readonly reason?: string } | { readonly kind: 'failed'; readonly error: Error };

/** Where a container stands, from a pod object (typed client object or raw watch JSON: the keys are the same). */
export function evaluateContainer(pod: LoosePod | undefined, podKey: string, container: string, kind: ContainerKind): Evaluation {
  if (!pod) return { kind: 'failed', error: new DebugError('PodNotReady', `pod ${podKey} no longer exists`) };
  const statuses = (kind === 'ephemeral' ? pod.status?.ephemeralContainerStatuses : pod.status?.containerStatuses) ?? [];
  const status = statuses.find((s) => s.name === container);
  const state = status?.state;
  if (state?.running) return { kind: 'running' };
  if (state?.terminated) {
    const t = state.terminated;
    return { kind: 'failed', error: new ContainerStartError(podKey, container, t.reason ?? 'Terminated', `exited with code ${t.exitCode ?? '?'}${t.message ? `: ${t.message}` : ''}`) };
  }
  const waiting = state?.waiting;
  if (waiting?.reason && FAIL_FAST_REASONS.includes(waiting.reason)) {
    return { kind: 'failed', error: new ContainerStartError(podKey, container, waiting.reason, waiting.message ?? '') };
  }
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    return { kind: 'failed', error: new DebugError('PodNotReady', `pod ${podKey} has ended (phase ${phase}${pod.status?.reason ? `, ${pod.status.reason}` : ''}${pod.status?.message ? `: ${pod.status.message}` : ''})`) };
  }
  const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
  if (unschedulable && kind === 'regular') {
    return { kind: 'failed', error: new DebugError('PodNotReady', `pod ${podKey} cannot be scheduled: ${unschedulable.message ?? 'no node fits'}`) };
  }
  return { kind: 'waiting', ...(waiting?.reason ? { reason: waiting.reason } : {}) };
}

type WatchEnd = { readonly kind: 'running' } | { readonly kind: 'closed' };

/**
 * Waits until a container of a pod is running.
 * @param kind `ephemeral` for `status.ephemeralContainerStatuses`, `regular` for `status.containerStatuses`
 * @param options the signal and the overall timeout (default {@link START_TIMEOUT_MS})
 */
export async function waitForContainerRunning(
  connection: ClusterConnection,
  namespace: string,
  pod: string,
  container: string,
  kind: ContainerKind,
  options: StepOptions & { readonly apiTimeoutMs?: number } = {},
): Promise<void> {
  const what = `waiting for container ${container} in ${namespace}/${pod} to run`;
  const timeoutMs = options.timeoutMs ?? START_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const key = `${namespace}/${pod}`;
  const fieldSelector = `metadata.name=${pod}`;
  for (let round = 0; ; round++) {
    throwIfCancelled(options.signal, what);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timeoutError(what, timeoutMs);
    let list;
    try {
      list = await withCallOptions({ signal: options.signal, timeoutMs: Math.min(options.apiTimeoutMs ?? API_TIMEOUT_MS, remaining) }, (o) =>
        connection.core().listNamespacedPod({ namespace, fieldSelector }, o),
      );
    } catch (err) {
      if (options.signal?.aborted) throw cancelledError(what);
      if (Date.now() >= deadline) throw timeoutError(what, timeoutMs);
      throw connection.classify(err, { verb: 'list', resource: 'pods', namespace });
    }
    const state = evaluateContainer(list.items[0] as LoosePod | undefined, key, container, kind);
    if (state.kind === 'running') return;
    if (state.kind === 'failed') throw state.error;
    const end = await watchUntilRunning(connection, { namespace, pod, container, kind, key, fieldSelector, rv: list.metadata?.resourceVersion, deadline, timeoutMs, what, signal: options.signal });
    if (end.kind === 'running') return;
    // The stream ended without an answer: list again (after a short pause, so a server that
    // closes every watch at once cannot make this spin).
    await delay(Math.min(50 * (round + 1), 1000), options.signal);
  }
}

function watchUntilRunning(
  connection: ClusterConnection,
  w: {
    namespace: string;
    pod: string;
    container: string;
    kind: ContainerKind;
    key: string;
    fieldSelector: string;
    rv: string | undefined;
    deadline: number;
    timeoutMs: number;
    what: string;
    signal: AbortSignal | undefined;
  },
): Promise<WatchEnd> {
  return new Promise<WatchEnd>((resolve, reject) => {
    let finished = false;
    let controller: AbortController | undefined;
    const finish = (result: WatchEnd | Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      w.signal?.removeEventListener('abort', onAbort);
      controller?.abort();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = (): void => finish(cancelledError(w.what));
    const timer = setTimeout(() => finish(timeoutError(w.what, w.timeoutMs)), Math.max(0, w.deadline - Date.now()));
    w.signal?.addEventListener('abort', onAbort, { once: true });
    if (w.signal?.aborted) return onAbort();
    const onEvent = (type: string, obj: unknown): void => {
      if (finished) return;
      if (type === 'DELETED') return finish(new DebugError('PodNotReady', `pod ${w.key} was deleted while ${w.what}`));
      if (type === 'ERROR') {
        // 410 Expired and the like: list again.
        return finish({ kind: 'closed' });
      }
      if (type !== 'ADDED' && type !== 'MODIFIED') return;
      const state = evaluateContainer(obj as LoosePod, w.key, w.container, w.kind);
      if (state.kind === 'running') finish({ kind: 'running' });
      else if (state.kind === 'failed') finish(state.error);
    };
    const done = (err: unknown): void => {
      if (finished) return;
      if (err && (err as { name?: string }).name !== 'AbortError') finish(connection.classify(err, { verb: 'watch', resource: 'pods', namespace: w.namespace }));
      else finish({ kind: 'closed' });
    };
    const params: Record<string, string | boolean> = { fieldSelector: w.fieldSelector, allowWatchBookmarks: true };
    if (w.rv) params.resourceVersion = w.rv;
    new Watch(connection.kc)
      .watch(`/api/v1/namespaces/${encodeURIComponent(w.namespace)}/pods`, params, onEvent, done)
      .then(
        (c) => {
          if (finished) c.abort();
          else controller = c;
        },
        (err: unknown) => done(err ?? new Error('watch failed')),
      );
  });
}
