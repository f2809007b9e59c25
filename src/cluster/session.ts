/**
 * One live view of one context at a time: switching context disposes the old watcher (every
 * watch, request and timer) before the new one starts, with new API clients for the new
 * context.
 */
import type { ClusterConnection, Kubeconfig } from './kubeconfig';
import { ClusterWatcher, type ClusterWatcherOptions, type Disposable, type Event } from './watcher';

export class ClusterSession {
  private current?: { connection: ClusterConnection; watcher: ClusterWatcher };
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly switchListeners = new Set<(watcher: ClusterWatcher) => void>();

  /** Fires after a switch, with the new (started) watcher. */
  readonly onDidSwitch: Event<ClusterWatcher> = (listener) => {
    this.switchListeners.add(listener);
    return { dispose: () => void this.switchListeners.delete(listener) } satisfies Disposable;
  };

  constructor(
    private readonly kubeconfig: Kubeconfig,
    private readonly options: ClusterWatcherOptions = {},
  ) {}

  get connection(): ClusterConnection | undefined {
    return this.current?.connection;
  }

  get watcher(): ClusterWatcher | undefined {
    return this.current?.watcher;
  }

  /**
   * Disposes the current watcher, then connects to `context` (default: the kubeconfig's
   * current context) and starts watching. Switches run one after another. Throws a
   * ClusterError (NoContext, ...) when the context cannot be used; the old watcher is gone then.
   */
  switchContext(context?: string, options: ClusterWatcherOptions = this.options): Promise<ClusterWatcher> {
    const run = async (): Promise<ClusterWatcher> => {
      if (this.disposed) throw new Error('ClusterSession is disposed');
      const old = this.current;
      this.current = undefined;
      await old?.watcher.dispose();
      const connection = this.kubeconfig.connect(context);
      const watcher = new ClusterWatcher(connection, options);
      this.current = { connection, watcher };
      await watcher.start();
      for (const l of [...this.switchListeners]) {
        try {
          l(watcher);
        } catch {
          // A listener's bug must not break switching.
        }
      }
      return watcher;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    const old = this.current;
    this.current = undefined;
    this.switchListeners.clear();
    await old?.watcher.dispose();
  }
}
