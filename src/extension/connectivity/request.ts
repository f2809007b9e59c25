// What a connectivity test asks, as plain data: the arguments `netlens.testConnectivity` takes
// from other code (tests, the cluster view), the request as remembered for "Run again", display
// names, and how a typed DNS name maps onto the cluster. No `vscode` and no cluster I/O here.
import { stableLabels } from '../../core/connectivity/labels';
import type { CheckOptions } from '../../core/connectivity/checks';
import type { ClusterSnapshot, Labels, Pod, Protocol, Service } from '../../core/model';
import { PROTOCOLS, podKey } from '../../core/model';
import { validateDnsName, validateHost, validatePort, type Validated } from '../../core/probe/argv';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

/** A destination as the cluster layer takes it. */
export type Destination =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'ip'; readonly ip: string };

/** A destination as a caller may give it: also a DNS name, resolved against the cluster before the test. */
export type DestinationInput = Destination | { readonly kind: 'dns'; readonly name: string; readonly ip?: string };

/** A complete test, as remembered for "Run again" (globalState) and re-runs. JSON only. */
export interface TestRequest {
  readonly context: string;
  readonly source: PodRef;
  /** The source pod's stable labels: a re-run picks another pod of the same workload when this one is gone. */
  readonly sourceLabels?: Labels;
  readonly destination: Destination;
  readonly port: number | string;
  readonly protocol?: Protocol;
  /** The name the application uses, resolved in the pod as part of the test. */
  readonly dnsName?: string;
  readonly checks?: CheckOptions;
  /** "web-api → postgres:5432", made when the test ran (see {@link requestLabel}). */
  readonly label?: string;
}

/**
 * The argument object of `netlens.testConnectivity` when another piece of code runs it: the
 * cluster view passes `{context, namespace, pod}`; tests pass everything. Missing parts are asked
 * for. `confirm: true` stands for the user's "yes" to the writes of this one test; the command
 * honours it only from code (the Command Palette passes no argument).
 */
export interface TestArgs {
  readonly context?: string;
  readonly source?: PodRef;
  readonly destination?: DestinationInput;
  readonly port?: number | string;
  readonly protocol?: Protocol;
  readonly dnsName?: string;
  readonly checks?: CheckOptions;
  readonly confirm?: boolean;
  /** With `confirm`: when Pod Security rejects the debug container, use a probe pod (with or without the source's labels). */
  readonly probePod?: { readonly copyLabels: boolean };
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** IANA_SVC_NAME, what a container port name must be. */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail<T>(message: string): Validated<T> {
  return { ok: false, message };
}

function podRef(value: unknown, what: string): Validated<PodRef> {
  if (typeof value === 'string') {
    const [namespace, name, ...rest] = value.split('/');
    if (rest.length === 0 && namespace !== undefined && name !== undefined) return podRef({ namespace, name }, what);
    return fail(`${what}: expected "namespace/name", got ${JSON.stringify(value)}`);
  }
  if (!isRecord(value) || typeof value.namespace !== 'string' || typeof value.name !== 'string') return fail(`${what}: expected {namespace, name}`);
  if (!DNS1123_LABEL.test(value.namespace) || value.namespace.length > 63) return fail(`${what}: ${JSON.stringify(value.namespace)} is not a namespace name`);
  if (!DNS1123_SUBDOMAIN.test(value.name) || value.name.length > 253) return fail(`${what}: ${JSON.stringify(value.name)} is not an object name`);
  return { ok: true, value: { namespace: value.namespace, name: value.name } };
}

/** A port as typed or passed: a number, digits, or a container/Service port name. */
export function parsePort(value: unknown): Validated<number | string> {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) return validatePort(value);
  if (typeof value === 'string' && PORT_NAME.test(value) && value.length <= 15) return { ok: true, value };
  return fail(`Port ${JSON.stringify(value)} is neither a number from 1 to 65535 nor a port name`);
}

