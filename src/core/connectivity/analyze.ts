/**
 * The whole pure part of a connectivity test in one call: parse the runs, classify them, ask the
 * engine, compare. The cluster layer runs the checks; the editor and the CLI render the result.
 */
import { endpointName, explain, resolveQueryPort, type Endpoint, type ResolvedPort, type Verdict } from '../engine/explain';
import type { ClusterSnapshot, Pod, Protocol, Service } from '../model';
import { podKey } from '../model';
import type { Validated } from '../probe/argv';
import { selectorMatches, selectorOf } from '../selector';
import { parseChecks, type CheckRun, type ConnectivityTarget, type ParsedChecks } from './checks';
import { classify, type Classification } from './classify';
import { compare, type Diagnosis } from './compare';

export interface AnalysisInput {
  readonly snapshot: ClusterSnapshot;
  readonly source: Pod;
  /** A pod, or an address outside the cluster. */
  readonly destination: Endpoint;
  /** A number, or the name of one of the destination pod's container ports. */
  readonly port: number | string;
  readonly protocol?: Protocol;
  /** The runs of the checks from the source. */
  readonly runs: readonly CheckRun[];
  /** The node conntrack checks, when a node debug pod read them. */
  readonly conntrack?: { readonly node: string; readonly runs: readonly CheckRun[] };
}

export interface ConnectivityAnalysis {
  readonly port: ResolvedPort;
  readonly parsed: ParsedChecks;
  readonly classification: Classification;
  readonly verdict: Verdict;
  readonly diagnosis: Diagnosis;
}

/**
 * Parses, classifies and compares one connectivity test.
 * @returns the analysis, or why the port cannot be resolved
 */
export function analyzeConnectivity(input: AnalysisInput): Validated<ConnectivityAnalysis> {
  const port = resolveQueryPort(input.destination, input.port, input.protocol);
  if ('error' in port) return { ok: false, message: port.error };
  const parsed = {
    ...parseChecks(input.runs),
    ...(input.conntrack ? { conntrack: parseChecks(input.conntrack.runs, { node: input.conntrack.node }).conntrack } : {}),
  };
  const classification = classify(parsed);
  const verdict = explain(input.snapshot, { kind: 'pod', pod: input.source }, input.destination, port);
  const destination = input.destination.kind === 'pod' ? input.destination.pod : undefined;
  const diagnosis = compare({ classification, verdict, snapshot: input.snapshot, source: input.source, ...(destination ? { destination } : {}), parsed });
  return { ok: true, value: { port, parsed, classification, verdict, diagnosis } };
}

/**
 * What the probes connect to for a destination pod: its first IP and the resolved port number.
 * @param destination the destination pod (or an external address)
 * @param port a number or the name of a container port of the pod
 * @param opts `dnsName`: the name the application uses (resolved by the DNS check)
 */
export function podTarget(destination: Endpoint, port: number | string, opts: { readonly protocol?: Protocol; readonly dnsName?: string } = {}): Validated<ConnectivityTarget> {
  const resolved = resolveQueryPort(destination, port, opts.protocol);
  if ('error' in resolved) return { ok: false, message: resolved.error };
  const host = destination.kind === 'pod' ? destination.pod.ips[0] : endpointName(destination);
  if (host === undefined) return { ok: false, message: `${endpointName(destination)} has no IP yet (it is not running), so nothing can connect to it.` };
  return { ok: true, value: { host, port: resolved.port, protocol: resolved.protocol, ...(opts.dnsName ? { dnsName: opts.dnsName } : {}) } };
}

/** One backend of a Service port: the pod and the container port the Service forwards to. */
export interface ServiceBackend {
  readonly pod: Pod;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * What a Service port leads to: the probes connect to the Service (its cluster IP and DNS name),
 * NetworkPolicy applies to the backend pods after the Service's address translation, on the
 * target port.
 * @param snapshot the cluster
 * @param service the Service
 * @param port the Service port (number or name)
 */
export function serviceTarget(
  snapshot: ClusterSnapshot,
  service: Service,
  port: number | string,
  clusterDomain = 'cluster.local',
): Validated<{ readonly target: ConnectivityTarget; readonly backends: readonly ServiceBackend[] }> {
  const sp = service.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
  if (!sp) return { ok: false, message: `Service ${service.namespace}/${service.name} has no port ${port}; it has ${service.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}`).join(', ') || 'none'}.` };
  const host = service.clusterIPs.find((ip) => ip !== 'None');
  if (host === undefined) return { ok: false, message: `Service ${service.namespace}/${service.name} has no cluster IP (headless): test a pod behind it instead.` };
  const pods = service.selector ? snapshot.pods.filter((p) => p.namespace === service.namespace && selectorMatches(selectorOf(service.selector!), p.labels) && p.ips.length > 0) : [];
  const backends: ServiceBackend[] = [];
  for (const pod of pods) {
    const target = typeof sp.targetPort === 'number' ? sp.targetPort : pod.ports.find((cp) => cp.name === sp.targetPort && cp.protocol === sp.protocol)?.containerPort;
    if (target !== undefined) backends.push({ pod, port: target, protocol: sp.protocol });
  }
  backends.sort((a, b) => podKey(a.pod).localeCompare(podKey(b.pod)));
  return {
    ok: true,
    value: { target: { host, port: sp.port, protocol: sp.protocol, dnsName: `${service.name}.${service.namespace}.svc.${clusterDomain}` }, backends },
  };
}
