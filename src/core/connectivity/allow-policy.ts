/**
 * The narrow fix of the seed incident: instead of deleting a default deny, add the one
 * exception the connection needs. An ingress policy on the destination admitting the source's
 * pods on the one port, and an egress policy on the source when the source is isolated for
 * egress too. Each selects by stable labels only (see labels.ts) and says in its comment header
 * what it allows and what else it selects.
 */
import { explain, resolveQueryPort, type Verdict } from '../engine/explain';
import { parseManifestText } from '../manifest/load';
import type { Labels, NetworkPolicy, Pod, Protocol, ClusterSnapshot } from '../model';
import { podKey } from '../model';
import type { Validated } from '../probe/argv';
import { chooseStableLabels, type LabelChoice } from './labels';
import { toYaml } from './yaml-text';

export interface GeneratedPolicy {
  readonly direction: 'ingress' | 'egress';
  readonly namespace: string;
  readonly name: string;
  /** What it allows, one sentence. */
  readonly description: string;
  /** The manifest as the API takes it (JSON). */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** The document alone, with its comment header. */
  readonly yaml: string;
}

export interface GeneratedPolicies {
  /** `namespace/name` of the source and destination pods. */
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** The destination's name for the port, when it declares one. */
  readonly portName?: string;
  /** The engine's verdict before the fix. */
  readonly before: Verdict;
  /** True when the engine already allows the path; then there are no policies. */
  readonly alreadyAllowed: boolean;
  readonly policies: readonly GeneratedPolicy[];
  /** Every document, `---` separated: what to show, save or apply. */
  readonly yaml: string;
  /** The pseudo-file name the models' source ranges refer to. */
  readonly file: string;
  /** The policies read back from {@link yaml} by the manifest loader, with source ranges into it. */
  readonly models: readonly NetworkPolicy[];
  readonly sourceLabels: LabelChoice;
  readonly destinationLabels: LabelChoice;
  /** Why each choice was made (labels, numeric port, which side needs a policy). */
  readonly notes: readonly string[];
}

export interface GenerateOptions {
  /** The pseudo-file name for the models' source ranges (default `netlens-fix/<first policy name>.yaml`). */
  readonly file?: string;
}

const MAX_NAME = 63;

function labelsText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** A DNS-label-safe short name for a pod: its main label's value, else its name without hashes. */
function shortName(pod: Pod, choice: LabelChoice): string {
  const value = Object.values(choice.labels)[0];
  const base = value ?? pod.name.replace(/(-[a-z0-9]{8,10})?-[a-z0-9]{5}$/, '').replace(/-\d+$/, '');
  return base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '') || 'pod';
}

