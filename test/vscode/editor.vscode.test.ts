// The editor features in a real VS Code, on test/vscode/workspace (seed/ is a copy of the demo
// workspace, lab/ holds one policy per quick fix, broken/ what the loader must survive):
// CodeLens, diagnostics, quick fixes, hovers, unsaved edits, settings and file events, in a
// trusted workspace and in Restricted Mode. Nothing here saves a file: every edit is reverted.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { getExtension, openWorkspaceFile, screenshot, waitFor, workspaceUri } from './support/harness';

const SEED = 'seed/policies/allow-monitoring.yaml';
const WAIT = { timeoutMs: 20_000 };

interface LensView {
  line: number;
  title: string;
}

/**
 * The resolved lenses of a file, by line. Lenses sharing a line come back from the API in the
 * order they resolved, not the order shown (provider order), so they are sorted by title.
 */
async function lenses(uri: vscode.Uri): Promise<LensView[]> {
  await vscode.workspace.openTextDocument(uri); // the API answers for loaded documents only
  const list = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return list
    .map((l) => ({ line: l.range.start.line, title: l.command?.title ?? '(unresolved)' }))
    .sort((a, b) => a.line - b.line || a.title.localeCompare(b.title));
}

async function lensTitles(relativePath: string): Promise<string[]> {
  return (await lenses(workspaceUri(relativePath))).map((l) => `${l.line}: ${l.title}`);
}

/** Waits for the lens titles of a file to equal `expected`, and fails with the last ones seen. */
async function expectLensTitles(relativePath: string, expected: string[]): Promise<void> {
  let last: string[] = [];
  await waitFor(
    async () => {
      last = await lensTitles(relativePath);
      return JSON.stringify(last) === JSON.stringify(expected);
    },
    { ...WAIT, message: `lenses of ${relativePath}` },
  ).catch(() => assert.deepEqual(last, expected, `lenses of ${relativePath}`));
}

const SEVERITY = ['error', 'warning', 'information', 'hint'];

function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

/** `code line:col-line:col severity`, sorted, for exact comparisons. */
function summary(diagnostics: readonly vscode.Diagnostic[]): string[] {
  return diagnostics
    .map((d) => `${codeOf(d)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${SEVERITY[d.severity]}`)
    .sort();
}

async function expectDiagnostics(uri: vscode.Uri, expected: string[]): Promise<vscode.Diagnostic[]> {
  let last: string[] = [];
  await waitFor(
    () => {
      last = summary(vscode.languages.getDiagnostics(uri));
      return JSON.stringify(last) === JSON.stringify(expected);
    },
    { ...WAIT, message: `diagnostics of ${uri.path}` },
  ).catch(() => assert.deepEqual(last, expected, `diagnostics of ${uri.path}`));
  return vscode.languages.getDiagnostics(uri);
}

const SEED_DIAGNOSTICS = [
  'cidr-host-bits 26:18-26:32 warning',
  'peer-and-or-confusion 17:10-19:29 warning',
  'selector-matches-nothing 18:12-19:29 warning',
];

const SEED_LENSES = [
  '1: isolates ingress',
  '1: selects 1 pod: postgres-0 (workspace)',
  '13: from 1 pod in 1 namespace · on TCP 9187',
  '14: 1 pod in 1 namespace: prometheus-0',
  '17: selects nothing known',
  '23: from 1 CIDR (256 addresses) · on TCP 5432',
];

async function revert(document: vscode.TextDocument): Promise<void> {
  if (document.isUntitled) {
    await vscode.window.showTextDocument(document, { preview: false });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    return;
  }
  await vscode.window.showTextDocument(document, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor(() => !document.isDirty, { message: `${document.uri.path} reverted` });
}

async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<{ text: string; range?: vscode.Range }[]> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers.map((h) => ({
    text: h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n'),
    ...(h.range ? { range: h.range } : {}),
  }));
}

function rangeText(r: vscode.Range | undefined): string {
  return r ? `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}` : '(none)';
}

/**
 * The tests edit fixtures in memory only. VS Code for the web saves dirty files after a second
 * by default, so the test workspace turns auto save off; a fixture changed on disk means a
 * test (or a run without that setting) saved one.
 */
async function expectPristineFixtures(): Promise<void> {
  assert.equal(vscode.workspace.getConfiguration('files').get('autoSave'), 'off', 'test/vscode/workspace/.vscode/settings.json turns files.autoSave off');
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceUri(SEED)));
  assert.match(text, /cidr: 10\.244\.1\.45\/24\n/, `${SEED} was changed on disk: restore it from demo/workspace`);
}

