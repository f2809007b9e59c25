// The flows of "Test Connectivity": pick (or take) a request, read the cluster, prepare the test,
// confirm the writes, run it under a cancellable progress notification, open the report; then the
// report's actions: run again, generate the allow policy, apply a policy, read a node's conntrack.
//
// Every flow checks workspace trust first and loads the cluster layer only after that. Each
// command answers code (tests, the cluster view) with a plain result object, and never waits for
// a notification: messages are shown and left.
import * as vscode from 'vscode';
import { displayArgv, formatDuration } from '../../core/connectivity/report';
import { OUTCOME_WORDS } from '../../core/connectivity/classify';
import { nodeDebugDecision } from '../../core/connectivity/node-debug-setting';
import type { ClusterSnapshot } from '../../core/model';
import { errorText, rememberSecrets, type Log } from '../log';
import type { Services } from '../services';
import { Confirmations } from './confirm';
import { loadConnectivityRuntime, type ConnectivityRuntime } from './load-runtime';
import { pickContext, pickDestination, pickPort, pickSource } from './pickers';
import { REPORT_LANGUAGE, REPORT_SCHEME, type ReportEntry, type ReportStore } from './reports';
import {
  addRecent,
  asTestRequest,
  destinationText,
  findSource,
  parseTestArgs,
  requestLabel,
  requestTitle,
  resolveDestinationInput,
  type TestArgs,
  type TestRequest,
} from './request';
import type { ClusterAccess, ConnectivityProgress, ConnectivityResult, ConnectivityTest, ErrorInfo } from './connectivity-runtime';

export const CONNECTIVITY_COMMANDS = {
  test: 'netlens.testConnectivity',
  rerun: 'netlens.rerunConnectivityTest',
  generateFix: 'netlens.generateAllowPolicy',
  apply: 'netlens.applyPolicy',
  checkConntrack: 'netlens.checkNodeConntrack',
} as const;

const UNTRUSTED = 'NetLens: connectivity tests need cluster access, which needs a trusted workspace (a kubeconfig can run credential plugins). Policy analysis of the workspace files works in Restricted Mode.';
const RECENTS_KEY = 'netlens.connectivity.recentTests';

/** Why a command stopped without a result. */
export type StopReason = 'untrusted' | 'cancelled' | 'declined' | 'no-kubeconfig' | 'invalid' | 'error' | 'nothing' | 'disabled';

/** What `netlens.testConnectivity` (and the re-run) answers to code. */
export type TestOutcome =
  | {
      readonly ok: true;
      /** The report document, `netlens-report:…`. */
      readonly report: string;
      readonly text: string;
      readonly outcome: string;
      readonly diagnosis: string;
      readonly allowed: boolean;
      readonly request: TestRequest;
    }
  | { readonly ok: false; readonly reason: StopReason; readonly message?: string; readonly error?: ErrorInfo['kind'] };

type Stopped = Extract<TestOutcome, { ok: false }>;

