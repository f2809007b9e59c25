/**
 * "Can I?" through SelfSubjectAccessReview, as `kubectl auth can-i` does: what the current
 * user may do, asked before doing it so the UI can say what is missing instead of failing.
 */
import type { ClusterConnection } from './kubeconfig';
import { withCallOptions, type CallOptions } from './request';

export interface PermissionCheck {
  readonly verb: string;
  /** Plural resource (`pods`, `networkpolicies`). */
  readonly resource: string;
  /** API group; `''` (default) is the core group. */
  readonly group?: string;
  readonly subresource?: string;
  /** Undefined or `''`: the cluster scope (all namespaces). */
  readonly namespace?: string;
  readonly name?: string;
}

export interface AccessDecision {
  readonly allowed: boolean;
  /** An authorizer said no explicitly (rather than nobody saying yes). */
  readonly denied: boolean;
  /** The authorizer's reason, when it gave one. */
  readonly reason?: string;
}

export interface MissingPermission extends PermissionCheck {
  readonly reason?: string;
}

export interface AccessReviewerOptions extends CallOptions {
  /** How long answers are reused. Default 60 s; 0 disables the cache. */
  readonly cacheMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

/** `patch pods/ephemeralcontainers in namespace prod`, `list networkpolicies.networking.k8s.io at the cluster scope`. */
export function describePermission(p: PermissionCheck): string {
  const resource = `${p.resource}${p.group ? `.${p.group}` : ''}${p.subresource ? `/${p.subresource}` : ''}`;
  const name = p.name ? ` "${p.name}"` : '';
  return `${p.verb} ${resource}${name} ${p.namespace ? `in namespace ${p.namespace}` : 'at the cluster scope'}`;
}

/**
 * What probing from a pod needs: adding an ephemeral container and running commands in it
 * (a WebSocket exec needs `get`, and `create` since Kubernetes 1.35).
 */
export function ephemeralDebugPermissions(namespace: string, pod?: string): PermissionCheck[] {
  const base = { resource: 'pods', namespace, ...(pod ? { name: pod } : {}) };
  return [
    { ...base, verb: 'patch', subresource: 'ephemeralcontainers' },
    { ...base, verb: 'create', subresource: 'exec' },
    { ...base, verb: 'get', subresource: 'exec' },
  ];
}

/** Asks the API server what the current user may do; answers are cached briefly. */
export class AccessReviewer {
  private readonly cache = new Map<string, { at: number; decision: Promise<AccessDecision> }>();

  constructor(
    private readonly connection: ClusterConnection,
    private readonly options: AccessReviewerOptions = {},
  ) {}

  /** `kubectl auth can-i VERB RESOURCE [-n NAMESPACE]`. Throws a ClusterError when the review itself fails. */
  canI(verb: string, resource: string, opts: Omit<PermissionCheck, 'verb' | 'resource'> = {}): Promise<AccessDecision> {
    return this.check({ verb, resource, ...opts });
  }

  check(p: PermissionCheck): Promise<AccessDecision> {
    const key = JSON.stringify([p.verb, p.group ?? '', p.resource, p.subresource ?? '', p.namespace ?? '', p.name ?? '']);
    const now = (this.options.now ?? Date.now)();
    const ttl = this.options.cacheMs ?? 60_000;
    const hit = this.cache.get(key);
    if (hit && ttl > 0 && now - hit.at < ttl) return hit.decision;
    const decision = this.review(p);
    if (ttl > 0) {
      this.cache.set(key, { at: now, decision });
      // A failed review is not an answer: do not keep it.
      decision.catch(() => {
        if (this.cache.get(key)?.decision === decision) this.cache.delete(key);
      });
    }
    return decision;
  }

  /** The permissions of `list` the user does not have, in order, with the authorizer's reason. */
  async missing(list: readonly PermissionCheck[]): Promise<MissingPermission[]> {
    const decisions = await Promise.all(list.map((p) => this.check(p)));
    const out: MissingPermission[] = [];
    decisions.forEach((d, i) => {
      if (!d.allowed) out.push(d.reason ? { ...list[i]!, reason: d.reason } : { ...list[i]! });
    });
    return out;
  }

  clearCache(): void {
    this.cache.clear();
  }

  private async review(p: PermissionCheck): Promise<AccessDecision> {
    const resourceAttributes = {
      verb: p.verb,
      group: p.group ?? '',
      resource: p.resource,
      ...(p.subresource ? { subresource: p.subresource } : {}),
      ...(p.namespace ? { namespace: p.namespace } : {}),
      ...(p.name ? { name: p.name } : {}),
    };
    try {
      const review = await withCallOptions(this.options, (o) =>
        this.connection.authorization().createSelfSubjectAccessReview(
          { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } } },
          o,
        ),
      );
      this.connection.hadSuccess = true;
      const status = review.status;
      return {
        allowed: status?.allowed === true,
        denied: status?.denied === true,
        ...(status?.reason ? { reason: status.reason } : {}),
      };
    } catch (e) {
      throw this.connection.classify(e, { verb: 'create', resource: 'selfsubjectaccessreviews' });
    }
  }
}

/** One-off `canI` without a shared cache. */
export function canI(connection: ClusterConnection, verb: string, resource: string, opts: Omit<PermissionCheck, 'verb' | 'resource'> = {}): Promise<AccessDecision> {
  return new AccessReviewer(connection, { cacheMs: 0 }).canI(verb, resource, opts);
}
