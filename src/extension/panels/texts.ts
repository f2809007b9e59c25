// The panels' plain helpers, without a vscode import so they are tested in plain Node
// (test/extension-model/panels.test.ts): the source line of the header, export file names, and
// the checks of values that come back from workspace state.
import type { GraphFocus } from '../../core/graph/policy-graph';

/** What the header says the data came from: "workspace manifests", "live context prod", plus what an edit is compared with. */
export function sourceText(view: { readonly name: string; readonly complete: boolean }, comparison?: { readonly baselineName: string; readonly documents: readonly unknown[] }): string {
  const base = view.name === 'workspace' ? 'workspace manifests' : `live ${view.name}${view.complete ? '' : ' (partial)'}`;
  if (!comparison) return base;
  const n = comparison.documents.length;
  return `${base} · ${n} unsaved ${n === 1 ? 'policy file' : 'policy files'} vs ${comparison.baselineName}`;
}

export type ExportFormat = 'csv' | 'svg' | 'png';

/**
 * The export's proposed file name, from the name the webview suggests: a base name only (no
 * folders), letters, digits, `.`, `_` and `-`, the format's extension. The user picks the folder.
 */
export function exportFileName(proposed: string, format: ExportFormat): string {
  const stem = (proposed.split(/[\\/]/).pop() ?? '')
    .replace(/\.[A-Za-z0-9]+$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 100);
  return `${stem || 'netlens-matrix'}.${format}`;
}

/** Standard base64 (what the webview's `btoa` produces); anything else is refused. */
export function isBase64(data: string): boolean {
  return data.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(data);
}

export function isGraphFocus(value: unknown): value is GraphFocus {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as { kind?: unknown; namespace?: unknown; pod?: unknown };
  return (f.kind === 'namespace' && typeof f.namespace === 'string') || (f.kind === 'pod' && typeof f.pod === 'string');
}
