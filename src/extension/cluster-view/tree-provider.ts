// The TreeDataProvider: maps the model's nodes (src/core/tree) to TreeItems. The root's first
// getChildren starts the controller, which loads the cluster layer (trusted workspaces only).
import * as vscode from 'vscode';
import type { TreeNode } from '../../core/tree/cluster-tree';
import { itemOf, type ItemView, type TreeIcon } from '../../core/tree/render';
import { errorText, type Log } from '../log';
import type { ClusterViewController } from './controller';

/** Scheme of the resourceUri that carries a pod's isolation badge to the FileDecorationProvider. */
export const BADGE_SCHEME = 'netlens-tree';

export interface Timing {
  count: number;
  totalMs: number;
  maxMs: number;
  /** The slowest call's node id (root: ""). */
  slowest: string;
}

function newTiming(): Timing {
  return { count: 0, totalMs: 0, maxMs: 0, slowest: '' };
}

function record(t: Timing, node: TreeNode | undefined, ms: number): void {
  t.count++;
  t.totalMs += ms;
  if (ms > t.maxMs) {
    t.maxMs = ms;
    t.slowest = node?.id ?? '';
  }
}

function collapsible(state: ItemView['collapsible']): vscode.TreeItemCollapsibleState {
  return state === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded : state === 'collapsed' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
}

export class ClusterTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.FileDecorationProvider {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Time spent in getChildren (after the first load) and getTreeItem, for the tests and the log. */
  readonly timing = { children: newTiming(), items: newTiming() };
  private readonly icons = new Map<string, { light: vscode.Uri; dark: vscode.Uri }>();
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly controller: ClusterViewController,
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
  ) {
    this.listener = controller.onDidChangeTree((nodes) => this.emitter.fire(nodes));
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) {
        await this.controller.ensureStarted();
        if (this.controller.state !== 'ready') return []; // the welcome view says why
      }
      const started = performance.now();
      const children = this.controller.model.children(node);
      record(this.timing.children, node, performance.now() - started);
      return children;
    } catch (error) {
      this.log.error(`cluster view: getChildren(${node?.id ?? 'root'}) failed: ${errorText(error)}`);
      return [];
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.controller.model.parent(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const started = performance.now();
    const view = itemOf(this.controller.model, node);
    const item = new vscode.TreeItem(view.label, collapsible(view.collapsible));
    item.id = node.id;
    if (view.description !== undefined) item.description = view.description;
    if (view.tooltip !== undefined) item.tooltip = new vscode.MarkdownString(view.tooltip);
    if (view.icon) item.iconPath = this.icon(view.icon);
    item.contextValue = view.contextValue;
    if (view.command) item.command = { command: view.command.command, title: view.command.title, arguments: view.command.args ? [...view.command.args] : [] };
    if (view.badge) {
      item.resourceUri = vscode.Uri.from({ scheme: BADGE_SCHEME, path: `/${encodeURIComponent(node.id)}`, query: new URLSearchParams({ badge: view.badge.text, tooltip: view.badge.tooltip }).toString() });
    }
    record(this.timing.items, node, performance.now() - started);
    return item;
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== BADGE_SCHEME) return undefined;
    const params = new URLSearchParams(uri.query);
    const badge = params.get('badge');
    return badge ? new vscode.FileDecoration(badge, params.get('tooltip') ?? undefined) : undefined;
  }

  private icon(icon: TreeIcon): vscode.ThemeIcon | { light: vscode.Uri; dark: vscode.Uri } {
    if ('codicon' in icon) return new vscode.ThemeIcon(icon.codicon, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    let uris = this.icons.get(icon.file);
    if (!uris) {
      uris = {
        light: vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'light', `${icon.file}.svg`),
        dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'dark', `${icon.file}.svg`),
      };
      this.icons.set(icon.file, uris);
    }
    return uris;
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
