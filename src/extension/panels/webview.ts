// What the matrix and graph panels share: the webview options (scripts on, resources only from
// the built assets), the HTML shell with a fresh nonce, the command arguments they accept, and
// opening a manifest location a webview asked for, which is checked against the workspace index
// first: a webview's message is not trusted, so it can only open files the index read.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { TreeNode } from '../../core/tree/cluster-tree';
import { webviewHtml } from '../../webview/html';
import type { Log } from '../log';
import type { Services } from '../services';

export type WebviewName = 'matrix' | 'graph';

/** The only folders a panel's webview may load from (its script, its styles). */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media', 'webview')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  // No retainContextWhenHidden: a hidden panel's page is dropped and rebuilt from its saved state
  // (filter, folds, zoom) and a fresh `data` message when shown again.
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: webviewRoots(extensionUri), enableFindWidget: false };
}

/** Sets the options and the HTML shell (CSP with a fresh nonce; no data in the HTML). */
export function loadWebview(webview: vscode.Webview, extensionUri: vscode.Uri, name: WebviewName, title: string): void {
  webview.options = webviewOptions(extensionUri);
  const asset = (...path: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  webview.html = webviewHtml({
    title,
    cspSource: webview.cspSource,
    nonce: randomBytes(18).toString('base64'),
    scriptUri: asset('dist', 'webview', `${name}.js`),
    styleUris: [asset('media', 'webview', 'common.css'), asset('media', 'webview', `${name}.css`)],
  });
}

/** A short, loggable description of a message that failed validation (never its whole content). */
export function describeMessage(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return typeof raw;
  const type = (raw as { type?: unknown }).type;
  return typeof type === 'string' ? `type ${JSON.stringify(type.slice(0, 40))}` : 'an object without a type';
}

/** What the panels are opened on, from a command's arguments. */
export type PanelTarget =
  | { readonly kind: 'namespace'; readonly namespace: string }
  | { readonly kind: 'pod'; readonly pod: string }
  | { readonly kind: 'file'; readonly uri: vscode.Uri };

function isTreeNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' && typeof (value as { kind?: unknown }).kind === 'string';
}

/**
 * The target of a panel command: a cluster-view namespace or pod node, a file (explorer or editor
 * menus pass its Uri), or `{kind: 'namespace'|'pod', ...}` from code (the matrix's "Policy graph").
 * Undefined for anything else, e.g. the command palette.
 */
export function panelTarget(arg: unknown): PanelTarget | undefined {
  if (arg instanceof vscode.Uri) return { kind: 'file', uri: arg };
  if (isTreeNode(arg)) {
    if (arg.kind === 'namespace') return { kind: 'namespace', namespace: arg.namespace };
    if (arg.kind === 'pod') return { kind: 'pod', pod: `${arg.namespace}/${arg.name}` };
    if (arg.kind === 'folder' || arg.kind === 'group' || arg.kind === 'policy' || arg.kind === 'service') return { kind: 'namespace', namespace: arg.namespace };
    return undefined;
  }
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as { kind?: unknown; namespace?: unknown; pod?: unknown };
    if (a.kind === 'namespace' && typeof a.namespace === 'string') return { kind: 'namespace', namespace: a.namespace };
    if (a.kind === 'pod' && typeof a.pod === 'string') return { kind: 'pod', pod: a.pod };
  }
  return undefined;
}

/** Starts the workspace index if needed and waits for its first scan (the panels need the policies). */
export async function indexReady(services: Services): Promise<void> {
  services.index.start();
  await services.index.ready;
}

/**
 * Namespaces of a manifest file: its policies' namespaces, or, for a file without a policy, the
 * namespaces of the objects it holds. Empty when the index does not know the file.
 */
export async function fileNamespaces(services: Services, uri: vscode.Uri): Promise<string[]> {
  await indexReady(services);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const entry = (open ? services.index.documentEntry(open) : undefined) ?? services.index.entry(uri.toString());
  if (!entry) return [];
  const fromPolicies = [...new Set(entry.policies.map((p) => p.namespace))];
  if (fromPolicies.length) return fromPolicies;
  const namespaces = new Set<string>();
  for (const { object } of entry.objects) {
    if (object.kind === 'Namespace') namespaces.add(object.name);
    else if ('namespace' in object && object.namespace) namespaces.add(object.namespace);
  }
  return [...namespaces];
}

export interface ManifestLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/** A column other than the panel's for the manifest, so the panel stays in view. */
function editorColumn(panel: vscode.WebviewPanel): vscode.ViewColumn {
  const other = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined && e.viewColumn !== panel.viewColumn);
  return other?.viewColumn ?? vscode.ViewColumn.Beside;
}

/**
 * Opens a location a webview asked for, only if it is a file of the workspace index (the host
 * sent it, so anything else is a stale or forged message); the line and column are clamped to the
 * document. Live objects have `kube://` pseudo-files, which the index never holds: they get a note.
 */
export async function openManifestLocation(services: Services, log: Log, panel: vscode.WebviewPanel, loc: ManifestLocation): Promise<boolean> {
  const entry = services.index.entry(loc.file);
  if (!entry) {
    log.warn(`${panel.viewType}: not opening ${JSON.stringify(loc.file.slice(0, 200))}: not a manifest of the workspace index`);
    const live = loc.file.startsWith('kube://');
    void vscode.window.showInformationMessage(
      live ? 'NetLens: this object comes from the live cluster and has no file in the workspace.' : 'NetLens: that file is no longer part of the workspace manifests.',
    );
    return false;
  }
  const document = await vscode.workspace.openTextDocument(entry.uri);
  const line = Math.max(0, Math.min(loc.line - 1, document.lineCount - 1));
  const column = Math.max(0, Math.min((loc.column ?? 1) - 1, document.lineAt(line).text.length));
  const at = new vscode.Position(line, column);
  await vscode.window.showTextDocument(document, { viewColumn: editorColumn(panel), selection: new vscode.Range(at, at), preview: false });
  return true;
}
