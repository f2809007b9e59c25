// A live cluster context as a SnapshotSource: while the cluster view is connected, the editor
// features (CodeLens, diagnostics, hovers) evaluate workspace policies against its pods and
// namespaces and say so ("selects 3 pods (context prod)"). The watcher is only referenced
// by type here: this file is part of the extension bundle, the cluster layer is not.
import * as vscode from 'vscode';
import type { ChangeEvent, ClusterWatcher } from '../cluster/watcher';
import type { ClusterSnapshot } from '../core/model';
import type { SnapshotSource } from './snapshot-source';

/** What the source needs from a ClusterWatcher. */
export type WatcherView = Pick<ClusterWatcher, 'snapshot' | 'hidden' | 'streams' | 'onDidChange' | 'onDidChangeStatus'>;

/** Editors re-evaluate at most this often while the cluster changes. */
const CHANGE_DEBOUNCE_MS = 250;

export class ClusterSource implements SnapshotSource, vscode.Disposable {
  readonly name: string;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly listeners: { dispose(): void }[];
  private timer: NodeJS.Timeout | undefined;
  private wasComplete: boolean;

  constructor(
    readonly context: string,
    private readonly watcher: WatcherView,
  ) {
    this.name = `context ${context}`;
    this.wasComplete = this.complete;
    this.listeners = [
      watcher.onDidChange((events: readonly ChangeEvent[]) => {
        // Services do not change what a policy selects or admits.
        if (events.some((e) => e.kind !== 'Service')) this.schedule();
      }),
      watcher.onDidChangeStatus(() => {
        if (this.complete !== this.wasComplete) this.schedule();
      }),
    ];
  }

  get snapshot(): ClusterSnapshot {
    return this.watcher.snapshot();
  }

  /**
   * Every namespace, pod and policy is known: nothing is hidden by RBAC and every stream has
   * listed. Lint rules only say "matches nothing" with certainty when this holds.
   */
  get complete(): boolean {
    return this.watcher.hidden().length === 0 && this.watcher.streams().every((s) => s.synced);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wasComplete = this.complete;
      this.emitter.fire();
    }, CHANGE_DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const l of this.listeners) l.dispose();
    this.emitter.dispose();
  }
}
