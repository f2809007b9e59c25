/**
 * Finding and loading kubeconfigs the way kubectl does, and binding API clients to a context.
 *
 * Search order: an explicit path (`--kubeconfig`, or the `netlens.kubeconfig` setting, which
 * the extension only takes from user or machine settings in a trusted workspace because a
 * kubeconfig can run programs), else `$KUBECONFIG` (several files, merged with the first file
 * winning for a duplicate cluster, user or context name, as kubectl does; client-node's own
 * `mergeConfig` throws instead), else `~/.kube/config`, else in-cluster (a service account
 * token), else a typed NoKubeconfig state: never client-node's silent `localhost:8080`.
 *
 * Errors raised while preparing a request (credential plugins, certificate files) become
 * {@link ClusterError}s here, with the plugin's command and the PATH searched, but never its
 * output, a token or a key.
 */
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  type Cluster,
  type Context,
  type User,
} from '@kubernetes/client-node';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ClusterError, classifyError, sanitize, type ErrorContext } from './errors';
import { cacheExecCredentials, type ExecCredentialCache } from './exec-cache';
import { kubeconfigSecrets } from '../core/redact';

export interface KubeconfigOptions {
  /**
   * An explicit kubeconfig (several joined by the path delimiter are merged). Overrides
   * `KUBECONFIG` and `~/.kube/config`. The extension passes it only from user or machine
   * settings in a trusted workspace.
   */
  readonly path?: string;
  /** Where `path` came from, for messages: `--kubeconfig` (default) or `the netlens.kubeconfig setting`. */
  readonly pathOrigin?: string;
  /** How the user points netlens at a kubeconfig, for messages. Default `netlens.kubeconfig (CLI: --kubeconfig)`. */
  readonly kubeconfigHint?: string;
  /** Environment to read `KUBECONFIG`, `HOME`, `KUBERNETES_SERVICE_HOST` from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Prefix of `/var/run/secrets/kubernetes.io/serviceaccount` (tests). Default `''`. */
  readonly inClusterRoot?: string;
  /** How the user restricts namespaces, passed into error messages (`netlens.namespaces` or `--namespace`). */
  readonly namespacesHint?: string;
}

export type KubeconfigSource = 'explicit' | 'KUBECONFIG' | 'home' | 'in-cluster';

export interface ContextInfo {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  /** The context's namespace, `default` when the context names none. */
  readonly namespace: string;
  /** Whether the kubeconfig sets the namespace (rather than the `default` fallback). */
  readonly namespaceExplicit: boolean;
  /** The cluster's server URL, when the cluster exists. */
  readonly server?: string;
}

export type KubeconfigDiscovery =
  | { readonly state: 'found'; readonly kubeconfig: Kubeconfig }
  | { readonly state: 'none'; readonly searched: readonly string[]; readonly error: ClusterError };

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fileExists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function homeDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (process.platform === 'win32') return env.HOME || env.USERPROFILE || (env.HOMEDRIVE && env.HOMEPATH ? path.join(env.HOMEDRIVE, env.HOMEPATH) : undefined);
  return env.HOME || undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading and merging files

interface RawConfig {
  clusters: Raw[];
  users: Raw[];
  contexts: Raw[];
  currentContext?: string;
}

function invalidFile(file: string, why: string, hint: string): ClusterError {
  return new ClusterError('NoKubeconfig', `cannot use the kubeconfig ${file}: ${why}. Fix it, or set ${hint} to another kubeconfig`, {
    detail: sanitize(`${file}: ${why}`),
  });
}

function resolveAgainst(dir: string, p: unknown): unknown {
  return typeof p === 'string' && p !== '' && !path.isAbsolute(p) ? path.join(dir, p) : p;
}

