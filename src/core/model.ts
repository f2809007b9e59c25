/**
 * The data model every layer speaks: plain objects, no classes, no I/O.
 *
 * Objects loaded from files carry a {@link SourceRef}; objects from a live cluster
 * or a synthetic generator carry none. Everything here is already validated and
 * normalised (protocol defaulted to TCP, host bits masked, policyTypes defaulted):
 * the raw text is never re-read by the engine.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export type Labels = Readonly<Record<string, string>>;

/** A zero-based position, as the editor and LSP count (UTF-16 code units). */
export interface Position {
  readonly line: number;
  readonly character: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** Where a node of a manifest came from. */
export interface SourceLocation {
  /** Path as given to the loader (relative or absolute), or a URI string from the editor. */
  readonly file: string;
  /** Zero-based index of the YAML document inside the file. */
  readonly doc: number;
  readonly range: Range;
}

/**
 * The source of one loaded object: its whole range plus the range of every key and
 * value below it, addressed by a dotted path relative to the object
 * (`spec.ingress.0.from.1.podSelector`). `""` is the object itself.
 */
export interface SourceRef {
  readonly file: string;
  readonly doc: number;
  readonly range: Range;
  /** Looks up the key and value ranges of a path; undefined when the path is not in the text. */
  readonly at: (path: string) => { key?: Range; value: Range } | undefined;
}

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values: readonly string[];
}

/** A metav1.LabelSelector. `{}` (no requirements) selects everything. */
export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

export interface Namespace {
  readonly kind: 'Namespace';
  readonly name: string;
  /** Always includes `kubernetes.io/metadata.name`, as the API server sets it. */
  readonly labels: Labels;
  /** True when no Namespace object was loaded and this one was inferred from a reference. */
  readonly inferred: boolean;
  readonly source?: SourceRef;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
  /** Container the port belongs to (for explanations). */
  readonly container?: string;
}

export type PodOrigin =
  | { readonly type: 'pod' }
  /** A pod-to-be from a workload's template (Deployment, StatefulSet, ...). It has no IP. */
  | { readonly type: 'workload'; readonly kind: string; readonly name: string };

export interface Pod {
  readonly kind: 'Pod';
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** Pod IPs (status.podIPs, else status.podIP). Empty for workload pods and pending pods. */
  readonly ips: readonly string[];
  readonly ports: readonly ContainerPort[];
  /** hostNetwork pods use the node's network namespace; NetworkPolicy does not isolate them. */
  readonly hostNetwork: boolean;
  readonly nodeName?: string;
  readonly phase?: string;
  readonly origin: PodOrigin;
  readonly source?: SourceRef;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** Number or container port name; defaults to `port`. */
  readonly targetPort: number | string;
  readonly protocol: Protocol;
}

export interface Service {
  readonly kind: 'Service';
  readonly namespace: string;
  readonly name: string;
  /** Undefined for a Service without a selector (manually managed endpoints). */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  readonly clusterIPs: readonly string[];
  readonly type?: string;
  readonly source?: SourceRef;
}

export interface Node {
  readonly kind: 'Node';
  readonly name: string;
  readonly labels: Labels;
  /** InternalIP/ExternalIP addresses. */
  readonly addresses: readonly string[];
  readonly podCIDRs: readonly string[];
  readonly source?: SourceRef;
}

/** A parsed, normalised CIDR (see cidr.ts). */
export interface Cidr {
  readonly family: 4 | 6;
  /** Network address with host bits cleared, as a bigint over 32 or 128 bits. */
  readonly network: bigint;
  readonly prefix: number;
  /** The text as written. */
  readonly text: string;
  /** True when the text had host bits set (the API server masks them). */
  readonly hostBitsSet: boolean;
}

export interface PolicyPort {
  /** Defaults to TCP when absent in the manifest. */
  readonly protocol: Protocol;
  /** Absent: every port of the protocol. A string is a named container port. */
  readonly port?: number | string;
  /** Inclusive upper bound; only with a numeric port. */
  readonly endPort?: number;
  /** Dotted path of this entry inside the policy, for source ranges. */
  readonly path: string;
}

export type PolicyPeer =
  | {
      readonly type: 'selector';
      /** Absent: the policy's own namespace (unless namespaceSelector is set: then every pod). */
      readonly podSelector?: LabelSelector;
      /** Absent: the policy's own namespace. `{}`: every namespace. */
      readonly namespaceSelector?: LabelSelector;
      readonly path: string;
    }
  | {
      readonly type: 'ipBlock';
      readonly cidr: Cidr;
      readonly except: readonly Cidr[];
      readonly path: string;
    };

export interface PolicyRule {
  /**
   * Peers of the rule (`from` for ingress, `to` for egress).
   * Empty means the field was absent or empty: every source/destination.
   */
  readonly peers: readonly PolicyPeer[];
  /** Empty means every port and protocol. */
  readonly ports: readonly PolicyPort[];
  readonly path: string;
}

export type PolicyType = 'Ingress' | 'Egress';

export interface NetworkPolicy {
  readonly kind: 'NetworkPolicy';
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  /** Effective policy types (defaulted as the API server does when absent). */
  readonly policyTypes: readonly PolicyType[];
  /** Whether `policyTypes` was written in the manifest. */
  readonly policyTypesExplicit: boolean;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  /**
   * Set when the API server would reject this policy. An invalid policy never takes
   * part in a verdict; the engine reports it as such.
   */
  readonly invalid?: readonly string[];
  readonly source?: SourceRef;
}

/** Everything the engine and the lint rules look at. */
export interface ClusterSnapshot {
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  readonly nodes: readonly Node[];
  readonly policies: readonly NetworkPolicy[];
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A problem found in input or by a lint rule. Plain data; the editor maps it to a Diagnostic. */
export interface Finding {
  /** Stable rule id, e.g. `yaml-syntax`, `cidr-host-bits`. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly range: Range;
  /** The object the finding is about, as `Kind namespace/name`, when known. */
  readonly object?: string;
}

export function podKey(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

export function emptySnapshot(): ClusterSnapshot {
  return { namespaces: [], pods: [], services: [], nodes: [], policies: [] };
}