export function parseProtocol(value: unknown): Validated<Protocol> {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  return (PROTOCOLS as readonly string[]).includes(upper) ? { ok: true, value: upper as Protocol } : fail(`Protocol ${JSON.stringify(value)} is not one of ${PROTOCOLS.join(', ')}`);
}

/** An IP address, validated as the probes validate hosts. */
export function parseIp(value: unknown): Validated<string> {
  if (typeof value !== 'string') return fail('expected an IP address');
  const host = validateHost(value);
  if (!host.ok) return host;
  return host.value.kind === 'dns' ? fail(`${JSON.stringify(value)} is a name, not an IP address`) : { ok: true, value: host.value.value };
}

function destinationInput(value: unknown): Validated<DestinationInput> {
  if (!isRecord(value)) return fail('destination: expected an object with a kind (pod, service, ip, dns)');
  switch (value.kind) {
    case 'pod':
    case 'service': {
      const ref = podRef(value, `destination ${value.kind}`);
      return ref.ok ? { ok: true, value: { kind: value.kind, ...ref.value } } : ref;
    }
    case 'ip': {
      const ip = parseIp(value.ip);
      return ip.ok ? { ok: true, value: { kind: 'ip', ip: ip.value } } : ip;
    }
    case 'dns': {
      const name = validateDnsName(String(value.name));
      if (!name.ok) return name;
      if (value.ip === undefined) return { ok: true, value: { kind: 'dns', name: name.value } };
      const ip = parseIp(value.ip);
      return ip.ok ? { ok: true, value: { kind: 'dns', name: name.value, ip: ip.value } } : ip;
    }
    default:
      return fail(`destination: unknown kind ${JSON.stringify(value.kind)} (pod, service, ip, dns)`);
  }
}

function checkOptions(value: unknown): Validated<CheckOptions> {
  if (!isRecord(value)) return fail('checks: expected an object');
  const out: { -readonly [K in keyof CheckOptions]: CheckOptions[K] } = {};
  for (const key of ['dns', 'mtu', 'sockets'] as const) {
    if (value[key] === undefined) continue;
    if (typeof value[key] !== 'boolean') return fail(`checks.${key}: expected true or false`);
    out[key] = value[key];
  }
  if (value.timeoutSeconds !== undefined) {
    if (typeof value.timeoutSeconds !== 'number') return fail('checks.timeoutSeconds: expected a number');
    out.timeoutSeconds = value.timeoutSeconds;
  }
  if (value.http === false) out.http = false;
  else if (value.http !== undefined) {
    if (!isRecord(value.http)) return fail('checks.http: expected {scheme?, path?}');
    const { scheme, path } = value.http;
    if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') return fail('checks.http.scheme: http or https');
    if (path !== undefined && typeof path !== 'string') return fail('checks.http.path: expected a string');
    out.http = { ...(scheme ? { scheme } : {}), ...(path !== undefined ? { path } : {}) };
  }
  return { ok: true, value: out };
}

/**
 * Reads the argument of `netlens.testConnectivity`. `undefined` (the Command Palette) is an empty
 * request. The cluster view's `{context, namespace, pod}` is a request with a source.
 */
