// The cluster view in a real VS Code, against the fake API server started here, inside the
// extension host (test/support/fake-kube). The extension finds it through the
// `netlens.kubeconfig` user setting, pointed at a kubeconfig written to a temp folder.
// The tree is read through the real TreeDataProvider (`netlens.clusterView.inspect`; VS Code
// has no API to read another extension's tree) and shown with TreeView.reveal for screenshots.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startFakeKube, type FakeKube } from '../support/fake-kube/server';
import { runningPod, seed } from '../support/fake-kube/seed';
import type { KubeObject } from '../support/fake-kube/types';
import { screenshot, waitFor, workspaceUri } from './support/harness';

const CONTAINER = 'workbench.view.extension.netlens';
const WAIT = { timeoutMs: 30_000 };

interface Row {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  icon?: string;
  badge?: string;
  collapsible?: vscode.TreeItemCollapsibleState;
  command?: string;
  node: unknown;
}

interface Inspect {
  trusted: boolean;
  state: string;
  clusterLayerLoaded: boolean;
  context?: string;
  description?: string;
  source: string;
  timing: { children: { count: number; totalMs: number; maxMs: number; slowest: string }; items: { count: number; totalMs: number; maxMs: number; slowest: string } };
  lastUpdate?: { events: number; nodes: string[]; ms: number };
  whenConnected(): Promise<void>;
  children(path?: readonly string[]): Promise<Row[]>;
  reveal(node: unknown, options?: { expand?: number | boolean; select?: boolean; focus?: boolean }): Promise<void>;
  podNode(namespace: string, name: string): unknown;
  policyNode(namespace: string, name: string): unknown;
  selectionNode(namespace: string, name: string): unknown;
}

async function inspect(): Promise<Inspect> {
  const api = await vscode.commands.executeCommand<Inspect>('netlens.clusterView.inspect');
  assert.ok(api, 'netlens.clusterView.inspect returned nothing (is the cluster view registered?)');
  return api;
}

function text(rows: readonly Row[]): string[] {
  return rows.map((r) => (r.description ? `${r.label} — ${r.description}` : r.label));
}

/** Waits until the rows under `treePath` satisfy `check`; fails with the last rows seen. */
async function rowsWhere(treePath: readonly string[], check: (rows: Row[]) => boolean, message: string, timeoutMs = WAIT.timeoutMs): Promise<Row[]> {
  let last: Row[] = [];
  let lastError = '';
  await waitFor(
    async () => {
      try {
        last = await (await inspect()).children(treePath);
        lastError = '';
        return check(last);
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        return false;
      }
    },
    { timeoutMs, message },
  ).catch(() => assert.fail(`${message}: under ${treePath.join(' › ') || 'the root'} saw ${JSON.stringify(text(last))}${lastError ? ` (${lastError})` : ''}`));
  return last;
}

function ns(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

function policy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** The seed incident, the workspace's `shop` namespace, and a namespace the dev user may not read. */
function shop(): KubeObject[] {
  return [
    ns('production', { env: 'prod' }),
    ns('monitoring'),
    ns('shop'),
    ns('secret'),
    runningPod({ namespace: 'production', name: 'postgres-0', labels: { app: 'postgres' }, ip: '10.244.1.45', containers: [{ name: 'postgres', image: 'postgres:16', ports: [{ name: 'postgresql', containerPort: 5432 }] }] }),
    runningPod({ namespace: 'production', name: 'web-api-7d9f8b6c5d-x2k4q', labels: { app: 'web-api', 'pod-template-hash': '7d9f8b6c5d' }, ip: '10.244.2.17' }),
    runningPod({ namespace: 'monitoring', name: 'prometheus-0', labels: { app: 'prometheus' }, ip: '10.244.3.3' }),
    runningPod({ namespace: 'shop', name: 'api-6f7d9c8b5-k2j4m', labels: { app: 'api' }, ip: '10.244.4.10' }),
    runningPod({ namespace: 'shop', name: 'frontend-5c6d7e8f9-p9q8r', labels: { app: 'frontend' }, ip: '10.244.4.11' }),
    runningPod({ namespace: 'secret', name: 'vault-0', labels: { app: 'vault' }, ip: '10.244.5.5' }),
    policy('production', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
    policy('production', 'allow-db-access', {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'web-api' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    }),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'postgres', namespace: 'production' }, spec: { selector: { app: 'postgres' }, clusterIP: '10.96.12.7', ports: [{ port: 5432, targetPort: 5432, protocol: 'TCP' }] } },
  ];
}

