// What the matrix panel and the edit-diff CodeLens share: the reachability before and after the
// unsaved edits of policy documents. Implemented by the edit-diff service (./service.ts).
import type * as vscode from 'vscode';
import type { EditBaseline } from '../../core/editor/edit-diff';
import type { SnapshotDiff } from '../../core/matrix/diff';
import type { ClusterSnapshot } from '../../core/model';

export interface EditComparison {
  /** What the edit is compared against, for titles and the matrix header: "saved files", or a context name. */
  readonly baselineName: string;
  /** The same, as the core's titles take it: the saved files, or a live cluster. */
  readonly baseline: EditBaseline;
  /** Before the unsaved edits: the saved files, or the live cluster's own policies. */
  readonly before: ClusterSnapshot;
  /** After: what the editor features evaluate now (unsaved text included). */
  readonly after: ClusterSnapshot;
  /** The documents with unsaved policy edits that the comparison covers. */
  readonly documents: readonly vscode.Uri[];
  /** When it was made (`performance.now()`): a young one may be replaced by the next keystroke. */
  readonly madeAt: number;
}

export interface EditDiffs {
  /** Fires (debounced) when the comparison may have changed: an edit, a save, a revert, a new baseline. */
  readonly onDidChange: vscode.Event<void>;
  /** The current comparison, or undefined when no policy document has unsaved edits. */
  current(): EditComparison | undefined;
  /**
   * The paths a comparison opens and closes, on the ports the pods declare (each towards the
   * destinations declaring it). Computed once per comparison (a few hundred ms on thousands of
   * pods), and reused for a later comparison that holds the same objects.
   */
  diff(comparison: EditComparison): SnapshotDiff;
  /** The diff of a comparison if it is known already; never computes. */
  knownDiff(comparison: EditComparison): SnapshotDiff | undefined;
}
