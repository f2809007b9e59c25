// The cluster view's state: which kubeconfig and context, the live connection, the tree model
// and the data source the editor features use. The cluster layer is loaded on the first call
// of ensureStarted() (the view's first getChildren), in a trusted workspace only.
//
// Watch events are applied in batches (CHANGE_BATCH_MS after the first event of a burst) and
// become onDidChangeTree(nodes) with the few nodes they affect; undefined means "the whole
// tree" (connecting, switching context, filtering).
import * as vscode from 'vscode';
import type { ChangeEvent } from '../../cluster/watcher';
import { ClusterTreeModel, type TreeChange, type TreeNode } from '../../core/tree/cluster-tree';
import { describeFilter, isFiltered, type TreeFilter } from '../../core/tree/filter';
import { TREE_COMMANDS } from '../../core/tree/messages';
import { ClusterSource } from '../cluster-source';
import { errorText, rememberSecrets } from '../log';
import type { Services } from '../services';
import { loadClusterRuntime } from './load-runtime';
import type { KubeconfigHandle, LiveCluster } from './cluster-runtime';

export type ViewState = 'idle' | 'untrusted' | 'noKubeconfig' | 'ready';

/** Watch events arriving within this window after the first one are applied together. */
const CHANGE_BATCH_MS = 100;

export interface PolicyRef {
  readonly context: string;
  readonly namespace: string;
  readonly name: string;
}

export interface UpdateStats {
  readonly events: number;
  readonly nodes: readonly string[];
  readonly ms: number;
}

export class ClusterViewController implements vscode.Disposable {
  readonly model = new ClusterTreeModel();
  private readonly treeEmitter = new vscode.EventEmitter<TreeNode[] | undefined>();
  /** Nodes to refresh; undefined: everything. */
  readonly onDidChangeTree = this.treeEmitter.event;
  private readonly policyEmitter = new vscode.EventEmitter<PolicyRef[]>();
  /** NetworkPolicies that changed or went (for open read-only documents). */
  readonly onDidChangePolicies = this.policyEmitter.event;
  private readonly stateEmitter = new vscode.EventEmitter<ViewState>();
  readonly onDidChangeState = this.stateEmitter.event;

