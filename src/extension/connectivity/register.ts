// "NetLens: Test Connectivity" and the actions around its report. Registering is cheap and
// loads nothing: the cluster layer is imported on the first test, in a trusted workspace only
// (controller.ts, load-runtime.ts). The commands stay registered in Restricted Mode and say why
// they do nothing there.
import * as vscode from 'vscode';
import type { Registrar } from '../register';
import type { Services } from '../services';
import { CONNECTIVITY_COMMANDS, ConnectivityController } from './controller';
import { connectivityRuntimeLoaded } from './load-runtime';
import { REPORT_SCHEME, ReportLenses, ReportStore } from './reports';

/** Not contributed: the feature's state, for tests and bug reports. */
export const INSPECT_CONNECTIVITY = 'netlens.connectivity.inspect';

/**
 * @param state where the recent tests are kept (the extension's globalState: they name pods and
 *   contexts of the user's clusters, not of the workspace)
 */
export function registerConnectivity(reg: Registrar, services: Services, state: vscode.Memento): void {
  const reports = reg.add(new ReportStore());
  reg.add(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports));
  const lenses = reg.add(
    new ReportLenses(reports, {
      rerun: CONNECTIVITY_COMMANDS.rerun,
      generateFix: CONNECTIVITY_COMMANDS.generateFix,
      checkConntrack: CONNECTIVITY_COMMANDS.checkConntrack,
      showLog: 'netlens.showLog',
    }),
  );
  reg.add(vscode.languages.registerCodeLensProvider({ scheme: REPORT_SCHEME }, lenses));
  const controller = new ConnectivityController(services, state, reports);

  reg.command(CONNECTIVITY_COMMANDS.test, (arg: unknown) => controller.test(arg));
  reg.command(CONNECTIVITY_COMMANDS.rerun, (arg: unknown) => controller.rerun(arg));
  reg.command(CONNECTIVITY_COMMANDS.generateFix, (arg: unknown) => controller.generateFix(arg));
  reg.command(CONNECTIVITY_COMMANDS.apply, (arg: unknown) => controller.apply(arg));
  reg.command(CONNECTIVITY_COMMANDS.checkConntrack, (arg: unknown) => controller.checkConntrack(arg));
  reg.command(INSPECT_CONNECTIVITY, () => ({
    trusted: vscode.workspace.isTrusted,
    clusterLayerLoaded: connectivityRuntimeLoaded(),
    reports: vscode.workspace.textDocuments.filter((d) => d.uri.scheme === REPORT_SCHEME).map((d) => d.uri.toString()),
    recentTests: controller.recentTitles(),
  }));
}
