// The reachability matrix and policy graph panels in a real VS Code, on the seed incident
// (test/vscode/workspace/seed: web-api cannot reach postgres-0:5432 in production), trusted and
// in Restricted Mode. The webviews are driven through their real DOM by the harness
// (support/harness.ts webview*(), Playwright inside the webview frames): keyboard navigation to a
// cell, Enter, the explanation, a click on a policy link, the diff banner after an unsaved edit,
// the graph's SVG. Screenshots in a dark and a light theme. Nothing is saved: edits are reverted.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  getExtension,
  hasWebviewHarness,
  screenshot,
  waitFor,
  webviewAttribute,
  webviewClick,
  webviewCount,
  webviewPress,
  webviewTexts,
  workbenchClick,
  workbenchCount,
  workbenchPress,
  workspaceUri,
} from './support/harness';

const WEB = 'production/web-api-7d9f8b6c5d-x2k4q';
const DB = 'production/postgres-0';
const EGRESS = 'seed/policies/web-api-egress.yaml';
const WAIT = { timeoutMs: 30_000 };
const DARK = 'Default Dark Modern';
const LIGHT = 'Default Light Modern';

/** The opening of a diff: web-api may send to postgres on 5432, and a new policy lets postgres accept it. */
const ALLOW_DB = `    - to:
        - podSelector:
            matchLabels:
              app: postgres
      ports:
        - protocol: TCP
          port: 5432
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-db-access
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: postgres
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: web-api
      ports:
        - protocol: TCP
          port: 5432
`;

/** Polls the texts of `selector` in the webviews until `accept` holds; fails with the last ones seen. */
async function waitForTexts(selector: string, accept: (texts: string[]) => boolean, message: string): Promise<string[]> {
  let last: string[] = [];
  try {
    await waitFor(
      async () => {
        last = await webviewTexts(selector, 1_000).catch(() => []);
        return accept(last);
      },
      { ...WAIT, intervalMs: 250, message },
    );
  } catch (error) {
    await screenshot(`failed-${selector.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`).catch(() => undefined);
    throw new Error(`${(error as Error).message}; last seen in ${selector}: ${JSON.stringify(last)}`);
  }
  return last;
}

async function waitForText(selector: string, includes: string, message: string): Promise<string> {
  return (await waitForTexts(selector, (t) => t.some((x) => x.includes(includes)), message)).find((x) => x.includes(includes))!;
}

/** `row → col: state` of the focused cell (the status bar shows it while the grid has focus). */
async function focusText(): Promise<string> {
  return (await webviewTexts('.status .focus-text'))[0] ?? '';
}

/**
 * Moves the keyboard focus to the cell `from → to` (Ctrl+Home, then down, then right, reading
 * the status bar after each step) and presses Enter, as a keyboard user would.
 */
async function selectCellByKeyboard(from: string, to: string): Promise<{ row: number; col: number }> {
  await webviewPress('.scroller', ['Control+Home']);
  let row = 0;
  let col = 0;
  for (; row < 40 && !(await focusText()).startsWith(`${from} →`); row++) await webviewPress('.scroller', ['ArrowDown']);
  assert.ok((await focusText()).startsWith(`${from} →`), `row ${from} reached by the keyboard (at: ${await focusText()})`);
  for (; col < 40 && !(await focusText()).startsWith(`${from} → ${to}:`); col++) await webviewPress('.scroller', ['ArrowRight']);
  assert.ok((await focusText()).startsWith(`${from} → ${to}:`), `cell ${from} → ${to} reached by the keyboard (at: ${await focusText()})`);
  await webviewPress('.scroller', ['Enter']);
  return { row, col };
}

/** Where a row's header is drawn on the canvas (the page publishes its geometry on the scroller). */
async function rowHeaderPoint(row: number): Promise<{ x: number; y: number }> {
  const number = async (name: string): Promise<number> => Number(await webviewAttribute('.scroller', name));
  const cell = await number('data-cell');
  const headerWidth = await number('data-row-header-width');
  const headerHeight = await number('data-col-header-height');
  assert.ok(cell > 0 && headerWidth > 0 && headerHeight > 0, 'the matrix publishes its geometry');
  return { x: headerWidth - 12, y: headerHeight + cell * row + cell / 2 };
}