/** Paths in a kubeconfig are relative to the file (client-go `ResolvePaths`). */
function resolvePaths(entry: Raw, key: 'cluster' | 'user', dir: string): Raw {
  const body = entry[key];
  if (!isRecord(body)) return entry;
  const copy: Raw = { ...body };
  if (key === 'cluster') copy['certificate-authority'] = resolveAgainst(dir, copy['certificate-authority']);
  else {
    for (const k of ['client-certificate', 'client-key', 'token-file']) copy[k] = resolveAgainst(dir, copy[k]);
    const exec = copy.exec;
    // A command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH.
    if (isRecord(exec) && typeof exec.command === 'string' && /[\\/]/.test(exec.command)) {
      copy.exec = { ...exec, command: resolveAgainst(dir, exec.command) };
    }
  }
  for (const k of Object.keys(copy)) if (copy[k] === undefined) delete copy[k];
  return { ...entry, [key]: copy };
}

function readKubeconfigFile(file: string, hint: string): RawConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw invalidFile(file, `cannot read it (${code})`, hint);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    // YAML errors quote the offending text, which may be a token: keep only the position.
    const pos = (e as { linePos?: { line: number }[] }).linePos?.[0];
    throw invalidFile(file, `it is not valid YAML${pos ? ` (line ${pos.line})` : ''}`, hint);
  }
  if (doc === null || doc === undefined) return { clusters: [], users: [], contexts: [] };
  if (!isRecord(doc)) throw invalidFile(file, 'it is not a kubeconfig (expected a mapping with clusters, users and contexts)', hint);
  const dir = path.dirname(path.resolve(file));
  const list = (key: string, inner: 'cluster' | 'user' | 'context'): Raw[] => {
    const value = doc[key];
    if (!Array.isArray(value)) return [];
    return value.filter((e): e is Raw => isRecord(e) && typeof e.name === 'string' && e.name !== '').map((e) => (inner === 'context' ? e : resolvePaths(e, inner, dir)));
  };
  const current = doc['current-context'];
  return {
    clusters: list('clusters', 'cluster'),
    users: list('users', 'user'),
    contexts: list('contexts', 'context'),
    currentContext: typeof current === 'string' && current !== '' ? current : undefined,
  };
}

/** kubectl's merge: the first file that defines a name wins; the first current-context wins. */
function mergeRaw(configs: readonly RawConfig[]): RawConfig {
  const out: RawConfig = { clusters: [], users: [], contexts: [] };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  for (const c of configs) {
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of c[key]) {
        const name = entry.name as string;
        if (seen[key].has(name)) continue;
        seen[key].add(name);
        out[key].push(entry);
      }
    }
    out.currentContext ??= c.currentContext;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Discovery

/**
 * Finds the kubeconfig as kubectl would. Never throws: a missing or unusable kubeconfig is
 * the `none` state with what was searched and a NoKubeconfig error saying what to do.
 */
export function discoverKubeconfig(options: KubeconfigOptions = {}): KubeconfigDiscovery {
  const env = options.env ?? process.env;
  const hint = options.kubeconfigHint ?? 'netlens.kubeconfig (CLI: --kubeconfig)';
  const searched: string[] = [];
  const none = (message: string): KubeconfigDiscovery => ({
    state: 'none',
    searched,
    error: new ClusterError('NoKubeconfig', message, { detail: `searched: ${searched.join(', ')}` }),
  });
  try {
    const load = (files: string[], source: KubeconfigSource): KubeconfigDiscovery => {
      const merged = mergeRaw(files.map((f) => readKubeconfigFile(f, hint)));
      return { state: 'found', kubeconfig: Kubeconfig.fromRaw(merged, source, files, options) };
    };
    if (options.path !== undefined && options.path !== '') {
      const origin = options.pathOrigin ?? '--kubeconfig';
      const files = options.path.split(path.delimiter).filter((f) => f !== '');
      searched.push(...files);
      const missing = files.filter((f) => !fileExists(f));
      if (missing.length) return none(`the kubeconfig ${missing.join(', ')} given by ${origin} does not exist. Check the path`);
      return load(files, 'explicit');
    }
    const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f !== '');
    if (fromEnv.length) {
      searched.push(...fromEnv);
      // kubectl skips files of KUBECONFIG that do not exist.
      const existing = fromEnv.filter(fileExists);
      if (!existing.length) return none(`none of the files in KUBECONFIG exist (${fromEnv.join(path.delimiter)}). Fix KUBECONFIG, or set ${hint} to a kubeconfig`);
      return load(existing, 'KUBECONFIG');
    }
    const home = homeDir(env);
    const homeConfig = home ? path.join(home, '.kube', 'config') : undefined;
    if (homeConfig) {
      searched.push(homeConfig);
      if (fileExists(homeConfig)) return load([homeConfig], 'home');
    }
    const root = options.inClusterRoot ?? '';
    const tokenFile = `${root}${SERVICE_ACCOUNT_DIR}/token`;
    searched.push(tokenFile);
    if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && fileExists(tokenFile)) {
      return { state: 'found', kubeconfig: Kubeconfig.inCluster(root, options) };
    }
    return none(
      `no kubeconfig found: KUBECONFIG is not set, ${homeConfig ?? '~/.kube/config'} does not exist, and this is not a pod with a service account. ` +
        `Create a kubeconfig (kind, minikube, or your cloud's get-credentials command) or set ${hint} to one; ` +
        `if kubectl works in your terminal, your shell may set KUBECONFIG, which an editor started from the desktop does not see`,
    );
  } catch (e) {
    return none(e instanceof ClusterError ? e.userMessage : `cannot load the kubeconfig: ${sanitize(e instanceof Error ? e.message : String(e))}`);
  }
}

