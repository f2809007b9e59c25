/**
 * The cluster view's filters: namespaces by name or glob (`prod*, kube-system`) and pods by a
 * kubectl-style label selector (`app=web,tier!=db,env in (prod,staging),!canary`).
 */
import type { LabelSelector, LabelSelectorRequirement, Labels } from '../model';
import { formatSelector, selectorMatches } from '../selector';

export interface TreeFilter {
  /** Names or globs (`*` any run of characters); empty: every namespace. */
  readonly namespaces: readonly string[];
  /** Pods must match; undefined: every pod. */
  readonly labels?: LabelSelector;
}

export const NO_FILTER: TreeFilter = { namespaces: [] };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const NAMESPACE_GLOB = /^[a-z0-9*]([-a-z0-9*]*[a-z0-9*])?$/;

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

/** Parses a label selector as kubectl's `-l` takes it. An empty text is no filter. */
export function parseLabelFilter(text: string): Parsed<LabelSelector | undefined> {
  const terms = splitTerms(text.trim());
  if (terms.length === 0) return { ok: true, value: undefined };
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const term of terms) {
    let m: RegExpExecArray | null;
    const badKey = (key: string): Parsed<never> => ({ ok: false, error: `"${key}" is not a label key` });
    const badValue = (value: string): Parsed<never> => ({ ok: false, error: `"${value}" is not a label value` });
    if ((m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(term))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      if (!LABEL_KEY.test(key)) return badKey(key);
      if (!LABEL_VALUE.test(value)) return badValue(value);
      if (op === '!=') matchExpressions.push({ key, operator: 'NotIn', values: [value] });
      else matchLabels[key] = value;
    } else if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      if (!LABEL_KEY.test(key)) return badKey(key);
      const values = list.split(',').map((v) => v.trim()).filter((v) => v !== '');
      if (values.length === 0) return { ok: false, error: `${key} ${op} (): give at least one value` };
      const wrong = values.find((v) => !LABEL_VALUE.test(v));
      if (wrong !== undefined) return badValue(wrong);
      matchExpressions.push({ key, operator: op === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^!\s*(\S+)$/.exec(term))) {
      if (!LABEL_KEY.test(m[1]!)) return badKey(m[1]!);
      matchExpressions.push({ key: m[1]!, operator: 'DoesNotExist', values: [] });
    } else if (LABEL_KEY.test(term)) {
      matchExpressions.push({ key: term, operator: 'Exists', values: [] });
    } else {
      return { ok: false, error: `cannot read "${term}": use key=value, key!=value, key in (a,b), key notin (a), key or !key, joined by commas` };
    }
  }
  return { ok: true, value: { matchLabels, matchExpressions } };
}

/** Parses namespace names or globs separated by commas or spaces. An empty text is no filter. */
export function parseNamespaceFilter(text: string): Parsed<string[]> {
  const items = text.split(/[\s,]+/).filter((s) => s !== '');
  const wrong = items.find((s) => !NAMESPACE_GLOB.test(s));
  if (wrong !== undefined) return { ok: false, error: `"${wrong}" is not a namespace name or glob (lower-case letters, digits, "-", and "*")` };
  return { ok: true, value: [...new Set(items)] };
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
}

/** A predicate for namespace names; every name passes an empty list. */
export function namespaceMatcher(patterns: readonly string[]): (namespace: string) => boolean {
  if (patterns.length === 0) return () => true;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map(globRegExp);
  return (ns) => exact.has(ns) || globs.some((g) => g.test(ns));
}

export function labelsMatch(filter: TreeFilter, labels: Labels): boolean {
  return !filter.labels || selectorMatches(filter.labels, labels);
}

export function isFiltered(filter: TreeFilter): boolean {
  return filter.namespaces.length > 0 || filter.labels !== undefined;
}

/** The filter as the view's description shows it: `ns prod*, kube-system · app=web`. */
export function describeFilter(filter: TreeFilter): string {
  const parts: string[] = [];
  if (filter.namespaces.length) parts.push(`ns ${filter.namespaces.join(', ')}`);
  if (filter.labels) parts.push(formatSelector(filter.labels));
  return parts.join(' · ');
}
