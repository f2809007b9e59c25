/**
 * Why a cell is what it is, computed lazily for the one cell under the pointer or
 * selected, from {@link explain}: never for all n² cells upfront.
 *
 * - {@link cellReason}: one line for the tooltip, e.g. `denied: production/default-deny-ingress
 *   isolates postgres-0; no ingress rule admits web-api-… on 5432/TCP`.
 * - {@link cellExplanation}: the details pane: per port (and per address range of an
 *   ipBlock) the egress and ingress sides, each allowing rule or nearest miss with its
 *   source location, and what the "before" snapshot said for a changed cell.
 */
import { explain, type DirectionVerdict, type Endpoint, type Verdict } from '../engine/explain';
import type { ClusterSnapshot, Pod, Protocol } from '../model';
import { podKey } from '../model';
import { jsonLocation } from '../report/verdict-format';
import { aggregateReason, DisplayMatrix, stateWord, type DisplayAxis } from './display';
import { applyFilter, type MatrixFilter } from './filter';
import { atomAddress, atomsOf, atomText, ipBlockNodes, ipBlockRanges, type Atom, type IpBlockNode } from './external';
import { declaredPorts } from './pods';
import {
  GROUP_PREFIX,
  groupLabel,
  portLabel,
  type CellCode,
  type CellExplanation,
  type CellRef,
  type ExplanationLine,
  type ExplanationSection,
  type MatrixEndpoint,
  type MatrixView,
  type PortSpec,
} from './types';

type Resolved =
  | { readonly kind: 'pod'; readonly endpoint: MatrixEndpoint; readonly pod: Pod }
  | { readonly kind: 'cidr'; readonly endpoint: MatrixEndpoint; readonly node: IpBlockNode; readonly atoms: readonly Atom[] };

interface CellContext {
  readonly from: Resolved;
  readonly to: Resolved;
  readonly state: CellCode;
  readonly change: string;
  readonly ports: readonly PortSpec[];
}

const MAX_POLICIES_IN_LINE = 2;
const MAX_ATOM_SECTIONS = 8;
const MAX_GROUP_EXAMPLES = 10;

function resolve(snapshot: ClusterSnapshot, view: MatrixView, id: string, axis: 'row' | 'col'): Resolved | undefined {
  const endpoints = axis === 'row' ? view.rows : view.cols;
  const endpoint = endpoints.find((e) => e.id === id);
  if (!endpoint) return undefined;
  if (endpoint.kind === 'pod') {
    const pod = snapshot.pods.find((p) => podKey(p) === id);
    return pod ? { kind: 'pod', endpoint, pod } : undefined;
  }
  const nodes = ipBlockNodes(snapshot, axis === 'row' ? 'ingress' : 'egress');
  const node = nodes.find((n) => n.id === id);
  if (!node) return undefined;
  return { kind: 'cidr', endpoint, node, atoms: atomsOf([node], ipBlockRanges(snapshot))[0]! };
}

function parsePort(text: string): PortSpec | undefined {
  const m = /^(\d+)\/(TCP|UDP|SCTP)$/.exec(text);
  return m ? { port: Number(m[1]), protocol: m[2] as Protocol } : undefined;
}

function context(snapshot: ClusterSnapshot, view: MatrixView, cell: CellRef): CellContext | undefined {
  const from = resolve(snapshot, view, cell.row, 'row');
  const to = resolve(snapshot, view, cell.col, 'col');
  if (!from || !to) return undefined;
  const r = view.rows.indexOf(from.endpoint);
  const c = view.cols.indexOf(to.endpoint);
  const k = r * view.cols.length + c;
  const state = view.cells[k] as CellCode;
  const change = view.changes?.[k] ?? ' ';
  let ports: PortSpec[];
  if (view.port.kind === 'port') ports = [{ port: view.port.port, protocol: view.port.protocol }];
  else if (to.kind === 'pod') ports = declaredPorts(to.pod);
  else ports = to.endpoint.ports.map(parsePort).filter((p): p is PortSpec => p !== undefined);
  return { from, to, state, change, ports };
}

