// The confirmations before anything is written to a cluster. Texts come from the cluster layer's
// `plannedChanges()` (summary, warnings, how long it lasts), so what the user reads is what will
// be sent. Every question is a modal: a write is never confirmed by a notification that can be
// missed.
//
// Debug containers: asked before the first one per cluster in a VS Code session (the issue's
// "ask before the first change to a cluster, per cluster"); the modal says that later tests in
// that cluster add theirs without asking. Probe pods, node debug pods and policies: asked every
// time. Programmatic callers that pass `confirm: true` (tests, other commands) skip the question.
import * as vscode from 'vscode';
import type { PlannedChange } from './connectivity-runtime';

function changeLines(changes: readonly PlannedChange[]): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    lines.push(`• It ${c.summary}.`);
    for (const w of c.warnings ?? []) lines.push(`  ${w}`);
  }
  return lines;
}

/** Remembers, for this session, the clusters where the user allowed debug containers. */
export class Confirmations {
  private readonly debugContainerClusters = new Set<string>();

  /** `cluster` identifies the cluster: context name and server, so a renamed context asks again. */
  async debugContainer(cluster: string, context: string, changes: readonly PlannedChange[], confirmedByCaller: boolean): Promise<boolean> {
    if (changes.length === 0) return true;
    if (confirmedByCaller) return true;
    if (this.debugContainerClusters.has(cluster)) return true;
    const target = changes[0]!;
    const detail = [
      ...changeLines(changes),
      '',
      `NetLens asks once per cluster: until VS Code restarts, tests from other pods of context ${context} add their debug container without asking again. Pods that already have one reuse it.`,
    ].join('\n');
    const add = 'Add Debug Container';
    const choice = await vscode.window.showWarningMessage(
      `Add an ephemeral debug container to ${target.namespace}/${target.name} (context ${context})? It stays in the pod spec until the pod is replaced.`,
      { modal: true, detail },
      add,
    );
    if (choice !== add) return false;
    this.debugContainerClusters.add(cluster);
    return true;
  }

  /**
   * The Pod Security fallback. `withLabels` and `withoutLabels` are the two probe pods that could
   * be created; the answer says which (or none).
   */
  async probePod(context: string, rejection: string, withLabels: readonly PlannedChange[], withoutLabels: readonly PlannedChange[], source: string): Promise<'with' | 'without' | undefined> {
    const detail = [
      rejection,
      '',
      `NetLens can run the test from a short-lived probe pod in the same namespace instead; it is deleted when the test ends.`,
      '',
      `With ${source}'s labels:`,
      ...changeLines(withLabels.filter((c) => c.verb === 'create')),
      '',
      'Without labels:',
      ...changeLines(withoutLabels.filter((c) => c.verb === 'create')),
    ].join('\n');
    const withButton = 'Probe Pod with Labels';
    const withoutButton = 'Probe Pod without Labels';
    const choice = await vscode.window.showWarningMessage(`Pod Security rejected the debug container. Create a probe pod in context ${context} instead?`, { modal: true, detail }, withButton, withoutButton);
    return choice === withButton ? 'with' : choice === withoutButton ? 'without' : undefined;
  }

  /** The privileged node debug pod: asked every time. */
  async nodeDebugPod(context: string, node: string, changes: readonly PlannedChange[]): Promise<boolean> {
    const create = 'Create Privileged Pod';
    const choice = await vscode.window.showWarningMessage(
      `Create a PRIVILEGED pod on node ${node} (context ${context}) to read its conntrack table?`,
      { modal: true, detail: [...changeLines(changes.filter((c) => c.verb === 'create')), '', 'It is deleted as soon as the read ends.'].join('\n') },
      create,
    );
    return choice === create;
  }

  /** Applying NetworkPolicies: asked every time, naming the context. */
  async applyPolicies(context: string, changes: readonly PlannedChange[]): Promise<boolean> {
    const apply = 'Apply';
    const names = changes.map((c) => `${c.namespace}/${c.name}`).join(', ');
    const detail = [
      ...changeLines(changes),
      '',
      'The API server accepted each policy in a server-side dry run (nothing was stored). It is validated once more right before the create; an existing policy of the same name is never overwritten.',
      `The policies stay until you delete them: ${changes.map((c) => `kubectl delete networkpolicy ${c.name} -n ${c.namespace} --context ${context}`).join('; ')}`,
    ].join('\n');
    const choice = await vscode.window.showWarningMessage(`Apply NetworkPolicy ${names} to context ${context}?`, { modal: true, detail }, apply);
    return choice === apply;
  }
}
