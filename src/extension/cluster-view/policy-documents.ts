// Read-only documents of live NetworkPolicies: `netlens-cluster:/<namespace>/<name>.yaml?context=<context>`,
// the YAML kubectl prints (managedFields stripped), language yaml. They follow the cluster:
// a watch event on the policy re-reads it while the document is open.
import * as vscode from 'vscode';
import { errorText, type Log } from '../log';
import type { ClusterViewController, PolicyRef } from './controller';

export const CLUSTER_SCHEME = 'netlens-cluster';

export function policyUri(ref: PolicyRef): vscode.Uri {
  return vscode.Uri.from({
    scheme: CLUSTER_SCHEME,
    path: `/${ref.namespace}/${ref.name}.yaml`,
    query: new URLSearchParams({ context: ref.context }).toString(),
  });
}

export function parsePolicyUri(uri: vscode.Uri): PolicyRef | undefined {
  const m = /^\/([^/]+)\/([^/]+)\.yaml$/.exec(uri.path);
  const context = new URLSearchParams(uri.query).get('context');
  return m && context !== null ? { context, namespace: m[1]!, name: m[2]! } : undefined;
}

function comment(text: string): string {
  return text
    .split('\n')
    .map((l) => `# ${l}`)
    .join('\n');
}

export class PolicyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly controller: ClusterViewController,
    private readonly log: Log,
  ) {
    this.listener = controller.onDidChangePolicies((changed) => {
      const open = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === CLUSTER_SCHEME).map((d) => d.uri.toString()));
      for (const ref of changed) {
        const uri = policyUri(ref);
        if (open.has(uri.toString())) this.emitter.fire(uri);
      }
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parsePolicyUri(uri);
    if (!ref) return comment(`Not a NetLens cluster document: ${uri.toString()}`) + '\n';
    const live = this.controller.live;
    if (!live || live.context !== ref.context) {
      return comment(`NetworkPolicy ${ref.namespace}/${ref.name} of context ${ref.context}: not connected to that context.\nSwitch to it in the NetLens cluster view, then reopen this document.`) + '\n';
    }
    try {
      return await live.policyYaml(ref.namespace, ref.name);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(`cluster view: cannot read NetworkPolicy ${ref.namespace}/${ref.name} of context ${ref.context}: ${errorText(error)}`);
      return comment(`Cannot read NetworkPolicy ${ref.namespace}/${ref.name} of context ${ref.context}:\n${message}`) + '\n';
    }
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