function shortNames(from: Resolved, to: Resolved): [string, string] {
  const sameNs = from.kind === 'pod' && to.kind === 'pod' && from.pod.namespace === to.pod.namespace;
  const name = (r: Resolved): string => (r.kind === 'cidr' ? r.node.label : sameNs ? r.pod.name : podKey(r.pod));
  return [name(from), name(to)];
}

function policyList(names: readonly string[]): string {
  if (names.length <= MAX_POLICIES_IN_LINE) return names.join(', ');
  return `${names.slice(0, MAX_POLICIES_IN_LINE).join(', ')} and ${names.length - MAX_POLICIES_IN_LINE} more`;
}

const PORTS = '\u0000ports\u0000';

/** A verdict as a reason template; `PORTS` stands for the ports sharing the same text. */
function reasonTemplate(v: Verdict, fromName: string, toName: string): { allowed: boolean; text: string } {
  if (v.self) return { allowed: true, text: 'allowed: a pod can always reach itself (NetworkPolicy does not apply)' };
  const sides: [DirectionVerdict, string, string][] = [
    [v.egress, fromName, toName],
    [v.ingress, toName, fromName],
  ];
  if (v.allowed) {
    const isolated = sides.filter(([d]) => d.isolated);
    if (isolated.length === 0) return { allowed: true, text: `allowed on ${PORTS}: no policy isolates ${fromName} (egress) or ${toName} (ingress)` };
    const parts = sides.map(([d]) => {
      if (!d.isolated) return `${d.direction} not isolated`;
      return `${d.direction} by ${policyList([...new Set(d.allowedBy.map((m) => `${m.policy.namespace}/${m.policy.name}`))])}`;
    });
    return { allowed: true, text: `allowed on ${PORTS}: ${parts.join('; ')}` };
  }
  const parts = sides
    .filter(([d]) => !d.allowed)
    .map(([d, subject, other]) => {
      const names = d.policies.map((p) => `${p.namespace}/${p.name}`);
      return `${policyList(names)} ${names.length === 1 ? 'isolates' : 'isolate'} ${subject}; no ${d.direction} rule admits ${other} on ${PORTS}`;
    });
  return { allowed: false, text: `denied: ${parts.join('; and ')}` };
}

/** Groups per-port templates with the same text: "denied: … on 5432/TCP, 8080/TCP". */
function combine(perPort: readonly { port: PortSpec; allowed: boolean; text: string }[]): string {
  const groups = new Map<string, PortSpec[]>();
  for (const p of perPort) {
    const list = groups.get(p.text) ?? [];
    list.push(p.port);
    groups.set(p.text, list);
  }
  return [...groups.entries()].map(([text, ports]) => text.split(PORTS).join(ports.map(portLabel).join(', '))).join(' · ');
}

function endpointOf(r: Resolved, atom?: Atom): Endpoint {
  return r.kind === 'pod' ? { kind: 'pod', pod: r.pod } : { kind: 'external', ip: atomAddress(atom!) };
}

/** The verdicts of a cell, per port and (for an ipBlock side) per atom. */
function verdicts(snapshot: ClusterSnapshot, ctx: CellContext): { atom?: Atom; port: PortSpec; verdict: Verdict }[] {
  const block = ctx.from.kind === 'cidr' ? ctx.from : ctx.to.kind === 'cidr' ? ctx.to : undefined;
  const atoms: (Atom | undefined)[] = block ? [...block.atoms] : [undefined];
  const out: { atom?: Atom; port: PortSpec; verdict: Verdict }[] = [];
  for (const atom of atoms) {
    for (const port of ctx.ports) {
      const verdict = explain(snapshot, endpointOf(ctx.from, atom), endpointOf(ctx.to, atom), { port: port.port, protocol: port.protocol });
      out.push({ ...(atom ? { atom } : {}), port, verdict });
    }
  }
  return out;
}

function noPortsReason(ctx: CellContext): string | undefined {
  if (ctx.ports.length > 0) return undefined;
  if (ctx.to.kind === 'pod') return `${podKey(ctx.to.pod)} declares no container ports: pick a port to evaluate`;
  return `no port to evaluate towards ${ctx.to.node.label}: pick one`;
}

