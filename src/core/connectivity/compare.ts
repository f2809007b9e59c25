/**
 * What a probe result means next to the policy engine's verdict (the logic of the seed incident
 * and the network debugging guide):
 *
 * | probe | policies | diagnosis |
 * |---|---|---|
 * | timed out | deny | consistent: the deciding policies drop it; offer the narrow fix |
 * | timed out | allow | the data plane drops it: conntrack first when it is ≥ 80 % full, else the CNI / node checklist |
 * | refused | (pass) | nothing listens on that port: name the ports the destination declares |
 * | DNS failure | – | DNS: is egress to kube-dns on 53/UDP and 53/TCP allowed? the ndots penalty |
 * | connected | deny | the policy is not enforced (no NetworkPolicy support in the CNI?) or the data is stale |
 * | connected | allow | consistent: it works |
 *
 * Slow HTTP phases, socket-state build-ups and an MTU black hole are appended as findings.
 */
import { explain, decidingPolicies, type Verdict, type PolicyRef } from '../engine/explain';
import type { ClusterSnapshot, Pod, Protocol } from '../model';
import { podKey } from '../model';
import { CONNTRACK_THRESHOLDS } from '../probe/parse-conntrack';
import { ndotsPenalty } from '../probe/parse-resolv-conf';
import type { ProbeDiagnosis } from '../probe/tool-output';
import { jsonLocation } from '../report/verdict-format';
import { selectorMatches, selectorOf } from '../selector';
import type { ParsedChecks } from './checks';
import type { Classification } from './classify';

export type DiagnosisKind =
  | 'works'
  | 'blocked-by-policy'
  | 'dataplane-drop'
  | 'conntrack-full'
  | 'not-listening'
  | 'dns'
  | 'policy-not-enforced'
  | 'no-route'
  | 'inconclusive';

/** A policy that decided the verdict, with where it is written when known. */
export interface DecidingPolicy {
  /** `namespace/name` */
  readonly name: string;
  /** `file:line`, 1-based, when the policy was loaded from a file. */
  readonly location?: string;
}

/** Whether the source may reach the cluster DNS, per DNS server pod. */
export interface DnsEgressCheck {
  readonly servers: readonly { readonly pod: string; readonly udp: Verdict; readonly tcp: Verdict }[];
  /** UDP 53 to at least one DNS server pod is allowed. */
  readonly udpAllowed: boolean;
  /** TCP 53 (large answers, retries after truncation) to at least one DNS server pod is allowed. */
  readonly tcpAllowed: boolean;
  readonly message: string;
}

export interface Diagnosis {
  readonly kind: DiagnosisKind;
  /** Whether the probe and the policy engine agree. */
  readonly agreement: 'agree' | 'disagree' | 'n/a';
  /** One sentence. */
  readonly headline: string;
  /** Why, in a few sentences. */
  readonly explanation: readonly string[];
  /** What to look at next, in order. */
  readonly checklist: readonly string[];
  /** The policies that decided the verdict. */
  readonly deciding: readonly DecidingPolicy[];
  /** A narrow allow policy would fix it (see `generateAllowPolicies`). */
  readonly offerFix: boolean;
  readonly dnsEgress?: DnsEgressCheck;
  /** Side findings of the checks, appended: timings, sockets, MTU, conntrack, ndots. */
  readonly findings: readonly ProbeDiagnosis[];
}

export interface CompareInput {
  readonly classification: Classification;
  /** The engine's verdict for the same source, destination and port. */
  readonly verdict: Verdict;
  readonly snapshot: ClusterSnapshot;
  readonly source: Pod;
  /** The destination pod, when the destination is a pod (or the Service backend that was probed). */
  readonly destination?: Pod;
  readonly parsed?: ParsedChecks;
}

