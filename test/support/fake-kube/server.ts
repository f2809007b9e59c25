/**
 * An in-process fake Kubernetes API server speaking real HTTP(S) and WebSocket, so that
 * `@kubernetes/client-node` 1.4.0 runs unchanged against it. See README.md in this folder for
 * what it supports, the fault switches and the known differences from a real API server.
 *
 * ```ts
 * const fake = await startFakeKube({ kubelet: { containerCreatingMs: 5, startMs: 5 } });
 * seed(fake.store, manifests);
 * const kc = fake.loadKubeConfig();       // a loaded KubeConfig (HTTPS, test CA as caData)
 * const core = kc.makeApiClient(CoreV1Api);
 * ...
 * await fake.close();
 * ```
 */
import { KubeConfig } from '@kubernetes/client-node';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { TEST_CA_CERT, TEST_SERVER_CERT, TEST_SERVER_KEY } from './certs';
import { ExecServer, chooseProtocol, commandNotFound, V4, V5, type ExecContext, type ExecHandler } from './exec';
import { Kubelet, type KubeletOptions } from './kubelet';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchApplyError, PatchError } from './patch';
import { ENFORCE_LABEL, podSecurityViolation, type PodSecurityLevel } from './podsecurity';
import { forbiddenError, Rbac, type RbacConfig, type ResourceAttributes } from './rbac';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from './selectors';
import { seed } from './seed';
import { ApiError, errors, failure, fieldErrors, type FieldError, type Status } from './status';
import { FakeStore } from './store';
import {
  apiVersionOf,
  deepCopy,
  deepEqual,
  isObject,
  qualifiedResource,
  RESOURCES,
  type Container,
  type ContainerStatus,
  type KubeObject,
  type Pod,
  type ResourceInfo,
  type ResourceName,
  type StoreEvent,
} from './types';
import {
  defaultContainer,
  ephemeralContainersUpdateErrors,
  metadataErrors,
  networkPolicyErrors,
  podCreateErrors,
} from './validation';

export type { ExecContext, ExecHandler, ExecResult } from './exec';
export type { KubeletOptions } from './kubelet';
export type { RbacConfig, RbacRule } from './rbac';

// ---------------------------------------------------------------------------------------------
// Public types

export interface FakeKubeOptions {
  /** Serve HTTPS with the test CA (default) or plain HTTP (kubeconfigs then set insecure-skip-tls-verify). */
  tls?: boolean;
  /** Port on 127.0.0.1; default 0 (any free port). */
  port?: number;
  /** Valid bearer tokens → user name. Default `{ 'fake-kube-token': 'fake-kube-admin' }`. */
  tokens?: Record<string, string>;
  /** The authorization table (default: allow everything). */
  rbac?: RbacConfig;
  /** Events the log keeps before resourceVersions expire (default 1000). */
  eventLogSize?: number;
  /** BOOKMARK interval for watches that allow bookmarks (default 5000 ms). */
  bookmarkIntervalMs?: number;
  /**
   * What a watch with resourceVersion `""` or `"0"` starts with: `'now'` (default, only later
   * events, as KUBE-API.md section 9 specifies) or `'synthetic-added'` (an ADDED per existing
   * object first, as a real API server does).
   */
  watchFromEmptyRv?: 'now' | 'synthetic-added';
  /** Timers and failures of the pretend kubelet. */
  kubelet?: KubeletOptions;
  /** Enforce Pod Security admission from namespace labels (default true). */
  podSecurity?: boolean;
  /** Exec subprotocols the server accepts, in preference order (default v5, then v4). */
  execProtocols?: readonly string[];
  /**
   * Verbs a WebSocket (GET) exec needs on `pods/exec`: `'get+create'` (default: Kubernetes ≥1.35,
   * `AuthorizePodWebsocketUpgradeCreatePermission`), `'get'` (before 1.35), `'either'` (lenient).
   */
  execAuthorization?: 'get+create' | 'get' | 'either';
  /** The exec script (default: every command is "command not found", exit 127). */
  execHandler?: ExecHandler;
  /** Clock for timestamps (default: real time). */
  now?: () => Date;
  /** Seed for generated names (default 1). */
  seed?: number;
  /** Objects to seed at start (see `seed()`). */
  objects?: unknown;
  /** One line per request, for debugging (`GET /api/v1/pods 200`). */
  log?: (line: string) => void;
  /** The `/version` answer's minor version (default "35"). */
  minorVersion?: string;
}

export interface KubeconfigOptions {
  /** Bearer token (default: the first configured token). */
  token?: string;
  /** Names in the kubeconfig (defaults `fake-kube` and the token's user). */
  context?: string;
  cluster?: string;
  user?: string;
  /** The context namespace (default `default`). */
  namespace?: string;
  /** Set insecure-skip-tls-verify instead of the CA (on HTTPS too). */
  insecure?: boolean;
}

/** A request as the server saw it (for asserting what a client sent). */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  /** The raw query string without `?`. */
  readonly query: string;
  readonly contentType?: string;
  user?: string;
  status?: number;
  readonly upgrade: boolean;
}

export interface FakeKubeStats {
  /** Open TCP connections (including upgraded WebSockets). */
  connections: number;
  /** Open watch streams. */
  watches: number;
  /** Open exec WebSocket sessions. */
  execSessions: number;
  /** Pending kubelet timers. */
  kubeletTimers: number;
  /** Connections accepted since start. */
  totalConnections: number;
  /** Requests (including upgrades) since start. */
  totalRequests: number;
  /** Whether the server accepts connections. */
  listening: boolean;
}

/** Which requests a fault applies to: a path prefix (or exact path) or a RegExp on the path. */
export interface FaultMatch {
  path: string | RegExp;
  /** HTTP method; default any. */
  method?: string;
  /** Apply to this many requests, then stop; default every request. */
  times?: number;
}

