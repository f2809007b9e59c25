/**
 * A subset of Pod Security admission (k8s.io/pod-security-admission `policy/check_*.go`): the checks a
 * debug or probe container trips. The level comes from the namespace label
 * `pod-security.kubernetes.io/enforce` (`privileged` | `baseline` | `restricted`), the version from
 * `pod-security.kubernetes.io/enforce-version` (default `latest`).
 *
 * Checks, in the order the admission reports them (baseline by check ID, then restricted by ID):
 * baseline `capabilities_baseline` (dropped when restricted overrides it), `hostNamespaces`,
 * `privileged`; restricted `allowPrivilegeEscalation`, `capabilities_restricted`, `runAsNonRoot`,
 * `runAsUser`, `seccompProfile_restricted`. Not modelled: hostPath volumes, host ports, AppArmor,
 * SELinux, procMount, sysctls, volume types, Windows pods, user-namespace relaxations, exemptions,
 * warn/audit modes.
 */
import type { Container, KubeObject, PodSpec } from './types';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';

/** Capabilities the baseline level allows a container to add. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

interface Violation {
  reason: string;
  detail: string;
}

function pluralize(one: string, many: string, n: number): string {
  return n === 1 ? one : many;
}

function joinQuote(items: readonly string[]): string {
  return items.map((i) => `"${i}"`).join(', ');
}

function containersOf(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

function named(list: readonly string[]): string {
  return `${pluralize('container', 'containers', list.length)} ${joinQuote(list)}`;
}

function capsAdded(c: Container): string[] {
  return (c.securityContext?.capabilities?.add ?? []).map(String);
}

function checkCapabilitiesBaseline(spec: PodSpec): Violation | undefined {
  const bad: string[] = [];
  const caps = new Set<string>();
  for (const c of containersOf(spec)) {
    const forbidden = capsAdded(c).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    if (forbidden.length) {
      bad.push(c.name);
      forbidden.forEach((cap) => caps.add(cap));
    }
  }
  if (!bad.length) return undefined;
  return {
    reason: 'non-default capabilities',
    detail: `${named(bad)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`,
  };
}

function checkHostNamespaces(spec: PodSpec): Violation | undefined {
  const set: string[] = [];
  if (spec.hostNetwork) set.push('hostNetwork=true');
  if (spec.hostPID) set.push('hostPID=true');
  if (spec.hostIPC) set.push('hostIPC=true');
  return set.length ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
}

function checkPrivileged(spec: PodSpec): Violation | undefined {
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.privileged === true)
    .map((c) => c.name);
  return bad.length ? { reason: 'privileged', detail: `${named(bad)} must not set securityContext.privileged=true` } : undefined;
}

function checkAllowPrivilegeEscalation(spec: PodSpec): Violation | undefined {
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  return bad.length
    ? { reason: 'allowPrivilegeEscalation != false', detail: `${named(bad)} must set securityContext.allowPrivilegeEscalation=false` }
    : undefined;
}

function checkCapabilitiesRestricted(spec: PodSpec): Violation | undefined {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const caps = new Set<string>();
  for (const c of containersOf(spec)) {
    const drop = (c.securityContext?.capabilities?.drop ?? []).map(String);
    if (!drop.includes('ALL')) missingDropAll.push(c.name);
    const forbidden = capsAdded(c).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (forbidden.length) {
      addingForbidden.push(c.name);
      forbidden.forEach((cap) => caps.add(cap));
    }
  }
  const details: string[] = [];
  if (missingDropAll.length) details.push(`${named(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length) {
    details.push(`${named(addingForbidden)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`);
  }
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
}

function checkRunAsNonRoot(spec: PodSpec): Violation | undefined {
  const badSetters: string[] = [];
  let podRunAsNonRoot = false;
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue === false) badSetters.push('pod');
  else if (podValue === true) podRunAsNonRoot = true;
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  for (const c of containersOf(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (v === false) explicitlyBad.push(c.name);
    else if (v === undefined && !podRunAsNonRoot) implicitlyBad.push(c.name);
  }
  if (explicitlyBad.length) badSetters.push(named(explicitlyBad));
  if (badSetters.length) {
    return { reason: 'runAsNonRoot != true', detail: `${badSetters.join(' and ')} must not set securityContext.runAsNonRoot=false` };
  }
  if (implicitlyBad.length) {
    return { reason: 'runAsNonRoot != true', detail: `pod or ${named(implicitlyBad)} must set securityContext.runAsNonRoot=true` };
  }
  return undefined;
}

function checkRunAsUser(spec: PodSpec): Violation | undefined {
  const badSetters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) badSetters.push('pod');
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.runAsUser === 0)
    .map((c) => c.name);
  if (bad.length) badSetters.push(named(bad));
  return badSetters.length ? { reason: 'runAsUser=0', detail: `${badSetters.join(' and ')} must not set runAsUser=0` } : undefined;
}

function checkSeccompRestricted(spec: PodSpec): Violation | undefined {
  const ok = (t: string | undefined): boolean => t === 'RuntimeDefault' || t === 'Localhost';
  const podType = spec.securityContext?.seccompProfile?.type;
  const details: string[] = [];
  if (podType !== undefined && !ok(podType)) details.push(`pod must not set securityContext.seccompProfile.type to "${podType}"`);
  const badValues = new Set<string>();
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  for (const c of containersOf(spec)) {
    const t = c.securityContext?.seccompProfile?.type;
    if (t !== undefined && !ok(t)) {
      explicitlyBad.push(c.name);
      badValues.add(t);
    } else if (t === undefined && podType === undefined) {
      implicitlyBad.push(c.name);
    }
  }
  if (explicitlyBad.length) {
    details.push(`${named(explicitlyBad)} must not set securityContext.seccompProfile.type to ${joinQuote([...badValues].sort())}`);
  }
  if (implicitlyBad.length) {
    details.push(`pod or ${named(implicitlyBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  }
  return details.length ? { reason: 'seccompProfile', detail: details.join('; ') } : undefined;
}

/** The level and version a namespace enforces. */
export function enforcedLevel(namespace: KubeObject | undefined): { level: PodSecurityLevel; version: string } {
  const labels = namespace?.metadata.labels ?? {};
  const raw = labels[ENFORCE_LABEL];
  const level: PodSecurityLevel = raw === 'baseline' || raw === 'restricted' ? raw : 'privileged';
  return { level, version: labels[ENFORCE_VERSION_LABEL] || 'latest' };
}