function deciding(v: Verdict): DecidingPolicy[] {
  const refs = new Map<string, PolicyRef>();
  const path = new Map<string, string>();
  for (const d of [v.egress, v.ingress]) {
    if (v.allowed) {
      for (const m of d.allowedBy) {
        refs.set(`${m.policy.namespace}/${m.policy.name}`, m.policy);
        path.set(`${m.policy.namespace}/${m.policy.name}`, m.path);
      }
    } else if (!d.allowed) {
      for (const p of d.policies) refs.set(`${p.namespace}/${p.name}`, p);
    }
  }
  return decidingPolicies(v).map((name) => {
    const loc = jsonLocation(refs.get(name)?.source, path.get(name) ?? '');
    return loc ? { name, location: `${loc.file}:${loc.line}` } : { name };
  });
}

/** "production/default-deny-ingress (file:7) isolates production/postgres-0 for ingress and no rule admits …" per denying side. */
function deniedSides(v: Verdict, decided: readonly DecidingPolicy[]): string[] {
  return [v.egress, v.ingress]
    .filter((d) => !d.allowed)
    .map((d) => {
      const mine = decided.filter((p) => d.policies.some((q) => `${q.namespace}/${q.name}` === p.name));
      const other = d.direction === 'ingress' ? v.from : v.to;
      return `${names(mine)} ${mine.length === 1 ? 'isolates' : 'isolate'} ${d.pod ?? 'the pod'} for ${d.direction}, and no rule admits ${d.direction === 'ingress' ? `${other} on ${v.port}/${v.protocol}` : `connections to ${other} on ${v.port}/${v.protocol}`}.`;
    });
}

function names(list: readonly DecidingPolicy[]): string {
  return list.map((d) => (d.location ? `${d.name} (${d.location})` : d.name)).join(', ');
}

/** The DNS server pods: the backends of kube-system/kube-dns (or of the Service behind the pod's nameserver), else pods labelled k8s-app=kube-dns. */
export function dnsServerPods(snapshot: ClusterSnapshot, nameservers: readonly string[] = []): Pod[] {
  const services = snapshot.services.filter(
    (s) => s.selector !== undefined && (s.clusterIPs.some((ip) => nameservers.includes(ip)) || (s.namespace === 'kube-system' && s.name === 'kube-dns')),
  );
  const byService = snapshot.pods.filter((p) => services.some((s) => s.namespace === p.namespace && selectorMatches(selectorOf(s.selector!), p.labels)));
  if (byService.length) return byService;
  return snapshot.pods.filter((p) => p.labels['k8s-app'] === 'kube-dns');
}

/**
 * Asks the engine whether `source` may reach the cluster DNS on 53/UDP and 53/TCP.
 * @param snapshot the cluster
 * @param source the client pod
 * @param nameservers the pod's resolv.conf nameservers, to find the DNS Service
 */
export function checkDnsEgress(snapshot: ClusterSnapshot, source: Pod, nameservers: readonly string[] = []): DnsEgressCheck {
  const servers = dnsServerPods(snapshot, nameservers).map((pod) => {
    const verdictFor = (protocol: Protocol): Verdict => explain(snapshot, { kind: 'pod', pod: source }, { kind: 'pod', pod }, { port: 53, protocol });
    return { pod: podKey(pod), udp: verdictFor('UDP'), tcp: verdictFor('TCP') };
  });
  const udpAllowed = servers.some((s) => s.udp.allowed);
  const tcpAllowed = servers.some((s) => s.tcp.allowed);
  let message: string;
  if (servers.length === 0) {
    message = 'No DNS server pod is known (no kube-system/kube-dns Service and no pod labelled k8s-app=kube-dns), so DNS egress could not be checked.';
  } else if (udpAllowed && tcpAllowed) {
    message = `The policies allow ${podKey(source)} to reach the cluster DNS (${servers.map((s) => s.pod).join(', ')}) on 53/UDP and 53/TCP.`;
  } else {
    const denied = servers.find((s) => !(udpAllowed ? s.tcp : s.udp).allowed);
    const which = !udpAllowed && !tcpAllowed ? '53/UDP and 53/TCP' : !udpAllowed ? '53/UDP' : '53/TCP';
    const why = denied ? (udpAllowed ? denied.tcp : denied.udp).summary : '';
    message =
      `The policies deny ${podKey(source)} → cluster DNS on ${which}${why ? `: ${why}` : ''}. ` +
      `Add an egress rule to pods k8s-app=kube-dns in namespace kube-system on UDP and TCP port 53${!udpAllowed ? '; without it no name resolves' : '; answers too large for UDP are retried over TCP and fail'}.`;
  }
  return { servers, udpAllowed, tcpAllowed, message };
}

