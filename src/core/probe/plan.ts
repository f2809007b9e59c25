/**
 * Probe plans: the exact argv to exec in the nicolaka/netshoot debug container (Alpine, musl:
 * OpenBSD nc, busybox nc, curl, dig, ss and iputils ping), each with a bound on how long to wait.
 *
 * Where `--` is placed, the tool's parser honours it (getopt in OpenBSD nc, busybox nc and iputils
 * ping; curl's own parser). dig has no `--`, so the name goes through `-q`, which also keeps a name
 * such as `mx` from being taken for a record type. None of this replaces validation: busybox nc
 * scans its whole argv for `-e` before option parsing.
 */

import type { Protocol } from '../model';
import { validateDnsName, validateHost, validatePort, validateTimeoutSeconds, validateUrlPath, type Host, type Validated } from './argv';

/** One command to exec, plain data. */
export interface ProbePlan {
  /** Stable id, e.g. `tcp:10.0.0.7:5432`. */
  readonly id: string;
  readonly title: string;
  readonly argv: string[];
  /** How long the caller waits for the exec: the tool's own bound plus {@link EXEC_SLACK_MS}. */
  readonly timeoutMs: number;
}

/** One ping size of an MTU sweep. */
export interface MtuProbePlan extends ProbePlan {
  /** ICMP payload bytes (`-s`). */
  readonly payload: number;
  /** The packet size this payload makes on the wire: payload + IP and ICMP headers. */
  readonly mtu: number;
}

/** Time allowed on top of a tool's own timeout for starting the exec and streaming its output. */
export const EXEC_SLACK_MS = 3000;

/** IPv4 (20) or IPv6 (40) header plus the 8-byte ICMP echo header. */
export const ICMP_OVERHEAD = { ipv4: 28, ipv6: 48 } as const;

/**
 * Wire MTUs tried by {@link planMtu}, largest first: Ethernet, IP-in-IP, VXLAN, WireGuard, common
 * tunnel and VPN sizes, then the protocol minimum (576 for IPv4, 1280 for IPv6).
 */
export const MTU_CANDIDATES = {
  ipv4: [1500, 1480, 1450, 1420, 1400, 1300, 1200, 1028, 576],
  ipv6: [1500, 1480, 1450, 1420, 1400, 1300, 1280],
} as const;

/** resolv.conf honours at most three nameservers; dig tries each in turn when one does not answer. */
const MAX_NAMESERVERS = 3;

export type NcVariant = 'openbsd' | 'busybox';

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'SRV' | 'TXT' | 'MX' | 'NS' | 'SOA' | 'PTR';
const DNS_RECORD_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME', 'SRV', 'TXT', 'MX', 'NS', 'SOA', 'PTR'];

/** Why only TCP is planned: see {@link planPortCheck}. */
const UNSUPPORTED_PROTOCOL: Record<Exclude<Protocol, 'TCP'>, string> = {
  UDP:
    "UDP cannot be checked with nc -z: UDP has no handshake, so nc reports success unless an ICMP port-unreachable comes back, and a NetworkPolicy drop sends nothing back. An 'open' result would prove nothing; test the service with its own protocol (for DNS on port 53, use the DNS probe).",
  SCTP: 'SCTP cannot be checked: the netcat builds in the debug image speak only TCP and UDP.',
};

function timeoutOrDefault(seconds: number | undefined, fallback: number): Validated<number> {
  return validateTimeoutSeconds(seconds ?? fallback);
}

function urlHost(host: Host): string {
  return host.kind === 'ipv6' ? `[${host.value}]` : host.value;
}

/**
 * Plans a TCP connect check with netcat. OpenBSD nc (`nc`) prints success and every failure with
 * `-v`; busybox nc stays silent on a refusal unless given `-vv`, so the busybox variant uses it.
 * UDP and SCTP are refused with a message explaining why the check would be meaningless.
 * @param target host, port and protocol (default TCP) as typed by the user
 * @param opts `timeoutSeconds` for `-w` (default 3); `variant` picks the netcat build (default openbsd)
 * @returns the plan, or the validation message
 */