/** {@link discoverKubeconfig}, throwing the NoKubeconfig {@link ClusterError} when there is none. */
export function loadKubeconfig(options: KubeconfigOptions = {}): Kubeconfig {
  const found = discoverKubeconfig(options);
  if (found.state === 'none') throw found.error;
  return found.kubeconfig;
}

// ---------------------------------------------------------------------------------------------
// The loaded kubeconfig

export class Kubeconfig {
  private constructor(
    private readonly template: KubeConfig,
    /** Where it came from. */
    readonly source: KubeconfigSource,
    /** The merged files, first first; empty in-cluster. */
    readonly files: readonly string[],
    private readonly options: KubeconfigOptions,
  ) {}

  /** @internal */
  static fromRaw(raw: RawConfig, source: KubeconfigSource, files: readonly string[], options: KubeconfigOptions): Kubeconfig {
    const kc = new KubeConfig();
    // Entries client-node cannot use (a cluster without server, ...) are dropped rather than fatal.
    kc.loadFromString(
      JSON.stringify({ clusters: raw.clusters, users: raw.users, contexts: raw.contexts, 'current-context': raw.currentContext }),
      { onInvalidEntry: 'filter' },
    );
    return new Kubeconfig(kc, source, files, options);
  }

  /** @internal */
  static inCluster(root: string, options: KubeconfigOptions): Kubeconfig {
    const kc = new KubeConfig();
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    const env = options.env ?? process.env;
    // loadFromCluster reads process.env; honour an injected environment.
    try {
      process.env.KUBERNETES_SERVICE_HOST = env.KUBERNETES_SERVICE_HOST;
      process.env.KUBERNETES_SERVICE_PORT = env.KUBERNETES_SERVICE_PORT;
      kc.loadFromCluster(root);
    } finally {
      restoreEnv('KUBERNETES_SERVICE_HOST', saved.host);
      restoreEnv('KUBERNETES_SERVICE_PORT', saved.port);
    }
    return new Kubeconfig(kc, 'in-cluster', [], options);
  }

  /**
   * The literal secrets of every user entry (tokens, passwords, client key and certificate
   * data, credential plugin env values and secret-looking arguments), for a log's redactor:
   * they must never be shown, whatever text they turn up in.
   */
  secretValues(): string[] {
    return kubeconfigSecrets(this.template.getUsers());
  }

  /** The current-context named by the kubeconfig (it may not exist). */
  get currentContext(): string | undefined {
    return this.template.getCurrentContext() || undefined;
  }

  contexts(): ContextInfo[] {
    return this.template.getContexts().map((c) => this.info(c));
  }

  /** A context by name (default: the current one); throws a NoContext {@link ClusterError}. */
  context(name?: string): ContextInfo {
    return this.info(this.contextObject(name));
  }

