/**
 * `netlens`: reach, matrix, lint and diff over manifests, for terminals and CI.
 * Exit codes: reach 0 allowed / 1 denied; lint 1 when there are errors; diff 1 with
 * --fail-on-open when paths open; 2 for usage or input errors everywhere. Errors are
 * one line on stderr, never a stack.
 */
import { parseIp } from '../core/cidr';
import { explain, resolveQueryPort, type Endpoint } from '../core/engine/explain';
import { ReachIndex } from '../core/engine/reach-index';
import { podKey, PROTOCOLS, type ClusterSnapshot, type Finding, type Protocol, type Severity } from '../core/model';
import { lintPolicies } from '../core/lint/policy-rules';
import { RULES } from '../core/lint/rules-catalog';
import { DEFAULT_LINT_OPTIONS, type LintOptions } from '../core/lint/types';
import { findingJson, findingsSarif, findingsText, sortFindings } from '../core/report/findings-format';
import { matrixRows, matrixSummary, matrixTable, type PortSpec } from '../core/report/matrix-format';
import { verdictJson, verdictText } from '../core/report/verdict-format';
import { oneLine as outputLine } from '../core/report/one-line';
import { diffJson, diffSnapshots, diffText } from '../core/matrix/diff';
import { ClusterError } from '../cluster/errors';
import { parseArgs, UsageError, type ParsedArgs } from './args';
import { clusterSource, combinedSource, fileSource, type InputSource, type LoadedInputs } from './inputs';
import * as path from 'node:path';

declare const NETLENS_VERSION: string | undefined;
const VERSION = typeof NETLENS_VERSION === 'string' ? NETLENS_VERSION : '0.0.0-dev';

export interface Io {
  out(text: string): Promise<void>;
  err(text: string): void;
}

const LIVE_HELP = `Live cluster (instead of, or besides, the paths; read once, nothing is written):
  --kubeconfig <file>  a kubeconfig (default: $KUBECONFIG, then ~/.kube/config)
  --context <name>     a context of the kubeconfig (default: its current-context)
  --namespace <ns>     read only this namespace (repeatable; default: every namespace
                       you may read). Needs --kubeconfig or --context.
  Objects in the paths replace the cluster's objects of the same name, to try a policy
  before applying it.`;

