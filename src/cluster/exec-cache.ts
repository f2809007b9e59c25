/**
 * Exec credential plugins run once, as kubectl runs them, not once per request.
 *
 * client-node 1.4 keeps a plugin's ExecCredential only while its `status.expirationTimestamp`
 * lies ahead: a plugin that sets none (many do) is run again for every request, and requests
 * made together each start their own run (8 to 13 runs for one CLI command). kubectl keeps the
 * credential until its expiry, and one without expiry for the life of the process. Here: until
 * the expiry, else for the life of the connection, and in both cases only until the API server
 * answers 401 (then the next request runs the plugin again, as kubectl does on 401). Runs that
 * overlap share one plugin process.
 *
 * client-node does not export its ExecAuth authenticator: it is found among the KubeConfig's
 * authenticators by shape and its `getCredential` wrapped. If a client-node update changes that
 * shape, nothing is wrapped and client-node's own behaviour stays.
 */
import type { KubeConfig, User } from '@kubernetes/client-node';

interface ExecCredentialLike {
  readonly status?: { readonly expirationTimestamp?: unknown };
}

interface ExecAuthLike {
  getCredential(user: User): Promise<ExecCredentialLike | null>;
  isAuthProvider(user: User): boolean;
  tokenCache: Record<string, unknown>;
}

function isExecAuth(a: unknown): a is ExecAuthLike {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Partial<ExecAuthLike>;
  return typeof x.getCredential === 'function' && typeof x.isAuthProvider === 'function' && typeof x.tokenCache === 'object' && x.tokenCache !== null;
}

export interface ExecCredentialCache {
  /** Forgets every credential: the next request runs the plugin again (after a 401). */
  clear(): void;
}

interface Cached {
  readonly pending?: Promise<ExecCredentialLike | null>;
  readonly credential?: ExecCredentialLike | null;
  /** Epoch ms; Infinity without expirationTimestamp. */
  readonly expires: number;
}

/** Wraps the exec authenticator of `kc` (one KubeConfig, one connection); undefined when there is none. */
export function cacheExecCredentials(kc: KubeConfig, now: () => number = Date.now): ExecCredentialCache | undefined {
  const list = (kc as unknown as { authenticators?: unknown }).authenticators;
  const exec = Array.isArray(list) ? list.find(isExecAuth) : undefined;
  if (!exec) return undefined;
  const original = exec.getCredential.bind(exec);
  const cache = new Map<string, Cached>();
  exec.getCredential = (user: User): Promise<ExecCredentialLike | null> => {
    // The plugin's configuration is part of the key: a changed kubeconfig entry runs it again.
    const key = JSON.stringify([user.name, user.exec ?? null, (user.authProvider as { config?: { exec?: unknown } } | undefined)?.config?.exec ?? null]);
    const hit = cache.get(key);
    if (hit?.pending) return hit.pending;
    if (hit && hit.expires > now()) return Promise.resolve(hit.credential ?? null);
    const pending = original(user).then(
      (credential) => {
        const stamp = credential?.status?.expirationTimestamp;
        const at = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
        cache.set(key, { credential, expires: Number.isNaN(at) ? Number.POSITIVE_INFINITY : at });
        return credential;
      },
      (error: unknown) => {
        cache.delete(key);
        throw error;
      },
    );
    cache.set(key, { pending, expires: 0 });
    return pending;
  };
  return {
    clear: () => {
      cache.clear();
      // client-node's own cache would otherwise hand out the rejected token until its expiry.
      for (const k of Object.keys(exec.tokenCache)) exec.tokenCache[k] = null;
    },
  };
}