  private stateValue: ViewState = 'idle';
  private started: Promise<void> | undefined;
  private liveValue: LiveCluster | undefined;
  private liveListeners: { dispose(): void }[] = [];
  private source: ClusterSource | undefined;
  private generation = 0;
  private connecting: Promise<void> = Promise.resolve();
  private pending: TreeChange[] = [];
  private changeTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private applied: { kubeconfig: string | undefined; context: string | undefined; namespaces: string } | undefined;
  /** Chosen with "Switch Context" (also written to netlens.context when trusted). */
  private chosenContext: string | undefined;
  private loggedErrors = new Set<string>();
  private lastUpdateValue: UpdateStats | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    this.disposables.push(
      services.config.onDidChange(() => this.settingsChanged()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        // The view asked while untrusted: let it ask again.
        if (this.stateValue === 'untrusted') this.setState('idle');
        this.treeEmitter.fire(undefined);
      }),
    );
  }

  get state(): ViewState {
    return this.stateValue;
  }

  get live(): LiveCluster | undefined {
    return this.liveValue;
  }

  get lastUpdate(): UpdateStats | undefined {
    return this.lastUpdateValue;
  }

  /** Resolves when whatever connection was last asked for has connected or failed. */
  whenConnected(): Promise<void> {
    return this.connecting;
  }

  /**
   * Loads the cluster layer and reads the kubeconfig, once (the view's first getChildren).
   * Connecting continues in the background; the tree says "Connecting…" meanwhile.
   */
  ensureStarted(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.setState('untrusted');
      return Promise.resolve();
    }
    this.started ??= this.connect('the view was opened');
    return this.started;
  }

  /** Reads the kubeconfig again and reconnects (Refresh, Retry). */
  reconnect(reason: string): Promise<void> {
    if (!vscode.workspace.isTrusted) return Promise.resolve();
    this.started = this.connect(reason);
    return this.started;
  }

  async switchContext(context: string): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    this.chosenContext = context;
    const started = this.reconnect(`switched to context ${context}`);
    // Remembered for the next session; a restricted configuration, so only in user settings
    // and only from a trusted workspace (checked above).
    const conf = vscode.workspace.getConfiguration('netlens');
    if (conf.inspect<string>('context')?.globalValue !== context) await conf.update('context', context, vscode.ConfigurationTarget.Global);
    await started;
  }

  setFilter(filter: TreeFilter): void {
    this.model.setFilter(filter);
    void vscode.commands.executeCommand('setContext', 'netlens.clusterView.filtered', isFiltered(filter));
    this.services.log.info(`cluster view: filter ${isFiltered(filter) ? describeFilter(filter) : 'cleared'}`);
    this.treeEmitter.fire(undefined);
  }

  refreshNodes(nodes: TreeNode[] | undefined): void {
    this.treeEmitter.fire(nodes);
  }

  // -------------------------------------------------------------------------------------------

  private setState(state: ViewState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    void vscode.commands.executeCommand('setContext', 'netlens.clusterView.state', state);
    this.stateEmitter.fire(state);
  }

  private settingsChanged(): void {
    if (!this.started || !this.applied) return;
    const s = this.services.config.settings;
    if (s.kubeconfig !== this.applied.kubeconfig || s.namespaces.join(',') !== this.applied.namespaces) {
      void this.reconnect('settings changed');
      return;
    }
    if (s.context !== this.applied.context) {
      this.applied = { ...this.applied, context: s.context };
      if (s.context !== undefined && s.context !== this.model.activeContext) {
        this.chosenContext = s.context;
        void this.reconnect(`netlens.context changed to ${s.context}`);
      }
    }
  }

  private async connect(reason: string): Promise<void> {
    const generation = ++this.generation;
    const { log } = this.services;
    await this.disconnect();
    if (generation !== this.generation) return;
    let runtime;
    try {
      runtime = await loadClusterRuntime();
    } catch (error) {
      // A broken installation or build: say so in the view rather than showing nothing.
      log.error(`cluster view: cannot load the cluster layer: ${errorText(error)}`);
      if (generation !== this.generation) return;
      const message = error instanceof Error ? error.message : String(error);
      this.model.setRootMessage({
        key: 'load',
        severity: 'error',
        kind: 'load',
        label: 'Cannot load the cluster layer',
        detail: `${message}. The extension's files may be incomplete: reinstall it. Details are in the log.`,
        actions: [
          { title: 'Show Log', command: TREE_COMMANDS.showLog, icon: 'output' },
          { title: 'Retry', command: TREE_COMMANDS.retry, icon: 'refresh' },
        ],
      });
      this.setState('ready');
      this.treeEmitter.fire(undefined);
      return;
    }
    if (generation !== this.generation) return;
    const settings = this.services.config.settings;
    this.applied = { kubeconfig: settings.kubeconfig, context: settings.context, namespaces: settings.namespaces.join(',') };
    const found = runtime.discover({ path: settings.kubeconfig });
    if (found.state === 'none') {
      log.warn(`cluster view: ${found.message} (searched: ${found.searched.join(', ') || 'nothing'})`);
      this.model.setContexts([], undefined);
      this.setState('noKubeconfig');
      this.treeEmitter.fire(undefined);
      return;
    }
    const kubeconfig = found.kubeconfig;
    rememberSecrets(log, kubeconfig.secretValues());
    const contexts = kubeconfig.contexts();
    const names = contexts.map((c) => c.name);
    const wanted = this.chosenContext ?? settings.context ?? kubeconfig.currentContext;
    const context = wanted ?? names[0];
    log.info(`cluster view: kubeconfig ${kubeconfig.files.join(', ') || `(${kubeconfig.source})`}, ${contexts.length} context(s); ${reason}`);
    if (context === undefined) {
      log.warn('cluster view: the kubeconfig defines no contexts');
      this.model.setContexts([], undefined);
      this.setState('noKubeconfig');
      this.treeEmitter.fire(undefined);
      return;
    }
    this.model.setContexts(contexts, context);
    this.setState('ready');
    this.treeEmitter.fire(undefined);
    this.connecting = this.open(generation, kubeconfig, context, settings.namespaces, runtime.describeError);
  }

  private async open(
    generation: number,
    kubeconfig: KubeconfigHandle,
    context: string,
    namespaces: readonly string[],
    describeError: (error: unknown) => { kind: string; message: string; detail?: string },
  ): Promise<void> {
    const { log } = this.services;
    const started = performance.now();
    log.info(`cluster view: connecting to context ${context}${namespaces.length ? ` (namespaces ${namespaces.join(', ')})` : ''}`);
    let live: LiveCluster;
    try {
      live = await kubeconfig.connect(context, { namespaces });
    } catch (error) {
      if (generation !== this.generation) return;
      const e = describeError(error);
      log.error(`cluster view: cannot connect to context ${context}: ${e.message}${e.detail ? ` [${e.detail}]` : ''}`);
      this.model.setStatus({ phase: 'failed', error: { kind: e.kind, message: e.message }, streamErrors: [], hidden: [], streams: [] });
      this.treeEmitter.fire(undefined);
      return;
    }
    if (generation !== this.generation) {
      await live.dispose();
      return;
    }
    this.liveValue = live;
    const snapshot = live.watcher.snapshot();
    this.model.setSnapshot(snapshot);
    this.model.setStatus(live.status());
    this.treeEmitter.fire(undefined);
    log.info(
      `cluster view: context ${context}: ${snapshot.namespaces.length} namespaces, ${snapshot.pods.length} pods, ` +
        `${snapshot.policies.length} NetworkPolicies, ${snapshot.services.length} services in ${Math.round(performance.now() - started)} ms`,
    );
    this.logStatus(live);
    this.liveListeners = [live.onDidChange((events) => this.queue(events)), live.onDidChangeStatus(() => this.scheduleStatus())];
    this.useAsSource(live);
  }

  /**
   * The editor features switch to the cluster's pods once it has listed them: an unreachable
   * cluster's empty snapshot would make every selector "match nothing".
   */
  private useAsSource(live: LiveCluster): void {
    if (this.source || !live.watcher.streams().some((s) => s.resource === 'pods' && s.synced)) return;
    this.source = new ClusterSource(live.context, live.watcher);
    this.services.sources.use(this.source);
    this.services.log.info(`cluster view: CodeLens, diagnostics and hovers now use the pods of context ${live.context}`);
  }

  private async disconnect(): Promise<void> {
    clearTimeout(this.changeTimer);
    clearTimeout(this.statusTimer);
    this.changeTimer = this.statusTimer = undefined;
    this.pending = [];
    for (const l of this.liveListeners) l.dispose();
    this.liveListeners = [];
    if (this.source) {
      this.services.sources.use(undefined);
      this.source.dispose();
      this.source = undefined;
    }
    const live = this.liveValue;
    this.liveValue = undefined;
    this.loggedErrors.clear();
    if (live) {
      this.services.log.info(`cluster view: disconnected from context ${live.context}`);
      await live.dispose();
    }
  }

  private queue(events: readonly ChangeEvent[]): void {
    for (const e of events) this.pending.push(e.namespace === undefined ? { type: e.type, kind: e.kind, name: e.name } : { type: e.type, kind: e.kind, namespace: e.namespace, name: e.name });
    this.changeTimer ??= setTimeout(() => this.flush(), CHANGE_BATCH_MS);
  }

  private flush(): void {
    this.changeTimer = undefined;
    const events = this.pending;
    this.pending = [];
    const live = this.liveValue;
    if (!live || events.length === 0) return;
    const started = performance.now();
    const nodes = this.model.applyChanges(live.watcher.snapshot(), events);
    const ms = performance.now() - started;
    this.lastUpdateValue = { events: events.length, nodes: nodes.map((n) => n.id), ms };
    this.services.log.trace(`cluster view: ${events.length} change(s) → ${nodes.length} node(s) refreshed in ${ms.toFixed(1)} ms`);
    if (nodes.length) this.treeEmitter.fire(nodes);
    const policies = events.filter((e) => e.kind === 'NetworkPolicy' && e.namespace !== undefined).map((e) => ({ context: live.context, namespace: e.namespace!, name: e.name }));
    if (policies.length) this.policyEmitter.fire(policies);
  }

  private scheduleStatus(): void {
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = undefined;
      const live = this.liveValue;
      if (!live) return;
      const nodes = this.model.setStatus(live.status());
      this.logStatus(live);
      this.useAsSource(live);
      if (nodes.length) this.treeEmitter.fire(nodes);
    }, CHANGE_BATCH_MS);
  }

  /** Logs each new stream error and hidden resource once. */
  private logStatus(live: LiveCluster): void {
    const now = new Set<string>();
    for (const line of live.errorDetails()) {
      now.add(line);
      if (!this.loggedErrors.has(line)) this.services.log.warn(`cluster view: ${line}`);
    }
    for (const h of live.watcher.hidden()) {
      const line = `hidden: ${h.resource} in ${h.namespace === '*' ? 'all namespaces' : h.namespace}: ${h.reason}`;
      now.add(line);
      if (!this.loggedErrors.has(line)) this.services.log.info(`cluster view: ${line}`);
    }
    this.loggedErrors = now;
  }

  dispose(): void {
    this.generation++;
    void this.disconnect();
    for (const d of this.disposables) d.dispose();
    this.treeEmitter.dispose();
    this.policyEmitter.dispose();
    this.stateEmitter.dispose();
  }
}
