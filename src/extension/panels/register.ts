// The reachability matrix and policy graph panels: their commands (palette, cluster view
// namespace and pod nodes, policy editors, YAML files in the explorer), one panel of each kind
// reused rather than many, restored after a reload by their serializers. Both work in Restricted
// Mode: they read only the active data source, which is the workspace there.
import * as vscode from 'vscode';
import type { GraphFocus } from '../../core/graph/policy-graph';
import type { MatrixFilter } from '../../core/matrix/filter';
import { podKey } from '../../core/model';
import { isManifestDocument, mayHoldNetworkPolicy } from '../documents';
import type { Registrar } from '../register';
import type { Services } from '../services';
import { GRAPH_FOCUS_KEY, GRAPH_VIEW_TYPE, GraphPanel } from './graph-panel';
import { MATRIX_VIEW_TYPE, MatrixPanel } from './matrix-panel';
import { isGraphFocus } from './texts';
import { fileNamespaces, indexReady, panelTarget, webviewOptions } from './webview';

export const PANEL_COMMANDS = {
  showMatrix: 'netlens.showMatrix',
  showPolicyGraph: 'netlens.showPolicyGraph',
} as const;

/** Context key: the active editor holds a NetworkPolicy (editor title and context menus). */
export const POLICY_EDITOR_CONTEXT = 'netlens.policyEditor';
const CONTEXT_DEBOUNCE_MS = 300;

interface FocusItem extends vscode.QuickPickItem {
  readonly focus?: GraphFocus;
}

/** The palette's quick pick: namespaces first, then pods, of the active data source. */
async function pickFocus(services: Services): Promise<GraphFocus | undefined> {
  await indexReady(services);
  const data = services.sources.view();
  const { pods, policies } = data.snapshot;
  const namespaces = [...new Set([...data.snapshot.namespaces.map((n) => n.name), ...pods.map((p) => p.namespace), ...policies.map((p) => p.namespace)])].sort();
  if (namespaces.length === 0) {
    void vscode.window.showInformationMessage(`NetLens: no namespaces or pods in the ${data.name === 'workspace' ? 'workspace manifests' : data.name}.`);
    return undefined;
  }
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const items: FocusItem[] = [
    { label: 'Namespaces', kind: vscode.QuickPickItemKind.Separator },
    ...namespaces.map((ns) => ({
      label: ns,
      description: `${count(pods.filter((p) => p.namespace === ns).length, 'pod', 'pods')}, ${count(policies.filter((p) => p.namespace === ns).length, 'policy', 'policies')}`,
      iconPath: new vscode.ThemeIcon('symbol-namespace'),
      focus: { kind: 'namespace', namespace: ns } as const,
    })),
    { label: 'Pods', kind: vscode.QuickPickItemKind.Separator },
    ...[...pods]
      .sort((a, b) => podKey(a).localeCompare(podKey(b)))
      .map((p) => ({ label: p.name, description: p.namespace, iconPath: new vscode.ThemeIcon('vm'), focus: { kind: 'pod', pod: podKey(p) } as const })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'NetLens: Show Policy Graph',
    placeHolder: 'The namespace or pod to draw the policies around',
    matchOnDescription: true,
  });
  return picked?.focus;
}

