/**
 * Which labels a generated policy selects a pod by. A pod's labels mix the workload's own
 * (`app`, `app.kubernetes.io/name`, `tier`) with ones its controller adds per revision or per
 * pod (`pod-template-hash`, `controller-revision-hash`, `statefulset.kubernetes.io/pod-name`,
 * `job-name`, ...): a selector on the latter stops matching after the next rollout, or matches
 * only one replica. Only the former are used.
 */
import type { Validated } from '../probe/argv';
import type { ClusterSnapshot, Labels, Pod } from '../model';
import { podKey } from '../model';
import { selectorMatches, selectorOf } from '../selector';

/** Label keys set by controllers per revision, per pod or per run, with why they are not used. */
const UNSTABLE_KEYS: Readonly<Record<string, string>> = {
  'pod-template-hash': 'set by the Deployment per revision: it changes on every rollout',
  'controller-revision-hash': 'set by the StatefulSet or DaemonSet per revision: it changes on every rollout',
  'pod-template-generation': 'set by the DaemonSet per generation: it changes on every rollout',
  'statefulset.kubernetes.io/pod-name': 'names one StatefulSet pod, not the workload',
  'apps.kubernetes.io/pod-index': 'numbers one StatefulSet pod, not the workload',
  'job-name': 'set per Job run: a CronJob makes a new one every time',
  'controller-uid': 'the uid of one Job run',
  'app.kubernetes.io/version': 'changes with every release',
  version: 'changes with every release',
  'helm.sh/chart': 'carries the chart version, which changes with every upgrade',
};

/** Label key prefixes set per run or per pod. */
const UNSTABLE_PREFIXES: ReadonlyArray<readonly [string, string]> = [['batch.kubernetes.io/', 'set per Job run or per Job pod']];

/** Keys that name the workload, best first. */
export const PRIMARY_LABEL_KEYS: readonly string[] = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name'];

/** Keys that narrow a workload down (instance, component, role, tier), tried in this order. */
export const REFINING_LABEL_KEYS: readonly string[] = ['app.kubernetes.io/instance', 'app.kubernetes.io/component', 'component', 'role', 'tier'];

/** Why a label key is unstable, or undefined when it is fine to select on. */
export function unstableLabelReason(key: string): string | undefined {
  const exact = UNSTABLE_KEYS[key];
  if (exact !== undefined) return exact;
  return UNSTABLE_PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1];
}

/** The labels of a pod that are safe to select on. */
export function stableLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (unstableLabelReason(k) === undefined) out[k] = v;
  return out;
}

export interface LabelChoice {
  /** The matchLabels to use. */
  readonly labels: Labels;
  /** Pods in the pod's namespace those labels select, the pod itself first. */
  readonly selected: readonly Pod[];
  /** Labels of the pod that were not used, with why. */
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
  /** Set when the labels select more than the one pod: how many, and which. */
  readonly note?: string;
}

function text(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function selectedBy(snapshot: ClusterSnapshot, pod: Pod, labels: Labels): Pod[] {
  const sel = selectorOf(labels);
  const others = snapshot.pods.filter((p) => p.namespace === pod.namespace && !p.hostNetwork && podKey(p) !== podKey(pod) && selectorMatches(sel, p.labels));
  return [pod, ...others];
}

const LIST_LIMIT = 5;

/** `app=web-api selects 3 pods in production: web-api-… (this one), web-api-…, web-api-…` */
export function selectionNote(labels: Labels, selected: readonly Pod[]): string | undefined {
  if (selected.length <= 1) return undefined;
  const [self, ...others] = selected;
  const names = others.slice(0, LIST_LIMIT).map((p) => p.name);
  const more = others.length > LIST_LIMIT ? ` and ${others.length - LIST_LIMIT} more` : '';
  return `${text(labels)} selects ${selected.length} pods in ${self!.namespace}: ${self!.name} (this one), ${names.join(', ')}${more}`;
}

/**
 * Picks the labels to select a pod by: the first workload-naming key it has
 * ({@link PRIMARY_LABEL_KEYS}), then each refining key ({@link REFINING_LABEL_KEYS}) that
 * selects fewer pods; without a naming key, every stable label. Unstable labels
 * ({@link unstableLabelReason}) are never used.
 * @param snapshot the pods to count against
 * @param pod the pod to select
 * @returns the choice, or why the pod cannot be selected by labels (it has no stable label)
 */
export function chooseStableLabels(snapshot: ClusterSnapshot, pod: Pod): Validated<LabelChoice> {
  const skipped = Object.keys(pod.labels)
    .map((key) => ({ key, reason: unstableLabelReason(key) }))
    .filter((s): s is { key: string; reason: string } => s.reason !== undefined);
  const stable = stableLabels(pod.labels);
  if (Object.keys(stable).length === 0) {
    const why = skipped.length ? ` (it has only ${skipped.map((s) => s.key).join(', ')}, which change per revision or per pod)` : '';
    return { ok: false, message: `${podKey(pod)} has no stable label to select it by${why}. Give its workload an app or app.kubernetes.io/name label first.` };
  }
  const primary = PRIMARY_LABEL_KEYS.find((k) => stable[k] !== undefined);
  let labels: Record<string, string>;
  if (primary !== undefined) {
    labels = { [primary]: stable[primary]! };
    let count = selectedBy(snapshot, pod, labels).length;
    for (const key of REFINING_LABEL_KEYS) {
      if (count <= 1) break;
      if (stable[key] === undefined) continue;
      const candidate = { ...labels, [key]: stable[key]! };
      const n = selectedBy(snapshot, pod, candidate).length;
      if (n < count) {
        labels = candidate;
        count = n;
      }
    }
  } else {
    const refining = REFINING_LABEL_KEYS.filter((k) => stable[k] !== undefined);
    labels = refining.length ? Object.fromEntries(refining.map((k) => [k, stable[k]!])) : { ...stable };
  }
  const selected = selectedBy(snapshot, pod, labels);
  const note = selectionNote(labels, selected);
  return { ok: true, value: { labels, selected, skipped, ...(note !== undefined ? { note } : {}) } };
}