const HELP: Record<string, string> = {
  main: `netlens ${VERSION}: see what Kubernetes NetworkPolicies really do.

Usage:
  netlens reach <paths...> --from <ns/pod|IP> --to <ns/pod|IP> --port <number|name> [--protocol TCP|UDP|SCTP] [--json]
  netlens matrix <paths...> [--port <n>/<PROTO>]... [--json] [--summary]
  netlens lint <paths...> [--format text|json|sarif]
  netlens diff <before> <after> [--port <n>/<PROTO>]... [--json] [--fail-on-open]

Paths are YAML or JSON manifests, or directories of them ("-" reads standard input).
Each command can read a live cluster instead of (or besides) paths:
  [--kubeconfig <file>] [--context <name>] [--namespace <ns>]...
Run "netlens <command> --help" for details.`,
  reach: `Usage: netlens reach [<paths...>] [--kubeconfig <file>] [--context <name>] [--namespace <ns>]...
         --from <ns/pod|IP> --to <ns/pod|IP> --port <number|name> [--protocol TCP|UDP|SCTP] [--json] [--ignore-invalid]

Says whether a connection is allowed by the NetworkPolicies in the manifests, and why:
which policies isolate each side, which rule admitted it, or for each isolating
policy the nearest miss.

  --from, --to       a pod as namespace/name (a workload's pods by the workload's name),
                     a pod IP, or an address outside the cluster
  --port             a port number, or a container port name of the destination pod
  --protocol         TCP (default), UDP or SCTP
  --json             print {"allowed", "from", "to", "port", "protocol", "explanation"}
  --ignore-invalid   evaluate as the cluster would, without policies the API server
                     would reject (otherwise such a policy on either pod is an error)

${LIVE_HELP}

Exit status: 0 allowed, 1 denied, 2 usage, input or cluster error.`,
  matrix: `Usage: netlens matrix [<paths...>] [--kubeconfig <file>] [--context <name>] [--namespace <ns>]...
         [--port <n>/<PROTO>]... [--json] [--summary] [--ignore-invalid]

Computes who can reach whom, for every ordered pair of distinct pods.

  --port       a port and protocol such as 5432/TCP or 53/UDP (repeatable; the protocol
               defaults to TCP). Without --port, every container port the pods declare.
  --json       {"results": [{"from", "to", "port", "protocol", "allowed"}]}
  --summary    counts instead of pairs ({"pods", "pairs", "allowed", "denied", "byPort"})

${LIVE_HELP}

Exit status: 0, or 2 for usage, input or cluster errors.`,
  lint: `Usage: netlens lint [<paths...>] [--kubeconfig <file>] [--context <name>] [--namespace <ns>]...
         [--format text|json|sarif] [--rule <id>=<severity|off>]... [--broad-prefix-v4 <n>] [--broad-prefix-v6 <n>]

Reports problems in the manifests: invalid YAML, Helm templates, wrong types, values
the API server would reject (CIDRs, ports, selectors, protocols), and policy mistakes:
CIDRs with host bits or broader than meant, two peers (OR) where one (AND) was meant,
egress without DNS, ignored rules, unresolved named ports, selectors matching nothing,
Service ports used for pod ports. Every rule is documented in docs/rules.md. Problems in
a live cluster's objects name them as kube://CONTEXT/RESOURCE/NAMESPACE/NAME.

  --format            text (default), json ({"diagnostics": [...]}) or sarif (SARIF 2.1.0)
  --rule              set a rule's severity (error, warning, info, hint) or turn it off;
                      repeatable, e.g. --rule cidr-too-broad=error --rule selector-matches-nothing=off
  --broad-prefix-v4   flag IPv4 ipBlocks broader than this prefix length (default 24)
  --broad-prefix-v6   the same for IPv6 (default 64)

${LIVE_HELP}

Exit status: 0, 1 when there are errors, 2 for usage or cluster errors.`,
  diff: `Usage: netlens diff <before> <after> [--port <n>/<PROTO>]... [--json] [--fail-on-open] [--ignore-invalid]
       netlens diff --before <path>... --after <path>... [options]

Says which paths a change to the manifests opens and closes: every ordered pair of
distinct pods present on both sides whose verdict differs, per port. Pods present on one
side only are listed apart (their paths are not counted).

  <before> <after>   exactly two paths, each a file or a directory
  --before, --after  a path of each side (repeatable, for several files or directories)
  --port             a port and protocol such as 5432/TCP (repeatable; every pair is
                     compared on it). Without --port, every port the pods declare, each
                     towards the pods declaring it.
  --json             {"opened": [{"from", "to", "port", "protocol"}], "closed": [...],
                     "added_pods": [...], "removed_pods": [...], "summary"}
  --fail-on-open     exit 1 when the change opens a path (for CI)
  --ignore-invalid   evaluate without policies the API server would reject (otherwise
                     such a policy on either side is an error)

Exit status: 0, 1 with --fail-on-open when paths open, 2 for usage or input errors.`,
};

/** Flags every command takes to read a live cluster. */
const LIVE_VALUES = ['kubeconfig', 'context'] as const;
const LIVE_REPEATED = ['namespace'] as const;

/** The paths, the live cluster, or both (the paths' objects win). */
function inputSource(args: ParsedArgs): InputSource {
  const kubeconfig = args.values.get('kubeconfig');
  const context = args.values.get('context');
  const namespaces = args.repeated.get('namespace') ?? [];
  const live = kubeconfig !== undefined || context !== undefined;
  if (!live && namespaces.length) throw new UsageError('--namespace reads a live cluster: add --kubeconfig <file> or --context <name>');
  if (kubeconfig === '') throw new UsageError('--kubeconfig needs a file');
  if (namespaces.some((n) => n.trim() === '')) throw new UsageError('--namespace needs a namespace name');
  if (!live && args.positionals.length === 0) throw new UsageError('give at least one manifest file or directory, or a live cluster with --kubeconfig or --context');
  const sources: InputSource[] = [];
  if (live) sources.push(clusterSource({ kubeconfig, context, namespaces }));
  if (args.positionals.length) sources.push(fileSource(args.positionals));
  return combinedSource(sources);
}

async function loadInputs(args: ParsedArgs, io: Io): Promise<LoadedInputs> {
  const loaded = await inputSource(args).load();
  if (loaded.errors.length) throw new InputError(loaded.errors.join('; '));
  for (const w of loaded.warnings ?? []) io.err(`netlens: warning: ${w}`);
  return loaded;
}

async function loadOrFail(args: ParsedArgs, io: Io): Promise<LoadedInputs> {
  const loaded = await loadInputs(args, io);
  const errors = loaded.findings.filter((f) => f.severity === 'error').length;
  if (errors) io.err(`netlens: warning: the manifests have ${errors} ${errors === 1 ? 'error' : 'errors'}; what could not be read was skipped (run "netlens lint" for details)`);
  return loaded;
}

class InputError extends Error {}

