/**
 * Permission pre-checks with SelfSubjectAccessReview, before any step that needs them, so a
 * missing permission is reported by name instead of as a failed request halfway through.
 */
import type { ClusterConnection } from '../kubeconfig';
import { AccessReviewer, ephemeralDebugPermissions, type PermissionCheck } from '../rbac';
import { MissingPermissionsError } from './errors';
import { API_TIMEOUT_MS, step, type StepOptions } from './steps';

/** Adding an ephemeral container, watching it start, and exec in it (exec over WebSocket needs get and, since 1.35, create). */
export function debugContainerPermissions(namespace: string, pod: string): PermissionCheck[] {
  return [
    ...ephemeralDebugPermissions(namespace, pod),
    { verb: 'get', resource: 'pods', namespace, name: pod },
    { verb: 'watch', resource: 'pods', namespace, name: pod },
  ];
}

/** Creating, watching, exec in and deleting a pod of our own (probe pod, node debug pod). */
export function ownPodPermissions(namespace: string): PermissionCheck[] {
  return [
    { verb: 'create', resource: 'pods', namespace },
    { verb: 'delete', resource: 'pods', namespace },
    { verb: 'get', resource: 'pods', namespace },
    { verb: 'watch', resource: 'pods', namespace },
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace },
    { verb: 'get', resource: 'pods', subresource: 'exec', namespace },
  ];
}

/** Applying a generated NetworkPolicy. */
export function networkPolicyPermissions(namespace: string): PermissionCheck[] {
  return [{ verb: 'create', resource: 'networkpolicies', group: 'networking.k8s.io', namespace }];
}

/**
 * Asks the API server about every permission and throws {@link MissingPermissionsError} naming
 * the ones the user lacks.
 * @param purpose for the message: "add a debug container to production/web-api-…"
 */
export async function requirePermissions(
  connection: ClusterConnection,
  checks: readonly PermissionCheck[],
  purpose: string,
  options: StepOptions & { readonly reviewer?: AccessReviewer } = {},
): Promise<void> {
  const missing = await step('checking permissions', { signal: options.signal, timeoutMs: options.timeoutMs ?? API_TIMEOUT_MS }, (signal) =>
    (options.reviewer ?? new AccessReviewer(connection, { cacheMs: 0, signal })).missing(checks),
  );
  if (missing.length) throw new MissingPermissionsError(missing, purpose);
}