function podPairReason(snapshot: ClusterSnapshot, ctx: CellContext): string {
  if (ctx.from.kind === 'cidr' && ctx.to.kind === 'cidr') return 'not applicable: both ends are outside the cluster';
  const none = noPortsReason(ctx);
  if (none) return none;
  const [fromName, toName] = shortNames(ctx.from, ctx.to);
  const all = verdicts(snapshot, ctx);
  const block = ctx.from.kind === 'cidr' ? ctx.from : ctx.to.kind === 'cidr' ? ctx.to : undefined;
  if (!block) return combine(all.map(({ port, verdict }) => ({ port, ...reasonTemplate(verdict, fromName, toName) })));
  if (block.atoms.length === 0) return `not applicable: every address of ${block.node.label} is excluded by its except list`;
  // One text per atom, then atoms with the same text together.
  const byText = new Map<string, Atom[]>();
  for (const atom of block.atoms) {
    const text = combine(all.filter((v) => v.atom === atom).map(({ port, verdict }) => ({ port, ...reasonTemplate(verdict, fromName, toName) })));
    byText.set(text, [...(byText.get(text) ?? []), atom]);
  }
  if (byText.size === 1) return [...byText.keys()][0]!;
  const parts = [...byText.entries()].slice(0, 3).map(([text, atoms]) => `${atoms.map(atomText).join(', ')}: ${text}`);
  return `some addresses differ: ${parts.join(' · ')}${byText.size > 3 ? ' · …' : ''}`;
}

/** A one-entry axis: the endpoint with this id, or the (filtered) members of a `ns:` group. */
function singleAxis(endpoints: readonly MatrixEndpoint[], id: string, keep: ReadonlySet<number> | undefined): DisplayAxis | undefined {
  if (id.startsWith(GROUP_PREFIX)) {
    const group = id.slice(GROUP_PREFIX.length);
    const members = endpoints.flatMap((e, i) => (e.group === group && (!keep || keep.has(i)) ? [i] : []));
    if (members.length === 0) return undefined;
    return { entries: [{ kind: 'group', group, members }], groups: [{ group, label: groupLabel(group), start: 0, end: 1, size: members.length, collapsed: true }] };
  }
  const index = endpoints.findIndex((e) => e.id === id);
  return index < 0 ? undefined : { entries: [{ kind: 'endpoint', index, group: endpoints[index]!.group }], groups: [] };
}

/** The 1×1 display of an aggregate cell, over the members that pass `filter` (as on screen). */
function groupCell(view: MatrixView, cell: CellRef, filter: MatrixFilter | undefined): DisplayMatrix | undefined {
  const filtered = filter ? applyFilter(view, filter) : undefined;
  const rows = singleAxis(view.rows, cell.row, filtered ? new Set(filtered.rows) : undefined);
  const cols = singleAxis(view.cols, cell.col, filtered ? new Set(filtered.cols) : undefined);
  return rows && cols ? new DisplayMatrix(view, rows, cols) : undefined;
}

export interface ReasonOptions {
  /** The filter on screen: aggregate cells count only the pairs that pass it. */
  readonly filter?: MatrixFilter;
}

export interface ExplanationOptions extends ReasonOptions {
  /** The snapshot the view was diffed against (its `before`): changed cells say what it was. */
  readonly before?: ClusterSnapshot;
}

/**
 * The tooltip line of a cell of `view` (which must have been built from `snapshot`).
 * Aggregate cells (`ns:` ids) are described by counts; unknown ids give a short notice.
 */
export function cellReason(snapshot: ClusterSnapshot, view: MatrixView, cell: CellRef, options: ReasonOptions = {}): string {
  if (cell.row.startsWith(GROUP_PREFIX) || cell.col.startsWith(GROUP_PREFIX)) {
    const display = groupCell(view, cell, options.filter);
    return display ? aggregateReason(display, 0, 0) : 'this cell is no longer in the view';
  }
  const ctx = context(snapshot, view, cell);
  if (!ctx) return 'this cell is no longer in the view';
  if (ctx.state === '-') return 'allowed: a pod can always reach itself (NetworkPolicy does not apply)';
  return podPairReason(snapshot, ctx);
}

