// "NetLens: Test Connectivity" in a real VS Code, against the demo cluster started here, inside
// the extension host: the fake API server with the seed incident and the simulated data plane
// (test/support/demo-cluster.ts). The extension finds it through the `netlens.kubeconfig` user
// setting. The commands run non-interactively: the argument object carries the whole request
// and `confirm: true`, which the command honours only from code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startDemoCluster, WEB_API_PODS, type DemoCluster } from '../support/demo-cluster';
import { getExtension, openWorkspaceFile, screenshot, waitFor } from './support/harness';

const TEST = 'netlens.testConnectivity';
const GENERATE = 'netlens.generateAllowPolicy';
const APPLY = 'netlens.applyPolicy';
const RERUN = 'netlens.rerunConnectivityTest';
const BAD_IMAGE = 'registry.invalid/netlens/no-such-image:0';
const WEB_API = { namespace: 'production', name: WEB_API_PODS[0] };
const POSTGRES = { kind: 'pod', namespace: 'production', name: 'postgres-0' } as const;

type Outcome =
  | { ok: true; report: string; text: string; outcome: string; diagnosis: string; allowed: boolean }
  | { ok: false; reason: string; message?: string; error?: string };

interface Inspect {
  trusted: boolean;
  clusterLayerLoaded: boolean;
  reports: string[];
  recentTests: string[];
}

async function run<T = Outcome>(command: string, arg?: unknown): Promise<T> {
  return (await vscode.commands.executeCommand<T>(command, arg)) as T;
}

function ok(outcome: Outcome): Extract<Outcome, { ok: true }> {
  assert.ok(outcome.ok, `the test did not run: ${JSON.stringify(outcome)}`);
  return outcome;
}

/** Writes to the cluster (everything but reads and access reviews), as `METHOD path`. */
function writes(demo: DemoCluster, from: number): string[] {
  return demo.fake
    .requests()
    .slice(from)
    .filter((r) => r.method !== 'GET' && !r.path.endsWith('/selfsubjectaccessreviews'))
    .map((r) => `${r.method} ${r.path}${r.query.includes('dryRun=All') ? '?dryRun=All' : ''}`);
}

function ephemeralContainers(demo: DemoCluster, namespace: string, pod: string): { name: string; image: string }[] {
  return ((demo.fake.store.get('pods', namespace, pod)?.spec as { ephemeralContainers?: { name: string; image: string }[] }).ephemeralContainers ?? []);
}

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('netlens').update(key, value, vscode.ConfigurationTarget.Global);
}

function editorOf(uri: string): vscode.TextEditor | undefined {
  return vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
}

