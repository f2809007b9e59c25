/**
 * Authorization: one rule table decides both SelfSubjectAccessReview answers and the 403s of every
 * other endpoint, so a pre-check and the real call can never disagree.
 *
 * Rules are checked in order and the first match decides; when none matches, `defaultAllow`
 * decides (default: allow everything). This is a test table, not RBAC: it can deny explicitly.
 */
import { errors, type ApiError } from './status';
import type { ResourceInfo } from './types';

export interface RbacRule {
  /** `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, or `*`. */
  verbs: readonly string[];
  /** API groups (`''` is core); omitted or `*` matches every group. */
  apiGroups?: readonly string[];
  /** `pods`, `pods/exec`, `pods/*`, `*`; a plain resource does not match its subresources. */
  resources: readonly string[];
  /** Namespaces; `''` is the cluster scope; omitted matches every namespace and the cluster scope. */
  namespaces?: readonly string[];
  /** Object names; omitted matches any (and collections). */
  resourceNames?: readonly string[];
  /** User names (from the token table); omitted matches everyone. */
  users?: readonly string[];
  /** `true` (the default) allows, `false` denies. */
  allow?: boolean;
  /** The authorizer's reason, appended to 403 messages and returned in SSAR `status.reason`. */
  reason?: string;
}

export interface RbacConfig {
  rules?: readonly RbacRule[];
  /** What happens when no rule matches. Default `true`. */
  defaultAllow?: boolean;
}

export interface ResourceAttributes {
  user: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface Decision {
  allowed: boolean;
  /** Set when a rule denied explicitly. */
  denied: boolean;
  reason?: string;
}

function listMatches(list: readonly string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

function resourceMatches(patterns: readonly string[], resource: string, subresource: string | undefined): boolean {
  const full = subresource ? `${resource}/${subresource}` : resource;
  return patterns.some((p) => {
    if (p === '*' || p === full) return true;
    if (subresource && p === `${resource}/*`) return true;
    if (subresource && p === `*/${subresource}`) return true;
    return false;
  });
}

export class Rbac {
  private rules: readonly RbacRule[] = [];
  private defaultAllow = true;

  constructor(config: RbacConfig = {}) {
    this.set(config);
  }

  set(config: RbacConfig): void {
    this.rules = [...(config.rules ?? [])];
    this.defaultAllow = config.defaultAllow ?? true;
  }

  authorize(a: ResourceAttributes): Decision {
    for (const rule of this.rules) {
      if (!listMatches(rule.users, a.user)) continue;
      if (!listMatches(rule.verbs, a.verb)) continue;
      if (!listMatches(rule.apiGroups, a.group)) continue;
      if (!resourceMatches(rule.resources, a.resource, a.subresource)) continue;
      if (rule.namespaces !== undefined && !rule.namespaces.includes(a.namespace ?? '')) continue;
      if (rule.resourceNames !== undefined && !(a.name && rule.resourceNames.includes(a.name))) continue;
      const allowed = rule.allow !== false;
      return { allowed, denied: !allowed, reason: rule.reason };
    }
    return { allowed: this.defaultAllow, denied: false };
  }

  /** Throws the API server's 403 when `a` is not allowed. */
  check(a: ResourceAttributes, info: ResourceInfo): void {
    const decision = this.authorize(a);
    if (!decision.allowed) throw forbiddenError(a, info, decision.reason);
  }
}

/**
 * The message of `ForbiddenStatusError` (apiserver `endpoints/handlers/responsewriters/errors.go`):
 * `User "u" cannot list resource "pods" in API group "" in the namespace "ns"` or
 * `... at the cluster scope`, with `: <reason>` when the authorizer gave one.
 */
export function forbiddenMessage(a: ResourceAttributes, reason?: string): string {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const base = `User "${a.user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
  return reason ? `${base}: ${reason}` : base;
}

export function forbiddenError(a: ResourceAttributes, info: ResourceInfo, reason?: string): ApiError {
  return errors.forbidden(info, a.name, forbiddenMessage(a, reason));
}
