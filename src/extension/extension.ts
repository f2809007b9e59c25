// Placeholder entry point so the extension builds, loads and activates in a real VS Code
// (scripts/vscode-host). It only wires; features arrive through their own register functions.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const registerCommand = createRegisterCommand(context);
  registerCommand('netlens.showVersion', () => showVersion(context));
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}

type CommandHandler = (...args: unknown[]) => unknown;

/** The one way commands are registered: each disposable lands in `context.subscriptions`. */
function createRegisterCommand(context: vscode.ExtensionContext): (id: string, handler: CommandHandler) => void {
  return (id, handler) => {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  };
}

async function showVersion(context: vscode.ExtensionContext): Promise<void> {
  const { version } = context.extension.packageJSON as { version?: string };
  await vscode.window.showInformationMessage(`Kubernetes Network Lens ${version ?? '(unknown version)'}`);
}
