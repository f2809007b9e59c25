/**
 * Live cluster data: list (paged) then watch namespaces, pods, services and NetworkPolicies
 * (nodes on request), keep a store, emit what changed, and give the core a ClusterSnapshot.
 *
 * Each (resource, namespace scope) is one stream with its own loop:
 *   list all pages (`limit`/`continue`) → watch from the list's resourceVersion with bookmarks
 *   → on 410 Gone (HTTP or an ERROR event) relist → on a dropped stream re-watch after a backoff
 *   → on other errors report a typed error and retry after a backoff (exponential, jittered,
 *   capped, reset after success).
 * client-node's informer is not used: it does not page, re-watches in a tight loop on a clean
 * close, and stops for good on other errors (KUBE-API.md section 3).
 *
 * Users who may not list a resource cluster-wide get per-namespace streams instead (the
 * configured namespaces, else the context's namespace, else the namespaces they may list),
 * decided by SelfSubjectAccessReview; what stays hidden is reported with the reason.
 */
import { Watch } from '@kubernetes/client-node';
import { setMaxListeners } from 'node:events';
import type { ClusterSnapshot, Finding } from '../core/model';
import { Backoff, type BackoffOptions } from './backoff';
import { ClusterError, fromHttpStatus } from './errors';
import type { ClusterConnection } from './kubeconfig';
import { AccessReviewer } from './rbac';
import { getJson, SharedConnection, withCallOptions } from './request';
import { convertObject, objectKey, RESOURCES, snapshotOf, toWire, type Converted, type ResourceInfo, type ResourceName, type WireObject } from './to-model';

export type { ResourceName } from './to-model';

export interface ChangeEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly kind: ResourceInfo['kind'];
  readonly resource: ResourceName;
  /** Undefined for namespaces and nodes. */
  readonly namespace?: string;
  readonly name: string;
}

/** Something the user cannot see, so the UI can say so instead of showing an empty tree. */
export interface HiddenResource {
  readonly resource: ResourceName;
  /** `*`: not readable across all namespaces (or, for namespaces and nodes, at all). */
  readonly namespace: string;
  /** `Forbidden: …`, a one-line user message. */
  readonly reason: string;
}

export type StreamPhase = 'listing' | 'watching' | 'polling' | 'retrying' | 'done' | 'stopped';

export interface StreamStatus {
  readonly resource: ResourceName;
  /** Undefined: all namespaces (or a cluster-scoped resource). */
  readonly namespace?: string;
  readonly phase: StreamPhase;
  /** Whether the stream has listed successfully at least once. */
  readonly synced: boolean;
  /** The last error, until the stream recovers. */
  readonly error?: ClusterError;
  /** Where the next watch resumes (from the last list, event or bookmark). */
  readonly resourceVersion?: string;
}

export interface StreamError {
  readonly resource: ResourceName;
  readonly namespace?: string;
  readonly error: ClusterError;
}

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export interface ClusterWatcherOptions {
  /** Default `namespaces`, `pods`, `services`, `networkpolicies`. */
  readonly resources?: readonly ResourceName[];
  /** Only these namespaces (the `netlens.namespaces` setting, `--namespace`). Default: all the user can read. */
  readonly namespaces?: readonly string[];
  /** Items per list page. Default 500. */
  readonly pageSize?: number;
  /** `false`: list once and stop (the CLI). Default `true`. */
  readonly watch?: boolean;
  readonly backoff?: BackoffOptions;
  /** Timeout of each list and access-review request. Default 60 s. */
  readonly requestTimeoutMs?: number;
  /** Relist period for resources the user may list but not watch. Default 60 s. */
  readonly pollIntervalMs?: number;
  /** A watch open this long counts as healthy even without events (resets the backoff). Default 10 s. */
  readonly healthyWatchMs?: number;
  /** How many namespaces to check one by one when falling back. Default 100. */
  readonly maxFallbackNamespaces?: number;
}

interface Entry {
  obj: WireObject;
  owner: Stream;
  converted?: Converted;
}

