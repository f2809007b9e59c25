/**
 * Every step of a connectivity test takes an AbortSignal (the user pressed Cancel) and a timeout
 * (the step is stuck). {@link step} runs one with both, always cleans its timer and listener, and
 * turns an abort into a typed `Cancelled` or `Timeout` DebugError.
 */
import { ClusterError } from '../errors';
import { DebugError, cancelledError, timeoutError } from './errors';

export interface StepOptions {
  readonly signal?: AbortSignal;
  /** Gives up after this long. */
  readonly timeoutMs?: number;
}

/** Default timeout of one API request. */
export const API_TIMEOUT_MS = 15_000;
/** Default time a container may take to become Running (image pulls can be slow). */
export const START_TIMEOUT_MS = 120_000;
/** Default cap on the output of one exec, per stream. */
export const MAX_OUTPUT_BYTES = 2 * 1024 * 1024;

export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw cancelledError(what);
}

/**
 * Runs `fn` with a signal that aborts when `options.signal` aborts or `options.timeoutMs` passes.
 * Rejects with `Cancelled` or `Timeout` as soon as that happens, even if `fn` is slow to notice;
 * `fn`'s own later rejection is then ignored.
 * @param what the step, for messages ("adding the debug container")
 */
export async function step<T>(what: string, options: StepOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  throwIfCancelled(options.signal, what);
  const controller = new AbortController();
  let reason: DebugError | undefined;
  let rejectEarly: ((e: DebugError) => void) | undefined;
  const early = new Promise<never>((_, reject) => {
    rejectEarly = reject;
  });
  const stop = (e: DebugError): void => {
    if (reason) return;
    reason = e;
    controller.abort();
    rejectEarly?.(e);
  };
  const onAbort = (): void => stop(cancelledError(what));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs !== undefined ? setTimeout(() => stop(timeoutError(what, options.timeoutMs!)), options.timeoutMs) : undefined;
  const work = fn(controller.signal);
  work.catch(() => undefined);
  early.catch(() => undefined);
  try {
    return await Promise.race([work, early]);
  } catch (err) {
    // fn failed because we aborted it: report why we aborted, not how the client noticed.
    if (reason) throw reason;
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Waits `ms`, or less when `signal` aborts (the caller checks the signal afterwards). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A signal that aborts with either input; `dispose()` removes the listeners. */
export function linkSignals(...signals: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const listeners: [AbortSignal, () => void][] = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      controller.abort();
      break;
    }
    const l = (): void => controller.abort();
    s.addEventListener('abort', l, { once: true });
    listeners.push([s, l]);
  }
  return { signal: controller.signal, dispose: () => listeners.forEach(([s, l]) => s.removeEventListener('abort', l)) };
}

/** The user-facing line of any error this layer throws. */
export function userMessageOf(err: unknown): string {
  if (err instanceof DebugError || err instanceof ClusterError) return err.userMessage;
  return err instanceof Error ? err.message : String(err);
}
