/**
 * The human report of a connectivity test, as plain text in the `netlens-report` language
 * (`syntaxes/netlens-report.tmLanguage.json` colours it): a header, the verdict lines, the policy
 * engine's explanation, every check with its command and duration, the diagnosis and the fix.
 *
 * The layout is part of the grammar's contract: section headings are `=== Name ===` lines,
 * commands are indented `$ ` lines, YAML is indented four spaces, and the verdict words are the
 * upper-case words listed in {@link REPORT_WORDS}.
 */
import { endpointName, type Endpoint } from '../engine/explain';
import type { Pod } from '../model';
import { podKey } from '../model';
import { verdictText } from '../report/verdict-format';
import type { GeneratedPolicies } from './allow-policy';
import type { ConnectivityAnalysis } from './analyze';
import type { GeneratedCheck } from './check-generated';
import type { CheckRun } from './checks';
import { OUTCOME_WORDS } from './classify';
import { parseConntrack } from '../probe/parse-conntrack';
import { parseCurl } from '../probe/parse-curl';
import { parseDig } from '../probe/parse-dig';
import { parseNc } from '../probe/parse-nc';
import { parsePing } from '../probe/parse-ping';
import { parseResolvConf } from '../probe/parse-resolv-conf';
import { diagnoseSockets, parsePortRange, parseSs } from '../probe/parse-ss';
import { splitLines } from '../probe/tool-output';

/** The status words a report can show, by how they read. The grammar colours exactly these. */
export const REPORT_WORDS = {
  good: ['ALLOWED', 'CONNECTED', 'CONSISTENT', 'RESOLVED', 'OK', 'REPLY'],
  bad: ['DENIED', 'REFUSED', 'TIMED OUT', 'DNS FAILURE', 'NO ROUTE', 'NXDOMAIN', 'SERVFAIL', 'INCONSISTENT', 'CRITICAL', 'TABLE FULL', 'NO REPLY', 'EXEC FAILED', 'TLS ERROR', 'FAILED'],
  neutral: ['UNKNOWN', 'WARNING', 'INFO', 'TOO BIG', 'N/A', 'NOT RUN', 'CANCELLED'],
} as const;

export interface ReportInput {
  readonly analysis: ConnectivityAnalysis;
  readonly source: Pod;
  readonly destination: Endpoint;
  /** Every run: the source's checks and, if read, the node conntrack checks. */
  readonly runs: readonly CheckRun[];
  /** When the test ran. */
  readonly time: Date | string;
  /** The kubeconfig context. */
  readonly context?: string;
  /** Where the commands ran (see `Prober.location`). */
  readonly probeLocation?: string;
  /** What the checks connected to when it is not the destination pod's IP (a Service, a DNS name). */
  readonly target?: { readonly host: string; readonly port: number; readonly dnsName?: string };
  readonly fix?: GeneratedPolicies;
  readonly fixCheck?: GeneratedCheck;
  /** Extra lines for the end (warnings from the cluster layer, for example). */
  readonly notes?: readonly string[];
}

