/**
 * Where the CLI's cluster picture comes from: files and directories, a live cluster
 * (`--kubeconfig`, `--context`, `--namespace`), or both, merged with the files' objects
 * replacing the cluster's objects of the same name (to try a policy before applying it).
 */
import { loadKubeconfig } from '../cluster/kubeconfig';
import { readClusterOnce } from '../cluster/watcher';
import { loadManifests } from '../core/manifest/load';
import type { ClusterSnapshot, Finding, Namespace, NetworkPolicy, Node, Pod, Service } from '../core/model';
import { readInputs } from './files';

export interface LoadedInputs {
  readonly snapshot: ClusterSnapshot;
  readonly findings: readonly Finding[];
  /** Problems reading paths (missing files, permissions): each one line. */
  readonly errors: readonly string[];
  /** What the data came from, for headers ("3 files", "context prod"). */
  readonly description: string;
  /** Things the output may miss (resources the user may not read): each one line. */
  readonly warnings?: readonly string[];
  /** The text of each file read, for lint fixes and messages; absent for live objects. */
  readonly texts?: ReadonlyMap<string, string>;
  /** Where pods and namespaces came from, for messages: "manifests" or `cluster <context>`. */
  readonly dataSource?: string;
  /** True when the data lists every namespace of a cluster. */
  readonly complete?: boolean;
}

export interface InputSource {
  load(): Promise<LoadedInputs>;
}

/** Manifests read from files and directories (`-` is standard input). */
export function fileSource(paths: readonly string[]): InputSource {
  return {
    async load() {
      const { inputs, errors } = await readInputs([...paths]);
      const { snapshot, findings } = loadManifests(inputs);
      const n = inputs.length;
      const decoder = new TextDecoder();
      const texts = new Map(inputs.map((i) => [i.file, typeof i.content === 'string' ? i.content : decoder.decode(i.content)]));
      return { snapshot, findings, errors, description: `${n} ${n === 1 ? 'file' : 'files'}`, texts, dataSource: 'manifests' };
    },
  };
}

export interface ClusterSourceOptions {
  /** `--kubeconfig`; default: KUBECONFIG, then ~/.kube/config, then in-cluster. */
  readonly kubeconfig?: string;
  /** `--context`; default: the kubeconfig's current-context. */
  readonly context?: string;
  /** `--namespace` (repeatable); default: every namespace the user can read. */
  readonly namespaces?: readonly string[];
  /** Environment for kubeconfig discovery. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Per-request timeout. Default 30 s. */
  readonly requestTimeoutMs?: number;
}

/**
 * A one-shot list of a live cluster (no watch; everything is closed before `load` returns).
 * Failures throw a ClusterError whose `userMessage` is one line saying what to do.
 */
export function clusterSource(options: ClusterSourceOptions): InputSource {
  return {
    async load() {
      const kubeconfig = loadKubeconfig({
        path: options.kubeconfig,
        pathOrigin: '--kubeconfig',
        kubeconfigHint: '--kubeconfig',
        namespacesHint: '--namespace',
        env: options.env,
      });
      const connection = kubeconfig.connect(options.context);
      const result = await readClusterOnce(connection, {
        namespaces: options.namespaces,
        requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      });
      const warnings = result.hidden.map(
        (h) => `${h.resource} ${h.namespace === '*' ? 'across all namespaces' : `in namespace ${h.namespace}`} could not be read, results may be incomplete: ${h.reason}`,
      );
      return {
        snapshot: result.snapshot, findings: result.findings, errors: [], description: `context ${connection.context.name}`, warnings,
        dataSource: `cluster ${connection.context.name}`, complete: result.hidden.length === 0,
      };
    },
  };
}

function podIdentity(p: Pod): string {
  return p.origin.type === 'workload' ? `${p.origin.kind}/${p.namespace}/${p.name}` : `Pod/${p.namespace}/${p.name}`;
}

/** Later snapshots replace earlier objects of the same identity; a real namespace beats an inferred one. */
export function mergeSnapshots(snapshots: readonly ClusterSnapshot[]): ClusterSnapshot {
  if (snapshots.length === 1) return snapshots[0]!;
  const namespaces = new Map<string, Namespace>();
  const pods = new Map<string, Pod>();
  const services = new Map<string, Service>();
  const nodes = new Map<string, Node>();
  const policies = new Map<string, NetworkPolicy>();
  for (const s of snapshots) {
    for (const n of s.namespaces) {
      const old = namespaces.get(n.name);
      if (!old || old.inferred || !n.inferred) namespaces.set(n.name, n);
    }
    for (const p of s.pods) pods.set(podIdentity(p), p);
    for (const v of s.services) services.set(`${v.namespace}/${v.name}`, v);
    for (const n of s.nodes) nodes.set(n.name, n);
    for (const p of s.policies) policies.set(`${p.namespace}/${p.name}`, p);
  }
  return {
    namespaces: [...namespaces.values()],
    pods: [...pods.values()],
    services: [...services.values()],
    nodes: [...nodes.values()],
    policies: [...policies.values()],
  };
}

/** Loads every source, in order, and merges them (later sources win). */
export function combinedSource(sources: readonly InputSource[]): InputSource {
  return {
    async load() {
      const loaded: LoadedInputs[] = [];
      for (const s of sources) loaded.push(await s.load());
      if (loaded.length === 1) return loaded[0]!;
      return {
        snapshot: mergeSnapshots(loaded.map((l) => l.snapshot)),
        findings: loaded.flatMap((l) => l.findings),
        errors: loaded.flatMap((l) => l.errors),
        description: loaded.map((l) => l.description).join(', '),
        warnings: loaded.flatMap((l) => l.warnings ?? []),
        texts: new Map(loaded.flatMap((l) => [...(l.texts ?? new Map<string, string>())])),
        dataSource: loaded.map((l) => l.dataSource ?? l.description).join(' + '),
        complete: loaded.some((l) => l.complete),
      };
    },
  };
}
