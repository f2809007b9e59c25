/**
 * Applying a generated fix: NetworkPolicy documents only, each validated with a server-side dry
 * run first (validation and admission run, nothing is stored), then created. An existing policy
 * of the same name is never overwritten, and nothing is written without `confirmed: true`.
 */
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { parseStatus, sanitize } from '../errors';
import type { ClusterConnection } from '../kubeconfig';
import type { AccessReviewer } from '../rbac';
import { withCallOptions } from '../request';
import { ConfirmationRequiredError, DebugError } from './errors';
import { networkPolicyPermissions, requirePermissions } from './permissions';
import { API_TIMEOUT_MS, step, type StepOptions } from './steps';
import type { PlannedChange } from './writes';

interface PolicyDocument {
  readonly namespace: string;
  readonly name: string;
  /** The manifest as JSON (wire form). */
  readonly manifest: Record<string, unknown>;
}

export interface AppliedPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface ApplyResult {
  /** `namespace/name` of every policy the dry run accepted. */
  readonly validated: readonly string[];
  readonly created: readonly AppliedPolicy[];
}

export interface ApplyOptions extends StepOptions {
  /** Validate every document with `dryRun=All` before creating any (default true). */
  readonly dryRunFirst?: boolean;
  /** Must be true: the user has seen the YAML and said yes. */
  readonly confirmed?: boolean;
  /** Check `create networkpolicies` with SelfSubjectAccessReview first (default true). */
  readonly checkPermissions?: boolean;
  readonly reviewer?: AccessReviewer;
}

type AttributeMap = readonly { readonly name: string; readonly baseName: string; readonly type: string }[];

/**
 * Wire JSON → client-node model object of `type` (e.g. `V1NetworkPolicy`). client-node's
 * serializer writes the model's property names (`_from` for an ingress rule's `from`), so a plain
 * JSON body would silently lose renamed fields. Unknown fields are dropped, as the serializer
 * would drop them.
 */
