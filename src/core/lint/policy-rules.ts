/**
 * Lint rules over NetworkPolicies: the mistakes people find in production.
 * Each rule reads the normalised model plus the pods, namespaces, nodes and services
 * around it, and reports at the exact source range, with fixes as text edits.
 */
import {
  cidrContainsIp, cidrSize, formatAddressCount, formatCidr, formatIp, hostCidr, parseIp, type IpAddress,
} from '../cidr';
import { namespaceLabelLookup, podIps, policySelects, portEntryMatches, selectorPeerMatchesPod, type NamespaceLabels } from '../engine/semantics';
import type { Cidr, Finding, LabelSelector, NetworkPolicy, Pod, PolicyPeer, PolicyRule, Protocol, Range, SourceRef } from '../model';
import { formatSelector, isEmptySelector, selectorMatches } from '../selector';
import { RULES } from './rules-catalog';
import { TextLines, addBlockKey, appendSequenceItem, blockLines, deleteLines, replaceScalar } from './text-edits';
import type { Fix, LintContext, LintFinding, LintOptions, RelatedLocation } from './types';
import { DEFAULT_LINT_OPTIONS } from './types';

type Direction = 'ingress' | 'egress';

interface RuleEnv {
  readonly ctx: LintContext;
  readonly options: LintOptions;
  readonly nsLabels: NamespaceLabels;
  /** Split text per file, built once per lint run (many policies share a file). */
  readonly lines: Map<string, TextLines | null>;
  readonly report: (f: Omit<LintFinding, 'severity'> & { severity?: LintFinding['severity'] }) => void;
}

const DNS_RULE = `- to:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: kube-system
    podSelector:
      matchLabels:
        k8s-app: kube-dns
  ports:
  - protocol: UDP
    port: 53
  - protocol: TCP
    port: 53`;

function where(policy: NetworkPolicy, path: string, which: 'key' | 'value' = 'value'): Range | undefined {
  const at = policy.source?.at(path);
  if (!at) return undefined;
  return which === 'key' ? (at.key ?? at.value) : at.value;
}