export function parseTestArgs(value: unknown): Validated<TestArgs> {
  if (value === undefined || value === null) return { ok: true, value: {} };
  if (!isRecord(value)) return fail('expected an argument object');
  const out: { -readonly [K in keyof TestArgs]: TestArgs[K] } = {};
  if (value.context !== undefined) {
    if (typeof value.context !== 'string' || value.context === '') return fail('context: expected a context name');
    out.context = value.context;
  }
  if (value.source !== undefined) {
    const source = podRef(value.source, 'source');
    if (!source.ok) return source;
    out.source = source.value;
  } else if (typeof value.pod === 'string' && typeof value.namespace === 'string') {
    const source = podRef({ namespace: value.namespace, name: value.pod }, 'pod');
    if (!source.ok) return source;
    out.source = source.value;
  }
  if (value.destination !== undefined) {
    const destination = destinationInput(value.destination);
    if (!destination.ok) return destination;
    out.destination = destination.value;
  }
  if (value.port !== undefined) {
    const port = parsePort(value.port);
    if (!port.ok) return port;
    out.port = port.value;
  }
  if (value.protocol !== undefined) {
    const protocol = parseProtocol(value.protocol);
    if (!protocol.ok) return protocol;
    out.protocol = protocol.value;
  }
  if (value.dnsName !== undefined) {
    const name = validateDnsName(String(value.dnsName));
    if (!name.ok) return name;
    out.dnsName = name.value;
  }
  if (value.checks !== undefined) {
    const checks = checkOptions(value.checks);
    if (!checks.ok) return checks;
    out.checks = checks.value;
  }
  if (value.confirm !== undefined) {
    // Only the boolean true counts: a string "true" from a hand-written command link does not.
    if (typeof value.confirm !== 'boolean') return fail('confirm: expected true or false');
    out.confirm = value.confirm;
  }
  if (value.probePod !== undefined) {
    if (!isRecord(value.probePod) || typeof value.probePod.copyLabels !== 'boolean') return fail('probePod: expected {copyLabels: true|false}');
    out.probePod = { copyLabels: value.probePod.copyLabels };
  }
  return { ok: true, value: out };
}

