// The one log of the extension: a LogOutputChannel named "NetLens". It is never revealed on its
// own; users open it with "NetLens: Show Log" or the "Show Log" button of an error message.
//
// Every line passes a redactor first (src/core/redact.ts): bearer and basic credentials, JWTs,
// PEM blocks, `token:`/`password=`/`Authorization:` values, URL user info and random-looking
// base64 runs, plus the literal secrets of the kubeconfig in use (tokens, passwords, client keys,
// credential plugin env values), which the cluster view and the connectivity tests add with
// `rememberSecrets` when they load a kubeconfig. Error stacks and messages from any layer are
// redacted the same way, so nothing reaches the channel's file unredacted.
import * as vscode from 'vscode';
import { Redactor } from '../core/redact';

export type Log = vscode.LogOutputChannel;

/** A LogOutputChannel whose every message is redacted before it is written. */
class RedactingLog implements vscode.LogOutputChannel {
  readonly redactor = new Redactor();

  constructor(private readonly channel: vscode.LogOutputChannel) {}

  get name(): string {
    return this.channel.name;
  }

  get logLevel(): vscode.LogLevel {
    return this.channel.logLevel;
  }

  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.channel.onDidChangeLogLevel;
  }

  private text(message: string | Error, args: readonly unknown[]): string {
    const parts = [message instanceof Error ? errorText(message) : String(message), ...args.map(argText)];
    return this.redactor.redact(parts.join(' '));
  }

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(this.text(message, args));
  }

  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(this.text(message, args));
  }

  info(message: string, ...args: unknown[]): void {
    this.channel.info(this.text(message, args));
  }

  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(this.text(message, args));
  }

  error(error: string | Error, ...args: unknown[]): void {
    this.channel.error(this.text(error, args));
  }

  append(value: string): void {
    this.channel.append(this.redactor.redact(value));
  }

  appendLine(value: string): void {
    this.channel.appendLine(this.redactor.redact(value));
  }

  replace(value: string): void {
    this.channel.replace(this.redactor.redact(value));
  }

  clear(): void {
    this.channel.clear();
  }

  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === 'boolean' || columnOrPreserveFocus === undefined) this.channel.show(columnOrPreserveFocus);
    else this.channel.show(columnOrPreserveFocus, preserveFocus);
  }

  hide(): void {
    this.channel.hide();
  }

  dispose(): void {
    this.channel.dispose();
  }
}

function argText(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return errorText(arg);
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}

export function createLog(): Log {
  return new RedactingLog(vscode.window.createOutputChannel('NetLens', { log: true }));
}

/**
 * Adds literal secrets (a kubeconfig's tokens, passwords, keys, plugin env values) that the log
 * must never show, whatever text they turn up in. Values under 6 characters are left to the
 * patterns.
 */
export function rememberSecrets(log: Log, values: Iterable<string>): void {
  if (log instanceof RedactingLog) log.redactor.add(values);
}

/** Text with what the log would redact removed: for messages shown to the user. */
export function redactFor(log: Log, text: string): string {
  return log instanceof RedactingLog ? log.redactor.redact(text) : text;
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
  const choice = await vscode.window.showErrorMessage(redactFor(log, message), 'Show Log');
  if (choice === 'Show Log') log.show(true);
}
