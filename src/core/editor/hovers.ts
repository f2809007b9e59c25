/**
 * Hover texts (Markdown) for the parts of a policy: a selector shows the pods it
 * matches, a CIDR its range, size and the known pods and nodes inside, a named port
 * its resolution pod by pod. The editor finds the path under the cursor.
 */
import { cidrBounds, cidrContainsIp, cidrSize, formatAddressCount, formatCidr, formatIp, parseIp } from '../cidr';
import { namespaceLabelLookup, podIps } from '../engine/semantics';
import type { ClusterSnapshot, NetworkPolicy, Pod, PolicyPeer, PolicyRule } from '../model';
import { podKey } from '../model';
import { formatSelector, selectorMatches } from '../selector';
import { peerPods, selectedPods } from './lenses';

const MAX_LISTED = 12;

function podLines(pods: readonly Pod[]): string[] {
  const lines = pods.slice(0, MAX_LISTED).map((p) => `- \`${podKey(p)}\`${p.ips.length ? ` ${p.ips.join(', ')}` : ''}`);
  if (pods.length > MAX_LISTED) lines.push(`- … and ${pods.length - MAX_LISTED} more`);
  return lines;
}

interface Located {
  readonly rule?: { direction: 'ingress' | 'egress'; index: number; rule: PolicyRule };
  readonly peer?: PolicyPeer;
}

function locate(policy: NetworkPolicy, path: string): Located {
  const m = /^spec\.(ingress|egress)\.(\d+)(?:\.(?:from|to)\.(\d+))?/.exec(path);
  if (!m) return {};
  const direction = m[1] as 'ingress' | 'egress';
  const index = Number(m[2]);
  const rule = (direction === 'ingress' ? policy.ingress : policy.egress)[index];
  if (!rule) return {};
  const peer = m[3] !== undefined ? rule.peers.find((p) => p.path === `spec.${direction}.${index}.${direction === 'ingress' ? 'from' : 'to'}.${m[3]}`) : undefined;
  return { rule: { direction, index, rule }, ...(peer ? { peer } : {}) };
}

/** Markdown for the element at `path` inside the policy, or undefined when there is nothing to say. */
export function hoverFor(policy: NetworkPolicy, path: string, snapshot: ClusterSnapshot, source: string): string | undefined {
  const nsLabels = namespaceLabelLookup(snapshot.namespaces);
  const pods = snapshot.pods;
  if (/^spec\.podSelector(\.|$)/.test(path)) {
    const sel = selectedPods(policy, pods);
    return [`**podSelector** \`${formatSelector(policy.podSelector)}\` in namespace \`${policy.namespace}\` selects ${sel.length} ${sel.length === 1 ? 'pod' : 'pods'} (${source}):`, ...podLines(sel)].join('\n');
  }
  const { rule, peer } = locate(policy, path);
  if (peer && /\.ipBlock\.(cidr|except\.\d+)$/.test(path)) {
    const exceptIndex = /\.except\.(\d+)$/.exec(path);
    const cidr = peer.type === 'ipBlock' ? (exceptIndex ? peer.except[Number(exceptIndex[1])] : peer.cidr) : undefined;
    if (!cidr) return undefined;
    const { first, last } = cidrBounds(cidr);
    const inside = pods.filter((p) => podIps(p).some((ip) => cidrContainsIp(cidr, ip)));
    const nodes = snapshot.nodes.filter((n) => n.addresses.some((a) => { const ip = parseIp(a); return ip !== undefined && cidrContainsIp(cidr, ip); }));
    const lines = [
      `**${cidr.text}**${cidr.hostBitsSet ? ` (read as **${formatCidr(cidr)}**: host bits are masked)` : ''}`,
      '',
      `${formatIp(first)} – ${formatIp(last)}: ${formatAddressCount(cidrSize(cidr))} addresses`,
      '',
      inside.length ? `Known pods inside (${source}):` : `No known pods inside (${source}).`,
      ...podLines(inside),
    ];
    if (nodes.length) lines.push('', `Nodes inside: ${nodes.map((n) => `\`${n.name}\``).join(', ')}`);
    return lines.join('\n');
  }
  if (peer && peer.type === 'selector' && /\.(podSelector|namespaceSelector)(\.|$)/.test(path)) {
    const matched = peerPods(peer, policy, pods, nsLabels);
    const nsPart = peer.namespaceSelector ? `namespaces \`${formatSelector(peer.namespaceSelector)}\`` : `namespace \`${policy.namespace}\` (no namespaceSelector: the policy's own)`;
    const podPart = peer.podSelector ? `pods \`${formatSelector(peer.podSelector)}\`` : 'all pods';
    const lines = [`**Peer**: ${podPart} in ${nsPart} matches ${matched.length} ${matched.length === 1 ? 'pod' : 'pods'} (${source}):`, ...podLines(matched)];
    if (peer.namespaceSelector) {
      const nss = snapshot.namespaces.filter((n) => selectorMatches(peer.namespaceSelector!, n.labels)).map((n) => `\`${n.name}\``);
      lines.push('', `Matching namespaces: ${nss.length ? nss.join(', ') : 'none known'}`);
    }
    return lines.join('\n');
  }
  const portMatch = /\.ports\.(\d+)\.port$/.exec(path);
  if (rule && portMatch) {
    const entry = rule.rule.ports[Number(portMatch[1])];
    if (!entry || typeof entry.port !== 'string') return undefined;
    const destinations = rule.direction === 'ingress'
      ? selectedPods(policy, pods)
      : rule.rule.peers.length === 0 ? pods : [...new Set(rule.rule.peers.flatMap((p) => peerPods(p, policy, pods, nsLabels)))];
    const lines = [`**Named port** \`${entry.port}\` (${entry.protocol}) resolves on each destination pod:`];
    for (const p of destinations.slice(0, MAX_LISTED)) {
      const cp = p.ports.find((c) => c.name === entry.port && c.protocol === entry.protocol);
      lines.push(`- \`${podKey(p)}\`: ${cp ? `${cp.containerPort}/${cp.protocol}` : 'not declared (admits nothing here)'}`);
    }
    if (destinations.length > MAX_LISTED) lines.push(`- … and ${destinations.length - MAX_LISTED} more`);
    if (destinations.length === 0) lines.push(`- no known destination pods (${source})`);
    return lines.join('\n');
  }
  return undefined;
}
