// Hovers on the parts of a policy: a selector lists the pods it matches, a CIDR its range and
// the known pods inside, a named port its resolution on each destination pod. In the read-only
// documents of live policies too, against the cluster of their context (cluster-documents.ts).
import * as vscode from 'vscode';
import { hoverFor } from '../core/editor/hovers';
import { policyPathAt, rangeContains } from '../core/editor/path-at';
import { toRange } from './convert';
import { POLICY_VIEW_SELECTOR, clusterDocuments } from './cluster-documents';
import { mayHoldNetworkPolicy } from './documents';
import { guard } from './log';
import type { Registrar } from './register';
import type { Services } from './services';

export function registerHover(reg: Registrar, services: Services): void {
  const { index, sources, log } = services;
  const clusterDocs = clusterDocuments(services);
  const provider: vscode.HoverProvider = {
    provideHover: guard(log, 'hover', undefined, async (document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken) => {
      if (!mayHoldNetworkPolicy(document.getText())) return undefined;
      const clusterEntry = clusterDocs.entry(document);
      if (!clusterEntry) index.start();
      const pos = { line: position.line, character: position.character };
      const policy = (clusterEntry ?? index.documentEntry(document))?.policies.find((p) => p.source && rangeContains(p.source.range, pos));
      const hit = policy && policyPathAt(policy, pos);
      if (!policy || !hit) return undefined;
      let view = clusterEntry && clusterDocs.view(clusterEntry);
      if (clusterEntry && !view) return undefined;
      if (!view) {
        if (!index.isReady) await index.ready;
        view = sources.view();
      }
      if (token.isCancellationRequested) return undefined;
      const markdown = hoverFor(policy, hit.path, view.snapshot, view.name);
      return markdown ? new vscode.Hover(new vscode.MarkdownString(markdown), toRange(hit.range)) : undefined;
    }),
  };
  reg.add(vscode.languages.registerHoverProvider(POLICY_VIEW_SELECTOR, provider));
}
