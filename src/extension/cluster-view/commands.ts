// The cluster view's commands (package.json: category "NetLens", menus on view/title and on
// tree items by contextValue). Item commands take the tree node VS Code passes, or the
// selection when run from the keyboard.
import * as vscode from 'vscode';
import { policiesAffecting } from '../../core/tree/affecting';
import type { TreeNode } from '../../core/tree/cluster-tree';
import { describeFilter, parseLabelFilter, parseNamespaceFilter, type TreeFilter } from '../../core/tree/filter';
import { TREE_COMMANDS } from '../../core/tree/messages';
import { itemOf } from '../../core/tree/render';
import { formatSelector } from '../../core/selector';
import type { Registrar } from '../register';
import type { Services } from '../services';
import { clusterRuntimeLoaded } from './load-runtime';
import type { ClusterViewController } from './controller';
import { CLUSTER_SCHEME, policyUri } from './policy-documents';
import type { ClusterTreeProvider } from './tree-provider';

export const VIEW_ID = 'netlens.clusterView';
/** Implemented by the connectivity feature; the view only hands it the pod. */
export const TEST_CONNECTIVITY = 'netlens.testConnectivity';

export const CLUSTER_COMMANDS = {
  refresh: 'netlens.refreshClusterView',
  switchContext: TREE_COMMANDS.switchContext,
  filter: 'netlens.filterClusterView',
  clearFilter: 'netlens.clearClusterViewFilter',
  chooseKubeconfig: TREE_COMMANDS.chooseKubeconfig,
  chooseNamespaces: TREE_COMMANDS.chooseNamespaces,
  openPolicy: TREE_COMMANDS.openPolicy,
  showPodPolicies: 'netlens.showPodPolicies',
  testPodConnectivity: 'netlens.testPodConnectivity',
  copyName: 'netlens.copyName',
  copyPodIp: 'netlens.copyPodIp',
  retry: TREE_COMMANDS.retry,
  showDetails: TREE_COMMANDS.showDetails,
  showMore: TREE_COMMANDS.showMore,
  /** Not contributed: the view's state for tests and bug reports. */
  inspect: 'netlens.clusterView.inspect',
} as const;

const UNTRUSTED = 'NetLens: cluster access needs a trusted workspace (a kubeconfig can run credential plugins).';

/** The argument of `netlens.testConnectivity`. */
export interface ConnectivitySource {
  readonly context: string;
  readonly namespace: string;
  readonly pod: string;
}

/** The arguments of `netlens.filterClusterView` when run without the input boxes. */
export interface FilterArgs {
  readonly namespaces?: string;
  readonly labels?: string;
}

function isNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' && typeof (value as { kind?: unknown }).kind === 'string';
}