  /**
   * API access bound to one context. Each call makes a new client-node KubeConfig, so clients of
   * different contexts never share state; switching contexts means connecting again.
   */
  connect(contextName?: string): ClusterConnection {
    const ctx = this.contextObject(contextName);
    const cluster = this.template.getCluster(ctx.cluster);
    if (!cluster) {
      throw new ClusterError('NoContext', `context "${ctx.name}" refers to cluster "${ctx.cluster}", which is not in the kubeconfig${this.filesText()}. Fix the kubeconfig or choose another context`);
    }
    const user = ctx.user ? this.template.getUser(ctx.user) : null;
    const kc = new GuardedKubeConfig();
    kc.loadFromOptions({
      clusters: [{ ...cluster }],
      users: user ? [{ ...user }] : [],
      contexts: [{ ...ctx }],
      currentContext: ctx.name,
    });
    kc.guard = { context: ctx.name, user: user ?? undefined, server: cluster.server };
    kc.execCache = cacheExecCredentials(kc);
    return new ClusterConnection(kc, this.info(ctx), this.options);
  }

  private filesText(): string {
    return this.files.length ? ` (${this.files.join(', ')})` : '';
  }

  private contextObject(name?: string): Context {
    const all = this.template.getContexts();
    const names = all.map((c) => c.name);
    const available = names.length ? `available: ${names.join(', ')}` : 'it defines no contexts';
    const wanted = name ?? this.currentContext;
    if (!wanted) {
      throw new ClusterError('NoContext', `the kubeconfig${this.filesText()} sets no current-context; choose one (${available}) with netlens.context or --context`);
    }
    const found = all.find((c) => c.name === wanted);
    if (!found) {
      const how = name ? '' : ' (its current-context)';
      throw new ClusterError('NoContext', `context "${wanted}"${how} is not in the kubeconfig${this.filesText()}; ${available}`);
    }
    return found;
  }

  private info(c: Context): ContextInfo {
    const server = this.template.getCluster(c.cluster)?.server;
    return {
      name: c.name,
      cluster: c.cluster,
      user: c.user ?? '',
      namespace: c.namespace || 'default',
      namespaceExplicit: !!c.namespace,
      ...(server ? { server } : {}),
    };
  }
}

function restoreEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Credential errors

interface GuardInfo {
  context: string;
  user?: User;
  server: string;
}

interface ExecConfig {
  command?: string;
  env?: { name: string; value: string }[];
}

function execOf(user: User | undefined): ExecConfig | undefined {
  if (!user) return undefined;
  const exec: unknown = user.exec ?? (isRecord(user.authProvider) && isRecord(user.authProvider.config) ? user.authProvider.config.exec : undefined);
  return isRecord(exec) ? (exec as ExecConfig) : undefined;
}

/** The PATH a credential plugin is looked up on: its `env` override, else ours. */
export function pluginSearchPath(exec: { env?: readonly { name: string; value: string }[] } | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = exec?.env?.find((e) => e.name === 'PATH' || (process.platform === 'win32' && e.name.toUpperCase() === 'PATH'));
  return override?.value ?? env.PATH ?? env.Path ?? '';
}

/** Where `command` resolves on `searchPath`, as spawn would find it; undefined when it does not. */
export function resolveOnPath(command: string, searchPath: string): string | undefined {
  const candidates = /[\\/]/.test(command) ? [command] : searchPath.split(path.delimiter).filter((d) => d !== '').map((d) => path.join(d, command));
  const exts = process.platform === 'win32' ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  for (const c of candidates) {
    for (const ext of exts) {
      try {
        fs.accessSync(c + ext, fs.constants.X_OK);
        if (fs.statSync(c + ext).isFile()) return c + ext;
      } catch {
        // keep looking
      }
    }
  }
  return undefined;
}

