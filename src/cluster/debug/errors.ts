/**
 * Typed errors of the debug layer. API failures stay `ClusterError` (errors.ts one folder up);
 * these are the cases a connectivity test has of its own, each with a `userMessage` that says
 * what to do and the data the UI needs to offer the next step (the missing permissions, the
 * changes to confirm, the Pod Security fallback).
 */
import { describePermission, type MissingPermission } from '../rbac';
import type { PlannedChange } from './writes';

export type DebugErrorKind =
  | 'MissingPermissions'
  | 'ConfirmationRequired'
  | 'PodSecurityRejected'
  | 'ContainerFailed'
  | 'PodNotReady'
  | 'EphemeralContainersUnsupported'
  | 'ExecFailed'
  | 'Timeout'
  | 'Cancelled'
  | 'InvalidRequest'
  | 'AlreadyExists';

export class DebugError extends Error {
  override readonly name: string = 'DebugError';

  constructor(
    readonly kind: DebugErrorKind,
    /** One line, safe to show and to log: what happened and what to do. */
    readonly userMessage: string,
    options: { readonly cause?: unknown; readonly detail?: string } = {},
  ) {
    super(userMessage, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.detail = options.detail;
  }

  /** A technical line for the log. */
  readonly detail?: string;
}

/** The user lacks permissions a step needs (asked with SelfSubjectAccessReview before trying). */
export class MissingPermissionsError extends DebugError {
  override readonly name: string = 'MissingPermissionsError';

  constructor(
    readonly missing: readonly MissingPermission[],
    /** What the permissions are for: "to add a debug container", ... */
    purpose: string,
  ) {
    super(
      'MissingPermissions',
      `you may not ${purpose}: missing ${missing.map((m) => `"${describePermission(m)}"${m.reason ? ` (${m.reason})` : ''}`).join(', ')}. Ask a cluster admin to grant ${missing.length === 1 ? 'it' : 'them'}`,
    );
  }
}

/** A step would write to the cluster and the caller has not confirmed it. Nothing was written. */
export class ConfirmationRequiredError extends DebugError {
  override readonly name: string = 'ConfirmationRequiredError';

  constructor(readonly changes: readonly PlannedChange[]) {
    super('ConfirmationRequired', `this would change the cluster (${changes.map((c) => c.summary).join('; ')}); ask the user, then call again with confirmed: true`);
  }
}

/**
 * Pod Security admission rejected the debug container (or pod). The fallback is a short-lived
 * probe pod in the source namespace, with the restricted security settings when the level is
 * restricted; see `ProbePod`.
 */
export class PodSecurityRejectedError extends DebugError {
  override readonly name: string = 'PodSecurityRejectedError';

  constructor(
    readonly namespace: string,
    /** The enforced level as the API server named it, e.g. `restricted:latest`. */
    readonly level: string,
    /** The violations, as the admission message lists them. */
    readonly violations: string,
    /** What to offer instead. */
    readonly fallback: string,
  ) {
    super('PodSecurityRejected', `Pod Security "${level}" in namespace ${namespace} rejected the debug container (${violations}). ${fallback}`);
  }

  /** `restricted` when the level is restricted: the fallback must then run as non-root. */
  get suggestedProfile(): 'restricted' | 'default' {
    return this.level.startsWith('restricted') ? 'restricted' : 'default';
  }
}

/** The container never became Running: an image that cannot be pulled, a bad configuration, an exit. */
export class ContainerStartError extends DebugError {
  override readonly name: string = 'ContainerStartError';

  constructor(
    readonly pod: string,
    readonly container: string,
    /** `ErrImagePull`, `ImagePullBackOff`, `InvalidImageName`, `CreateContainerConfigError`, `Terminated`, ... */
    readonly reason: string,
    /** The kubelet's message. */
    readonly kubeletMessage: string,
  ) {
    super('ContainerFailed', `container ${container} in ${pod} did not start: ${reason}${kubeletMessage ? `: ${kubeletMessage}` : ''}. ${advice(reason)}`);
  }
}

function advice(reason: string): string {
  if (/Image|ErrImage/.test(reason)) return 'Check the netlens.debugImage setting (name, tag, registry access and pull secrets).';
  if (reason === 'CreateContainerConfigError' || reason === 'CreateContainerError') return 'The kubelet could not create it; see the pod events (kubectl describe pod).';
  return 'See the pod events (kubectl describe pod).';
}

export function cancelledError(what: string): DebugError {
  return new DebugError('Cancelled', `${what}: cancelled`);
}

export function timeoutError(what: string, ms: number): DebugError {
  return new DebugError('Timeout', `${what} did not finish within ${ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`}`);
}

export function isCancelled(err: unknown): boolean {
  return err instanceof DebugError && err.kind === 'Cancelled';
}

/**
 * Reads a Pod Security rejection from an API error body or message:
 * `pods "x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (...), ...`.
 */
export function parsePodSecurityRejection(text: string): { level: string; violations: string } | undefined {
  const m = /violates PodSecurity "([^"]+)":\s*(.*)$/s.exec(text);
  return m ? { level: m[1]!, violations: m[2]!.trim() } : undefined;
}