function nodesOf(input: CompareInput): string {
  const nodes = [...new Set([input.source.nodeName, input.destination?.nodeName].filter((n): n is string => n !== undefined))];
  return nodes.length ? nodes.join(' and ') : 'the nodes of both pods';
}

function declaredPorts(pod: Pod): string {
  if (pod.ports.length === 0) return `${podKey(pod)} declares no container ports`;
  return `${podKey(pod)} declares ${pod.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.containerPort}/${p.protocol}${p.container ? ` (container ${p.container})` : ''}`).join(', ')}`;
}

/** The seed's checklist for a timeout the policies do not explain. */
function dataplaneChecklist(input: CompareInput, conntrackOk: string | undefined): string[] {
  const ip = input.destination?.ips[0] ?? input.verdict.to;
  const nodes = nodesOf(input);
  const items = [
    `CNI logs on ${nodes} (each node has its own agent). Calico: kubectl logs -n calico-system <calico-node pod on that node> and look for denied or dropped packets; Cilium: cilium monitor --type drop on that node's agent, or hubble observe --verdict DROPPED --to-ip ${ip}.`,
    `Stale iptables rules or routes after a partial upgrade (rare, but it happens in long-running clusters): on ${nodes} run iptables-save | grep ${ip} and ip route get ${ip}, and compare with a healthy node.`,
    conntrackOk ??
      `Conntrack table full: on ${nodes} compare /proc/sys/net/netfilter/nf_conntrack_count with nf_conntrack_max, and look for "nf_conntrack: table full, dropping packet" in dmesg (netlens can read both with a node debug pod).`,
  ];
  const mtu = input.parsed?.mtu;
  items.push(
    mtu?.outcome === 'black-hole'
      ? `MTU black hole, found: ${mtu.message}`
      : `MTU black hole: small packets pass and large ones vanish; run the MTU check (don't-fragment pings) from the source${mtu ? ` (last result: ${mtu.message})` : ''}.`,
  );
  items.push('Stale data: refresh the cluster view and test again; a policy or pod may have changed since it was read.');
  return items;
}

/**
 * Compares a probe's outcome with the engine's verdict for the same path and says what it means.
 * @param input the classification, the verdict, the snapshot and the pods involved
 */