function credentialError(err: unknown, g: GuardInfo, namespacesHint: string | undefined): ClusterError {
  if (err instanceof ClusterError) return err;
  const e = err as NodeJS.ErrnoException & { syscall?: string; path?: string };
  const where = ` (user "${g.user?.name ?? ''}", context "${g.context}")`;
  const exec = execOf(g.user);
  const command = exec?.command;
  if (command && typeof e?.syscall === 'string' && e.syscall.startsWith('spawn')) {
    if (e.code === 'ENOENT') {
      if (/[\\/]/.test(command)) {
        return new ClusterError('Unauthorized', `the credential plugin ${command}${where} does not exist. Fix users[].user.exec.command in the kubeconfig`, { detail: `spawn ENOENT ${command}` });
      }
      const searched = pluginSearchPath(exec);
      const lookup = process.platform === 'win32' ? `where ${command}` : `command -v ${command}`;
      return new ClusterError(
        'Unauthorized',
        `the credential plugin "${command}"${where} was not found on PATH=${searched}. An editor started from the desktop may have a shorter PATH than your shell: ` +
          `put the plugin's absolute path (from "${lookup}" in a terminal) in users[].user.exec.command of the kubeconfig`,
        { detail: `spawn ENOENT ${command}; PATH=${searched}` },
      );
    }
    if (e.code === 'EACCES') {
      return new ClusterError('Unauthorized', `the credential plugin "${command}"${where} is not executable. Fix its permissions, or users[].user.exec.command in the kubeconfig`, {
        detail: `spawn EACCES ${command}`,
      });
    }
  }
  if (typeof e?.syscall === 'string' && (e.syscall === 'open' || e.syscall === 'read') && typeof e.path === 'string') {
    return new ClusterError('NoKubeconfig', `cannot read ${e.path}, which the kubeconfig names${where} (${e.code ?? 'error'}). Fix the path in the kubeconfig`, {
      detail: `${e.syscall} ${e.code} ${e.path}`,
    });
  }
  if (command) {
    // client-node rejects with the plugin's stderr (or a JSON error for bad output): never shown.
    const bad = err instanceof SyntaxError ? ' printed no valid ExecCredential' : ' failed';
    return new ClusterError(
      'Unauthorized',
      `the credential plugin "${command}"${where}${bad}. Its output is not shown because it may hold secrets: run "kubectl --context ${g.context} get namespaces" in a terminal to see its message (you may need to log in again)`,
      { detail: `credential plugin ${command}${bad}` },
    );
  }
  if (g.user?.authProvider) {
    const name = isRecord(g.user.authProvider) && typeof g.user.authProvider.name === 'string' ? g.user.authProvider.name : 'auth-provider';
    return new ClusterError('Unauthorized', `the kubeconfig's ${name} auth provider failed${where}. Log in again, then reconnect`, { detail: `auth provider ${name} failed` });
  }
  return classifyError(err, { context: g.context, server: g.server, namespacesHint });
}

/**
 * A client key or certificate in the user entry that Node cannot parse, as a ClusterError that
 * names the field but never its content; null when there is none or it reads. A file that cannot
 * be read is left to client-node, whose error says which.
 */
function clientCredentialProblem(g: GuardInfo): ClusterError | null {
  const user = g.user;
  if (!user) return null;
  const where = `user "${user.name}", context "${g.context}"`;
  const pemOf = (data: string | undefined, file: string | undefined): Buffer | undefined => {
    if (data) return Buffer.from(data, 'base64');
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch {
      return undefined;
    }
  };
  const problem = (what: string, field: string): ClusterError =>
    new ClusterError('Unauthorized', `the ${what} of the kubeconfig (${where}) cannot be read: ${field} is not valid PEM. Fix it in the kubeconfig, or log in again with your cluster's login command`, {
      detail: `unreadable ${what}`,
    });
  const key = pemOf(user.keyData, user.keyFile);
  if (key) {
    try {
      createPrivateKey(key);
    } catch {
      return problem('client key', user.keyData ? 'client-key-data' : 'the client-key file');
    }
  }
  const cert = pemOf(user.certData, user.certFile);
  if (cert) {
    try {
      new X509Certificate(cert);
    } catch {
      return problem('client certificate', user.certData ? 'client-certificate-data' : 'the client-certificate file');
    }
  }
  return null;
}

/**
 * client-node's KubeConfig with request preparation guarded: whatever goes wrong while adding
 * credentials (a missing plugin, an unreadable certificate file) surfaces as a ClusterError.
 * A client key or certificate that does not parse fails here, before any socket: Node would
 * only notice in the TLS handshake, and inside VS Code's extension host (whose proxy support
 * wraps https agents) such a request was seen never to settle.
 */
class GuardedKubeConfig extends KubeConfig {
  guard: GuardInfo = { context: '', server: '' };
  namespacesHint?: string;
  private clientCheck: ClusterError | null | undefined;