export interface FakeKubeHooks {
  /** Accepts another token. */
  addToken(token: string, user: string): void;
  /** Makes a token invalid from now on (401 Unauthorized). */
  expireToken(token: string): void;
  /** Replaces the authorization table. */
  setRbac(config: RbacConfig): void;
  /** Back to "allow everything". */
  resetRbac(): void;
  /** Sets (or, with undefined, resets) the exec script. */
  setExecHandler(handler: ExecHandler | undefined): void;
  /** Every exec the server ran, oldest first. */
  execCalls(): readonly ExecContext[];
  /** Makes an image pull fail (now, or when the kubelet gets to the container). */
  failImage(namespace: string, pod: string, container: string, reason?: 'ErrImagePull' | 'ImagePullBackOff' | string, message?: string): void;
  /** Moves a container to running now. */
  startContainer(namespace: string, pod: string, container: string): void;
  /** Terminates a container with an exit code. */
  terminate(namespace: string, pod: string, container: string, exitCode: number, reason?: string): void;
  /** Turns Pod Security admission on or off. */
  setPodSecurity(enabled: boolean): void;
  /** Labels a namespace `pod-security.kubernetes.io/enforce=<level>` (a MODIFIED event). */
  setNamespaceSecurity(namespace: string, level: PodSecurityLevel): void;
  /** Sets what `GET .../pods/{pod}/log?container=C` returns. */
  setLogs(namespace: string, pod: string, container: string, text: string): void;
  /** Ends every open watch cleanly (the client sees a normal end of stream). */
  closeAllWatches(): number;
  /** Sends every open watch an ERROR 410 Expired event and ends it. */
  expireAllWatches(): number;
  /** Makes every resourceVersion below `rv` too old (410 for watches and continue tokens from them). */
  expireBefore(rv: number | string): void;
  /** Forgets every continue token (later pages answer 410 Expired). */
  expireContinueTokens(): void;
  /** Writes `count` MODIFIED events (an annotation bump) on one object; default the first pod. */
  flood(count: number, target?: { resource?: ResourceName; namespace?: string; name?: string }): void;
  /** Delays matching requests by `ms` before anything else happens. */
  setLatency(match: FaultMatch, ms: number): void;
  /** Answers matching requests 200 with a truncated JSON body. */
  malformed(match: FaultMatch): void;
  /** Answers matching requests with an error Status (for example 500, 503 or 429). */
  failRequests(match: FaultMatch, status: { code: number; reason?: string; message?: string; retryAfterSeconds?: number }): void;
  /** Removes latency, malformed and failRequests rules. */
  clearFaults(): void;
  /** Destroys every open connection (watches and exec sessions included), keeps listening. */
  dropConnections(): void;
  /** Closes the listener and every connection: clients get ECONNREFUSED until resumeListening(). */
  stopListening(): Promise<void>;
  /** Listens again on the same port. */
  resumeListening(): Promise<void>;
}

