/**
 * Messages between the policy-graph webview and its host. The host computes the graph
 * and its layout (core/graph: `policyGraph` then `layoutGraph`) and posts it; the webview
 * only draws it and asks the host to open locations or refocus.
 */
import type { GraphLayout } from '../../core/graph/layout';
import type { GraphFocus } from '../../core/graph/policy-graph';

export type HostToGraphMessage =
  | { readonly type: 'graph'; readonly revision: number; readonly layout: GraphLayout; readonly source?: string }
  | { readonly type: 'error'; readonly message: string };

export type GraphToHostMessage =
  | { readonly type: 'ready' }
  /** Open a manifest at a 1-based line and column (a location the host sent). */
  | { readonly type: 'openLocation'; readonly file: string; readonly line: number; readonly column?: number }
  /** Redraw around another pod or namespace (answer with a new `graph`). */
  | { readonly type: 'focus'; readonly focus: GraphFocus };

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks a message from the webview before the host acts on it; undefined when malformed. */
export function parseGraphToHost(x: unknown): GraphToHostMessage | undefined {
  if (!isObj(x)) return undefined;
  switch (x.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openLocation':
      if (typeof x.file !== 'string' || !Number.isInteger(x.line) || (x.line as number) < 1) return undefined;
      if (x.column !== undefined && (!Number.isInteger(x.column) || (x.column as number) < 1)) return undefined;
      return { type: 'openLocation', file: x.file, line: x.line as number, ...(x.column !== undefined ? { column: x.column as number } : {}) };
    case 'focus': {
      const f = x.focus;
      if (isObj(f) && f.kind === 'pod' && typeof f.pod === 'string') return { type: 'focus', focus: { kind: 'pod', pod: f.pod } };
      if (isObj(f) && f.kind === 'namespace' && typeof f.namespace === 'string') return { type: 'focus', focus: { kind: 'namespace', namespace: f.namespace } };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Shallow check of a host message in the webview. */
export function parseHostToGraph(x: unknown): HostToGraphMessage | undefined {
  if (!isObj(x)) return undefined;
  if (x.type === 'graph' && typeof x.revision === 'number' && isObj(x.layout) && Array.isArray(x.layout.nodes) && Array.isArray(x.layout.edges)) return x as HostToGraphMessage;
  if (x.type === 'error' && typeof x.message === 'string') return { type: 'error', message: x.message };
  return undefined;
}
