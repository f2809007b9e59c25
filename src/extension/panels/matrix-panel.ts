// The reachability matrix panel: hosts src/webview/matrix (dist/webview/matrix.js). The host
// builds the view model from the active data source (buildMatrixView), answers hovers and clicks
// one cell at a time (cellReason, cellExplanation), opens manifest locations the index knows,
// saves exports only where the user picked in a save dialog, and re-posts the view when the data
// or the unsaved policy edits change. With unsaved policy edits (services.editDiff) the view is
// built from the edited snapshot against the saved one, so changed cells are marked.
import * as vscode from 'vscode';
import { buildMatrixView } from '../../core/matrix/build';
import type { MatrixFilter } from '../../core/matrix/filter';
import { cellExplanation, cellReason } from '../../core/matrix/reason';
import type { MatrixView, PortSelection } from '../../core/matrix/types';
import type { ClusterSnapshot } from '../../core/model';
import type { GraphFocus } from '../../core/graph/policy-graph';
import { parseMatrixToHost, type HostToMatrixMessage, type MatrixToHostMessage } from '../../webview/matrix/protocol';
import { errorText } from '../log';
import type { Services } from '../services';
import { exportFileName, isBase64, sourceText } from './texts';
import { describeMessage, indexReady, loadWebview, openManifestLocation } from './webview';

export const MATRIX_VIEW_TYPE = 'netlens.matrix';
const TITLE = 'Reachability Matrix';
/** workspaceState: the last filter and port, for the next panel. */
const STATE_KEY = 'netlens.matrix.state';
/** Data changes are coalesced: typing in a policy re-posts at most this often. */
const REFRESH_DEBOUNCE_MS = 200;
/** Exports bigger than this are refused (a PNG is capped at 8192² px by the webview). */
const MAX_EXPORT_BYTES = 64 * 1024 * 1024;

interface SavedState {
  readonly filter?: MatrixFilter;
  readonly port?: PortSelection;
}

/** What the cells on screen were computed from: hovers and clicks are answered from the same data. */
interface Built {
  readonly revision: number;
  readonly view: MatrixView;
  readonly snapshot: ClusterSnapshot;
  readonly before?: ClusterSnapshot;
  readonly source: string;
}

const FORMATS = { csv: 'CSV', svg: 'SVG image', png: 'PNG image' } as const;

