// The policy graph panel: hosts src/webview/graph (dist/webview/graph.js). The host computes
// layoutGraph(policyGraph(snapshot, focus)) around a namespace or a pod of the active data source,
// posts it, redraws when the data changes, and opens the YAML of a clicked node or edge when the
// workspace index holds that file.
import * as vscode from 'vscode';
import { layoutGraph } from '../../core/graph/layout';
import { policyGraph, type GraphFocus } from '../../core/graph/policy-graph';
import { parseGraphToHost, type GraphToHostMessage, type HostToGraphMessage } from '../../webview/graph/protocol';
import { errorText } from '../log';
import type { Services } from '../services';
import { describeMessage, indexReady, loadWebview, openManifestLocation } from './webview';
import { sourceText } from './texts';

export const GRAPH_VIEW_TYPE = 'netlens.policyGraph';
/** workspaceState: the focus of the open graph, to restore it after a reload. */
export const GRAPH_FOCUS_KEY = 'netlens.graph.focus';
const REFRESH_DEBOUNCE_MS = 200;

function focusTitle(focus: GraphFocus): string {
  return `Policy Graph: ${focus.kind === 'namespace' ? focus.namespace : focus.pod.slice(focus.pod.indexOf('/') + 1)}`;
}

export class GraphPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private revision = 0;
  private pageReady = false;
  /** The data or the focus changed while the panel was hidden. */
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly services: Services,
    private readonly memento: vscode.Memento,
    private focus: GraphFocus,
  ) {
    panel.title = focusTitle(focus);
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icons', 'netlens.svg');
    void memento.update(GRAPH_FOCUS_KEY, focus);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.dirty && this.pageReady) void this.postGraph();
      }),
      panel.onDidDispose(() => this.dispose()),
      services.sources.onDidChange(() => this.invalidate()),
    );
    loadWebview(panel.webview, services.extensionUri, 'graph', 'Policy graph');
  }

  /** Redraws around `focus` and brings the panel forward. */
  show(focus: GraphFocus, column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
    this.setFocus(focus);
  }

  private setFocus(focus: GraphFocus): void {
    this.focus = focus;
    this.panel.title = focusTitle(focus);
    void this.memento.update(GRAPH_FOCUS_KEY, focus);
    this.dirty = true;
    if (this.pageReady) void this.postGraph();
  }

  private invalidate(): void {
    this.dirty = true;
    clearTimeout(this.timer);
    // While hidden nothing is computed: the graph is posted when the panel is shown again.
    if (!this.pageReady || !this.panel.visible) return;
    this.timer = setTimeout(() => void this.postGraph(), REFRESH_DEBOUNCE_MS);
  }

  private async receive(raw: unknown): Promise<void> {
    const msg = parseGraphToHost(raw);
    if (!msg) {
      this.services.log.warn(`policy graph panel: dropped a malformed message from the webview (${describeMessage(raw)})`);
      return;
    }
    try {
      await this.handle(msg);
    } catch (error) {
      this.services.log.error(`policy graph panel: ${msg.type} failed: ${errorText(error)}`);
      await this.post({ type: 'error', message: `NetLens could not draw the graph: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private async handle(msg: GraphToHostMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.pageReady = true;
        await this.postGraph();
        return;
      case 'openLocation':
        await openManifestLocation(this.services, this.services.log, this.panel, msg);
        return;
      case 'focus':
        this.setFocus(msg.focus);
        return;
    }
  }

  private async postGraph(): Promise<void> {
    clearTimeout(this.timer);
    await indexReady(this.services);
    if (this.disposed || !this.pageReady || !this.panel.visible) return;
    this.dirty = false;
    const data = this.services.sources.view();
    const started = performance.now();
    const layout = layoutGraph(policyGraph(data.snapshot, this.focus));
    this.services.log.debug(`policy graph panel: ${layout.nodes.length} nodes, ${layout.edges.length} edges for ${JSON.stringify(this.focus)} in ${(performance.now() - started).toFixed(1)} ms`);
    const delivered = await this.post({ type: 'graph', revision: ++this.revision, layout, source: sourceText(data, undefined) });
    if (!delivered) this.dirty = true;
  }

  /** True when the message reached a live page. */
  private async post(message: HostToGraphMessage): Promise<boolean> {
    if (this.disposed) return false;
    return this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}