function rangeOr(policy: NetworkPolicy, ...paths: string[]): Range {
  for (const p of paths) {
    const r = where(policy, p, p.endsWith('#key') ? 'key' : 'value') ?? where(policy, p.replace(/#key$/, ''), 'key');
    if (r) return r;
  }
  return where(policy, 'metadata.name') ?? policy.source!.range;
}

function lines(env: RuleEnv, source: SourceRef): TextLines | undefined {
  let cached = env.lines.get(source.file);
  if (cached === undefined) {
    const text = env.ctx.text(source.file);
    cached = text === undefined ? null : new TextLines(text);
    env.lines.set(source.file, cached);
  }
  return cached ?? undefined;
}

function rulesOf(policy: NetworkPolicy): { direction: Direction; rule: PolicyRule; index: number }[] {
  return [
    ...policy.ingress.map((rule, index) => ({ direction: 'ingress' as const, rule, index })),
    ...policy.egress.map((rule, index) => ({ direction: 'egress' as const, rule, index })),
  ];
}

function peerListKey(direction: Direction): 'from' | 'to' {
  return direction === 'ingress' ? 'from' : 'to';
}

/** Known endpoints (pods, nodes) with an address inside a CIDR. */
function endpointsInside(env: RuleEnv, cidr: Cidr): { name: string; ip: IpAddress }[] {
  const out: { name: string; ip: IpAddress }[] = [];
  for (const pod of env.ctx.snapshot.pods) {
    for (const ip of podIps(pod)) if (cidrContainsIp(cidr, ip)) out.push({ name: pod.name, ip });
  }
  for (const node of env.ctx.snapshot.nodes) {
    for (const t of node.addresses) {
      const ip = parseIp(t);
      if (ip && cidrContainsIp(cidr, ip)) out.push({ name: `node ${node.name}`, ip });
    }
  }
  return out;
}

function listNames(names: string[], max = 3): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} (+${names.length - max})`;
}

function checkCidrs(env: RuleEnv, policy: NetworkPolicy): void {
  for (const { direction, rule } of rulesOf(policy)) {
    rule.peers.forEach((peer) => {
      if (peer.type !== 'ipBlock') return;
      const cidrPath = `${peer.path}.ipBlock.cidr`;
      checkHostBits(env, policy, peer.cidr, cidrPath);
      peer.except.forEach((e, i) => checkHostBits(env, policy, e, `${peer.path}.ipBlock.except.${i}`));
      checkBroad(env, policy, peer.cidr, cidrPath, direction);
    });
  }
}

function narrowFixes(env: RuleEnv, policy: NetworkPolicy, path: string, choices: { title: string; value: string }[]): Fix[] {
  const src = policy.source;
  const range = where(policy, path);
  const text = src && lines(env, src);
  if (!src || !range || !text) return [];
  return choices.map((c, i) => ({ title: c.title, preferred: i === 0, edits: [replaceScalar(src.file, text, range, c.value)] }));
}

function checkHostBits(env: RuleEnv, policy: NetworkPolicy, cidr: Cidr, path: string): void {
  if (!cidr.hostBitsSet) return;
  const hostText = cidr.text.slice(0, cidr.text.indexOf('/'));
  const host = parseIp(hostText)!;
  const one = formatCidr(hostCidr(host));
  const masked = formatCidr(cidr);
  const inside = endpointsInside(env, cidr);
  const known = inside.length === 0 ? '' : `; known inside (${env.ctx.dataSource}): ${listNames(inside.map((e) => e.name))}`;
  env.report({
    code: 'cidr-host-bits',
    message: `${cidr.text} has host bits set: the API server reads it as ${masked} (${formatAddressCount(cidrSize(cidr))} addresses${known}). For the one host ${hostText}, write ${one}; for the whole network, write ${masked}.`,
    file: policy.source!.file,
    range: rangeOr(policy, path),
    fixes: narrowFixes(env, policy, path, [
      { title: `Narrow to ${one} (the one host)`, value: one },
      { title: `Mask to ${masked} (the network it already means)`, value: masked },
    ]),
  });
}

function checkBroad(env: RuleEnv, policy: NetworkPolicy, cidr: Cidr, path: string, direction: Direction): void {
  const size = cidrSize(cidr);
  const count = formatAddressCount(size);
  const inside = endpointsInside(env, cidr);
  const range = rangeOr(policy, path);
  const file = policy.source!.file;
  const knownText = inside.length ? `; known inside (${env.ctx.dataSource}): ${listNames(inside.map((e) => e.name))}` : '';
  if (cidr.prefix === 0 && direction === 'ingress') {
    env.report({ code: 'cidr-too-broad', message: `${cidr.text} admits every IPv${cidr.family} address, the whole internet included, as a source. Name the networks that should connect instead.`, file, range });
    return;
  }
  const threshold = cidr.family === 4 ? env.options.broadPrefixV4 : env.options.broadPrefixV6;
  const hostPrefix = cidr.family === 4 ? 32 : 128;
  if (cidr.prefix < threshold && cidr.prefix > 0) {
    env.report({ code: 'cidr-too-broad', message: `${cidr.text} admits ${count} addresses, broader than /${threshold}${knownText}. Narrow it to the addresses that need access.`, file, range });
    return;
  }
  // The `/24` typed for a `/32`: a range in the pod network with exactly one known pod inside.
  const pods = inside.filter((e) => !e.name.startsWith('node '));
  if (cidr.prefix < hostPrefix && pods.length === 1 && inside.length === 1) {
    const only = pods[0]!;
    // With host bits set on that very address, cidr-host-bits already offers the /32.
    if (cidr.hostBitsSet && parseIp(cidr.text.slice(0, cidr.text.indexOf('/')))?.value === only.ip.value) return;
    const exact = formatCidr(hostCidr(only.ip));
    env.report({
      code: 'cidr-too-broad',
      message: `${cidr.text} admits ${count} addresses; only ${only.name} (${formatIp(only.ip)}) is inside (${env.ctx.dataSource}): did you mean ${exact}? Pod IPs change when pods are replaced; a podSelector is sturdier.`,
      file,
      range,
      fixes: narrowFixes(env, policy, path, [{ title: `Narrow to ${exact} (${only.name})`, value: exact }]),
    });
  }
}

function checkAndOr(env: RuleEnv, policy: NetworkPolicy): void {
  for (const { direction, rule, index } of rulesOf(policy)) {
    for (let i = 0; i + 1 < rule.peers.length; i++) {
      const a = rule.peers[i]!;
      const b = rule.peers[i + 1]!;
      if (a.type !== 'selector' || b.type !== 'selector') continue;
      const nsOnly = (p: typeof a): boolean => p.namespaceSelector !== undefined && p.podSelector === undefined;
      const podOnly = (p: typeof a): boolean => p.podSelector !== undefined && p.namespaceSelector === undefined;
      if (!((nsOnly(a) && podOnly(b)) || (podOnly(a) && nsOnly(b)))) continue;
      const ns = nsOnly(a) ? a : b;
      const pod = podOnly(a) ? a : b;
      const list = peerListKey(direction);
      const nsText = isEmptySelector(ns.namespaceSelector!) ? 'all namespaces' : `namespaces ${formatSelector(ns.namespaceSelector!)}`;
      const podText = formatSelector(pod.podSelector!);
      env.report({
        code: 'peer-and-or-confusion',
        message:
          `These are two peers, ORed: every pod in ${nsText}, or pods ${podText} in ${policy.namespace}. ` +
          `One peer with both selectors (no dash before podSelector) would mean only pods ${podText} in ${nsText}.`,
        file: policy.source!.file,
        range: rangeOr(policy, `${b.path}#key`, b.path),
        related: relatedAt(policy, a.path, 'the other peer'),
        fixes: mergePeersFix(env, policy, a, b, `spec.${direction}.${index}.${list}`),
      });
    }
  }
}