function directionLines(d: DirectionVerdict, heading: string): ExplanationLine[] {
  if (!d.applies || !d.isolated) return [{ kind: 'note', text: `${heading}: not isolated${d.note ? ` (${d.note})` : ''}` }];
  const n = d.policies.length;
  const lines: ExplanationLine[] = [{ kind: 'note', text: `${heading}: isolated by ${n} ${n === 1 ? 'policy' : 'policies'} (${d.policies.map((p) => `${p.namespace}/${p.name}`).join(', ')})` }];
  for (const m of d.allowedBy) {
    const location = jsonLocation(m.policy.source, m.path);
    lines.push({ kind: 'allow', text: m.text, ...(location ? { location } : {}) });
  }
  for (const m of d.misses) {
    const location = jsonLocation(m.policy.source, m.path);
    lines.push({ kind: 'miss', text: `${m.policy.namespace}/${m.policy.name}: ${m.message}`, ...(location ? { location } : {}) });
  }
  return lines;
}

function verdictLines(v: Verdict): ExplanationLine[] {
  if (v.self) return [{ kind: 'note', text: v.egress.note ?? 'a pod can always reach itself' }];
  const lines = [...directionLines(v.egress, `Egress from ${v.from}`), ...directionLines(v.ingress, `Ingress to ${v.to}`)];
  for (const i of v.invalidPolicies) {
    const location = jsonLocation(i.policy.source);
    lines.push({ kind: 'note', text: `ignored ${i.policy.namespace}/${i.policy.name} (the API server would reject it): ${i.problems.join('; ')}`, ...(location ? { location } : {}) });
  }
  return lines;
}

function endpointLine(r: Resolved, role: string): ExplanationLine {
  const e = r.endpoint;
  const text = r.kind === 'pod'
    ? `${role}: pod ${e.id}${Object.keys(e.labels).length ? ` {${Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(', ')}}` : ''}${e.detail ? ` (${e.detail})` : ''}`
    : `${role}: ipBlock ${e.name}${e.detail ? ` ${e.detail}` : ''} (addresses outside the cluster)`;
  return { kind: 'note', text, ...(e.location ? { location: e.location } : {}) };
}

/** Pods of `before` under the keys of the view, for "what it was before" sections. */
function beforeSection(before: ClusterSnapshot, ctx: CellContext): ExplanationSection | undefined {
  if (ctx.change === ' ' || ctx.from.kind !== 'pod' || ctx.to.kind !== 'pod') return undefined;
  const from = before.pods.find((p) => podKey(p) === podKey((ctx.from as { pod: Pod }).pod));
  const to = before.pods.find((p) => podKey(p) === podKey((ctx.to as { pod: Pod }).pod));
  if (!from || !to) return undefined;
  const lines: ExplanationLine[] = ctx.ports.map((p) => {
    const v = explain(before, { kind: 'pod', pod: from }, { kind: 'pod', pod: to }, { port: p.port, protocol: p.protocol });
    return { kind: 'note', text: v.summary };
  });
  const word = ctx.change === '+' ? 'opened by the change' : ctx.change === '-' ? 'closed by the change' : 'partly opened, partly closed by the change';
  return { title: `Before the change (${word})`, lines };
}

/**
 * The details pane of a cell: endpoints with their locations, then per port (and per
 * address range of an ipBlock) each side's isolating policies, allowing rules and
 * nearest misses with source locations. Give `before` for a view built with one.
 */
