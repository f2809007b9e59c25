/**
 * Addresses outside the cluster in the matrix: every ipBlock written in a valid policy
 * becomes a node (ingress peers as source rows, egress peers as destination columns).
 *
 * A block is a range of addresses, and policies can treat parts of it differently
 * (another policy's smaller block, an `except`). So each block is cut into atoms at
 * every boundary of every ipBlock in the snapshots compared; all addresses of an atom
 * get the same verdict from every rule, so one representative address per atom decides
 * it, and a cell is "allowed", "denied" or "some" over the block's atoms.
 */
import { cidrBounds, formatCidr, formatIp, type IpAddress } from '../cidr';
import type { Cidr, ClusterSnapshot, NetworkPolicy, Pod, PolicyRule, Protocol } from '../model';
import { podKey } from '../model';
import { jsonLocation } from '../report/verdict-format';
import { ruleAdmitsPort } from '../engine/semantics';
import type { ReachIndex } from '../engine/reach-index';
import { CIDR_PREFIX, type Location, type PortSpec } from './types';

export type Direction = 'ingress' | 'egress';

export interface IpBlockNode {
  /** `cidr:10.0.0.0/8` or `cidr:10.0.0.0/8 except 10.1.0.0/16,10.2.0.0/16`. */
  readonly id: string;
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
  /** `10.0.0.0/8`. */
  readonly label: string;
  /** `except 10.1.0.0/16`, or `''`. */
  readonly detail: string;
  readonly location?: Location;
  /** For egress blocks: the numeric ports of the rules naming the block (range starts). */
  readonly ports: readonly PortSpec[];
  /** For egress blocks: some rule naming the block admits every port (of a protocol or all). */
  readonly anyPort: boolean;
}

/** A range of addresses that every ipBlock either contains whole or not at all. */
export interface Atom {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

function blockId(cidr: Cidr, except: readonly Cidr[]): string {
  const ex = except.map(formatCidr).sort();
  return `${CIDR_PREFIX}${formatCidr(cidr)}${ex.length ? ` except ${ex.join(',')}` : ''}`;
}

function compareCidr(a: Cidr, b: Cidr): number {
  return a.family - b.family || (a.network < b.network ? -1 : a.network > b.network ? 1 : 0) || a.prefix - b.prefix;
}

function rulesOf(p: NetworkPolicy, direction: Direction): readonly PolicyRule[] {
  return direction === 'ingress' ? p.ingress : p.egress;
}

function appliesTo(p: NetworkPolicy, direction: Direction): boolean {
  return !p.invalid && p.policyTypes.includes(direction === 'ingress' ? 'Ingress' : 'Egress');
}

/** The ipBlocks of valid policies in one direction, deduplicated, in address order. */
export function ipBlockNodes(snapshot: ClusterSnapshot, direction: Direction): IpBlockNode[] {
  const byId = new Map<string, { cidr: Cidr; except: readonly Cidr[]; location?: Location; ports: Map<string, PortSpec>; anyPort: boolean }>();
  for (const policy of snapshot.policies) {
    if (!appliesTo(policy, direction)) continue;
    for (const rule of rulesOf(policy, direction)) {
      for (const peer of rule.peers) {
        if (peer.type !== 'ipBlock') continue;
        const id = blockId(peer.cidr, peer.except);
        let node = byId.get(id);
        if (!node) {
          const location = jsonLocation(policy.source, peer.path);
          node = { cidr: peer.cidr, except: peer.except, ...(location ? { location } : {}), ports: new Map(), anyPort: false };
          byId.set(id, node);
        }
        if (rule.ports.length === 0) node.anyPort = true;
        for (const e of rule.ports) {
          if (e.port === undefined) node.anyPort = true;
          else if (typeof e.port === 'number') node.ports.set(`${e.port}/${e.protocol}`, { port: e.port, protocol: e.protocol });
        }
      }
    }
  }
  return [...byId.entries()]
    .sort(([ia, a], [ib, b]) => compareCidr(a.cidr, b.cidr) || ia.localeCompare(ib))
    .map(([id, n]) => ({
      id,
      cidr: n.cidr,
      except: n.except,
      label: formatCidr(n.cidr),
      detail: n.except.length ? `except ${n.except.map(formatCidr).join(', ')}` : '',
      ...(n.location ? { location: n.location } : {}),
      ports: [...n.ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
      anyPort: n.anyPort,
    }));
}

/** Every ipBlock range (cidrs and excepts) of valid policies, both directions. */
export function ipBlockRanges(snapshot: ClusterSnapshot): Cidr[] {
  const out: Cidr[] = [];
  for (const p of snapshot.policies) {
    if (p.invalid) continue;
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const peer of rule.peers) if (peer.type === 'ipBlock') out.push(peer.cidr, ...peer.except);
    }
  }
  return out;
}

