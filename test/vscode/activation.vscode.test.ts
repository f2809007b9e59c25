// The extension loads, activates and registers its commands in a real VS Code, in a trusted
// workspace and in Restricted Mode. Tags in titles pick the mode: @trusted, @restricted.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, getExtension, openWorkspaceFile, screenshot, waitFor } from './support/harness';

const POLICY_FILE = 'policies/allow-frontend.yaml';

interface ContributedCommand {
  command: string;
}

describe('netlens activation', () => {
  it('is installed', () => {
    getExtension();
  });

  // First test to touch the extension, so it checks the YAML activation path and not an
  // activation some other test caused.
  it('activates when a YAML file is opened', async () => {
    const extension = getExtension();
    const editor = await openWorkspaceFile(POLICY_FILE);
    assert.equal(editor.document.languageId, 'yaml');
    await waitFor(() => extension.isActive, {
      timeoutMs: 15_000,
      message: `${EXTENSION_ID} did not activate after a YAML file was opened (is "onLanguage:yaml" in package.json activationEvents?)`,
    });
  });

  it('registers every command contributed in package.json', async () => {
    const extension = getExtension();
    await extension.activate();
    const manifest = extension.packageJSON as { contributes?: { commands?: ContributedCommand[] } };
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((id) => !registered.has(id)),
      [],
      'contributed commands without a registered handler',
    );
  });

  it('shows the workbench with a YAML file open', async () => {
    await openWorkspaceFile(POLICY_FILE);
    await screenshot('workbench-yaml', { selector: '.monaco-editor .view-lines' });
  });

  it('@trusted runs in a trusted workspace', () => {
    assert.equal(vscode.workspace.isTrusted, true);
  });

  it('@restricted stays active in Restricted Mode', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the workspace should be in Restricted Mode');
    const extension = getExtension(); // absent if it did not declare untrusted-workspace support
    await extension.activate();
    assert.equal(extension.isActive, true);
  });
});
