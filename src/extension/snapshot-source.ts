// Where the pods, namespaces and services around a policy come from. The workspace index is
// always there; a live cluster context (the cluster view, loaded later with a dynamic import)
// plugs in as another SnapshotSource and becomes the active one.
import * as vscode from 'vscode';
import type { ClusterSnapshot } from '../core/model';

export interface SnapshotSource {
  /** Shown in lens titles, hovers and messages: "workspace", or a context name. */
  readonly name: string;
  readonly snapshot: ClusterSnapshot;
  /** True when the data lists every namespace and pod (a live cluster), false for manifests. */
  readonly complete: boolean;
  readonly onDidChange: vscode.Event<void>;
}

/** What the editor features evaluate policies against. */
export interface DataView {
  readonly name: string;
  /** The workspace's policies with the active source's namespaces, pods, services and nodes. */
  readonly snapshot: ClusterSnapshot;
  readonly complete: boolean;
}

/**
 * The workspace (whose policies are the ones being edited) and the active source of
 * everything else. Fires `onDidChange` when either changes or another source is chosen.
 */
export class DataSources implements vscode.Disposable {
  private active: SnapshotSource | undefined;
  private activeListener: vscode.Disposable | undefined;
  private readonly workspaceListener: vscode.Disposable;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private cached: { workspace: ClusterSnapshot; other: ClusterSnapshot; view: DataView } | undefined;

  constructor(readonly workspace: SnapshotSource) {
    this.workspaceListener = workspace.onDidChange(() => this.emitter.fire());
  }

  /** Makes `source` the source of pods and namespaces; undefined goes back to the workspace. */
  use(source: SnapshotSource | undefined): void {
    this.activeListener?.dispose();
    this.active = source;
    this.activeListener = source?.onDidChange(() => this.emitter.fire());
    this.emitter.fire();
  }

  /** The live source chosen with `use()` (a cluster context), or undefined while the workspace serves. */
  get activeSource(): SnapshotSource | undefined {
    return this.active;
  }

  view(): DataView {
    const ws = this.workspace.snapshot;
    const source = this.active ?? this.workspace;
    if (!this.active) return { name: source.name, snapshot: ws, complete: source.complete };
    const other = source.snapshot;
    if (this.cached?.workspace !== ws || this.cached.other !== other) {
      this.cached = { workspace: ws, other, view: { name: source.name, complete: source.complete, snapshot: { ...other, policies: ws.policies } } };
    }
    return this.cached.view;
  }

  dispose(): void {
    this.activeListener?.dispose();
    this.workspaceListener.dispose();
    this.emitter.dispose();
  }
}
