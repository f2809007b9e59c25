/**
 * Which part of a policy is under the cursor: the dotted path (relative to the policy, as
 * `SourceRef.at` takes it) of the deepest key or value whose range holds a position.
 *
 * The loader's source map is reached only through `SourceRef.at`, so the candidate paths
 * come from the policy model (every rule, peer, selector, ipBlock and port it holds). That
 * is a few dozen lookups for a typical policy, and the walk only descends into a path whose
 * own range holds the position.
 */
import type { LabelSelector, NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule, Position, Range, SourceRef } from '../model';

/** A candidate path and the deeper candidates inside it. */
export interface PathNode {
  readonly path: string;
  readonly children?: readonly PathNode[];
}

export interface PathHit {
  /** Dotted path relative to the object, e.g. `spec.ingress.1.from.0.ipBlock.cidr`. */
  readonly path: string;
  /** The key or value range that holds the position. */
  readonly range: Range;
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Inclusive at both ends, so a cursor just after the last character still counts. */
export function rangeContains(range: Range, pos: Position): boolean {
  return !before(pos, range.start) && !before(range.end, pos);
}

function leaf(path: string): PathNode {
  return { path };
}

function selectorNodes(path: string, sel: LabelSelector | undefined): PathNode {
  if (!sel) return leaf(path);
  const children: PathNode[] = [];
  const labels = Object.keys(sel.matchLabels);
  children.push({ path: `${path}.matchLabels`, children: labels.map((k) => leaf(`${path}.matchLabels.${k}`)) });
  children.push({
    path: `${path}.matchExpressions`,
    children: sel.matchExpressions.map((_, i) => ({
      path: `${path}.matchExpressions.${i}`,
      children: ['key', 'operator', 'values'].map((f) => leaf(`${path}.matchExpressions.${i}.${f}`)),
    })),
  });
  return { path, children };
}

function peerNode(peer: PolicyPeer): PathNode {
  if (peer.type === 'ipBlock') {
    const block = `${peer.path}.ipBlock`;
    return {
      path: peer.path,
      children: [{
        path: block,
        children: [
          leaf(`${block}.cidr`),
          { path: `${block}.except`, children: peer.except.map((_, i) => leaf(`${block}.except.${i}`)) },
        ],
      }],
    };
  }
  return {
    path: peer.path,
    children: [selectorNodes(`${peer.path}.podSelector`, peer.podSelector), selectorNodes(`${peer.path}.namespaceSelector`, peer.namespaceSelector)],
  };
}

function portNode(port: PolicyPort): PathNode {
  return { path: port.path, children: ['port', 'protocol', 'endPort'].map((f) => leaf(`${port.path}.${f}`)) };
}

function ruleNode(rule: PolicyRule, peersKey: 'from' | 'to'): PathNode {
  return {
    path: rule.path,
    children: [
      { path: `${rule.path}.${peersKey}`, children: rule.peers.map(peerNode) },
      { path: `${rule.path}.ports`, children: rule.ports.map(portNode) },
    ],
  };
}

/**
 * The candidate paths of a policy, as a tree: metadata, the pod selector, policyTypes,
 * and each rule with its peers (selectors down to each label, ipBlocks down to each except
 * entry) and its ports.
 */
export function policyPathTree(policy: NetworkPolicy): PathNode {
  return {
    path: '',
    children: [
      { path: 'metadata', children: [leaf('metadata.name'), leaf('metadata.namespace')] },
      {
        path: 'spec',
        children: [
          selectorNodes('spec.podSelector', policy.podSelector),
          leaf('spec.policyTypes'),
          { path: 'spec.ingress', children: policy.ingress.map((r) => ruleNode(r, 'from')) },
          { path: 'spec.egress', children: policy.egress.map((r) => ruleNode(r, 'to')) },
        ],
      },
    ],
  };
}

function hitOf(source: SourceRef, path: string, pos: Position): PathHit | undefined {
  const at = source.at(path);
  if (!at) return undefined;
  if (at.key && rangeContains(at.key, pos)) return { path, range: at.key };
  if (rangeContains(at.value, pos)) return { path, range: at.value };
  return undefined;
}

/**
 * The deepest candidate whose key or value range holds `pos`, or undefined when the
 * position is outside the object. Children are only looked at inside a parent that holds
 * the position; a position between a key and its value (`cidr: |10.0.0.0/8`) belongs to
 * the parent.
 */
export function pathAt(source: SourceRef, pos: Position, tree: PathNode): PathHit | undefined {
  if (!rangeContains(source.range, pos)) return undefined;
  let best: PathHit | undefined = tree.path === '' ? { path: '', range: source.range } : hitOf(source, tree.path, pos);
  if (!best) return undefined;
  let level = tree.children ?? [];
  for (;;) {
    let next: PathNode | undefined;
    for (const node of level) {
      const hit = hitOf(source, node.path, pos);
      if (hit) {
        best = hit;
        next = node;
        break;
      }
    }
    if (!next?.children?.length) return best;
    level = next.children;
  }
}

/** The path under `pos` inside a policy (see {@link pathAt}). */
export function policyPathAt(policy: NetworkPolicy, pos: Position): PathHit | undefined {
  return policy.source ? pathAt(policy.source, pos, policyPathTree(policy)) : undefined;
}
