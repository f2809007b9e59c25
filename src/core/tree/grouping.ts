/**
 * Which group a pod of a large namespace is listed under: the first application label it has,
 * else its owner's name read from the pod name the way controllers build it, else "other".
 */
import type { Pod } from '../model';

/** Labels that name the application, most specific first. */
export const APP_LABELS: readonly string[] = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/component', 'component'];

export const OTHER_GROUP = 'other';

/**
 * `app=web`, `owner web-api` (Deployment `web-api-7d9f8b6c5d-x2k4q`, StatefulSet `db-0`,
 * DaemonSet or Job `agent-x7k2p`), or `other`.
 */
export function groupOf(pod: Pod): string {
  for (const key of APP_LABELS) {
    const value = pod.labels[key];
    if (value !== undefined && value !== '') return `${key}=${value}`;
  }
  const owner =
    /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/.exec(pod.name) ?? // Deployment → ReplicaSet → pod
    /^(.+)-\d+$/.exec(pod.name) ?? // StatefulSet
    /^(.+)-[a-z0-9]{5}$/.exec(pod.name); // DaemonSet, Job, ReplicaSet
  return owner ? `owner ${owner[1]}` : OTHER_GROUP;
}
