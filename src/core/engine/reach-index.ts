/**
 * The fast engine: index a snapshot once, then answer single queries in
 * microseconds and compute the all-pairs matrix for a port with set algebra over
 * pod bitsets, never a policy × pair loop.
 *
 * Matrix for one port and protocol (n pods, W = n/32 words):
 * - each rule's peers become a bitset of pods (selectors via a label index,
 *   ipBlocks via a sorted address array), and its ports a bitset of destinations
 *   it admits (all, none, or those declaring a matching named port);
 * - egress: a source's row is the union of (peers ∧ admitted destinations) over the
 *   rules of the policies isolating it; pods with the same isolating policies share it;
 * - ingress: a destination's column is the union of the peers of the rules admitting
 *   it; columns are built per equivalence class, then the column matrix is transposed
 *   with 32×32 block swaps;
 * - the result row is egress row ∧ transposed ingress row.
 */
import { parseIp, type IpAddress } from '../cidr';
import type { ClusterSnapshot, Cidr, LabelSelector, NetworkPolicy, Pod, PolicyPeer, PolicyRule, Protocol } from '../model';
import { podKey } from '../model';
import { selectorMatches } from '../selector';
import { BitMatrix, andInto, andNotInto, fullBitset, hasBit, newBitset, orInto, setBit, type Bitset } from './bitset';
import { namespaceLabelLookup, portEntryMatches, ruleAdmitsPort } from './semantics';

interface CompiledRule {
  readonly rule: PolicyRule;
  /** Pods matched by any peer (every pod when the rule has no peers). */
  readonly peers: Bitset;
  /** ipBlock peers, for addresses outside the cluster; `undefined` when the rule admits all. */
  readonly ipBlocks?: readonly { readonly cidr: Cidr; readonly except: readonly Cidr[] }[];
}

interface CompiledPolicy {
  readonly policy: NetworkPolicy;
  readonly ingress: readonly CompiledRule[];
  readonly egress: readonly CompiledRule[];
}

export interface MatrixResult {
  /** Pods in row/column order. */
  readonly pods: readonly Pod[];
  readonly port: number;
  readonly protocol: Protocol;
  /** matrix.get(from, to): whether `from` may open a connection to `to`. The diagonal is true. */
  readonly matrix: BitMatrix;
}

function cidrToRange(c: Cidr): [number, number] {
  const size = 2 ** (32 - c.prefix);
  const start = Number(c.network);
  return [start, start + size - 1];
}

export class ReachIndex {
  readonly pods: readonly Pod[];
  private readonly byKey = new Map<string, number>();
  private readonly byIp = new Map<string, number>();
  private readonly n: number;
  private readonly all: Bitset;
  private readonly policies: CompiledPolicy[] = [];
  /** Per pod: indices into `policies` isolating it. */
  private readonly ingressOf: number[][];
  private readonly egressOf: number[][];

  // Index structures used while compiling.
  private readonly nsPods = new Map<string, Bitset>();
  private readonly labelValue = new Map<string, Map<string, Bitset>>();
  private readonly labelKey = new Map<string, Bitset>();
  private readonly selectable: Bitset;
  private readonly v4Sorted: { value: number; pod: number }[] = [];
  private readonly v6: { ip: IpAddress; pod: number }[] = [];
  private readonly selectorCache = new Map<string, Bitset>();
  private readonly namedPortCache = new Map<string, Bitset>();

  constructor(snapshot: ClusterSnapshot) {
    this.pods = snapshot.pods;
    this.n = this.pods.length;
    this.all = fullBitset(this.n);
    this.selectable = newBitset(this.n);
    this.ingressOf = Array.from({ length: this.n }, () => []);
    this.egressOf = Array.from({ length: this.n }, () => []);
    this.indexPods();
    const nsLabels = namespaceLabelLookup(snapshot.namespaces);
    const namespaces = new Set([...snapshot.namespaces.map((n) => n.name), ...this.nsPods.keys()]);
    for (const policy of snapshot.policies) {
      if (policy.invalid) continue;
      const compile = (rules: readonly PolicyRule[]): CompiledRule[] => rules.map((r) => this.compileRule(r, policy.namespace, namespaces, nsLabels));
      const pi = this.policies.length;
      this.policies.push({ policy, ingress: compile(policy.ingress), egress: compile(policy.egress) });
      const selected = this.selectorBits(policy.podSelector, policy.namespace);
      const ingress = policy.policyTypes.includes('Ingress');
      const egress = policy.policyTypes.includes('Egress');
      for (let w = 0; w < selected.length; w++) {
        let x = selected[w]! & this.selectable[w]!;
        while (x !== 0) {
          const low = x & -x;
          const i = (w << 5) + 31 - Math.clz32(low);
          if (ingress) this.ingressOf[i]!.push(pi);
          if (egress) this.egressOf[i]!.push(pi);
          x ^= low;
        }
      }
    }
    this.selectorCache.clear();
  }