function resolveEndpoint(snapshot: ClusterSnapshot, text: string, flag: string): Endpoint {
  const ip = parseIp(text);
  if (ip) {
    const pod = snapshot.pods.find((p) => p.ips.some((t) => parseIp(t)?.value === ip.value && parseIp(t)?.family === ip.family));
    return pod ? { kind: 'pod', pod } : { kind: 'external', ip };
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    const byName = snapshot.pods.filter((p) => p.name === text);
    if (byName.length === 1) return { kind: 'pod', pod: byName[0]! };
    if (byName.length > 1) throw new InputError(`${flag} ${text} is ambiguous: ${byName.map(podKey).join(', ')}; write namespace/name`);
    throw new InputError(`${flag} ${text}: no pod named ${text}; write namespace/name or an IP address`);
  }
  const pod = snapshot.pods.find((p) => podKey(p) === text);
  if (pod) return { kind: 'pod', pod };
  const [ns, name] = [text.slice(0, slash), text.slice(slash + 1)];
  const near = snapshot.pods.filter((p) => p.namespace === ns && (p.name.startsWith(name) || name.startsWith(p.name))).map(podKey);
  const hint = near.length ? `; did you mean ${near.slice(0, 3).join(', ')}?` : snapshot.pods.some((p) => p.namespace === ns) ? '' : `; no pods in namespace ${ns} were loaded`;
  throw new InputError(`${flag} ${text}: no such pod in the manifests${hint}`);
}

function parseProtocol(text: string | undefined): Protocol | undefined {
  if (text === undefined) return undefined;
  const p = text.toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(p)) throw new UsageError(`protocol "${text}" is not TCP, UDP or SCTP`);
  return p as Protocol;
}

function parsePortFlag(text: string): number | string {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(text)) return text;
  throw new UsageError(`--port ${text} is neither a port number nor a container port name`);
}

async function reach(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['from', 'to', 'port', 'protocol', ...LIVE_VALUES], repeated: [...LIVE_REPEATED], booleans: ['json', 'ignore-invalid'] });
  if (args.booleans.has('help')) return help('reach', io);
  for (const f of ['from', 'to', 'port']) if (!args.values.has(f)) throw new UsageError(`--${f} is required`);
  const protocol = parseProtocol(args.values.get('protocol'));
  const port = parsePortFlag(args.values.get('port')!);
  const { snapshot } = await loadOrFail(args, io);
  const from = resolveEndpoint(snapshot, args.values.get('from')!, '--from');
  const to = resolveEndpoint(snapshot, args.values.get('to')!, '--to');
  const resolved = resolveQueryPort(to, port, protocol);
  if ('error' in resolved) throw new InputError(resolved.error);
  const verdict = explain(snapshot, from, to, resolved);
  if (verdict.invalidPolicies.length && !args.booleans.has('ignore-invalid')) {
    const names = verdict.invalidPolicies.map((i) => `${i.policy.namespace}/${i.policy.name} (${i.problems[0]!.replace(/\.$/, '')})`).join('; ');
    throw new InputError(`cannot decide: invalid policies select these pods: ${names}. Fix them, or pass --ignore-invalid to evaluate without them as the cluster would`);
  }
  await io.out(args.booleans.has('json') ? JSON.stringify(verdictJson(verdict), null, 2) + '\n' : verdictText(verdict) + '\n');
  return verdict.allowed ? 0 : 1;
}

function parsePortSpec(text: string): PortSpec {
  const m = /^(\d+)(?:\/([A-Za-z]+))?$/.exec(text);
  if (!m) throw new UsageError(`--port ${text}: write a number with an optional protocol, such as 5432/TCP`);
  const port = Number(m[1]);
  if (port < 1 || port > 65535) throw new UsageError(`--port ${text}: the port must be 1 to 65535`);
  return { port, protocol: parseProtocol(m[2]) ?? 'TCP' };
}