export class MatrixPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private built: Built | undefined;
  private dirty = true;
  private revision = 0;
  /** The page has said `ready` once: it listens for messages (VS Code holds them while a shown page loads). */
  private pageReady = false;
  /** A filter to hand to the page with the next `data` (a namespace focus, or the remembered one for a new page). */
  private pendingFilter: MatrixFilter | undefined;
  private port: PortSelection;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  /**
   * Takes over `panel` (new, or restored by the serializer). `filter` is applied when the page
   * is ready; a restored page keeps the filter it saved, so the serializer passes none.
   */
  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly services: Services,
    private readonly memento: vscode.Memento,
    private readonly showGraph: (focus: GraphFocus) => Promise<void>,
    filter: MatrixFilter | undefined,
  ) {
    const saved = memento.get<SavedState>(STATE_KEY) ?? {};
    this.port = saved.port ?? { kind: 'declared' };
    this.pendingFilter = filter;
    panel.title = TITLE;
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icons', 'netlens.svg');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // Changes while hidden are posted when shown. A page VS Code dropped while hidden (no
        // retainContextWhenHidden) says `ready` again and gets the view then.
        if (panel.visible && (this.dirty || this.pendingFilter) && this.pageReady) void this.postData();
      }),
      panel.onDidDispose(() => this.dispose()),
      services.sources.onDidChange(() => this.invalidate()),
      services.editDiff.onDidChange(() => this.invalidate()),
    );
    loadWebview(panel.webview, services.extensionUri, 'matrix', TITLE);
  }

  /** The remembered filter for a new panel. */
  static savedFilter(memento: vscode.Memento): MatrixFilter | undefined {
    return memento.get<SavedState>(STATE_KEY)?.filter;
  }

  /** Brings the panel forward; `filter` replaces the one on screen. */
  reveal(filter: MatrixFilter | undefined, column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
    if (!filter) return;
    this.pendingFilter = filter;
    if (this.pageReady) void this.postData();
  }

  private invalidate(): void {
    this.dirty = true;
    clearTimeout(this.timer);
    // While hidden nothing is built: the view is posted when the panel is shown again.
    if (!this.pageReady || !this.panel.visible) return;
    this.timer = setTimeout(() => void this.postData(), REFRESH_DEBOUNCE_MS);
  }

  private async receive(raw: unknown): Promise<void> {
    const msg = parseMatrixToHost(raw);
    if (!msg) {
      this.services.log.warn(`matrix panel: dropped a malformed message from the webview (${describeMessage(raw)})`);
      return;
    }
    try {
      await this.handle(msg);
    } catch (error) {
      this.services.log.error(`matrix panel: ${msg.type} failed: ${errorText(error)}`);
      await this.post({ type: 'error', message: `NetLens could not ${msg.type === 'export' ? 'save the export' : 'update the matrix'}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private async handle(msg: MatrixToHostMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.pageReady = true;
        await this.postData();
        return;
      case 'filter':
        await this.remember({ filter: msg.filter });
        return;
      case 'selectPort':
        this.port = msg.port;
        this.dirty = true;
        await this.remember({ port: msg.port });
        await this.postData();
        return;
      case 'cellHover': {
        const b = this.built;
        if (!b || msg.revision !== b.revision) return; // the page drops answers for older views anyway
        await this.post({ type: 'reason', revision: b.revision, cell: msg.cell, text: cellReason(b.snapshot, b.view, msg.cell, { filter: msg.filter }) });
        return;
      }
      case 'cellClick': {
        const b = this.built;
        if (!b || msg.revision !== b.revision) return;
        const explanation = cellExplanation(b.snapshot, b.view, msg.cell, { filter: msg.filter, ...(b.before ? { before: b.before } : {}) });
        await this.post({ type: 'explanation', revision: b.revision, cell: msg.cell, explanation });
        return;
      }
      case 'openLocation':
        await openManifestLocation(this.services, this.services.log, this.panel, msg);
        return;
      case 'showGraph':
        await this.showGraph(msg.focus);
        return;
      case 'export':
        await this.export(msg);
        return;
    }
  }

  private async remember(change: SavedState): Promise<void> {
    const saved = this.memento.get<SavedState>(STATE_KEY) ?? {};
    await this.memento.update(STATE_KEY, { ...saved, ...change });
  }

  private build(): Built {
    const data = this.services.sources.view();
    const comparison = this.services.editDiff.current();
    const snapshot = comparison?.after ?? data.snapshot;
    const started = performance.now();
    const view = buildMatrixView(snapshot, { port: this.port, ...(comparison ? { before: comparison.before } : {}) });
    const built: Built = { revision: ++this.revision, view, snapshot, ...(comparison ? { before: comparison.before } : {}), source: sourceText(data, comparison) };
    this.services.log.debug(
      `matrix panel: ${view.rows.length}×${view.cols.length} on ${view.portLabel} from ${built.source} in ${(performance.now() - started).toFixed(1)} ms (revision ${built.revision})`,
    );
    return built;
  }

  private async postData(): Promise<void> {
    clearTimeout(this.timer);
    await indexReady(this.services);
    if (this.disposed || !this.pageReady || !this.panel.visible) return;
    if (this.dirty || !this.built) {
      try {
        this.built = this.build();
        this.dirty = false;
      } catch (error) {
        this.services.log.error(`matrix panel: building the view failed: ${errorText(error)}`);
        await this.post({ type: 'error', message: `NetLens could not build the matrix: ${error instanceof Error ? error.message : String(error)} (details in the log)` });
        return;
      }
    }
    const filter = this.pendingFilter;
    const b = this.built;
    const delivered = await this.post({ type: 'data', revision: b.revision, view: b.view, source: b.source, ...(filter ? { filter } : {}) });
    // The page saves a filter it got (vscode.setState); one that was not delivered goes with the next `data`.
    if (delivered && this.pendingFilter === filter) this.pendingFilter = undefined;
  }

  /** True when the message reached a live page. */
  private async post(message: HostToMatrixMessage): Promise<boolean> {
    if (this.disposed) return false;
    return this.panel.webview.postMessage(message);
  }

  /** Saves an export where the user chooses: nothing is written without the save dialog. */
  private async export(msg: Extract<MatrixToHostMessage, { type: 'export' }>): Promise<void> {
    let bytes: Uint8Array;
    if (msg.encoding === 'utf8') bytes = new TextEncoder().encode(msg.data);
    else {
      if (!isBase64(msg.data)) throw new Error('the exported image is not valid base64');
      bytes = Buffer.from(msg.data, 'base64');
    }
    if (bytes.byteLength > MAX_EXPORT_BYTES) throw new Error(`the export is larger than ${MAX_EXPORT_BYTES / 1024 / 1024} MB`);
    const name = exportFileName(msg.filename, msg.format);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: `Export the reachability matrix as ${FORMATS[msg.format]}`,
      saveLabel: 'Export',
      filters: { [FORMATS[msg.format]]: [msg.format] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    this.services.log.info(`matrix panel: exported ${bytes.byteLength} bytes of ${msg.format.toUpperCase()} to ${target.toString(true)}`);
    void vscode.window.showInformationMessage(`NetLens: saved ${vscode.workspace.asRelativePath(target)}`);
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