/** Notification toasts (left by this or earlier tests) cover the bottom right of the panels: clicks and screenshots need it clear. */
async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
}

async function setTheme(theme: string): Promise<void> {
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  // The webviews get the new theme's variables and body class; give them a frame to redraw.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}

/** Reverts every unsaved document (untitled ones are closed): their policies would count in the matrix. */
async function revertAll(): Promise<void> {
  for (const document of vscode.workspace.textDocuments) {
    if (!document.isDirty) continue;
    await vscode.window.showTextDocument(document, { preview: false });
    await vscode.commands.executeCommand(document.isUntitled ? 'workbench.action.revertAndCloseActiveEditor' : 'workbench.action.files.revert');
    await waitFor(() => !document.isDirty || document.isClosed, { message: `${document.uri.path} reverted` });
  }
}

function activePath(): string {
  return vscode.window.activeTextEditor?.document.uri.path ?? '(no text editor)';
}

describe('Reachability matrix and policy graph panels', function () {
  this.timeout(180_000);
  let originalTheme: unknown;

  before(async function () {
    if (!hasWebviewHarness()) this.skip(); // desktop VS Code: no way into the webviews
    await getExtension().activate();
    originalTheme = vscode.workspace.getConfiguration('workbench').inspect('colorTheme')?.globalValue;
    await revertAll(); // whatever earlier test files left unsaved
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // A wide editor area for the panels and their screenshots.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await clearNotifications();
    await setTheme(DARK);
  });

  after(async () => {
    await clearNotifications();
    await revertAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', originalTheme, vscode.ConfigurationTarget.Global);
  });

  it('contributes its commands to the palette', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['netlens.showMatrix', 'netlens.showPolicyGraph']) assert.ok(commands.includes(id), `${id} is registered`);
    const pkg = getExtension().packageJSON as { contributes: { commands: { command: string; title: string; category: string }[] } };
    const titles = pkg.contributes.commands.filter((c) => c.command === 'netlens.showMatrix' || c.command === 'netlens.showPolicyGraph').map((c) => `${c.category}: ${c.title}`);
    assert.deepEqual(titles, ['NetLens: Show Reachability Matrix', 'NetLens: Show Policy Graph']);
  });

  it('opens the matrix on the seed workspace, focused on a namespace, with its source', async () => {
    // As from the cluster view's namespace node (a TreeNode with kind and namespace).
    await vscode.commands.executeCommand('netlens.showMatrix', { id: 'ns:production', kind: 'namespace', namespace: 'production' });
    const status = await waitForText('.status', 'workspace manifests', 'the matrix status names its source');
    assert.match(status, /\d+ pods/);
    // The namespace focus reached the page's filter: only production's three pods are shown.
    assert.match(status, /showing \d+ × 3 /, `production's pods as columns (and the ipBlock sources as rows)`);
    assert.deepEqual(await webviewTexts('.ns-picker summary'), ['production']);
    // One panel, reused.
    await vscode.commands.executeCommand('netlens.showMatrix');
    await waitForText('.status', ' × 3 ', 'the reused panel keeps its filter');
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('netlens.matrix'));
    assert.equal(tabs.length, 1, 'one matrix panel');
  });

  it('explains the clicked cell: the deciding policy, with a link that opens its YAML at the line', async () => {
    await selectCellByKeyboard(WEB, DB);
    const details = await waitForText('.details', 'default-deny-ingress', 'the explanation names the deciding policy');
    assert.match(details, /denied/);
    assert.match(details, /production\/default-deny-ingress/);
    assert.match(details, /Ingress to production\/postgres-0: isolated by/);
    assert.equal(await webviewCount('.details h2:has-text("web-api-7d9f8b6c5d-x2k4q")'), 1, 'the details pane is about the selected cell');
    await clearNotifications();
    await screenshot('matrix-dark', { delayMs: 500 });
    await setTheme(LIGHT);
    await waitForText('.details', 'default-deny-ingress', 'the explanation stays after a theme change');
    await clearNotifications();
    await screenshot('matrix-light', { delayMs: 500 });
    await setTheme(DARK);

    const link = (await webviewTexts('.details a.loc:has-text("default-deny-ingress.yaml")'))[0];
    assert.ok(link, 'a link to default-deny-ingress.yaml');
    const line = Number(/:(\d+)$/.exec(link)?.[1]);
    assert.ok(line > 0, `a line number in ${link}`);
    await clearNotifications();
    await webviewClick('.details a.loc:has-text("default-deny-ingress.yaml")');
    await waitFor(() => activePath().endsWith('/seed/policies/default-deny-ingress.yaml'), { ...WAIT, message: `default-deny-ingress.yaml opened (active: ${activePath()})` });
    assert.equal(vscode.window.activeTextEditor!.selection.active.line, line - 1, 'the editor is at the linked line');
  });

  it('marks the cells an unsaved policy edit opens and counts them in the banner', async () => {
    // Back to the matrix alone: close the text editors the links opened.
    const textTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText);
    await vscode.window.tabGroups.close(textTabs);
    await vscode.commands.executeCommand('netlens.showMatrix');
    await waitForText('.status', ' × 3 ', 'the matrix is shown again');
    assert.equal(await webviewCount('.banner .msg.diff'), 0, 'no diff banner without unsaved edits');

    const document = await vscode.workspace.openTextDocument(workspaceUri(EGRESS));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(document.lineCount, 0), (document.getText().endsWith('\n') ? '' : '\n') + ALLOW_DB);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(document.isDirty, 'the edit is unsaved');
    await vscode.commands.executeCommand('netlens.showMatrix');

    const banner = await waitForText('.banner .msg.diff', '+2 opened · −0 closed', 'the banner counts the opened paths');
    assert.match(banner, /opens 2 paths/);
    await waitForText('.status', 'unsaved policy file vs saved files', 'the status says what is compared');
    // The selected cell is explained again from the new view: allowed now, opened by the change.
    await selectCellByKeyboard(WEB, DB);
    const focus = await focusText();
    assert.match(focus, /: allowed$/, `the cell turned allowed (${focus})`);
    const details = await waitForText('.details', 'Before the change', 'the explanation says what it was');
    assert.match(details, /opened by the change/);
    assert.match(details, /production\/allow-db-access/);

    // "Only changed" keeps web-api's two rows and postgres' column.
    await clearNotifications();
    await webviewClick('label.check:has-text("Only changed") input');
    await waitForText('.status', 'showing 2 × 1', 'only the changed rows and columns');
    await clearNotifications();
    await screenshot('matrix-diff-dark', { delayMs: 500 });
    await setTheme(LIGHT);
    await clearNotifications();
    await screenshot('matrix-diff-light', { delayMs: 800 });
    await setTheme(DARK);
    await clearNotifications();
    await webviewClick('label.check:has-text("Only changed") input');

    await revertAll();
    await vscode.commands.executeCommand('netlens.showMatrix');
    await waitForTexts('.status', (t) => t.some((x) => x.includes('workspace manifests') && !x.includes('unsaved')), 'the comparison ends once the edit is reverted');
    assert.equal(await webviewCount('.banner .msg.diff'), 0, 'no diff banner after the revert');
    await selectCellByKeyboard(WEB, DB);
    assert.match(await focusText(), /: denied$/, 'the cell is denied again');
  });

  it('opens the policy graph for the production namespace and its nodes open the YAML', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('netlens.showPolicyGraph', { id: 'ns:production', kind: 'namespace', namespace: 'production' });
    const labels = await waitForTexts(
      '.graph-scroll svg .node-policy .node-label',
      (t) => ['default-deny-ingress', 'allow-monitoring', 'web-api-egress'].every((name) => t.some((x) => x.includes(name))),
      'the graph shows the production policies',
    );
    assert.ok(labels.length >= 3, JSON.stringify(labels));
    const title = await webviewTexts('.graph-app h1');
    assert.deepEqual(title, ['Policies of namespace production']);
    await clearNotifications();
    await screenshot('graph-dark', { delayMs: 500 });
    await setTheme(LIGHT);
    await clearNotifications();
    await screenshot('graph-light', { delayMs: 800 });
    await setTheme(DARK);

    await clearNotifications();
    await webviewClick('.graph-scroll g.node-policy:has-text("default-deny-ingress")');
    await waitFor(() => activePath().endsWith('/seed/policies/default-deny-ingress.yaml'), { ...WAIT, message: `default-deny-ingress.yaml opened from the graph (active: ${activePath()})` });
  });

  it('offers the matrix in the title of policy editors only, and opens it on the policy\'s namespace', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const action = '.editor-actions .codicon-table';
    await vscode.window.showTextDocument(workspaceUri('seed/apps/namespace.yaml'), { preview: false });
    await waitFor(() => activePath().endsWith('/seed/apps/namespace.yaml'), { message: 'namespace.yaml is active' });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the context key follows the active editor
    assert.equal(await workbenchCount(action), 0, 'no matrix action on a YAML file without a NetworkPolicy');
    await vscode.window.showTextDocument(workspaceUri('seed/policies/default-deny-ingress.yaml'), { preview: false });
    assert.equal(await workbenchCount(action, 10_000), 1, 'the matrix action on a NetworkPolicy editor');
    await clearNotifications();
    await workbenchClick(action);
    await waitForText('.status', ' × 3 ', 'the matrix opened from the editor title');
    assert.deepEqual(await webviewTexts('.ns-picker summary'), ['production']);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('saves an export only where the save dialog says', async () => {
    const target = workspaceUri('netlens-matrix-declared-ports.csv');
    await vscode.workspace.fs.delete(target).then(undefined, () => undefined);
    await vscode.commands.executeCommand('netlens.showMatrix', { id: 'ns:production', kind: 'namespace', namespace: 'production' });
    await waitForText('.status', ' × 3 ', 'the matrix is shown');
    await clearNotifications();
    await webviewClick('button:has-text("CSV")');
    // The save dialog (VS Code's own, in the browser a quick input with the proposed path) comes first.
    assert.ok((await workbenchCount('.quick-input-widget', 10_000)) > 0, 'a save dialog opened');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(target)), 'nothing is written before the dialog is answered');
    await workbenchPress('.quick-input-widget input', ['Enter']);
    let text = '';
    await waitFor(
      async () => {
        text = await Promise.resolve(vscode.workspace.fs.readFile(target)).then((b) => new TextDecoder().decode(b), () => '');
        return text.length > 0;
      },
      { ...WAIT, message: `${target.path} written after the dialog` },
    );
    await vscode.workspace.fs.delete(target);
    const [header, ...rows] = text.trim().split(/\r?\n/);
    assert.match(header!, /production\/postgres-0/, 'the CSV has the destinations as columns');
    assert.ok(rows.some((r) => r.startsWith(`${WEB},`)), 'and a row per source');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens the matrix from a policy file and the graph from the matrix', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // As from the editor title or the explorer: focused on the file's namespace.
    await vscode.commands.executeCommand('netlens.showMatrix', workspaceUri(EGRESS));
    await waitForText('.status', ' × 3 ', 'the matrix of the policy file is focused on production');
    assert.deepEqual(await webviewTexts('.ns-picker summary'), ['production']);
    // A click on a row header shows the pod; its "Policy graph" link asks the host for the graph.
    const { row } = await selectCellByKeyboard(WEB, DB);
    await clearNotifications();
    await webviewClick('.scroller', { position: await rowHeaderPoint(row) });
    await waitForText('.details h2', WEB, 'the row header click shows the pod');
    await clearNotifications();
    await webviewClick('.details a.loc:has-text("Policy graph")');
    await waitForTexts('.graph-app h1', (t) => t.includes(`Policies around ${WEB}`), 'the graph opens around the pod');
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
    assert.equal(tabs.length, 2, 'the matrix and the graph, one panel each');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
