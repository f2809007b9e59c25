/**
 * Merging the objects of many files into one ClusterSnapshot: duplicates, workload template
 * pods that real pods already stand for, and namespaces referenced but never defined.
 */
import type { ClusterSnapshot, Finding, Namespace, NetworkPolicy, Node, Pod, Range, Service, SourceRef } from '../model';
import type { LoadResult, LoadedObject, SnapshotObject } from './types';

function identity(o: SnapshotObject): string {
  switch (o.kind) {
    case 'Namespace':
    case 'Node':
      return `${o.kind} ${o.name}`;
    case 'Pod':
      return o.origin.type === 'workload' ? `${o.origin.kind} ${o.namespace}/${o.name}` : `Pod ${o.namespace}/${o.name}`;
    default:
      return `${o.kind} ${o.namespace}/${o.name}`;
  }
}

/** A small range to point at an object: its namespace, else its name, else its start. */
function anchor(source: SourceRef): Range {
  const at = source.at('metadata.namespace') ?? source.at('metadata.name');
  if (at) return at.value;
  return { start: source.range.start, end: source.range.start };
}

function where(source: SourceRef): string {
  return `${source.file}:${source.range.start.line + 1}`;
}

/**
 * Workload template pods to leave out because the snapshot already has what they stand for:
 * a ReplicaSet (or Job) whose controlling Deployment (or CronJob) is loaded, and a workload
 * whose real pods are loaded (a `kubectl get all -o yaml` dump has all three levels).
 */
function redundantWorkloads(objects: readonly LoadedObject[]): Set<LoadedObject> {
  const workloads = new Map<string, LoadedObject>();
  for (const lo of objects) {
    const o = lo.object;
    if (o.kind === 'Pod' && o.origin.type === 'workload') workloads.set(`${o.namespace}/${o.origin.kind}/${o.name}`, lo);
  }
  const out = new Set<LoadedObject>();
  if (workloads.size === 0) return out;
  for (const lo of workloads.values()) {
    const o = lo.object as Pod;
    if (lo.controller && workloads.has(`${o.namespace}/${lo.controller.kind}/${lo.controller.name}`)) out.add(lo);
  }
  for (const lo of objects) {
    const pod = lo.object;
    if (pod.kind !== 'Pod' || pod.origin.type !== 'pod' || !lo.controller) continue;
    // Walk up the controllers: Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob.
    let ref: { kind: string; name: string } | undefined = lo.controller;
    for (let hops = 0; ref && hops < 4; hops++) {
      const owner = workloads.get(`${pod.namespace}/${ref.kind}/${ref.name}`);
      if (owner) {
        out.add(owner);
        ref = owner.controller;
        continue;
      }
      // The intermediate object may be missing from the files: recognise it by its name.
      const hash = pod.labels['pod-template-hash'];
      if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`)) {
        ref = { kind: 'Deployment', name: ref.name.slice(0, -hash.length - 1) };
        continue;
      }
      const job = /^(.*)-\d+$/.exec(ref.name);
      if (ref.kind === 'Job' && job) {
        ref = { kind: 'CronJob', name: job[1]! };
        continue;
      }
      ref = undefined;
    }
  }
  return out;
}

/**
 * Merges loaded objects into a snapshot. Later definitions of the same object replace
 * earlier ones (as `kubectl apply -f` in order would), with a warning at both. Namespaces
 * that objects live in but that no file defines are inferred, with one `info` finding each.
 * The given findings are returned first, followed by the new ones.
 */
export function buildSnapshot(objects: readonly LoadedObject[], findings: readonly Finding[] = []): LoadResult {
  const out: Finding[] = [...findings];
  const skip = redundantWorkloads(objects);
  const byId = new Map<string, LoadedObject>();
  for (const lo of objects) {
    if (skip.has(lo)) continue;
    const id = identity(lo.object);
    const previous = byId.get(id);
    if (previous) {
      byId.delete(id);
      const before = previous.object.source;
      const after = lo.object.source;
      if (before && after) {
        out.push({
          code: 'duplicate-object',
          severity: 'warning',
          message: `${id} is defined again at ${where(after)}, which replaces this definition.`,
          file: before.file,
          range: anchor(before),
          object: id,
        });
        out.push({
          code: 'duplicate-object',
          severity: 'warning',
          message: `${id} was already defined at ${where(before)}; this later definition is the one used.`,
          file: after.file,
          range: anchor(after),
          object: id,
        });
      }
    }
    byId.set(id, lo);
  }
  const namespaces: Namespace[] = [];
  const pods: Pod[] = [];
  const services: Service[] = [];
  const nodes: Node[] = [];
  const policies: NetworkPolicy[] = [];
  const defined = new Set<string>();
  for (const { object: o } of byId.values()) {
    if (o.kind === 'Namespace') {
      namespaces.push(o);
      defined.add(o.name);
    }
  }
  const inferred = new Set<string>();
  for (const { object: o } of byId.values()) {
    switch (o.kind) {
      case 'Pod':
        pods.push(o);
        break;
      case 'Service':
        services.push(o);
        break;
      case 'Node':
        nodes.push(o);
        continue;
      case 'NetworkPolicy':
        policies.push(o);
        break;
      default:
        continue;
    }
    const ns = o.namespace;
    if (defined.has(ns) || inferred.has(ns)) continue;
    inferred.add(ns);
    namespaces.push({ kind: 'Namespace', name: ns, labels: { 'kubernetes.io/metadata.name': ns }, inferred: true });
    if (o.source) {
      out.push({
        code: 'namespace-inferred',
        severity: 'info',
        message:
          `Namespace ${JSON.stringify(ns)} is not defined in the loaded files: netlens assumes it exists with only the label ` +
          `kubernetes.io/metadata.name=${ns}. If policies select it by other labels, add its manifest (kubectl get namespace ${ns} -o yaml).`,
        file: o.source.file,
        range: anchor(o.source),
        object: identity(o),
      });
    }
  }
  const snapshot: ClusterSnapshot = { namespaces, pods, services, nodes, policies };
  return { snapshot, findings: out };
}
