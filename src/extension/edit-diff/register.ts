// What an unsaved policy edit changes, in the editor: a CodeLens at the top of each dirty
// NetworkPolicy document ("This change opens 2 paths (…) and closes none — vs saved file"),
// `netlens.showEditDiff` opening the full list as a read-only document, and
// `netlens.showEditDiffInMatrix` (that document's title bar) opening the matrix, whose
// "changed" mode marks the same cells. The comparison comes from the edit-diff service.
import * as vscode from 'vscode';
import { editDiffReport, editDiffTitle, NO_EDITS_REPORT, unreadableTitle } from '../../core/editor/edit-diff';
import { MANIFEST_SELECTOR, isManifestDocument, mayHoldNetworkPolicy } from '../documents';
import { guard } from '../log';
import type { Registrar } from '../register';
import type { Services } from '../services';
import type { EditComparison } from './types';

export const EDIT_DIFF_COMMANDS = {
  show: 'netlens.showEditDiff',
  showInMatrix: 'netlens.showEditDiffInMatrix',
} as const;
/** Built by the panels (src/extension/panels); executed by id only. */
const SHOW_MATRIX = 'netlens.showMatrix';
export const EDIT_DIFF_SCHEME = 'netlens-edit-diff';
/** The one report document; its content follows the current comparison. */
export const EDIT_DIFF_URI = vscode.Uri.from({ scheme: EDIT_DIFF_SCHEME, path: '/unsaved-policy-edits.txt' });

/**
 * A diff costs a few hundred ms on thousands of pods, and each keystroke makes a new
 * comparison: a lens on a comparison younger than this shows the last title of its
 * document and asks again once typing has paused. The pause asked for grows with what
 * the last diff cost, so that a slow diff never runs between two keystrokes.
 */
const QUIET_MS = 300;
const QUIET_PER_DIFF_MS = 2;
const COMPARING = 'This change: comparing…';

class EditDiffLens extends vscode.CodeLens {
  constructor(
    readonly comparison: EditComparison,
    readonly document: vscode.Uri,
  ) {
    super(new vscode.Range(0, 0, 0, 0));
  }
}

function covers(comparison: EditComparison, document: vscode.TextDocument): boolean {
  const key = document.uri.toString();
  return comparison.documents.some((u) => u.toString() === key);
}

function displayPath(uri: vscode.Uri): string {
  return uri.scheme === 'untitled' ? uri.path : vscode.workspace.asRelativePath(uri, false);
}

export function registerEditDiff(reg: Registrar, services: Services): void {
  const { editDiff, index, log } = services;

  /** The first edited document whose unsaved text does not parse, and where. */
  const yamlError = (comparison: EditComparison): { uri: vscode.Uri; line: number } | undefined => {
    for (const uri of comparison.documents) {
      const error = index.entry(uri.toString())?.findings.find((f) => f.code === 'yaml-syntax' && f.severity === 'error');
      if (error) return { uri, line: error.range.start.line };
    }
    return undefined;
  };

  const lensesChanged = reg.add(new vscode.EventEmitter<void>());
  reg.add(editDiff.onDidChange(() => lensesChanged.fire()));
  /** Per document, the last title shown: kept while the user types. */
  const lastTitles = new Map<string, string>();
  let quietTimer: NodeJS.Timeout | undefined;
  let lastDiffMs = 0;
  reg.add({ dispose: () => clearTimeout(quietTimer) });
  const forget = (d: vscode.TextDocument): boolean => lastTitles.delete(d.uri.toString());
  reg.add(vscode.workspace.onDidCloseTextDocument(forget));
  reg.add(vscode.workspace.onDidSaveTextDocument(forget));
  const askAgainIn = (ms: number): void => {
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => lensesChanged.fire(), Math.max(ms, 10));
  };

  const provider: vscode.CodeLensProvider<EditDiffLens> = {
    onDidChangeCodeLenses: lensesChanged.event,
    provideCodeLenses: guard(log, 'edit-diff CodeLens', [], (document: vscode.TextDocument) => {
      if (!document.isDirty || !index.isStarted || !isManifestDocument(document)) return [];
      // A dirty document that held a policy when saved counts even when its buffer holds none now.
      if (!mayHoldNetworkPolicy(document.getText()) && !index.savedEntry(document.uri.toString())?.policies.length) return [];
      // The lens answers for the text on screen: parse it now if the index has not yet.
      index.documentEntry(document);
      const comparison = editDiff.current();
      return comparison && covers(comparison, document) ? [new EditDiffLens(comparison, document.uri)] : [];
    }),
    resolveCodeLens: guard(log, 'edit-diff CodeLens resolve', undefined, (lens: EditDiffLens) => {
      const { comparison } = lens;
      const broken = yamlError(comparison);
      if (broken) {
        const file = broken.uri.toString() === lens.document.toString() ? undefined : displayPath(broken.uri);
        lens.command = { title: unreadableTitle(file, broken.line), command: '' };
        return lens;
      }
      const key = lens.document.toString();
      const age = performance.now() - comparison.madeAt;
      const quiet = Math.max(QUIET_MS, QUIET_PER_DIFF_MS * lastDiffMs);
      let diff = editDiff.knownDiff(comparison);
      if (!diff && age >= quiet) {
        const started = performance.now();
        diff = editDiff.diff(comparison);
        lastDiffMs = performance.now() - started;
      }
      if (!diff) {
        askAgainIn(quiet - age);
        lens.command = { title: lastTitles.get(key) ?? COMPARING, command: EDIT_DIFF_COMMANDS.show, tooltip: 'Comparing once typing pauses' };
        return lens;
      }
      const title = editDiffTitle(diff, comparison.baseline, comparison.documents.length);
      lastTitles.set(key, title);
      lens.command = { title, command: EDIT_DIFF_COMMANDS.show, tooltip: `${diff.summary} Click to list every path.` };
      return lens;
    }),
  };
  reg.add(vscode.languages.registerCodeLensProvider(MANIFEST_SELECTOR, provider));

  // The report: read-only, re-rendered while it is open and the edits go on.
  const reportChanged = reg.add(new vscode.EventEmitter<vscode.Uri>());
  reg.add(
    editDiff.onDidChange(() => {
      if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === EDIT_DIFF_URI.toString())) reportChanged.fire(EDIT_DIFF_URI);
    }),
  );
  reg.add(
    vscode.workspace.registerTextDocumentContentProvider(EDIT_DIFF_SCHEME, {
      onDidChange: reportChanged.event,
      provideTextDocumentContent: guard(log, 'edit-diff report', NO_EDITS_REPORT, () => {
        const comparison = editDiff.current();
        if (!comparison) return NO_EDITS_REPORT;
        const files = comparison.documents.map(displayPath);
        return editDiffReport(editDiff.diff(comparison), comparison.baseline, files);
      }),
    }),
  );

  reg.command(EDIT_DIFF_COMMANDS.show, async () => {
    if (!editDiff.current()) {
      void vscode.window.showInformationMessage('NetLens: no NetworkPolicy document has unsaved edits.');
      return;
    }
    const document = await vscode.workspace.openTextDocument(EDIT_DIFF_URI);
    await vscode.window.showTextDocument(document, { preview: true });
  });

  reg.command(EDIT_DIFF_COMMANDS.showInMatrix, async () => {
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes(SHOW_MATRIX)) {
      void vscode.window.showWarningMessage('NetLens: the reachability matrix is not available in this build.');
      return;
    }
    await vscode.commands.executeCommand(SHOW_MATRIX);
  });
}
