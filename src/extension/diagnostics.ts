// One DiagnosticCollection "netlens" for every file that holds a NetworkPolicy: the loader's
// findings (syntax, templates, invalid fields), the merge's (duplicates, inferred namespaces)
// and the lint rules' findings, recomputed when the workspace, the data source or the
// settings change. Keeps the findings behind each diagnostic for the quick fixes.
// The read-only documents of live policies (cluster-documents.ts) get the loader's and the lint
// rules' findings too, against the cluster of their context, but no quick fixes.
import * as vscode from 'vscode';
import { fixesForInputFinding, lintPolicies } from '../core/lint/policy-rules';
import type { LintFinding } from '../core/lint/types';
import type { Finding } from '../core/model';
import { clusterDocuments, isClusterDocument, type ClusterDocumentEntry } from './cluster-documents';
import { toRange, toSeverity } from './convert';
import { errorText } from './log';
import type { Registrar } from './register';
import type { Services } from './services';

export const DIAGNOSTIC_SOURCE = 'netlens';
/** Refreshes slower than this are logged at info level (others at debug). */
const SLOW_MS = 100;
/** Policies linted between two yields to the event loop. */
const LINT_SLICE = 25;

interface Published {
  /** Version of the open document the findings were computed on; undefined: the file on disk. */
  readonly documentVersion: number | undefined;
  readonly items: readonly { readonly diagnostic: vscode.Diagnostic; readonly finding: LintFinding }[];
}

export interface LintResults {
  /** The findings behind the diagnostics of a document, if they were computed on its current text. */
  findingsFor(document: vscode.TextDocument): Published['items'] | undefined;
}

