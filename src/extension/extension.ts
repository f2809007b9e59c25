// The entry point. It only wires: the log, the settings, the workspace index and the data
// sources, then each feature's register function. Activation does no parsing and no file I/O;
// the index starts on the first NetworkPolicy document (docs/architecture.md, "Startup flow").
// The cluster layer (src/cluster) is not imported here: the cluster view will load it with a
// dynamic import() on first use.
import * as vscode from 'vscode';
import { registerClusterView } from './cluster-view/register';
import { registerCodeActions } from './code-actions';
import { registerCodeLens } from './code-lens';
import { registerCommands } from './commands';
import { Config } from './config';
import { registerConnectivity } from './connectivity/register';
import { registerDiagnostics } from './diagnostics';
import { registerEditDiff } from './edit-diff/register';
import { EditDiffService } from './edit-diff/service';
import { registerHover } from './hover';
import { createLog } from './log';
import { registerPanels } from './panels/register';
import { createRegistrar } from './register';
import type { Services } from './services';
import { DataSources } from './snapshot-source';
import { WorkspaceIndex } from './workspace-index';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = createLog();
  const reg = createRegistrar(context, log);
  reg.add(log);
  const config = reg.add(new Config(log));
  const index = reg.add(new WorkspaceIndex(log));
  const sources = reg.add(new DataSources(index));
  const editDiff = reg.add(new EditDiffService(log, config, index, sources));
  const { version } = context.extension.packageJSON as { version?: string };
  const services: Services = { log, config, index, sources, editDiff, extensionUri: context.extensionUri, version: version ?? '(unknown version)' };

  registerCommands(reg, services);
  const lintResults = registerDiagnostics(reg, services);
  registerCodeActions(reg, services, lintResults);
  registerCodeLens(reg, services);
  registerEditDiff(reg, services);
  registerHover(reg, services);
  registerClusterView(reg, services);
  registerConnectivity(reg, services, context.globalState);
  registerPanels(reg, services, context.workspaceState);
  index.startIfPolicyOpen();

  log.info(
    `NetLens ${services.version} activated in ${(performance.now() - started).toFixed(1)} ms ` +
      `(${vscode.workspace.isTrusted ? 'trusted workspace' : 'Restricted Mode: workspace data only'})`,
  );
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