  private indexPods(): void {
    this.pods.forEach((pod, i) => {
      this.byKey.set(podKey(pod), i);
      let ns = this.nsPods.get(pod.namespace);
      if (!ns) this.nsPods.set(pod.namespace, (ns = newBitset(this.n)));
      setBit(ns, i);
      if (!pod.hostNetwork) setBit(this.selectable, i);
      for (const k in pod.labels) {
        let byValue = this.labelValue.get(k);
        if (!byValue) this.labelValue.set(k, (byValue = new Map()));
        let bits = byValue.get(pod.labels[k]!);
        if (!bits) byValue.set(pod.labels[k]!, (bits = newBitset(this.n)));
        setBit(bits, i);
        let keyBits = this.labelKey.get(k);
        if (!keyBits) this.labelKey.set(k, (keyBits = newBitset(this.n)));
        setBit(keyBits, i);
      }
      for (const text of pod.ips) {
        const ip = parseIp(text);
        if (!ip) continue;
        if (!this.byIp.has(text)) this.byIp.set(text, i);
        if (ip.family === 4) this.v4Sorted.push({ value: Number(ip.value), pod: i });
        else this.v6.push({ ip, pod: i });
      }
    });
    this.v4Sorted.sort((a, b) => a.value - b.value);
  }

  /** Pods matched by a pod selector, within one namespace (or all pods when `namespace` is undefined). */
  private selectorBits(sel: LabelSelector, namespace: string | undefined): Bitset {
    const cacheKey = `${namespace ?? '*'}\u0000${JSON.stringify(sel)}`;
    const cached = this.selectorCache.get(cacheKey);
    if (cached) return cached;
    const empty = newBitset(this.n);
    const out = namespace === undefined ? this.all.slice() : (this.nsPods.get(namespace) ?? empty).slice();
    for (const k in sel.matchLabels) andInto(out, this.labelValue.get(k)?.get(sel.matchLabels[k]!) ?? empty);
    for (const req of sel.matchExpressions) {
      const keyBits = this.labelKey.get(req.key) ?? empty;
      const valuesBits = (): Bitset => {
        const v = newBitset(this.n);
        for (const value of req.values) {
          const b = this.labelValue.get(req.key)?.get(value);
          if (b) orInto(v, b);
        }
        return v;
      };
      if (req.operator === 'In') andInto(out, valuesBits());
      else if (req.operator === 'NotIn') andNotInto(out, valuesBits());
      else if (req.operator === 'Exists') andInto(out, keyBits);
      else andNotInto(out, keyBits);
    }
    this.selectorCache.set(cacheKey, out);
    return out;
  }

  private ipBlockBits(cidr: Cidr, except: readonly Cidr[]): Bitset {
    const out = newBitset(this.n);
    if (cidr.family === 4) {
      const [lo, hi] = cidrToRange(cidr);
      const excluded = except.filter((e) => e.family === 4).map(cidrToRange);
      let i = lowerBound(this.v4Sorted, lo);
      for (; i < this.v4Sorted.length && this.v4Sorted[i]!.value <= hi; i++) {
        const { value, pod } = this.v4Sorted[i]!;
        if (!excluded.some(([a, b]) => value >= a && value <= b)) setBit(out, pod);
      }
    } else {
      for (const { ip, pod } of this.v6) {
        const inside = (c: Cidr): boolean => c.family === 6 && ip.value >> BigInt(128 - c.prefix) === c.network >> BigInt(128 - c.prefix);
        if (inside(cidr) && !except.some(inside)) setBit(out, pod);
      }
    }
    return out;
  }

  private compileRule(rule: PolicyRule, policyNamespace: string, namespaces: Set<string>, nsLabels: (ns: string) => Record<string, string>): CompiledRule {
    if (rule.peers.length === 0) return { rule, peers: this.all };
    const peers = newBitset(this.n);
    const ipBlocks: { cidr: Cidr; except: readonly Cidr[] }[] = [];
    for (const peer of rule.peers) orInto(peers, this.peerBits(peer, policyNamespace, namespaces, nsLabels, ipBlocks));
    return { rule, peers, ipBlocks };
  }

  private peerBits(
    peer: PolicyPeer,
    policyNamespace: string,
    namespaces: Set<string>,
    nsLabels: (ns: string) => Record<string, string>,
    ipBlocks: { cidr: Cidr; except: readonly Cidr[] }[],
  ): Bitset {
    if (peer.type === 'ipBlock') {
      ipBlocks.push({ cidr: peer.cidr, except: peer.except });
      return this.ipBlockBits(peer.cidr, peer.except);
    }
    let bits: Bitset;
    if (peer.namespaceSelector) {
      const nsBits = newBitset(this.n);
      for (const ns of namespaces) {
        const pods = this.nsPods.get(ns);
        if (pods && selectorMatches(peer.namespaceSelector, nsLabels(ns))) orInto(nsBits, pods);
      }
      bits = nsBits;
      if (peer.podSelector) andInto(bits, this.selectorBits(peer.podSelector, undefined));
    } else {
      bits = (peer.podSelector ? this.selectorBits(peer.podSelector, policyNamespace) : (this.nsPods.get(policyNamespace) ?? newBitset(this.n))).slice();
    }
    andInto(bits, this.selectable);
    return bits;
  }