/** `12 ms`, `1.5 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '? ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** argv for display only: quoted where a shell would need it. Never run this string. */
export function displayArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=+,@%-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The status word and one-line meaning of one run. */
export function checkStatus(run: CheckRun): { readonly word: string; readonly message: string } {
  if (run.execError && run.output.stdout === '' && run.output.stderr === '') {
    return { word: /timed out/i.test(run.execError) ? 'TIMED OUT' : 'EXEC FAILED', message: run.execError };
  }
  const out = run.output;
  switch (run.check.kind) {
    case 'tcp': {
      const r = parseNc(out);
      return { word: OUTCOME_WORDS[r.outcome], message: r.message };
    }
    case 'dns': {
      const r = parseDig(out);
      const words: Record<string, string> = { ok: 'RESOLVED', nxdomain: 'NXDOMAIN', unreachable: 'TIMED OUT', servfail: 'SERVFAIL', refused: 'REFUSED', 'no-answer': 'WARNING', other: 'WARNING', unknown: 'UNKNOWN' };
      return { word: words[r.outcome] ?? 'UNKNOWN', message: r.message };
    }
    case 'resolv-conf': {
      const r = parseResolvConf(out);
      return r.outcome === 'ok'
        ? { word: 'OK', message: `nameserver ${r.conf.nameservers.join(', ') || 'none'}; search ${r.conf.search.join(' ') || 'none'}; ndots:${r.conf.ndots}` }
        : { word: 'UNKNOWN', message: r.reason };
    }
    case 'http': {
      const r = parseCurl(out);
      const words: Record<string, string> = { ok: 'OK', refused: 'REFUSED', timeout: 'TIMED OUT', 'dns-failure': 'DNS FAILURE', 'no-route': 'NO ROUTE', 'tls-error': 'TLS ERROR', other: 'FAILED', unknown: 'UNKNOWN' };
      const t = r.timings;
      const parts = ([['DNS', t.dns], ['connect', t.connect], ['TLS', t.tls], ['first byte', t.firstByte]] as const)
        .filter(([, v]) => v !== undefined)
        .map(([label, v]) => `${label} ${formatDuration(v!)}`);
      const phases = r.outcome === 'ok' && parts.length ? ` (${parts.join(', ')})` : '';
      return { word: r.diagnoses.length && r.outcome === 'ok' ? 'WARNING' : (words[r.outcome] ?? 'UNKNOWN'), message: `${r.message}${phases}` };
    }
    case 'mtu': {
      const r = parsePing(out);
      const words: Record<string, string> = { reply: 'REPLY', 'no-reply': 'NO REPLY', 'too-big': 'TOO BIG', unreachable: 'NO ROUTE', 'dns-failure': 'DNS FAILURE', unknown: 'UNKNOWN' };
      return { word: words[r.outcome] ?? 'UNKNOWN', message: r.message };
    }
    case 'sockets': {
      const r = parseSs(out);
      if (r.outcome !== 'ok') return { word: 'UNKNOWN', message: r.reason };
      const d = diagnoseSockets(r.sockets);
      const counts = Object.entries(r.counts).map(([s, n]) => `${s} ${n}`).join(', ');
      return { word: d.length ? 'WARNING' : 'OK', message: `${r.sockets.length} TCP sockets${counts ? `: ${counts}` : ''}` };
    }
    case 'port-range': {
      const r = parsePortRange(out);
      return r.outcome === 'ok' ? { word: 'OK', message: `ephemeral ports ${r.low}-${r.high} (${r.size})` } : { word: 'UNKNOWN', message: r.reason };
    }
    case 'conntrack-count':
    case 'conntrack-max': {
      const text = out.stdout.trim();
      return /^\d+$/.test(text) ? { word: 'OK', message: text } : { word: 'UNKNOWN', message: parseConntrack({ count: out, max: out }).problems[0] ?? 'unreadable' };
    }
    case 'kernel-log': {
      const full = splitLines(out.stdout).filter((l) => /conntrack: table full, dropping packet/.test(l)).length;
      if (out.exitCode !== 0 && out.exitCode !== null) return { word: 'UNKNOWN', message: 'the kernel log could not be read' };
      return full ? { word: 'TABLE FULL', message: `${full} "table full, dropping packet" lines` } : { word: 'OK', message: 'no conntrack drops logged' };
    }
  }
}

const SHORT_OUTPUT_LINES = 4;

function outputLines(run: CheckRun): string[] {
  // curl's -w '%{json}' line is summarised by the parser's message; its stderr line is the tool's own words.
  const stdout = run.check.kind === 'http' ? [] : splitLines(run.output.stdout);
  const lines = [...splitLines(run.output.stderr), ...stdout].filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  if (lines.length > SHORT_OUTPUT_LINES) return [`(${lines.length} lines of output; the full output is in the log)`];
  return lines.map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l));
}