/** A test request from the stored form, or undefined when it is not one (an older or damaged entry). */
export function asTestRequest(value: unknown): TestRequest | undefined {
  if (!isRecord(value) || typeof value.context !== 'string') return undefined;
  const args = parseTestArgs(value);
  if (!args.ok || !args.value.source || !args.value.destination || args.value.destination.kind === 'dns' || args.value.port === undefined) return undefined;
  const labels = isRecord(value.sourceLabels) && Object.values(value.sourceLabels).every((v) => typeof v === 'string') ? (value.sourceLabels as Labels) : undefined;
  const a = args.value;
  return {
    ...(typeof value.label === 'string' && value.label.length <= 200 ? { label: value.label } : {}),
    context: value.context,
    source: a.source!,
    ...(labels ? { sourceLabels: labels } : {}),
    destination: a.destination as Destination,
    port: a.port!,
    ...(a.protocol ? { protocol: a.protocol } : {}),
    ...(a.dnsName ? { dnsName: a.dnsName } : {}),
    ...(a.checks ? { checks: a.checks } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Names for people

/** What a pod is usually called: its app label, else its name. */
export function shortPodName(pod: { readonly name: string; readonly labels?: Labels }): string {
  const labels = pod.labels ?? {};
  return labels['app.kubernetes.io/name'] ?? labels.app ?? labels['k8s-app'] ?? pod.name;
}

export function destinationText(d: Destination, options: { readonly short?: boolean; readonly snapshot?: ClusterSnapshot } = {}): string {
  if (d.kind === 'ip') return d.ip;
  if (d.kind === 'service') return options.short ? d.name : `Service ${d.namespace}/${d.name}`;
  if (!options.short) return `${d.namespace}/${d.name}`;
  const pod = options.snapshot?.pods.find((p) => p.namespace === d.namespace && p.name === d.name);
  return pod ? shortPodName(pod) : d.name;
}

/** "web-api → postgres:5432", for recents, titles and notifications. */
export function requestTitle(r: TestRequest): string {
  if (r.label) return r.label;
  const source = r.sourceLabels ? shortPodName({ name: r.source.name, labels: r.sourceLabels }) : r.source.name;
  const dest = r.dnsName && r.destination.kind !== 'pod' ? r.dnsName.replace(/\.svc\.cluster\.local\.?$/, '') : destinationText(r.destination, { short: true });
  return `${source} → ${dest}:${r.port}${r.protocol && r.protocol !== 'TCP' ? `/${r.protocol}` : ''}`;
}

/** The label of a request, with the workloads' names as the snapshot knows them: "web-api → postgres:5432". */
export function requestLabel(r: TestRequest, snapshot: ClusterSnapshot): string {
  const source = snapshot.pods.find((p) => p.namespace === r.source.namespace && p.name === r.source.name);
  const dest = r.dnsName && r.destination.kind !== 'pod' ? r.dnsName.replace(/\.svc\.cluster\.local\.?$/, '') : destinationText(r.destination, { short: true, snapshot });
  return `${source ? shortPodName(source) : r.source.name} → ${dest}:${r.port}${r.protocol && r.protocol !== 'TCP' ? `/${r.protocol}` : ''}`;
}

/** The same test, for "have I run this before" (recents de-duplication). */
export function requestKey(r: TestRequest): string {
  return JSON.stringify([r.context, r.source.namespace, r.source.name, r.destination, String(r.port), r.protocol ?? '', r.dnsName ?? '']);
}

/** Adds a request to the front of the recents, without duplicates, keeping `max`. */
export function addRecent(recents: readonly TestRequest[], request: TestRequest, max = 10): TestRequest[] {
  const key = requestKey(request);
  return [request, ...recents.filter((r) => requestKey(r) !== key)].slice(0, max);
}

// ---------------------------------------------------------------------------------------------
// The cluster side of a request

/** A running pod with an IP that a test can start from. */
export function isTestablePod(p: Pod): boolean {
  return p.origin.type === 'pod' && p.phase === 'Running';
}

/**
 * The source pod, or, when it is gone (a Deployment replaced it), a running pod of the same
 * namespace with the same stable labels.
 */
export function findSource(snapshot: ClusterSnapshot, ref: PodRef, labels?: Labels): { pod: Pod; replaced?: string } | undefined {
  const pod = snapshot.pods.find((p) => p.namespace === ref.namespace && p.name === ref.name && p.origin.type === 'pod');
  if (pod) return { pod };
  const wanted = labels ? Object.entries(stableLabels(labels)) : [];
  if (wanted.length === 0) return undefined;
  const other = snapshot.pods
    .filter((p) => p.namespace === ref.namespace && isTestablePod(p) && wanted.every(([k, v]) => p.labels[k] === v))
    .sort((a, b) => a.name.localeCompare(b.name))[0];
  return other ? { pod: other, replaced: podKey(ref) } : undefined;
}

/**
 * What a DNS name typed by the user is in this cluster, as the source pod's resolver would read
 * it: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<domain>` → that Service;
 * `a-b-c-d.ns.pod[.<domain>]` → that pod IP; anything else is outside the cluster (undefined).
 */
export function resolveDnsName(snapshot: ClusterSnapshot, name: string, sourceNamespace: string): Destination | undefined {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  const service = (svc: string | undefined, ns: string | undefined): Service | undefined => snapshot.services.find((s) => s.name === svc && s.namespace === ns);
  const [first, second, third] = labels;
  let found: Service | undefined;
  if (labels.length === 1) found = service(first, sourceNamespace);
  else if (labels.length === 2) found = service(first, second);
  else if (third === 'svc') found = service(first, second);
  if (found) return { kind: 'service', namespace: found.namespace, name: found.name };
  if (labels.length >= 3 && third === 'pod' && first && /^\d{1,3}(-\d{1,3}){3}$/.test(first)) {
    const ip = parseIp(first.replace(/-/g, '.'));
    if (ip.ok) return { kind: 'ip', ip: ip.value };
  }
  return undefined;
}

/** Resolves a destination input against the snapshot; a DNS name outside the cluster needs its IP. */
export function resolveDestinationInput(
  snapshot: ClusterSnapshot,
  input: DestinationInput,
  sourceNamespace: string,
): { readonly destination: Destination; readonly dnsName?: string } | { readonly needsIp: string } {
  if (input.kind !== 'dns') return { destination: input };
  const inCluster = resolveDnsName(snapshot, input.name, sourceNamespace);
  if (inCluster) return { destination: inCluster, dnsName: input.name };
  if (input.ip) return { destination: { kind: 'ip', ip: input.ip }, dnsName: input.name };
  return { needsIp: input.name };
}
