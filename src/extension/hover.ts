// Hovers on the parts of a policy: a selector lists the pods it matches, a CIDR its range and
// the known pods inside, a named port its resolution on each destination pod.
import * as vscode from 'vscode';
import { hoverFor } from '../core/editor/hovers';
import { policyPathAt, rangeContains } from '../core/editor/path-at';
import { toRange } from './convert';
import { MANIFEST_SELECTOR, mayHoldNetworkPolicy } from './documents';
import { guard } from './log';
import type { Registrar } from './register';
import type { Services } from './services';

export function registerHover(reg: Registrar, services: Services): void {
  const { index, sources, log } = services;
  const provider: vscode.HoverProvider = {
    provideHover: guard(log, 'hover', undefined, async (document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken) => {
      if (!mayHoldNetworkPolicy(document.getText())) return undefined;
      index.start();
      const pos = { line: position.line, character: position.character };
      const policy = index.documentEntry(document)?.policies.find((p) => p.source && rangeContains(p.source.range, pos));
      const hit = policy && policyPathAt(policy, pos);
      if (!policy || !hit) return undefined;
      if (!index.isReady) await index.ready;
      if (token.isCancellationRequested) return undefined;
      const view = sources.view();
      const markdown = hoverFor(policy, hit.path, view.snapshot, view.name);
      return markdown ? new vscode.Hover(new vscode.MarkdownString(markdown), toRange(hit.range)) : undefined;
    }),
  };
  reg.add(vscode.languages.registerHoverProvider(MANIFEST_SELECTOR, provider));
}