export function cellExplanation(snapshot: ClusterSnapshot, view: MatrixView, cell: CellRef, options: ExplanationOptions = {}): CellExplanation {
  if (cell.row.startsWith(GROUP_PREFIX) || cell.col.startsWith(GROUP_PREFIX)) return groupExplanation(snapshot, view, cell, options.filter);
  const before = options.before;
  const ctx = context(snapshot, view, cell);
  if (!ctx) return { cell, title: `${cell.row} → ${cell.col}`, summary: 'this cell is no longer in the view', state: 'N', sections: [] };
  const summary = cellReason(snapshot, view, cell);
  const title = `${ctx.from.endpoint.kind === 'pod' ? ctx.from.endpoint.id : ctx.from.endpoint.name} → ${ctx.to.endpoint.kind === 'pod' ? ctx.to.endpoint.id : ctx.to.endpoint.name}`;
  const sections: ExplanationSection[] = [{ title: 'Endpoints', lines: [endpointLine(ctx.from, 'From'), endpointLine(ctx.to, 'To')] }];
  if (ctx.state !== '-' && !(ctx.from.kind === 'cidr' && ctx.to.kind === 'cidr')) {
    const all = verdicts(snapshot, ctx);
    let atomsShown = new Set<Atom | undefined>();
    for (const { atom, port, verdict } of all) {
      if (atom && !atomsShown.has(atom)) {
        if (atomsShown.size >= MAX_ATOM_SECTIONS) continue;
        atomsShown = new Set([...atomsShown, atom]);
      }
      const where = atom && ctx.from.kind === 'cidr' ? ` from ${atomText(atom)}` : atom ? ` to ${atomText(atom)}` : '';
      sections.push({
        title: `${portLabel(port)}${where}: ${verdict.allowed ? 'allowed' : 'denied'}`,
        verdict: verdict.allowed ? 'allowed' : 'denied',
        lines: verdictLines(verdict),
      });
    }
    const block = ctx.from.kind === 'cidr' ? ctx.from : ctx.to.kind === 'cidr' ? ctx.to : undefined;
    if (block && block.atoms.length > MAX_ATOM_SECTIONS) {
      sections.push({ title: 'More address ranges', lines: [{ kind: 'note', text: `${block.atoms.length - MAX_ATOM_SECTIONS} more address ranges of ${block.node.label} are not shown` }] });
    }
  }
  const was = before ? beforeSection(before, ctx) : undefined;
  if (was) sections.push(was);
  return { cell, title, summary, state: ctx.state, sections };
}

function groupExplanation(snapshot: ClusterSnapshot, view: MatrixView, cell: CellRef, filter: MatrixFilter | undefined): CellExplanation {
  const display = groupCell(view, cell, filter);
  if (!display) return { cell, title: `${cell.row} → ${cell.col}`, summary: 'this cell is no longer in the view', state: 'N', sections: [] };
  const s = display.summary(0, 0);
  const summary = aggregateReason(display, 0, 0);
  const examples: ExplanationLine[] = [];
  const rowMembers = display.rows.entries.flatMap((e) => (e.kind === 'group' ? e.members : [e.index]));
  const colMembers = display.cols.entries.flatMap((e) => (e.kind === 'group' ? e.members : [e.index]));
  outer: for (const r of rowMembers) {
    for (const c of colMembers) {
      const code = view.cells[r * view.cols.length + c];
      if (code !== 'D' && code !== 'S') continue;
      const pair = { row: view.rows[r]!.id, col: view.cols[c]!.id };
      const from = view.rows[r]!;
      const to = view.cols[c]!;
      examples.push({ kind: 'miss', text: `${from.kind === 'pod' ? from.id : from.name} → ${to.kind === 'pod' ? to.id : to.name}: ${cellReason(snapshot, view, pair)}`, ...(to.location ? { location: to.location } : {}) });
      if (examples.length >= MAX_GROUP_EXAMPLES) break outer;
    }
  }
  const sections: ExplanationSection[] = [
    {
      title: `${stateWord(s.state)}: ${s.allowed} allowed, ${s.some} partly, ${s.denied} denied`,
      verdict: s.state === 'A' ? 'allowed' : s.state === 'D' ? 'denied' : s.state === 'S' ? 'some' : 'n/a',
      lines: [{ kind: 'note', text: 'Expand the namespace to see each pair; select a pair for its full explanation.' }],
    },
  ];
  if (examples.length) sections.push({ title: `Denied pairs${s.denied + s.some > examples.length ? ` (first ${examples.length})` : ''}`, lines: examples });
  return { cell, title: `${display.rowLabel(0)} → ${display.colLabel(0)}`, summary, state: s.state, sections };
}
