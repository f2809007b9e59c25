// Reports as read-only documents: `netlens-report:/<context>/<title>.netlens-report?id=<n>`, in
// the `netlens-report` language (package.json registers it and its grammar). The text lives in
// memory with the test it came from, so the CodeLens actions on the report (run again, generate
// the allow policy, read conntrack) find the test again. A report from an earlier session says
// so instead of showing stale text.
import * as vscode from 'vscode';
import type { TestRequest } from './request';
import type { ConnectivityResult, ConnectivityTest } from './connectivity-runtime';

export const REPORT_SCHEME = 'netlens-report';
export const REPORT_LANGUAGE = 'netlens-report';

/** How many reports stay in memory (their tests hold a connection and a snapshot each). */
const MAX_REPORTS = 20;

export interface GeneratedFix {
  /** The untitled YAML document the fix was opened in. */
  readonly document: vscode.Uri;
  readonly yaml: string;
  readonly summary: string;
}

export interface ReportEntry {
  readonly id: number;
  readonly uri: vscode.Uri;
  readonly request: TestRequest;
  readonly test: ConnectivityTest;
  result: ConnectivityResult;
  text: string;
  fix?: GeneratedFix;
}

/** Safe in a URI path segment and a tab title: no slashes, no control characters. */
function segment(text: string): string {
  return text.replace(/[/\\?#%\u0000-\u001f]/g, '_');
}

export class ReportStore implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly changed = new vscode.EventEmitter<ReportEntry>();
  /** A report's text or actions changed (for CodeLens). */
  readonly onDidChangeEntry = this.changed.event;
  private readonly entries = new Map<number, ReportEntry>();
  private next = 1;

  add(request: TestRequest, test: ConnectivityTest, result: ConnectivityResult, text: string, title: string): ReportEntry {
    const id = this.next++;
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${segment(request.context)}/${segment(title)}.netlens-report`, query: `id=${id}` });
    const entry: ReportEntry = { id, uri, request, test, result, text };
    this.entries.set(id, entry);
    for (const old of [...this.entries.keys()].slice(0, Math.max(0, this.entries.size - MAX_REPORTS))) this.entries.delete(old);
    return entry;
  }

  /** Replaces a report's result and text (a conntrack reading, a generated fix); open editors update. */
  update(entry: ReportEntry, result: ConnectivityResult, text: string): void {
    entry.result = result;
    entry.text = text;
    this.emitter.fire(entry.uri);
    this.changed.fire(entry);
  }

  setFix(entry: ReportEntry, fix: GeneratedFix): void {
    entry.fix = fix;
    this.changed.fire(entry);
  }

  get(uri: vscode.Uri | string | undefined): ReportEntry | undefined {
    if (uri === undefined) return undefined;
    const parsed = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
    if (parsed.scheme !== REPORT_SCHEME) return undefined;
    const id = Number(new URLSearchParams(parsed.query).get('id'));
    return this.entries.get(id);
  }

  /** The report whose generated fix is this document. */
  byFixDocument(uri: vscode.Uri): ReportEntry | undefined {
    const key = uri.toString();
    return [...this.entries.values()].find((e) => e.fix?.document.toString() === key);
  }

  /** The most recent report, for commands run from the palette without an open report. */
  latest(): ReportEntry | undefined {
    return [...this.entries.values()].pop();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const entry = this.get(uri);
    if (entry) return entry.text;
    return 'NetLens connectivity report\n\nThis report is from an earlier session and is no longer in memory.\nRun "NetLens: Test Connectivity" again.\n';
  }

  dispose(): void {
    this.emitter.dispose();
    this.changed.dispose();
    this.entries.clear();
  }
}

/** The commands a report offers; register.ts binds them. */
export interface ReportCommands {
  readonly rerun: string;
  readonly generateFix: string;
  readonly checkConntrack: string;
  readonly showLog: string;
}

/** The actions at the top of a report. Titles depend only on the stored entry: no cluster I/O. */
export class ReportLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly store: ReportStore,
    private readonly commands: ReportCommands,
  ) {
    this.listener = store.onDidChangeEntry(() => this.emitter.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const entry = this.store.get(document.uri);
    if (!entry) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const arg = entry.uri.toString();
    const d = entry.result.analysis.diagnosis;
    const lenses = [new vscode.CodeLens(top, { title: '$(debug-rerun) Run Again', command: this.commands.rerun, arguments: [arg], tooltip: 'Run the same test again with a fresh view of the cluster' })];
    if (d.offerFix) {
      lenses.push(
        new vscode.CodeLens(top, {
          title: entry.fix ? '$(shield) Show Allow Policy' : '$(shield) Generate Allow Policy',
          command: this.commands.generateFix,
          arguments: [arg],
          tooltip: 'The narrow NetworkPolicy that admits this one connection, as YAML to review',
        }),
      );
    }
    if (d.kind === 'dataplane-drop' && !entry.result.conntrack) {
      lenses.push(
        new vscode.CodeLens(top, {
          title: '$(pulse) Check Node Conntrack',
          command: this.commands.checkConntrack,
          arguments: [arg],
          tooltip: "Read the node's conntrack table with a short-lived privileged pod (asks first)",
        }),
      );
    }
    lenses.push(new vscode.CodeLens(top, { title: 'Show Log', command: this.commands.showLog }));
    return lenses;
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
