/**
 * The fake cluster's state: objects per resource, one global resourceVersion, and an event log
 * trimmed to a fixed size that watches replay from. Every write bumps the RV, appends one event
 * and notifies subscribers synchronously (so an open watch has seen a write when the write returns).
 *
 * Objects handed in are copied; objects handed out are copies. Store writes are "as is": they do
 * not run validation, admission or the simulated kubelet (the HTTP handlers do).
 */
import { errors } from './status';
import {
  apiVersionOf,
  deepCopy,
  deepEqual,
  RESOURCES,
  resourceInfo,
  type KubeObject,
  type ResourceInfo,
  type ResourceName,
  type StoreEvent,
  type WatchEventType,
} from './types';

export interface StoreOptions {
  /** How many events the log keeps; older resourceVersions answer 410 Expired. Default 1000. */
  eventLogSize?: number;
  /** Clock for creationTimestamp and container timestamps. Default: the real clock. */
  now?: () => Date;
  /** Seed for generated names (`generateName`); uids are a counter. Default 1. */
  seed?: number;
}

export interface WriteOptions {
  /** Validate and build the result, but store nothing, bump nothing, emit nothing (dryRun=All). */
  dryRun?: boolean;
}

export type StoreListener = (event: StoreEvent) => void;

/** Kubernetes' name-suffix alphabet (no vowels, no confusable digits). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function keyOf(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${namespace ?? ''}/${name}` : name;
}

function requireInfo(resource: string): ResourceInfo {
  const info = resourceInfo(resource);
  if (!info) throw new Error(`fake-kube: unknown resource or kind "${resource}"`);
  return info;
}

function infoOfObject(obj: KubeObject): ResourceInfo {
  if (!obj.kind) throw new Error(`fake-kube: object ${obj.metadata?.name ?? '?'} has no kind`);
  return requireInfo(obj.kind);
}

export class FakeStore {
  private rv = 0;
  private compacted = 0;
  private uidCounter = 0;
  private randState: number;
  private readonly logSize: number;
  private readonly objects = new Map<ResourceName, Map<string, KubeObject>>();
  private log: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  readonly now: () => Date;

  constructor(options: StoreOptions = {}) {
    this.logSize = Math.max(1, options.eventLogSize ?? 1000);
    this.now = options.now ?? (() => new Date());
    this.randState = (options.seed ?? 1) >>> 0 || 1;
    for (const name of Object.keys(RESOURCES) as ResourceName[]) this.objects.set(name, new Map());
  }

  /** The current global resourceVersion as the API writes it. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  get currentRv(): number {
    return this.rv;
  }

  /** The newest RV that can no longer be replayed: a watch or continue from an RV below it is 410. */
  get compactedRv(): number {
    return this.compacted;
  }

  /** Deterministic 0..1 numbers (xorshift32) for generated names. */
  random(): number {
    let x = this.randState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.randState = x >>> 0;
    return this.randState / 0x100000000;
  }

  /** `generateName` + 5 characters, as the API server does. */
  generateName(prefix: string): string {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[Math.floor(this.random() * SUFFIX_ALPHABET.length)];
    return prefix + suffix;
  }

  timestamp(): string {
    return rfc3339(this.now());
  }

  get(resource: ResourceName | string, namespace: string | undefined, name: string): KubeObject | undefined {
    const info = requireInfo(resource);
    const obj = this.bucket(info).get(keyOf(info, namespace, name));
    return obj ? deepCopy(obj) : undefined;
  }

  /** Objects of a resource in key order (namespace, then name), optionally of one namespace. */
  list(resource: ResourceName | string, namespace?: string): KubeObject[] {
    const info = requireInfo(resource);
    const out: KubeObject[] = [];
    const keys = [...this.bucket(info).keys()].sort();
    for (const key of keys) {
      const obj = this.bucket(info).get(key) as KubeObject;
      if (info.namespaced && namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      out.push(deepCopy(obj));
    }
    return out;
  }

  /**
   * Adds an object. `kind` picks the resource; a missing namespace of a namespaced object is
   * created first (store writes are permissive; the HTTP layer answers 404 instead).
   * Throws an `ApiError` (409 AlreadyExists).
   */
  create(input: KubeObject, options: WriteOptions = {}): KubeObject {
    const info = infoOfObject(input);
    const obj = deepCopy(input);
    obj.apiVersion = apiVersionOf(info);
    obj.kind = info.kind;
    obj.metadata = obj.metadata ?? ({} as KubeObject['metadata']);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = this.generateName(meta.generateName);
    if (!meta.name) throw new Error(`fake-kube: ${info.kind} without metadata.name`);
    if (info.namespaced) meta.namespace = meta.namespace || 'default';
    else delete meta.namespace;
    const key = keyOf(info, meta.namespace, meta.name);
    if (this.bucket(info).has(key)) throw errors.alreadyExists(info, meta.name);
    if (!options.dryRun && info.namespaced && !this.bucket(RESOURCES.namespaces).has(meta.namespace as string)) {
      this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: meta.namespace as string } });
    }
    meta.uid = meta.uid || this.nextUid(options.dryRun);
    meta.creationTimestamp = meta.creationTimestamp || this.timestamp();
    delete meta.deletionTimestamp;
    if (info.resource === 'namespaces') {
      meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name };
      obj.spec = obj.spec ?? { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active', ...(obj.status ?? {}) };
    }
    if (info.resource === 'networkpolicies') meta.generation = 1;
    if (options.dryRun) {
      delete meta.resourceVersion;
      return obj;
    }
    meta.resourceVersion = String(++this.rv);
    this.bucket(info).set(key, obj);
    this.emit('ADDED', info.resource, obj);
    return deepCopy(obj);
  }

  /**
   * Replaces an existing object (matched by kind, namespace, name). When `metadata.resourceVersion`
   * is set and differs from the stored one the write is refused with 409 Conflict, as a PUT is.
   * Identity fields (uid, creationTimestamp) are kept. A write that changes nothing bumps nothing.
   */
  update(input: KubeObject, options: WriteOptions = {}): KubeObject {
    const info = infoOfObject(input);
    const name = input.metadata?.name;
    const namespace = info.namespaced ? input.metadata.namespace || 'default' : undefined;
    const key = keyOf(info, namespace, name);
    const current = this.bucket(info).get(key);
    if (!current) throw errors.notFound(info, name);
    const requested = input.metadata.resourceVersion;
    if (requested && requested !== current.metadata.resourceVersion) throw errors.conflict(info, name);
    const obj = deepCopy(input);
    obj.apiVersion = apiVersionOf(info);
    obj.kind = info.kind;
    obj.metadata.namespace = namespace;
    if (!info.namespaced) delete obj.metadata.namespace;
    obj.metadata.uid = current.metadata.uid;
    obj.metadata.creationTimestamp = current.metadata.creationTimestamp;
    obj.metadata.resourceVersion = current.metadata.resourceVersion;
    if (info.resource === 'namespaces') {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
    }
    if (info.resource === 'networkpolicies') {
      const specChanged = !deepEqual(obj.spec ?? null, current.spec ?? null);
      obj.metadata.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    }
    if (deepEqual(obj, current)) return deepCopy(current);
    if (options.dryRun) return obj;
    obj.metadata.resourceVersion = String(++this.rv);
    this.bucket(info).set(key, obj);
    this.emit('MODIFIED', info.resource, obj, current);
    return deepCopy(obj);
  }

  /** Creates or replaces (ignoring any resourceVersion in the input). */
  upsert(input: KubeObject): KubeObject {
    const info = infoOfObject(input);
    const existing = this.get(info.resource, input.metadata.namespace || 'default', input.metadata.name);
    if (!existing) return this.create(input);
    const copy = deepCopy(input);
    delete copy.metadata.resourceVersion;
    return this.update(copy);
  }

  /**
   * Read-modify-write: `mutate` gets a copy to change in place (or returns a replacement).
   * Throws NotFound. Returns the stored result.
   */
  modify(
    resource: ResourceName | string,
    namespace: string | undefined,
    name: string,
    mutate: (obj: KubeObject) => KubeObject | void,
  ): KubeObject {
    const info = requireInfo(resource);
    const current = this.get(info.resource, namespace, name);
    if (!current) throw errors.notFound(info, name);
    const next = mutate(current) ?? current;
    delete next.metadata.resourceVersion;
    return this.update(next);
  }

  /**
   * Removes an object and emits DELETED with its last state (at the new RV). Deleting a namespace
   * first deletes everything in it. Throws NotFound.
   */
  delete(resource: ResourceName | string, namespace: string | undefined, name: string, options: WriteOptions = {}): KubeObject {
    const info = requireInfo(resource);
    const key = keyOf(info, namespace, name);
    const current = this.bucket(info).get(key);
    if (!current) throw errors.notFound(info, name);
    if (options.dryRun) return deepCopy(current);
    if (info.resource === 'namespaces') {
      for (const child of Object.values(RESOURCES)) {
        if (!child.namespaced) continue;
        for (const obj of this.list(child.resource, name)) this.delete(child.resource, name, obj.metadata.name);
      }
    }
    this.bucket(info).delete(key);
    const gone = deepCopy(current);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit('DELETED', info.resource, gone);
    return deepCopy(gone);
  }

  /**
   * Events after `sinceRv`, or `'expired'` when some of them were trimmed from the log.
   * Returned events are shared: do not mutate.
   */
  eventsSince(sinceRv: number): readonly StoreEvent[] | 'expired' {
    if (sinceRv < this.compacted) return 'expired';
    return this.log.filter((e) => e.rv > sinceRv);
  }

  /** Makes every RV below `rv` too old: watches and continue tokens from them get 410. */
  expireBefore(rv: number | string): void {
    const limit = Number(rv);
    if (!Number.isFinite(limit)) throw new Error(`fake-kube: expireBefore(${String(rv)}): not a number`);
    this.compacted = Math.max(this.compacted, Math.min(limit, this.rv));
    this.log = this.log.filter((e) => e.rv > this.compacted);
  }

  /** How many events the log holds now. */
  get eventLogLength(): number {
    return this.log.length;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private bucket(info: ResourceInfo): Map<string, KubeObject> {
    return this.objects.get(info.resource) as Map<string, KubeObject>;
  }

  private nextUid(dryRun: boolean | undefined): string {
    const n = dryRun ? this.uidCounter + 1 : ++this.uidCounter;
    return `fa4e0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  }

  private emit(type: WatchEventType, resource: ResourceName, object: KubeObject, previous?: KubeObject): void {
    const event: StoreEvent = previous
      ? { rv: this.rv, type, resource, object: deepCopy(object), previous: deepCopy(previous) }
      : { rv: this.rv, type, resource, object: deepCopy(object) };
    this.log.push(event);
    while (this.log.length > this.logSize) {
      const dropped = this.log.shift() as StoreEvent;
      this.compacted = Math.max(this.compacted, dropped.rv);
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not break the write.
      }
    }
  }
}
