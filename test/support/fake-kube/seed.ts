/**
 * Loads plain manifests into a {@link FakeStore}: the items of `kubectl get -o json` (a `List`, a
 * typed list such as `PodList`, an array, or single objects), or multi-document YAML.
 * Namespaces and nodes go first, so namespaced objects find theirs; an object that already exists
 * is replaced. Server-populated fields are kept as given except resourceVersion (the store's own).
 * Seeding writes straight to the store: no validation, admission or kubelet.
 */
import { parseAllDocuments } from 'yaml';
import type { FakeStore } from './store';
import { isObject, resourceInfo, type KubeObject, type ResourceInfo } from './types';

export type SeedInput = KubeObject | readonly KubeObject[] | { kind?: string; items: readonly KubeObject[] };

function flatten(input: unknown, out: KubeObject[]): void {
  if (Array.isArray(input)) {
    for (const item of input) flatten(item, out);
    return;
  }
  if (!isObject(input)) return;
  if (Array.isArray(input.items) && (input.kind === undefined || String(input.kind).endsWith('List'))) {
    // A list's items carry no kind in API responses; take it from the list kind.
    const itemKind = typeof input.kind === 'string' && input.kind !== 'List' ? input.kind.slice(0, -'List'.length) : undefined;
    for (const item of input.items) {
      if (isObject(item) && item.kind === undefined && itemKind) flatten({ ...item, kind: itemKind }, out);
      else flatten(item, out);
    }
    return;
  }
  out.push(input as unknown as KubeObject);
}

const ORDER: Record<string, number> = { namespaces: 0, nodes: 1 };

/** Seeds objects; returns them as stored (with uid, resourceVersion, ...). */
export function seed(store: FakeStore, input: SeedInput | unknown): KubeObject[] {
  const objects: KubeObject[] = [];
  flatten(input, objects);
  const typed = objects.map((obj, index) => {
    const info: ResourceInfo | undefined = typeof obj.kind === 'string' ? resourceInfo(obj.kind) : undefined;
    if (!info) throw new Error(`fake-kube seed: unsupported kind "${String(obj.kind)}" (object #${index} ${obj.metadata?.name ?? ''})`);
    return { obj, info, index };
  });
  typed.sort((a, b) => (ORDER[a.info.resource] ?? 2) - (ORDER[b.info.resource] ?? 2) || a.index - b.index);
  return typed.map(({ obj }) => {
    const copy: KubeObject = { ...obj, metadata: { ...obj.metadata } };
    delete copy.metadata.resourceVersion;
    return store.upsert(copy);
  });
}

/** Seeds multi-document YAML (`---` separated), as `kubectl get -o yaml` or a manifest file holds. */
export function seedYaml(store: FakeStore, text: string): KubeObject[] {
  const docs = parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(`fake-kube seed: ${doc.errors[0].message}`);
    return doc.toJS() as unknown;
  });
  return seed(store, docs.filter((d) => d !== null && d !== undefined));
}

export interface PodSketch {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Pod IP (default: derived from the name, in 10.244.0.0/16). */
  ip?: string;
  /** Node name (default `fake-node-1`). */
  node?: string;
  containers?: { name: string; image?: string; ports?: { name?: string; containerPort: number; protocol?: string }[]; securityContext?: Record<string, unknown> }[];
  /** Pod-level securityContext. */
  securityContext?: Record<string, unknown>;
  /** Timestamp used for startTime and startedAt (default 2000-01-01T00:00:00Z, for stable fixtures). */
  startedAt?: string;
}

/**
 * A realistic running Pod manifest (spec with nodeName, status Running with podIP and running
 * container statuses) for seeding: exec and ephemeral containers work on it as on a live pod.
 */
export function runningPod(sketch: PodSketch): KubeObject {
  const namespace = sketch.namespace ?? 'default';
  const containers = sketch.containers ?? [{ name: 'app', image: 'nginx:1.27' }];
  let hash = 0;
  for (const ch of `${namespace}/${sketch.name}`) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const ip = sketch.ip ?? `10.244.${(hash >>> 8) % 250}.${2 + (hash % 250)}`;
  const started = sketch.startedAt ?? '2000-01-01T00:00:00Z';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: sketch.name, namespace, labels: { ...(sketch.labels ?? {}) } },
    spec: {
      nodeName: sketch.node ?? 'fake-node-1',
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      securityContext: sketch.securityContext ?? {},
      containers: containers.map((c) => ({
        name: c.name,
        image: c.image ?? 'nginx:1.27',
        ...(c.ports ? { ports: c.ports.map((p) => ({ protocol: 'TCP', ...p })) } : {}),
        ...(c.securityContext ? { securityContext: c.securityContext } : {}),
        imagePullPolicy: 'IfNotPresent',
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      })),
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      hostIP: '192.168.49.2',
      startTime: started,
      qosClass: 'BestEffort',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: started,
      })),
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image ?? 'nginx:1.27',
        imageID: '',
        containerID: `containerd://${namespace}-${sketch.name}-${c.name}`,
        ready: true,
        started: true,
        restartCount: 0,
        lastState: {},
        state: { running: { startedAt: started } },
      })),
    },
  };
}