/**
 * 10k pods and 2k policies: 3,000 pods of 10 workloads in namespace `bulk` (grouped, each group
 * paged), 7,000 in 100 team namespaces (workloads of 1-10 replicas).
 */
function large(): KubeObject[] {
  const out: KubeObject[] = [ns('bulk', { env: 'prod' })];
  for (let n = 0; n < 100; n++) out.push(ns(`team-${n}`, { env: n % 3 === 0 ? 'prod' : 'staging' }));
  let pods = 0;
  const pod = (namespace: string, app: string, r: number, tier: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${app}-6d5f8c7b9-${r.toString(36).padStart(5, 'x')}`, namespace, labels: { app, tier } },
    spec: { containers: [{ name: 'main', image: 'example/app:1', ports: [{ name: 'http', containerPort: 8080 }] }], nodeName: 'node-1' },
    status: { phase: 'Running', podIP: `10.${(pods >> 16) & 255}.${(pods >> 8) & 255}.${pods & 255}` },
  });
  for (; pods < 3000; pods++) out.push(pod('bulk', `bulk-${pods % 10}`, Math.floor(pods / 10), 'backend'));
  for (let app = 0; pods < 10_000; app++) {
    for (let r = 0; r < 1 + (app % 10) && pods < 10_000; r++, pods++) out.push(pod(`team-${app % 100}`, `app-${app}`, r, app % 2 ? 'backend' : 'frontend'));
  }
  for (let i = 0; i < 2000; i++) {
    out.push(
      policy(`team-${i % 100}`, i < 100 ? 'default-deny' : `allow-${i}`, i < 100 ? { podSelector: {}, policyTypes: ['Ingress'] } : {
        podSelector: { matchLabels: { app: `app-${i % 900}` } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      }),
    );
  }
  return out;
}

const ADMIN_TOKEN = 'admin-token';
const DEV_TOKEN = 'dev-token';

function kubeconfig(fake: FakeKube, big: FakeKube | undefined): string {
  const ca = Buffer.from(fake.caCert).toString('base64');
  const clusters = [{ name: 'fake', cluster: { server: fake.url, 'certificate-authority-data': ca } }];
  const contexts = [
    { name: 'kind-shop', context: { cluster: 'fake', user: 'admin' } },
    { name: 'dev', context: { cluster: 'fake', user: 'dev' } },
  ];
  if (big) {
    clusters.push({ name: 'big', cluster: { server: big.url, 'certificate-authority-data': ca } });
    contexts.push({ name: 'big', context: { cluster: 'big', user: 'admin' } });
  }
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters,
    users: [
      { name: 'admin', user: { token: ADMIN_TOKEN } },
      { name: 'dev', user: { token: DEV_TOKEN } },
    ],
    contexts,
    'current-context': 'kind-shop',
  });
}

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('netlens').update(key, value, vscode.ConfigurationTarget.Global);
}

async function showView(): Promise<void> {
  await vscode.commands.executeCommand(CONTAINER);
}

let widened = false;

/** A wider side bar (1) so that screenshots show the descriptions, and back (-1). */
async function resizeSideBar(direction: 1 | -1): Promise<void> {
  // The resize commands act on the focused part: the editor area gives the room.
  await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  const command = direction > 0 ? 'workbench.action.decreaseViewWidth' : 'workbench.action.increaseViewWidth';
  for (let i = 0; i < 6; i++) await vscode.commands.executeCommand(command).then(undefined, () => undefined);
  widened = direction > 0;
  await showView();
}

describe('cluster view', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-cluster-view-'));
  let fake: FakeKube | undefined;
  let big: FakeKube | undefined;

  after(async () => {
    // Leave the view disconnected (the editor tests expect workspace data) and the explorer shown.
    if (vscode.workspace.isTrusted) {
      await setSetting('kubeconfig', path.join(tmp, 'no-such-kubeconfig'));
      await setSetting('context', undefined);
      await setSetting('namespaces', undefined);
      await waitFor(async () => (await inspect()).state === 'noKubeconfig' && (await inspect()).source === 'workspace', { ...WAIT, message: 'the view disconnects' });
    }
    if (widened) await resizeSideBar(-1);
    await vscode.commands.executeCommand('workbench.view.explorer');
    await fake?.close();
    await big?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('@trusted against a fake API server', function () {
    this.timeout(120_000);

    before(async () => {
      fake = await startFakeKube({
        tokens: { [ADMIN_TOKEN]: 'admin', [DEV_TOKEN]: 'dev' },
        // dev may not list pods across all namespaces, nor in `secret`: the view falls back to
        // the namespaces dev may read and says what is hidden.
        rbac: { rules: [{ verbs: ['list', 'watch'], resources: ['pods'], namespaces: ['', 'secret'], users: ['dev'], allow: false }] },
        bookmarkIntervalMs: 60_000,
      });
      seed(fake.store, shop());
      const file = path.join(tmp, 'kubeconfig');
      fs.writeFileSync(file, kubeconfig(fake, undefined));
      await setSetting('context', undefined);
      await setSetting('kubeconfig', file);
    });

    it('shows contexts, namespaces, pods with isolation badges, policies and services', async () => {
      await showView();
      await resizeSideBar(1);
      const roots = await rowsWhere([], (rows) => rows.length === 2 || rows[0]?.label === 'Cannot load the cluster layer', 'the kubeconfig contexts');
      assert.notEqual(roots[0]?.label, 'Cannot load the cluster layer', roots[0]?.tooltip);
      await (await inspect()).whenConnected();
      await rowsWhere([], (rows) => rows[0]?.description === 'connected', 'connected to kind-shop');
      const api = await inspect();
      assert.equal(api.clusterLayerLoaded, true);
      assert.deepEqual(text(await api.children([])), ['kind-shop — connected', 'dev']);
      await rowsWhere(['kind-shop'], (rows) => rows.some((r) => r.label === 'production'), 'namespaces of kind-shop');
      assert.deepEqual(text(await api.children(['kind-shop'])), ['monitoring', 'production', 'secret', 'shop']);
      assert.deepEqual(text(await api.children(['kind-shop', 'production'])), ['Pods — 2', 'NetworkPolicies — 2', 'Services — 1']);
      const pods = await api.children(['kind-shop', 'production', 'Pods']);
      assert.deepEqual(text(pods), ['postgres-0 — Running · 10.244.1.45 · isolated ingress', 'web-api-7d9f8b6c5d-x2k4q — Running · 10.244.2.17 · isolated ingress']);
      assert.equal(pods[0]!.icon, 'pod-isolated-ingress.svg');
      assert.equal(pods[0]!.badge, 'I');
      assert.equal(pods[0]!.contextValue, 'pod hasIp');
      assert.match(pods[0]!.tooltip ?? '', /- `app=postgres`/);
      assert.match(pods[0]!.tooltip ?? '', /\*\*Ingress\*\* isolated by `allow-db-access`, `default-deny-ingress`/);
      const prometheus = await api.children(['kind-shop', 'monitoring', 'Pods']);
      assert.deepEqual(text(prometheus), ['prometheus-0 — Running · 10.244.3.3 · no policy selects this pod']);
      assert.equal(prometheus[0]!.badge, undefined);
      const db = ['kind-shop', 'production', 'NetworkPolicies', 'allow-db-access'];
      assert.deepEqual(text(await api.children(db)), ['Selects 1 pod — podSelector app=postgres', 'Ingress rule 1 — from 2 pods in 2 namespaces · on TCP 5432']);
      assert.deepEqual(text(await api.children([...db, 'Selects 1 pod'])), ['postgres-0 — production · Running · 10.244.1.45 · isolated ingress']);
      assert.deepEqual(text(await api.children([...db, 'Ingress rule 1'])), [
        'pods app=web-api in namespace production — 1 pod in 1 namespace: web-api-7d9f8b6c5d-x2k4q',
        'all pods in namespaces kubernetes.io/metadata.name=monitoring — 1 pod in 1 namespace: prometheus-0',
      ]);
      assert.deepEqual(text(await api.children(['kind-shop', 'production', 'Services'])), ['postgres — ClusterIP · 10.96.12.7 · 5432/TCP · 1 pod']);
      // The screenshot: the policy expanded to the pods it selects.
      await api.reveal(api.selectionNode('production', 'allow-db-access'), { expand: 1, select: true, focus: true });
      await api.reveal(api.podNode('production', 'postgres-0'), { select: false });
      const shot = await screenshot('cluster-view-policy', { selector: '.monaco-list-row', delayMs: 800 });
      if (shot) assert.ok(fs.existsSync(shot));
    });

    it('makes the cluster the data source of CodeLens, named by its context', async () => {
      assert.equal((await inspect()).source, 'context kind-shop');
      const uri = workspaceUri('policies/allow-frontend.yaml');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
      let titles: string[] = [];
      await waitFor(
        async () => {
          const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
          titles = lenses.map((l) => l.command?.title ?? '');
          return titles.some((t) => t.includes('(context kind-shop)'));
        },
        { ...WAIT, message: 'a lens naming the context' },
      ).catch(() => assert.fail(`lens titles: ${JSON.stringify(titles)}`));
      assert.ok(titles.includes('selects 1 pod: api-6f7d9c8b5-k2j4m (context kind-shop)'), JSON.stringify(titles));
      assert.ok(titles.includes('from 1 pod in 1 namespace · on TCP 8080'), JSON.stringify(titles));
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await showView();
    });

    it('shows a pod added on the server without a refresh, refreshing only its list', async () => {
      const api = await inspect();
      const childrenBefore = api.timing.children.count;
      fake!.store.create(runningPod({ namespace: 'production', name: 'cache-0', labels: { app: 'cache' }, ip: '10.244.2.30' }));
      const pods = await rowsWhere(['kind-shop', 'production', 'Pods'], (rows) => rows.some((r) => r.label === 'cache-0'), 'the new pod');
      assert.equal(text(pods).find((t) => t.startsWith('cache-0')), 'cache-0 — Running · 10.244.2.30 · isolated ingress');
      const update = (await inspect()).lastUpdate;
      assert.ok(update, 'no update recorded');
      assert.ok(update.nodes.length > 0, 'the update refreshed nothing');
      assert.ok(
        update.nodes.every((id) => id.startsWith('ctx:kind-shop/ns:production/')),
        `refreshed outside the namespace: ${update.nodes.join(', ')}`,
      );
      assert.ok(childrenBefore > 0);
      // A phase change refreshes the pod alone.
      fake!.store.modify('pods', 'production', 'cache-0', (p) => {
        p.status = { ...p.status, phase: 'Failed' };
      });
      await rowsWhere(['kind-shop', 'production', 'Pods'], (rows) => rows.some((r) => r.description?.startsWith('Failed')), 'the phase change');
      assert.deepEqual((await inspect()).lastUpdate?.nodes, ['ctx:kind-shop/ns:production/pods/pod:cache-0']);
      // A burst of events is applied in one batch.
      fake!.hooks.flood(40, { resource: 'pods', namespace: 'production', name: 'cache-0' });
      await waitFor(async () => ((await inspect()).lastUpdate?.events ?? 0) > 1, { ...WAIT, message: 'a batch of events' });
      const batch = (await inspect()).lastUpdate!;
      assert.ok(batch.events > 1, `${batch.events} events in the batch`);
      assert.deepEqual(batch.nodes, ['ctx:kind-shop/ns:production/pods/pod:cache-0']);
    });

    it('opens a policy as read-only YAML from the cluster, without managedFields', async () => {
      const api = await inspect();
      await vscode.commands.executeCommand('netlens.openClusterPolicy', api.policyNode('production', 'allow-db-access'));
      await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'netlens-cluster', { ...WAIT, message: 'the policy document opens' });
      const document = vscode.window.activeTextEditor!.document;
      assert.equal(document.languageId, 'yaml');
      assert.equal(document.uri.path, '/production/allow-db-access.yaml');
      const yaml = document.getText();
      assert.match(yaml, /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n/);
      assert.match(yaml, /\n {2}name: allow-db-access\n/);
      assert.match(yaml, /\nspec:\n {2}ingress:\n {2}- from:\n {4}- podSelector:\n/);
      assert.doesNotMatch(yaml, /managedFields/);
      // The editor features work on it, against the live cluster of its context.
      let titles: string[] = [];
      await waitFor(
        async () => {
          const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100)) ?? [];
          titles = lenses.map((l) => l.command?.title ?? '');
          return titles.includes('selects 1 pod: postgres-0 (context kind-shop)');
        },
        { ...WAIT, message: 'CodeLens on the cluster policy' },
      ).catch(() => assert.fail(`lens titles: ${JSON.stringify(titles)}`));
      assert.ok(titles.includes('from 2 pods in 2 namespaces · on TCP 5432'), JSON.stringify(titles));
      // Two peers: each gets its own lens.
      assert.ok(titles.includes('1 pod in 1 namespace: web-api-7d9f8b6c5d-x2k4q'), JSON.stringify(titles));
      assert.ok(titles.includes('1 pod in 1 namespace: prometheus-0'), JSON.stringify(titles));
      let diagnostics: vscode.Diagnostic[] = [];
      await waitFor(
        () => (diagnostics = vscode.languages.getDiagnostics(document.uri)).length > 0,
        { ...WAIT, message: 'diagnostics on the cluster policy' },
      );
      const codeOf = (d: vscode.Diagnostic): unknown => (typeof d.code === 'object' ? d.code.value : d.code);
      assert.deepEqual(
        diagnostics.map((d) => `${String(codeOf(d))}@${d.range.start.line}`),
        [`peer-and-or-confusion@${yaml.split('\n').findIndex((l) => l.includes('- namespaceSelector:'))}`],
      );
      assert.equal(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Warning);
      assert.match(diagnostics[0]!.message, /^These are two peers, ORed/);
      // Read-only: no quick fix is offered.
      const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostics[0]!.range)) ?? [];
      assert.deepEqual(actions.filter((a) => a.edit).map((a) => a.title), []);
      // Hovers too: the pod selector lists the pod it matches.
      const selectorLine = yaml.split('\n').findIndex((l) => l.includes('app: postgres'));
      const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(selectorLine, 8))) ?? [];
      const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(hoverText, /postgres-0/);
      await screenshot('cluster-view-policy-yaml', { selector: '.monaco-editor', delayMs: 800 });
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitFor(() => vscode.languages.getDiagnostics(document.uri).length === 0, { ...WAIT, message: 'diagnostics cleared on close' });
      await showView();
    });

    it("keeps the cluster's policy documents out of the workspace's snapshot", async () => {
      // The workspace defines production/default-deny-ingress too: were the cluster's copy indexed,
      // both would be reported as one object defined twice.
      const seedFile = workspaceUri('seed/policies/default-deny-ingress.yaml');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(seedFile), { preview: false });
      const api = await inspect();
      await vscode.commands.executeCommand('netlens.openClusterPolicy', api.policyNode('production', 'default-deny-ingress'));
      await waitFor(() => vscode.window.activeTextEditor?.document.uri.path === '/production/default-deny-ingress.yaml', { ...WAIT, message: 'the policy document opens' });
      const document = vscode.window.activeTextEditor!.document;
      let titles: string[] = [];
      await waitFor(
        async () => {
          titles = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100)) ?? []).map((l) => l.command?.title ?? '');
          return titles.some((t) => /^selects \d+ pods: .*\(context kind-shop\)$/.test(t));
        },
        { ...WAIT, message: 'CodeLens on the cluster policy' },
      ).catch(() => assert.fail(`lens titles: ${JSON.stringify(titles)}`));
      // Give the index's debounce time to pick up anything it would.
      await new Promise((r) => setTimeout(r, 1500));
      const duplicates = vscode.languages
        .getDiagnostics()
        .flatMap(([uri, list]) => list.filter((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'duplicate-object').map((d) => `${uri.toString()}: ${d.message}`));
      assert.deepEqual(duplicates, []);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await showView();
    });

    it('filters by namespace and label, and says so in the view description', async () => {
      await vscode.commands.executeCommand('netlens.filterClusterView', { namespaces: 'prod*', labels: 'app=postgres' });
      await rowsWhere(['kind-shop'], (rows) => rows.map((r) => r.label).join() === 'production', 'the namespace filter');
      assert.deepEqual(text(await (await inspect()).children(['kind-shop', 'production'])).slice(0, 1), ['Pods — 1 of 3']);
      assert.equal((await inspect()).description, 'ns prod* · app=postgres');
      await screenshot('cluster-view-filtered', { selector: '.monaco-list-row', delayMs: 500 });
      await vscode.commands.executeCommand('netlens.clearClusterViewFilter');
      await rowsWhere(['kind-shop'], (rows) => rows.length === 4, 'all namespaces again');
      assert.equal((await inspect()).description, undefined);
    });

    it('shows a namespace the user may not read as a message with Show Details and Choose Namespaces', async () => {
      await vscode.commands.executeCommand('netlens.switchContext', 'dev');
      assert.equal(vscode.workspace.getConfiguration('netlens').inspect('context')?.globalValue, 'dev', 'the context is remembered in user settings');
      await rowsWhere([], (rows) => text(rows).join() === 'kind-shop,dev — connected', 'dev is the active context');
      const top = await rowsWhere(['dev'], (rows) => rows.some((r) => r.label === 'secret'), 'namespaces of dev');
      assert.equal(top[0]!.label, 'You cannot list pods across all namespaces (RBAC)');
      const secret = await (await inspect()).children(['dev', 'secret']);
      assert.deepEqual(text(secret), ['You cannot list pods in namespace secret (RBAC)', 'Pods — not readable (RBAC)', 'NetworkPolicies — 0', 'Services — 0']);
      assert.equal(secret[0]!.contextValue, 'message Forbidden');
      assert.equal(secret[0]!.icon, 'warning.svg');
      assert.match(secret[0]!.tooltip ?? '', /showing namespaces/);
      assert.deepEqual(text(await (await inspect()).children(['dev', 'secret', 'You cannot list pods in namespace secret (RBAC)'])), ['Show Details', 'Choose Namespaces']);
      assert.deepEqual(text(await (await inspect()).children(['dev', 'production', 'Pods'])).length, 3, 'readable namespaces still show their pods');
      const api = await inspect();
      const message = (await api.children(['dev', 'secret']))[0]!;
      await api.reveal(message.node, { expand: 1, select: true, focus: true });
      await screenshot('cluster-view-forbidden', { selector: '.monaco-list-row', delayMs: 800 });
      await vscode.commands.executeCommand('netlens.switchContext', 'kind-shop');
      await rowsWhere([], (rows) => text(rows).join() === 'kind-shop — connected,dev', 'back on kind-shop');
    });

    it('shows an unreachable API server with Retry, and recovers', async () => {
      await rowsWhere(['kind-shop'], (rows) => rows.some((r) => r.label === 'production'), 'connected');
      await fake!.hooks.stopListening();
      const rows = await rowsWhere(['kind-shop'], (r) => r[0]?.label === 'Cannot reach the API server', 'the unreachable message');
      assert.equal(rows[0]!.command, 'netlens.retryCluster');
      assert.match(rows[0]!.contextValue ?? '', /\bretryable\b/);
      assert.deepEqual(text(await (await inspect()).children(['kind-shop', 'Cannot reach the API server'])), ['Retry', 'Show Log']);
      await fake!.hooks.resumeListening();
      await vscode.commands.executeCommand('netlens.retryCluster');
      await rowsWhere(['kind-shop'], (r) => r[0]?.label === 'monitoring', 'connected again after Retry');
    });

    it('shows expired credentials with Retry and Show Log', async () => {
      fake!.hooks.expireToken(ADMIN_TOKEN);
      fake!.hooks.closeAllWatches();
      const rows = await rowsWhere(['kind-shop'], (r) => r[0]?.label === 'Your credentials have expired', 'the expired message');
      assert.match(rows[0]!.tooltip ?? '', /Log in again/);
      assert.deepEqual(text(await (await inspect()).children(['kind-shop', 'Your credentials have expired'])), ['Retry', 'Show Log']);
      await screenshot('cluster-view-expired', { selector: '.monaco-list-row', delayMs: 500 });
      fake!.hooks.addToken(ADMIN_TOKEN, 'admin');
      await vscode.commands.executeCommand('netlens.retryCluster');
      await rowsWhere(['kind-shop'], (r) => r[0]?.label === 'monitoring', 'connected again after logging in');
    });

    it('loads 10k pods and 2k policies and answers getChildren quickly', async function () {
      this.timeout(240_000);
      big = await startFakeKube({ tokens: { [ADMIN_TOKEN]: 'admin' }, bookmarkIntervalMs: 60_000, podSecurity: false });
      seed(big.store, large());
      const file = path.join(tmp, 'kubeconfig-big');
      fs.writeFileSync(file, kubeconfig(fake!, big));
      await setSetting('kubeconfig', file);
      await rowsWhere([], (rows) => rows.length === 3, 'the big context is listed');
      const started = Date.now();
      await vscode.commands.executeCommand('netlens.switchContext', 'big');
      await (await inspect()).whenConnected();
      const namespaces = await rowsWhere(['big'], (rows) => rows.length >= 101, 'namespaces of the big cluster', 120_000);
      const connected = Date.now() - started;
      const api = await inspect();
      const before = { ...api.timing.children };
      const itemsBefore = { ...api.timing.items };
      const t0 = performance.now();
      const namespaceRows = await api.children(['big', 'team-0']);
      const pods = await api.children(['big', 'team-0', 'Pods']);
      const policies = await api.children(['big', 'team-0', 'NetworkPolicies']);
      const opened = await api.children(['big', 'team-0', 'NetworkPolicies', policies[0]!.label, 'Ingress rule 1', 'pods tier=frontend in namespaces env=prod']);
      const walk = performance.now() - t0;
      const after = api.timing.children;
      const calls = after.count - before.count;
      const items = api.timing.items.count - itemsBefore.count;
      console.log(
        `      big cluster (10,000 pods, 2,000 policies): connected and listed in ${connected} ms; ` +
          `${calls} getChildren in ${(after.totalMs - before.totalMs).toFixed(1)} ms (slowest ${after.maxMs.toFixed(1)} ms), ` +
          `${items} getTreeItem in ${(api.timing.items.totalMs - itemsBefore.totalMs).toFixed(1)} ms; a namespace opened down to a peer's pods in ${walk.toFixed(0)} ms`,
      );
      assert.equal(namespaces.length, 101, '101 namespaces: under one page');
      assert.equal(namespaceRows.length, 3);
      assert.ok(pods.length <= 201 && policies.length <= 201);
      assert.ok(opened.length > 0 && opened.length <= 201, `${opened.length} pods under the peer`);
      assert.ok(after.maxMs < 2000, `getChildren took ${after.maxMs} ms for ${after.slowest}`);
      assert.ok(walk < 2000, `${walk} ms`);
      // A large namespace: pods grouped by app, each group paged.
      assert.deepEqual(text(await api.children(['big', 'bulk'])).slice(0, 1), ['Pods — 3,000 in 10 groups']);
      const groups = await api.children(['big', 'bulk', 'Pods']);
      assert.deepEqual(text(groups).slice(0, 3), ['app=bulk-0 — 300 pods', 'app=bulk-1 — 300 pods', 'app=bulk-2 — 300 pods']);
      const page = await api.children(['big', 'bulk', 'Pods', 'app=bulk-0']);
      assert.equal(page.length, 201);
      const more = page[200]!;
      assert.deepEqual([more.label, more.description, more.command], ['Show 100 more', '200 of 300 shown', 'netlens.clusterView.showMore']);
      await api.reveal(more.node, { select: true, focus: true });
      await screenshot('cluster-view-large', { selector: '.monaco-list-row', delayMs: 500 });
      await vscode.commands.executeCommand('netlens.clusterView.showMore', more.id);
      assert.equal((await api.children(['big', 'bulk', 'Pods', 'app=bulk-0'])).length, 300);
      await vscode.commands.executeCommand('netlens.switchContext', 'kind-shop');
    });

    it('shows the "no kubeconfig" welcome when there is none', async () => {
      await setSetting('kubeconfig', path.join(tmp, 'missing', 'kubeconfig'));
      await waitFor(async () => (await inspect()).state === 'noKubeconfig', { ...WAIT, message: 'the noKubeconfig state' });
      assert.deepEqual(await (await inspect()).children([]), []);
      assert.equal((await inspect()).source, 'workspace', 'CodeLens go back to the workspace');
      await showView();
      await screenshot('cluster-view-no-kubeconfig', { selector: '.welcome-view-content', delayMs: 500 });
    });
  });

  describe('@restricted in Restricted Mode', () => {
    it('@restricted shows the trust welcome and never loads the cluster layer or a credential plugin', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      // A kubeconfig whose credential plugin would leave a mark if anything ran it.
      const marker = path.join(tmp, 'plugin-ran');
      const plugin = path.join(tmp, 'credential-plugin.sh');
      fs.writeFileSync(plugin, `#!/bin/sh\ntouch '${marker}'\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'\n`, { mode: 0o755 });
      execFileSync('/bin/sh', ['-n', plugin]);
      const file = path.join(tmp, 'kubeconfig-exec');
      fs.writeFileSync(
        file,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } }],
          users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } } }],
          contexts: [{ name: 'exec', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'exec',
        }),
      );
      await setSetting('kubeconfig', file);
      try {
        await showView();
        await waitFor(async () => (await inspect()).state === 'untrusted', { ...WAIT, message: 'the view asks for trust' });
        await vscode.commands.executeCommand('netlens.refreshClusterView');
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const api = await inspect();
        assert.deepEqual(await api.children([]), [], 'an empty tree shows the welcome');
        assert.equal(api.clusterLayerLoaded, false, 'the cluster layer was imported');
        assert.equal(api.source, 'workspace');
        assert.deepEqual(
          // When scripts/build.mjs bundles the cluster view's runtime on its own.
          Object.keys(require.cache).filter((f) => /[\\/]netlens\.netlens-[^\\/]+[\\/]dist[\\/]cluster(-view)?-runtime\.js$/.test(f)),
          [],
          'the cluster view runtime bundle was required',
        );
        assert.equal(fs.existsSync(marker), false, 'the credential plugin ran');
        await screenshot('cluster-view-restricted', { selector: '.welcome-view-content', delayMs: 500 });
      } finally {
        await vscode.commands.executeCommand('notifications.clearAll');
        await setSetting('kubeconfig', undefined);
      }
    });
  });
});
