/**
 * API objects → core model. Lists and watch events arrive as plain JSON (the watcher reads list
 * pages without client-node's typed models); what a typed call returns (model classes with
 * renamed keys and `Date`s) goes through {@link toWire} first, back to the JSON the API sent.
 *
 * The conversion is the manifest loader's (`fromObject`: the converters of files, reading the
 * parsed value directly, then `buildSnapshot`), so live objects are validated and normalised
 * exactly like files. Live objects carry no SourceRef; findings about them name a `kube://`
 * pseudo-file, with an empty range.
 */
import { fromObject } from '../core/manifest/from-object';
import { buildSnapshot, type LoadedObject } from '../core/manifest/load';
import type { ClusterSnapshot, Finding } from '../core/model';

export type ResourceName = 'namespaces' | 'pods' | 'services' | 'networkpolicies' | 'nodes';

export interface ResourceInfo {
  readonly resource: ResourceName;
  readonly kind: 'Namespace' | 'Pod' | 'Service' | 'NetworkPolicy' | 'Node';
  readonly apiVersion: string;
  readonly group: string;
  readonly namespaced: boolean;
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceInfo>> = {
  namespaces: { resource: 'namespaces', kind: 'Namespace', apiVersion: 'v1', group: '', namespaced: false },
  pods: { resource: 'pods', kind: 'Pod', apiVersion: 'v1', group: '', namespaced: true },
  services: { resource: 'services', kind: 'Service', apiVersion: 'v1', group: '', namespaced: true },
  networkpolicies: { resource: 'networkpolicies', kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', group: 'networking.k8s.io', namespaced: true },
  nodes: { resource: 'nodes', kind: 'Node', apiVersion: 'v1', group: '', namespaced: false },
};

/** A Kubernetes object as JSON. */
export interface WireObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface AttributeType {
  name: string;
  baseName: string;
}

/**
 * The JSON form of a value returned by client-node's typed calls: model classes back to their
 * wire keys (`_continue` → `continue`), `Date`s to RFC 3339 strings. Plain values pass through.
 */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().replace(/\.000Z$/, 'Z');
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value !== 'object' || value === null) return value;
  const ctor = (value as { constructor?: { getAttributeTypeMap?: () => AttributeType[] } }).constructor;
  const out: Record<string, unknown> = {};
  const map = typeof ctor?.getAttributeTypeMap === 'function' ? ctor.getAttributeTypeMap() : undefined;
  if (map) {
    for (const a of map) {
      const v = (value as Record<string, unknown>)[a.name];
      if (v !== undefined) out[a.baseName] = toWire(v);
    }
    return out;
  }
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
  return out;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: WireObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

export interface Converted {
  readonly objects: readonly LoadedObject[];
  readonly findings: readonly Finding[];
}

/** The pseudo-file findings about a live object name: `kube://CONTEXT/RESOURCE/NAMESPACE/NAME`. */
export function objectUri(context: string, info: ResourceInfo, obj: WireObject): string {
  const parts = [info.resource, ...(info.namespaced ? [obj.metadata?.namespace ?? ''] : []), obj.metadata?.name ?? ''];
  return `kube://${encodeURIComponent(context)}/${parts.map(encodeURIComponent).join('/')}`;
}

/** Fields the model never reads; dropping them keeps conversion cheap. */
function trimmed(info: ResourceInfo, obj: WireObject): WireObject {
  const metadata = { ...(obj.metadata ?? {}) };
  delete metadata.managedFields;
  delete metadata.annotations;
  const out: WireObject = { ...obj, apiVersion: obj.apiVersion ?? info.apiVersion, kind: obj.kind ?? info.kind, metadata };
  if (info.resource === 'pods' && typeof out.status === 'object' && out.status !== null) {
    const { containerStatuses: _c, initContainerStatuses: _i, ephemeralContainerStatuses: _e, conditions: _k, ...status } = out.status as Record<string, unknown>;
    out.status = status;
  }
  return out;
}

/** Converts one API object (plain JSON, as a list page, a watch or {@link toWire} gives it) to model objects and findings. */
export function convertObject(context: string, info: ResourceInfo, obj: WireObject): Converted {
  return fromObject(trimmed(info, obj), { file: objectUri(context, info, obj) });
}

/** Merges converted objects into a snapshot (namespaces no object defines are inferred). */
export function snapshotOf(objects: readonly LoadedObject[]): ClusterSnapshot {
  return buildSnapshot(objects).snapshot;
}