function endpointText(e: Endpoint): string {
  if (e.kind !== 'pod') return endpointName(e);
  const facts = [e.pod.ips[0], e.pod.nodeName ? `node ${e.pod.nodeName}` : undefined].filter((x) => x !== undefined);
  return `${podKey(e.pod)}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

function heading(name: string): string[] {
  return ['', `=== ${name} ===`];
}

function row(label: string, word: string, text: string): string {
  return `${label.padEnd(10)}${word.padEnd(14)}${text}`;
}

/**
 * Renders the report.
 * @param input the analysis and everything around it
 * @returns plain text in the `netlens-report` language, ending with a newline
 */
export function renderReport(input: ReportInput): string {
  const { analysis: a } = input;
  const v = a.verdict;
  const time = typeof input.time === 'string' ? input.time : input.time.toISOString();
  const portName = v.portName ?? (input.destination.kind === 'pod' ? input.destination.pod.ports.find((p) => p.containerPort === v.port && p.protocol === v.protocol)?.name : undefined);
  const port = `${v.port}/${v.protocol}${portName ? ` (${portName})` : ''}`;
  const lines: string[] = ['NetLens connectivity report'];
  const field = (label: string, value: string): void => void lines.push(`${label.padEnd(13)}${value}`);
  field('Source', endpointText({ kind: 'pod', pod: input.source }));
  field('Destination', endpointText(input.destination));
  field('Port', port);
  if (input.target) field('Connected to', `${input.target.host}:${input.target.port}${input.target.dnsName ? ` (${input.target.dnsName})` : ''}`);
  field('Time', time);
  if (input.context) field('Context', input.context);
  if (input.probeLocation) field('Probe from', input.probeLocation);

  lines.push(...heading('Verdict'));
  lines.push(row('Probe', OUTCOME_WORDS[a.classification.outcome], a.classification.summary));
  lines.push(row('Policies', v.allowed ? 'ALLOWED' : 'DENIED', v.summary));
  const match = a.diagnosis.agreement === 'agree' ? 'CONSISTENT' : a.diagnosis.agreement === 'disagree' ? 'INCONSISTENT' : 'N/A';
  lines.push(row('Match', match, a.diagnosis.headline));
  for (const e of a.classification.evidence) lines.push(`  ${e}`);

  lines.push(...heading('Policy engine'));
  lines.push(...verdictText(v).split('\n'));
  if (a.diagnosis.deciding.length) {
    lines.push('', `Deciding policies: ${a.diagnosis.deciding.map((d) => (d.location ? `${d.name} (${d.location})` : d.name)).join(', ')}`);
  }

  lines.push(...heading('Checks'));
  if (input.runs.length === 0) lines.push('No checks ran.');
  for (const run of input.runs) {
    const status = checkStatus(run);
    const where = run.where && run.where !== input.probeLocation ? `  on ${run.where}` : '';
    lines.push(`[${status.word}] ${run.check.plan.title}  ${formatDuration(run.durationMs)}${where}`);
    lines.push(`    $ ${displayArgv(run.check.plan.argv)}`);
    for (const l of outputLines(run)) lines.push(`    ${l}`);
    lines.push(`    → ${status.message}`);
    if (run.truncated) lines.push('    (output cut at the size limit)');
    if (run.execError && !(run.output.stdout === '' && run.output.stderr === '')) lines.push(`    (exec: ${run.execError})`);
  }

  lines.push(...heading('Diagnosis'));
  const d = a.diagnosis;
  lines.push(d.headline);
  for (const e of d.explanation) lines.push(`  ${e}`);
  if (d.checklist.length) {
    lines.push('', 'Check next:');
    d.checklist.forEach((c, i) => lines.push(`  ${i + 1}. ${c}`));
  }
  if (d.findings.length) {
    lines.push('', 'Findings:');
    const words = { error: 'CRITICAL', warning: 'WARNING', info: 'INFO', hint: 'INFO' } as const;
    for (const f of d.findings) lines.push(`  [${words[f.severity]}] ${f.message}`);
  }

  if (input.fix || d.offerFix) {
    lines.push(...heading('Fix'));
    const fix = input.fix;
    if (!fix) {
      lines.push('A narrow allow policy would fix this; generate it to see the YAML.');
    } else if (fix.alreadyAllowed) {
      lines.push('Nothing to add: the policies already allow this path.');
    } else {
      lines.push(`${fix.policies.length === 1 ? 'One policy' : `${fix.policies.length} policies`} (do not delete the deny policy; add ${fix.policies.length === 1 ? 'this exception' : 'these exceptions'}):`);
      for (const p of fix.policies) lines.push(`  - ${p.namespace}/${p.name}: ${p.description}`);
      lines.push('');
      for (const l of fix.yaml.replace(/\n$/, '').split('\n')) lines.push(l === '' ? '' : `    ${l}`);
      if (input.fixCheck) lines.push('', `Check: ${input.fixCheck.summary}.`);
      if (fix.notes.length) {
        lines.push('', 'Why this shape:');
        for (const n of fix.notes) lines.push(`  - ${n}`);
      }
    }
  }
  if (input.notes?.length) {
    lines.push(...heading('Notes'));
    for (const n of input.notes) lines.push(`  - ${n}`);
  }
  return `${lines.join('\n')}\n`;
}
