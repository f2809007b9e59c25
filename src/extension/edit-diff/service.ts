// The reachability before and after the unsaved edits of policy documents (issue #6), for the
// edit-diff CodeLens and the matrix's "changed" mode. `current()` is cheap while nothing
// changed: it lists the dirty policy documents and compares a few identities with the last
// comparison's inputs. A new comparison merges the saved side once (as the index merges its
// own); the diff (`diff()`) is computed when a lens is resolved, once per comparison. Edits
// arrive per keystroke: the index debounces them, and this service fires at most once per
// DEBOUNCE_MS, and only when the comparison's inputs changed.
import * as vscode from 'vscode';
import type { EditBaseline } from '../../core/editor/edit-diff';
import { applyPolicies } from '../../core/matrix/apply-policies';
import { diffSnapshots, diffSummary, type SnapshotDiff } from '../../core/matrix/diff';
import { equivalentSnapshots } from '../../core/matrix/equivalent';
import { allDeclaredPorts, comparePorts } from '../../core/matrix/pods';
import type { ClusterSnapshot } from '../../core/model';
import type { Config } from '../config';
import { isManifestDocument } from '../documents';
import { errorText, type Log } from '../log';
import type { DataSources } from '../snapshot-source';
import type { WorkspaceIndex } from '../workspace-index';
import type { EditComparison, EditDiffs } from './types';

const DEBOUNCE_MS = 100;

/** Inputs of one comparison: while they are the same objects and numbers, so is the comparison. */
interface Inputs {
  readonly keys: string;
  readonly indexVersion: number;
  readonly baseline: 'saved' | 'cluster';
  /** The live source's snapshot (cluster baseline) or the view's (saved baseline). */
  readonly base: ClusterSnapshot;
  readonly sourceName: string;
}

function sameInputs(a: Inputs | undefined, b: Inputs | undefined): boolean {
  if (!a || !b) return a === b;
  return a.keys === b.keys && a.indexVersion === b.indexVersion && a.baseline === b.baseline && a.base === b.base && a.sourceName === b.sourceName;
}

/**
 * Both sides are taken when the comparison is made, from one state of the index and the
 * sources: a lens resolved later must not pair an old "after" with a newer "before". Merging
 * the saved side costs about as much as the index's own merge (tens of ms for 2,000 pods).
 */
function makeComparison(baseline: EditBaseline, documents: readonly vscode.Uri[], before: ClusterSnapshot, after: ClusterSnapshot): EditComparison {
  return { baseline, baselineName: baseline.kind === 'cluster' ? baseline.name : 'saved files', documents, before, after, madeAt: performance.now() };
}

/** The diff of two equivalent snapshots, as diffSnapshots would report it. */
function unchanged(before: ClusterSnapshot, after: ClusterSnapshot): SnapshotDiff {
  const empty = { opened: [], closed: [], addedPods: [], removedPods: [] };
  return { ...empty, ports: [...allDeclaredPorts(before, after)].sort(comparePorts), declared: true, summary: diffSummary(empty) };
}