  /** Index of a pod by `namespace/name`, or by one of its IPs. */
  indexOf(keyOrIp: string): number | undefined {
    return this.byKey.get(keyOrIp) ?? this.byIp.get(keyOrIp);
  }

  isIsolated(pod: number, direction: 'Ingress' | 'Egress'): boolean {
    return (direction === 'Ingress' ? this.ingressOf : this.egressOf)[pod]!.length > 0;
  }

  /** Policies (namespace/name) isolating a pod for a direction. */
  policiesIsolating(pod: number, direction: 'Ingress' | 'Egress'): string[] {
    return (direction === 'Ingress' ? this.ingressOf : this.egressOf)[pod]!.map((pi) => podKey(this.policies[pi]!.policy));
  }

  /** Whether `from` may connect to `to` (pod indices) on a numeric port. */
  allowed(from: number, to: number, port: number, protocol: Protocol): boolean {
    if (from === to) return true;
    const dst = this.pods[to]!;
    return this.sideAllows(this.egressOf[from]!, true, to, port, protocol, dst) && this.sideAllows(this.ingressOf[to]!, false, from, port, protocol, dst);
  }

  private sideAllows(isolating: readonly number[], egress: boolean, peer: number, port: number, protocol: Protocol, dst: Pod): boolean {
    if (isolating.length === 0) return true;
    for (const pi of isolating) {
      const cp = this.policies[pi]!;
      for (const r of egress ? cp.egress : cp.ingress) {
        if (hasBit(r.peers, peer) && ruleAdmitsPort(r.rule, port, protocol, dst)) return true;
      }
    }
    return false;
  }

  /** Destinations whose container ports admit a named policy port on `port`/`protocol`. */
  private namedPortBits(name: string, port: number, protocol: Protocol): Bitset {
    const key = `${name}\u0000${port}\u0000${protocol}`;
    let bits = this.namedPortCache.get(key);
    if (!bits) {
      bits = newBitset(this.n);
      this.pods.forEach((p, i) => {
        if (p.ports.some((cp) => cp.name === name && cp.containerPort === port && cp.protocol === protocol)) setBit(bits!, i);
      });
      this.namedPortCache.set(key, bits);
    }
    return bits;
  }

  /** Destinations for which a rule's ports admit `port`/`protocol`: all, none (undefined), or a set. */
  private admittedDestinations(rule: PolicyRule, port: number, protocol: Protocol): Bitset | undefined {
    if (rule.ports.length === 0) return this.all;
    let named: Bitset | undefined;
    for (const e of rule.ports) {
      if (typeof e.port === 'string') {
        if (e.protocol !== protocol) continue;
        named ??= newBitset(this.n);
        orInto(named, this.namedPortBits(e.port, port, protocol));
      } else if (portEntryMatches(e, port, protocol, undefined)) {
        return this.all;
      }
    }
    return named;
  }

  /** The all-pairs reachability matrix for one port and protocol. */
  matrix(port: number, protocol: Protocol): MatrixResult {
    const n = this.n;
    const admitted = new Map<CompiledRule, Bitset | undefined>();
    const admits = (r: CompiledRule): Bitset | undefined => {
      if (!admitted.has(r)) admitted.set(r, this.admittedDestinations(r.rule, port, protocol));
      return admitted.get(r);
    };

    // Ingress columns, one per class of destinations admitted by the same rules.
    const columns = new BitMatrix(n);
    const W = columns.words;
    const classColumns = new Map<string, Bitset>();
    for (let d = 0; d < n; d++) {
      const isolating = this.ingressOf[d]!;
      if (isolating.length === 0) {
        columns.data.set(this.all, d * W);
        continue;
      }
      const admitting: CompiledRule[] = [];
      let key = '';
      for (const pi of isolating) {
        const rules = this.policies[pi]!.ingress;
        for (let r = 0; r < rules.length; r++) {
          const dsts = admits(rules[r]!);
          if (dsts && hasBit(dsts, d)) {
            admitting.push(rules[r]!);
            key += `${pi}.${r},`;
          }
        }
      }
      let col = classColumns.get(key);
      if (!col) {
        col = newBitset(n);
        for (const r of admitting) orInto(col, r.peers);
        classColumns.set(key, col);
      }
      columns.data.set(col, d * W);
    }
    const result = columns.transpose();

    // Egress rows, one per class of sources isolated by the same policies.
    const classRows = new Map<string, Bitset>();
    for (let s = 0; s < n; s++) {
      const isolating = this.egressOf[s]!;
      if (isolating.length > 0) {
        const key = isolating.join(',');
        let row = classRows.get(key);
        if (!row) {
          row = newBitset(n);
          for (const pi of isolating) {
            for (const r of this.policies[pi]!.egress) {
              const dsts = admits(r);
              if (!dsts) continue;
              const part = r.peers.slice();
              andInto(part, dsts);
              orInto(row, part);
            }
          }
          classRows.set(key, row);
        }
        andInto(result.row(s), row);
      }
      result.set(s, s, true);
    }
    return { pods: this.pods, port, protocol, matrix: result };
  }
}

function lowerBound(arr: readonly { value: number }[], v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]!.value < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
