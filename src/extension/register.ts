// The one way anything is registered: every disposable lands in `context.subscriptions`, and
// every command handler is wrapped so that an error becomes a log entry and a short message.
import * as vscode from 'vscode';
import { errorText, showErrorWithLog, type Log } from './log';

export type CommandHandler = (...args: unknown[]) => unknown;

export interface Registrar {
  /** Keeps a disposable until the extension is deactivated; returns it. */
  add<T extends vscode.Disposable>(disposable: T): T;
  /** Registers the handler of a contributed command (`netlens.<verbNoun>`). */
  command(id: string, handler: CommandHandler): void;
}

export function createRegistrar(context: vscode.ExtensionContext, log: Log): Registrar {
  const add = <T extends vscode.Disposable>(disposable: T): T => {
    context.subscriptions.push(disposable);
    return disposable;
  };
  return {
    add,
    command: (id, handler) => {
      add(
        vscode.commands.registerCommand(id, async (...args: unknown[]) => {
          try {
            return await handler(...args);
          } catch (error) {
            log.error(`command ${id} failed: ${errorText(error)}`);
            await showErrorWithLog(log, `NetLens: ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
            return undefined;
          }
        }),
      );
    },
  };
}
