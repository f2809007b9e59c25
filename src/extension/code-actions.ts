// Quick fixes: each fix a lint finding carries becomes a CodeAction with its exact text
// edits, attached to the finding's diagnostic.
import * as vscode from 'vscode';
import type { Fix } from '../core/lint/types';
import { sameRange, toRange } from './convert';
import { DIAGNOSTIC_SOURCE, type LintResults } from './diagnostics';
import { MANIFEST_SELECTOR } from './documents';
import { guard } from './log';
import type { Registrar } from './register';
import type { Services } from './services';

function codeValue(code: vscode.Diagnostic['code']): string | number | undefined {
  return typeof code === 'object' ? code.value : code;
}

export function registerCodeActions(reg: Registrar, services: Services, results: LintResults): void {
  const { index, log } = services;

  const actionOf = (fix: Fix, diagnostic: vscode.Diagnostic): vscode.CodeAction => {
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    const edit = new vscode.WorkspaceEdit();
    for (const e of fix.edits) edit.replace(index.uriOf(e.file), toRange(e.range), e.newText);
    action.edit = edit;
    action.diagnostics = [diagnostic];
    action.isPreferred = fix.preferred ?? false;
    return action;
  };

  const provider: vscode.CodeActionProvider = {
    provideCodeActions: guard(log, 'code actions', [], (document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext) => {
      const only = context.only;
      if (only && !only.contains(vscode.CodeActionKind.QuickFix) && !vscode.CodeActionKind.QuickFix.contains(only)) return [];
      const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
      if (ours.length === 0) return [];
      const items = results.findingsFor(document);
      if (!items) return [];
      const actions: vscode.CodeAction[] = [];
      for (const diagnostic of ours) {
        const code = codeValue(diagnostic.code);
        const item = items.find((i) => i.finding.code === code && i.finding.message === diagnostic.message && sameRange(diagnostic.range, i.finding.range));
        for (const fix of item?.finding.fixes ?? []) actions.push(actionOf(fix, diagnostic));
      }
      return actions;
    }),
  };
  reg.add(vscode.languages.registerCodeActionsProvider(MANIFEST_SELECTOR, provider, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
}