function stopped(reason: StopReason, message?: string, error?: ErrorInfo['kind']): Stopped {
  return { ok: false, reason, ...(message !== undefined ? { message } : {}), ...(error ? { error } : {}) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A report reference: its URI (string or Uri), or `{report}`. */
function reportRef(arg: unknown): string | vscode.Uri | undefined {
  if (typeof arg === 'string' || arg instanceof vscode.Uri) return arg;
  if (isRecord(arg) && (typeof arg.report === 'string' || arg.report instanceof vscode.Uri)) return arg.report;
  return undefined;
}

function confirmArg(arg: unknown): boolean {
  return isRecord(arg) && arg.confirm === true;
}

/** A short message with buttons, not awaited: a command returns at once, the notification stays. */
function tell(kind: 'info' | 'warning' | 'error', message: string, actions: readonly { title: string; run: () => unknown }[] = []): void {
  const show = kind === 'info' ? vscode.window.showInformationMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  void show(message, ...actions.map((a) => a.title)).then((choice) => actions.find((a) => a.title === choice)?.run());
}

interface RunOptions {
  /** The caller (code, not the palette) confirmed this test's writes. */
  readonly confirm: boolean;
  readonly probePod?: { readonly copyLabels: boolean };
  /** A snapshot read moments ago by the pickers. */
  readonly snapshot?: ClusterSnapshot;
}

export class ConnectivityController {
  private readonly confirmations = new Confirmations();

  constructor(
    private readonly services: Services,
    private readonly state: vscode.Memento,
    private readonly reports: ReportStore,
  ) {}

  private get log(): Log {
    return this.services.log;
  }

  // -------------------------------------------------------------------------------------------
  // Shared steps

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    this.log.info('connectivity: refused in Restricted Mode (no kubeconfig read, no cluster contacted)');
    tell('info', UNTRUSTED, [{ title: 'Manage Workspace Trust', run: () => vscode.commands.executeCommand('workbench.trust.manage') }]);
    return false;
  }

  /** Loads the cluster layer and finds the kubeconfig; says what to do when there is none. */
  private async access(): Promise<{ runtime: ConnectivityRuntime; access: ClusterAccess } | Stopped> {
    const runtime = await loadConnectivityRuntime();
    const settings = this.services.config.settings;
    const found = runtime.discover(settings.kubeconfig, settings.namespaces);
    if (found.state === 'none') {
      this.log.warn(`connectivity: ${found.message} (searched: ${found.searched.join(', ') || 'nothing'})`);
      tell('error', `NetLens: ${found.message}`, [
        { title: 'Choose Kubeconfig File', run: () => vscode.commands.executeCommand('netlens.chooseKubeconfig') },
        { title: 'Show Log', run: () => this.log.show(true) },
      ]);
      return stopped('no-kubeconfig', found.message);
    }
    rememberSecrets(this.log, found.access.secretValues());
    return { runtime, access: found.access };
  }

  /** The recent tests' titles, newest first (for tests and bug reports). */
  recentTitles(): string[] {
    return this.recents().map(requestTitle);
  }

  private recents(): TestRequest[] {
    const stored = this.state.get<unknown>(RECENTS_KEY);
    return Array.isArray(stored) ? stored.map(asTestRequest).filter((r): r is TestRequest => r !== undefined) : [];
  }

  private async remember(request: TestRequest): Promise<void> {
    await this.state.update(RECENTS_KEY, addRecent(this.recents(), request));
  }

  /** Maps a failure to a message that says what to do, logs it, and returns the stop. */
  private failed(runtime: ConnectivityRuntime, error: unknown, what: string): Stopped {
    const info = runtime.describeError(error);
    if (info.kind === 'Cancelled') {
      this.log.info(`connectivity: ${what}: cancelled`);
      tell('info', `NetLens: ${what}: cancelled.`);
      return stopped('cancelled', info.message, info.kind);
    }
    this.log.error(`connectivity: ${what}: ${info.kind}: ${info.message}${info.detail ? ` [${info.detail}]` : ''}`);
    if (info.kind === 'Other' && !(error instanceof Error && 'userMessage' in error)) this.log.error(errorText(error));
    const showLog = { title: 'Show Log', run: () => this.log.show(true) };
    const actions = [showLog];
    if (info.kind === 'ContainerFailed' && /Image|ErrImage/.test(info.reason ?? '')) {
      actions.unshift({ title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'netlens.debugImage') });
    }
    tell('error', `NetLens: ${what} failed: ${info.message}`, actions);
    return stopped('error', info.message, info.kind);
  }

  /** Progress steps for the log and the notification. */
  private progressSink(progress: vscode.Progress<{ message?: string; increment?: number }>): (p: ConnectivityProgress) => void {
    return (p) => {
      if (p.stage === 'starting' || !p.check) {
        this.log.info(`connectivity: ${p.message}`);
        progress.report({ message: `${p.message}…` });
        return;
      }
      const c = p.check;
      if (c.phase === 'start') {
        this.log.info(`connectivity: $ ${displayArgv(c.check.plan.argv)}`);
        progress.report({ message: `${c.check.plan.title} (${c.index + 1}/${c.total})` });
        return;
      }
      const run = c.run;
      progress.report({ increment: 90 / Math.max(1, c.total) });
      if (!run) return;
      this.log.info(
        `connectivity: ${c.check.plan.title}: exit ${run.output.exitCode ?? '?'} in ${formatDuration(run.durationMs)}${run.where ? ` on ${run.where}` : ''}${run.execError ? ` (exec: ${run.execError})` : ''}${run.truncated ? ' (output cut)' : ''}`,
      );
      if (run.output.stdout) this.log.trace(`connectivity: stdout of ${displayArgv(c.check.plan.argv)}:\n${run.output.stdout.replace(/\n$/, '')}`);
      if (run.output.stderr) this.log.trace(`connectivity: stderr of ${displayArgv(c.check.plan.argv)}:\n${run.output.stderr.replace(/\n$/, '')}`);
    };
  }

  /** Runs `fn` under a cancellable notification; Cancel aborts the signal. */
  private withProgress<T>(title: string, fn: (progress: vscode.Progress<{ message?: string; increment?: number }>, signal: AbortSignal) => Promise<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const listener = token.onCancellationRequested(() => controller.abort());
      try {
        return await fn(progress, controller.signal);
      } finally {
        listener.dispose();
      }
    });
  }

  /** Opens a report beside the editor: in the column of the reports already shown, else beside the active one. */
  private async showReport(entry: ReportEntry): Promise<void> {
    let document = await vscode.workspace.openTextDocument(entry.uri);
    if (document.languageId !== REPORT_LANGUAGE) document = await vscode.languages.setTextDocumentLanguage(document, REPORT_LANGUAGE);
    const reportColumn = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === REPORT_SCHEME)?.viewColumn;
    const column = reportColumn ?? (vscode.window.visibleTextEditors.length ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active);
    await vscode.window.showTextDocument(document, { viewColumn: column, preview: false });
  }

  // -------------------------------------------------------------------------------------------
  // netlens.testConnectivity

  /**
   * @param arg the argument object, when code runs the command (see `TestArgs`); undefined from the palette
   */
  async test(arg: unknown): Promise<TestOutcome> {
    if (!this.trusted()) return stopped('untrusted', UNTRUSTED);
    const parsed = parseTestArgs(arg);
    if (!parsed.ok) {
      this.log.warn(`connectivity: ${CONNECTIVITY_COMMANDS.test}: bad argument: ${parsed.message}`);
      tell('error', `NetLens: Test Connectivity: ${parsed.message}`);
      return stopped('invalid', parsed.message);
    }
    // `confirm` stands for the user's yes only when code passed it: the palette passes nothing,
    // and a menu passes a tree node, neither of which carries it.
    const args: TestArgs = parsed.value;
    const got = await this.access();
    if ('ok' in got) return got;
    const { runtime, access } = got;
    try {
      return await this.gatherAndRun(runtime, access, args);
    } catch (error) {
      return this.failed(runtime, error, 'Test Connectivity');
    }
  }

  private async gatherAndRun(runtime: ConnectivityRuntime, access: ClusterAccess, args: TestArgs): Promise<TestOutcome> {
    const contexts = access.contexts();
    const defaultContext = this.services.config.settings.context ?? access.currentContext;
    let context = args.context;
    if (context !== undefined && !contexts.some((c) => c.name === context)) {
      const message = `context "${context}" is not in the kubeconfig (${access.files.join(', ') || 'in-cluster'}); it has ${contexts.map((c) => c.name).join(', ') || 'none'}`;
      tell('error', `NetLens: ${message}`);
      return stopped('invalid', message);
    }
    if (context === undefined) {
      if (args.source && defaultContext && contexts.some((c) => c.name === defaultContext)) context = defaultContext;
      else {
        const choice = await pickContext(contexts, defaultContext, args.source ? [] : this.recents());
        if (!choice) return stopped('cancelled');
        if (choice.kind === 'recent') return this.run(runtime, access, choice.request, { confirm: false });
        context = choice.context;
      }
    }
    const ctx = context;
    const complete = args.source && args.destination && args.port !== undefined;
    // The pickers need the cluster; a complete request reads it inside the test's progress.
    let snapshot: RunOptions['snapshot'];
    if (!complete) {
      snapshot = await this.withProgress(`NetLens: reading context ${ctx}`, (progress, signal) => {
        progress.report({ message: 'Listing namespaces, pods, Services and NetworkPolicies…' });
        return access.read(ctx, signal);
      });
    }
    const source = args.source ?? (snapshot ? await pickSource(snapshot, ctx, contexts.find((c) => c.name === ctx)?.namespace) : undefined);
    if (!source) return stopped('cancelled');
    let destination = args.destination && snapshot ? resolveDestinationInput(snapshot, args.destination, source.namespace) : undefined;
    if (!args.destination) {
      const picked = snapshot ? await pickDestination(snapshot, source) : undefined;
      if (!picked) return stopped('cancelled');
      destination = picked;
    }
    if (destination && 'needsIp' in destination) {
      const message = `${destination.needsIp} is not a Service or pod name of context ${ctx}: give the IP it should reach (destination {kind: 'dns', name, ip})`;
      tell('error', `NetLens: ${message}`);
      return stopped('invalid', message);
    }
    let port = args.port;
    let protocol = args.protocol;
    if (port === undefined) {
      const d = destination && 'destination' in destination ? destination.destination : undefined;
      const picked = snapshot && d ? await pickPort(snapshot, d, destinationText(d)) : undefined;
      if (!picked) return stopped('cancelled');
      port = picked.port;
      protocol = protocol ?? picked.protocol;
    }
    const pending: PendingRequest = {
      context: ctx,
      source,
      ...(destination ? { destination: destination.destination, ...(destination.dnsName ? { dnsName: destination.dnsName } : {}) } : { destinationInput: args.destination! }),
      port,
      ...(protocol ? { protocol } : {}),
      ...(args.dnsName ? { dnsName: args.dnsName } : {}),
      ...(args.checks ? { checks: args.checks } : {}),
    };
    return this.run(runtime, access, pending, { confirm: args.confirm === true, ...(args.probePod ? { probePod: args.probePod } : {}), ...(snapshot ? { snapshot } : {}) });
  }

  // -------------------------------------------------------------------------------------------
  // Running one test

  private async run(runtime: ConnectivityRuntime, access: ClusterAccess, pending: PendingRequest, options: RunOptions): Promise<TestOutcome> {
    const context = pending.context;
    const settings = this.services.config.settings;
    const started = performance.now();
    let cluster: string;
    try {
      cluster = `${context}|${access.server(context) ?? ''}`;
    } catch (error) {
      return this.failed(runtime, error, 'Test Connectivity');
    }
    type Done = { request: TestRequest; test: ConnectivityTest; result: ConnectivityResult } | Stopped;
    let done: Done;
    // Pod names until the cluster is read, then the workloads' names ("web-api → postgres:5432").
    let title = pendingTitle(pending);
    try {
      done = await this.withProgress(`NetLens: testing ${title}`, async (progress, signal): Promise<Done> => {
        let snapshot = options.snapshot;
        if (!snapshot) {
          progress.report({ message: `Reading context ${context}…` });
          snapshot = await access.read(context, signal);
        }
        const source = findSource(snapshot, pending.source, pending.sourceLabels);
        if (!source) throw new runtime.DebugError('InvalidRequest', `pod ${pending.source.namespace}/${pending.source.name} is not in context ${context} (any more); pick another source`);
        if (source.replaced) this.log.info(`connectivity: ${source.replaced} is gone; testing from ${source.pod.namespace}/${source.pod.name}, a pod with the same labels`);
        let destination = pending.destination;
        let dnsName = pending.dnsName;
        if (!destination && pending.destinationInput) {
          const resolved = resolveDestinationInput(snapshot, pending.destinationInput, source.pod.namespace);
          if ('needsIp' in resolved) throw new runtime.DebugError('InvalidRequest', `${resolved.needsIp} is not a Service or pod name of context ${context}: give the IP address it should reach`);
          destination = resolved.destination;
          dnsName = dnsName ?? resolved.dnsName;
        }
        const unlabelled: TestRequest = {
          context,
          source: { namespace: source.pod.namespace, name: source.pod.name },
          sourceLabels: source.pod.labels,
          destination: destination!,
          port: pending.port,
          ...(pending.protocol ? { protocol: pending.protocol } : {}),
          ...(dnsName ? { dnsName } : {}),
          ...(pending.checks ? { checks: pending.checks } : {}),
        };
        const request: TestRequest = { ...unlabelled, label: requestLabel(unlabelled, snapshot) };
        title = request.label!;
        this.log.info(`connectivity: ${requestTitle(request)} in context ${context}: ${request.source.namespace}/${request.source.name} → ${destinationText(request.destination)} port ${request.port}${request.protocol ? `/${request.protocol}` : ''}${dnsName ? ` (name ${dnsName})` : ''}, image ${settings.debugImage}`);
        progress.report({ message: `Checking permissions and reading ${request.source.namespace}/${request.source.name}…` });
        const test = await access.prepare(
          context,
          {
            snapshot,
            source: request.source,
            destination: request.destination,
            port: request.port,
            ...(request.protocol ? { protocol: request.protocol } : {}),
            ...(request.dnsName ? { dnsName: request.dnsName } : {}),
            ...(request.checks ? { checks: request.checks } : {}),
            image: settings.debugImage,
          },
          signal,
        );
        const changes = test.plannedChanges();
        for (const c of changes) this.log.info(`connectivity: planned: ${c.verb} ${c.resource} ${c.namespace}/${c.name}: ${c.summary}`);
        if (changes.length) {
          progress.report({ message: 'Waiting for your confirmation…' });
          if (options.confirm) this.log.info('connectivity: confirmed by the caller (confirm: true)');
          if (!(await this.confirmations.debugContainer(cluster, context, changes, options.confirm))) {
            this.log.info('connectivity: the user declined the debug container; nothing was written');
            return stopped('declined', 'the debug container was not confirmed; nothing was written');
          }
        }
        const onProgress = this.progressSink(progress);
        try {
          const result = await test.run({ ...(changes.length ? { confirmed: true } : {}), signal, timeoutMs: runtime.START_TIMEOUT_MS, onProgress });
          return { request, test, result };
        } catch (error) {
          const info = runtime.describeError(error);
          if (info.kind !== 'PodSecurityRejected' && info.kind !== 'EphemeralContainersUnsupported') throw error;
          this.log.warn(`connectivity: ${info.message}`);
          const result = await this.inProbePod(test, context, info, options, progress, signal);
          return 'ok' in result ? result : { request, test, result };
        }
      });
    } catch (error) {
      return this.failed(runtime, error, `Test ${title}`);
    }
    if ('ok' in done) {
      if (done.reason === 'declined') tell('info', `NetLens: nothing was changed: ${done.message ?? 'declined'}.`);
      return done;
    }
    const { request, test, result } = done;
    const text = runtime.reportFor(result, { context });
    const entry = this.reports.add(request, test, result, text, requestTitle(request));
    await this.remember(request);
    const a = result.analysis;
    this.log.info(`connectivity: ${requestTitle(request)}: ${OUTCOME_WORDS[a.classification.outcome]}, policies ${a.verdict.allowed ? 'ALLOWED' : 'DENIED'}, ${a.diagnosis.kind} (${Math.round(performance.now() - started)} ms)`);
    await this.showReport(entry);
    this.announce(entry);
    return {
      ok: true,
      report: entry.uri.toString(),
      text,
      outcome: a.classification.outcome,
      diagnosis: a.diagnosis.kind,
      allowed: a.verdict.allowed,
      request,
    };
  }

  /** The Pod Security (or no-ephemeral-containers) fallback: a probe pod, confirmed first. */
  private async inProbePod(
    test: ConnectivityTest,
    context: string,
    info: ErrorInfo,
    options: RunOptions,
    progress: vscode.Progress<{ message?: string }>,
    signal: AbortSignal,
  ): Promise<ConnectivityResult | Stopped> {
    const profile = info.suggestedProfile ?? 'default';
    const plan = (copyLabels: boolean) => test.planProbePod({ copyLabels, securityProfile: profile, signal });
    let probe;
    if (options.confirm && options.probePod) {
      probe = await plan(options.probePod.copyLabels);
      this.log.info(`connectivity: probe pod confirmed by the caller (copyLabels ${options.probePod.copyLabels})`);
    } else {
      progress.report({ message: 'Waiting for your confirmation…' });
      const [withLabels, withoutLabels] = await Promise.all([plan(true), plan(false)]);
      const source = `${test.sourcePod.namespace}/${test.sourcePod.name}`;
      const choice = await this.confirmations.probePod(context, info.message, withLabels.plannedChanges(), withoutLabels.plannedChanges(), source);
      if (!choice) {
        this.log.info('connectivity: the user declined the probe pod; nothing was written');
        return stopped('declined', 'the probe pod was not confirmed; nothing was written');
      }
      probe = choice === 'with' ? withLabels : withoutLabels;
    }
    for (const c of probe.plannedChanges()) this.log.info(`connectivity: planned: ${c.verb} ${c.resource} ${c.namespace}/${c.name}: ${c.summary}`);
    return test.runInProbePod(probe, { confirmed: true, signal, onProgress: this.progressSink(progress) });
  }

  /** The notification after a test, with the actions that fit its diagnosis. */
  private announce(entry: ReportEntry): void {
    const a = entry.result.analysis;
    const ref = entry.uri.toString();
    const actions: { title: string; run: () => unknown }[] = [];
    if (a.diagnosis.offerFix) actions.push({ title: 'Generate Allow Policy', run: () => vscode.commands.executeCommand(CONNECTIVITY_COMMANDS.generateFix, ref) });
    if (a.diagnosis.kind === 'dataplane-drop' && this.services.config.settings.connectivity.nodeDebug !== 'never') actions.push({ title: 'Check Node Conntrack', run: () => vscode.commands.executeCommand(CONNECTIVITY_COMMANDS.checkConntrack, ref) });
    actions.push({ title: 'Run Again', run: () => vscode.commands.executeCommand(CONNECTIVITY_COMMANDS.rerun, ref) });
    const word = OUTCOME_WORDS[a.classification.outcome];
    const kind = a.diagnosis.kind === 'works' ? 'info' : 'warning';
    tell(kind, `NetLens: ${requestTitle(entry.request)}: ${word}. ${a.diagnosis.headline}`, actions);
  }

  // -------------------------------------------------------------------------------------------
  // netlens.rerunConnectivityTest

  /** @param arg a report URI (or `{report, confirm}`); default the active report, else the latest */
  async rerun(arg: unknown): Promise<TestOutcome> {
    if (!this.trusted()) return stopped('untrusted', UNTRUSTED);
    const entry = this.reports.get(reportRef(arg)) ?? this.reports.get(vscode.window.activeTextEditor?.document.uri) ?? this.reports.latest();
    const request = entry?.request ?? this.recents()[0];
    if (!request) {
      tell('info', 'NetLens: no connectivity test to run again yet. Run "NetLens: Test Connectivity" first.');
      return stopped('nothing');
    }
    const got = await this.access();
    if ('ok' in got) return got;
    return this.run(got.runtime, got.access, request, { confirm: confirmArg(arg) });
  }

  // -------------------------------------------------------------------------------------------
  // netlens.generateAllowPolicy

  /** @param arg a report URI; default the active report, else the latest */
  async generateFix(arg: unknown): Promise<{ ok: true; document: string; yaml: string; check: string } | Stopped> {
    const entry = this.reports.get(reportRef(arg)) ?? this.reports.get(vscode.window.activeTextEditor?.document.uri) ?? this.reports.latest();
    if (!entry) {
      tell('info', 'NetLens: run "NetLens: Test Connectivity" first; the allow policy is generated from its result.');
      return stopped('nothing');
    }
    const open = entry.fix && vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.fix!.document.toString() && !d.isClosed);
    if (open && entry.fix) {
      await vscode.window.showTextDocument(open, { preview: false });
      return { ok: true, document: open.uri.toString(), yaml: open.getText(), check: entry.fix.summary };
    }
    // generateFix and reportFor are plain functions over the result: the runtime is loaded already.
    const runtime = await loadConnectivityRuntime();
    const fix = runtime.generateFix(entry.result);
    if (!fix.ok) {
      tell('info', `NetLens: no allow policy for ${requestTitle(entry.request)}: ${fix.message}`);
      return stopped('nothing', fix.message);
    }
    const { generated, check } = fix.value;
    if (generated.alreadyAllowed) {
      const message = `the policies already allow ${requestTitle(entry.request)}; nothing to add.`;
      tell('info', `NetLens: ${message}`);
      return stopped('nothing', message);
    }
    // The first line names the untitled document's tab.
    const header = [
      `# ${generated.policies.map((p) => p.name).join(', ')}: the narrow allow policy NetLens generated for`,
      `# ${generated.source} → ${generated.destination}:${generated.port}/${generated.protocol} (context ${entry.request.context}).`,
      `# Checked with the policy engine: ${check.summary}.`,
      '# Review it, then run "NetLens: Apply Policy to Cluster" (a server-side dry run, then the create, after you confirm).',
      '',
    ].join('\n');
    const content = `${header}${generated.yaml}`;
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content });
    // Beside the report, so the two read side by side.
    const reportColumn = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === entry.uri.toString())?.viewColumn;
    const column = reportColumn === undefined ? vscode.ViewColumn.Active : reportColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
    await vscode.window.showTextDocument(document, { preview: false, viewColumn: column });
    this.reports.update(entry, entry.result, runtime.reportFor(entry.result, { context: entry.request.context, fix: generated, fixCheck: check }));
    this.reports.setFix(entry, { document: document.uri, yaml: generated.yaml, summary: check.summary });
    this.log.info(`connectivity: generated ${generated.policies.map((p) => `${p.namespace}/${p.name}`).join(', ')} for ${requestTitle(entry.request)}: ${check.summary}`);
    tell('info', `NetLens: ${check.summary}.`, [{ title: `Apply to ${entry.request.context}…`, run: () => vscode.commands.executeCommand(CONNECTIVITY_COMMANDS.apply, { document: document.uri.toString() }) }]);
    return { ok: true, document: document.uri.toString(), yaml: content, check: check.summary };
  }

  // -------------------------------------------------------------------------------------------
  // netlens.applyPolicy

  /**
   * Applies the NetworkPolicies of a YAML document: the active editor's, or `{document}`.
   * @param arg `{document?, context?, confirm?}` from code; undefined from the palette
   */
  async apply(arg: unknown): Promise<{ ok: true; context: string; validated: readonly string[]; created: readonly string[] } | Stopped> {
    if (!this.trusted()) return stopped('untrusted', UNTRUSTED);
    const a = isRecord(arg) ? arg : {};
    const wanted = typeof a.document === 'string' ? a.document : a.document instanceof vscode.Uri ? a.document.toString() : undefined;
    const document = wanted ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === wanted) : vscode.window.activeTextEditor?.document;
    if (!document || (document.languageId !== 'yaml' && document.languageId !== 'json')) {
      tell('info', 'NetLens: open the NetworkPolicy YAML to apply first ("Generate Allow Policy" on a connectivity report makes one).');
      return stopped('nothing');
    }
    const got = await this.access();
    if ('ok' in got) return got;
    const { runtime, access } = got;
    const entry = this.reports.byFixDocument(document.uri);
    let context = typeof a.context === 'string' ? a.context : entry?.request.context;
    if (context === undefined) {
      const choice = await pickContext(access.contexts(), this.services.config.settings.context ?? access.currentContext, []);
      if (choice?.kind !== 'context') return stopped('cancelled');
      context = choice.context;
    }
    const ctx = context;
    const yaml = document.getText();
    try {
      const changes = runtime.plannedPolicyChanges(yaml);
      for (const c of changes) this.log.info(`connectivity: planned: ${c.verb} ${c.resource} ${c.namespace}/${c.name} in context ${ctx}`);
      // 1. The server validates (dry run, nothing stored), 2. the user confirms, 3. the create.
      const validated = await this.withProgress(`NetLens: validating in ${ctx}`, (progress, signal) => {
        progress.report({ message: 'Server-side dry run…' });
        return access.dryRun(ctx, yaml, signal);
      });
      this.log.info(`connectivity: context ${ctx}: the server-side dry run accepted ${validated.join(', ')}`);
      const confirmed = confirmArg(arg) || (await this.confirmations.applyPolicies(ctx, changes));
      if (!confirmed) {
        this.log.info('connectivity: the user declined applying the policy; nothing was written');
        return stopped('declined');
      }
      const result = await this.withProgress(`NetLens: applying to ${ctx}`, (progress, signal) => {
        progress.report({ message: 'Creating…' });
        return access.apply(ctx, yaml, signal);
      });
      const created = result.created.map((c) => `${c.namespace}/${c.name}`);
      this.log.info(`connectivity: context ${ctx}: validated ${result.validated.join(', ')} (server-side dry run), created ${created.join(', ')}`);
      const actions = entry ? [{ title: 'Run Again', run: () => vscode.commands.executeCommand(CONNECTIVITY_COMMANDS.rerun, entry.uri.toString()) }] : [];
      tell('info', `NetLens: created NetworkPolicy ${created.join(', ')} in context ${ctx} (validated with a server-side dry run first).${entry ? ` Run the test again to see it work.` : ''}`, actions);
      return { ok: true, context: ctx, validated, created };
    } catch (error) {
      return this.failed(runtime, error, 'Apply Policy');
    }
  }

  // -------------------------------------------------------------------------------------------
  // netlens.checkNodeConntrack

  /** @param arg a report URI (or `{report, confirm}`); default the active report, else the latest */
  async checkConntrack(arg: unknown): Promise<TestOutcome> {
    if (!this.trusted()) return stopped('untrusted', UNTRUSTED);
    // netlens.connectivity.nodeDebug: "never" refuses before any permission check, plan or request,
    // whoever asks (also a caller passing confirm: true); "ask" confirms every pod.
    const decision = nodeDebugDecision(this.services.config.settings.connectivity.nodeDebug, confirmArg(arg));
    if (decision.action === 'refuse') {
      this.log.info(`connectivity: Check Node Conntrack refused: ${decision.message}`);
      tell('info', `NetLens: ${decision.message}.`);
      return stopped('disabled', decision.message);
    }
    const entry = this.reports.get(reportRef(arg)) ?? this.reports.get(vscode.window.activeTextEditor?.document.uri) ?? this.reports.latest();
    if (!entry || entry.result.analysis.diagnosis.kind !== 'dataplane-drop') {
      tell('info', 'NetLens: reading a node\'s conntrack table helps when the policies allow a connection that times out; no such test result is open.');
      return stopped('nothing');
    }
    const runtime = await loadConnectivityRuntime();
    const context = entry.request.context;
    try {
      const done = await this.withProgress(`NetLens: conntrack for ${requestTitle(entry.request)}`, async (progress, signal): Promise<ConnectivityResult | Stopped> => {
        progress.report({ message: 'Checking permissions…' });
        const pod = await entry.test.planNodeConntrack({ signal });
        const changes = pod.plannedChanges();
        for (const c of changes) this.log.info(`connectivity: planned: ${c.verb} ${c.resource} ${c.namespace}/${c.name}: ${c.summary}`);
        progress.report({ message: 'Waiting for your confirmation…' });
        if (decision.action === 'ask' && !(await this.confirmations.nodeDebugPod(context, pod.node, changes))) return stopped('declined', 'the node debug pod was not confirmed; nothing was written');
        const conntrack = await runtime.runNodeConntrack(pod, {
          confirmed: true,
          signal,
          onProgress: (check) => this.progressSink(progress)({ stage: 'check', message: check.check.plan.title, check }),
        });
        return entry.test.withConntrack(entry.result, conntrack);
      });
      if ('ok' in done) {
        if (done.reason === 'declined') tell('info', `NetLens: nothing was changed: ${done.message ?? 'declined'}.`);
        return done;
      }
      const text = runtime.reportFor(done, { context });
      this.reports.update(entry, done, text);
      await this.showReport(entry);
      const d = done.analysis.diagnosis;
      this.log.info(`connectivity: conntrack read: ${d.kind}: ${d.headline}`);
      tell(d.kind === 'conntrack-full' ? 'warning' : 'info', `NetLens: ${d.headline}`);
      return { ok: true, report: entry.uri.toString(), text, outcome: done.analysis.classification.outcome, diagnosis: d.kind, allowed: done.analysis.verdict.allowed, request: entry.request };
    } catch (error) {
      return this.failed(runtime, error, 'Check Node Conntrack');
    }
  }
}

/** A request whose destination may still be a DNS name to resolve against the cluster. */
type PendingRequest = Omit<TestRequest, 'destination'> & {
  readonly destination?: TestRequest['destination'];
  readonly destinationInput?: NonNullable<TestArgs['destination']>;
};

function pendingTitle(p: PendingRequest): string {
  if (p.destination) return requestTitle(p as TestRequest);
  const d = p.destinationInput!;
  return `${p.source.name} → ${d.kind === 'dns' ? d.name : d.kind === 'ip' ? d.ip : d.name}:${p.port}`;
}