function policyName(parts: { from: string; to: string; port: number; protocol: Protocol; egress: boolean }, taken: ReadonlySet<string>): string {
  const suffix = `-${parts.port}${parts.protocol === 'TCP' ? '' : `-${parts.protocol.toLowerCase()}`}`;
  const middle = parts.egress ? '-egress-to-' : '-to-';
  const room = MAX_NAME - 'allow-'.length - middle.length - suffix.length - 3; // 3: room for a "-N" de-duplication
  let from = parts.from;
  let to = parts.to;
  while (from.length + to.length > room) {
    if (from.length >= to.length) from = from.slice(0, -1);
    else to = to.slice(0, -1);
  }
  const base = `allow-${from.replace(/-$/, '')}${middle}${to.replace(/-$/, '')}${suffix}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

/** The peer selecting `pod` from a policy in `policyNamespace`: pod labels, plus its namespace when it differs. */
function peer(pod: Pod, labels: Labels, policyNamespace: string): Record<string, unknown> {
  const podSelector = { matchLabels: { ...labels } };
  if (pod.namespace === policyNamespace) return { podSelector };
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': pod.namespace } }, podSelector };
}

function isolationText(v: Verdict['ingress']): string {
  return v.policies.map((p) => `${p.namespace}/${p.name}`).join(', ');
}

/**
 * Generates the narrow allow policies for `source → destination` on one port.
 *
 * - Ingress, in the destination's namespace, when the destination is isolated for ingress and no
 *   rule admits the source. A destination that is not isolated gets none: a new ingress policy
 *   would isolate it and cut every other client off.
 * - Egress, in the source's namespace, when the source is isolated for egress and no rule
 *   admits the destination.
 * - Peers select by stable labels (never `pod-template-hash` and the like), with a
 *   namespaceSelector on `kubernetes.io/metadata.name` when the namespaces differ; the port is
 *   written as a number.
 * @param snapshot the cluster as the engine sees it
 * @param source the client pod
 * @param destination the server pod
 * @param port a number, or the name of one of the destination's container ports
 * @param protocol default TCP (a named port takes the protocol it is declared with)
 * @param options the pseudo-file name for the parsed models
 * @returns the policies, their YAML and models, or why none can be generated
 */
export function generateAllowPolicies(
  snapshot: ClusterSnapshot,
  source: Pod,
  destination: Pod,
  port: number | string,
  protocol?: Protocol,
  options: GenerateOptions = {},
): Validated<GeneratedPolicies> {
  if (source.hostNetwork) {
    return { ok: false, message: `${podKey(source)} uses the host network: pod selectors never match it, so only an ipBlock with its node's IP could admit it.` };
  }
  const resolved = resolveQueryPort({ kind: 'pod', pod: destination }, port, protocol);
  if ('error' in resolved) return { ok: false, message: resolved.error };
  const declared = destination.ports.find((p) => p.containerPort === resolved.port && p.protocol === resolved.protocol);
  const portName = resolved.portName ?? declared?.name;
  const before = explain(snapshot, { kind: 'pod', pod: source }, { kind: 'pod', pod: destination }, resolved);
  const src = chooseStableLabels(snapshot, source);
  if (!src.ok) return src;
  const dst = chooseStableLabels(snapshot, destination);
  if (!dst.ok) return dst;
  const srcText = `pods ${labelsText(src.value.labels)} in namespace ${source.namespace}`;
  const dstText = `pods ${labelsText(dst.value.labels)} in namespace ${destination.namespace}`;
  const portText = `${resolved.port}/${resolved.protocol}${portName ? ` (${portName})` : ''}`;
  const path = `${podKey(source)} → ${podKey(destination)} on ${resolved.port}/${resolved.protocol}`;
  const notes: string[] = [];
  if (portName) {
    notes.push(
      `Port ${resolved.port} is written as a number, not as its name "${portName}": a named port is resolved on each destination pod separately (in egress rules too), so a number says exactly which port opens, whatever the other pods call it.`,
    );
  }
  if (!declared) {
    notes.push(`${podKey(destination)} declares no container port ${resolved.port}/${resolved.protocol}: if nothing listens there, the connection will be refused even once it is allowed.`);
  }
  for (const [who, choice] of [[podKey(source), src.value], [podKey(destination), dst.value]] as const) {
    if (choice.skipped.length) notes.push(`${who}: not selected by ${choice.skipped.map((s) => `${s.key} (${s.reason})`).join('; ')}.`);
    if (choice.note) notes.push(`${choice.note}.`);
  }
  const base = { source: podKey(source), destination: podKey(destination), port: resolved.port, protocol: resolved.protocol, ...(portName ? { portName } : {}), before, sourceLabels: src.value, destinationLabels: dst.value };
  if (before.allowed) {
    return { ok: true, value: { ...base, alreadyAllowed: true, policies: [], yaml: '', file: options.file ?? 'netlens-fix/none.yaml', models: [], notes: [`The policies already allow ${path}.`, ...notes] } };
  }
  const taken = new Set(snapshot.policies.map((p) => `${p.namespace}/${p.name}`));
  const takenIn = (ns: string): Set<string> => new Set([...taken].filter((k) => k.startsWith(`${ns}/`)).map((k) => k.slice(ns.length + 1)));
  const from = shortName(source, src.value);
  const to = shortName(destination, dst.value);
  const ports = [{ protocol: resolved.protocol, port: resolved.port }];
  const policies: GeneratedPolicy[] = [];
  const selectsNote = (choice: LabelChoice): string[] => (choice.note ? [`Note: ${choice.note}.`] : []);

  if (before.ingress.isolated && !before.ingress.allowed) {
    const name = policyName({ from, to, port: resolved.port, protocol: resolved.protocol, egress: false }, takenIn(destination.namespace));
    const description = `Allows ${srcText} to connect to ${dstText} on ${portText}.`;
    const manifest = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: destination.namespace },
      spec: {
        podSelector: { matchLabels: { ...dst.value.labels } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [peer(source, src.value.labels, destination.namespace)], ports }],
      },
    };
    const comments = [
      `Generated by netlens for ${path}.`,
      description,
      `Nothing else: ${podKey(destination)} is already isolated for ingress by ${isolationText(before.ingress)}; this adds one exception and isolates no other pod.`,
      ...selectsNote(src.value),
      ...selectsNote(dst.value),
    ];
    policies.push({ direction: 'ingress', namespace: destination.namespace, name, description, manifest, yaml: toYaml(manifest, comments) });
  }

  if (before.egress.isolated && !before.egress.allowed) {
    const name = policyName({ from, to, port: resolved.port, protocol: resolved.protocol, egress: true }, takenIn(source.namespace));
    const description = `Allows ${srcText} to open connections to ${dstText} on ${portText}.`;
    const manifest = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: source.namespace },
      spec: {
        podSelector: { matchLabels: { ...src.value.labels } },
        policyTypes: ['Egress'],
        egress: [{ to: [peer(destination, dst.value.labels, source.namespace)], ports }],
      },
    };
    const comments = [
      `Generated by netlens for ${path}.`,
      description,
      `Nothing else: ${podKey(source)} is already isolated for egress by ${isolationText(before.egress)}; this adds one exception and isolates no other pod.`,
      ...selectsNote(src.value),
      ...selectsNote(dst.value),
    ];
    policies.push({ direction: 'egress', namespace: source.namespace, name, description, manifest, yaml: toYaml(manifest, comments) });
  }

  const yaml = policies.map((p) => p.yaml).join('---\n');
  const file = options.file ?? `netlens-fix/${policies[0]?.name ?? 'none'}.yaml`;
  const parsed = parseManifestText(file, yaml);
  const models = parsed.objects.map((o) => o.object).filter((o): o is NetworkPolicy => o.kind === 'NetworkPolicy');
  if (parsed.findings.some((f) => f.severity === 'error') || models.length !== policies.length) {
    const first = parsed.findings[0];
    return { ok: false, message: `netlens generated a policy its own loader rejects${first ? `: ${first.message}` : ''}. This is a bug; please report it.` };
  }
  return { ok: true, value: { ...base, alreadyAllowed: false, policies, yaml, file, models, notes } };
}