/**
 * Evaluates the pod at a level; returns the violation list joined as the admission does
 * (`reason (detail), reason (detail)`), or undefined when the pod passes.
 */
export function evaluatePodSecurity(spec: PodSpec, level: PodSecurityLevel): string | undefined {
  if (level === 'privileged') return undefined;
  const checks: ((s: PodSpec) => Violation | undefined)[] =
    level === 'baseline'
      ? [checkCapabilitiesBaseline, checkHostNamespaces, checkPrivileged]
      : [
          checkHostNamespaces,
          checkPrivileged,
          checkAllowPrivilegeEscalation,
          checkCapabilitiesRestricted,
          checkRunAsNonRoot,
          checkRunAsUser,
          checkSeccompRestricted,
        ];
  const violations = checks.map((check) => check(spec)).filter((v): v is Violation => v !== undefined);
  if (!violations.length) return undefined;
  return violations.map((v) => `${v.reason} (${v.detail})`).join(', ');
}

/**
 * The reason part of the admission's 403 (`pods "x" is forbidden: <this>`), or undefined when the
 * pod is admitted.
 */
export function podSecurityViolation(spec: PodSpec, namespace: KubeObject | undefined): string | undefined {
  const { level, version } = enforcedLevel(namespace);
  const found = evaluatePodSecurity(spec, level);
  return found ? `violates PodSecurity "${level}:${version}": ${found}` : undefined;
}