export function fromWire(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return value;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.map((v) => fromWire(v, array[1]!)) : value;
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v, map[1]!)]));
  }
  if (type === 'Date') return typeof value === 'string' ? new Date(value) : value;
  const ctor = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>)[type];
  if (typeof ctor?.getAttributeTypeMap !== 'function' || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const a of ctor.getAttributeTypeMap()) {
    const v = (value as Record<string, unknown>)[a.baseName];
    if (v !== undefined) out[a.name] = fromWire(v, a.type);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the documents and checks that each is a namespaced NetworkPolicy.
 * @throws an `InvalidRequest` DebugError for bad YAML or any other kind
 */
export function readPolicyDocuments(yamlText: string): PolicyDocument[] {
  const docs = parseAllDocuments(yamlText);
  const out: PolicyDocument[] = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length) throw new DebugError('InvalidRequest', `document ${i + 1} is not valid YAML: ${sanitize(doc.errors[0]!.message)}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isRecord(value)) throw new DebugError('InvalidRequest', `document ${i + 1} is not a mapping`);
    if (value.apiVersion !== 'networking.k8s.io/v1' || value.kind !== 'NetworkPolicy') {
      throw new DebugError('InvalidRequest', `document ${i + 1} is ${String(value.kind ?? 'not a Kubernetes object')}: netlens applies only networking.k8s.io/v1 NetworkPolicies`);
    }
    const meta = isRecord(value.metadata) ? value.metadata : {};
    if (typeof meta.name !== 'string' || meta.name === '' || typeof meta.namespace !== 'string' || meta.namespace === '') {
      throw new DebugError('InvalidRequest', `document ${i + 1} needs metadata.name and metadata.namespace`);
    }
    out.push({ namespace: meta.namespace, name: meta.name, manifest: value });
  });
  if (out.length === 0) throw new DebugError('InvalidRequest', 'there is no NetworkPolicy to apply');
  return out;
}

/** The creates {@link applyPolicy} would make, for the confirmation prompt. */
export function plannedPolicyChanges(yamlText: string): PlannedChange[] {
  return readPolicyDocuments(yamlText).map((d) => ({
    write: 'network-policy',
    verb: 'create',
    resource: 'networkpolicies.networking.k8s.io',
    namespace: d.namespace,
    name: d.name,
    summary: `creates NetworkPolicy ${d.namespace}/${d.name} (validated with a server-side dry run first)`,
    permanent: true,
    body: d.manifest,
  }));
}

function createError(connection: ClusterConnection, err: unknown, d: PolicyDocument, dryRun: boolean): Error {
  const e = err as { code?: unknown; body?: unknown };
  const status = parseStatus(e?.body);
  const what = `${d.namespace}/${d.name}`;
  if (e?.code === 409) {
    return new DebugError('AlreadyExists', `NetworkPolicy ${what} already exists; netlens never overwrites a policy: rename the generated one, or review and change the existing one yourself`);
  }
  if (e?.code === 422 || e?.code === 400) {
    return new DebugError('InvalidRequest', `the API server rejected NetworkPolicy ${what}${dryRun ? ' in the dry run' : ''}: ${sanitize(status?.message ?? `HTTP ${String(e.code)}`)}`);
  }
  return connection.classify(err, { verb: 'create', resource: 'networkpolicies', namespace: d.namespace, name: d.name });
}

/**
 * Applies generated NetworkPolicies: a server-side dry run of every document first (unless
 * `dryRunFirst: false`), then a create of each.
 * @param yamlText NetworkPolicy documents only (what `generateAllowPolicies` returns as `yaml`)
 * @throws ConfirmationRequiredError without `confirmed: true` (nothing is sent), an
 *   `InvalidRequest` DebugError for other kinds or a rejected policy, `AlreadyExists`, a ClusterError
 */
export async function applyPolicy(connection: ClusterConnection, yamlText: string, options: ApplyOptions = {}): Promise<ApplyResult> {
  const docs = readPolicyDocuments(yamlText);
  if (options.confirmed !== true) throw new ConfirmationRequiredError(plannedPolicyChanges(yamlText));
  const apiTimeoutMs = options.timeoutMs ?? API_TIMEOUT_MS;
  const signal = options.signal;
  if (options.checkPermissions ?? true) {
    const namespaces = [...new Set(docs.map((d) => d.namespace))];
    await requirePermissions(connection, namespaces.flatMap(networkPolicyPermissions), `create NetworkPolicies in ${namespaces.join(', ')}`, {
      ...(signal ? { signal } : {}),
      timeoutMs: apiTimeoutMs,
      ...(options.reviewer ? { reviewer: options.reviewer } : {}),
    });
  }
  const create = (d: PolicyDocument, dryRun: boolean): Promise<k8s.V1NetworkPolicy> =>
    step(`${dryRun ? 'validating' : 'creating'} NetworkPolicy ${d.namespace}/${d.name}`, { ...(signal ? { signal } : {}), timeoutMs: apiTimeoutMs }, (s) =>
      withCallOptions({ signal: s }, (o) =>
        connection.networking().createNamespacedNetworkPolicy(
          { namespace: d.namespace, body: fromWire(d.manifest, 'V1NetworkPolicy') as k8s.V1NetworkPolicy, ...(dryRun ? { dryRun: 'All' } : {}) },
          o,
        ),
      ).catch((err: unknown) => {
        throw createError(connection, err, d, dryRun);
      }),
    );
  const validated: string[] = [];
  if (options.dryRunFirst ?? true) {
    for (const d of docs) {
      await create(d, true);
      validated.push(`${d.namespace}/${d.name}`);
    }
  }
  const created: AppliedPolicy[] = [];
  for (const d of docs) {
    try {
      const obj = await create(d, false);
      created.push({ namespace: d.namespace, name: d.name, ...(obj.metadata?.uid ? { uid: obj.metadata.uid } : {}), ...(obj.metadata?.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}) });
    } catch (err) {
      if (created.length === 0) throw err;
      const done = created.map((c) => `${c.namespace}/${c.name}`).join(', ');
      throw new DebugError('InvalidRequest', `created ${done}, then failed on ${d.namespace}/${d.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return { validated, created };
}