export function compare(input: CompareInput): Diagnosis {
  const { classification: c, verdict: v } = input;
  const findings = [...c.findings];
  const decided = deciding(v);
  const path = `${v.from} → ${v.to} on ${v.port}/${v.protocol}`;
  const invalid = v.invalidPolicies.length
    ? [`The engine ignored ${v.invalidPolicies.map((i) => `${i.policy.namespace}/${i.policy.name}`).join(', ')}: the API server would reject ${v.invalidPolicies.length === 1 ? 'it' : 'them'}, so the cluster cannot hold ${v.invalidPolicies.length === 1 ? 'it' : 'them'} as written.`]
    : [];
  const base = { deciding: decided, findings };
  switch (c.outcome) {
    case 'timeout': {
      if (!v.allowed) {
        return {
          ...base,
          kind: 'blocked-by-policy',
          agreement: 'agree',
          headline: `Consistent: the policies deny ${path}, and the probe timed out as a dropped connection does.`,
          explanation: [
            ...deniedSides(v, decided),
            'A NetworkPolicy drop sends nothing back (no RST), so the client waits until it times out: "i/o timeout", not "connection refused".',
            'Do not delete the deny policy: that is a security regression. Add a narrow allow rule for exactly this traffic.',
            ...invalid,
          ],
          checklist: [],
          offerFix: true,
        };
      }
      const ct = input.parsed?.conntrack;
      const full = ct !== undefined && ((ct.usagePercent ?? 0) >= CONNTRACK_THRESHOLDS.warning || ct.tableFullLines > 0);
      const where = ct?.node ? `node ${ct.node}` : 'the node';
      if (full && ct) {
        const usage = ct.usagePercent !== undefined ? `${ct.count} of ${ct.max} entries (${ct.usagePercent}%)` : 'usage unknown';
        const drops = ct.tableFullLines > 0 ? `, and the kernel logged ${ct.tableFullLines} "table full, dropping packet" line${ct.tableFullLines === 1 ? '' : 's'}` : '';
        return {
          ...base,
          kind: 'conntrack-full',
          agreement: 'disagree',
          headline: `The policies allow ${path}, but the conntrack table on ${where} is full: ${usage}${drops}. New connections are dropped silently.`,
          explanation: [
            'conntrack tracks every connection for NAT and filtering; when the table is full the kernel drops new connections with no RST and no ICMP error, so clients time out at random while pings and existing connections keep working.',
            ...invalid,
          ],
          checklist: [...(ct.diagnoses[0] ? [ct.diagnoses[0].message] : []), ...dataplaneChecklist(input, `Conntrack on ${where}: see above.`).slice(0, 2)],
          offerFix: false,
        };
      }
      const ctOk =
        ct && ct.usagePercent !== undefined
          ? `Conntrack on ${where} was checked: ${ct.count} of ${ct.max} entries (${ct.usagePercent}%), below ${CONNTRACK_THRESHOLDS.warning}%, and no "table full" line in the kernel log; not the cause on that node.`
          : undefined;
      return {
        ...base,
        kind: 'dataplane-drop',
        agreement: 'disagree',
        headline: `The policies allow ${path}, but the connection timed out: suspect the CNI, a node firewall or conntrack, not the policies.`,
        explanation: [
          `The engine admits it: ${v.summary}. Something below the policies drops the packets silently.`,
          ...invalid,
        ],
        checklist: dataplaneChecklist(input, ctOk),
        offerFix: false,
      };
    }
    case 'refused': {
      const dest = input.destination;
      const listening = dest ? declaredPorts(dest) : `the destination's ports are unknown`;
      const declared = dest?.ports.some((p) => p.containerPort === v.port && p.protocol === v.protocol);
      const explanation = v.allowed
        ? [
            `The policies allow it (${v.summary}), and the destination answered with a reset: the packet arrived and nothing accepts connections on port ${v.port}.`,
            `${listening}.`,
            declared
              ? `Port ${v.port} is declared, so the process is down or restarting, or it listens on 127.0.0.1 only or on another port than it declares: check its logs and ss -tlnp inside it.`
              : `Port ${v.port} is not among them: check the port the client uses (a Service port is not the pod's port) and the application's configuration.`,
          ]
        : [
            `The policies deny it (${v.summary}), yet a reset came back: either the policy is not enforced here and nothing listens, or the network plugin rejects denied connections instead of dropping them.`,
            `${listening}.`,
          ];
      return {
        ...base,
        kind: 'not-listening',
        agreement: v.allowed ? 'agree' : 'disagree',
        headline: `Connection refused: nothing listens on ${v.to} port ${v.port}${v.allowed ? ' (the policies pass it)' : ''}.`,
        explanation: [...explanation, ...invalid],
        checklist: [],
        offerFix: false,
      };
    }
    case 'dns-failure': {
      const resolv = input.parsed?.resolvConf;
      const nameservers = resolv?.outcome === 'ok' ? resolv.conf.nameservers : [];
      const dnsEgress = checkDnsEgress(input.snapshot, input.source, nameservers);
      const dig = input.parsed?.dns;
      const name = dig?.name;
      const nx = dig?.result.outcome === 'nxdomain';
      const explanation: string[] = [];
      if (dig) explanation.push(`dig ${dig.name}: ${dig.result.message}`);
      explanation.push(dnsEgress.message);
      if (resolv?.outcome === 'ok' && name) explanation.push(ndotsPenalty(name, resolv.conf).message);
      const checklist = dnsEgress.udpAllowed
        ? nx
          ? [`Check the name: a Service is <service>.<namespace>.svc.cluster.local; from another namespace the short name does not resolve.`, 'kubectl get svc -A | grep the service name.']
          : ['Check CoreDNS: kubectl -n kube-system logs -l k8s-app=kube-dns, and that its pods are Running and Ready.', 'Check the pod resolv.conf nameserver matches the kube-dns Service IP.']
        : ['Allow egress to kube-dns on UDP and TCP port 53 from the source (an egress rule to pods k8s-app=kube-dns in namespace kube-system).'];
      return {
        ...base,
        kind: 'dns',
        agreement: dnsEgress.udpAllowed ? 'n/a' : 'agree',
        headline: dnsEgress.udpAllowed
          ? `DNS failure: ${name ?? 'the name'} ${nx ? 'does not exist' : 'did not resolve'}; the policies allow DNS, so look at the name or at CoreDNS.`
          : `DNS failure: the policies block ${podKey(input.source)} from the cluster DNS.`,
        explanation: [...explanation, ...invalid],
        checklist,
        dnsEgress,
        offerFix: false,
      };
    }
    case 'connected': {
      if (v.allowed) {
        return {
          ...base,
          kind: 'works',
          agreement: 'agree',
          headline: `Consistent: ${path} connects, and the policies allow it.`,
          explanation: [v.summary, ...invalid],
          checklist: [],
          offerFix: false,
        };
      }
      return {
        ...base,
        kind: 'policy-not-enforced',
        agreement: 'disagree',
        headline: `The connection opened although the policies deny it: the policy is not enforced, or netlens's data is stale.`,
        explanation: [
          `The engine says: ${v.summary}.`,
          'Either the network plugin does not enforce NetworkPolicy (flannel alone, or a CNI with policy support turned off: the API accepts policies it will never apply), or the policies or pods changed since netlens read them.',
          ...invalid,
        ],
        checklist: [
          'Refresh the cluster view and test again.',
          'Check that the CNI supports NetworkPolicy and that its policy agent runs on every node (calico-node, cilium, or the network policy controller of your plugin).',
        ],
        offerFix: false,
      };
    }
    case 'no-route':
      return {
        ...base,
        kind: 'no-route',
        agreement: v.allowed ? 'disagree' : 'n/a',
        headline: `No route to ${v.to}: the network answered "unreachable".`,
        explanation: [
          'The address is not reachable from the source pod: the pod behind it is gone (its IP may be free or reused), a route is missing on the node, or a firewall rejects with an ICMP error.',
          v.allowed ? `The policies allow it: ${v.summary}.` : `The policies deny it too (${v.summary}); some plugins reject denied connections with an ICMP error instead of dropping them.`,
          ...invalid,
        ],
        checklist: [`Check that ${v.to} still has that IP (kubectl get pod -o wide).`, `ip route get ${input.destination?.ips[0] ?? v.to} on ${nodesOf(input)}.`],
        offerFix: false,
      };
    case 'unknown':
    default:
      return {
        ...base,
        kind: 'inconclusive',
        agreement: 'n/a',
        headline: `The probe could not tell whether ${path} connects: ${c.summary}`,
        explanation: [`The policies ${v.allowed ? 'allow' : 'deny'} it: ${v.summary}.`, ...invalid],
        checklist: ['Check that the debug image has nc, curl and dig (nicolaka/netshoot does), and look at the raw output in the log.'],
        offerFix: !v.allowed,
      };
  }
}
