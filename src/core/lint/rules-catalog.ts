/**
 * Every finding code netlens can emit, with its documentation. The CLI's SARIF
 * driver, `docs/rules.md` and the editor's diagnostics all read this one table;
 * a test checks that every code the loader and the lint rules emit is listed here.
 */
import type { Severity } from '../model';

export interface RuleDoc {
  readonly title: string;
  readonly description: string;
  readonly help: string;
  readonly severity: Severity;
  /** `lint`: a policy rule (configurable); `input`: the loader's reading and API validation. */
  readonly kind: 'lint' | 'input';
}

export const RULES: Readonly<Record<string, RuleDoc>> = {
  'cidr-host-bits': {
    kind: 'lint', severity: 'warning',
    title: 'CIDR has host bits set',
    description: 'An ipBlock CIDR such as 10.20.30.40/24 has bits set below its prefix. The API server masks them, so it means 10.20.30.0/24: 256 addresses, not one.',
    help: 'Write /32 (IPv4) or /128 (IPv6) for the one host, or the masked network if the whole range was meant. Quick fixes offer both.',
  },
  'cidr-too-broad': {
    kind: 'lint', severity: 'warning',
    title: 'CIDR broader than intended',
    description: 'An ipBlock admits more addresses than a configurable threshold (default: broader than /24 for IPv4, /64 for IPv6), 0.0.0.0/0 or ::/0 as an ingress source, or a range in the pod network with exactly one known pod inside (the /24 typed for a /32).',
    help: 'Narrow the range to the addresses that need access; prefer pod and namespace selectors for pods, since pod IPs change. Set netlens.lint.broadPrefixV4/V6 to change the threshold.',
  },
  'except-outside-cidr': {
    kind: 'input', severity: 'error',
    title: 'except range outside its cidr',
    description: 'Every except entry of an ipBlock must be a strict subset of its cidr; the API server rejects the policy otherwise.',
    help: 'Remove the except entry, or fix its address so it lies inside the cidr.',
  },
  'peer-and-or-confusion': {
    kind: 'lint', severity: 'warning',
    title: 'Two peers (OR) where one peer (AND) was likely meant',
    description: 'A from/to list holds a peer with only namespaceSelector next to a peer with only podSelector. Separate list items are ORed: every pod of those namespaces, or those pods in the policy namespace. One item with both selectors means those pods in those namespaces.',
    help: 'If you meant the pods in those namespaces, remove the dash before podSelector so both selectors belong to one peer. The quick fix does that.',
  },
  'egress-blocks-dns': {
    kind: 'lint', severity: 'warning',
    title: 'Egress isolated without DNS',
    description: 'Pods selected for egress can only send what an egress rule allows. Without port 53 on UDP and TCP to the cluster DNS, every name lookup times out.',
    help: 'Add an egress rule allowing UDP and TCP 53 to kube-dns in kube-system. The quick fix adds it.',
  },
  'policytypes-missing-egress': {
    kind: 'lint', severity: 'warning',
    title: 'Egress rules ignored: policyTypes lacks Egress',
    description: 'policyTypes is written and does not list Egress, so the egress rules have no effect.',
    help: 'Add Egress to policyTypes (the quick fix does), remembering that the selected pods then need DNS allowed.',
  },
  'policytypes-missing-ingress': {
    kind: 'lint', severity: 'warning',
    title: 'Ingress rules ignored: policyTypes lacks Ingress',
    description: 'policyTypes is written and does not list Ingress, so the ingress rules have no effect.',
    help: 'Add Ingress to policyTypes. The quick fix does.',
  },
  'named-port-unresolved': {
    kind: 'lint', severity: 'warning',
    title: 'Named port declared by no destination pod',
    description: 'A named port resolves on the destination pods, with its protocol. When none of them declares a container port of that name and protocol, the entry admits nothing.',
    help: 'Use the name the pods declare (or its number), or add the port to the pods. Only checked when pod data is known.',
  },
  'selector-matches-nothing': {
    kind: 'lint', severity: 'warning',
    title: 'Selector matches nothing known',
    description: 'A podSelector or namespaceSelector matches no pod or namespace in the known data (workspace manifests or the live cluster). Often a typo in a label.',
    help: 'Check the label keys and values against the pods. Only reported when data for that namespace is known; the message says which data was used.',
  },
  'service-port-not-target-port': {
    kind: 'lint', severity: 'warning',
    title: "Service port used where the pod's port is needed",
    description: "NetworkPolicy sees connections after Service translation, on the pod's port (the Service's targetPort). A rule naming the Service port admits nothing when the two differ.",
    help: "Use the targetPort (the pod's container port). The quick fix replaces it.",
  },
};
