/**
 * Label and field selectors as the query parameters spell them (`labels.Parse`, `fields.Parse`).
 * Parse errors become 400 BadRequest, as on a real API server.
 */
import { errors } from './status';
import type { KubeObject, ResourceName } from './types';

export type LabelRequirement =
  | { readonly op: 'eq' | 'neq'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | 'notexists'; readonly key: string };

export type LabelSelector = readonly LabelRequirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function parseError(detail: string): Error {
  return errors.badRequest(`unable to parse requirement: ${detail}`);
}

function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 317) throw parseError(`invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (!VALUE.test(value) || value.length > 63) throw parseError(`invalid label value: "${value}"`);
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Parses `a=b,c!=d,e,!f,g in (h,i),j notin (k)`. An empty string selects everything. */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text || !text.trim()) return [];
  const out: LabelRequirement[] = [];
  for (const raw of splitTop(text)) {
    const part = raw.trim();
    if (!part) throw parseError('found \'\', expected: identifier');
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (set) {
      const values = set[3].split(',').map((v) => v.trim());
      if (values.every((v) => v === '')) throw parseError("for 'in', 'notin' operators, values set can't be empty");
      values.forEach(checkValue);
      out.push({ op: set[2] as 'in' | 'notin', key: checkKey(set[1]), values });
      continue;
    }
    const neq = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(part);
    if (neq) {
      out.push({ op: 'neq', key: checkKey(neq[1]), value: checkValue(neq[2].trim()) });
      continue;
    }
    const eq = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(part);
    if (eq) {
      out.push({ op: 'eq', key: checkKey(eq[1]), value: checkValue(eq[2].trim()) });
      continue;
    }
    const not = /^!\s*(\S+)$/.exec(part);
    if (not) {
      out.push({ op: 'notexists', key: checkKey(not[1]) });
      continue;
    }
    out.push({ op: 'exists', key: checkKey(part) });
  }
  return out;
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const value = has ? l[r.key] : undefined;
    switch (r.op) {
      case 'eq':
        if (value !== r.value) return false;
        break;
      case 'neq':
        if (value === r.value) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(value as string)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(value as string)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}

export interface FieldRequirement {
  readonly field: string;
  readonly op: 'eq' | 'neq';
  readonly value: string;
}

export type FieldSelector = readonly FieldRequirement[];

type FieldGetter = (obj: KubeObject) => string;

const COMMON_FIELDS: Record<string, FieldGetter> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Extra fields each resource supports (pkg/registry/core/pod/strategy.go `ToSelectableFields`). */
const RESOURCE_FIELDS: Partial<Record<ResourceName, Record<string, FieldGetter>>> = {
  pods: {
    'spec.nodeName': (o) => str(o.spec?.nodeName),
    'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
    'spec.schedulerName': (o) => str(o.spec?.schedulerName),
    'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
    'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
    'status.phase': (o) => str(o.status?.phase),
    'status.podIP': (o) => str(o.status?.podIP),
    'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
  },
  namespaces: { 'status.phase': (o) => str(o.status?.phase) },
  nodes: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
  services: { 'spec.clusterIP': (o) => str(o.spec?.clusterIP), 'spec.type': (o) => str(o.spec?.type) },
};

function getters(resource: ResourceName): Record<string, FieldGetter> {
  return { ...COMMON_FIELDS, ...(RESOURCE_FIELDS[resource] ?? {}) };
}

/** Parses `metadata.name=web,metadata.namespace!=x`; an unsupported field is 400 as on a real server. */
export function parseFieldSelector(text: string | null | undefined, resource: ResourceName): FieldSelector {
  if (!text || !text.trim()) return [];
  const known = getters(resource);
  const out: FieldRequirement[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^([^!=]+?)\s*(!=|==|=)\s*(.*)$/.exec(part);
    if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = m[1];
    if (!known[field]) {
      throw errors.badRequest(`field label not supported: ${field}`);
    }
    out.push({ field, op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] });
  }
  return out;
}

export function matchesFields(selector: FieldSelector, resource: ResourceName, obj: KubeObject): boolean {
  if (selector.length === 0) return true;
  const known = getters(resource);
  for (const r of selector) {
    const actual = known[r.field](obj);
    if (r.op === 'eq' ? actual !== r.value : actual === r.value) return false;
  }
  return true;
}

/** The `metav1.LabelSelector` shape used inside specs (NetworkPolicy podSelector, ...). */
export interface SpecLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