async function matrix(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: [...LIVE_VALUES], repeated: ['port', ...LIVE_REPEATED], booleans: ['json', 'summary', 'ignore-invalid'] });
  if (args.booleans.has('help')) return help('matrix', io);
  let ports = (args.repeated.get('port') ?? []).map(parsePortSpec);
  const { snapshot } = await loadOrFail(args, io);
  const invalid = snapshot.policies.filter((p) => p.invalid);
  if (invalid.length && !args.booleans.has('ignore-invalid')) {
    throw new InputError(`invalid policies: ${invalid.map((p) => `${p.namespace}/${p.name} (${p.invalid![0]})`).join('; ')}. Fix them, or pass --ignore-invalid to evaluate without them as the cluster would`);
  }
  if (ports.length === 0) {
    const seen = new Map<string, PortSpec>();
    for (const pod of snapshot.pods) for (const cp of pod.ports) seen.set(`${cp.containerPort}/${cp.protocol}`, { port: cp.containerPort, protocol: cp.protocol });
    ports = [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
    if (ports.length === 0) throw new UsageError('the pods declare no container ports; give --port <n>/<PROTO>');
  }
  const index = new ReachIndex(snapshot);
  const results = ports.map((p) => index.matrix(p.port, p.protocol));
  const json = args.booleans.has('json');
  if (args.booleans.has('summary')) {
    const s = matrixSummary(results);
    await io.out(json ? JSON.stringify(s, null, 2) + '\n' : `${s.pods} pods, ${s.pairs} ordered pairs: ${s.allowed} allowed on some port, ${s.denied} denied on every port\n` +
      s.byPort.map((b) => `  ${b.port}/${b.protocol}: ${b.allowed} allowed, ${b.denied} denied`).join('\n') + '\n');
    return 0;
  }
  if (json) {
    await io.out('{"results": [');
    let first = true;
    let chunk = '';
    for (const row of matrixRows(results)) {
      chunk += (first ? '\n  ' : ',\n  ') + JSON.stringify(row);
      first = false;
      if (chunk.length > 1 << 20) {
        await io.out(chunk);
        chunk = '';
      }
    }
    await io.out(chunk + (first ? ']}\n' : '\n]}\n'));
    return 0;
  }
  for (const r of results) await io.out(matrixTable(r) + '\n');
  return 0;
}