class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // A listener's bug must not stop the watch.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown; status?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number') return e.code;
  if (err instanceof ClusterError) return err.status;
  return undefined;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function apiPath(info: ResourceInfo, namespace: string | undefined): string {
  const prefix = info.group ? `/apis/${info.group}/v1` : '/api/v1';
  return namespace && info.namespaced ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${info.resource}` : `${prefix}/${info.resource}`;
}

type StreamMode = 'watch' | 'once' | 'get';

type WatchOutcome =
  | { kind: 'expired'; events: number }
  | { kind: 'closed'; events: number; healthy: boolean }
  | { kind: 'error'; error: unknown; events: number };

interface ListResult {
  items: WireObject[];
  /** The items converted, page by page while the next page was on its way (absent for `get`). */
  converted?: Converted[];
  rv: string;
}

/** One (resource, namespace) list/watch loop. */
class Stream {
  rv?: string;
  phase: StreamPhase = 'listing';
  synced = false;
  error?: ClusterError;
  pollOnly = false;
  readonly firstAttempt: Promise<void>;
  private resolveFirst!: () => void;
  private stopped = false;
  private controller?: AbortController;
  private sleeper?: { timer: NodeJS.Timeout; resolve: () => void };
  private loop?: Promise<void>;
  private readonly backoff: Backoff;
  private readonly expiryBackoff: Backoff;

  constructor(
    private readonly host: ClusterWatcher,
    readonly info: ResourceInfo,
    /** Undefined: all namespaces, or the cluster scope. For mode `get`, the namespace object's name. */
    readonly namespace: string | undefined,
    readonly mode: StreamMode,
    /** Whether a 403 at this scope makes the host fall back to per-namespace streams. */
    readonly fallbackOnForbidden: boolean,
  ) {
    this.backoff = new Backoff(host.options.backoff);
    this.expiryBackoff = new Backoff(host.options.backoff);
    this.firstAttempt = new Promise((resolve) => {
      this.resolveFirst = resolve;
    });
  }

  get status(): StreamStatus {
    return {
      resource: this.info.resource,
      ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
      phase: this.phase,
      synced: this.synced,
      ...(this.error ? { error: this.error } : {}),
      ...(this.rv ? { resourceVersion: this.rv } : {}),
    };
  }

  start(): void {
    this.loop ??= this.run().catch((e: unknown) => {
      // Not expected: the loop handles its errors. Report rather than leave an unhandled rejection.
      this.fail(this.host.connection.classify(e));
      this.setPhase('stopped');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.controller = undefined;
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
      this.sleeper = undefined;
    }
    this.resolveFirst();
    await this.loop;
  }

  private setPhase(phase: StreamPhase): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.host.statusChanged();
  }

  private ok(): void {
    this.synced = true;
    this.backoff.reset();
    this.host.connection.hadSuccess = true;
    if (this.error) {
      this.error = undefined;
      this.host.statusChanged();
    }
    this.resolveFirst();
  }

  /** A watch is open again: the stream works, whatever failed before. */
  private recovered(): void {
    this.host.connection.hadSuccess = true;
    if (this.error) {
      this.error = undefined;
      this.host.statusChanged();
    }
  }

  private fail(error: ClusterError): void {
    this.error = error;
    this.host.reportError(this, error);
    this.resolveFirst();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = undefined;
        resolve();
      }, ms);
      this.sleeper = { timer, resolve };
    });
  }

  private classify(err: unknown, verb: string): ClusterError {
    const name = this.mode === 'get' ? this.namespace : undefined;
    const namespace = this.mode === 'get' ? undefined : this.namespace;
    return this.host.connection.classify(err, { verb: this.mode === 'get' ? 'get' : verb, resource: this.info.resource, namespace, name });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.rv === undefined) {
        this.setPhase('listing');
        let listed: ListResult;
        try {
          listed = await this.list();
        } catch (e) {
          if (this.stopped) break;
          const err = this.classify(e, 'list');
          if (err.kind === 'Forbidden') {
            this.host.forbidden(this, err);
            this.resolveFirst();
            this.setPhase('stopped');
            return;
          }
          this.fail(err);
          if (this.mode !== 'watch') {
            this.setPhase('done');
            return;
          }
          this.setPhase('retrying');
          await this.sleep(this.backoff.next());
          continue;
        }
        if (this.stopped) break;
        this.host.replace(this, listed.items, listed.converted);
        this.rv = listed.rv;
        this.ok();
        if (this.mode !== 'watch') {
          this.setPhase('done');
          return;
        }
      }
      if (this.pollOnly) {
        this.setPhase('polling');
        await this.sleep(this.host.options.pollIntervalMs ?? 60_000);
        this.rv = undefined;
        continue;
      }
      this.setPhase('watching');
      const outcome = await this.watchOnce();
      if (this.stopped) break;
      if (outcome.kind === 'expired') {
        // 410 Gone: our resourceVersion is too old. Relist at once, unless 410s keep coming
        // without any progress in between.
        this.rv = undefined;
        const atOnce = outcome.events > 0 || this.expiryBackoff.failures === 0;
        if (outcome.events > 0) this.expiryBackoff.reset();
        const delay = this.expiryBackoff.next();
        if (!atOnce) await this.sleep(delay);
        continue;
      }
      if (outcome.kind === 'closed') {
        if (outcome.healthy) this.backoff.reset();
        await this.sleep(this.backoff.next());
        continue;
      }
      const err = this.classify(outcome.error, 'watch');
      if (err.kind === 'Forbidden') {
        // May list but not watch: poll instead.
        this.pollOnly = true;
        this.rv = undefined;
        this.host.statusChanged();
        continue;
      }
      if (outcome.events > 0) this.backoff.reset();
      this.fail(err);
      this.setPhase('retrying');
      await this.sleep(this.backoff.next());
    }
    this.setPhase('stopped');
  }

  private async list(): Promise<ListResult> {
    const conn = this.host.connection;
    const call = { signal: this.host.signal, timeoutMs: this.host.options.requestTimeoutMs ?? 60_000 };
    if (this.mode === 'get') {
      try {
        const ns = await withCallOptions(call, (o) => conn.core().readNamespace({ name: this.namespace! }, o));
        return { items: [{ ...(toWire(ns) as WireObject), apiVersion: 'v1', kind: 'Namespace' }], rv: '' };
      } catch (e) {
        if (statusCodeOf(e) === 404) return { items: [], rv: '' };
        throw e;
      }
    }
    const limit = this.host.options.pageSize ?? 500;
    const context = conn.context.name;
    const path = apiPath(this.info, this.namespace);
    for (let attempt = 0; ; attempt++) {
      const items: WireObject[] = [];
      const converted: Converted[] = [];
      let rv = '';
      // The continue token of the request in flight (undefined for the first page).
      let token: string | undefined;
      // The pages share one keep-alive connection.
      const shared = new SharedConnection();
      const pageCall = { ...call, shared };
      try {
        // Plain JSON, not client-node's typed lists: the items go straight to the converter.
        let pending = getJson(conn.kc, path, { limit }, pageCall);
        for (;;) {
          const page = (await pending) as { metadata?: { resourceVersion?: unknown; continue?: unknown }; items?: unknown } | null;
          rv = typeof page?.metadata?.resourceVersion === 'string' ? page.metadata.resourceVersion : '';
          const next = typeof page?.metadata?.continue === 'string' && page.metadata.continue !== '' ? page.metadata.continue : undefined;
          // Ask for the next page first, then convert this one while the server prepares it.
          const more = next !== undefined && !this.stopped;
          if (more) {
            token = next;
            pending = getJson(conn.kc, path, { limit, continue: next }, pageCall);
          }
          for (const item of Array.isArray(page?.items) ? (page.items as unknown[]) : []) {
            if (typeof item !== 'object' || item === null) continue;
            const obj: WireObject = { ...(item as WireObject), apiVersion: this.info.apiVersion, kind: this.info.kind };
            items.push(obj);
            converted.push(convertObject(context, this.info, obj));
          }
          if (!more) break;
        }
        return { items, converted, rv };
      } catch (e) {
        // An expired continue token: start the list over (once).
        if (attempt === 0 && token !== undefined && statusCodeOf(e) === 410) continue;
        throw e;
      } finally {
        shared.dispose();
      }
    }
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise<WatchOutcome>((resolve) => {
      let events = 0;
      let expired = false;
      let errorStatus: unknown;
      let established = false;
      let finished = false;
      const started = Date.now();
      const finish = (outcome: WatchOutcome): void => {
        if (finished) return;
        finished = true;
        this.controller = undefined;
        resolve(outcome);
      };
      const done = (err: unknown): void => {
        if (expired) return finish({ kind: 'expired', events });
        if (errorStatus !== undefined) return finish({ kind: 'error', error: errorStatus, events });
        if (err && statusCodeOf(err) === 410) return finish({ kind: 'expired', events });
        // Failing before the stream was open (refused, 401, 403, ...) is an error; ending after is a drop.
        if (err && !established) return finish({ kind: 'error', error: err, events });
        finish({ kind: 'closed', events, healthy: events > 0 || Date.now() - started >= (this.host.options.healthyWatchMs ?? 10_000) });
      };
      const onEvent = (type: string, obj: unknown): void => {
        if (finished || this.stopped) return;
        const o = (typeof obj === 'object' && obj !== null ? obj : {}) as WireObject & { code?: unknown };
        if (type !== 'ERROR') events++;
        if (type === 'ERROR') {
          if (o.code === 410) expired = true;
          else errorStatus = o;
          return;
        }
        const rv = typeof o.metadata?.resourceVersion === 'string' ? o.metadata.resourceVersion : undefined;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          this.host.apply(this, type, { ...o, apiVersion: o.apiVersion ?? this.info.apiVersion, kind: o.kind ?? this.info.kind });
        }
        if (rv && (type === 'BOOKMARK' || type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) this.rv = rv;
      };
      new Watch(this.host.connection.kc)
        .watch(apiPath(this.info, this.namespace), { resourceVersion: this.rv, allowWatchBookmarks: true }, onEvent, done)
        .then(
          (controller) => {
            // done() already ran when the request failed; otherwise the stream is open.
            if (finished || this.stopped) controller.abort();
            else {
              established = true;
              this.controller = controller;
              this.recovered();
            }
          },
          (err: unknown) => done(err),
        );
    });
  }
}

/**
 * Lists and watches a cluster through one {@link ClusterConnection}. Make a new one per
 * context; `dispose()` ends every request, watch and timer.
 */
export class ClusterWatcher {
  /** @internal */
  readonly signal: AbortSignal;
  private readonly abort = new AbortController();
  private readonly store = new Map<ResourceName, Map<string, Entry>>();
  private readonly streamList: Stream[] = [];
  private readonly hiddenList: HiddenResource[] = [];
  private readonly tasks = new Set<Promise<void>>();
  private readonly reviewer: AccessReviewer;
  private readonly changeEmitter = new Emitter<readonly ChangeEvent[]>();
  private readonly errorEmitter = new Emitter<StreamError>();
  private readonly statusEmitter = new Emitter<void>();
  private cached?: { snapshot: ClusterSnapshot; findings: Finding[] };
  private starting?: Promise<void>;
  private disposed = false;
  private reviewsUnavailable = false;
  private fallbackNamespacesPromise?: Promise<string[]>;

  /** Fires with what changed after each watch event or relist. */
  readonly onDidChange: Event<readonly ChangeEvent[]> = this.changeEmitter.event;
  /** Fires when a stream fails (it keeps retrying while watching). */
  readonly onDidError: Event<StreamError> = this.errorEmitter.event;
  /** Fires when a stream's phase, error or the hidden list changes. */
  readonly onDidChangeStatus: Event<void> = this.statusEmitter.event;

  constructor(
    readonly connection: ClusterConnection,
    readonly options: ClusterWatcherOptions = {},
  ) {
    this.signal = this.abort.signal;
    // Every request in flight listens on it (hundreds with many namespaces): not a leak.
    setMaxListeners(0, this.signal);
    this.reviewer = new AccessReviewer(connection, { signal: this.signal, timeoutMs: options.requestTimeoutMs ?? 60_000 });
    for (const r of Object.keys(RESOURCES) as ResourceName[]) this.store.set(r, new Map());
  }

  /**
   * Decides what to read (access reviews), lists everything, then keeps watching. Resolves when
   * every stream has listed once or failed once (it keeps retrying); never rejects.
   */
  start(): Promise<void> {
    this.starting ??= this.track(this.plan()).then(() => this.settle());
    return this.starting;
  }

  /** The current picture, in the core model. Cached until the next change. */
  snapshot(): ClusterSnapshot {
    return this.compute().snapshot;
  }

  /** Problems found in the live objects (invalid policies, ...), with `kube://` pseudo-files. */
  findings(): Finding[] {
    return this.compute().findings;
  }

  hidden(): HiddenResource[] {
    return [...this.hiddenList];
  }

  streams(): StreamStatus[] {
    return this.streamList.map((s) => s.status);
  }

  /** Streams currently failing. */
  errors(): StreamError[] {
    return this.streamList.filter((s) => s.error).map((s) => ({ resource: s.info.resource, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}), error: s.error! }));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    await Promise.all(this.streamList.map((s) => s.stop()));
    await Promise.allSettled([...this.tasks]);
    this.changeEmitter.clear();
    this.errorEmitter.clear();
    this.statusEmitter.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Called by streams

  /** @internal */
  statusChanged(): void {
    if (!this.disposed) this.statusEmitter.fire();
  }

  /** @internal */
  reportError(stream: Stream, error: ClusterError): void {
    if (this.disposed) return;
    this.errorEmitter.fire({ resource: stream.info.resource, ...(stream.namespace !== undefined ? { namespace: stream.namespace } : {}), error });
    this.statusChanged();
  }

  /** @internal A relist: replaces what the stream owns and emits the difference. */
  replace(stream: Stream, items: readonly WireObject[], converted?: readonly Converted[]): void {
    if (this.disposed) return;
    const map = this.store.get(stream.info.resource)!;
    const events: ChangeEvent[] = [];
    const seen = new Set<string>();
    items.forEach((obj, i) => {
      const key = objectKey(obj);
      seen.add(key);
      const old = map.get(key);
      if (old && old.obj.metadata?.resourceVersion === obj.metadata?.resourceVersion && old.owner === stream) return;
      const entry: Entry = { obj, owner: stream };
      const done = converted?.[i];
      if (done) entry.converted = done;
      map.set(key, entry);
      events.push(this.event(old ? 'MODIFIED' : 'ADDED', stream.info, obj));
    });
    for (const [key, entry] of map) {
      if (entry.owner !== stream || seen.has(key)) continue;
      map.delete(key);
      events.push(this.event('DELETED', stream.info, entry.obj));
    }
    this.changed(events);
  }

  /** @internal One watch event. */
  apply(stream: Stream, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: WireObject): void {
    if (this.disposed) return;
    const map = this.store.get(stream.info.resource)!;
    const key = objectKey(obj);
    if (type === 'DELETED') {
      if (!map.delete(key)) return;
    } else {
      map.set(key, { obj, owner: stream });
    }
    this.changed([this.event(type, stream.info, obj)]);
  }

  /** @internal A 403 on a list: hide it, and fall back to namespaces where that helps. */
  forbidden(stream: Stream, error: ClusterError): void {
    if (this.disposed) return;
    this.hide(stream.info.resource, stream.namespace ?? '*', error);
    // track() never rejects; start() waits for it through settle().
    if (stream.fallbackOnForbidden) void this.track(this.fallback(stream.info, error));
  }

  // -------------------------------------------------------------------------------------------
  // Planning

  private get mode(): StreamMode {
    return this.options.watch === false ? 'once' : 'watch';
  }

  private configuredNamespaces(): string[] | undefined {
    const list = [...new Set((this.options.namespaces ?? []).map((n) => n.trim()).filter((n) => n !== ''))];
    return list.length ? list : undefined;
  }

  /** Keeps a background task (planning, a fallback) so `start()` and `dispose()` can wait for it. */
  private track(task: Promise<void>): Promise<void> {
    const t: Promise<void> = task.then(
      () => void this.tasks.delete(t),
      () => void this.tasks.delete(t),
    );
    this.tasks.add(t);
    return t;
  }

  /** Waits until every stream has had its first attempt, including streams added meanwhile. */
  private async settle(): Promise<void> {
    for (;;) {
      const count = this.streamList.length;
      await Promise.all([...this.tasks, ...this.streamList.map((s) => s.firstAttempt)]);
      if (this.disposed || (this.tasks.size === 0 && this.streamList.length === count)) return;
    }
  }

  private addStream(info: ResourceInfo, namespace: string | undefined, mode: StreamMode, fallbackOnForbidden: boolean, pollOnly = false): void {
    if (this.disposed) return;
    const s = new Stream(this, info, namespace, mode, fallbackOnForbidden);
    s.pollOnly = pollOnly;
    this.streamList.push(s);
    s.start();
    this.statusChanged();
  }

  private hide(resource: ResourceName, namespace: string, error: ClusterError): void {
    if (this.hiddenList.some((h) => h.resource === resource && h.namespace === namespace)) return;
    this.hiddenList.push({ resource, namespace, reason: `Forbidden: ${error.userMessage}` });
    this.statusChanged();
  }

  private forbiddenError(resource: ResourceName, namespace: string | undefined, verb = 'list'): ClusterError {
    return fromHttpStatus(403, undefined, this.connection.errorContext({ verb, resource, namespace }));
  }

  /**
   * Whether `verb` on `resource` is allowed in `namespace` (undefined: cluster scope);
   * `undefined` when the review itself fails (then the real request decides).
   */
  private async allowed(verb: string, info: ResourceInfo, namespace: string | undefined): Promise<boolean | undefined> {
    if (this.reviewsUnavailable || this.disposed) return undefined;
    try {
      const d = await this.reviewer.canI(verb, info.resource, { group: info.group, ...(namespace ? { namespace } : {}) });
      return d.allowed;
    } catch {
      // No SSAR (an old or unusual API server, or it is unreachable): let the requests tell.
      this.reviewsUnavailable = true;
      return undefined;
    }
  }

  /** Per scope: may list (else hidden) and may watch (else polled). */
  private async access(info: ResourceInfo, namespace: string | undefined): Promise<{ list: boolean; watch: boolean }> {
    const list = await this.allowed('list', info, namespace);
    if (list === false) return { list: false, watch: false };
    if (this.mode !== 'watch') return { list: true, watch: true };
    const watch = await this.allowed('watch', info, namespace);
    return { list: true, watch: watch !== false };
  }

  private async plan(): Promise<void> {
    const wanted = this.options.resources ?? (['namespaces', 'pods', 'services', 'networkpolicies'] as ResourceName[]);
    const configured = this.configuredNamespaces();
    const namespaced = wanted.filter((r) => RESOURCES[r].namespaced);
    const clusterScoped = wanted.filter((r) => !RESOURCES[r].namespaced);
    await Promise.all(
      namespaced.map(async (r) => {
        const info = RESOURCES[r];
        if (configured) {
          await this.perNamespace(info, configured, true);
          return;
        }
        const a = await this.access(info, undefined);
        if (a.list) this.addStream(info, undefined, this.mode, true, !a.watch);
        else {
          const err = this.forbiddenError(r, undefined);
          this.hide(r, '*', err);
          await this.fallback(info, err);
        }
      }),
    );
    for (const r of clusterScoped) {
      const info = RESOURCES[r];
      const a = await this.access(info, undefined);
      if (a.list) this.addStream(info, undefined, this.mode, r === 'namespaces', !a.watch);
      else {
        const err = this.forbiddenError(r, undefined);
        this.hide(r, '*', err);
        if (r === 'namespaces') await this.namespaceObjects(err);
      }
    }
  }

  /** Streams for each namespace in `namespaces` the user may list `info` in; the rest are hidden. */
  private async perNamespace(info: ResourceInfo, namespaces: readonly string[], reportEach: boolean): Promise<number> {
    const access = await mapLimit(namespaces, 8, (ns) => this.access(info, ns));
    let added = 0;
    namespaces.forEach((ns, i) => {
      const a = access[i]!;
      if (a.list) {
        this.addStream(info, ns, this.mode, false, !a.watch);
        added++;
      } else if (reportEach) this.hide(info.resource, ns, this.forbiddenError(info.resource, ns));
    });
    return added;
  }

  /**
   * The namespaces to read one by one when cluster-wide reads are forbidden: the configured
   * ones, else the context's namespace (when the kubeconfig sets one), else those the user may
   * list (when namespaces can be listed), else the context's `default`.
   */
  private fallbackNamespaces(): Promise<string[]> {
    this.fallbackNamespacesPromise ??= (async () => {
      const configured = this.configuredNamespaces();
      if (configured) return configured;
      const ctx = this.connection.context;
      if (ctx.namespaceExplicit) return [ctx.namespace];
      try {
        const names: string[] = [];
        let cont: string | undefined;
        do {
          const page = await withCallOptions({ signal: this.signal, timeoutMs: this.options.requestTimeoutMs ?? 60_000 }, (o) =>
            this.connection.core().listNamespace({ limit: this.options.pageSize ?? 500, _continue: cont }, o),
          );
          for (const ns of page.items) if (ns.metadata?.name) names.push(ns.metadata.name);
          cont = page.metadata?._continue || undefined;
        } while (cont !== undefined && !this.disposed);
        const max = this.options.maxFallbackNamespaces ?? 100;
        return names.length ? names.sort().slice(0, max) : [ctx.namespace];
      } catch {
        return [ctx.namespace];
      }
    })();
    return this.fallbackNamespacesPromise;
  }

  private async fallback(info: ResourceInfo, error: ClusterError): Promise<void> {
    if (this.disposed) return;
    if (info.resource === 'namespaces') {
      await this.namespaceObjects(error);
      return;
    }
    const ctx = this.connection.context;
    const namespaces = await this.fallbackNamespaces();
    // Name each denied namespace only when the user chose them (or the context did).
    const reportEach = !!this.configuredNamespaces() || ctx.namespaceExplicit || namespaces.length === 1;
    const added = await this.perNamespace(info, namespaces, reportEach);
    const shown = this.streamList.filter((s) => s.info === info && s.namespace !== undefined).map((s) => s.namespace!);
    const idx = this.hiddenList.findIndex((h) => h.resource === info.resource && h.namespace === '*');
    if (idx >= 0) {
      const suffix = added ? `; showing namespace${shown.length === 1 ? '' : 's'} ${shown.join(', ')} only` : '';
      this.hiddenList[idx] = { ...this.hiddenList[idx]!, reason: `Forbidden: ${error.userMessage}${suffix}` };
      this.statusChanged();
    }
  }

  /** When namespaces cannot be listed: get each namespace in view, to know its labels. */
  private async namespaceObjects(_error: ClusterError): Promise<void> {
    if (!this.options.resources || this.options.resources.includes('namespaces')) {
      const names = new Set(this.configuredNamespaces() ?? []);
      const ctx = this.connection.context;
      names.add(ctx.namespace);
      for (const s of this.streamList) if (s.namespace !== undefined && s.mode !== 'get') names.add(s.namespace);
      for (const ns of names) {
        if (this.streamList.some((s) => s.mode === 'get' && s.namespace === ns)) continue;
        this.addStream(RESOURCES.namespaces, ns, 'get', false);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Store → model

  private event(type: ChangeEvent['type'], info: ResourceInfo, obj: WireObject): ChangeEvent {
    const name = obj.metadata?.name ?? '';
    return info.namespaced
      ? { type, kind: info.kind, resource: info.resource, namespace: obj.metadata?.namespace ?? '', name }
      : { type, kind: info.kind, resource: info.resource, name };
  }

  private changed(events: readonly ChangeEvent[]): void {
    if (!events.length) return;
    this.cached = undefined;
    this.changeEmitter.fire(events);
  }

  private compute(): { snapshot: ClusterSnapshot; findings: Finding[] } {
    if (this.cached) return this.cached;
    const objects = [];
    const findings: Finding[] = [];
    for (const [resource, map] of this.store) {
      const info = RESOURCES[resource];
      for (const entry of map.values()) {
        entry.converted ??= convertObject(this.connection.context.name, info, entry.obj);
        objects.push(...entry.converted.objects);
        findings.push(...entry.converted.findings);
      }
    }
    this.cached = { snapshot: snapshotOf(objects), findings };
    return this.cached;
  }
}

export interface ClusterReadResult {
  readonly snapshot: ClusterSnapshot;
  readonly findings: readonly Finding[];
  readonly hidden: readonly HiddenResource[];
}

/**
 * Lists the cluster once (no watch) and closes everything: for the CLI. Throws the first
 * typed error; also throws Forbidden when pods or NetworkPolicies are unreadable everywhere
 * (a verdict without them would be wrong).
 */
export async function readClusterOnce(connection: ClusterConnection, options: Omit<ClusterWatcherOptions, 'watch'> = {}): Promise<ClusterReadResult> {
  const watcher = new ClusterWatcher(connection, { ...options, watch: false });
  try {
    await watcher.start();
    const failed = watcher.errors()[0];
    if (failed) throw failed.error;
    const wanted = options.resources ?? ['namespaces', 'pods', 'services', 'networkpolicies'];
    for (const r of ['networkpolicies', 'pods'] as const) {
      if (!wanted.includes(r)) continue;
      if (watcher.streams().some((s) => s.resource === r && s.synced)) continue;
      const hidden = watcher.hidden().find((h) => h.resource === r);
      throw new ClusterError('Forbidden', hidden ? hidden.reason.replace(/^Forbidden: /, '') : `cannot read ${r}`, { status: 403, reason: 'Forbidden' });
    }
    return { snapshot: watcher.snapshot(), findings: watcher.findings(), hidden: watcher.hidden() };
  } finally {
    await watcher.dispose();
  }
}
