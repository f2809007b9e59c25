// The extension's settings, typed and validated in one place. Features read `config.settings`
// and listen to `config.onDidChange`; plain option objects (LintOptions) go into the core.
import * as vscode from 'vscode';
import { parseNodeDebugSetting, type NodeDebugSetting } from '../core/connectivity/node-debug-setting';
import type { LintOptions } from '../core/lint/types';
import type { Severity } from '../core/model';
import { userOrDefault, type MachineSetting } from './setting-scopes';

/**
 * What the edit diff compares unsaved policy edits with (`netlens.diff.baseline`): `auto` the
 * live cluster while a context is connected, else the saved files; `saved` always the saved
 * files; `cluster` only the live cluster (no comparison while none is connected).
 */
export type DiffBaselineSetting = 'auto' | 'saved' | 'cluster';
const DIFF_BASELINES: readonly DiffBaselineSetting[] = ['auto', 'saved', 'cluster'];

/** How a rule's findings are shown, as the `netlens.lint.severity` setting spells it. */
export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

export interface NetlensSettings {
  readonly lint: {
    /** Per rule id: a severity, or 'off'. Applies to lint rules and to the loader's findings. */
    readonly severity: Readonly<Record<string, SeveritySetting>>;
    readonly broadPrefixV4: number;
    readonly broadPrefixV6: number;
  };
  readonly diff: {
    readonly baseline: DiffBaselineSetting;
  };
  // For the cluster view (not read by the editor features). kubeconfig, context, debugImage
  // and connectivity.nodeDebug are machine-scoped restricted configurations, read from user or
  // machine settings only (setting-scopes.ts): no workspace can set them.
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly debugImage: string;
  readonly namespaces: readonly string[];
  readonly connectivity: {
    /** Whether a privileged node debug pod may be created (always confirmed), or never. */
    readonly nodeDebug: NodeDebugSetting;
  };
}

export const DEFAULT_DEBUG_IMAGE = 'nicolaka/netshoot:v0.13';
const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['error', 'warning', 'information', 'hint', 'off'];
const SECTION = 'netlens';

/** Reads and checks the settings; anything malformed is reported through `problem` and replaced by its default. */
export function readSettings(conf: vscode.WorkspaceConfiguration, problem: (message: string) => void): NetlensSettings {
  const severity: Record<string, SeveritySetting> = {};
  const rawSeverity = conf.get<unknown>('lint.severity');
  if (rawSeverity && typeof rawSeverity === 'object' && !Array.isArray(rawSeverity)) {
    for (const [rule, value] of Object.entries(rawSeverity as Record<string, unknown>)) {
      if (typeof value === 'string' && (SEVERITY_SETTINGS as readonly string[]).includes(value)) severity[rule] = value as SeveritySetting;
      else problem(`netlens.lint.severity.${rule}: expected one of ${SEVERITY_SETTINGS.join(', ')}, got ${JSON.stringify(value)}; using the rule's default`);
    }
  } else if (rawSeverity !== undefined && rawSeverity !== null) {
    problem(`netlens.lint.severity: expected an object (rule id → severity), got ${JSON.stringify(rawSeverity)}`);
  }
  const prefix = (key: string, max: number, fallback: number): number => {
    const v = conf.get<unknown>(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
    problem(`netlens.${key}: expected a whole number from 0 to ${max}, got ${JSON.stringify(v)}; using ${fallback}`);
    return fallback;
  };
  // Settings that pick credentials or what runs: user or machine values only, never the workspace's.
  const machine = (key: MachineSetting): unknown => userOrDefault(conf.inspect<unknown>(key));
  const text = (key: MachineSetting): string | undefined => {
    const v = machine(key);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const namespaces = conf.get<unknown>('namespaces');
  const rawBaseline = conf.get<unknown>('diff.baseline');
  let baseline: DiffBaselineSetting = 'auto';
  if (typeof rawBaseline === 'string' && (DIFF_BASELINES as readonly string[]).includes(rawBaseline)) baseline = rawBaseline as DiffBaselineSetting;
  else if (rawBaseline !== undefined && rawBaseline !== null) problem(`netlens.diff.baseline: expected one of ${DIFF_BASELINES.join(', ')}, got ${JSON.stringify(rawBaseline)}; using auto`);
  return {
    lint: { severity, broadPrefixV4: prefix('lint.broadPrefixV4', 32, 24), broadPrefixV6: prefix('lint.broadPrefixV6', 128, 64) },
    diff: { baseline },
    kubeconfig: text('kubeconfig'),
    context: text('context'),
    debugImage: text('debugImage') ?? DEFAULT_DEBUG_IMAGE,
    namespaces: Array.isArray(namespaces) ? namespaces.filter((n): n is string => typeof n === 'string' && n !== '') : [],
    connectivity: { nodeDebug: parseNodeDebugSetting(machine('connectivity.nodeDebug'), problem) },
  };
}

function coreSeverity(s: Exclude<SeveritySetting, 'off'>): Severity {
  return s === 'information' ? 'info' : s;
}

/** The lint settings as the core takes them. */
export function lintOptionsOf(settings: NetlensSettings): LintOptions {
  const severities: Record<string, Severity | 'off'> = {};
  for (const [rule, s] of Object.entries(settings.lint.severity)) severities[rule] = s === 'off' ? 'off' : coreSeverity(s);
  return { broadPrefixV4: settings.lint.broadPrefixV4, broadPrefixV6: settings.lint.broadPrefixV6, severities };
}

/** The current settings, re-read when any `netlens.*` setting changes. */
export class Config implements vscode.Disposable {
  private current: NetlensSettings;
  private readonly emitter = new vscode.EventEmitter<NetlensSettings>();
  private readonly listener: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.current = this.read();
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      this.current = this.read();
      this.log.info('settings changed: netlens.*');
      this.emitter.fire(this.current);
    });
  }

  get settings(): NetlensSettings {
    return this.current;
  }

  get lintOptions(): LintOptions {
    return lintOptionsOf(this.current);
  }

  private read(): NetlensSettings {
    return readSettings(vscode.workspace.getConfiguration(SECTION), (message) => this.log.warn(message));
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