async function lint(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['format', 'broad-prefix-v4', 'broad-prefix-v6', ...LIVE_VALUES], repeated: ['rule', ...LIVE_REPEATED], booleans: [] });
  if (args.booleans.has('help')) return help('lint', io);
  const format = args.values.get('format') ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format ${format}: use text, json or sarif`);
  const options = lintOptions(args);
  const loaded = await loadInputs(args, io);
  const texts = loaded.texts ?? new Map<string, string>();
  const ruleFindings = lintPolicies({ snapshot: loaded.snapshot, dataSource: loaded.dataSource ?? loaded.description, complete: loaded.complete ?? false, text: (f) => texts.get(f) }, options);
  const findings = sortFindings([...applySeverities(loaded.findings, options), ...ruleFindings]);
  if (format === 'json') await io.out(JSON.stringify({ diagnostics: findings.map(findingJson) }, null, 2) + '\n');
  else if (format === 'sarif') {
    const cwd = process.cwd();
    const toUri = (f: string): string => path.relative(cwd, path.resolve(f)).split(path.sep).join('/');
    await io.out(JSON.stringify(findingsSarif(findings, VERSION, toUri), null, 2) + '\n');
  } else {
    const counts = (['error', 'warning', 'info', 'hint'] as const).map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
    const tail = counts.length ? counts.map(([s, n]) => `${n} ${s}${n === 1 ? '' : s === 'info' ? '' : 's'}`).join(', ') : 'no problems';
    await io.out((findings.length ? findingsText(findings) + '\n' : '') + `${outputLine(loaded.description)}: ${tail}\n`);
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

function lintOptions(args: ParsedArgs): LintOptions {
  const prefix = (flag: string, max: number, fallback: number): number => {
    const v = args.values.get(flag);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) > max) throw new UsageError(`--${flag} ${v}: give a prefix length from 0 to ${max}`);
    return Number(v);
  };
  const severities: Record<string, Severity | 'off'> = {};
  for (const r of args.repeated.get('rule') ?? []) {
    const m = /^([a-z0-9-]+)=(error|warning|info|hint|off)$/.exec(r);
    if (!m) throw new UsageError(`--rule ${r}: write <rule-id>=<error|warning|info|hint|off>, e.g. --rule cidr-too-broad=error`);
    if (!RULES[m[1]!]) throw new UsageError(`--rule ${r}: unknown rule "${m[1]}" (see docs/rules.md)`);
    severities[m[1]!] = m[2] as Severity | 'off';
  }
  return {
    broadPrefixV4: prefix('broad-prefix-v4', 32, DEFAULT_LINT_OPTIONS.broadPrefixV4),
    broadPrefixV6: prefix('broad-prefix-v6', 128, DEFAULT_LINT_OPTIONS.broadPrefixV6),
    severities,
  };
}

/** Input findings take configured severities too (and can be turned off), like the lint rules. */
function applySeverities(findings: readonly Finding[], options: LintOptions): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const s = options.severities[f.code];
    if (s === 'off') continue;
    out.push(s ? { ...f, severity: s } : f);
  }
  return out;
}

/** One side of a diff: its paths, read like any command's, with the side named in messages. */
async function loadDiffSide(paths: readonly string[], side: 'before' | 'after', io: Io, ignoreInvalid: boolean): Promise<ClusterSnapshot> {
  const loaded = await fileSource(paths).load();
  if (loaded.errors.length) throw new InputError(`${side}: ${loaded.errors.join('; ')}`);
  const errors = loaded.findings.filter((f) => f.severity === 'error').length;
  if (errors) io.err(`netlens: warning: the ${side} manifests have ${errors} ${errors === 1 ? 'error' : 'errors'}; what could not be read was skipped (run "netlens lint" for details)`);
  const invalid = loaded.snapshot.policies.filter((p) => p.invalid);
  if (invalid.length && !ignoreInvalid) {
    throw new InputError(`invalid policies ${side}: ${invalid.map((p) => `${p.namespace}/${p.name} (${p.invalid![0]})`).join('; ')}. Fix them, or pass --ignore-invalid to evaluate without them as the cluster would`);
  }
  return loaded.snapshot;
}

async function diff(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { repeated: ['before', 'after', 'port'], booleans: ['json', 'fail-on-open', 'ignore-invalid'] });
  if (args.booleans.has('help')) return help('diff', io);
  let before = args.repeated.get('before') ?? [];
  let after = args.repeated.get('after') ?? [];
  if (before.length || after.length) {
    if (args.positionals.length) throw new UsageError('give the paths either as --before/--after or as two positional paths, not both');
    if (!before.length || !after.length) throw new UsageError(`--${before.length ? 'after' : 'before'} is required with --${before.length ? 'before' : 'after'}`);
  } else {
    if (args.positionals.length !== 2) throw new UsageError(`give two paths (before and after), or --before <path>... --after <path>...; got ${args.positionals.length}`);
    before = [args.positionals[0]!];
    after = [args.positionals[1]!];
  }
  if (before.includes('-') && after.includes('-')) throw new UsageError('standard input ("-") can be only one side');
  const ports = (args.repeated.get('port') ?? []).map(parsePortSpec);
  const ignoreInvalid = args.booleans.has('ignore-invalid');
  const beforeSnapshot = await loadDiffSide(before, 'before', io, ignoreInvalid);
  const afterSnapshot = await loadDiffSide(after, 'after', io, ignoreInvalid);
  const d = diffSnapshots(beforeSnapshot, afterSnapshot, ports.length ? ports : undefined);
  await io.out(args.booleans.has('json') ? JSON.stringify(diffJson(d), null, 2) + '\n' : diffText(d) + '\n');
  return args.booleans.has('fail-on-open') && d.opened.length > 0 ? 1 : 0;
}

async function help(command: string, io: Io): Promise<number> {
  await io.out(HELP[command] + '\n');
  return 0;
}

/**
 * Makes a stderr message one line a terminal shows as written: messages quote arguments, paths
 * and file or cluster text, whose line breaks would forge extra lines and whose escape
 * sequences (ANSI, bidi overrides) would be obeyed by the terminal. Tabs are kept.
 */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Runs the CLI; returns the exit status. Never throws. */
export async function run(argv: readonly string[], rawIo: Io): Promise<number> {
  const io: Io = { out: (text) => rawIo.out(text), err: (text) => rawIo.err(oneLine(text)) };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'reach':
        return await reach(rest, io);
      case 'matrix':
        return await matrix(rest, io);
      case 'lint':
        return await lint(rest, io);
      case 'diff':
        return await diff(rest, io);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        return await help(rest[0] && HELP[rest[0]] ? rest[0] : 'main', io);
      case '--version':
        await io.out(VERSION + '\n');
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"; use reach, matrix, lint or diff (netlens --help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`netlens: ${e.message} (see "netlens ${command && HELP[command] ? command + ' ' : ''}--help")`);
      return 2;
    }
    if (e instanceof InputError) {
      io.err(`netlens: ${e.message}`);
      return 2;
    }
    if (e instanceof ClusterError) {
      io.err(`netlens: ${e.userMessage}`);
      return 2;
    }
    io.err(`netlens: internal error: ${e instanceof Error ? e.message : String(e)}. Please report it with the command you ran.`);
    return 2;
  }
}

function processIo(): Io {
  return {
    out: (text) =>
      new Promise((resolve, reject) => {
        process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
      }),
    err: (text) => {
      process.stderr.write(text + '\n');
    },
  };
}

if (require.main === module) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // A closed pipe (`netlens matrix ... | head`) is a normal end, not an error.
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  void run(process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  });
}
