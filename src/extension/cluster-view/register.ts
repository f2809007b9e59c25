// The cluster view (activity bar "NetLens" → "Cluster"): contexts → namespaces → pods,
// NetworkPolicies and services of a live cluster. Registering is cheap and loads nothing:
// the cluster layer is imported when the view is first shown, in a trusted workspace only
// (controller.ts, load-runtime.ts).
import * as vscode from 'vscode';
import { describeFilter } from '../../core/tree/filter';
import type { TreeNode } from '../../core/tree/cluster-tree';
import type { Registrar } from '../register';
import type { Services } from '../services';
import { registerClusterCommands, VIEW_ID } from './commands';
import { ClusterViewController } from './controller';
import { CLUSTER_SCHEME, PolicyDocuments } from './policy-documents';
import { ClusterTreeProvider } from './tree-provider';

export function registerClusterView(reg: Registrar, services: Services): void {
  const controller = reg.add(new ClusterViewController(services));
  const provider = reg.add(new ClusterTreeProvider(controller, services.extensionUri, services.log));
  const view = reg.add(vscode.window.createTreeView<TreeNode>(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true }));
  reg.add(vscode.window.registerFileDecorationProvider(provider));
  reg.add(vscode.workspace.registerTextDocumentContentProvider(CLUSTER_SCHEME, reg.add(new PolicyDocuments(controller, services.log))));
  // The active filter is the view's description ("ns prod* · app=web") and, because a view
  // alone in its container shows no description, also a message above the tree.
  reg.add(
    controller.onDidChangeTree((nodes) => {
      if (nodes !== undefined) return;
      const filter = describeFilter(controller.model.filter);
      view.description = filter || undefined;
      view.message = filter && controller.state === 'ready' ? `Filtered: ${filter}` : undefined;
    }),
  );
  registerClusterCommands(reg, services, controller, view, provider);
}
