/**
 * Per-call options for client-node's typed APIs: a timeout and an abort signal, passed as a
 * request middleware (client-node 1.4.0 has no per-call timeout of its own).
 */
import { Observable, type ConfigurationOptions, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

export interface CallOptions {
  /** Aborts the request (the caller is shutting down). */
  readonly signal?: AbortSignal;
  /** Gives up after this long (the request then fails as a Timeout). Default none. */
  readonly timeoutMs?: number;
}

/**
 * Runs `call` with client-node options that carry an abort signal combining `options.signal`
 * and `options.timeoutMs`. The timer and listener are always cleaned up.
 */
export async function withCallOptions<T>(options: CallOptions, call: (configuration: ConfigurationOptions) => Promise<T>): Promise<T> {
  if (!options.signal && !options.timeoutMs) return call(undefined as unknown as ConfigurationOptions);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  if (options.signal?.aborted) controller.abort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs ? setTimeout(onAbort, options.timeoutMs) : undefined;
  // Typed calls (ObjectParamAPI) run Observable middleware: client-node's own rxjs stub.
  const configuration: ConfigurationOptions = {
    middleware: [
      {
        pre: (context: RequestContext) => {
          context.setSignal(controller.signal);
          return new Observable(Promise.resolve(context));
        },
        post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
  try {
    return await call(configuration);
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
