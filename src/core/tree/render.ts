/**
 * How each node of the cluster tree looks: label, description, Markdown tooltip, icon,
 * context value (for menus), collapsible state, click command and badge. Plain data; the
 * extension turns it into a TreeItem.
 */
import { describePeer } from '../engine/explain';
import type { NetworkPolicy, Pod, Service } from '../model';
import { formatSelector } from '../selector';
import { PAGE_SIZE, type ClusterTreeModel, type TreeNode } from './cluster-tree';
import { TREE_COMMANDS, resourceHidden } from './messages';

/** Icons shipped in media/icons/{light,dark}/<name>.svg. */
export type IconFile =
  | 'context'
  | 'namespace'
  | 'pod'
  | 'pod-isolated-ingress'
  | 'pod-isolated-egress'
  | 'pod-isolated'
  | 'policy'
  | 'service'
  | 'warning';

export type TreeIcon = { readonly file: IconFile } | { readonly codicon: string; readonly color?: string };

export interface ItemView {
  readonly label: string;
  readonly description?: string;
  /** Markdown. */
  readonly tooltip?: string;
  readonly icon?: TreeIcon;
  /** For `view/item/context` menus: `pod`, `pod hasIp`, `policy`, `message retryable`, ... */
  readonly contextValue: string;
  readonly collapsible: 'none' | 'collapsed' | 'expanded';
  readonly command?: { readonly command: string; readonly title: string; readonly args?: readonly unknown[] };
  /** A badge of at most two characters, shown by a FileDecoration. */
  readonly badge?: { readonly text: string; readonly tooltip: string };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Escapes text for Markdown (names and messages are shown as written). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function policyNames(policies: readonly NetworkPolicy[]): string {
  return policies.map((p) => code(p.name)).join(', ');
}

/** The isolation badge of a pod: text for the description, icon, decoration. */
export function podIsolation(model: ClusterTreeModel, pod: Pod): { text: string; icon: IconFile; badge?: { text: string; tooltip: string } } {
  if (pod.hostNetwork) return { text: 'host network: not isolated', icon: 'pod' };
  const iso = model.isolation(pod);
  const ingress = iso.ingress.length > 0;
  const egress = iso.egress.length > 0;
  if (ingress && egress) return { text: 'isolated ingress+egress', icon: 'pod-isolated', badge: { text: 'IE', tooltip: 'Isolated for ingress and egress' } };
  if (ingress) return { text: 'isolated ingress', icon: 'pod-isolated-ingress', badge: { text: 'I', tooltip: 'Isolated for ingress' } };
  if (egress) return { text: 'isolated egress', icon: 'pod-isolated-egress', badge: { text: 'E', tooltip: 'Isolated for egress' } };
  return { text: 'no policy selects this pod', icon: 'pod' };
}

function podTooltip(model: ClusterTreeModel, pod: Pod): string {
  const iso = model.isolation(pod);
  const lines = [`**Pod** ${code(`${pod.namespace}/${pod.name}`)}`, ''];
  const facts = [`phase ${pod.phase ?? 'unknown'}`, pod.ips.length ? `IP ${pod.ips.join(', ')}` : 'no IP yet'];
  if (pod.nodeName) facts.push(`node ${code(pod.nodeName)}`);
  if (pod.hostNetwork) facts.push('host network');
  lines.push(facts.join(' · '), '');
  const labels = Object.entries(pod.labels);
  if (labels.length) lines.push('Labels:', '', ...labels.map(([k, v]) => `- ${code(`${k}=${v}`)}`), '');
  else lines.push('No labels.', '');
  if (pod.hostNetwork) lines.push('Uses the host network: NetworkPolicies do not isolate it.');
  else {
    lines.push(iso.ingress.length ? `**Ingress** isolated by ${policyNames(iso.ingress)}: only what their rules allow gets in.` : '**Ingress** not isolated: no policy with Ingress selects it.');
    lines.push('');
    lines.push(iso.egress.length ? `**Egress** isolated by ${policyNames(iso.egress)}: only what their rules allow goes out.` : '**Egress** not isolated: no policy with Egress selects it.');
  }
  return lines.join('\n');
}

function podItem(model: ClusterTreeModel, node: Extract<TreeNode, { kind: 'pod' }>): ItemView {
  const pod = model.pod(node.namespace, node.name);
  if (!pod) return { label: node.name, description: 'gone', contextValue: 'gone', collapsible: 'none' };
  const iso = podIsolation(model, pod);
  const parts = [pod.phase ?? 'Unknown', pod.ips[0] ?? 'no IP'];
  if (node.ref) parts.unshift(pod.namespace);
  parts.push(iso.text);
  return {
    label: pod.name,
    description: parts.join(' · '),
    tooltip: podTooltip(model, pod),
    icon: { file: iso.icon },
    contextValue: pod.ips.length ? 'pod hasIp' : 'pod',
    collapsible: 'none',
    ...(iso.badge ? { badge: iso.badge } : {}),
  };
}

function policyItem(model: ClusterTreeModel, node: Extract<TreeNode, { kind: 'policy' }>): ItemView {
  const policy = model.policy(node.namespace, node.name);
  if (!policy) return { label: node.name, description: 'gone', contextValue: 'gone', collapsible: 'none' };
  const selected = model.selectedCount(policy);
  const types = policy.policyTypes.map((t) => t.toLowerCase()).join('+');
  const description = policy.invalid?.length ? `invalid · ${types}` : `${types} · selects ${plural(selected, 'pod')}`;
  const tooltip = [
    `**NetworkPolicy** ${code(`${policy.namespace}/${policy.name}`)}`,
    '',
    `podSelector ${code(formatSelector(policy.podSelector))} selects ${plural(selected, 'pod')}`,
    '',
    `Isolates ${policy.policyTypes.map((t) => t.toLowerCase()).join(' and ') || 'nothing'} · ${plural(policy.ingress.length, 'ingress rule')} · ${plural(policy.egress.length, 'egress rule')}`,
    ...(policy.invalid?.length ? ['', `**Invalid**: ${md(policy.invalid.join('; '))}`] : []),
  ].join('\n');
  return {
    label: policy.name,
    description,
    tooltip,
    icon: { file: policy.invalid?.length ? 'warning' : 'policy' },
    contextValue: 'policy',
    collapsible: 'collapsed',
  };
}

function serviceItem(model: ClusterTreeModel, node: Extract<TreeNode, { kind: 'service' }>): ItemView {
  const s: Service | undefined = model.service(node.namespace, node.name);
  if (!s) return { label: node.name, description: 'gone', contextValue: 'gone', collapsible: 'none' };
  const ports = s.ports.map((p) => `${p.port}${String(p.targetPort) !== String(p.port) ? `→${p.targetPort}` : ''}/${p.protocol}`).join(', ');
  const ip = s.clusterIPs[0];
  const count = s.selector ? model.servicePodCount(s) : undefined;
  const description = [s.type ?? 'ClusterIP', ip, ports, count === undefined ? 'no selector' : plural(count, 'pod')].filter(Boolean).join(' · ');
  const tooltip = [
    `**Service** ${code(`${s.namespace}/${s.name}`)}`,
    '',
    `${s.type ?? 'ClusterIP'}${s.clusterIPs.length ? ` ${s.clusterIPs.join(', ')}` : ''}`,
    '',
    s.selector ? `Selector ${code(Object.entries(s.selector).map(([k, v]) => `${k}=${v}`).join(','))}: ${plural(count ?? 0, 'pod')}` : 'No selector: its endpoints are managed by hand.',
    ...(ports ? ['', `Ports ${code(ports)}. NetworkPolicies see the pods' target ports, not the Service port.`] : []),
  ].join('\n');
  return { label: s.name, description, tooltip, icon: { file: 'service' }, contextValue: 'service', collapsible: s.selector && count ? 'collapsed' : 'none' };
}

/** The item for one node. */
export function itemOf(model: ClusterTreeModel, node: TreeNode): ItemView {
  switch (node.kind) {
    case 'context': {
      const info = model.context(node.context);
      const active = node.context === model.activeContext;
      const phase = model.status.phase;
      const description = active ? (phase === 'connecting' ? 'connecting…' : phase === 'failed' ? 'not connected' : 'connected') : undefined;
      const tooltip = [
        `**Context** ${code(node.context)}`,
        '',
        ...(info?.cluster ? [`Cluster ${code(info.cluster)}${info.server ? ` at ${code(info.server)}` : ''}`, ''] : []),
        ...(info?.user ? [`User ${code(info.user)}`, ''] : []),
        ...(info?.namespace ? [`Default namespace ${code(info.namespace)}`] : []),
      ].join('\n');
      return {
        label: node.context,
        ...(description ? { description } : {}),
        tooltip,
        icon: { file: 'context' },
        contextValue: active ? 'context active' : 'context inactive',
        collapsible: active ? 'expanded' : 'collapsed',
      };
    }
    case 'namespace': {
      const ns = model.namespace(node.namespace);
      const labels = Object.entries(ns?.labels ?? {});
      const tooltip = [`**Namespace** ${code(node.namespace)}`, '', ...(labels.length ? ['Labels:', '', ...labels.map(([k, v]) => `- ${code(`${k}=${v}`)}`)] : [])].join('\n');
      return {
        label: node.namespace,
        ...(ns?.inferred || !ns ? { description: 'namespace object not readable' } : {}),
        tooltip,
        icon: { file: 'namespace' },
        contextValue: 'namespace',
        collapsible: 'collapsed',
      };
    }
    case 'folder': {
      const counts = model.counts(node.namespace);
      const resource = node.folder === 'policies' ? 'networkpolicies' : node.folder;
      const hidden = resourceHidden(model.status, resource, node.namespace);
      let description: string;
      let n: number;
      if (node.folder === 'pods') {
        n = counts.visiblePods;
        description = counts.groups !== undefined ? `${counts.visiblePods.toLocaleString('en-US')} in ${plural(counts.groups, 'group')}` : counts.visiblePods.toLocaleString('en-US');
        if (model.filter.labels && counts.visiblePods !== counts.pods) description += ` of ${counts.pods.toLocaleString('en-US')}`;
      } else {
        n = node.folder === 'policies' ? counts.policies : counts.services;
        description = n.toLocaleString('en-US');
      }
      if (hidden) description = 'not readable (RBAC)';
      const label = node.folder === 'pods' ? 'Pods' : node.folder === 'policies' ? 'NetworkPolicies' : 'Services';
      const icon: IconFile = node.folder === 'pods' ? 'pod' : node.folder === 'policies' ? 'policy' : 'service';
      return { label, description, icon: { file: icon }, contextValue: `folder ${node.folder}`, collapsible: n > 0 ? 'collapsed' : 'none' };
    }
    case 'group':
      return {
        label: node.group,
        description: plural(model.groupSize(node.namespace, node.group), 'pod'),
        tooltip: node.group.startsWith('owner ') ? 'Pods whose names share this owner (no app label)' : node.group === 'other' ? 'Pods with neither an app label nor an owner-style name' : `Pods labelled ${code(node.group)}`,
        icon: { codicon: 'layers' },
        contextValue: 'group',
        collapsible: 'collapsed',
      };
    case 'pod':
      return podItem(model, node);
    case 'policy':
      return policyItem(model, node);
    case 'service':
      return serviceItem(model, node);
    case 'selection': {
      const policy = model.policy(node.namespace, node.policy);
      const count = model.policyAnalysis(node)?.selected.length ?? 0;
      return {
        label: `Selects ${plural(count, 'pod')}`,
        description: policy ? `podSelector ${formatSelector(policy.podSelector)}` : '',
        tooltip: policy ? `Pods of namespace ${code(policy.namespace)} whose labels match ${code(formatSelector(policy.podSelector))}; the policy isolates them for ${policy.policyTypes.map((t) => t.toLowerCase()).join(' and ')}.` : undefined,
        icon: { codicon: 'target' },
        contextValue: 'selection',
        collapsible: count > 0 ? 'collapsed' : 'none',
      };
    }
    case 'rule': {
      const r = model.policyAnalysis(node)?.rules.get(`${node.direction}:${node.index}`);
      const direction = node.direction === 'ingress' ? 'Ingress' : 'Egress';
      return {
        label: `${direction} rule ${node.index + 1}`,
        ...(r ? { description: r.lens.title } : {}),
        tooltip: r ? `${direction} rule ${node.index + 1}: ${md(r.lens.title)}` : undefined,
        icon: { codicon: node.direction === 'ingress' ? 'arrow-down' : 'arrow-up' },
        contextValue: 'rule',
        collapsible: 'collapsed',
      };
    }
    case 'peer': {
      const peer = model.peerOf(node);
      const rule = model.policyAnalysis(node)?.rules.get(`${node.direction}:${node.rule}`);
      const lens = rule?.peers[node.index];
      const count = model.listTotal(node);
      const description = lens ? lens.title : count ? plural(count, peer?.type === 'ipBlock' ? 'known pod inside' : 'pod', peer?.type === 'ipBlock' ? 'known pods inside' : 'pods') : 'no known pods';
      return {
        label: peer ? describePeer(peer, node.namespace) : `peer ${node.index + 1}`,
        description,
        tooltip: peer ? `${node.direction === 'ingress' ? 'From' : 'To'} ${md(describePeer(peer, node.namespace))}: ${md(description)}` : undefined,
        icon: { codicon: peer?.type === 'ipBlock' ? 'globe' : 'symbol-field' },
        contextValue: 'peer',
        collapsible: count > 0 ? 'collapsed' : 'none',
      };
    }
    case 'note':
      return { label: node.label, ...(node.description ? { description: node.description } : {}), ...(node.tooltip ? { tooltip: node.tooltip } : {}), icon: { codicon: node.icon }, contextValue: 'note', collapsible: 'none' };
    case 'more': {
      const total = model.listTotal(node.list);
      const shown = model.shown(node.list);
      const next = Math.min(PAGE_SIZE, total - shown);
      return {
        label: `Show ${next.toLocaleString('en-US')} more`,
        description: `${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} shown`,
        icon: { codicon: 'ellipsis' },
        contextValue: 'more',
        collapsible: 'none',
        command: { command: TREE_COMMANDS.showMore, title: 'Show More', args: [node.id] },
      };
    }
    case 'message': {
      const m = node.message;
      const icon: TreeIcon =
        m.kind === 'loading'
          ? { codicon: 'loading~spin' }
          : m.severity === 'error'
            ? { codicon: 'error', color: 'problemsErrorIcon.foreground' }
            : m.severity === 'warning'
              ? { file: 'warning' }
              : { codicon: 'info', color: 'problemsInfoIcon.foreground' };
      const first = m.actions[0];
      return {
        label: m.label,
        tooltip: md(m.detail),
        icon,
        contextValue: `message ${m.kind}${m.actions.some((a) => a.command === TREE_COMMANDS.retry) ? ' retryable' : ''}`,
        collapsible: m.actions.length ? 'expanded' : 'none',
        ...(first ? { command: { command: first.command, title: first.title, ...(first.args ? { args: first.args } : {}) } } : {}),
      };
    }
    case 'action':
      return {
        label: node.action.title,
        icon: { codicon: node.action.icon },
        contextValue: 'action',
        collapsible: 'none',
        command: { command: node.action.command, title: node.action.title, ...(node.action.args ? { args: node.action.args } : {}) },
      };
  }
}