export function planPortCheck(
  target: { readonly host: string; readonly port: number | string; readonly protocol?: Protocol },
  opts: { readonly timeoutSeconds?: number; readonly variant?: NcVariant } = {},
): Validated<ProbePlan> {
  const protocol = target.protocol ?? 'TCP';
  if (protocol !== 'TCP') return { ok: false, message: UNSUPPORTED_PROTOCOL[protocol] };
  const host = validateHost(target.host);
  if (!host.ok) return host;
  const port = validatePort(target.port);
  if (!port.ok) return port;
  const timeout = timeoutOrDefault(opts.timeoutSeconds, 3);
  if (!timeout.ok) return timeout;
  const w = String(timeout.value);
  const busybox = opts.variant === 'busybox';
  const argv = busybox
    ? ['busybox', 'nc', '-zvv', '-w', w, '--', host.value.value, String(port.value)]
    : ['nc', '-zv', '-w', w, '--', host.value.value, String(port.value)];
  return {
    ok: true,
    value: {
      id: `${busybox ? 'tcp-busybox' : 'tcp'}:${host.value.value}:${port.value}`,
      title: `TCP connect to ${urlHost(host.value)}:${port.value}${busybox ? ' (busybox nc)' : ''}`,
      argv,
      timeoutMs: timeout.value * 1000 + EXEC_SLACK_MS,
    },
  };
}

/**
 * Plans a DNS lookup as the pod's resolver would do it: `+search` applies the search list and
 * ndots from /etc/resolv.conf; `+time`/`+tries` bound each query. dig moves to the next nameserver
 * when one is silent, so the exec bound covers three of them.
 * @param name the name to look up
 * @param opts `timeoutSeconds` per query (default 2), `type` (default A)
 * @returns the plan, or the validation message
 */
export function planDnsLookup(
  name: string,
  opts: { readonly timeoutSeconds?: number; readonly type?: DnsRecordType } = {},
): Validated<ProbePlan> {
  const checked = validateDnsName(name);
  if (!checked.ok) return checked;
  const type = opts.type ?? 'A';
  if (!DNS_RECORD_TYPES.includes(type)) return { ok: false, message: `Record type ${JSON.stringify(type)} is not one of ${DNS_RECORD_TYPES.join(', ')}.` };
  const timeout = timeoutOrDefault(opts.timeoutSeconds, 2);
  if (!timeout.ok) return timeout;
  return {
    ok: true,
    value: {
      id: `dns:${type}:${checked.value}`,
      title: `DNS ${type} lookup of ${checked.value}`,
      argv: ['dig', '+search', `+time=${timeout.value}`, '+tries=1', '-t', type, '-q', checked.value],
      timeoutMs: timeout.value * MAX_NAMESERVERS * 1000 + EXEC_SLACK_MS,
    },
  };
}

/** Plans reading the pod's resolver configuration (nameservers, search list, ndots). */
export function planResolvConf(): ProbePlan {
  return { id: 'resolv-conf', title: 'Read /etc/resolv.conf', argv: ['cat', '/etc/resolv.conf'], timeoutMs: EXEC_SLACK_MS };
}

/**
 * Plans an HTTP(S) request whose `-w '%{json}'` output gives the status and the timing phases.
 * `--globoff` keeps curl from reading `[` `]` (IPv6 hosts) and `{` `}` as URL globs. There is no
 * `-k`: a certificate problem is one of the outcomes worth reporting.
 * @param target scheme (default http), host, port (default 80/443), path (default `/`)
 * @param opts `timeoutSeconds` for `--max-time` (default 10)
 * @returns the plan, or the validation message
 */