export function registerClusterCommands(reg: Registrar, services: Services, controller: ClusterViewController, view: vscode.TreeView<TreeNode>, provider: ClusterTreeProvider): void {
  const { log } = services;
  const model = controller.model;
  const nodeArg = (arg: unknown): TreeNode | undefined => (isNode(arg) ? arg : view.selection[0]);
  // Messages are not awaited: a command returns at once, the notification stays.
  const trusted = (): boolean => {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showInformationMessage(UNTRUSTED);
    return false;
  };

  reg.command(CLUSTER_COMMANDS.refresh, async () => {
    if (trusted()) await controller.reconnect('refresh');
  });

  reg.command(CLUSTER_COMMANDS.retry, async () => {
    if (trusted()) await controller.reconnect('retry');
  });

  reg.command(CLUSTER_COMMANDS.switchContext, async (arg: unknown) => {
    if (!trusted()) return;
    await controller.ensureStarted();
    let name = typeof arg === 'string' ? arg : isNode(arg) && arg.kind === 'context' ? arg.context : undefined;
    if (name === undefined) {
      if (model.contexts.length === 0) {
        const choice = await vscode.window.showInformationMessage('NetLens: no kubeconfig with contexts was found.', 'Choose Kubeconfig File');
        if (choice) await vscode.commands.executeCommand(CLUSTER_COMMANDS.chooseKubeconfig);
        return;
      }
      const picked = await vscode.window.showQuickPick(
        model.contexts.map((c) => ({
          label: c.name,
          description: [c.name === model.activeContext ? 'current' : '', c.cluster ? `cluster ${c.cluster}` : '', c.namespace ? `namespace ${c.namespace}` : ''].filter(Boolean).join(' · '),
          detail: c.server,
          name: c.name,
        })),
        { title: 'NetLens: Switch Context', placeHolder: 'Context to show in the cluster view', matchOnDescription: true },
      );
      name = picked?.name;
    }
    if (name !== undefined) await controller.switchContext(name);
  });

  reg.command(CLUSTER_COMMANDS.filter, async (arg: unknown) => {
    let filter: TreeFilter = model.filter;
    if (typeof arg === 'object' && arg !== null && !isNode(arg)) {
      const a = arg as FilterArgs;
      const namespaces = parseNamespaceFilter(a.namespaces ?? '');
      const labels = parseLabelFilter(a.labels ?? '');
      if (!namespaces.ok) throw new Error(namespaces.error);
      if (!labels.ok) throw new Error(labels.error);
      filter = { namespaces: namespaces.value, ...(labels.value ? { labels: labels.value } : {}) };
    } else {
      const current = describeFilter(model.filter);
      const what = await vscode.window.showQuickPick(
        [
          { label: '$(symbol-namespace) Namespaces…', description: model.filter.namespaces.join(', '), what: 'namespaces' as const },
          { label: '$(tag) Pod labels…', description: model.filter.labels ? formatSelector(model.filter.labels) : '', what: 'labels' as const },
          ...(current ? [{ label: '$(clear-all) Clear filter', description: current, what: 'clear' as const }] : []),
        ],
        { title: 'NetLens: Filter Cluster View', placeHolder: 'Filter by namespace or by pod label' },
      );
      if (!what) return;
      if (what.what === 'clear') filter = { namespaces: [] };
      else if (what.what === 'namespaces') {
        const text = await vscode.window.showInputBox({
          title: 'Filter namespaces',
          prompt: 'Names or globs, separated by commas: prod*, kube-system. Empty: every namespace.',
          value: model.filter.namespaces.join(', '),
          validateInput: (v) => {
            const r = parseNamespaceFilter(v);
            return r.ok ? undefined : r.error;
          },
        });
        if (text === undefined) return;
        const r = parseNamespaceFilter(text);
        if (r.ok) filter = { ...model.filter, namespaces: r.value };
      } else {
        const text = await vscode.window.showInputBox({
          title: 'Filter pods by label',
          prompt: 'A label selector as kubectl -l takes it: app=web,tier!=db, env in (prod,staging), !canary. Empty: every pod.',
          value: model.filter.labels ? formatSelector(model.filter.labels) : '',
          validateInput: (v) => {
            const r = parseLabelFilter(v);
            return r.ok ? undefined : r.error;
          },
        });
        if (text === undefined) return;
        const r = parseLabelFilter(text);
        if (r.ok) filter = { namespaces: model.filter.namespaces, ...(r.value ? { labels: r.value } : {}) };
      }
    }
    controller.setFilter(filter);
  });

  reg.command(CLUSTER_COMMANDS.clearFilter, () => controller.setFilter({ namespaces: [] }));

  reg.command(CLUSTER_COMMANDS.chooseKubeconfig, async () => {
    if (!trusted()) return;
    const home = process.env.HOME ?? process.env.USERPROFILE;
    const picked = await vscode.window.showOpenDialog({
      title: 'NetLens: Choose Kubeconfig File',
      openLabel: 'Use This Kubeconfig',
      canSelectMany: false,
      ...(home ? { defaultUri: vscode.Uri.file(`${home}/.kube`) } : {}),
    });
    const file = picked?.[0];
    if (!file) return;
    // A machine-scoped setting: user (or remote machine) settings, never the workspace's.
    await vscode.workspace.getConfiguration('netlens').update('kubeconfig', file.fsPath, vscode.ConfigurationTarget.Global);
    log.info(`cluster view: netlens.kubeconfig set to ${file.fsPath}`);
  });

  reg.command(CLUSTER_COMMANDS.chooseNamespaces, async (arg: unknown) => {
    if (!trusted()) return;
    const conf = vscode.workspace.getConfiguration('netlens');
    let chosen: string[] | undefined;
    if (Array.isArray(arg) && arg.every((a) => typeof a === 'string')) chosen = arg as string[];
    else {
      const current = services.config.settings.namespaces;
      const known = [...new Set([...model.snapshot.namespaces.map((n) => n.name), ...current])].sort();
      if (known.length) {
        const picked = await vscode.window.showQuickPick(
          known.map((name) => ({ label: name, picked: current.includes(name) })),
          { title: 'NetLens: Namespaces to Watch', placeHolder: 'None picked: every namespace your credentials may list', canPickMany: true },
        );
        chosen = picked?.map((p) => p.label);
      } else {
        const text = await vscode.window.showInputBox({
          title: 'NetLens: Namespaces to Watch',
          prompt: 'Namespace names separated by commas. Empty: every namespace your credentials may list.',
          value: current.join(', '),
          validateInput: (v) => {
            const r = parseNamespaceFilter(v);
            return !r.ok ? r.error : r.value.some((n) => n.includes('*')) ? 'Names only, no globs' : undefined;
          },
        });
        const r = text === undefined ? undefined : parseNamespaceFilter(text);
        chosen = r?.ok ? r.value : undefined;
      }
    }
    if (chosen === undefined) return;
    await conf.update('namespaces', chosen, vscode.ConfigurationTarget.Global);
    log.info(`cluster view: netlens.namespaces set to ${chosen.length ? chosen.join(', ') : '(all)'}`);
  });

  reg.command(CLUSTER_COMMANDS.openPolicy, async (arg: unknown) => {
    const node = nodeArg(arg);
    const context = model.activeContext;
    if (!node || node.kind !== 'policy' || context === undefined) return;
    const document = await vscode.workspace.openTextDocument(policyUri({ context, namespace: node.namespace, name: node.name }));
    const yaml = document.languageId === 'yaml' ? document : await vscode.languages.setTextDocumentLanguage(document, 'yaml');
    await vscode.window.showTextDocument(yaml, { preview: true });
  });

  reg.command(CLUSTER_COMMANDS.showPodPolicies, async (arg: unknown) => {
    const node = nodeArg(arg);
    if (!node || node.kind !== 'pod') return;
    const pod = model.pod(node.namespace, node.name);
    if (!pod) return;
    const effects = policiesAffecting(model.snapshot, pod);
    if (effects.length === 0) {
      void vscode.window.showInformationMessage(`No NetworkPolicy selects ${pod.namespace}/${pod.name} or names it as a peer: all its traffic is allowed.`);
      return;
    }
    type Item = vscode.QuickPickItem & { policy?: { namespace: string; name: string } };
    const items: Item[] = [];
    const section = (title: string, kind: 'isolates' | 'peer'): void => {
      const list = effects.filter((e) => e.kind === kind);
      if (!list.length) return;
      items.push({ label: title, kind: vscode.QuickPickItemKind.Separator });
      for (const e of list) items.push({ label: `$(shield) ${e.policy.name}`, description: e.policy.namespace === pod.namespace ? undefined : e.policy.namespace, detail: e.text, policy: e.policy });
    };
    section('Isolate this pod', 'isolates');
    section('Admit this pod as a peer', 'peer');
    const open = { iconPath: new vscode.ThemeIcon('go-to-file'), tooltip: 'Open the policy YAML' };
    const quickPick = vscode.window.createQuickPick<Item>();
    quickPick.title = `Policies affecting ${pod.namespace}/${pod.name}`;
    quickPick.placeholder = 'Pick one to show it in the cluster view';
    quickPick.matchOnDetail = true;
    quickPick.items = items.map((i) => (i.policy ? { ...i, buttons: [open] } : i));
    const done = new Promise<void>((resolve) => {
      quickPick.onDidTriggerItemButton(async (e) => {
        const p = e.item.policy;
        const policyNode = p && model.policyNode(p.namespace, p.name);
        if (policyNode) await vscode.commands.executeCommand(CLUSTER_COMMANDS.openPolicy, policyNode);
      });
      quickPick.onDidAccept(async () => {
        const p = quickPick.selectedItems[0]?.policy;
        quickPick.hide();
        const policyNode = p && model.policyNode(p.namespace, p.name);
        if (policyNode) await view.reveal(policyNode, { select: true, focus: true, expand: 1 });
      });
      quickPick.onDidHide(() => {
        quickPick.dispose();
        resolve();
      });
    });
    quickPick.show();
    await done;
  });

  reg.command(CLUSTER_COMMANDS.testPodConnectivity, async (arg: unknown) => {
    const node = nodeArg(arg);
    const context = model.activeContext;
    if (!node || node.kind !== 'pod' || context === undefined) return;
    const source: ConnectivitySource = { context, namespace: node.namespace, pod: node.name };
    const available = (await vscode.commands.getCommands(true)).includes(TEST_CONNECTIVITY);
    if (!available) {
      log.info(`cluster view: ${TEST_CONNECTIVITY} is not available; asked for ${node.namespace}/${node.name}`);
      void vscode.window.showInformationMessage('NetLens: connectivity tests from a pod are not available in this version yet.');
      return;
    }
    await vscode.commands.executeCommand(TEST_CONNECTIVITY, source);
  });

  reg.command(CLUSTER_COMMANDS.copyName, async (arg: unknown) => {
    const node = nodeArg(arg);
    if (!node) return;
    const name =
      node.kind === 'context' ? node.context : node.kind === 'namespace' ? node.namespace : node.kind === 'pod' || node.kind === 'policy' || node.kind === 'service' ? node.name : itemOf(model, node).label;
    await vscode.env.clipboard.writeText(name);
  });

  reg.command(CLUSTER_COMMANDS.copyPodIp, async (arg: unknown) => {
    const node = nodeArg(arg);
    if (!node || node.kind !== 'pod') return;
    const pod = model.pod(node.namespace, node.name);
    if (!pod?.ips.length) {
      void vscode.window.showInformationMessage(`NetLens: ${node.namespace}/${node.name} has no IP yet.`);
      return;
    }
    await vscode.env.clipboard.writeText(pod.ips.join(', '));
  });

  reg.command(CLUSTER_COMMANDS.showDetails, async (arg: unknown) => {
    const text = typeof arg === 'string' ? arg : isNode(arg) && arg.kind === 'message' ? `${arg.message.label}.\n\n${arg.message.detail}` : undefined;
    if (!text) return;
    log.info(`cluster view: ${text.replace(/\n+/g, ' ')}`);
    const choice = await vscode.window.showInformationMessage(text.replace(/\n+/g, ' '), 'Show Log', 'Choose Namespaces');
    if (choice === 'Show Log') log.show(true);
    else if (choice === 'Choose Namespaces') await vscode.commands.executeCommand(CLUSTER_COMMANDS.chooseNamespaces);
  });

  reg.command(CLUSTER_COMMANDS.showMore, (id: unknown) => {
    const more = typeof id === 'string' ? model.get(id) : undefined;
    if (more?.kind !== 'more') return;
    controller.refreshNodes([model.showMore(more)]);
  });

  // For tests and bug reports: the view's state and a way to walk the tree through the real
  // provider (VS Code offers no API to read another extension's tree).
  reg.command(CLUSTER_COMMANDS.inspect, () => ({
    trusted: vscode.workspace.isTrusted,
    state: controller.state,
    clusterLayerLoaded: clusterRuntimeLoaded(),
    context: model.activeContext,
    description: view.description,
    source: services.sources.view().name,
    timing: provider.timing,
    lastUpdate: controller.lastUpdate,
    whenConnected: () => controller.whenConnected(),
    children: async (path: readonly string[] = []) => {
      let parent: TreeNode | undefined;
      for (const label of path) {
        const kids: TreeNode[] = await provider.getChildren(parent);
        parent = kids.find((k) => provider.getTreeItem(k).label === label);
        if (!parent) throw new Error(`no "${label}" in the cluster view (path ${path.join(' › ')}); saw ${kids.map((k) => String(provider.getTreeItem(k).label)).join(', ')}`);
      }
      const kids = await provider.getChildren(parent);
      return kids.map((k) => {
        const item = provider.getTreeItem(k);
        return {
          id: k.id,
          label: String(item.label),
          description: typeof item.description === 'string' ? item.description : undefined,
          tooltip: item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : undefined,
          contextValue: item.contextValue,
          icon: item.iconPath instanceof vscode.ThemeIcon ? `codicon:${item.iconPath.id}` : item.iconPath && typeof item.iconPath === 'object' && 'light' in item.iconPath ? (item.iconPath.light as vscode.Uri).path.split('/').pop() : undefined,
          badge: item.resourceUri ? new URLSearchParams(item.resourceUri.query).get('badge') ?? undefined : undefined,
          collapsible: item.collapsibleState,
          command: item.command?.command,
          node: k,
        };
      });
    },
    reveal: async (node: TreeNode, options: { expand?: number | boolean; select?: boolean; focus?: boolean } = {}) => view.reveal(node, { select: true, ...options }),
    podNode: (namespace: string, name: string) => model.podNode(namespace, name),
    policyNode: (namespace: string, name: string) => model.policyNode(namespace, name),
    selectionNode: (namespace: string, name: string) => model.selectionNode(namespace, name),
    documents: () => vscode.workspace.textDocuments.filter((d) => d.uri.scheme === CLUSTER_SCHEME).map((d) => d.uri.toString()),
  }));
}
