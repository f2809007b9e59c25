// The one log of the extension: a LogOutputChannel named "NetLens". It is never revealed on its
// own; users open it with "NetLens: Show Log" or the "Show Log" button of an error message.
import * as vscode from 'vscode';

export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel('NetLens', { log: true });
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Wraps a provider method so that a bug or bad input never escapes into VS Code: the error is
 * logged and the provider answers `fallback` (no lenses, no hover, ...).
 */
export function guard<A extends unknown[], R, F>(
  log: Log,
  what: string,
  fallback: F,
  fn: (...args: A) => R | Thenable<R>,
): (...args: A) => Promise<R | F> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      log.error(`${what} failed: ${errorText(error)}`);
      return fallback;
    }
  };
}

/** A short message for the user, with a button that opens the log. */
export async function showErrorWithLog(log: Log, message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Show Log');
  if (choice === 'Show Log') log.show(true);
}