export class EditDiffService implements EditDiffs, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private cached: { inputs: Inputs | undefined; comparison: EditComparison | undefined } = { inputs: undefined, comparison: undefined };
  /** Inputs at the last event, so that events that change nothing are not passed on. */
  private announced: Inputs | undefined;
  private readonly dirty = new Set<string>();
  private readonly diffs = new WeakMap<EditComparison, SnapshotDiff>();
  /** The last diff computed, reused when a later comparison holds the same objects. */
  private lastDiff: { before: ClusterSnapshot; after: ClusterSnapshot; diff: SnapshotDiff } | undefined;

  constructor(
    private readonly log: Log,
    private readonly config: Config,
    private readonly index: WorkspaceIndex,
    private readonly sources: DataSources,
  ) {
    this.disposables.push(
      this.emitter,
      // Fires for the workspace index too (buffers parsed, files read, the saved side of a file).
      sources.onDidChange(() => this.schedule()),
      config.onDidChange(() => this.schedule()),
      // Dirty or clean without an index change: a save, or the first keystroke before the index parsed it.
      vscode.workspace.onDidChangeTextDocument((e) => {
        const key = e.document.uri.toString();
        if (e.document.isDirty !== this.dirty.has(key)) this.schedule();
      }),
      vscode.workspace.onDidSaveTextDocument(() => this.schedule()),
      vscode.workspace.onDidCloseTextDocument(() => this.schedule()),
    );
  }

  current(): EditComparison | undefined {
    const inputs = this.inputs();
    if (!sameInputs(inputs, this.cached.inputs)) this.cached = { inputs, comparison: inputs && this.compare(inputs) };
    return this.cached.comparison;
  }

  knownDiff(comparison: EditComparison): SnapshotDiff | undefined {
    return this.diffs.get(comparison);
  }

  diff(comparison: EditComparison): SnapshotDiff {
    const known = this.diffs.get(comparison);
    if (known) return known;
    const started = performance.now();
    const { before, after } = comparison;
    const last = this.lastDiff;
    let d: SnapshotDiff;
    let how = 'computed';
    if (last && equivalentSnapshots(before, last.before) && equivalentSnapshots(after, last.after)) {
      // A new state of the index with the same objects (a re-parse, a comment typed): the same paths.
      d = last.diff;
      how = 'reused';
    } else if (equivalentSnapshots(before, after)) {
      // An edit that only moves text (a comment, a blank line) needs no matrices.
      d = unchanged(before, after);
      how = 'no object changed';
    } else {
      d = diffSnapshots(before, after);
    }
    this.diffs.set(comparison, d);
    this.lastDiff = { before, after, diff: d };
    const ms = performance.now() - started;
    this.log[ms > 100 ? 'info' : 'debug'](
      `edit diff: ${d.opened.length} opened, ${d.closed.length} closed over ${after.pods.length} pods and ${d.ports.length} ports ` +
        `(${comparison.baselineName}: ${before.policies.length} → ${after.policies.length} policies), ${how}, in ${ms.toFixed(1)} ms`,
    );
    return d;
  }

  /** The dirty documents that count (see {@link counts}), by key. */
  private documents(baseline: 'saved' | 'cluster'): vscode.TextDocument[] {
    const out: vscode.TextDocument[] = [];
    this.dirty.clear();
    for (const d of vscode.workspace.textDocuments) {
      if (!d.isDirty || d.isClosed) continue;
      this.dirty.add(d.uri.toString());
      if (isManifestDocument(d) && this.counts(d, baseline)) out.push(d);
    }
    return out.sort((a, b) => a.uri.toString().localeCompare(b.uri.toString()));
  }

  /**
   * A dirty document counts when it holds NetworkPolicies now or did when saved (an edit that
   * deletes a policy changes reachability too). Against the saved files, only documents that
   * have a file: a new untitled policy has nothing to be compared with but the cluster.
   */
  private counts(d: vscode.TextDocument, baseline: 'saved' | 'cluster'): boolean {
    if (baseline === 'saved' && d.isUntitled) return false;
    const key = d.uri.toString();
    const now = this.index.entry(key);
    if (!now || now.documentVersion === undefined) return false; // not parsed yet: the index will fire
    if (now.policies.length > 0) return true;
    return baseline === 'saved' && (this.index.savedEntry(key)?.policies.length ?? 0) > 0;
  }

  /** What the comparison depends on; undefined when there is nothing to compare. */
  private inputs(): Inputs | undefined {
    if (!this.index.isStarted || !this.index.isReady) return undefined;
    const setting = this.config.settings.diff.baseline;
    const live = this.sources.activeSource;
    if (setting === 'cluster' && !live) return undefined;
    const baseline = live && setting !== 'saved' ? 'cluster' : 'saved';
    const documents = this.documents(baseline);
    if (documents.length === 0) return undefined;
    if (baseline === 'saved') for (const d of documents) if (!this.index.savedEntry(d.uri.toString())) this.readSaved(d);
    return {
      keys: documents.map((d) => d.uri.toString()).join('\n'),
      indexVersion: this.index.stateVersion,
      baseline,
      base: baseline === 'cluster' ? live!.snapshot : this.sources.view().snapshot,
      sourceName: live?.name ?? this.index.name,
    };
  }

  private compare(inputs: Inputs): EditComparison {
    const keys = inputs.keys.split('\n');
    const documents = keys.map((k) => this.index.uriOf(k));
    if (inputs.baseline === 'cluster') {
      const live = inputs.base;
      const policies = keys.flatMap((k) => this.index.entry(k)?.policies ?? []);
      return makeComparison({ kind: 'cluster', name: inputs.sourceName }, documents, live, applyPolicies(live, policies));
    }
    const view = inputs.base;
    const saved = this.index.savedSnapshot(keys);
    // With a cluster as the source of pods (baseline "saved" chosen), only the policies come from the files.
    return makeComparison({ kind: 'saved' }, documents, this.sources.activeSource ? { ...view, policies: saved.policies } : saved, view);
  }

  /** The file behind a dirty document was not read by the scan (outside the folders): read it once. */
  private readSaved(document: vscode.TextDocument): void {
    this.index.readSaved(document).then(
      (found) => found && this.schedule(),
      (error: unknown) => this.log.debug(`edit diff: ${errorText(error)}`),
    );
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const inputs = this.inputs();
      if (sameInputs(inputs, this.announced)) return;
      this.announced = inputs;
      this.emitter.fire();
    }, DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.lastDiff = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
