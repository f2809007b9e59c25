/**
 * Every write this folder can make to a cluster, as data (for docs/security.md and for the UI's
 * confirmation texts), and the shape of one planned write that the UI shows before asking.
 * Nothing in src/cluster/debug writes anything that is not listed here; the tests check the fake
 * API server's request log against it.
 */

/** One write a step is about to make, for the user to confirm. */
export interface PlannedChange {
  /** Which entry of {@link CLUSTER_WRITES} this is. */
  readonly write: ClusterWriteId;
  readonly verb: 'create' | 'patch' | 'delete';
  /** `pods/ephemeralcontainers`, `pods`, `networkpolicies.networking.k8s.io`. */
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  /** One sentence for the confirmation prompt. */
  readonly summary: string;
  /** True when the change outlives the test (it cannot be or is not undone). */
  readonly permanent: boolean;
  /** The exact body that will be sent, for a "show details" view. */
  readonly body?: unknown;
  /** Things the user should know before saying yes. */
  readonly warnings?: readonly string[];
}

export type ClusterWriteId =
  | 'ephemeral-container'
  | 'probe-pod'
  | 'probe-pod-delete'
  | 'node-debug-pod'
  | 'node-debug-pod-delete'
  | 'network-policy-dry-run'
  | 'network-policy';

/** A kind of write: what, when, how long it lasts and how to undo it. */
export interface ClusterWrite {
  readonly id: ClusterWriteId;
  readonly verb: 'create' | 'patch' | 'delete';
  /** Resource with subresource, and API group when not core. */
  readonly resource: string;
  /** `PATCH /api/v1/namespaces/{ns}/pods/{pod}/ephemeralcontainers` */
  readonly request: string;
  /** When netlens makes it. */
  readonly when: string;
  /** What exactly is written. */
  readonly what: string;
  /** How long it stays. */
  readonly lifetime: string;
  /** How to remove it, if it can be removed. */
  readonly undo: string;
  /** The RBAC permissions it needs. */
  readonly permissions: readonly string[];
  /** Whether the user confirms it first (every write except deleting what netlens just created). */
  readonly confirmed: boolean;
}

/** Every write src/cluster/debug can make. Reads (get, list, watch) and access reviews are not writes. */
export const CLUSTER_WRITES: readonly ClusterWrite[] = [
  {
    id: 'ephemeral-container',
    verb: 'patch',
    resource: 'pods/ephemeralcontainers',
    request: 'PATCH /api/v1/namespaces/{namespace}/pods/{pod}/ephemeralcontainers (application/strategic-merge-patch+json)',
    when: 'Test connectivity from a pod that has no running netlens debug container with the configured image.',
    what: 'Adds one ephemeral container netlens-debug-<5 random characters>: the image from the netlens.debugImage user setting, command ["sleep", "infinity"], targetContainerName = the pod\'s first container, terminationMessagePolicy File, no added capabilities (with the restricted profile: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp). Later tests exec in it again instead of adding another.',
    lifetime: 'Until the pod is deleted or replaced: Kubernetes cannot remove or restart ephemeral containers. Its sleep process keeps running (no CPU, a few hundred KB of memory).',
    undo: 'None short of replacing the pod (for a Deployment: kubectl rollout restart).',
    permissions: ['patch pods/ephemeralcontainers', 'get pods', 'watch pods', 'create pods/exec', 'get pods/exec'],
    confirmed: true,
  },
  {
    id: 'probe-pod',
    verb: 'create',
    resource: 'pods',
    request: 'POST /api/v1/namespaces/{namespace}/pods',
    when: 'Fallback when Pod Security admission rejects the ephemeral container: a short-lived probe pod in the source namespace.',
    what: 'A pod netlens-probe-<5 random characters>: the debug image, command ["sleep", "<deadline>"], restartPolicy Never, activeDeadlineSeconds (default 600), no service account token, on the source pod\'s node, owned by the source pod (so no controller adopts it and the garbage collector removes it with the source pod). Optionally with the source pod\'s stable labels (then it sits behind the same Services and policies).',
    lifetime: 'Deleted when the test ends, also on failure or cancellation; if netlens dies first, it fails at activeDeadlineSeconds and is removed with the source pod.',
    undo: 'kubectl delete pod netlens-probe-… -n {namespace}',
    permissions: ['create pods', 'delete pods', 'get pods', 'watch pods', 'create pods/exec', 'get pods/exec'],
    confirmed: true,
  },
  {
    id: 'probe-pod-delete',
    verb: 'delete',
    resource: 'pods',
    request: 'DELETE /api/v1/namespaces/{namespace}/pods/netlens-probe-… (gracePeriodSeconds 0)',
    when: 'At the end of a test that created a probe pod.',
    what: 'Deletes only the probe pod netlens created.',
    lifetime: '-',
    undo: '-',
    permissions: ['delete pods'],
    confirmed: false,
  },
  {
    id: 'node-debug-pod',
    verb: 'create',
    resource: 'pods',
    request: 'POST /api/v1/namespaces/{namespace}/pods',
    when: 'Only on request, after its own confirmation: reading a node\'s conntrack table when the policies allow a connection that times out.',
    what: 'A privileged pod netlens-node-debug-<5 random characters> pinned to the node (nodeName), hostNetwork, tolerating every taint, restartPolicy Never, activeDeadlineSeconds (default 120), no service account token; it runs cat of /proc/sys/net/netfilter/nf_conntrack_count and nf_conntrack_max, and dmesg.',
    lifetime: 'Deleted when the read ends, also on failure or cancellation; otherwise it fails at activeDeadlineSeconds.',
    undo: 'kubectl delete pod netlens-node-debug-… -n {namespace}',
    permissions: ['create pods', 'delete pods', 'get pods', 'watch pods', 'create pods/exec', 'get pods/exec', 'a namespace whose Pod Security level is privileged'],
    confirmed: true,
  },
  {
    id: 'node-debug-pod-delete',
    verb: 'delete',
    resource: 'pods',
    request: 'DELETE /api/v1/namespaces/{namespace}/pods/netlens-node-debug-… (gracePeriodSeconds 0)',
    when: 'At the end of a conntrack read.',
    what: 'Deletes only the node debug pod netlens created.',
    lifetime: '-',
    undo: '-',
    permissions: ['delete pods'],
    confirmed: false,
  },
  {
    id: 'network-policy-dry-run',
    verb: 'create',
    resource: 'networkpolicies.networking.k8s.io',
    request: 'POST /apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies?dryRun=All',
    when: 'Applying a generated fix, before the real create: validation and admission run, nothing is stored.',
    what: 'The generated NetworkPolicy, validated only.',
    lifetime: 'Nothing is stored.',
    undo: '-',
    permissions: ['create networkpolicies.networking.k8s.io'],
    confirmed: true,
  },
  {
    id: 'network-policy',
    verb: 'create',
    resource: 'networkpolicies.networking.k8s.io',
    request: 'POST /apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies',
    when: 'Applying a generated fix the user confirmed. Only NetworkPolicy documents are accepted; an existing policy of the same name is never overwritten.',
    what: 'The generated NetworkPolicy exactly as shown.',
    lifetime: 'Permanent.',
    undo: 'kubectl delete networkpolicy {name} -n {namespace}',
    permissions: ['create networkpolicies.networking.k8s.io'],
    confirmed: true,
  },
];