function relatedAt(policy: NetworkPolicy, path: string, message: string): RelatedLocation[] {
  const r = where(policy, path);
  return r && policy.source ? [{ message, file: policy.source.file, range: r }] : [];
}

function mergePeersFix(env: RuleEnv, policy: NetworkPolicy, a: PolicyPeer, b: PolicyPeer, _listPath: string): Fix[] {
  const src = policy.source;
  const text = src && lines(env, src);
  const ra = where(policy, a.path);
  const rb = where(policy, b.path);
  if (!src || !text || !ra || !rb) return [];
  // Both items must be block mappings written `- key:` at the same dash column.
  const dash = (r: Range): number | undefined => {
    const before = text.line(r.start.line).slice(0, r.start.character);
    const m = /^(\s*)-\s+$/.exec(before);
    return m ? m[1]!.length : undefined;
  };
  const da = dash(ra);
  const db = dash(rb);
  if (da === undefined || db === undefined || da !== db || rb.start.line <= ra.start.line) return [];
  const dashPos = { line: rb.start.line, character: db };
  return [{ title: 'Merge into one peer (pods matching both selectors)', preferred: true, edits: [{ file: src.file, range: { start: dashPos, end: { line: dashPos.line, character: db + 1 } }, newText: ' ' }] }];
}

/** A stand-in for the cluster DNS pods when the data holds none. */
const VIRTUAL_DNS: Pod = {
  kind: 'Pod', namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, ips: [],
  ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
  hostNetwork: false, origin: { type: 'pod' },
};

function dnsServers(env: RuleEnv): Pod[] {
  const found = env.ctx.snapshot.pods.filter((p) => ['kube-dns', 'coredns'].includes(p.labels['k8s-app'] ?? '') || (p.namespace === 'kube-system' && p.name.startsWith('coredns')));
  return found.length ? found : [VIRTUAL_DNS];
}

