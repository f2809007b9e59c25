/**
 * Per-call options for client-node's typed APIs: a timeout and an abort signal, passed as a
 * request middleware (client-node 1.4.0 has no per-call timeout of its own). And `getJson`, a
 * plain GET for list pages that skips client-node's typed models.
 */
import { ApiException, Observable, type ConfigurationOptions, type KubeConfig, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';

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

/**
 * GET `path` and parse the JSON body, without client-node's typed models: what a list page
 * needs when it holds thousands of objects (client-node turns every item into model classes,
 * which then have to be turned back into wire JSON; for 10k pods that alone took seconds).
 * The request is prepared by the KubeConfig exactly as client-node's `Watch` prepares its own
 * (`applyToHTTPSOptions`: TLS, proxy agent, credentials, impersonation). Failures are what the
 * typed calls throw: `ApiException` for an HTTP status (body dropped for 401, as client-node
 * does), an `AbortError` on abort or timeout, a `SyntaxError` for a body that is not JSON.
 */
/**
 * One connection for several `getJson` calls (the pages of a list): the first call's agent is
 * kept, with keep-alive, instead of a new TLS connection per page. `dispose()` closes it.
 * Credentials are still applied to every request.
 */
export class SharedConnection {
  agent: http.Agent | undefined;

  dispose(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}

export async function getJson(
  kc: KubeConfig,
  path: string,
  query: Readonly<Record<string, string | number | undefined>>,
  options: CallOptions & { readonly shared?: SharedConnection } = {},
): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No currently active cluster');
  const url = new URL(cluster.server + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const prepared: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(prepared);
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Encoding': 'gzip' };
  for (const [key, value] of Object.entries(prepared.headers ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') headers[key] = String(value);
    else if (Array.isArray(value)) headers[key] = value.join(', ');
  }
  if (prepared.auth) headers.Authorization = `Basic ${Buffer.from(prepared.auth).toString('base64')}`;
  let agent = prepared.agent;
  if (options.shared && agent instanceof http.Agent) {
    if (options.shared.agent) agent = options.shared.agent;
    else {
      // client-node makes its agents without keep-alive; requests read the flag when they start.
      (agent as http.Agent & { keepAlive: boolean }).keepAlive = true;
      options.shared.agent = agent;
    }
  }
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  if (options.signal?.aborted) controller.abort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs ? setTimeout(onAbort, options.timeoutMs) : undefined;
  try {
    const { status, headers: responseHeaders, body } = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const request = (url.protocol === 'http:' ? http : https).request(
        url,
        { method: 'GET', headers, agent, signal: controller.signal },
        (response) => {
          const chunks: Buffer[] = [];
          let ended = false;
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            ended = true;
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
          });
          // A connection dropped mid-body; the first of the two rejections wins.
          response.on('close', () => {
            if (!ended) reject(new Error('premature close of the response'));
          });
        },
      );
      request.on('error', reject);
      request.end();
    });
    const raw = responseHeaders['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body;
    const text = raw.toString('utf8');
    if (status >= 200 && status < 300) return JSON.parse(text) as unknown;
    if (status === 401) throw new ApiException(401, 'Unauthorized', undefined, plainHeaders(responseHeaders));
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // Not JSON (a proxy's error page): kept as text, as client-node keeps it.
    }
    throw new ApiException(status, 'Unknown API Status Code!', parsed, plainHeaders(responseHeaders));
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function plainHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
