// Helpers for *.vscode.test.ts files: they run inside a real VS Code extension host, with the
// real `vscode` API. Screenshots are taken by the harness outside VS Code
// (scripts/vscode-host/run-tests.mjs drives the browser); tests ask for one over HTTP.
import * as assert from 'node:assert/strict';
import { request } from 'node:http';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'netlens.netlens';

/** The extension under test; fails the test when it is not installed. */
export function getExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
  return extension;
}

/** Polls `condition` until it holds; fails with `message` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 100, message = 'condition' }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`${message} (waited ${timeoutMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A file of the opened workspace folder (test/vscode/workspace when run by the harness). */
export function workspaceUri(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

/** Opens a workspace file in an editor (not a preview tab) and returns the editor. */
export async function openWorkspaceFile(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(relativePath));
  return vscode.window.showTextDocument(document, { preview: false });
}

export interface ScreenshotOptions {
  /** CSS selector the harness waits for (up to 10 s) before the shot, e.g. '.codelens-decoration'. */
  selector?: string;
  /** Extra settling time before the shot, in ms (default 300). */
  delayMs?: number;
}

/**
 * Saves a PNG of the whole workbench as test-results/vscode/<mode>/<name>.png and resolves with
 * its path once written. Outside the harness (desktop VS Code) it does nothing and resolves
 * with undefined, so tests need not care where they run.
 */
export async function screenshot(name: string, options: ScreenshotOptions = {}): Promise<string | undefined> {
  const harness = process.env.NETLENS_TEST_HARNESS;
  if (!harness) return undefined;
  const body = JSON.stringify({ name, ...options });
  const reply = await new Promise<string>((resolve, reject) => {
    const req = request(
      `${harness}/screenshot`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 60_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`screenshot ${name}: HTTP ${res.statusCode}: ${text}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`screenshot ${name}: no answer from the harness within 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
  return (JSON.parse(reply) as { path: string }).path;
}