describe('connectivity tests', () => {
  let demo: DemoCluster | undefined;

  describe('@trusted against the demo cluster', function () {
    this.timeout(120_000);
    const conf = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('netlens');
    let previous: { kubeconfig: unknown; debugImage: unknown; context: unknown };
    let firstReport: string | undefined;
    let policyDocument: string | undefined;

    before(async () => {
      await getExtension().activate();
      demo = await startDemoCluster({ extraPods: 40, fake: { kubelet: { containerCreatingMs: 20, startMs: 40, backOffMs: 40, failImages: { [BAD_IMAGE]: 'ErrImagePull' } } } });
      previous = {
        kubeconfig: conf().inspect('kubeconfig')?.globalValue,
        debugImage: conf().inspect('debugImage')?.globalValue,
        context: conf().inspect('context')?.globalValue,
      };
      await setSetting('kubeconfig', demo.kubeconfigPath);
      await setSetting('context', undefined);
    });

    after(async () => {
      await setSetting('kubeconfig', previous.kubeconfig);
      await setSetting('debugImage', previous.debugImage);
      await setSetting('context', previous.context);
      // The cluster view follows netlens.kubeconfig: wait until it has left the demo cluster, so
      // the editor tests that follow see workspace data, and nothing is connected when it closes.
      const views = await vscode.commands.getCommands(true);
      if (views.includes('netlens.clusterView.inspect')) {
        await waitFor(async () => (await run<{ source: string }>('netlens.clusterView.inspect')).source === 'workspace', { timeoutMs: 30_000, message: 'the cluster view leaves the demo cluster' });
      }
      if (policyDocument) {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === policyDocument);
        if (document) {
          await vscode.window.showTextDocument(document);
          await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        }
      }
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await demo?.close();
      demo = undefined;
    });

    it('is registered and loads the cluster layer only when a test runs', async () => {
      assert.ok((await vscode.commands.getCommands(true)).includes(TEST));
      const state = await run<Inspect>('netlens.connectivity.inspect');
      assert.equal(state.trusted, true);
    });

    it('web-api → postgres:5432: TIMED OUT, denied by production/default-deny-ingress; the report opens beside', async () => {
      // The deny policy of the incident on the left; the report opens beside it.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await openWorkspaceFile('seed/policies/default-deny-ingress.yaml');
      const mark = demo!.fake.requests().length;
      const result = ok(
        await run(TEST, { context: demo!.context, source: WEB_API, destination: POSTGRES, port: 5432, protocol: 'TCP', confirm: true }),
      );
      firstReport = result.report;
      assert.equal(result.outcome, 'timeout');
      assert.equal(result.diagnosis, 'blocked-by-policy');
      assert.equal(result.allowed, false);
      assert.match(result.text, /^Probe {5}TIMED OUT/m);
      assert.match(result.text, /^Policies {2}DENIED/m);
      assert.match(result.text, /^Match {5}CONSISTENT/m);
      assert.match(result.text, /production\/default-deny-ingress/);
      assert.match(result.text, /^Context {6}netlens-demo$/m);
      assert.match(result.text, /\$ nc -zv -w 3 -- 10\.244\.1\.45 5432/);
      // One write: the debug container, confirmed by the caller.
      assert.deepEqual(writes(demo!, mark), [`PATCH /api/v1/namespaces/production/pods/${WEB_API.name}/ephemeralcontainers`]);
      assert.equal(ephemeralContainers(demo!, 'production', WEB_API.name).length, 1);

      const uri = vscode.Uri.parse(result.report);
      assert.equal(uri.scheme, 'netlens-report');
      await waitFor(() => editorOf(result.report) !== undefined, { message: 'the report is shown' });
      const editor = editorOf(result.report)!;
      assert.equal(editor.document.languageId, 'netlens-report');
      assert.equal(editor.viewColumn, vscode.ViewColumn.Two, 'beside the policy');
      assert.equal(editor.document.getText(), result.text);
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
      assert.deepEqual(
        lenses.map((l) => l.command?.title),
        ['$(debug-rerun) Run Again', '$(shield) Generate Allow Policy', 'Show Log'],
      );
      const state = await run<Inspect>('netlens.connectivity.inspect');
      assert.equal(state.clusterLayerLoaded, true);
      assert.ok(state.reports.includes(result.report));
      const shot = await screenshot('connectivity-report', { selector: '.monaco-editor .view-lines', delayMs: 800 });
      if (shot) assert.ok(shot.endsWith('connectivity-report.png'));
    });

    it('Generate Allow Policy opens the narrow policy as untitled YAML, with the engine\'s check', async () => {
      assert.ok(firstReport, 'the first test ran');
      const generated = await run<{ ok: boolean; document: string; yaml: string; check: string }>(GENERATE, firstReport);
      assert.ok(generated.ok, JSON.stringify(generated));
      policyDocument = generated.document;
      assert.equal(vscode.Uri.parse(generated.document).scheme, 'untitled');
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.toString(), generated.document);
      assert.equal(editor.document.languageId, 'yaml');
      const yaml = editor.document.getText();
      assert.equal(yaml, generated.yaml);
      assert.match(yaml, /^# allow-web-api-to-postgres-5432: the narrow allow policy NetLens generated for\n# production\/web-api-7d9f8b6c5d-x2k4q → production\/postgres-0:5432\/TCP \(context netlens-demo\)\.\n/);
      assert.match(yaml, /^# Checked with the policy engine: with this, production\/web-api-7d9f8b6c5d-x2k4q → production\/postgres-0:5432\/TCP is allowed; /m);
      assert.match(
        yaml,
        /apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n {2}name: allow-web-api-to-postgres-5432\n {2}namespace: production\nspec:\n {2}podSelector:\n {4}matchLabels:\n {6}app: postgres\n {2}policyTypes:\n {2}- Ingress\n {2}ingress:\n {2}- from:\n {4}- podSelector:\n {8}matchLabels:\n {10}app: web-api\n {4}ports:\n {4}- protocol: TCP\n {6}port: 5432\n$/,
      );
      assert.doesNotMatch(yaml, /pod-template-hash|statefulset|controller-revision-hash/);
      assert.match(generated.check, /^with this, production\/web-api-7d9f8b6c5d-x2k4q → production\/postgres-0:5432\/TCP is allowed; /);
      // The report now carries the fix, and both are visible side by side.
      const report = vscode.workspace.textDocuments.find((d) => d.uri.toString() === firstReport)!;
      await waitFor(() => report.getText().includes('=== Fix ==='), { message: 'the report shows the fix' });
      assert.ok(editorOf(firstReport), 'the report stays visible');
      await screenshot('connectivity-generated-policy', { selector: '.monaco-editor .view-lines', delayMs: 1000 });
    });

    it('Apply (confirmed by the caller) runs a server-side dry run, then creates the policy; a re-run CONNECTED', async () => {
      assert.ok(policyDocument && firstReport, 'the policy was generated');
      const mark = demo!.fake.requests().length;
      const applied = await run<{ ok: boolean; context: string; validated: string[]; created: string[] }>(APPLY, { document: policyDocument, confirm: true });
      assert.ok(applied.ok, JSON.stringify(applied));
      assert.equal(applied.context, 'netlens-demo');

      assert.deepEqual(applied.validated, ['production/allow-web-api-to-postgres-5432']);
      assert.deepEqual(applied.created, ['production/allow-web-api-to-postgres-5432']);
      // The dry run the confirmation is about, the dry run again right before the create, the create.
      assert.deepEqual(writes(demo!, mark), [
        'POST /apis/networking.k8s.io/v1/namespaces/production/networkpolicies?dryRun=All',
        'POST /apis/networking.k8s.io/v1/namespaces/production/networkpolicies?dryRun=All',
        'POST /apis/networking.k8s.io/v1/namespaces/production/networkpolicies',
      ]);
      const stored = demo!.fake.store.get('networkpolicies', 'production', 'allow-web-api-to-postgres-5432');
      assert.deepEqual((stored?.spec as { ingress: unknown }).ingress, [{ from: [{ podSelector: { matchLabels: { app: 'web-api' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);

      // Run again from the first report: a fresh read of the cluster, the same debug container.
      const beforeRerun = demo!.fake.requests().length;
      const again = ok(await run(RERUN, firstReport));
      assert.notEqual(again.report, firstReport, 'a new report');
      assert.equal(again.outcome, 'connected');
      assert.equal(again.diagnosis, 'works');
      assert.match(again.text, /^Probe {5}CONNECTED/m);
      assert.match(again.text, /^Policies {2}ALLOWED/m);
      assert.match(again.text, /production\/allow-web-api-to-postgres-5432/);
      assert.deepEqual(writes(demo!, beforeRerun), [], 'the debug container is reused: nothing written');
      assert.equal(ephemeralContainers(demo!, 'production', WEB_API.name).length, 1);
      await waitFor(() => editorOf(again.report) !== undefined, { message: 'the new report is shown' });
    });

    it('a Service by its DNS name: the checks connect to the Service, the verdict is for its backend', async () => {
      const result = ok(await run(TEST, { context: demo!.context, source: WEB_API, destination: { kind: 'dns', name: 'postgres.production.svc.cluster.local' }, port: 5432, confirm: true }));
      assert.equal(result.outcome, 'connected');
      assert.match(result.text, /^Connected to 10\.96\.12\.34:5432 \(postgres\.production\.svc\.cluster\.local\)$/m);
      assert.match(result.text, /the policy verdict is for its backend production\/postgres-0 on 5432\/TCP/);
    });

    it('remembers the recent tests for "Run again", newest first, without duplicates', async () => {
      // The palette's first pick offers them as "Run again: …".
      const state = await run<Inspect>('netlens.connectivity.inspect');
      assert.deepEqual(state.recentTests.slice(0, 2), ['web-api → postgres.production:5432', 'web-api → postgres:5432']);
    });

    it('from the palette: the context pick comes first, with the recent tests on top; Escape touches nothing', async () => {
      const mark = demo!.fake.requests().length;
      // No argument, as the Command Palette runs it.
      const pending = vscode.commands.executeCommand<Outcome>(TEST);
      await screenshot('connectivity-first-pick', { selector: '.quick-input-widget .monaco-list-row', delayMs: 500 });
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      assert.deepEqual(await pending, { ok: false, reason: 'cancelled' });
      assert.equal(demo!.fake.requests().length, mark, 'no request before a context is picked');
    });

    it('a missing RBAC permission: says which, and writes nothing', async () => {
      demo!.fake.hooks.setRbac({ rules: [{ verbs: ['patch'], resources: ['pods/ephemeralcontainers'], namespaces: ['production'], allow: false, reason: 'no debug access in production' }] });
      try {
        const mark = demo!.fake.requests().length;
        const result = await run(TEST, { context: demo!.context, source: { namespace: 'production', name: WEB_API_PODS[1] }, destination: POSTGRES, port: 5432, confirm: true });
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.error === 'MissingPermissions', JSON.stringify(result));
        assert.match(result.message ?? '', /you may not add a debug container to production\/web-api-7d9f8b6c5d-p8m3z.*missing "patch pods\/ephemeralcontainers .*in namespace production".*Ask a cluster admin/);
        assert.deepEqual(writes(demo!, mark), []);
      } finally {
        demo!.fake.hooks.resetRbac();
      }
    });

    it('a debug image that cannot be pulled: ErrImagePull, and what to change', async () => {
      await setSetting('debugImage', BAD_IMAGE);
      try {
        const result = await run(TEST, { context: demo!.context, source: { namespace: 'production', name: WEB_API_PODS[2] }, destination: POSTGRES, port: 5432, confirm: true });
        assert.ok(!result.ok && result.error === 'ContainerFailed', JSON.stringify(result));
        assert.match(result.message ?? '', /ErrImagePull/);
        assert.match(result.message ?? '', /netlens\.debugImage/);
      } finally {
        await setSetting('debugImage', previous.debugImage);
      }
    });

    it('Pod Security rejects the debug container: the probe pod fallback, deleted afterwards', async () => {
      demo!.fake.hooks.setNamespaceSecurity('monitoring', 'restricted');
      const mark = demo!.fake.requests().length;
      const result = ok(
        await run(TEST, {
          context: demo!.context,
          source: { namespace: 'monitoring', name: 'prometheus-0' },
          destination: { kind: 'service', namespace: 'production', name: 'web-api' },
          port: 80,
          confirm: true,
          probePod: { copyLabels: true },
        }),
      );
      assert.match(result.text, /^Probe from {3}probe pod monitoring\/netlens-probe-\w{5} \(with prometheus-0's labels\)$/m);
      const w = writes(demo!, mark);
      assert.equal(w[0], 'PATCH /api/v1/namespaces/monitoring/pods/prometheus-0/ephemeralcontainers', 'the rejected patch');
      assert.equal(w[1], 'POST /api/v1/namespaces/monitoring/pods');
      assert.match(w[2] ?? '', /^DELETE \/api\/v1\/namespaces\/monitoring\/pods\/netlens-probe-\w{5}$/);
      assert.equal(w.length, 3);
      assert.equal(ephemeralContainers(demo!, 'monitoring', 'prometheus-0').length, 0);
    });

    it('the same policy again: the dry run says it exists; nothing is written', async () => {
      assert.ok(policyDocument);
      const mark = demo!.fake.requests().length;
      const again = await run<Outcome>(APPLY, { document: policyDocument, confirm: true });
      assert.ok(!again.ok && again.error === 'Other', JSON.stringify(again));
      assert.match(again.message ?? '', /NetworkPolicy production\/allow-web-api-to-postgres-5432 already exists; netlens never overwrites a policy/);
      assert.deepEqual(writes(demo!, mark), ['POST /apis/networking.k8s.io/v1/namespaces/production/networkpolicies?dryRun=All']);
    });

    it('the policies allow it but the CNI drops it: Check Node Conntrack reads the node with a privileged pod, deleted afterwards', async () => {
      const controller = 'ingress-nginx-controller-5c9f7b8d6-zt4qw';
      const controllerNamespace = 'ingress-nginx';
      demo!.dataplane.setFaults({ cniDrop: [{ from: 'ingress-nginx/*', to: 'production/*', port: 8080 }] });
      try {
        const result = ok(await run(TEST, { context: demo!.context, source: { namespace: 'ingress-nginx', name: controller }, destination: { kind: 'pod', ...WEB_API }, port: 'http', confirm: true }));
        assert.equal(result.outcome, 'timeout');
        assert.equal(result.allowed, true);
        assert.equal(result.diagnosis, 'dataplane-drop');
        assert.match(result.text, /^Match {5}INCONSISTENT/m);
        const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.parse(result.report))) ?? [];
        assert.deepEqual(lenses.map((l) => l.command?.title), ['$(debug-rerun) Run Again', '$(pulse) Check Node Conntrack', 'Show Log']);
        // netlens.connectivity.nodeDebug "never": refused even with confirm: true, before any request.
        const beforeNever = demo!.fake.requests().length;
        await setSetting('connectivity.nodeDebug', 'never');
        try {
          const refused = await run('netlens.checkNodeConntrack', { report: result.report, confirm: true });
          assert.equal(refused.ok, false);
          assert.deepEqual(refused.ok ? undefined : [refused.reason, refused.message], ['disabled', 'node debug pods are turned off (the netlens.connectivity.nodeDebug setting is "never"), so the node\'s conntrack table was not read and nothing was created. Set it to "ask" in your user settings to allow them, each one confirmed']);
          assert.deepEqual(demo!.fake.requests().slice(beforeNever).map((r) => `${r.method} ${r.path}`), [], 'no request at all, not even an access review');
          assert.equal(demo!.fake.store.list('pods', controllerNamespace).filter((p) => p.metadata.name.startsWith('netlens-node-debug-')).length, 0);
        } finally {
          await setSetting('connectivity.nodeDebug', undefined);
        }
        const mark = demo!.fake.requests().length;
        const read = ok(await run('netlens.checkNodeConntrack', { report: result.report, confirm: true }));
        assert.equal(read.report, result.report, 'the same report, updated');
        assert.match(read.text, /on node debug pod ingress-nginx\/netlens-node-debug-\w{5} on node node-b/);
        assert.match(read.text, /\$ cat \/proc\/sys\/net\/netfilter\/nf_conntrack_count/);
        const w = writes(demo!, mark);
        assert.equal(w.length, 2, w.join('\n'));
        assert.equal(w[0], 'POST /api/v1/namespaces/ingress-nginx/pods');
        assert.match(w[1]!, /^DELETE \/api\/v1\/namespaces\/ingress-nginx\/pods\/netlens-node-debug-\w{5}$/);
        const report = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.report);
        await waitFor(() => report?.getText() === read.text, { message: 'the open report shows the conntrack reading' });
      } finally {
        demo!.dataplane.setFaults({});
      }
    });

    it('refuses bad arguments before touching the cluster', async () => {
      const mark = demo!.fake.requests().length;
      const bad = await run(TEST, { context: demo!.context, source: WEB_API, destination: { kind: 'ip', ip: '10.0.0.1; rm -rf /' }, port: 5432, confirm: true });
      assert.ok(!bad.ok && bad.reason === 'invalid', JSON.stringify(bad));
      const port = await run(TEST, { context: demo!.context, source: WEB_API, destination: POSTGRES, port: '--help', confirm: true });
      assert.ok(!port.ok && port.reason === 'invalid', JSON.stringify(port));
      const confirm = await run(TEST, { context: demo!.context, source: WEB_API, destination: POSTGRES, port: 5432, confirm: 'true' });
      assert.ok(!confirm.ok && confirm.reason === 'invalid', 'confirm must be the boolean true');
      assert.equal(demo!.fake.requests().length, mark);
    });
  });

  describe('@restricted', () => {
    const saved = process.env.KUBECONFIG;

    before(async () => {
      await getExtension().activate();
      demo = await startDemoCluster({ extraPods: 0 });
      process.env.KUBECONFIG = demo.kubeconfigPath;
    });

    after(async () => {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
      await demo?.close();
      demo = undefined;
    });

    it('refuses in Restricted Mode without reading the kubeconfig or touching a cluster', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      assert.ok((await vscode.commands.getCommands(true)).includes(TEST), 'the command stays registered');
      const request = { context: demo!.context, source: WEB_API, destination: POSTGRES, port: 5432, confirm: true };
      const result = await run(TEST, request);
      assert.ok(!result.ok && result.reason === 'untrusted', JSON.stringify(result));
      assert.match(result.message ?? '', /needs a trusted workspace/);
      for (const command of [RERUN, APPLY, 'netlens.checkNodeConntrack']) {
        const other = await run(command, { confirm: true });
        assert.ok(!other.ok && other.reason === 'untrusted', `${command}: ${JSON.stringify(other)}`);
      }
      assert.equal(demo!.fake.requests().length, 0, 'no request reached the API server');
      const state = await run<Inspect>('netlens.connectivity.inspect');
      assert.equal(state.clusterLayerLoaded, false, 'the cluster layer was not loaded');
    });
  });
});