function range(c: Cidr): [bigint, bigint] {
  const { first, last } = cidrBounds(c);
  return [first.value, last.value];
}

/**
 * Cuts each node's block into atoms at the boundaries of `ranges` (every ipBlock of the
 * snapshots being evaluated), dropping the parts inside the node's own `except`s.
 */
export function atomsOf(nodes: readonly IpBlockNode[], ranges: readonly Cidr[]): Atom[][] {
  const cuts: Record<4 | 6, bigint[]> = { 4: [], 6: [] };
  for (const c of ranges) {
    const [lo, hi] = range(c);
    cuts[c.family].push(lo, hi + 1n);
  }
  for (const f of [4, 6] as const) cuts[f] = [...new Set(cuts[f])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return nodes.map((node) => {
    const [lo, hi] = range(node.cidr);
    const points = cuts[node.cidr.family].filter((p) => p > lo && p <= hi);
    const atoms: Atom[] = [];
    let start = lo;
    for (const p of [...points, hi + 1n]) {
      if (p > start) {
        const inExcept = node.except.some((e) => e.family === node.cidr.family && start >= range(e)[0] && start <= range(e)[1]);
        if (!inExcept) atoms.push({ family: node.cidr.family, first: start, last: p - 1n });
        start = p;
      }
    }
    return atoms;
  });
}

export function atomAddress(a: Atom): IpAddress {
  return { family: a.family, value: a.first };
}

export function atomText(a: Atom): string {
  const first = formatIp({ family: a.family, value: a.first });
  return a.first === a.last ? first : `${first}–${formatIp({ family: a.family, value: a.last })}`;
}

function inBlock(value: bigint, family: 4 | 6, cidr: Cidr, except: readonly Cidr[]): boolean {
  const inside = (c: Cidr): boolean => {
    if (c.family !== family) return false;
    const [lo, hi] = range(c);
    return value >= lo && value <= hi;
  };
  return inside(cidr) && !except.some(inside);
}

/**
 * Which atoms a pod's policies let through, per port: for `ingress`, the atoms (as
 * sources) the pod admits; for `egress`, the atoms (as destinations) the pod may reach.
 * Built from the same rule predicates as the engine (semantics.ts), over the policies
 * the {@link ReachIndex} says isolate the pod.
 */
export class ExternalEvaluator {
  private readonly ruleMasks = new Map<PolicyRule, Uint8Array>();
  private readonly byName = new Map<string, NetworkPolicy>();
  private readonly open: Uint8Array;

  constructor(
    snapshot: ClusterSnapshot,
    private readonly index: ReachIndex,
    private readonly atoms: readonly Atom[],
    private readonly direction: Direction,
  ) {
    this.open = new Uint8Array(atoms.length).fill(1);
    for (const p of snapshot.policies) {
      if (!appliesTo(p, direction)) continue;
      this.byName.set(podKey(p), p);
      for (const rule of rulesOf(p, direction)) {
        const mask = new Uint8Array(atoms.length);
        atoms.forEach((a, i) => {
          mask[i] = rule.peers.length === 0 || rule.peers.some((peer) => peer.type === 'ipBlock' && inBlock(a.first, a.family, peer.cidr, peer.except)) ? 1 : 0;
        });
        this.ruleMasks.set(rule, mask);
      }
    }
  }

  /** 1 per atom the pod (by index in the ReachIndex) lets through on the port. Do not modify the result. */
  admitted(pod: number, port: number, protocol: Protocol): Uint8Array {
    const dir = this.direction === 'ingress' ? 'Ingress' : 'Egress';
    const names = this.index.policiesIsolating(pod, dir);
    if (names.length === 0) return this.open;
    const destination: Pod | undefined = this.direction === 'ingress' ? this.index.pods[pod] : undefined;
    const out = new Uint8Array(this.atoms.length);
    for (const name of names) {
      const policy = this.byName.get(name);
      if (!policy) continue;
      for (const rule of rulesOf(policy, this.direction)) {
        if (!ruleAdmitsPort(rule, port, protocol, destination)) continue;
        const mask = this.ruleMasks.get(rule)!;
        for (let i = 0; i < mask.length; i++) out[i]! |= mask[i]!;
      }
    }
    return out;
  }
}
