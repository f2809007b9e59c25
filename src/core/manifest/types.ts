/** Public types of the manifest loader. */
import type { ClusterSnapshot, Finding, Namespace, NetworkPolicy, Node, Pod, Service } from '../model';

/** One file to load. `file` is used verbatim in findings and source references. */
export interface ManifestInput {
  readonly file: string;
  readonly content: string | Uint8Array;
}

export interface LoadOptions {
  /** Namespace of objects without `metadata.namespace` (as `kubectl apply` without `-n`). Default `default`. */
  readonly defaultNamespace?: string;
  /**
   * Files larger than this are skipped with a finding. Default 128 MiB. For string content
   * the length in UTF-16 code units is compared.
   */
  readonly maxFileBytes?: number;
  /** Deeper nesting than this skips the document with a finding (no stack overflow). Default 256. */
  readonly maxDepth?: number;
  /** Alias expansions allowed per YAML document (nested ones count). Default 100. */
  readonly maxAliasCount?: number;
}

export interface ResolvedLoadOptions {
  readonly defaultNamespace: string;
  readonly maxFileBytes: number;
  readonly maxDepth: number;
  readonly maxAliasCount: number;
}

export const DEFAULT_LOAD_OPTIONS: ResolvedLoadOptions = {
  defaultNamespace: 'default',
  maxFileBytes: 128 * 1024 * 1024,
  maxDepth: 256,
  maxAliasCount: 100,
};

/** Fills in the defaults of LoadOptions. */
export function resolveLoadOptions(options: LoadOptions | undefined): ResolvedLoadOptions {
  return {
    defaultNamespace: options?.defaultNamespace || DEFAULT_LOAD_OPTIONS.defaultNamespace,
    maxFileBytes: options?.maxFileBytes ?? DEFAULT_LOAD_OPTIONS.maxFileBytes,
    maxDepth: options?.maxDepth ?? DEFAULT_LOAD_OPTIONS.maxDepth,
    maxAliasCount: options?.maxAliasCount ?? DEFAULT_LOAD_OPTIONS.maxAliasCount,
  };
}

export type SnapshotObject = Namespace | Pod | Service | Node | NetworkPolicy;

/** The owner that controls an object (`metadata.ownerReferences` entry with `controller: true`). */
export interface ControllerRef {
  readonly kind: string;
  readonly name: string;
}

/**
 * One object read from a file, before files are merged. Workloads (Deployment, ...) are
 * already turned into their template pod (`origin.type === 'workload'`).
 */
export interface LoadedObject {
  readonly object: SnapshotObject;
  /**
   * The object's controlling owner, if any: a Pod's ReplicaSet, a ReplicaSet's Deployment,
   * a Job's CronJob. Used to drop workload template pods whose real pods are loaded too.
   */
  readonly controller?: ControllerRef;
}

/** What one file yields; the editor keeps one per open document and merges them with `buildSnapshot`. */
export interface ParsedFile {
  readonly objects: LoadedObject[];
  readonly findings: Finding[];
}

export interface LoadResult {
  readonly snapshot: ClusterSnapshot;
  readonly findings: Finding[];
}