export interface FakeKube {
  /** `https://127.0.0.1:PORT` (or `http://`). */
  readonly url: string;
  readonly port: number;
  readonly tls: boolean;
  /** The test CA certificate (PEM) clients must trust. */
  readonly caCert: string;
  /** The default bearer token. */
  readonly token: string;
  readonly store: FakeStore;
  readonly hooks: FakeKubeHooks;
  /** A kubeconfig YAML for this server. */
  kubeconfig(options?: KubeconfigOptions): string;
  /** The same kubeconfig loaded into a client-node `KubeConfig` (via `loadFromString`). */
  loadKubeConfig(options?: KubeconfigOptions): KubeConfig;
  /** Requests seen so far (the last 2000), oldest first. */
  requests(): readonly RequestRecord[];
  stats(): FakeKubeStats;
  /** Resolves once no connection, watch or exec session is open; rejects after `timeoutMs` (default 2000). */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** Ends watches, exec sessions, timers and connections; resolves when the server is closed. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Internals

const JSON_TYPE = 'application/json';
const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
const MAX_BODY = 16 * 1024 * 1024;
const REQUEST_LOG_SIZE = 2000;

type Sub = 'ephemeralcontainers' | 'exec' | 'log';

type Route =
  | { kind: 'collection'; info: ResourceInfo; namespace?: string }
  | { kind: 'object'; info: ResourceInfo; namespace?: string; name: string }
  | { kind: 'sub'; sub: Sub; namespace: string; name: string }
  | { kind: 'ssar' }
  | { kind: 'version' };

function parseRoute(pathname: string): Route | undefined {
  let seg: string[];
  try {
    seg = pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (seg.length === 1 && seg[0] === 'version') return { kind: 'version' };
  let group: string;
  let rest: string[];
  if (seg[0] === 'api' && seg[1] === 'v1') {
    group = '';
    rest = seg.slice(2);
  } else if (seg[0] === 'apis' && seg[1] === 'networking.k8s.io' && seg[2] === 'v1') {
    group = 'networking.k8s.io';
    rest = seg.slice(3);
  } else if (seg.join('/') === 'apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
    return { kind: 'ssar' };
  } else {
    return undefined;
  }
  const inGroup = (r: string | undefined): ResourceInfo | undefined => {
    const info = r !== undefined && Object.prototype.hasOwnProperty.call(RESOURCES, r) ? RESOURCES[r as ResourceName] : undefined;
    return info && info.group === group ? info : undefined;
  };
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const namespace = rest[1];
    const info = inGroup(rest[2]);
    if (!info || !info.namespaced) return undefined;
    if (rest.length === 3) return { kind: 'collection', info, namespace };
    if (rest.length === 4) return { kind: 'object', info, namespace, name: rest[3] };
    if (rest.length === 5 && info.resource === 'pods' && (rest[4] === 'ephemeralcontainers' || rest[4] === 'exec' || rest[4] === 'log')) {
      return { kind: 'sub', sub: rest[4], namespace, name: rest[3] };
    }
    return undefined;
  }
  const info = inGroup(rest[0]);
  if (!info) return undefined;
  if (rest.length === 1) return { kind: 'collection', info };
  if (rest.length === 2 && !info.namespaced) return { kind: 'object', info, name: rest[1] };
  return undefined;
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

function truthy(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function matchesFault(rule: FaultMatch, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  return typeof rule.path === 'string' ? path === rule.path || path.startsWith(rule.path) : rule.path.test(path);
}

interface FaultRule {
  match: FaultMatch;
  remaining: number;
  kind: 'latency' | 'malformed' | 'fail';
  ms?: number;
  status?: Status;
}

interface WatchStream {
  res: http.ServerResponse;
  info: ResourceInfo;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldSelector;
  timers: NodeJS.Timeout[];
  ended: boolean;
}

interface ContinueSnapshot {
  rv: number;
  items: KubeObject[];
  key: string;
}

/** List items carry no kind/apiVersion on the wire. */
function listItem(obj: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = obj;
  return rest as KubeObject;
}

function objectKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

/** NetworkPolicy defaults (`SetDefaults_NetworkPolicySpec`, `SetDefaults_NetworkPolicyPort`). */
function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = (isObject(obj.spec) ? obj.spec : {}) as Record<string, unknown>;
  obj.spec = spec;
  if (!isObject(spec.podSelector)) spec.podSelector = {};
  for (const key of ['ingress', 'egress'] as const) {
    const rules = spec[key];
    if (!Array.isArray(rules)) continue;
    for (const rule of rules) {
      if (!isObject(rule) || !Array.isArray(rule.ports)) continue;
      for (const port of rule.ports) if (isObject(port) && port.protocol === undefined) port.protocol = 'TCP';
    }
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function defaultPod(pod: Pod): void {
  const spec = pod.spec ?? {};
  pod.spec = spec;
  if (Array.isArray(spec.containers)) spec.containers = spec.containers.map((c) => (isObject(c) ? defaultContainer(c) : c));
  if (Array.isArray(spec.initContainers)) spec.initContainers = spec.initContainers.map((c) => (isObject(c) ? defaultContainer(c) : c));
  spec.restartPolicy = spec.restartPolicy ?? 'Always';
  spec.dnsPolicy = spec.dnsPolicy ?? 'ClusterFirst';
  spec.schedulerName = spec.schedulerName ?? 'default-scheduler';
  spec.terminationGracePeriodSeconds = spec.terminationGracePeriodSeconds ?? 30;
  spec.serviceAccountName = spec.serviceAccountName ?? 'default';
  spec.securityContext = spec.securityContext ?? {};
}

/** Changes a pod update may make to the spec: container images only. */
function podSpecChangeAllowed(oldSpec: unknown, newSpec: unknown): boolean {
  const strip = (spec: unknown): unknown => {
    if (!isObject(spec)) return spec;
    const copy = deepCopy(spec);
    for (const list of ['containers', 'initContainers'] as const) {
      const l = copy[list];
      if (Array.isArray(l)) copy[list] = l.map((c) => (isObject(c) ? { ...c, image: undefined } : c));
    }
    delete copy.ephemeralContainers;
    return copy;
  };
  return deepEqual(strip(oldSpec), strip(newSpec));
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

class FakeKubeServer implements FakeKube {
  readonly store: FakeStore;
  readonly hooks: FakeKubeHooks;
  readonly tls: boolean;
  readonly caCert = TEST_CA_CERT;
  readonly token: string;
  port = 0;

  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly socketClosed = new Map<Socket, Promise<void>>();
  private readonly watches = new Set<WatchStream>();
  private readonly exec = new ExecServer();
  private readonly kubelet: Kubelet;
  private readonly rbac: Rbac;
  private readonly tokens: Map<string, string>;
  private readonly continueTokens = new Map<string, ContinueSnapshot>();
  private readonly logs = new Map<string, string>();
  private readonly execLog: ExecContext[] = [];
  private readonly requestLog: RequestRecord[] = [];
  private faults: FaultRule[] = [];
  private execHandler: ExecHandler;
  private podSecurity: boolean;
  private totalConnections = 0;
  private totalRequests = 0;
  private tokenCounter = 0;
  private closing?: Promise<void>;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: FakeKubeOptions) {
    this.tls = options.tls ?? true;
    this.store = new FakeStore({ eventLogSize: options.eventLogSize, now: options.now, seed: options.seed });
    this.kubelet = new Kubelet(this.store, options.kubelet);
    this.rbac = new Rbac(options.rbac);
    this.tokens = new Map(Object.entries(options.tokens ?? { 'fake-kube-token': 'fake-kube-admin' }));
    this.token = [...this.tokens.keys()][0] ?? '';
    this.execHandler = options.execHandler ?? commandNotFound;
    this.podSecurity = options.podSecurity ?? true;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.onRequest(req, res);
    this.server = this.tls
      ? https.createServer({ key: TEST_SERVER_KEY, cert: TEST_SERVER_CERT }, handler)
      : http.createServer(handler);
    this.server.on('connection', (socket: Socket) => this.track(socket));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head));
    this.server.on('clientError', (_err, socket: Duplex) => socket.destroy());
    this.unsubscribe = this.store.subscribe((event) => this.broadcast(event));
    this.hooks = this.makeHooks();
    if (options.objects !== undefined) seed(this.store, options.objects);
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  // -------------------------------------------------------------------------------------------
  // kubeconfig

  kubeconfig(o: KubeconfigOptions = {}): string {
    const token = o.token ?? this.token;
    const user = o.user ?? this.tokens.get(token) ?? 'fake-kube-user';
    const clusterName = o.cluster ?? 'fake-kube';
    const contextName = o.context ?? 'fake-kube';
    const cluster: Record<string, unknown> = { server: this.url };
    if (this.tls && !o.insecure) cluster['certificate-authority-data'] = Buffer.from(TEST_CA_CERT).toString('base64');
    else cluster['insecure-skip-tls-verify'] = true;
    return stringifyYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: clusterName, cluster }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: contextName, context: { cluster: clusterName, user, namespace: o.namespace ?? 'default' } }],
      'current-context': contextName,
      preferences: {},
    });
  }

  loadKubeConfig(o: KubeconfigOptions = {}): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromString(this.kubeconfig(o));
    return kc;
  }

  requests(): readonly RequestRecord[] {
    return [...this.requestLog];
  }

  stats(): FakeKubeStats {
    return {
      connections: this.sockets.size,
      watches: this.watches.size,
      execSessions: this.exec.open,
      kubeletTimers: this.kubelet.pendingTimers,
      totalConnections: this.totalConnections,
      totalRequests: this.totalRequests,
      listening: this.server.listening,
    };
  }

  async waitForIdle(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.stats();
      if (s.connections === 0 && s.watches === 0 && s.execSessions === 0) return;
      if (Date.now() > deadline) throw new Error(`fake-kube: not idle after ${timeoutMs} ms: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.kubelet.close();
      this.unsubscribe();
      await this.shutdownListener();
      this.exec.close();
    })();
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  private track(socket: Socket): void {
    this.totalConnections++;
    this.sockets.add(socket);
    this.socketClosed.set(
      socket,
      new Promise<void>((resolve) =>
        socket.once('close', () => {
          this.sockets.delete(socket);
          this.socketClosed.delete(socket);
          resolve();
        }),
      ),
    );
  }

  private destroyAll(): Promise<void> {
    for (const w of [...this.watches]) this.endWatch(w, true);
    this.exec.terminateAll();
    const pending = [...this.socketClosed.values()];
    for (const socket of [...this.sockets]) socket.destroy();
    return Promise.all(pending).then(() => undefined);
  }

  private async shutdownListener(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
    await this.destroyAll();
    await closed;
  }

  // -------------------------------------------------------------------------------------------
  // Hooks

  private makeHooks(): FakeKubeHooks {
    return {
      addToken: (token, user) => void this.tokens.set(token, user),
      expireToken: (token) => void this.tokens.delete(token),
      setRbac: (config) => this.rbac.set(config),
      resetRbac: () => this.rbac.set({}),
      setExecHandler: (handler) => {
        this.execHandler = handler ?? commandNotFound;
      },
      execCalls: () => [...this.execLog],
      failImage: (ns, pod, container, reason, message) => this.kubelet.failImage(ns, pod, container, reason, message),
      startContainer: (ns, pod, container) => this.kubelet.startContainer(ns, pod, container),
      terminate: (ns, pod, container, exitCode, reason) => this.kubelet.terminate(ns, pod, container, exitCode, reason),
      setPodSecurity: (enabled) => {
        this.podSecurity = enabled;
      },
      setNamespaceSecurity: (namespace, level) => {
        const existing = this.store.get('namespaces', undefined, namespace);
        if (!existing) this.store.create({ kind: 'Namespace', metadata: { name: namespace, labels: { [ENFORCE_LABEL]: level } } });
        else {
          this.store.modify('namespaces', undefined, namespace, (ns) => {
            ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [ENFORCE_LABEL]: level };
          });
        }
      },
      setLogs: (ns, pod, container, text) => void this.logs.set(`${ns}/${pod}/${container}`, text),
      closeAllWatches: () => {
        const n = this.watches.size;
        for (const w of [...this.watches]) this.endWatch(w, false);
        return n;
      },
      expireAllWatches: () => {
        const n = this.watches.size;
        for (const w of [...this.watches]) {
          this.writeEvent(w, 'ERROR', this.expiredStatus(this.store.currentRv));
          this.endWatch(w, false);
        }
        return n;
      },
      expireBefore: (rv) => {
        this.store.expireBefore(rv);
      },
      expireContinueTokens: () => this.continueTokens.clear(),
      flood: (count, target = {}) => {
        const resource = target.resource ?? 'pods';
        const obj =
          target.name !== undefined
            ? this.store.get(resource, target.namespace, target.name)
            : this.store.list(resource, target.namespace)[0];
        if (!obj) throw new Error(`fake-kube flood: no ${resource} to modify`);
        for (let i = 1; i <= count; i++) {
          this.store.modify(resource, obj.metadata.namespace, obj.metadata.name, (o) => {
            o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'fake-kube/flood': String(i) };
          });
        }
      },
      setLatency: (match, ms) => this.addFault({ match, remaining: match.times ?? Infinity, kind: 'latency', ms }),
      malformed: (match) => this.addFault({ match, remaining: match.times ?? Infinity, kind: 'malformed' }),
      failRequests: (match, s) => {
        const reason = s.reason ?? (http.STATUS_CODES[s.code] ?? 'Unknown').replace(/\s+/g, '');
        const status = failure(s.code, reason, s.message ?? `fake-kube: injected ${s.code}`, {});
        if (s.retryAfterSeconds !== undefined) status.details = { retryAfterSeconds: s.retryAfterSeconds };
        this.addFault({ match, remaining: match.times ?? Infinity, kind: 'fail', status });
      },
      clearFaults: () => {
        this.faults = [];
      },
      dropConnections: () => void this.destroyAll(),
      stopListening: () => this.shutdownListener(),
      resumeListening: async () => {
        if (this.closing) throw new Error('fake-kube: closed');
        if (!this.server.listening) await this.listen(this.port);
      },
    };
  }

  private addFault(rule: FaultRule): void {
    this.faults.push(rule);
  }

  /** Consumes and returns the first matching rule of a kind. */
  private takeFault(kind: FaultRule['kind'], method: string, path: string): FaultRule | undefined {
    const rule = this.faults.find((f) => f.kind === kind && f.remaining > 0 && matchesFault(f.match, method, path));
    if (rule) rule.remaining--;
    return rule;
  }

  /** Waits out a latency rule; ends early (timer cleared) when the client goes away. */
  private async applyLatency(method: string, path: string, closed: { once(event: 'close', listener: () => void): unknown; off(event: 'close', listener: () => void): unknown }): Promise<void> {
    const rule = this.takeFault('latency', method, path);
    if (!rule?.ms) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        closed.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, rule.ms);
      closed.once('close', done);
    });
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  private record(req: http.IncomingMessage, url: URL, upgrade: boolean): RequestRecord {
    this.totalRequests++;
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      contentType: req.headers['content-type'],
      upgrade,
    };
    this.requestLog.push(record);
    if (this.requestLog.length > REQUEST_LOG_SIZE) this.requestLog.shift();
    return record;
  }

  private authenticate(req: http.IncomingMessage): string {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    const user = m ? this.tokens.get(m[1].trim()) : undefined;
    if (user === undefined) throw errors.unauthorized();
    return user;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-kube');
    const method = (req.method ?? 'GET').toUpperCase();
    const rec = this.record(req, url, false);
    res.on('finish', () => this.options.log?.(`${method} ${url.pathname}${url.search} ${res.statusCode}`));
    try {
      await this.applyLatency(method, url.pathname, res);
      if (res.destroyed || req.socket.destroyed) return;
      if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
        rec.status = 200;
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
        return;
      }
      rec.user = this.authenticate(req);
      const fail = this.takeFault('fail', method, url.pathname);
      if (fail?.status) throw new ApiError(fail.status);
      if (this.takeFault('malformed', method, url.pathname)) {
        rec.status = 200;
        res.writeHead(200, { 'Content-Type': JSON_TYPE }).end('{"kind":"Status","apiVersion":"v1","metadata":{},"items":[{"metadata":');
        return;
      }
      const route = parseRoute(url.pathname);
      if (!route) throw errors.pathNotFound();
      await this.dispatch(route, { req, res, url, method, user: rec.user as string, rec });
    } catch (err) {
      this.sendError(res, rec, err);
    }
  }

  private send(res: http.ServerResponse, rec: RequestRecord, code: number, body: unknown): void {
    rec.status = code;
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': JSON_TYPE,
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
    });
    res.end(text);
  }

  private sendError(res: http.ServerResponse, rec: RequestRecord, err: unknown): void {
    const status = err instanceof ApiError ? err.status : errors.internal(err instanceof Error ? err.message : String(err)).status;
    this.send(res, rec, status.code, status);
  }

  private async readBody(req: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new ApiError(failure(413, 'RequestEntityTooLarge', 'the request body is too large', {}));
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  private async readJson(req: http.IncomingMessage, allowYaml = false): Promise<unknown> {
    const text = (await this.readBody(req)).toString('utf8');
    const type = mediaType(req.headers['content-type']);
    try {
      if (allowYaml && (type.includes('yaml') || !text.trim().startsWith('{'))) return parseYaml(text) as unknown;
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async readObject(req: http.IncomingMessage): Promise<KubeObject> {
    const type = mediaType(req.headers['content-type']);
    if (type && type !== JSON_TYPE && type !== 'application/yaml') {
      throw errors.unsupportedMediaType(type, [JSON_TYPE, 'application/yaml', 'application/vnd.kubernetes.protobuf']);
    }
    const body = await this.readJson(req, type === 'application/yaml');
    if (!isObject(body)) throw errors.badRequest("couldn't get version/kind; json parse error: expected an object");
    const obj = body as KubeObject;
    if (!isObject(obj.metadata)) obj.metadata = { name: '' };
    return obj;
  }

  private dryRun(url: URL): boolean {
    const values = url.searchParams.getAll('dryRun');
    for (const v of values) {
      if (v !== 'All') throw errors.invalid('DryRun', '', '', [fieldErrors.notSupported('dryRun', v, ['All'])]);
    }
    return values.length > 0;
  }

  private authorize(user: string, verb: string, info: ResourceInfo, namespace?: string, name?: string, subresource?: string): void {
    this.rbac.check({ user, verb, group: info.group, resource: info.resource, subresource, namespace, name }, info);
  }

  private async dispatch(route: Route, ctx: Ctx): Promise<void> {
    const { method } = ctx;
    switch (route.kind) {
      case 'version':
        if (method !== 'GET') throw errors.methodNotAllowed();
        return this.send(ctx.res, ctx.rec, 200, {
          major: '1',
          minor: this.options.minorVersion ?? '35',
          gitVersion: `v1.${this.options.minorVersion ?? '35'}.0-fake-kube`,
          gitCommit: '0000000000000000000000000000000000000000',
          gitTreeState: 'clean',
          buildDate: '2000-01-01T00:00:00Z',
          goVersion: 'go1.25.0',
          compiler: 'gc',
          platform: 'linux/amd64',
        });
      case 'ssar':
        if (method !== 'POST') throw errors.methodNotAllowed();
        return this.selfSubjectAccessReview(ctx);
      case 'collection': {
        const { info, namespace } = route;
        if (method === 'GET') {
          const watch = truthy(ctx.url.searchParams.get('watch'));
          this.authorize(ctx.user, watch ? 'watch' : 'list', info, namespace);
          return watch ? this.watch(ctx, info, namespace) : this.list(ctx, info, namespace);
        }
        if (method === 'POST') {
          this.authorize(ctx.user, 'create', info, namespace);
          return this.create(ctx, info, namespace);
        }
        throw errors.methodNotAllowed();
      }
      case 'object': {
        const { info, namespace, name } = route;
        switch (method) {
          case 'GET':
            if (truthy(ctx.url.searchParams.get('watch'))) {
              this.authorize(ctx.user, 'watch', info, namespace, name);
              return this.watch(ctx, info, namespace, name);
            }
            this.authorize(ctx.user, 'get', info, namespace, name);
            return this.send(ctx.res, ctx.rec, 200, this.mustGet(info, namespace, name));
          case 'PUT':
            this.authorize(ctx.user, 'update', info, namespace, name);
            return this.replace(ctx, info, namespace, name);
          case 'PATCH':
            this.authorize(ctx.user, 'patch', info, namespace, name);
            return this.patch(ctx, info, namespace, name);
          case 'DELETE':
            this.authorize(ctx.user, 'delete', info, namespace, name);
            return this.remove(ctx, info, namespace, name);
          default:
            throw errors.methodNotAllowed();
        }
      }
      case 'sub':
        return this.subresource(ctx, route.sub, route.namespace, route.name);
    }
  }

  private mustGet(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(info.resource, namespace, name);
    if (!obj) throw errors.notFound(info, name);
    return obj;
  }

  // -------------------------------------------------------------------------------------------
  // List and watch

  private list(ctx: Ctx, info: ResourceInfo, namespace: string | undefined): void {
    const q = ctx.url.searchParams;
    const labels = parseLabelSelector(q.get('labelSelector'));
    const fields = parseFieldSelector(q.get('fieldSelector'), info.resource);
    const limitText = q.get('limit');
    const limit = limitText ? Number(limitText) : 0;
    if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`invalid limit: ${limitText}`);
    const token = q.get('continue');
    let rv: number;
    let items: KubeObject[];
    let offset = 0;
    if (token) {
      const snapshot = this.lookupContinue(token, info, namespace);
      rv = snapshot.rv;
      items = snapshot.items;
      offset = items.findIndex((o) => `${info.resource}/${objectKey(o)}` > snapshot.key);
      if (offset < 0) offset = items.length;
    } else {
      rv = this.store.currentRv;
      items = this.store
        .list(info.resource, namespace)
        .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, info.resource, o));
    }
    const end = limit > 0 ? Math.min(items.length, offset + limit) : items.length;
    const page = items.slice(offset, end);
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (end < items.length) {
      const lastKey = `${info.resource}/${objectKey(page[page.length - 1])}`;
      const id = `${++this.tokenCounter}`;
      this.continueTokens.set(id, { rv, items, key: lastKey });
      while (this.continueTokens.size > 1000) this.continueTokens.delete(this.continueTokens.keys().next().value as string);
      metadata.continue = Buffer.from(
        JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000`, scope: `${info.resource}/${namespace ?? ''}`, id }),
      ).toString('base64');
      if (labels.length === 0 && fields.length === 0) metadata.remainingItemCount = items.length - end;
    }
    this.send(ctx.res, ctx.rec, 200, {
      kind: info.listKind,
      apiVersion: apiVersionOf(info),
      metadata,
      items: page.map(listItem),
    });
  }

  private lookupContinue(token: string, info: ResourceInfo, namespace: string | undefined): ContinueSnapshot {
    const expired = (): ApiError =>
      errors.expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    let decoded: { id?: unknown; scope?: unknown };
    try {
      decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { id?: unknown; scope?: unknown };
    } catch {
      throw expired();
    }
    const snapshot = typeof decoded.id === 'string' ? this.continueTokens.get(decoded.id) : undefined;
    if (!snapshot || decoded.scope !== `${info.resource}/${namespace ?? ''}`) throw expired();
    if (snapshot.rv < this.store.compactedRv) throw expired();
    return snapshot;
  }

  private expiredStatus(rv: number): Status {
    return failure(410, 'Expired', `too old resource version: ${rv} (${this.store.compactedRv})`);
  }

  private watch(ctx: Ctx, info: ResourceInfo, namespace: string | undefined, name?: string): void {
    const q = ctx.url.searchParams;
    const labels = parseLabelSelector(q.get('labelSelector'));
    let fields = parseFieldSelector(q.get('fieldSelector'), info.resource);
    if (name !== undefined) fields = [...fields, { field: 'metadata.name', op: 'eq', value: name }];
    const rvText = q.get('resourceVersion') ?? '';
    const timeoutText = q.get('timeoutSeconds');
    const bookmarks = truthy(q.get('allowWatchBookmarks'));
    const initialEvents = truthy(q.get('sendInitialEvents'));
    if (rvText !== '' && !/^\d+$/.test(rvText)) throw errors.badRequest(`invalid resource version: ${rvText}`);

    const res = ctx.res;
    ctx.rec.status = 200;
    res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const stream: WatchStream = { res, info, namespace, labels, fields, timers: [], ended: false };
    this.watches.add(stream);
    res.on('close', () => this.endWatch(stream, true));

    const rv = rvText === '' ? 0 : Number(rvText);
    const fromNow = rv === 0;
    if (!fromNow) {
      const events = this.store.eventsSince(rv);
      if (events === 'expired') {
        this.writeEvent(stream, 'ERROR', this.expiredStatus(rv));
        this.endWatch(stream, false);
        return;
      }
      for (const event of events) this.deliver(stream, event);
    } else if (initialEvents || this.options.watchFromEmptyRv === 'synthetic-added') {
      for (const obj of this.store.list(info.resource, namespace)) {
        if (this.matches(stream, obj)) this.writeEvent(stream, 'ADDED', obj);
      }
    }
    if (initialEvents && bookmarks) this.writeBookmark(stream, true);
    if (bookmarks) {
      const interval = setInterval(() => this.writeBookmark(stream, false), this.options.bookmarkIntervalMs ?? 5000);
      stream.timers.push(interval);
    }
    if (timeoutText !== null && timeoutText !== '') {
      const seconds = Number(timeoutText);
      if (Number.isFinite(seconds) && seconds >= 0) stream.timers.push(setTimeout(() => this.endWatch(stream, false), seconds * 1000));
    }
  }

  private matches(stream: WatchStream, obj: KubeObject): boolean {
    if (stream.info.namespaced && stream.namespace !== undefined && obj.metadata.namespace !== stream.namespace) return false;
    return matchesLabels(stream.labels, obj.metadata.labels) && matchesFields(stream.fields, stream.info.resource, obj);
  }

  private broadcast(event: StoreEvent): void {
    for (const stream of this.watches) this.deliver(stream, event);
  }

  /** Delivers one store event, turning selector transitions into ADDED/DELETED as the watch cache does. */
  private deliver(stream: WatchStream, event: StoreEvent): void {
    if (stream.ended || event.resource !== stream.info.resource) return;
    const now = this.matches(stream, event.object);
    if (event.type === 'MODIFIED' && event.previous) {
      const before = this.matches(stream, event.previous);
      if (before && now) this.writeEvent(stream, 'MODIFIED', event.object);
      else if (!before && now) this.writeEvent(stream, 'ADDED', event.object);
      else if (before && !now) this.writeEvent(stream, 'DELETED', event.object);
      return;
    }
    if (now) this.writeEvent(stream, event.type, event.object);
  }

  private writeEvent(stream: WatchStream, type: string, object: unknown): void {
    if (stream.ended || stream.res.destroyed) return;
    stream.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private writeBookmark(stream: WatchStream, initialEventsEnd: boolean): void {
    const metadata: Record<string, unknown> = { resourceVersion: this.store.resourceVersion };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.writeEvent(stream, 'BOOKMARK', { kind: stream.info.kind, apiVersion: apiVersionOf(stream.info), metadata });
  }

  private endWatch(stream: WatchStream, destroy: boolean): void {
    if (!this.watches.has(stream)) return;
    stream.ended = true;
    stream.timers.forEach((t) => clearTimeout(t));
    this.watches.delete(stream);
    if (destroy) stream.res.destroy();
    else if (!stream.res.writableEnded) stream.res.end();
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  private validate(info: ResourceInfo, obj: KubeObject, creating: boolean): void {
    let errs: FieldError[];
    if (info.resource === 'networkpolicies') errs = networkPolicyErrors(info, obj);
    else if (info.resource === 'pods' && creating) errs = podCreateErrors(info, obj as Pod);
    else errs = metadataErrors(info, obj);
    if (errs.length) throw errors.invalid(info.kind, info.group, obj.metadata.name ?? '', errs);
  }

  private checkKind(info: ResourceInfo, obj: KubeObject): void {
    if (obj.kind !== undefined && obj.kind !== info.kind) {
      throw errors.badRequest(`${String(obj.kind)} in version "${info.version}" cannot be handled as a ${info.kind}: the object provided is unrecognized`);
    }
  }

  private checkNamespace(info: ResourceInfo, obj: KubeObject, namespace: string | undefined): void {
    if (!info.namespaced) return;
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace;
  }

  private admitPod(pod: Pod): void {
    if (!this.podSecurity) return;
    const ns = this.store.get('namespaces', undefined, pod.metadata.namespace ?? 'default');
    const violation = podSecurityViolation(pod.spec ?? {}, ns);
    if (violation) throw errors.forbidden(RESOURCES.pods, pod.metadata.name, violation);
  }

  private prepareNew(info: ResourceInfo, obj: KubeObject, namespace: string | undefined): void {
    this.checkKind(info, obj);
    obj.kind = info.kind;
    obj.apiVersion = apiVersionOf(info);
    this.checkNamespace(info, obj, namespace);
    if (info.namespaced && !this.store.get('namespaces', undefined, namespace as string)) {
      throw errors.notFound(RESOURCES.namespaces, namespace as string);
    }
    for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'deletionTimestamp', 'generation'] as const) delete obj.metadata[field];
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = this.store.generateName(obj.metadata.generateName);
    if (info.resource === 'networkpolicies') defaultNetworkPolicy(obj);
    if (info.resource === 'pods') {
      defaultPod(obj as Pod);
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    }
    this.validate(info, obj, true);
    if (info.resource === 'pods') this.admitPod(obj as Pod);
  }

  private async create(ctx: Ctx, info: ResourceInfo, namespace: string | undefined): Promise<void> {
    const obj = await this.readObject(ctx.req);
    const dryRun = this.dryRun(ctx.url);
    this.prepareNew(info, obj, namespace);
    const created = this.store.create(obj, { dryRun });
    if (info.resource === 'pods' && !dryRun) this.kubelet.podCreated(created.metadata.namespace as string, created.metadata.name);
    this.send(ctx.res, ctx.rec, 201, created);
  }

  /** Shared tail of PUT and PATCH: identity, status, pod immutability, validation, write. */
  private finishUpdate(ctx: Ctx, info: ResourceInfo, current: KubeObject, next: KubeObject, dryRun: boolean): void {
    if (next.metadata.name !== current.metadata.name) {
      throw errors.badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${current.metadata.name})`);
    }
    this.checkKind(info, next);
    next.kind = info.kind;
    next.apiVersion = apiVersionOf(info);
    this.checkNamespace(info, next, current.metadata.namespace);
    if (next.metadata.uid && next.metadata.uid !== current.metadata.uid) {
      throw errors.invalid(info.kind, info.group, current.metadata.name, [
        fieldErrors.invalid('metadata.uid', next.metadata.uid, 'field is immutable'),
      ]);
    }
    if ('status' in current) next.status = current.status;
    else delete next.status;
    if (info.resource === 'pods') {
      if (!podSpecChangeAllowed(current.spec, next.spec)) {
        throw errors.invalid('Pod', '', current.metadata.name, [fieldErrors.forbidden('spec', POD_UPDATE_FORBIDDEN)]);
      }
      (next as Pod).spec = { ...((next as Pod).spec ?? {}), ephemeralContainers: (current as Pod).spec?.ephemeralContainers };
      if ((next as Pod).spec?.ephemeralContainers === undefined) delete (next as Pod).spec?.ephemeralContainers;
    }
    if (info.resource === 'networkpolicies') defaultNetworkPolicy(next);
    this.validate(info, next, false);
    const stored = this.store.update(next, { dryRun });
    this.send(ctx.res, ctx.rec, 200, stored);
  }

  private async replace(ctx: Ctx, info: ResourceInfo, namespace: string | undefined, name: string): Promise<void> {
    const body = await this.readObject(ctx.req);
    const dryRun = this.dryRun(ctx.url);
    const current = this.mustGet(info, namespace, name);
    if (body.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${String(body.metadata.name ?? '')}) does not match the name on the URL (${name})`);
    }
    this.finishUpdate(ctx, info, current, body, dryRun);
  }

  private applyPatchBody(type: string, current: unknown, body: unknown): unknown {
    try {
      if (type === PATCH_TYPES.json) return applyJsonPatch(current, body);
      if (type === PATCH_TYPES.merge) return applyMergePatch(current, body);
      return applyStrategicMergePatch(current, body);
    } catch (err) {
      if (err instanceof PatchError) throw errors.badRequest(err.message);
      if (err instanceof PatchApplyError) {
        throw new ApiError(
          failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {
            causes: [{ reason: 'UnexpectedServerResponse', message: err.message }],
          }),
        );
      }
      throw err;
    }
  }

  private async patch(ctx: Ctx, info: ResourceInfo, namespace: string | undefined, name: string): Promise<void> {
    const type = mediaType(ctx.req.headers['content-type']);
    const accepted = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply, PATCH_TYPES.strategic];
    if (!(accepted as string[]).includes(type)) throw errors.unsupportedMediaType(type, accepted);
    const dryRun = this.dryRun(ctx.url);
    if (type === PATCH_TYPES.apply) return this.serverSideApply(ctx, info, namespace, name, dryRun);
    const body = await this.readJson(ctx.req);
    const current = this.mustGet(info, namespace, name);
    const next = this.applyPatchBody(type, current, body);
    if (!isObject(next) || !isObject(next.metadata)) throw errors.badRequest('the patch removed the object metadata');
    this.finishUpdate(ctx, info, current, next as KubeObject, dryRun);
  }

  /**
   * Server-side apply, approximated: the applied configuration's labels and annotations merge into
   * the object, every other top-level field it sets (spec, ...) replaces the stored one, and a
   * managedFields entry records the manager. No field ownership, no conflicts.
   */
  private async serverSideApply(ctx: Ctx, info: ResourceInfo, namespace: string | undefined, name: string, dryRun: boolean): Promise<void> {
    const manager = ctx.url.searchParams.get('fieldManager') ?? '';
    if (!manager) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [fieldErrors.required('fieldManager', 'is required for apply patch')]);
    }
    const body = await this.readJson(ctx.req, true);
    if (!isObject(body)) throw errors.badRequest('error decoding YAML: the applied configuration must be an object');
    const applied = body as KubeObject;
    if (!applied.apiVersion || !applied.kind) throw errors.badRequest('apiVersion and kind must be set in an apply patch');
    this.checkKind(info, applied);
    applied.metadata = isObject(applied.metadata) ? applied.metadata : { name };
    if (applied.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${String(applied.metadata.name ?? '')}) does not match the name on the URL (${name})`);
    }
    const entry = { manager, operation: 'Apply', apiVersion: apiVersionOf(info), time: this.store.timestamp(), fieldsType: 'FieldsV1', fieldsV1: {} };
    const current = this.store.get(info.resource, namespace, name);
    if (!current) {
      const obj = deepCopy(applied);
      this.prepareNew(info, obj, namespace);
      obj.metadata.managedFields = [entry];
      const created = this.store.create(obj, { dryRun });
      if (info.resource === 'pods' && !dryRun) this.kubelet.podCreated(created.metadata.namespace as string, created.metadata.name);
      return this.send(ctx.res, ctx.rec, 201, created);
    }
    const next = deepCopy(current);
    next.metadata.labels = { ...(current.metadata.labels ?? {}), ...((applied.metadata.labels as Record<string, string>) ?? {}) };
    next.metadata.annotations = { ...(current.metadata.annotations ?? {}), ...((applied.metadata.annotations as Record<string, string>) ?? {}) };
    if (Object.keys(next.metadata.labels).length === 0) delete next.metadata.labels;
    if (Object.keys(next.metadata.annotations).length === 0) delete next.metadata.annotations;
    for (const [key, value] of Object.entries(applied)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status') continue;
      next[key] = deepCopy(value);
    }
    const others = (current.metadata.managedFields ?? []).filter((m) => !(m.manager === manager && m.operation === 'Apply'));
    next.metadata.managedFields = [...others, entry];
    if (typeof applied.metadata.resourceVersion === 'string') next.metadata.resourceVersion = applied.metadata.resourceVersion;
    this.finishUpdate(ctx, info, current, next, dryRun);
  }

  private async remove(ctx: Ctx, info: ResourceInfo, namespace: string | undefined, name: string): Promise<void> {
    const raw = (await this.readBody(ctx.req)).toString('utf8').trim();
    const dryRun = this.dryRun(ctx.url);
    const current = this.mustGet(info, namespace, name);
    if (raw) {
      let options: unknown;
      try {
        options = JSON.parse(raw);
      } catch {
        throw errors.badRequest('the body of the DELETE request is not valid DeleteOptions JSON');
      }
      const pre = isObject(options) && isObject(options.preconditions) ? options.preconditions : {};
      if (typeof pre.uid === 'string' && pre.uid !== current.metadata.uid) {
        throw new ApiError(
          failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(info)} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(current.metadata.uid)}`, {
            name,
            ...(info.group ? { group: info.group } : {}),
            kind: info.resource,
          }),
        );
      }
      if (typeof pre.resourceVersion === 'string' && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw new ApiError(
          failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(info)} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(current.metadata.resourceVersion)}`, {
            name,
            ...(info.group ? { group: info.group } : {}),
            kind: info.resource,
          }),
        );
      }
    }
    const deleted = this.store.delete(info.resource, namespace, name, { dryRun });
    if (info.resource === 'pods' && !dryRun) this.kubelet.forget(namespace as string, name);
    if (info.resource === 'pods') return this.send(ctx.res, ctx.rec, 200, deleted);
    if (info.resource === 'namespaces') {
      deleted.metadata.deletionTimestamp = this.store.timestamp();
      deleted.status = { ...(deleted.status ?? {}), phase: 'Terminating' };
      return this.send(ctx.res, ctx.rec, 200, deleted);
    }
    const details: Record<string, unknown> = { name };
    if (info.group) details.group = info.group;
    details.kind = info.resource;
    details.uid = current.metadata.uid;
    this.send(ctx.res, ctx.rec, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
  }

  // -------------------------------------------------------------------------------------------
  // SelfSubjectAccessReview

  private async selfSubjectAccessReview(ctx: Ctx): Promise<void> {
    const body = await this.readObject(ctx.req);
    const spec = isObject(body.spec) ? body.spec : {};
    const ra = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
    const nra = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
    if ((ra === undefined) === (nra === undefined)) {
      throw errors.invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', [
        fieldErrors.invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'),
      ]);
    }
    let status: Record<string, unknown>;
    if (ra) {
      const str = (v: unknown): string => (typeof v === 'string' ? v : '');
      const attrs: ResourceAttributes = {
        user: ctx.user,
        verb: str(ra.verb),
        group: str(ra.group),
        resource: str(ra.resource),
        subresource: str(ra.subresource) || undefined,
        namespace: str(ra.namespace) || undefined,
        name: str(ra.name) || undefined,
      };
      const decision = this.rbac.authorize(attrs);
      status = { allowed: decision.allowed };
      if (decision.denied) status.denied = true;
      if (decision.reason) status.reason = decision.reason;
    } else {
      status = { allowed: true };
    }
    this.send(ctx.res, ctx.rec, 201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Pod subresources

  private async subresource(ctx: Ctx, sub: Sub, namespace: string, name: string): Promise<void> {
    const pods = RESOURCES.pods;
    const { method } = ctx;
    if (sub === 'exec') {
      if (method !== 'GET' && method !== 'POST') throw errors.methodNotAllowed();
      this.authorize(ctx.user, method === 'GET' ? 'get' : 'create', pods, namespace, name, 'exec');
      throw errors.badRequest('Upgrade request required');
    }
    if (sub === 'log') {
      if (method !== 'GET') throw errors.methodNotAllowed();
      this.authorize(ctx.user, 'get', pods, namespace, name, 'log');
      const pod = this.mustGet(pods, namespace, name) as Pod;
      const container = this.resolveContainer(pod, ctx.url.searchParams.get('container'));
      const text = this.logs.get(`${namespace}/${name}/${container}`) ?? '';
      ctx.rec.status = 200;
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) }).end(text);
      return;
    }
    switch (method) {
      case 'GET':
        this.authorize(ctx.user, 'get', pods, namespace, name, 'ephemeralcontainers');
        return this.send(ctx.res, ctx.rec, 200, this.mustGet(pods, namespace, name));
      case 'PATCH': {
        this.authorize(ctx.user, 'patch', pods, namespace, name, 'ephemeralcontainers');
        const type = mediaType(ctx.req.headers['content-type']);
        const accepted = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic];
        if (!(accepted as string[]).includes(type)) throw errors.unsupportedMediaType(type, accepted);
        const dryRun = this.dryRun(ctx.url);
        const body = await this.readJson(ctx.req);
        const current = this.mustGet(pods, namespace, name) as Pod;
        const next = this.applyPatchBody(type, current, body);
        if (!isObject(next)) throw errors.badRequest('the patch produced no object');
        return this.updateEphemeral(ctx, current, next as Pod, dryRun);
      }
      case 'PUT': {
        this.authorize(ctx.user, 'update', pods, namespace, name, 'ephemeralcontainers');
        const body = (await this.readObject(ctx.req)) as Pod;
        const dryRun = this.dryRun(ctx.url);
        const current = this.mustGet(pods, namespace, name) as Pod;
        if (body.metadata.name !== name) {
          throw errors.badRequest(`the name of the object (${String(body.metadata.name ?? '')}) does not match the name on the URL (${name})`);
        }
        return this.updateEphemeral(ctx, current, body, dryRun);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  /**
   * `podEphemeralContainersStrategy`: only `spec.ephemeralContainers` of the new object counts
   * (other changes are silently dropped), existing entries must be unchanged, then Pod Security.
   */
  private updateEphemeral(ctx: Ctx, current: Pod, next: Pod, dryRun: boolean): void {
    const name = current.metadata.name;
    const rv = isObject(next.metadata) ? next.metadata.resourceVersion : undefined;
    if (rv && rv !== current.metadata.resourceVersion) throw errors.conflict(RESOURCES.pods, name);
    const raw = isObject(next.spec) && Array.isArray(next.spec.ephemeralContainers) ? next.spec.ephemeralContainers : [];
    const list = raw.map((c) => (isObject(c) ? defaultContainer(c as Container) : c)) as Container[];
    const errs = ephemeralContainersUpdateErrors(current, list);
    if (errs.length) throw errors.invalid('Pod', '', name, errs);
    const before = current.spec?.ephemeralContainers ?? [];
    if (deepEqual(before, list)) return this.send(ctx.res, ctx.rec, 200, current);
    const result = deepCopy(current);
    result.spec = { ...(result.spec ?? {}), ephemeralContainers: list };
    this.admitPod(result);
    const stored = this.store.update(result, { dryRun });
    if (!dryRun) {
      const known = new Set(before.map((c) => c.name));
      for (const c of list) if (!known.has(c.name)) this.kubelet.ephemeralAdded(current.metadata.namespace as string, name, c.name);
    }
    this.send(ctx.res, ctx.rec, 200, stored);
  }

  /** The container an exec or log request means, or the API server's 400. */
  private resolveContainer(pod: Pod, requested: string | null): string {
    const spec = pod.spec ?? {};
    const containers = (spec.containers ?? []).map((c) => c.name);
    const init = (spec.initContainers ?? []).map((c) => c.name);
    const ephemeral = (spec.ephemeralContainers ?? []).map((c) => c.name);
    if (!requested) {
      if (containers.length === 1) return containers[0];
      let message = `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`;
      if (init.length) message += ` or one of the init containers: [${init.join(' ')}]`;
      if (ephemeral.length) message += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
      throw errors.badRequest(message);
    }
    if (![...containers, ...init, ...ephemeral].includes(requested)) {
      throw errors.badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    }
    return requested;
  }

  // -------------------------------------------------------------------------------------------
  // Exec upgrade

  private rejectUpgrade(socket: Duplex, rec: RequestRecord, status: Status): void {
    rec.status = status.code;
    const body = JSON.stringify(status);
    const head = [
      `HTTP/1.1 ${status.code} ${http.STATUS_CODES[status.code] ?? 'Error'}`,
      `Content-Type: ${JSON_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    socket.once('finish', () => socket.destroy());
    socket.end(head + body);
  }

  private async onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-kube');
    const method = (req.method ?? 'GET').toUpperCase();
    const rec = this.record(req, url, true);
    socket.on('error', () => socket.destroy());
    try {
      await this.applyLatency(method, url.pathname, socket);
      if (socket.destroyed) return;
      const user = this.authenticate(req);
      rec.user = user;
      const fail = this.takeFault('fail', method, url.pathname);
      if (fail?.status) throw new ApiError(fail.status);
      const route = parseRoute(url.pathname);
      if (!route || route.kind !== 'sub' || route.sub !== 'exec') throw errors.pathNotFound();
      if (method !== 'GET') throw errors.methodNotAllowed();
      const { namespace, name } = route;
      this.authorizeExec(user, namespace, name);
      const pod = this.mustGet(RESOURCES.pods, namespace, name) as Pod;
      const q = url.searchParams;
      const container = this.resolveContainer(pod, q.get('container'));
      const streams = { stdin: truthy(q.get('stdin')), stdout: truthy(q.get('stdout')), stderr: truthy(q.get('stderr')) };
      const argv = q.getAll('command');
      if (!streams.stdin && !streams.stdout && !streams.stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
      if (argv.length === 0) throw errors.badRequest('you must specify at least one command for the container');
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
        throw errors.badRequest(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
      }
      if (!pod.spec?.nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
      const statuses: ContainerStatus[] = [
        ...(pod.status?.containerStatuses ?? []),
        ...(pod.status?.initContainerStatuses ?? []),
        ...(pod.status?.ephemeralContainerStatuses ?? []),
      ];
      if (!statuses.find((s) => s.name === container)?.state?.running) {
        // The kubelet only finds running containers; its error comes back as a 500.
        throw new ApiError(failure(500, 'InternalError', `unable to upgrade connection: container not found ("${container}")`, { causes: [{ message: `container not found ("${container}")` }] }));
      }
      const protocol = chooseProtocol(req.headers['sec-websocket-protocol'], this.options.execProtocols ?? [V5, V4]);
      if (!protocol) throw errors.badRequest('unable to upgrade connection: no supported subprotocol was requested (supported: v5.channel.k8s.io, v4.channel.k8s.io)');
      rec.status = 101;
      this.exec.upgrade(req, socket, head, {
        namespace,
        pod: name,
        container,
        argv,
        tty: truthy(q.get('tty')),
        user,
        streams,
        protocol,
        handler: (c) => this.execHandler(c),
        onRun: (c) => this.execLog.push(c),
      });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : errors.internal(err instanceof Error ? err.message : String(err)).status;
      this.rejectUpgrade(socket, rec, status);
    }
  }

  private authorizeExec(user: string, namespace: string, name: string): void {
    const attrs = (verb: string): ResourceAttributes => ({ user, verb, group: '', resource: 'pods', subresource: 'exec', namespace, name });
    const mode = this.options.execAuthorization ?? 'get+create';
    const get = this.rbac.authorize(attrs('get'));
    if (mode === 'get') {
      if (!get.allowed) throw forbiddenError(attrs('get'), RESOURCES.pods, get.reason);
      return;
    }
    const create = this.rbac.authorize(attrs('create'));
    if (mode === 'either') {
      if (!get.allowed && !create.allowed) throw forbiddenError(attrs('get'), RESOURCES.pods, get.reason);
      return;
    }
    if (!get.allowed) throw forbiddenError(attrs('get'), RESOURCES.pods, get.reason);
    if (!create.allowed) throw forbiddenError(attrs('create'), RESOURCES.pods, create.reason);
  }
}

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  method: string;
  user: string;
  rec: RequestRecord;
}

/** Starts a fake API server on 127.0.0.1 (HTTPS by default). */
export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const server = new FakeKubeServer(options);
  await server.listen(options.port ?? 0);
  return server;
}