export function registerPanels(reg: Registrar, services: Services, workspaceState: vscode.Memento): void {
  const { log } = services;
  let matrix: MatrixPanel | undefined;
  let graph: GraphPanel | undefined;
  // The panels are not disposed on deactivate: closing them then would also drop them from the
  // window's saved layout, and the serializers below could not restore them.

  const adoptGraph = (panel: vscode.WebviewPanel, focus: GraphFocus): GraphPanel => {
    const created = new GraphPanel(panel, services, workspaceState, focus);
    created.onDidDispose(() => {
      if (graph === created) graph = undefined;
    });
    return (graph = created);
  };

  const showGraph = async (focus: GraphFocus, column = vscode.ViewColumn.Active): Promise<void> => {
    if (graph) {
      graph.show(focus);
      return;
    }
    adoptGraph(vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, 'Policy Graph', { viewColumn: column }, webviewOptions(services.extensionUri)), focus);
  };

  const adoptMatrix = (panel: vscode.WebviewPanel, filter: MatrixFilter | undefined): MatrixPanel => {
    const created = new MatrixPanel(panel, services, workspaceState, (focus) => showGraph(focus, vscode.ViewColumn.Beside), filter);
    created.onDidDispose(() => {
      if (matrix === created) matrix = undefined;
    });
    return (matrix = created);
  };

  reg.command(PANEL_COMMANDS.showMatrix, async (arg: unknown) => {
    const target = panelTarget(arg);
    let filter: MatrixFilter | undefined;
    if (target?.kind === 'namespace') filter = { namespaces: [target.namespace] };
    else if (target?.kind === 'pod') filter = { namespaces: [target.pod.slice(0, target.pod.indexOf('/'))] };
    else if (target?.kind === 'file') {
      const namespaces = await fileNamespaces(services, target.uri);
      if (namespaces.length === 0) {
        void vscode.window.showInformationMessage(`NetLens: ${vscode.workspace.asRelativePath(target.uri)} holds no namespaced Kubernetes object; showing every namespace.`);
      }
      filter = { namespaces };
    }
    if (matrix) {
      matrix.reveal(filter);
      return;
    }
    const column = target?.kind === 'file' ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(MATRIX_VIEW_TYPE, 'Reachability Matrix', { viewColumn: column }, webviewOptions(services.extensionUri));
    adoptMatrix(panel, filter ?? MatrixPanel.savedFilter(workspaceState));
  });

  reg.command(PANEL_COMMANDS.showPolicyGraph, async (arg: unknown) => {
    const target = panelTarget(arg);
    let focus: GraphFocus | undefined;
    if (target?.kind === 'namespace') focus = { kind: 'namespace', namespace: target.namespace };
    else if (target?.kind === 'pod') focus = { kind: 'pod', pod: target.pod };
    else if (target?.kind === 'file') {
      const [namespace] = await fileNamespaces(services, target.uri);
      if (namespace !== undefined) focus = { kind: 'namespace', namespace };
      else void vscode.window.showInformationMessage(`NetLens: ${vscode.workspace.asRelativePath(target.uri)} holds no namespaced Kubernetes object: pick a namespace or a pod.`);
    }
    focus ??= await pickFocus(services);
    if (focus) await showGraph(focus, target?.kind === 'file' ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active);
  });

  reg.add(
    vscode.window.registerWebviewPanelSerializer(MATRIX_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        if (matrix) {
          panel.dispose();
          return;
        }
        // The page saved its own filter (vscode.setState) unless it never got one.
        const pageHasFilter = typeof state === 'object' && state !== null && 'filter' in state;
        adoptMatrix(panel, pageHasFilter ? undefined : MatrixPanel.savedFilter(workspaceState));
        log.info('matrix panel: restored after a reload');
      },
    }),
  );
  reg.add(
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        const focus = workspaceState.get<unknown>(GRAPH_FOCUS_KEY);
        if (graph || !isGraphFocus(focus)) {
          panel.dispose();
          return;
        }
        adoptGraph(panel, focus);
        log.info('policy graph panel: restored after a reload');
      },
    }),
  );

  // The editor title and context menus offer the panels on NetworkPolicy documents only.
  let holdsPolicy: boolean | undefined;
  let timer: NodeJS.Timeout | undefined;
  const updateContext = (): void => {
    clearTimeout(timer);
    const document = vscode.window.activeTextEditor?.document;
    const value = document !== undefined && isManifestDocument(document) && mayHoldNetworkPolicy(document.getText());
    if (value === holdsPolicy) return;
    holdsPolicy = value;
    void vscode.commands.executeCommand('setContext', POLICY_EDITOR_CONTEXT, value);
  };
  reg.add(vscode.window.onDidChangeActiveTextEditor(updateContext));
  reg.add(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== vscode.window.activeTextEditor?.document) return;
      clearTimeout(timer);
      timer = setTimeout(updateContext, CONTEXT_DEBOUNCE_MS);
    }),
  );
  reg.add({ dispose: () => clearTimeout(timer) });
  updateContext();
}