function ruleReachesDns(env: RuleEnv, policy: NetworkPolicy, rule: PolicyRule, protocol: Protocol, servers: Pod[]): boolean {
  const portOk = (dst: Pod): boolean => rule.ports.length === 0 || rule.ports.some((e) => portEntryMatches(e, 53, protocol, dst));
  if (rule.peers.length === 0) return servers.some(portOk);
  return rule.peers.some((peer) => {
    // An ipBlock may well be the node-local DNS cache or an upstream resolver: give it the benefit of the doubt.
    if (peer.type === 'ipBlock') return rule.ports.length === 0 || rule.ports.some((e) => portEntryMatches(e, 53, protocol, undefined));
    return servers.some((s) => selectorPeerMatchesPod(peer, policy.namespace, s, env.nsLabels) && portOk(s));
  });
}

function checkDns(env: RuleEnv, policy: NetworkPolicy, all: readonly NetworkPolicy[]): void {
  if (!policy.policyTypes.includes('Egress')) return;
  const known = env.ctx.snapshot.pods.filter((p) => policySelects(policy, p, 'Egress'));
  const servers = dnsServers(env);
  const missingFor = (selecting: NetworkPolicy[]): Protocol[] =>
    (['UDP', 'TCP'] as const).filter((proto) => !selecting.some((p) => p.egress.some((r) => ruleReachesDns(env, p, r, proto, servers))));
  let missing: Protocol[];
  let affected = '';
  if (known.length === 0) {
    missing = missingFor([policy]);
  } else {
    missing = [];
    const hit: string[] = [];
    for (const pod of known) {
      const m = missingFor(all.filter((p) => policySelects(p, pod, 'Egress')));
      if (m.length) {
        hit.push(pod.name);
        for (const proto of m) if (!missing.includes(proto)) missing.push(proto);
      }
    }
    if (hit.length) affected = ` Affected (${env.ctx.dataSource}): ${listNames(hit)}.`;
  }
  if (missing.length === 0) return;
  const src = policy.source!;
  const text = lines(env, src);
  const fixEdit = text
    ? policy.egress.length > 0 && where(policy, 'spec.egress')
      ? appendSequenceItem(src.file, text, where(policy, 'spec.egress')!, blockLines(DNS_RULE))
      : addBlockKey(src.file, text, src, 'spec', 'egress', blockLines(DNS_RULE))
    : undefined;
  env.report({
    code: 'egress-blocks-dns',
    message:
      `The pods this policy selects are isolated for egress, and no egress rule allows DNS on port 53/${missing.join(' and 53/')}` +
      ` to the cluster DNS: name lookups will time out (${missing.includes('UDP') ? 'every lookup' : 'large answers and TCP fallback'}).${affected} Allow UDP and TCP 53 to kube-dns.`,
    file: src.file,
    range: rangeOr(policy, 'spec.policyTypes', 'spec.egress#key', 'metadata.name'),
    fixes: fixEdit ? [{ title: 'Add a DNS egress rule (UDP and TCP 53 to kube-dns)', preferred: true, edits: [fixEdit] }] : [],
  });
}

function checkPolicyTypes(env: RuleEnv, policy: NetworkPolicy): void {
  if (!policy.policyTypesExplicit) return;
  for (const [type, rules, code] of [['Egress', policy.egress, 'policytypes-missing-egress'], ['Ingress', policy.ingress, 'policytypes-missing-ingress']] as const) {
    if (rules.length === 0 || policy.policyTypes.includes(type)) continue;
    const key = type.toLowerCase();
    const src = policy.source!;
    const text = lines(env, src);
    const seq = where(policy, 'spec.policyTypes');
    const edit = text && seq ? appendSequenceItem(src.file, text, seq, [`- ${type}`]) : undefined;
    const consequence = type === 'Egress' ? 'This also isolates the selected pods for egress: everything not allowed by a rule, DNS included, is then denied.' : 'This also isolates the selected pods for ingress.';
    env.report({
      code,
      message: `These ${key} rules are ignored: policyTypes lists ${policy.policyTypes.join(', ') || 'nothing'} but not ${type}. Add ${type} to policyTypes to enforce them. ${consequence}`,
      file: src.file,
      range: rangeOr(policy, `spec.${key}#key`, `spec.${key}`),
      fixes: edit ? [{ title: `Add ${type} to policyTypes`, preferred: true, edits: [edit] }] : [],
    });
  }
}

