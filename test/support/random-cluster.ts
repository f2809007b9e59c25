/**
 * fast-check arbitraries for small random clusters: namespaces, pods and policies
 * drawn from small vocabularies so selectors, named ports and ipBlocks collide often.
 */
import fc from 'fast-check';
import { parseCidr } from '../../src/core/cidr';
import type {
  Cidr, ClusterSnapshot, ContainerPort, LabelSelector, LabelSelectorRequirement, Namespace, NetworkPolicy, Pod, PolicyPeer, PolicyPort, PolicyRule, Protocol,
} from '../../src/core/model';

const KEYS = ['app', 'tier', 'env'];
const VALUES = ['a', 'b', 'c'];
const PORT_NAMES = ['http', 'dns', 'metrics'];
const PORTS = [53, 80, 443, 8080];
export const QUERY_PORTS = PORTS;
export const PROTOCOLS: Protocol[] = ['TCP', 'UDP', 'SCTP'];

const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const requirementArb: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.constantFrom(...KEYS, 'kubernetes.io/metadata.name'), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([]) }),
);

const selectorArb: fc.Arbitrary<LabelSelector> = fc.record({
  matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
  matchExpressions: fc.array(requirementArb, { maxLength: 2 }),
});

// Pod IPs live in 10.0.0.0/24 and fd00::/120 so small CIDRs hit them often.
const ipBlockArb: fc.Arbitrary<PolicyPeer> = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 22, max: 32 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 26, max: 32 })), { maxLength: 2 }), fc.boolean())
  .map(([host, prefix, excepts, v6]) => {
    if (v6) return { type: 'ipBlock' as const, cidr: cidr(`fd00::${host.toString(16)}/${prefix + 96}`), except: excepts.map(([h, p]) => cidr(`fd00::${h.toString(16)}/${p + 96}`)), path: '' };
    return { type: 'ipBlock' as const, cidr: cidr(`10.0.0.${host}/${prefix}`), except: excepts.map(([h, p]) => cidr(`10.0.0.${h}/${p}`)), path: '' };
  });

const peerArb: fc.Arbitrary<PolicyPeer> = fc.oneof(
  fc.record({ type: fc.constant('selector' as const), podSelector: selectorArb, path: fc.constant('') }),
  fc.record({ type: fc.constant('selector' as const), namespaceSelector: selectorArb, path: fc.constant('') }),
  fc.record({ type: fc.constant('selector' as const), podSelector: selectorArb, namespaceSelector: selectorArb, path: fc.constant('') }),
  ipBlockArb,
);

const policyPortArb: fc.Arbitrary<PolicyPort> = fc.oneof(
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS), port: fc.constantFrom(...PORTS), path: fc.constant('') }),
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS), port: fc.constantFrom(...PORT_NAMES), path: fc.constant('') }),
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS), path: fc.constant('') }),
  fc.tuple(fc.constantFrom(...PROTOCOLS), fc.integer({ min: 50, max: 500 }), fc.integer({ min: 0, max: 8000 })).map(([protocol, port, span]) => ({ protocol, port, endPort: port + span, path: '' })),
);

const ruleArb: fc.Arbitrary<PolicyRule> = fc.record({
  peers: fc.array(peerArb, { maxLength: 3 }),
  ports: fc.array(policyPortArb, { maxLength: 3 }),
  path: fc.constant(''),
});

const containerPortArb: fc.Arbitrary<ContainerPort> = fc.record({
  name: fc.constantFrom(...PORT_NAMES),
  containerPort: fc.constantFrom(...PORTS),
  protocol: fc.constantFrom(...PROTOCOLS),
});

/** A random cluster of up to `maxPods` pods and `maxPolicies` policies. */
export function clusterArb(maxPods = 14, maxPolicies = 7): fc.Arbitrary<ClusterSnapshot> {
  return fc
    .record({
      nsLabels: fc.array(labelsArb, { minLength: 1, maxLength: 3 }),
      pods: fc.array(
        fc.record({
          ns: fc.nat(2),
          labels: labelsArb,
          ipHost: fc.option(fc.nat(255), { freq: 5 }),
          dual: fc.boolean(),
          hostNetwork: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
          ports: fc.uniqueArray(containerPortArb, { maxLength: 3, selector: (p) => p.name }),
        }),
        { maxLength: maxPods },
      ),
      policies: fc.array(
        fc.record({
          ns: fc.nat(2),
          podSelector: selectorArb,
          types: fc.subarray(['Ingress', 'Egress'] as const, { minLength: 1 }),
          ingress: fc.array(ruleArb, { maxLength: 3 }),
          egress: fc.array(ruleArb, { maxLength: 3 }),
        }),
        { maxLength: maxPolicies },
      ),
    })
    .map(({ nsLabels, pods, policies }) => {
      const namespaces: Namespace[] = nsLabels.map((labels, i) => ({
        kind: 'Namespace', name: `ns${i}`, labels: { ...labels, 'kubernetes.io/metadata.name': `ns${i}` }, inferred: false,
      }));
      const nsName = (i: number): string => `ns${i % namespaces.length}`;
      const podList: Pod[] = pods.map((p, i) => ({
        kind: 'Pod', namespace: nsName(p.ns), name: `p${i}`, labels: p.labels,
        ips: p.ipHost === null ? [] : p.dual ? [`10.0.0.${p.ipHost}`, `fd00::${p.ipHost.toString(16)}`] : [`10.0.0.${p.ipHost}`],
        ports: p.ports, hostNetwork: p.hostNetwork, origin: { type: 'pod' },
      }));
      const policyList: NetworkPolicy[] = policies.map((p, i) => ({
        kind: 'NetworkPolicy', namespace: nsName(p.ns), name: `np${i}`, podSelector: p.podSelector,
        policyTypes: p.types, policyTypesExplicit: true, ingress: p.ingress, egress: p.egress,
      }));
      return { namespaces, pods: podList, services: [], nodes: [], policies: policyList };
    });
}
