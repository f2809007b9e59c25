/** The kinds netlens reads, and where each workload keeps its pod template. */

/** Workload kinds and the dotted path of their pod template, relative to the object. */
export const WORKLOAD_TEMPLATE_PATHS: Readonly<Record<string, string>> = {
  Deployment: 'spec.template',
  StatefulSet: 'spec.template',
  DaemonSet: 'spec.template',
  ReplicaSet: 'spec.template',
  ReplicationController: 'spec.template',
  Job: 'spec.template',
  CronJob: 'spec.jobTemplate.spec.template',
};

export const NETLENS_KINDS: ReadonlySet<string> = new Set(['Namespace', 'Pod', 'Service', 'Node', 'NetworkPolicy', ...Object.keys(WORKLOAD_TEMPLATE_PATHS)]);

export const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';
