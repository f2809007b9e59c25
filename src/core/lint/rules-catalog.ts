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
  'yaml-syntax': {
    kind: 'input', severity: 'error',
    title: 'Invalid YAML or JSON',
    description: "The file (or one document in it) is not valid YAML or JSON. The other documents and files still load.",
    help: "Fix the syntax at the reported position; the message is the parser's.",
  },
  'yaml-warning': {
    kind: 'input', severity: 'warning',
    title: 'Questionable YAML',
    description: "The YAML parser accepted the text but warned about it (for example a deprecated form).",
    help: "Follow the message; the object still loads.",
  },
  'yaml-tab-indent': {
    kind: 'input', severity: 'error',
    title: 'Tab used for indentation',
    description: "YAML forbids tabs for indentation; editors that insert tabs break manifests silently.",
    help: "Replace the tabs with spaces.",
  },
  'yaml-alias-limit': {
    kind: 'input', severity: 'error',
    title: 'Too many YAML aliases',
    description: "The document expands more aliases than allowed (a \"billion laughs\" document). It is not read, so it cannot hang the editor or the CLI.",
    help: "Remove the aliases, or write the values out.",
  },
  'too-deep': {
    kind: 'input', severity: 'error',
    title: 'Nesting too deep',
    description: "The document nests deeper than the loader allows; it is skipped so it cannot exhaust the stack.",
    help: "Manifests are never this deep: check that the file is what you meant to open.",
  },
  'helm-template': {
    kind: 'input', severity: 'info',
    title: 'Helm or Go template',
    description: "The document holds {{ ... }} template expressions; it is not a manifest until rendered, so it is skipped.",
    help: "Render it (helm template ... > rendered.yaml) and lint the output.",
  },
  'binary-file': {
    kind: 'input', severity: 'warning',
    title: 'Binary file',
    description: "The file holds NUL bytes; it is not a text manifest and is skipped.",
    help: "Exclude it from the inputs.",
  },
  'invalid-utf8': {
    kind: 'input', severity: 'warning',
    title: 'Not UTF-8',
    description: "The file has bytes that are not valid UTF-8; they are read as replacement characters and the rest loads.",
    help: "Save the file as UTF-8.",
  },
  'file-too-large': {
    kind: 'input', severity: 'warning',
    title: 'File too large',
    description: "The file is larger than the configured limit and is skipped.",
    help: "Split it, or raise the limit.",
  },
  'duplicate-key': {
    kind: 'input', severity: 'warning',
    title: 'Duplicate key',
    description: "A mapping repeats a key. The API server keeps the last value (and so does netlens), but kubectl's strict field validation rejects the object.",
    help: "Remove one of them.",
  },
  'duplicate-object': {
    kind: 'input', severity: 'warning',
    title: 'Object defined twice',
    description: "Two documents define the same object; the later one wins, as kubectl apply in order would.",
    help: "Keep one definition.",
  },
  'wrong-type': {
    kind: 'input', severity: 'error',
    title: 'Wrong type',
    description: "A field has the wrong type (a string where a list belongs, a number as a label value, ...). The API server rejects the object.",
    help: "Use the type the message names; quote label values such as \"1\", \"true\" or \"no\".",
  },
  'missing-field': {
    kind: 'input', severity: 'error',
    title: 'Required field missing',
    description: "A field the API requires is missing.",
    help: "Add it; the message gives an example.",
  },
  'unknown-field': {
    kind: 'input', severity: 'error',
    title: 'Unknown field',
    description: "A NetworkPolicy field is not part of networking.k8s.io/v1 (often a typo such as podselector); the API server rejects it with strict validation, and a lenient one would drop it silently.",
    help: "Use the suggested field name.",
  },
  'unsupported-api-version': {
    kind: 'input', severity: 'warning',
    title: 'Unsupported apiVersion',
    description: "The object uses an apiVersion netlens does not read (for NetworkPolicy, only networking.k8s.io/v1 exists).",
    help: "Use the current apiVersion.",
  },
  'invalid-cidr': {
    kind: 'input', severity: 'error',
    title: 'Invalid CIDR',
    description: "An ipBlock cidr or except is not a valid CIDR (a prefix longer than /32 or /128, a bad address, no prefix). The API server rejects the policy.",
    help: "Write an address and a prefix, such as 10.0.0.0/16 or 10.0.0.5/32.",
  },
  'invalid-ip': {
    kind: 'input', severity: 'error',
    title: 'Invalid IP address',
    description: "A pod, service or node address is not an IPv4 or IPv6 address.",
    help: "Fix the address.",
  },
  'invalid-port': {
    kind: 'input', severity: 'error',
    title: 'Invalid port',
    description: "A port is out of range (1 to 65535), not a whole number, or a name that is not a valid IANA service name (at most 15 lowercase letters, digits and hyphens, with a letter). The API server rejects the policy.",
    help: "Use a number from 1 to 65535 or a container port name.",
  },
  'invalid-end-port': {
    kind: 'input', severity: 'error',
    title: 'Invalid endPort',
    description: "endPort needs a numeric port, must not be below it, and must be at most 65535. The API server rejects the policy otherwise.",
    help: "Give a numeric port no greater than endPort.",
  },
  'invalid-protocol': {
    kind: 'input', severity: 'error',
    title: 'Unknown protocol',
    description: "The protocol is not TCP, UDP or SCTP (they are case-sensitive). The API server rejects the policy.",
    help: "Use TCP, UDP or SCTP.",
  },
  'invalid-selector': {
    kind: 'input', severity: 'error',
    title: 'Invalid label selector',
    description: "A matchExpressions operator is not In, NotIn, Exists or DoesNotExist, In/NotIn has no values, or Exists/DoesNotExist has values. The API server rejects the policy.",
    help: "Fix the operator or its values.",
  },
  'invalid-label': {
    kind: 'input', severity: 'error',
    title: 'Invalid label',
    description: "A label key or value breaks the Kubernetes syntax rules (length, characters). The API server rejects the object.",
    help: "Follow the message; values are at most 63 characters of letters, digits, \"-\", \"_\" and \".\".",
  },
  'empty-label-value': {
    kind: 'input', severity: 'warning',
    title: 'Label without a value',
    description: "A label is written without a value; the API server stores the empty string.",
    help: "Write key: \"\" if that is meant.",
  },
  'invalid-peer': {
    kind: 'input', severity: 'error',
    title: 'Invalid peer',
    description: "A from/to entry is empty, or mixes ipBlock with selectors. The API server rejects the policy.",
    help: "Give each peer either an ipBlock or selectors.",
  },
  'invalid-policy-type': {
    kind: 'input', severity: 'error',
    title: 'Invalid policyTypes value',
    description: "policyTypes may only hold Ingress and Egress.",
    help: "Use Ingress and/or Egress.",
  },
  'empty-rule': {
    kind: 'input', severity: 'warning',
    title: 'Empty rule',
    description: "A rule written as a bare dash (null) is read as {}: it allows all traffic in that direction.",
    help: "Write \"- {}\" if that is meant, or add from/to and ports.",
  },
  'missing-pod-selector': {
    kind: 'input', severity: 'warning',
    title: 'podSelector missing',
    description: "spec.podSelector is missing or null; the API server reads it as {}, selecting every pod in the namespace.",
    help: "Write \"podSelector: {}\" to say so, or select fewer pods.",
  },
  'invalid-name': {
    kind: 'input', severity: 'warning',
    title: 'Invalid object name',
    description: "The name would be rejected by the API server (not a DNS-1123 subdomain or label). The object is still analysed.",
    help: "Use lowercase letters, digits, \"-\" and \".\".",
  },
  'namespace-name-label': {
    kind: 'input', severity: 'warning',
    title: 'Wrong kubernetes.io/metadata.name label',
    description: "The API server always sets kubernetes.io/metadata.name to the namespace name, replacing another value.",
    help: "Remove the label or make it match the name.",
  },
  'namespace-inferred': {
    kind: 'input', severity: 'info',
    title: 'Namespace inferred',
    description: "Objects live in a namespace no file defines; netlens infers it with only its kubernetes.io/metadata.name label, so namespaceSelectors on other labels will not match it.",
    help: "Add the Namespace manifest (with its labels) to the inputs.",
  },
  'other-policy-kind': {
    kind: 'input', severity: 'warning',
    title: 'Other network policy kind',
    description: "The file holds a Calico, Cilium or AdminNetworkPolicy object. Such policies also filter traffic, and netlens does not model them: its verdicts cover Kubernetes NetworkPolicy only.",
    help: "Keep this in mind when a verdict and reality disagree.",
  },
  'not-used': {
    kind: 'input', severity: 'hint',
    title: 'Objects netlens does not use',
    description: "The file holds kinds netlens does not read (ConfigMap, Secret, ...).",
    help: "Nothing to do.",
  },
  'internal-error': {
    kind: 'input', severity: 'error',
    title: 'Internal error',
    description: "netlens failed on this file. The other files still load.",
    help: "Please report it with the file.",
  },
};
