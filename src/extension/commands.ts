// The contributed commands (package.json `contributes.commands`, category "NetLens").
import * as vscode from 'vscode';
import type { PodSummary } from '../core/editor/lenses';
import { podKey } from '../core/model';
import { SHOW_SELECTED_PODS, type SelectedPods } from './code-lens';
import { toRange } from './convert';
import type { Registrar } from './register';
import type { Services } from './services';

interface PodItem extends vscode.QuickPickItem {
  readonly pod: PodSummary;
}

function isSelectedPods(value: unknown): value is SelectedPods {
  const v = value as Partial<SelectedPods> | undefined;
  return typeof v === 'object' && v !== null && typeof v.title === 'string' && Array.isArray(v.pods);
}

function podItem(pod: PodSummary): PodItem {
  const labels = Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  return {
    pod,
    label: pod.name,
    description: [pod.namespace, pod.origin].filter(Boolean).join(' · '),
    detail: `${pod.ips.length ? pod.ips.join(', ') : 'no IP'}${labels ? ` · ${labels}` : ''}`,
  };
}

export function registerCommands(reg: Registrar, services: Services): void {
  const { log, sources } = services;

  reg.command('netlens.showVersion', async () => {
    await vscode.window.showInformationMessage(`Kubernetes Network Lens ${services.version}`);
  });

  reg.command('netlens.showLog', () => log.show(true));

  // The click of a "selects N pods" lens: the pods, then the manifest of the one picked.
  reg.command(SHOW_SELECTED_PODS, async (arg: unknown) => {
    if (!isSelectedPods(arg)) {
      log.warn(`${SHOW_SELECTED_PODS}: called without pods (it is run from a CodeLens)`);
      return;
    }
    const picked = await vscode.window.showQuickPick(arg.pods.map(podItem), {
      title: arg.title,
      placeHolder: 'Pick a pod to open its manifest',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    const pod = sources.view().snapshot.pods.find(
      (p) => podKey(p) === picked.pod.key && (p.origin.type === 'workload') === (picked.pod.origin !== undefined),
    );
    if (!pod?.source) {
      await vscode.window.showInformationMessage(`${picked.pod.key} has no manifest in the workspace.`);
      return;
    }
    await vscode.window.showTextDocument(services.index.uriOf(pod.source.file), { selection: toRange(pod.source.range).with({ end: toRange(pod.source.range).start }) });
  });
}