describe('netlens editor', () => {
  before(async () => {
    await expectPristineFixtures();
    await getExtension().activate();
    await openWorkspaceFile(SEED);
    // The workspace index is ready once the seed policy's lint findings (which need its pods) appear.
    await expectDiagnostics(workspaceUri(SEED), SEED_DIAGNOSTICS);
  });

  afterEach(async () => {
    // Leave no dirty editor behind for the next test.
    for (const d of vscode.workspace.textDocuments) if (d.isDirty) await revert(d);
  });

  describe('CodeLens', () => {
    it('shows what the demo policies select, isolate and admit', async () => {
      await expectLensTitles(SEED, SEED_LENSES);
      await expectLensTitles('seed/policies/default-deny-ingress.yaml', [
        '1: isolates ingress',
        '1: selects 3 pods: postgres-0, web-api-7d9f8b6c5d-x2k4q, web-api-7d9f8b6c5d-q8j3m (workspace)',
      ]);
      await expectLensTitles('seed/policies/web-api-egress.yaml', [
        '1: isolates egress',
        '1: selects 2 pods: web-api-7d9f8b6c5d-x2k4q, web-api-7d9f8b6c5d-q8j3m (workspace)',
        '13: to no known pods · on UDP 53, TCP 53',
      ]);
      await expectLensTitles('lab/api-ingress-named-port.yaml', [
        '1: isolates ingress',
        '1: selects 1 pod: api-1 (workspace)',
        '13: from 1 pod in 1 namespace · on TCP http (= 8080)',
      ]);
      await expectLensTitles('lab/db-service-port.json', ['0: isolates ingress', '0: selects 1 pod: db-0 (workspace)', '8: from 1 pod in 1 namespace · on TCP 15432']);
      await expectLensTitles('policies/allow-frontend.yaml', [
        '1: isolates ingress',
        '1: selects no known pods: no pods of namespace shop are known (workspace)',
        '13: from no known pods · on TCP 8080',
      ]);
    });

    it('skips files hidden by files.exclude: only postgres-0 is selected, not excluded/postgres-1', async () => {
      assert.equal((await lensTitles(SEED))[1], '1: selects 1 pod: postgres-0 (workspace)');
    });

    it('costs nothing on YAML and JSON without a NetworkPolicy', async () => {
      assert.deepEqual(await lenses(workspaceUri('seed/apps/web-api.yaml')), []);
      assert.deepEqual(await lenses(workspaceUri('lab/cluster.yaml')), []);
      assert.deepEqual(vscode.languages.getDiagnostics(workspaceUri('seed/cluster-state/pods.yaml')), []);
    });

    it('a "selects N pods" lens opens the pods in a quick pick, and picking one opens its manifest', async () => {
      await openWorkspaceFile(SEED);
      const list = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', workspaceUri(SEED), 100);
      const selects = list.find((l) => l.command?.title.startsWith('selects'));
      assert.ok(selects?.command, 'no "selects" lens');
      assert.equal(selects.command.command, 'netlens.showSelectedPods');
      const [arg] = selects.command.arguments as [{ title: string; pods: { key: string; ips: string[] }[] }];
      assert.deepEqual(arg.pods.map((p) => `${p.key} ${p.ips.join(',')}`), ['production/postgres-0 10.244.1.45']);
      const done = vscode.commands.executeCommand(selects.command.command, ...(selects.command.arguments ?? []));
      await screenshot('pods-quick-pick', { selector: '.quick-input-widget .monaco-list-row', delayMs: 500 });
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await done;
      await waitFor(() => vscode.window.activeTextEditor?.document.uri.path.endsWith('seed/cluster-state/pods.yaml') === true, { message: 'pods.yaml opened' });
      assert.equal(vscode.window.activeTextEditor!.selection.active.line, 4, 'the cursor is on the postgres-0 item');
    });

    it('places every lens of a 300-policy file after each edit', async () => {
      // The provider logs its own time ("CodeLens: 1500 lenses for 300 policies ... in N ms" in
      // the NetLens log, at info level when over 30 ms). Wall-clock limits are not asserted here:
      // the round trip through the workbench dominates and varies with the machine's load.
      const policy = (i: number): string =>
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p${i}\n  namespace: production\nspec:\n  podSelector:\n    matchLabels:\n      app: web-api\n` +
        `  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: x${i}\n        - namespaceSelector: {}\n      ports:\n        - port: ${1000 + i}\n`;
      const big = await vscode.workspace.openTextDocument({ language: 'yaml', content: Array.from({ length: 300 }, (_, i) => policy(i)).join('---\n') });
      try {
        for (let i = 1; i <= 3; i++) {
          const edit = new vscode.WorkspaceEdit();
          edit.insert(big.uri, new vscode.Position(0, 0), '# edit\n');
          await vscode.workspace.applyEdit(edit);
          const list = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', big.uri);
          assert.equal(list.length, 300 * 5);
          assert.deepEqual(
            list.filter((l) => l.range.start.line < 17 + i).map((l) => l.range.start.line).sort((a, b) => a - b),
            [i, i, i + 10, i + 11, i + 14],
            'the first policy\'s lenses follow the inserted lines',
          );
        }
      } finally {
        await revert(big);
      }
    });
  });

  describe('diagnostics', () => {
    it('reports the demo mistakes with codes, ranges, source and related locations', async () => {
      const diagnostics = await expectDiagnostics(workspaceUri(SEED), SEED_DIAGNOSTICS);
      assert.ok(diagnostics.every((d) => d.source === 'netlens'));
      const andOr = diagnostics.find((d) => codeOf(d) === 'peer-and-or-confusion')!;
      assert.match(andOr.message, /^These are two peers, ORed: every pod in namespaces team=observability, or pods app=prometheus in production\./);
      assert.deepEqual(andOr.relatedInformation?.map((r) => `${r.location.uri.path.split('/').pop()} ${rangeText(r.location.range)}`), ['allow-monitoring.yaml 14:10-16:33']);
      const hostBits = diagnostics.find((d) => codeOf(d) === 'cidr-host-bits')!;
      assert.equal(hostBits.message, '10.244.1.45/24 has host bits set: the API server reads it as 10.244.1.0/24 (256 addresses; known inside (workspace): postgres-0). For the one host 10.244.1.45, write 10.244.1.45/32; for the whole network, write 10.244.1.0/24.');
    });

    it('reports each lab mistake', async () => {
      await expectDiagnostics(workspaceUri('lab/api-egress-without-dns.yaml'), ['egress-blocks-dns 11:4-11:12 warning']);
      await expectDiagnostics(workspaceUri('lab/db-policytypes-missing-egress.yaml'), ['policytypes-missing-egress 10:2-10:8 warning']);
      await expectDiagnostics(workspaceUri('lab/db-policytypes-missing-ingress.yaml'), ['policytypes-missing-ingress 12:2-12:9 warning']);
      await expectDiagnostics(workspaceUri('lab/db-service-port.json'), ['service-port-not-target-port 10:47-10:52 warning']);
      await expectDiagnostics(workspaceUri('lab/api-ingress-named-port.yaml'), []);
      await expectDiagnostics(workspaceUri('lab/db-backup-typo.yaml'), ['cidr-too-broad 15:18-15:31 warning']);
      await expectDiagnostics(workspaceUri('policies/allow-frontend.yaml'), ['namespace-inferred 5:13-5:17 information']);
    });

    it('a Helm template and broken YAML get a diagnostic, no lenses and no crash', async () => {
      const helm = workspaceUri('broken/helm-networkpolicy.yaml');
      const broken = workspaceUri('broken/invalid-yaml.yaml');
      await expectDiagnostics(helm, ['helm-template 0:0-0:39 warning']);
      const [syntax] = await expectDiagnostics(broken, ['yaml-syntax 9:0-9:1 error']);
      assert.match(syntax!.message, /^YAML syntax error: /);
      assert.deepEqual(await lenses(helm), []);
      assert.deepEqual(await lenses(broken), []);
      assert.deepEqual(await hoverText(broken, new vscode.Position(8, 8)), []);
    });

    it('follows unsaved edits: fixing the CIDR by typing clears its warnings before any save', async () => {
      const editor = await openWorkspaceFile(SEED);
      const line = editor.document.lineAt(26);
      const at = line.text.indexOf('10.244.1.45/24');
      await editor.edit((b) => b.replace(new vscode.Range(26, at, 26, at + '10.244.1.45/24'.length), '10.244.1.45/32'));
      assert.ok(editor.document.isDirty);
      await expectDiagnostics(editor.document.uri, ['peer-and-or-confusion 17:10-19:29 warning', 'selector-matches-nothing 18:12-19:29 warning']);
      assert.equal((await lensTitles(SEED)).at(-1), '23: from 1 CIDR (1 addresses) · on TCP 5432');
      await revert(editor.document);
      await expectDiagnostics(editor.document.uri, SEED_DIAGNOSTICS);
    });

    it('lints an unsaved new document, and survives garbage', async () => {
      const content = [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata: {name: scratch, namespace: lab}',
        'spec:',
        '  podSelector: {matchLabels: {app: db}}',
        '  ingress:',
        '    - from:',
        '        - ipBlock: {cidr: 10.250.1.7/16}',
        '',
      ].join('\n');
      const document = await vscode.workspace.openTextDocument({ language: 'yaml', content });
      await vscode.window.showTextDocument(document);
      try {
        await expectDiagnostics(document.uri, ['cidr-host-bits 7:26-7:39 warning', 'cidr-too-broad 7:26-7:39 warning']);
        assert.deepEqual((await lenses(document.uri)).map((l) => l.title), ['isolates ingress', 'selects 1 pod: db-0 (workspace)', 'from 1 CIDR (65,536 addresses) · on all ports']);
        const editor = vscode.window.activeTextEditor!;
        await editor.edit((b) => b.insert(new vscode.Position(3, 0), 'kind: [\n  nonsense\n\t- : : :\n'));
        await waitFor(
          () => {
            const found = vscode.languages.getDiagnostics(document.uri);
            return found.length > 0 && found.every((d) => codeOf(d) === 'yaml-syntax' && d.severity === vscode.DiagnosticSeverity.Error);
          },
          { ...WAIT, message: 'yaml-syntax errors for the garbage' },
        );
        assert.deepEqual(await lenses(document.uri), []);
        assert.deepEqual(await hoverText(document.uri, new vscode.Position(8, 4)), []);
        await editor.edit((b) => b.insert(new vscode.Position(0, 0), '\u0000'));
        await expectDiagnostics(document.uri, ['binary-file 0:0-0:0 warning']);
        assert.deepEqual(await lenses(document.uri), []);
      } finally {
        await revert(document);
      }
    });

    it('takes severities and rules turned off from the settings, and the /N threshold', async () => {
      const conf = vscode.workspace.getConfiguration('netlens');
      const uri = workspaceUri(SEED);
      try {
        await conf.update('lint.severity', { 'cidr-too-broad': 'error', 'selector-matches-nothing': 'off', 'cidr-host-bits': 'hint' }, vscode.ConfigurationTarget.Global);
        await expectDiagnostics(uri, ['cidr-host-bits 26:18-26:32 hint', 'peer-and-or-confusion 17:10-19:29 warning']);
        await expectDiagnostics(workspaceUri('lab/db-backup-typo.yaml'), ['cidr-too-broad 15:18-15:31 error']);
        await conf.update('lint.severity', { 'namespace-inferred': 'off' }, vscode.ConfigurationTarget.Global);
        await expectDiagnostics(workspaceUri('policies/allow-frontend.yaml'), []);
        await conf.update('lint.severity', undefined, vscode.ConfigurationTarget.Global);
        await conf.update('lint.broadPrefixV4', 8, vscode.ConfigurationTarget.Global);
        // The /24 with one pod inside is still reported (a pod-network range with one known pod).
        await expectDiagnostics(uri, SEED_DIAGNOSTICS);
      } finally {
        await conf.update('lint.severity', undefined, vscode.ConfigurationTarget.Global);
        await conf.update('lint.broadPrefixV4', undefined, vscode.ConfigurationTarget.Global);
      }
      await expectDiagnostics(uri, SEED_DIAGNOSTICS);
      await expectDiagnostics(workspaceUri('policies/allow-frontend.yaml'), ['namespace-inferred 5:13-5:17 information']);
    });

    it('shows in the Problems panel', async () => {
      await openWorkspaceFile(SEED);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await screenshot('problems-panel', { selector: '.markers-panel .monaco-list-row', delayMs: 800 });
      await vscode.commands.executeCommand('workbench.action.closePanel');
    });
  });

  describe('hovers', () => {
    const uri = (): vscode.Uri => workspaceUri(SEED);

    it('a CIDR: its range, size and the known pods inside', async () => {
      const [hover] = await hoverText(uri(), new vscode.Position(26, 20));
      assert.equal(
        hover?.text,
        '**10.244.1.45/24** (read as **10.244.1.0/24**: host bits are masked)\n\n10.244.1.0 – 10.244.1.255: 256 addresses\n\nKnown pods inside (workspace):\n- `production/postgres-0` 10.244.1.45',
      );
      assert.equal(rangeText(hover.range), '26:18-26:32');
    });

    it('the policy podSelector and a peer selector: the pods they match', async () => {
      const [pod] = await hoverText(uri(), new vscode.Position(7, 4));
      assert.equal(pod?.text, '**podSelector** `app=postgres` in namespace `production` selects 1 pod (workspace):\n- `production/postgres-0` 10.244.1.45');
      const [peer] = await hoverText(uri(), new vscode.Position(16, 16));
      assert.equal(peer?.text, '**Peer**: all pods in namespaces `team=observability` matches 1 pod (workspace):\n- `monitoring/prometheus-0` 10.244.2.30\n\nMatching namespaces: `monitoring`');
    });

    it('a named port: what it resolves to on each destination pod', async () => {
      const [hover] = await hoverText(workspaceUri('lab/api-ingress-named-port.yaml'), new vscode.Position(19, 16));
      assert.equal(hover?.text, '**Named port** `http` (TCP) resolves on each destination pod:\n- `lab/api-1`: 8080/TCP');
    });

    it('nothing on plain keys such as metadata.name', async () => {
      assert.deepEqual(await hoverText(uri(), new vscode.Position(4, 4)), []);
    });

    it('shows in the editor', async () => {
      const editor = await openWorkspaceFile(SEED);
      editor.selection = new vscode.Selection(26, 22, 26, 22);
      editor.revealRange(new vscode.Range(20, 0, 30, 0));
      await vscode.commands.executeCommand('editor.action.showHover');
      await screenshot('hover-cidr', { selector: '.monaco-hover-content', delayMs: 600 });
      await vscode.commands.executeCommand('editor.action.hideHover');
    });
  });

  describe('file events', () => {
    const extra = (): vscode.Uri => workspaceUri('lab/extra-postgres-2.yaml');
    const ignored = (): vscode.Uri => workspaceUri('node_modules/some-chart/postgres-3.yaml');
    const inFolder = (): vscode.Uri => workspaceUri('lab/more/postgres-4.yaml');
    const pod = (name: string, ip: string): Uint8Array =>
      new TextEncoder().encode(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: production\n  labels:\n    app: postgres\nstatus:\n  podIP: ${ip}\n`);
    const cleanUp = async (): Promise<void> => {
      for (const uri of [extra(), workspaceUri('node_modules'), workspaceUri('lab/more')]) await vscode.workspace.fs.delete(uri, { recursive: true }).then(undefined, () => undefined);
    };

    before(cleanUp);
    after(cleanUp);

    it('a new pod file counts at once, one in node_modules never, and a deleted one stops counting', async () => {
      await vscode.workspace.fs.writeFile(ignored(), pod('postgres-3', '10.244.1.47'));
      await vscode.workspace.fs.writeFile(extra(), pod('postgres-2', '10.244.1.46'));
      // lab/ sorts before seed/: the new pod comes first.
      await expectLensTitles(SEED, [SEED_LENSES[0]!, '1: selects 2 pods: postgres-2, postgres-0 (workspace)', ...SEED_LENSES.slice(2)]);
      await vscode.workspace.fs.delete(extra());
      await expectLensTitles(SEED, SEED_LENSES);
    });

    it('deleting a folder drops the manifests inside it', async () => {
      await vscode.workspace.fs.writeFile(inFolder(), pod('postgres-4', '10.244.1.48'));
      await expectLensTitles(SEED, [SEED_LENSES[0]!, '1: selects 2 pods: postgres-4, postgres-0 (workspace)', ...SEED_LENSES.slice(2)]);
      await vscode.workspace.fs.delete(workspaceUri('lab/more'), { recursive: true });
      await expectLensTitles(SEED, SEED_LENSES);
    });
  });

  describe('Restricted Mode', () => {
    it('@restricted lenses, diagnostics and hovers work on workspace data', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      await expectLensTitles(SEED, SEED_LENSES);
      await expectDiagnostics(workspaceUri(SEED), SEED_DIAGNOSTICS);
      assert.equal((await hoverText(workspaceUri(SEED), new vscode.Position(26, 20))).length, 1);
    });

    it('@trusted the same features in a trusted workspace', async () => {
      assert.equal(vscode.workspace.isTrusted, true);
      await expectLensTitles(SEED, SEED_LENSES);
    });
  });

  describe('screenshots', () => {
    it('CodeLens on the demo policy', async () => {
      const editor = await openWorkspaceFile(SEED);
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
      await expectLensTitles(SEED, SEED_LENSES);
      await screenshot('codelens-demo-policy', { selector: '.codelens-decoration a', delayMs: 1000 });
    });
  });
});

