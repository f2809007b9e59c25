/**
 * Filters over a {@link MatrixView}: pure functions from the view and a filter to the
 * row and column indices to show. They never copy cells, so the webview re-runs them on
 * every keystroke: one pass over the candidate cells at most (a few milliseconds at
 * 1,000 pods). Bundled into the webview: imports only pure modules without Node.
 */
import type { LabelSelectorRequirement } from '../model';
import { requirementMatches } from '../selector';
import { cellCodes, changeCodes, CODE } from './codes';
import type { MatrixEndpoint, MatrixView } from './types';

export interface MatrixFilter {
  /** Namespaces to show; absent or empty: all. ipBlocks follow `external`, not this. */
  readonly namespaces?: readonly string[];
  /** A label selector as kubectl reads it: `app=web,tier!=db`, `env in (prod,staging)`, `!canary`. ipBlocks never match one. */
  readonly labels?: string;
  /** Case-insensitive substring of an endpoint's `namespace/name` or CIDR. */
  readonly text?: string;
  /** Keep rows and columns with at least one denied (or partly denied) cell. */
  readonly onlyDenied?: boolean;
  /** Keep rows and columns with at least one changed cell (needs a view built with "before"). */
  readonly onlyChanged?: boolean;
  /** Show ipBlock rows and columns (default true). */
  readonly external?: boolean;
}

export interface FilteredView {
  /** Indices into `view.rows`, in order. */
  readonly rows: Int32Array;
  /** Indices into `view.cols`, in order. */
  readonly cols: Int32Array;
  /** Set when `labels` does not parse; the label filter is then ignored. */
  readonly error?: string;
}

export type LabelFilterResult = { readonly ok: true; readonly requirements: readonly LabelSelectorRequirement[] } | { readonly ok: false; readonly error: string };

const KEY = /^([A-Za-z0-9][-A-Za-z0-9_.]*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits at commas outside parentheses. */
function splitTerms(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth < 0) return undefined;
    } else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  out.push(text.slice(start));
  return out.map((t) => t.trim());
}

/**
 * Parses kubectl's label selector syntax: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`, joined by commas (AND). Empty text selects everything.
 */
export function parseLabelFilter(text: string): LabelFilterResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, requirements: [] };
  const terms = splitTerms(trimmed);
  if (!terms) return { ok: false, error: 'unbalanced parentheses' };
  const requirements: LabelSelectorRequirement[] = [];
  for (const term of terms) {
    if (term === '') return { ok: false, error: 'empty requirement (two commas in a row?)' };
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(term))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      const bad = values.find((v) => !VALUE.test(v));
      if (!KEY.test(m[1]!)) return { ok: false, error: `"${m[1]}" is not a label key` };
      if (bad !== undefined) return { ok: false, error: `"${bad}" is not a label value` };
      requirements.push({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term))) {
      if (!KEY.test(m[1]!)) return { ok: false, error: `"${m[1]}" is not a label key` };
      if (!VALUE.test(m[3]!)) return { ok: false, error: `"${m[3]}" is not a label value` };
      requirements.push({ key: m[1]!, operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]!] });
    } else if ((m = /^!\s*(\S+)$/.exec(term))) {
      if (!KEY.test(m[1]!)) return { ok: false, error: `"${m[1]}" is not a label key` };
      requirements.push({ key: m[1]!, operator: 'DoesNotExist', values: [] });
    } else if (KEY.test(term)) {
      requirements.push({ key: term, operator: 'Exists', values: [] });
    } else {
      return { ok: false, error: `cannot read "${term}": write key=value, key!=value, key in (a,b), key notin (a,b), key or !key` };
    }
  }
  return { ok: true, requirements };
}

function endpointFilter(filter: MatrixFilter, requirements: readonly LabelSelectorRequirement[]): (e: MatrixEndpoint) => boolean {
  const namespaces = filter.namespaces?.length ? new Set(filter.namespaces) : undefined;
  const text = filter.text?.trim().toLowerCase() ?? '';
  const external = filter.external !== false;
  return (e) => {
    if (e.kind === 'cidr') return external && (text === '' || e.id.toLowerCase().includes(text));
    if (namespaces && !namespaces.has(e.group)) return false;
    if (text !== '' && !e.id.toLowerCase().includes(text)) return false;
    for (const r of requirements) if (!requirementMatches(r, e.labels)) return false;
    return true;
  };
}

/** The rows and columns of `view` that pass `filter`. */
export function applyFilter(view: MatrixView, filter: MatrixFilter): FilteredView {
  const parsed = parseLabelFilter(filter.labels ?? '');
  const keep = endpointFilter(filter, parsed.ok ? parsed.requirements : []);
  let rows = Int32Array.from(view.rows.flatMap((e, i) => (keep(e) ? [i] : [])));
  let cols = Int32Array.from(view.cols.flatMap((e, i) => (keep(e) ? [i] : [])));
  const changes = filter.onlyChanged === true ? changeCodes(view) : undefined;
  if (filter.onlyDenied || changes) {
    // A row stays when one of its cells (in a candidate column) is interesting, a column
    // when one of its cells (in a candidate row) is: the rows a column's hit is in stay
    // too, so the two scans are independent, and each stops at its first hit.
    const C = view.cols.length;
    const cells = cellCodes(view);
    const onlyDenied = filter.onlyDenied === true;
    const hit = (k: number): boolean => {
      if (onlyDenied) {
        const c = cells[k];
        if (c !== CODE.denied && c !== CODE.some) return false;
      }
      return changes === undefined || changes[k] !== CODE.unchanged;
    };
    const rowsCandidate = rows;
    const colsCandidate = cols;
    rows = rowsCandidate.filter((r) => {
      const base = r * C;
      for (let i = 0; i < colsCandidate.length; i++) if (hit(base + colsCandidate[i]!)) return true;
      return false;
    });
    cols = colsCandidate.filter((c) => {
      for (let i = 0; i < rowsCandidate.length; i++) if (hit(rowsCandidate[i]! * C + c)) return true;
      return false;
    });
  }
  return parsed.ok ? { rows, cols } : { rows, cols, error: parsed.error };
}
