/**
 * Parses dig output, full or `+short`. dig writes its errors on stdout
 * (`;; communications error to …`, `;; no servers could be reached`, exit 9), and `+short` still
 * prints the long error block, so errors are looked for first.
 */

import { splitLines, unrecognised, type ToolOutput } from './tool-output';

/**
 * `ok`: NOERROR with answers; `no-answer`: NOERROR without (NODATA), or an empty `+short`;
 * `unreachable`: no server answered at all (a DNS `REFUSED` rcode is `refused`, a refused
 * UDP packet is `unreachable`).
 */
export type DigOutcome = 'ok' | 'no-answer' | 'nxdomain' | 'servfail' | 'refused' | 'unreachable' | 'other' | 'unknown';

/** One answer record; `+short` output carries only `data`. */
export interface DigAnswer {
  readonly name?: string;
  readonly ttl?: number;
  readonly type?: string;
  readonly data: string;
}

export interface DigResult {
  readonly outcome: DigOutcome;
  /** The rcode from the header (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …); absent for `+short` or no reply. */
  readonly status?: string;
  readonly answers: readonly DigAnswer[];
  readonly queryTimeMs?: number;
  /** The server that answered, from `;; SERVER: 10.96.0.10#53(…)`. */
  readonly server?: string;
  readonly serverPort?: number;
  /** dig's `;;` error lines, e.g. `communications error to 10.96.0.10#53: timed out`. */
  readonly errors: readonly string[];
  readonly message: string;
}

const HEADER = /->>HEADER<<-.*\bstatus:\s*([A-Z]+)/;
const QUERY_TIME = /^;;\s*Query time:\s*(\d+)\s*msec/;
const SERVER = /^;;\s*SERVER:\s*([^#\s()]+)#(\d+)/;
const ERROR = /^;;\s*(.*(?:communications error|connection timed out|no servers could be reached|connection refused).*)$/i;
const CLASSES = new Set(['IN', 'CH', 'HS', 'CS', 'ANY']);

/** Parses `name ttl class type data…`; the class may be absent (`+noclass`). */
function answerOf(line: string): DigAnswer | undefined {
  const t = line.trim().split(/\s+/);
  const [name, ttl] = t;
  if (name === undefined || ttl === undefined || !/^\d+$/.test(ttl)) return undefined;
  const typeAt = CLASSES.has(t[2] ?? '') ? 3 : 2;
  const type = t[typeAt];
  if (type === undefined || t.length <= typeAt + 1) return undefined;
  return { name, ttl: Number(ttl), type, data: t.slice(typeAt + 1).join(' ') };
}

const RCODE_OUTCOME: Readonly<Record<string, Exclude<DigOutcome, 'unknown'>>> = { NXDOMAIN: 'nxdomain', SERVFAIL: 'servfail', REFUSED: 'refused' };

/** Answers named in a message; the rest are counted (a TXT or a round-robin answer can be huge). */
const MAX_SHOWN_ANSWERS = 5;

/** Text from the answer (the network's, not ours) as a message shows it: one line, cut short. */
function clip(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function describe(outcome: Exclude<DigOutcome, 'unknown'>, r: { status?: string; answers: readonly DigAnswer[]; server?: string; errors: readonly string[] }): string {
  const from = r.server !== undefined ? ` from ${clip(r.server)}` : '';
  switch (outcome) {
    case 'ok': {
      const more = r.answers.length > MAX_SHOWN_ANSWERS ? ` and ${r.answers.length - MAX_SHOWN_ANSWERS} more` : '';
      return `Resolved to ${r.answers.slice(0, MAX_SHOWN_ANSWERS).map((a) => clip(a.data)).join(', ')}${more}${from}.`;
    }
    case 'no-answer':
      return `The name exists but has no record of that type${from} (or +short hid an NXDOMAIN).`;
    case 'nxdomain':
      return `The name does not exist (NXDOMAIN${from}).`;
    case 'servfail':
      return `The resolver failed to get an answer (SERVFAIL${from}): an upstream server is down or DNSSEC validation failed.`;
    case 'refused':
      return `The server refused the query (REFUSED${from}): it does not serve this client or zone.`;
    case 'unreachable':
      return `No DNS server answered (${clip(r.errors[0] ?? 'no servers could be reached', 200)}). Check that NetworkPolicy egress allows this pod to reach kube-dns on UDP and TCP port 53.`;
    case 'other':
      return `The server answered ${r.status !== undefined ? clip(r.status, 30) : 'an unexpected status'}${from}.`;
  }
}

/**
 * Classifies dig output: the rcode, the answer records, query time and server; `unreachable`
 * when no server could be reached. Both the full format and `+short` are read.
 * @param out what the exec returned
 */
export function parseDig(out: ToolOutput): DigResult {
  const lines = splitLines(out.stdout);
  const errors = lines.flatMap((l) => ERROR.exec(l.trim())?.[1] ?? []);
  const unreachable = errors.some((e) => /no servers could be reached/i.test(e));
  let status: string | undefined;
  let queryTimeMs: number | undefined;
  let server: string | undefined;
  let serverPort: number | undefined;
  let answers: DigAnswer[] = [];
  let inAnswer = false;
  for (const raw of lines) {
    const line = raw.trim();
    const header = HEADER.exec(line);
    if (header) {
      // With +showsearch there is one block per search candidate: the last one counts.
      status = header[1];
      answers = [];
    }
    if (line === ';; ANSWER SECTION:') {
      inAnswer = true;
      continue;
    }
    if (line === '' || line.startsWith(';')) inAnswer = false;
    if (inAnswer) {
      const a = answerOf(line);
      if (a) answers.push(a);
    }
    const qt = QUERY_TIME.exec(line);
    if (qt) queryTimeMs = Number(qt[1]);
    const sv = SERVER.exec(line);
    if (sv) {
      server = sv[1];
      serverPort = Number(sv[2]);
    }
  }
  const found = {
    ...(status !== undefined ? { status } : {}),
    ...(queryTimeMs !== undefined ? { queryTimeMs } : {}),
    ...(server !== undefined ? { server } : {}),
    ...(serverPort !== undefined ? { serverPort } : {}),
    errors,
  };
  let outcome: Exclude<DigOutcome, 'unknown'>;
  if (unreachable) {
    outcome = 'unreachable';
  } else if (status !== undefined) {
    outcome = status === 'NOERROR' ? (answers.length > 0 ? 'ok' : 'no-answer') : (RCODE_OUTCOME[status] ?? 'other');
  } else if (out.exitCode === 0 && !lines.some((l) => l.startsWith(';'))) {
    // +short: one record's data per line and nothing else.
    answers = lines.filter((l) => l.trim() !== '').map((l) => ({ data: l.trim() }));
    outcome = answers.length > 0 ? 'ok' : 'no-answer';
  } else {
    return { ...found, outcome: 'unknown', answers: [], message: unrecognised('dig', out) };
  }
  return { ...found, outcome, answers, message: describe(outcome, { ...found, answers }) };
}
