// Every quick fix netlens offers, applied in a real VS Code through the code action API: the
// exact resulting text (comments and formatting kept), then reverted, never saved.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { getExtension, openWorkspaceFile, screenshot, waitFor } from './support/harness';

const SEED = 'seed/policies/allow-monitoring.yaml';

function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

async function revert(document: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(document, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor(() => !document.isDirty, { message: `${document.uri.path} reverted` });
}

/**
 * Opens a workspace file, waits for the diagnostic `code` and its fix `title` (the fixes are
 * offered only once the findings were computed on the text on screen), applies the fix and
 * returns the text before and after. The document is reverted afterwards.
 */
async function applyFix(relativePath: string, code: string, title: string, preferred = true): Promise<{ before: string; after: string }> {
  const editor = await openWorkspaceFile(relativePath);
  const document = editor.document;
  let action: vscode.CodeAction | undefined;
  let seen: string[] = [];
  await waitFor(
    async () => {
      const diagnostic = vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === code);
      if (!diagnostic) return false;
      const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range)) ?? [];
      seen = actions.map((a) => a.title);
      action = actions.find((a) => a.title === title);
      return action !== undefined;
    },
    { timeoutMs: 20_000, message: `quick fix "${title}" for ${code} in ${relativePath} (offered: ${JSON.stringify(seen)})` },
  );
  assert.ok(action?.edit);
  assert.equal(action.kind?.value, vscode.CodeActionKind.QuickFix.value);
  assert.equal(action.isPreferred ?? false, preferred, 'isPreferred');
  // (The API command does not return `action.diagnostics`; the quick fix menu shows the link.)
  const before = document.getText();
  try {
    assert.equal(await vscode.workspace.applyEdit(action.edit), true);
    return { before, after: document.getText() };
  } finally {
    await revert(document);
  }
}

describe('netlens quick fixes', () => {
  before(async () => {
    // Auto save (on by default in VS Code for the web) would write the fixed text to the fixture.
    assert.equal(vscode.workspace.getConfiguration('files').get('autoSave'), 'off', 'test/vscode/workspace/.vscode/settings.json turns files.autoSave off');
    await getExtension().activate();
  });

  it('cidr-host-bits: narrow to the one host', async () => {
    const { before, after } = await applyFix(SEED, 'cidr-host-bits', 'Narrow to 10.244.1.45/32 (the one host)');
    assert.equal(after, before.replace('cidr: 10.244.1.45/24', 'cidr: 10.244.1.45/32'));
    assert.match(after, /# the backup host\n/);
  });

  it('cidr-host-bits: mask to the network it already means', async () => {
    const { before, after } = await applyFix(SEED, 'cidr-host-bits', 'Mask to 10.244.1.0/24 (the network it already means)', false);
    assert.equal(after, before.replace('cidr: 10.244.1.45/24', 'cidr: 10.244.1.0/24'));
  });

  it('cidr-too-broad: narrow to the one known pod', async () => {
    const { before, after } = await applyFix('lab/db-backup-typo.yaml', 'cidr-too-broad', 'Narrow to 10.250.2.3/32 (api-1)');
    assert.equal(after, before.replace('cidr: 10.250.2.0/24', 'cidr: 10.250.2.3/32'));
    assert.match(after, /^# The backup agent runs/);
  });

  it('except-outside-cidr: remove the stray except entry', async () => {
    const { before, after } = await applyFix('lab/api-egress-except-outside.yaml', 'except-outside-cidr', 'Remove except 10.31.9.0/24');
    assert.equal(after, before.replace('              - 10.31.9.0/24   # the printers\n', ''));
  });

  it('peer-and-or-confusion: merge the two peers into one (AND)', async () => {
    const { before, after } = await applyFix(SEED, 'peer-and-or-confusion', 'Merge into one peer (pods matching both selectors)');
    assert.equal(after, before.replace('        - podSelector:\n            matchLabels:\n              app: prometheus', '          podSelector:\n            matchLabels:\n              app: prometheus'));
  });

  it('egress-blocks-dns: add the DNS egress rule, in the file\'s own style', async () => {
    const { before, after } = await applyFix('lab/api-egress-without-dns.yaml', 'egress-blocks-dns', 'Add a DNS egress rule (UDP and TCP 53 to kube-dns)');
    assert.equal(
      after,
      `${before}    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
`,
    );
    assert.match(after, /app: db # the database only\n/);
  });

  it('policytypes-missing-egress: add Egress to a flow list', async () => {
    const { before, after } = await applyFix('lab/db-policytypes-missing-egress.yaml', 'policytypes-missing-egress', 'Add Egress to policyTypes');
    assert.equal(after, before.replace('policyTypes: [Ingress]  # egress forgotten', 'policyTypes: [Ingress, Egress]  # egress forgotten'));
  });

  it('policytypes-missing-ingress: add Ingress to a block list', async () => {
    const { before, after } = await applyFix('lab/db-policytypes-missing-ingress.yaml', 'policytypes-missing-ingress', 'Add Ingress to policyTypes');
    assert.equal(after, before.replace('    - Egress # only egress?\n', '    - Egress # only egress?\n    - Ingress\n'));
  });

  it("service-port-not-target-port: use the pod's port, in JSON", async () => {
    const { before, after } = await applyFix('lab/db-service-port.json', 'service-port-not-target-port', "Use the pod's port 5432");
    assert.equal(after, before.replace('"port": 15432', '"port": 5432'));
  });

  it('the quick fix menu on the CIDR', async () => {
    const editor = await openWorkspaceFile(SEED);
    await waitFor(() => vscode.languages.getDiagnostics(editor.document.uri).some((d) => codeOf(d) === 'cidr-host-bits'), { message: 'cidr-host-bits' });
    editor.selection = new vscode.Selection(26, 22, 26, 22);
    editor.revealRange(new vscode.Range(18, 0, 30, 0), vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('editor.action.quickFix');
    await screenshot('quick-fix-menu', { selector: '.action-widget .monaco-list-row', delayMs: 600 });
    await vscode.commands.executeCommand('hideCodeActionWidget');
  });
});