  private checkClientCredentials(): void {
    if (this.clientCheck === undefined) this.clientCheck = clientCredentialProblem(this.guard);
    if (this.clientCheck) throw this.clientCheck;
  }
  /** Credential plugin results kept as kubectl keeps them (exec-cache.ts). */
  execCache?: ExecCredentialCache;

  override async applyToFetchOptions(opts: Parameters<KubeConfig['applyToFetchOptions']>[0]): ReturnType<KubeConfig['applyToFetchOptions']> {
    try {
      this.checkClientCredentials();
      return await super.applyToFetchOptions(opts);
    } catch (e) {
      throw credentialError(e, this.guard, this.namespacesHint);
    }
  }

  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    try {
      this.checkClientCredentials();
      await super.applyToHTTPSOptions(opts);
    } catch (e) {
      throw credentialError(e, this.guard, this.namespacesHint);
    }
  }

  override async applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
    try {
      this.checkClientCredentials();
      await super.applySecurityAuthentication(context);
    } catch (e) {
      throw credentialError(e, this.guard, this.namespacesHint);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A connection to one context

type ApiCtor<T> = new (...args: never[]) => T;

export class ClusterConnection {
  /** Set once any request succeeded: a 401 afterwards means the credentials expired. */
  hadSuccess = false;
  private readonly clients = new Map<unknown, unknown>();

  /** @internal */
  constructor(
    /** client-node's KubeConfig bound to this context (for Watch, Exec and other clients). */
    readonly kc: KubeConfig,
    readonly context: ContextInfo,
    private readonly options: KubeconfigOptions = {},
  ) {
    if (kc instanceof GuardedKubeConfig) kc.namespacesHint = options.namespacesHint;
  }

  /** A client-node API client for this context (one per class, made on first use). */
  api<T>(ctor: ApiCtor<T>): T {
    let client = this.clients.get(ctor) as T | undefined;
    if (!client) {
      client = this.kc.makeApiClient(ctor as unknown as Parameters<KubeConfig['makeApiClient']>[0]) as T;
      this.clients.set(ctor, client);
    }
    return client;
  }

  core(): CoreV1Api {
    return this.api(CoreV1Api);
  }

  networking(): NetworkingV1Api {
    return this.api(NetworkingV1Api);
  }

  authorization(): AuthorizationV1Api {
    return this.api(AuthorizationV1Api);
  }

  /**
   * Whether the local credential is already past its expiry: a bearer token that is a JWT
   * with `exp` in the past, or a client certificate past `notAfter`. Nothing is logged.
   */
  credentialExpired(now = Date.now()): boolean {
    const user = this.kc.getCurrentUser();
    if (!user) return false;
    try {
      if (user.token) {
        const parts = user.token.split('.');
        if (parts.length === 3) {
          const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
          if (typeof payload.exp === 'number' && payload.exp * 1000 < now) return true;
        }
      }
      const pem = user.certData ? Buffer.from(user.certData, 'base64') : user.certFile ? fs.readFileSync(user.certFile) : undefined;
      if (pem) {
        const cert = new X509Certificate(pem);
        if (Date.parse(cert.validTo) < now) return true;
      }
    } catch {
      // Not a JWT, not a certificate we can read: no opinion.
    }
    return false;
  }

  /** What error messages should mention about this connection. */
  errorContext(extra: Partial<ErrorContext> = {}): ErrorContext {
    return {
      context: this.context.name,
      server: this.context.server,
      hadSuccess: this.hadSuccess,
      credentialExpired: this.credentialExpired(),
      namespacesHint: this.options.namespacesHint,
      ...extra,
    };
  }

  /** Classifies an error of a request made through this connection. */
  classify(err: unknown, extra: Partial<ErrorContext> = {}): ClusterError {
    const error = classifyError(err, this.errorContext(extra));
    // The API server refused the credentials: run the credential plugin again next time.
    if ((error.kind === 'Unauthorized' || error.kind === 'Expired') && this.kc instanceof GuardedKubeConfig) this.kc.execCache?.clear();
    return error;
  }
}

export type { Cluster, Context, User };
