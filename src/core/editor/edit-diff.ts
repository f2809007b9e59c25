/**
 * What the editor shows for an unsaved policy edit: the CodeLens title ("This change opens
 * 14 paths (web-api → postgres:5432/TCP, …) and closes 2 — vs saved file") and the full
 * report behind it, from a {@link SnapshotDiff}. Plain strings; the extension places them.
 */
import { diffText, type DiffPath, type SnapshotDiff } from '../matrix/diff';

/** What the unsaved edits are compared against. */
export type EditBaseline =
  | { readonly kind: 'saved' }
  /** A live cluster, by the name the editor shows for it ("context prod"). */
  | { readonly kind: 'cluster'; readonly name: string };

/** `vs saved file`, `vs saved files`, `vs context prod`. */
export function baselineLabel(baseline: EditBaseline, documents: number): string {
  return baseline.kind === 'cluster' ? `vs ${baseline.name}` : `vs saved ${documents === 1 ? 'file' : 'files'}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `ns/a → b:5432/TCP`: the destination's namespace only when it is not the source's. */
function shortPath(p: DiffPath): string {
  const slash = p.from.indexOf('/');
  const to = slash > 0 && p.to.startsWith(p.from.slice(0, slash + 1)) ? p.to.slice(slash + 1) : p.to;
  return `${p.from} → ${to}:${p.port}/${p.protocol}`;
}

function counted(verb: string, paths: readonly DiffPath[], none: string): string {
  if (paths.length === 0) return `${verb} ${none}`;
  return `${verb} ${plural(paths.length, 'path', 'paths')} (${shortPath(paths[0]!)}${paths.length > 1 ? ', …' : ''})`;
}

/**
 * The lens title, in the words of the diff's summary but short enough for one editor line
 * (pod names are long): one example path per direction, then what it is compared against.
 * "This change opens no paths and closes none — vs saved file" when no verdict changes.
 */
export function editDiffTitle(diff: Pick<SnapshotDiff, 'opened' | 'closed' | 'addedPods' | 'removedPods'>, baseline: EditBaseline, documents: number): string {
  const pods: string[] = [];
  if (diff.addedPods.length) pods.push(`${plural(diff.addedPods.length, 'pod', 'pods')} added`);
  if (diff.removedPods.length) pods.push(`${plural(diff.removedPods.length, 'pod', 'pods')} removed`);
  const podText = pods.length ? ` (${pods.join(', ')}: not counted)` : '';
  return `This change ${counted('opens', diff.opened, 'no paths')} and ${counted('closes', diff.closed, 'none')}${podText} — ${baselineLabel(baseline, documents)}`;
}

/**
 * The read-only report `netlens.showEditDiff` opens: what was compared with what, then
 * {@link diffText} (the summary, every opened and closed path, the ports compared).
 * `documents` are the edited files as the user reads them (workspace-relative paths).
 */
export function editDiffReport(diff: SnapshotDiff, baseline: EditBaseline, documents: readonly string[]): string {
  const files = documents.join(', ');
  const compared =
    baseline.kind === 'cluster'
      ? `Unsaved edits of ${files}, applied over the live cluster (${baseline.name}), compared with the cluster as it is (its own policies).`
      : `Unsaved edits of ${files}, compared with the saved ${documents.length === 1 ? 'file' : 'files'}.`;
  return `${compared}\n\n${diffText(diff)}\n`;
}

/**
 * The lens title while an edited file does not parse (mid-typing, usually): its objects are
 * missing from the "after" side, so a diff would report every path they allowed as closed.
 * `line` is zero-based, as findings count.
 */
export function unreadableTitle(file: string | undefined, line: number): string {
  return `This change is not compared while ${file ?? 'the unsaved text'} has a YAML error (line ${line + 1})`;
}

/** The report while no policy document has unsaved edits. */
export const NO_EDITS_REPORT = 'No NetworkPolicy document has unsaved edits: nothing to compare.\n';