function ruleDestinations(env: RuleEnv, policy: NetworkPolicy, direction: Direction, rule: PolicyRule): Pod[] {
  const pods = env.ctx.snapshot.pods;
  if (direction === 'ingress') return pods.filter((p) => policySelects(policy, p, 'Ingress'));
  if (rule.peers.length === 0) return [...pods];
  return pods.filter((p) =>
    rule.peers.some((peer) => (peer.type === 'ipBlock' ? podIps(p).some((ip) => cidrContainsIp(peer.cidr, ip)) : selectorPeerMatchesPod(peer, policy.namespace, p, env.nsLabels))),
  );
}

function checkNamedPorts(env: RuleEnv, policy: NetworkPolicy): void {
  if (env.ctx.snapshot.pods.length === 0) return;
  for (const { direction, rule } of rulesOf(policy)) {
    const named = rule.ports.filter((e) => typeof e.port === 'string');
    if (named.length === 0) continue;
    const dsts = ruleDestinations(env, policy, direction, rule);
    if (dsts.length === 0) continue;
    for (const e of named) {
      const name = e.port as string;
      if (dsts.some((p) => p.ports.some((cp) => cp.name === name && cp.protocol === e.protocol))) continue;
      const otherProto = dsts.flatMap((p) => p.ports.filter((cp) => cp.name === name).map((cp) => `${p.name} declares ${name} as ${cp.protocol}`));
      const declared = [...new Set(dsts.flatMap((p) => p.ports.map((cp) => cp.name).filter((n): n is string => !!n)))];
      env.report({
        code: 'named-port-unresolved',
        message:
          `No ${direction === 'ingress' ? 'selected pod' : 'destination pod'} declares a container port named "${name}" with protocol ${e.protocol}, so this entry admits nothing ` +
          `(checked ${dsts.length} ${dsts.length === 1 ? 'pod' : 'pods'} from ${env.ctx.dataSource})` +
          (otherProto.length ? `: ${listNames(otherProto, 2)}.` : declared.length ? `. They declare: ${listNames(declared, 5)}.` : '. They declare no named ports.'),
        file: policy.source!.file,
        range: rangeOr(policy, `${e.path}.port`, e.path),
      });
    }
  }
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

function checkSelectors(env: RuleEnv, policy: NetworkPolicy): void {
  const { pods, namespaces } = env.ctx.snapshot;
  if (pods.length === 0) return;
  const file = policy.source!.file;
  const inNs = pods.filter((p) => p.namespace === policy.namespace);
  const describeMiss = (sel: LabelSelector, candidates: readonly Pod[]): string => {
    const keys = [...Object.keys(sel.matchLabels), ...sel.matchExpressions.map((r) => r.key)];
    const values = keys.map((k) => {
      const vs = [...new Set(candidates.map((p) => p.labels[k]).filter((v): v is string => v !== undefined))];
      return vs.length ? `${k} has ${listNames(vs, 5)}` : `no pod has ${k}`;
    });
    return values.length ? ` (${values.join('; ')})` : '';
  };
  if (inNs.length > 0 && !isEmptySelector(policy.podSelector) && !inNs.some((p) => selectorMatches(policy.podSelector, p.labels))) {
    env.report({
      code: 'selector-matches-nothing',
      message: `podSelector ${formatSelector(policy.podSelector)} selects none of the ${inNs.length} pods in namespace ${policy.namespace} (${env.ctx.dataSource})${describeMiss(policy.podSelector, inNs)}; this policy has no effect.`,
      file,
      range: rangeOr(policy, 'spec.podSelector'),
    });
  }
  const realNamespaces = namespaces.filter((n) => !n.inferred);
  for (const { rule } of rulesOf(policy)) {
    for (const peer of rule.peers) {
      if (peer.type !== 'selector') continue;
      const byName = peer.namespaceSelector && (NAME_LABEL in peer.namespaceSelector.matchLabels || peer.namespaceSelector.matchExpressions.some((r) => r.key === NAME_LABEL));
      if (peer.namespaceSelector && realNamespaces.length > 0 && !isEmptySelector(peer.namespaceSelector) && (env.ctx.complete || !byName)) {
        const matching = namespaces.filter((n) => selectorMatches(peer.namespaceSelector!, n.labels));
        if (matching.length === 0) {
          env.report({
            code: 'selector-matches-nothing',
            message: `namespaceSelector ${formatSelector(peer.namespaceSelector)} matches none of the ${namespaces.length} known namespaces (${env.ctx.dataSource}). Namespaces carry kubernetes.io/metadata.name=<name> for selecting one by name.`,
            file,
            range: rangeOr(policy, `${peer.path}.namespaceSelector`),
          });
          continue;
        }
      }
      if (peer.podSelector && !isEmptySelector(peer.podSelector)) {
        const candidates = peer.namespaceSelector
          ? pods.filter((p) => selectorMatches(peer.namespaceSelector!, env.nsLabels(p.namespace)))
          : inNs;
        if (candidates.length > 0 && !candidates.some((p) => !p.hostNetwork && selectorMatches(peer.podSelector!, p.labels))) {
          env.report({
            code: 'selector-matches-nothing',
            message: `podSelector ${formatSelector(peer.podSelector)} matches none of the ${candidates.length} candidate pods${peer.namespaceSelector ? '' : ` in namespace ${policy.namespace}`} (${env.ctx.dataSource})${describeMiss(peer.podSelector, candidates)}.`,
            file,
            range: rangeOr(policy, `${peer.path}.podSelector`),
          });
        }
      }
    }
  }
}

function checkServicePorts(env: RuleEnv, policy: NetworkPolicy): void {
  const services = env.ctx.snapshot.services.filter((s) => s.selector && Object.keys(s.selector).length > 0);
  if (services.length === 0) return;
  for (const { direction, rule } of rulesOf(policy)) {
    const dsts = ruleDestinations(env, policy, direction, rule);
    if (dsts.length === 0) continue;
    for (const e of rule.ports) {
      if (typeof e.port !== 'number' || e.endPort !== undefined) continue;
      const port = e.port;
      if (dsts.some((p) => p.ports.some((cp) => cp.containerPort === port && cp.protocol === e.protocol))) continue;
      for (const svc of services) {
        const backs = dsts.filter((p) => p.namespace === svc.namespace && selectorMatches({ matchLabels: svc.selector!, matchExpressions: [] }, p.labels));
        const sp = svc.ports.find((x) => x.port === port && x.protocol === e.protocol);
        if (!sp || backs.length === 0) continue;
        const target = typeof sp.targetPort === 'number' ? sp.targetPort : backs[0]!.ports.find((cp) => cp.name === sp.targetPort && cp.protocol === e.protocol)?.containerPort;
        if (target === undefined || target === port) continue;
        const src = policy.source!;
        const text = lines(env, src);
        const range = where(policy, `${e.path}.port`);
        env.report({
          code: 'service-port-not-target-port',
          message: `${port} is the port of Service ${svc.namespace}/${svc.name}, but NetworkPolicy sees the pod's port: ${target} (targetPort${typeof sp.targetPort === 'string' ? ` ${sp.targetPort}` : ''} on ${listNames(backs.map((p) => p.name))}). Use ${target}.`,
          file: src.file,
          range: range ?? rangeOr(policy, e.path),
          fixes: text && range ? [{ title: `Use the pod's port ${target}`, preferred: true, edits: [replaceScalar(src.file, text, range, String(target))] }] : [],
        });
        break;
      }
    }
  }
}

/** A fix deleting one `except` entry (or the whole `except` key when it is the only one). */
export function removeExceptFix(text: string, source: SourceRef, peerPath: string, index: number, count: number): Fix | undefined {
  const lines = new TextLines(text);
  const listPath = `${peerPath}.ipBlock.except`;
  const list = source.at(listPath);
  const item = source.at(`${listPath}.${index}`);
  if (!list || !item) return undefined;
  const flow = lines.slice(list.value).trimStart().startsWith('[');
  if (flow) {
    const items = Array.from({ length: count }, (_, i) => source.at(`${listPath}.${i}`)).filter((x): x is NonNullable<typeof x> => !!x);
    const kept = items.filter((_, i) => i !== index).map((x) => lines.slice(x.value));
    return { title: `Remove except ${lines.slice(item.value)}`, preferred: true, edits: [{ file: source.file, range: list.value, newText: `[${kept.join(', ')}]` }] };
  }
  if (count === 1 && list.key) {
    const last = lines.lastContentLine(list.value);
    return { title: `Remove except ${lines.slice(item.value)}`, preferred: true, edits: [deleteLines(source.file, lines, list.key.start.line, last)] };
  }
  const itemLast = lines.lastContentLine(item.value);
  if (lines.line(item.value.start.line).slice(0, item.value.start.character).trim() !== '-') return undefined;
  return { title: `Remove except ${lines.slice(item.value)}`, preferred: true, edits: [deleteLines(source.file, lines, item.value.start.line, itemLast)] };
}

/** Runs every policy rule over the snapshot's valid, file-backed policies. */
export function lintPolicies(ctx: LintContext, options: LintOptions = DEFAULT_LINT_OPTIONS, only?: (p: NetworkPolicy) => boolean): LintFinding[] {
  const out: LintFinding[] = [];
  const nsLabels = namespaceLabelLookup(ctx.snapshot.namespaces);
  let current: NetworkPolicy | undefined;
  const env: RuleEnv = {
    ctx,
    options,
    nsLabels,
    lines: new Map(),
    report: (f) => {
      const configured = options.severities[f.code];
      if (configured === 'off') return;
      const severity = configured ?? f.severity ?? RULES[f.code]?.severity ?? 'warning';
      out.push({ ...f, severity, object: current ? `NetworkPolicy ${current.namespace}/${current.name}` : undefined } as LintFinding);
    },
  };
  const policies = ctx.snapshot.policies;
  for (const policy of policies) {
    if (policy.invalid || !policy.source || (only && !only(policy))) continue;
    current = policy;
    checkCidrs(env, policy);
    checkAndOr(env, policy);
    checkDns(env, policy, policies);
    checkPolicyTypes(env, policy);
    checkNamedPorts(env, policy);
    checkSelectors(env, policy);
    checkServicePorts(env, policy);
  }
  return out;
}


function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * Fixes for findings the loader reports (they carry a range, not a path): today, removing
 * an `except` entry outside its `cidr`. The policy is found by file and range.
 */
export function fixesForInputFinding(finding: Finding, policies: readonly NetworkPolicy[], text: (file: string) => string | undefined): Fix[] {
  if (finding.code !== 'except-outside-cidr') return [];
  const content = text(finding.file);
  if (content === undefined) return [];
  for (const policy of policies) {
    const src = policy.source;
    if (!src || src.file !== finding.file) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      const list = direction === 'ingress' ? 'from' : 'to';
      for (let i = 0; src.at(`spec.${direction}.${i}`); i++) {
        for (let j = 0; src.at(`spec.${direction}.${i}.${list}.${j}`); j++) {
          const peerPath = `spec.${direction}.${i}.${list}.${j}`;
          let count = 0;
          while (src.at(`${peerPath}.ipBlock.except.${count}`)) count++;
          for (let k = 0; k < count; k++) {
            if (sameRange(src.at(`${peerPath}.ipBlock.except.${k}`)!.value, finding.range)) {
              const fix = removeExceptFix(content, src, peerPath, k, count);
              return fix ? [fix] : [];
            }
          }
        }
      }
    }
  }
  return [];
}
