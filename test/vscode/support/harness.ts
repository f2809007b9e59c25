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
  const reply = await harnessRequest(`${harness}/screenshot`, { name, ...options }, `screenshot ${name}`);
  return (JSON.parse(reply) as { path: string }).path;
}

function harnessRequest(url: string, payload: object, what: string): Promise<string> {
  const body = JSON.stringify(payload);
  return new Promise<string>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 60_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${what}: HTTP ${res.statusCode}: ${text}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${what}: no answer from the harness within 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** True under the code-server harness, where `webview*()` can reach into webviews. */
export function hasWebviewHarness(): boolean {
  return process.env.NETLENS_TEST_HARNESS !== undefined;
}

interface WebviewRequest {
  action: 'text' | 'count' | 'attribute' | 'click' | 'press';
  selector: string;
  keys?: readonly string[];
  position?: { x: number; y: number };
  name?: string;
  timeoutMs?: number;
  /** Search the workbench's own DOM instead of the webviews. */
  workbench?: boolean;
}

function webviewRequest(payload: WebviewRequest): Promise<string> {
  const harness = process.env.NETLENS_TEST_HARNESS;
  if (!harness) return Promise.reject(new Error('webview actions need the code-server harness (npm run test:vscode)'));
  return harnessRequest(`${harness}/webview`, payload, `webview ${payload.action} ${payload.selector}`);
}

/**
 * The text of every visible element matching a CSS (or Playwright) selector in the first webview
 * that has one, waiting up to `timeoutMs` (default 10 s) for one to appear; fails if none does.
 */
export async function webviewTexts(selector: string, timeoutMs?: number): Promise<string[]> {
  const reply = await webviewRequest({ action: 'text', selector, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  return (JSON.parse(reply) as { texts: string[] }).texts;
}

/** How many visible elements of any webview match `selector` (0 when none appears within `timeoutMs`, default 0). */
export async function webviewCount(selector: string, timeoutMs = 0): Promise<number> {
  const reply = await webviewRequest({ action: 'count', selector, timeoutMs });
  return (JSON.parse(reply) as { count: number }).count;
}

/** How many visible elements of the workbench's own DOM (not a webview's) match `selector`: editor actions, menus. */
export async function workbenchCount(selector: string, timeoutMs = 0): Promise<number> {
  const reply = await webviewRequest({ action: 'count', selector, timeoutMs, workbench: true });
  return (JSON.parse(reply) as { count: number }).count;
}

/** An attribute of the first visible match of `selector` in a webview (null when it has none). */
export async function webviewAttribute(selector: string, name: string, timeoutMs?: number): Promise<string | null> {
  const reply = await webviewRequest({ action: 'attribute', selector, name, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  return (JSON.parse(reply) as { value: string | null }).value;
}

/**
 * Clicks the first visible match of `selector` in a webview (real pointer events, through
 * Playwright), at its centre or at `position` from its top-left corner (a point on a canvas).
 */
export async function webviewClick(selector: string, options: { position?: { x: number; y: number }; timeoutMs?: number } = {}): Promise<void> {
  await webviewRequest({ action: 'click', selector, ...options });
}

/** Clicks the first visible match of `selector` in the workbench's own DOM (an editor action, a menu item). */
export async function workbenchClick(selector: string, timeoutMs?: number): Promise<void> {
  await webviewRequest({ action: 'click', selector, workbench: true, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
}

/** Focuses the first visible match of `selector` in the workbench's own DOM and presses `keys` in turn. */
export async function workbenchPress(selector: string, keys: readonly string[], timeoutMs?: number): Promise<void> {
  await webviewRequest({ action: 'press', selector, keys, workbench: true, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
}

/** Focuses the first visible match of `selector` in a webview and presses `keys` in turn ('ArrowDown', 'Enter', ...). */
export async function webviewPress(selector: string, keys: readonly string[], timeoutMs?: number): Promise<void> {
  await webviewRequest({ action: 'press', selector, keys, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
}