export function planHttp(
  target: { readonly scheme?: 'http' | 'https'; readonly host: string; readonly port?: number | string; readonly path?: string },
  opts: { readonly timeoutSeconds?: number } = {},
): Validated<ProbePlan> {
  const scheme = target.scheme ?? 'http';
  if (scheme !== 'http' && scheme !== 'https') return { ok: false, message: `Scheme ${JSON.stringify(scheme)} must be http or https.` };
  const host = validateHost(target.host);
  if (!host.ok) return host;
  const port = validatePort(target.port ?? (scheme === 'https' ? 443 : 80));
  if (!port.ok) return port;
  const path = validateUrlPath(target.path ?? '/');
  if (!path.ok) return path;
  const timeout = timeoutOrDefault(opts.timeoutSeconds, 10);
  if (!timeout.ok) return timeout;
  const url = `${scheme}://${urlHost(host.value)}:${port.value}${path.value}`;
  return {
    ok: true,
    value: {
      id: `http:${url}`,
      title: `${scheme.toUpperCase()} GET ${url}`,
      argv: ['curl', '-sS', '-o', '/dev/null', '--globoff', '--max-time', String(timeout.value), '-w', '%{json}', '--', url],
      timeoutMs: timeout.value * 1000 + EXEC_SLACK_MS,
    },
  };
}

/**
 * Plans a path-MTU sweep: one don't-fragment ping (`-M do`) per candidate size, largest first
 * (see {@link MTU_CANDIDATES}). `-4`/`-6` pins the family so the header overhead is known; a
 * DNS name is pinged over IPv4. Feed the results to `analyzeMtu`.
 * @param hostInput the host to ping
 * @param opts `timeoutSeconds` to wait for each reply (default 2)
 * @returns the plans in sending order, or the validation message
 */
export function planMtu(hostInput: string, opts: { readonly timeoutSeconds?: number } = {}): Validated<MtuProbePlan[]> {
  const host = validateHost(hostInput);
  if (!host.ok) return host;
  const timeout = timeoutOrDefault(opts.timeoutSeconds, 2);
  if (!timeout.ok) return timeout;
  const family = host.value.kind === 'ipv6' ? 'ipv6' : 'ipv4';
  const overhead = ICMP_OVERHEAD[family];
  return {
    ok: true,
    value: MTU_CANDIDATES[family].map((mtu) => {
      const payload = mtu - overhead;
      return {
        id: `mtu:${host.value.value}:${payload}`,
        title: `Ping ${host.value.value} with ${payload} bytes, don't fragment (${mtu}-byte packets)`,
        argv: ['ping', family === 'ipv6' ? '-6' : '-4', '-M', 'do', '-s', String(payload), '-c', '1', '-W', String(timeout.value), '--', host.value.value],
        timeoutMs: timeout.value * 1000 + EXEC_SLACK_MS,
        payload,
        mtu,
      };
    }),
  };
}

/** Plans the socket-table checks in the pod: TCP sockets with their states, and the ephemeral port range. */
export function planSockets(): ProbePlan[] {
  return [
    { id: 'ss', title: 'TCP sockets by state (ss -tan)', argv: ['ss', '-tan'], timeoutMs: EXEC_SLACK_MS + 2000 },
    {
      id: 'port-range',
      title: 'Ephemeral port range',
      argv: ['cat', '/proc/sys/net/ipv4/ip_local_port_range'],
      timeoutMs: EXEC_SLACK_MS,
    },
  ];
}

/**
 * Plans the node conntrack checks. They must run in a node debug pod with the host network
 * (the counters are per network namespace) and privileges to read the kernel log; `dmesg` is read
 * whole and filtered by the parser, as /dev/kmsg cannot be read without blocking.
 */
export function planConntrack(): ProbePlan[] {
  return [
    {
      id: 'conntrack-count',
      title: 'Conntrack entries in use',
      argv: ['cat', '/proc/sys/net/netfilter/nf_conntrack_count'],
      timeoutMs: EXEC_SLACK_MS,
    },
    { id: 'conntrack-max', title: 'Conntrack table size', argv: ['cat', '/proc/sys/net/netfilter/nf_conntrack_max'], timeoutMs: EXEC_SLACK_MS },
    { id: 'kernel-log', title: 'Kernel log (conntrack drops)', argv: ['dmesg'], timeoutMs: EXEC_SLACK_MS + 2000 },
  ];
}