export function registerDiagnostics(reg: Registrar, services: Services): LintResults {
  const { index, sources, config, log } = services;
  const collection = reg.add(vscode.languages.createDiagnosticCollection('netlens'));
  const published = new Map<string, Published>();
  let rulesDoc: vscode.Uri | undefined;
  const docsUri = vscode.Uri.joinPath(services.extensionUri, 'docs', 'rules.md');
  // Links each code to its section of docs/rules.md when the extension ships that page.
  vscode.workspace.fs.stat(docsUri).then(
    () => (rulesDoc = docsUri),
    () => undefined,
  );

  const diagnosticOf = (f: LintFinding): vscode.Diagnostic => {
    const d = new vscode.Diagnostic(toRange(f.range), f.message, toSeverity(f.severity));
    d.source = DIAGNOSTIC_SOURCE;
    d.code = rulesDoc ? { value: f.code, target: rulesDoc.with({ fragment: f.code }) } : f.code;
    if (f.related?.length) {
      d.relatedInformation = f.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(index.uriOf(r.file), toRange(r.range)), r.message));
    }
    return d;
  };

  // A refresh lints the policies in slices and yields between them, so that a large workspace
  // never holds the extension host for long (CodeLens and hovers are answered in between). A
  // newer refresh (the workspace or the settings changed) makes the running one stop.
  let generation = 0;
  const refresh = async (): Promise<void> => {
    if (!index.isReady) return;
    const mine = ++generation;
    const started = performance.now();
    const view = sources.view();
    const options = config.lintOptions;
    const files = index.policyFiles();
    const keys = new Set(files.map((f) => f.key));
    // The settings' severities apply to the loader's codes too (e.g. "namespace-inferred": "off").
    const adjust = (f: Finding): LintFinding | undefined => {
      const s = options.severities[f.code];
      if (s === 'off') return undefined;
      return s ? { ...f, severity: s } : f;
    };
    const byFile = new Map<string, LintFinding[]>(files.map((f) => [f.key, []]));
    const add = (f: LintFinding | undefined): void => {
      if (f && keys.has(f.file)) byFile.get(f.file)!.push(f);
    };
    const ctx = { snapshot: view.snapshot, dataSource: view.name, complete: view.complete, text: (file: string) => index.text(file) };
    // The loader's findings carry no fixes of their own; the core builds the few that exist.
    const withFixes = (f: LintFinding | undefined): LintFinding | undefined => {
      if (!f) return f;
      const fixes = fixesForInputFinding(f, view.snapshot.policies, ctx.text);
      return fixes.length ? { ...f, fixes } : f;
    };
    for (const file of files) for (const f of file.findings) add(withFixes(adjust(f)));
    for (const f of index.mergeFindings) add(adjust(f));
    const policies = view.snapshot.policies;
    let linted = 0;
    for (let i = 0; i < policies.length; i += LINT_SLICE) {
      const slice = new Set(policies.slice(i, i + LINT_SLICE));
      // `only` limits which policies are checked; every rule still sees all of them.
      const lint = lintPolicies(ctx, options, (p) => slice.has(p));
      linted += lint.length;
      for (const f of lint) add(f);
      if (i + LINT_SLICE < policies.length) {
        await new Promise((resolve) => setImmediate(resolve));
        if (mine !== generation) return;
      }
    }
    for (const key of published.keys()) {
      if (!byFile.has(key)) {
        collection.delete(index.uriOf(key));
        published.delete(key);
      }
    }
    let count = 0;
    for (const file of files) {
      const items = byFile.get(file.key)!.map((finding) => ({ finding, diagnostic: diagnosticOf(finding) }));
      count += items.length;
      published.set(file.key, { documentVersion: file.documentVersion, items });
      collection.set(file.uri, items.map((i) => i.diagnostic));
    }
    const ms = performance.now() - started;
    const line = `diagnostics: ${count} in ${files.length} policy files (${linted} from lint rules) in ${ms.toFixed(1)} ms`;
    if (ms > SLOW_MS) log.info(`${line} (slow)`);
    else log.debug(line);
  };
  const refreshSafely = (): void => {
    refresh().catch((error: unknown) => log.error(`diagnostics failed: ${errorText(error)}`));
  };

  // Read-only cluster documents: a few at most, each linted whole against its context.
  const clusterDocs = clusterDocuments(services);
  const clusterPublished = new Set<string>();
  const publishClusterDocument = (entry: ClusterDocumentEntry): number => {
    const options = config.lintOptions;
    const view = clusterDocs.view(entry);
    const out: vscode.Diagnostic[] = [];
    const add = (f: LintFinding): void => {
      if (f.file !== entry.key) return;
      const s = options.severities[f.code];
      if (s === 'off') return;
      out.push(diagnosticOf(s ? { ...f, severity: s } : f));
    };
    for (const f of entry.findings) add(f);
    if (view) {
      const mine = new Set(entry.policies);
      const ctx = { snapshot: view.snapshot, dataSource: view.name, complete: view.complete, text: (file: string) => (file === entry.key ? entry.text : undefined) };
      for (const f of lintPolicies(ctx, options, (p) => mine.has(p))) add(f);
    }
    collection.set(entry.uri, out);
    clusterPublished.add(entry.key);
    return out.length;
  };
  // Only documents shown in an editor tab: VS Code keeps a closed document around for a while,
  // and its problems would stay listed although nothing shows it any more.
  const shownInTabs = (): Set<string> => {
    const out = new Set<string>();
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputText) out.add(tab.input.uri.toString());
      else if (tab.input instanceof vscode.TabInputTextDiff) {
        out.add(tab.input.original.toString());
        out.add(tab.input.modified.toString());
      }
    }
    return out;
  };
  const refreshClusterDocuments = (): void => {
    try {
      const shown = shownInTabs();
      const entries = clusterDocs.openEntries().filter((e) => shown.has(e.key));
      const open = new Set(entries.map((e) => e.key));
      for (const key of [...clusterPublished]) {
        if (open.has(key)) continue;
        collection.delete(vscode.Uri.parse(key));
        clusterPublished.delete(key);
      }
      let count = 0;
      for (const entry of entries) count += publishClusterDocument(entry);
      if (entries.length) log.debug(`diagnostics: ${count} in ${entries.length} cluster policy documents`);
    } catch (error) {
      log.error(`diagnostics of cluster documents failed: ${errorText(error)}`);
    }
  };
  const clusterDocumentChanged = (document: vscode.TextDocument): void => {
    if (isClusterDocument(document)) refreshClusterDocuments();
  };

  reg.add(sources.onDidChange(refreshSafely));
  reg.add(config.onDidChange(refreshSafely));
  reg.add(sources.onDidChange(refreshClusterDocuments));
  reg.add(config.onDidChange(refreshClusterDocuments));
  reg.add(vscode.workspace.onDidOpenTextDocument(clusterDocumentChanged));
  reg.add(vscode.workspace.onDidChangeTextDocument((e) => clusterDocumentChanged(e.document)));
  reg.add(vscode.window.tabGroups.onDidChangeTabs(refreshClusterDocuments));
  reg.add(
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (!isClusterDocument(document)) return;
      clusterDocs.forget(document);
      refreshClusterDocuments();
    }),
  );
  refreshClusterDocuments();

  return {
    findingsFor: (document) => {
      // Read-only: no fixes to offer.
      if (isClusterDocument(document)) return undefined;
      const p = published.get(document.uri.toString());
      if (!p) return undefined;
      // Fix edits are offsets into the text they were computed on: never offer them for another version.
      if (p.documentVersion !== undefined ? p.documentVersion !== document.version : document.isDirty) return undefined;
      return p.items;
    },
  };
}
