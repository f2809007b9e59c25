/**
 * Shared shapes of the fake API server. Objects are plain JSON, the shape `kubectl get -o json`
 * prints; only the fields the fake itself reads are typed.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: JsonObject[];
  [key: string]: unknown;
}

/** Any object the store holds. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string; localhostProfile?: string };
  [key: string]: unknown;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  securityContext?: SecurityContext;
  targetContainerName?: string;
  [key: string]: unknown;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    exitCode: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    containerID?: string;
  };
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
}

export interface PodSpec {
  nodeName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  initContainers?: Container[];
  containers?: Container[];
  ephemeralContainers?: Container[];
  [key: string]: unknown;
}

export interface PodStatus {
  phase?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  ephemeralContainerStatuses?: ContainerStatus[];
  [key: string]: unknown;
}

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: PodStatus;
}

export type ResourceName = 'namespaces' | 'pods' | 'services' | 'nodes' | 'networkpolicies';

export interface ResourceInfo {
  /** Plural, lower case: the URL segment and the RBAC resource. */
  readonly resource: ResourceName;
  /** API group, `''` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceInfo>> = {
  namespaces: { resource: 'namespaces', group: '', version: 'v1', kind: 'Namespace', listKind: 'NamespaceList', namespaced: false },
  pods: { resource: 'pods', group: '', version: 'v1', kind: 'Pod', listKind: 'PodList', namespaced: true },
  services: { resource: 'services', group: '', version: 'v1', kind: 'Service', listKind: 'ServiceList', namespaced: true },
  nodes: { resource: 'nodes', group: '', version: 'v1', kind: 'Node', listKind: 'NodeList', namespaced: false },
  networkpolicies: {
    resource: 'networkpolicies',
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    listKind: 'NetworkPolicyList',
    namespaced: true,
  },
};

export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** `pods`, or `networkpolicies.networking.k8s.io`: how the API server names a resource in messages. */
export function qualifiedResource(info: ResourceInfo): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

/** Accepts `pods`, `pod`, `Pod`, `PodList`-less kinds and plurals; undefined when unknown. */
export function resourceInfo(nameOrKind: string): ResourceInfo | undefined {
  const lower = nameOrKind.toLowerCase();
  for (const info of Object.values(RESOURCES)) {
    if (lower === info.resource || lower === info.kind.toLowerCase()) return info;
  }
  return undefined;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One entry of the store's event log. Objects are private copies: never mutate them. */
export interface StoreEvent {
  readonly rv: number;
  readonly type: WatchEventType;
  readonly resource: ResourceName;
  readonly object: KubeObject;
  /** The object before a MODIFIED; lets watches with selectors turn updates into ADDED/DELETED. */
  readonly previous?: KubeObject;
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values; key order does not matter, `undefined` members are absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
