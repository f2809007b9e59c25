/**
 * A SIMULATED data plane for the fake API server: an `ExecHandler` that answers the probe
 * commands netlens runs (nc, busybox nc, dig, curl, ping, ss, cat, dmesg) as if a network existed.
 * Nothing is sent anywhere. Its outputs copy the text shapes of the real captures in
 * test/fixtures/tool-output/ (OpenBSD nc stderr lines, busybox nc, dig's full output, curl
 * `%{json}`, iputils ping, ss -tan), and the places a tool prints free text (dig's banner, curl's
 * version, the kernel log's first line) say "simulated".
 *
 * How it decides, at every exec, from what the fake server holds right now (converted with the
 * core loader, as the cluster layer converts a live cluster):
 * - the source is the pod the command runs in (an ephemeral container shares its network);
 * - names resolve through a pretend CoreDNS: `<svc>.<ns>.svc.cluster.local` (and the short forms
 *   through the pod's search list) to Service cluster IPs, `a-b-c-d.<ns>.pod.cluster.local` to
 *   pod IPs, anything else NXDOMAIN; if the policies deny the source UDP 53 to every CoreDNS pod,
 *   the resolver gets no answer (dig exit 9, nc "Try again", curl exit 6);
 * - a TCP connection to a Service IP goes to its first backend (by name) on the target port, as
 *   kube-proxy would pick one; a Service without backends refuses;
 * - the policy engine (`explain`) decides: denied → the SYN is dropped (timeout); allowed → the
 *   destination answers if it declares that container port, else it refuses;
 * - ICMP is not policed here (NetworkPolicy has no ICMP; plugins differ): ping gets a reply from
 *   any known IP, unless the MTU black-hole fault swallows it.
 *
 * Faults that DISAGREE with the policies (to test the diagnoses for them): a CNI drop on an
 * allowed path, a CNI that enforces no policy at all, a full conntrack table on a node (count = max, "table full, dropping packet" in
 * dmesg, new TCP connections through that node time out), a PMTU black hole above N bytes, CoreDNS
 * down, a slow application (curl timings), a CLOSE-WAIT pile-up, and a delay per command.
 */
import { convertObject, RESOURCES, snapshotOf, type ResourceName } from '../../src/cluster/to-model';
import { explain } from '../../src/core/engine/explain';
import type { LoadedObject } from '../../src/core/manifest/load';
import type { ClusterSnapshot, Pod, Service } from '../../src/core/model';
import { podKey } from '../../src/core/model';
import { selectorMatches, selectorOf } from '../../src/core/selector';
import type { ExecContext, ExecHandler, ExecResult } from './fake-kube/server';
import type { FakeStore } from './fake-kube/store';
import type { Pod as WirePod } from './fake-kube/types';

export interface PathMatch {
  /** `namespace/pod`, or `namespace/*`; default any. */
  readonly from?: string;
  readonly to?: string;
  readonly port?: number;
}

export interface DataplaneFaults {
  /** Drop these connections even though the policies allow them (a broken CNI agent, a stale iptables rule). */
  readonly cniDrop?: readonly PathMatch[];
  /** Nodes whose conntrack table is full: new TCP connections from or to their pods time out. */
  readonly conntrackFull?: readonly string[];
  /** Packets larger than this many bytes vanish without an ICMP "fragmentation needed". */
  readonly mtuBlackHoleAbove?: number;
  /** CoreDNS does not answer at all. */
  readonly dnsDown?: boolean;
  /** The network plugin does not enforce NetworkPolicy (flannel alone): every policy is ignored. */
  readonly noPolicyEnforcement?: boolean;
  /** curl's phases in ms for requests that connect (default dns 1, connect 1, firstByte 3). */
  readonly httpTimingsMs?: { readonly dns?: number; readonly connect?: number; readonly tls?: number; readonly firstByte?: number };
  /** CLOSE-WAIT sockets `ss -tan` shows in every pod. */
  readonly closeWait?: number;
  /** Delay before a command answers, in ms (to test timeouts and cancellation). */
  readonly delayMs?: (argv: readonly string[]) => number;
}

export interface DataplaneOptions {
  readonly clusterDomain?: string;
  /** The cluster DNS Service IP in every pod's resolv.conf (default: kube-system/kube-dns's, else 10.96.0.10). */
  readonly dnsServiceIp?: string;
  /** nf_conntrack_max on every node (default 262144). */
  readonly conntrackMax?: number;
  readonly faults?: DataplaneFaults;
}

export interface DataplaneCall {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly argv: readonly string[];
  readonly exitCode: number | null;
}

export interface Dataplane {
  /** Install with `fake.hooks.setExecHandler(dataplane.handler)`. */
  readonly handler: ExecHandler;
  /** Replaces the faults. */
  setFaults(faults: DataplaneFaults): void;
  readonly faults: DataplaneFaults;
  calls(): readonly DataplaneCall[];
  /** Ends pending delays (their commands answer at once). */
  dispose(): void;
}

const RESOURCE_NAMES: readonly ResourceName[] = ['namespaces', 'nodes', 'pods', 'services', 'networkpolicies'];

/** /etc/services names the debug image's nc prints for well-known ports. */
const SERVICES: Readonly<Record<number, string>> = { 22: 'ssh', 53: 'domain', 80: 'http', 443: 'https', 3306: 'mysql', 5432: 'postgresql', 6379: 'redis', 8080: 'http-alt', 9090: 'websm' };

const CURL_JSON_KEYS = [
  'certs', 'content_type', 'errormsg', 'exitcode', 'filename_effective', 'ftp_entry_path', 'http_code', 'http_connect', 'http_version', 'local_ip', 'local_port', 'method',
  'num_certs', 'num_connects', 'num_headers', 'num_redirects', 'proxy_ssl_verify_result', 'redirect_url', 'referer', 'remote_ip', 'remote_port', 'response_code', 'scheme',
  'size_download', 'size_header', 'size_request', 'size_upload', 'speed_download', 'speed_upload', 'ssl_verify_result', 'time_appconnect', 'time_connect', 'time_namelookup',
  'time_pretransfer', 'time_redirect', 'time_starttransfer', 'time_total', 'url', 'url_effective', 'urlnum', 'curl_version',
] as const;

interface World {
  readonly snapshot: ClusterSnapshot;
  readonly podsByIp: ReadonlyMap<string, Pod>;
  readonly servicesByIp: ReadonlyMap<string, Service>;
  readonly dnsIp: string;
}

type Connect =
  | { readonly kind: 'connected'; readonly ip: string; readonly pod: Pod }
  | { readonly kind: 'refused'; readonly ip: string }
  | { readonly kind: 'timeout'; readonly ip: string }
  | { readonly kind: 'dns'; readonly why: 'nxdomain' | 'unreachable' };

function matches(pattern: string | undefined, pod: Pod | undefined): boolean {
  if (pattern === undefined) return true;
  if (!pod) return false;
  const [ns, name] = pattern.split('/');
  return pod.namespace === ns && (name === '*' || name === pod.name);
}

function hashOf(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

/** curl prints its times with six decimals (`0.000393`). */
function fmtSeconds(seconds: number): string {
  return seconds.toFixed(6);
}

/**
 * Creates the simulated data plane over a fake server's store.
 * @param store the fake server's store (read at every exec, so changes apply at once)
 */
export function createDataplane(store: FakeStore, options: DataplaneOptions = {}): Dataplane {
  let faults: DataplaneFaults = options.faults ?? {};
  const domain = options.clusterDomain ?? 'cluster.local';
  const conntrackMax = options.conntrackMax ?? 262144;
  const calls: DataplaneCall[] = [];
  const pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const cache = new Map<string, { rv: string | undefined; objects: readonly LoadedObject[] }>();
  let world: { rv: number; value: World } | undefined;

  function currentWorld(): World {
    if (world && world.rv === store.currentRv) return world.value;
    const objects: LoadedObject[] = [];
    const seen = new Set<string>();
    for (const resource of RESOURCE_NAMES) {
      for (const obj of store.list(resource)) {
        const key = `${resource}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
        seen.add(key);
        let entry = cache.get(key);
        if (!entry || entry.rv !== obj.metadata.resourceVersion) {
          entry = { rv: obj.metadata.resourceVersion, objects: convertObject('fake-kube', RESOURCES[resource], obj as Parameters<typeof convertObject>[2]).objects };
          cache.set(key, entry);
        }
        objects.push(...entry.objects);
      }
    }
    for (const key of cache.keys()) if (!seen.has(key)) cache.delete(key);
    const snapshot = snapshotOf(objects);
    const podsByIp = new Map<string, Pod>();
    for (const p of snapshot.pods) for (const ip of p.ips) if (!p.hostNetwork && !podsByIp.has(ip)) podsByIp.set(ip, p);
    const servicesByIp = new Map<string, Service>();
    for (const s of snapshot.services) for (const ip of s.clusterIPs) if (ip !== 'None') servicesByIp.set(ip, s);
    const kubeDns = snapshot.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
    const dnsIp = options.dnsServiceIp ?? kubeDns?.clusterIPs[0] ?? '10.96.0.10';
    world = { rv: store.currentRv, value: { snapshot, podsByIp, servicesByIp, dnsIp } };
    return world.value;
  }

  function sourceOf(w: World, ctx: ExecContext): Pod | undefined {
    return w.snapshot.pods.find((p) => p.namespace === ctx.namespace && p.name === ctx.pod);
  }

  function wirePod(ctx: ExecContext): WirePod | undefined {
    return store.get('pods', ctx.namespace, ctx.pod) as WirePod | undefined;
  }

  function backends(w: World, svc: Service): Pod[] {
    if (!svc.selector) return [];
    const sel = selectorOf(svc.selector);
    return w.snapshot.pods
      .filter((p) => p.namespace === svc.namespace && p.ips.length > 0 && p.phase === 'Running' && selectorMatches(sel, p.labels))
      .sort((a, b) => podKey(a).localeCompare(podKey(b)));
  }

  /** Whether the source may reach the cluster DNS at all (UDP 53 to some CoreDNS pod). */
  function dnsReachable(w: World, source: Pod): boolean {
    if (faults.dnsDown) return false;
    const svc = w.servicesByIp.get(w.dnsIp);
    const servers = svc ? backends(w, svc) : w.snapshot.pods.filter((p) => p.labels['k8s-app'] === 'kube-dns');
    if (faults.noPolicyEnforcement) return servers.length > 0;
    return servers.some((dst) => explain(w.snapshot, { kind: 'pod', pod: source }, { kind: 'pod', pod: dst }, { port: 53, protocol: 'UDP' }).allowed);
  }

  function searchList(ns: string): string[] {
    return [`${ns}.svc.${domain}`, `svc.${domain}`, domain];
  }

  /** The A records of one fully qualified name, or undefined (NXDOMAIN). */
  function lookupFqdn(w: World, fqdn: string): string[] | undefined {
    const name = fqdn.replace(/\.$/, '').toLowerCase();
    const suffix = `.svc.${domain}`;
    if (name.endsWith(suffix)) {
      const parts = name.slice(0, -suffix.length).split('.');
      if (parts.length !== 2) return undefined;
      const svc = w.snapshot.services.find((s) => s.name === parts[0] && s.namespace === parts[1]);
      if (!svc) return undefined;
      const ips = svc.clusterIPs.filter((ip) => ip !== 'None');
      return ips.length ? ips : backends(w, svc).map((p) => p.ips[0]!);
    }
    const podSuffix = `.pod.${domain}`;
    if (name.endsWith(podSuffix)) {
      const [dashed, ns] = name.slice(0, -podSuffix.length).split('.');
      const ip = dashed?.replace(/-/g, '.');
      const pod = ip ? w.podsByIp.get(ip) : undefined;
      return pod && pod.namespace === ns ? [ip!] : undefined;
    }
    return undefined;
  }

  /** Resolves as the pod's resolver would (ndots:5, the search list); `answered` is the name that resolved. */
  function resolve(w: World, source: Pod, name: string): { kind: 'ok'; answered: string; ips: string[] } | { kind: 'nxdomain' } | { kind: 'unreachable' } {
    if (!dnsReachable(w, source)) return { kind: 'unreachable' };
    const bare = name.replace(/\.$/, '');
    const dots = bare.split('.').length - 1;
    const expanded = searchList(source.namespace).map((d) => `${bare}.${d}`);
    const candidates = name.endsWith('.') ? [bare] : dots < 5 ? [...expanded, bare] : [bare, ...expanded];
    for (const c of candidates) {
      const ips = lookupFqdn(w, c);
      if (ips && ips.length) return { kind: 'ok', answered: c, ips };
    }
    return { kind: 'nxdomain' };
  }

  function isIp(host: string): boolean {
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
  }

  /** A TCP connection from `source` to host:port, as the simulated network would treat it. */
  function connect(w: World, source: Pod, host: string, port: number): Connect {
    let ip = host;
    if (!isIp(host)) {
      const r = resolve(w, source, host);
      if (r.kind !== 'ok') return { kind: 'dns', why: r.kind };
      ip = r.ips[0]!;
    }
    let dest: Pod | undefined;
    let destPort = port;
    const svc = w.servicesByIp.get(ip);
    if (svc) {
      const sp = svc.ports.find((p) => p.port === port && p.protocol === 'TCP');
      if (!sp) return { kind: 'timeout', ip };
      const pods = backends(w, svc);
      const chosen = pods
        .map((p) => ({ p, target: typeof sp.targetPort === 'number' ? sp.targetPort : p.ports.find((cp) => cp.name === sp.targetPort && cp.protocol === 'TCP')?.containerPort }))
        .find((x) => x.target !== undefined);
      if (!chosen) return { kind: 'refused', ip };
      dest = chosen.p;
      destPort = chosen.target!;
    } else {
      dest = w.podsByIp.get(ip);
    }
    if (!dest) return { kind: 'timeout', ip };
    if ((faults.cniDrop ?? []).some((m) => matches(m.from, source) && matches(m.to, dest) && (m.port === undefined || m.port === destPort))) return { kind: 'timeout', ip };
    const full = faults.conntrackFull ?? [];
    if ((source.nodeName && full.includes(source.nodeName)) || (dest.nodeName && full.includes(dest.nodeName))) return { kind: 'timeout', ip };
    const verdict = explain(w.snapshot, { kind: 'pod', pod: source }, { kind: 'pod', pod: dest }, { port: destPort, protocol: 'TCP' });
    if (!verdict.allowed && !faults.noPolicyEnforcement) return { kind: 'timeout', ip };
    const listening = dest.ports.some((p) => p.containerPort === destPort && p.protocol === 'TCP');
    return listening ? { kind: 'connected', ip, pod: dest } : { kind: 'refused', ip };
  }

  function positional(argv: readonly string[], from: number, optionsWithValue: readonly string[]): string[] {
    const out: string[] = [];
    for (let i = from; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--') {
        out.push(...argv.slice(i + 1));
        break;
      }
      if (optionsWithValue.includes(a)) {
        i++;
        continue;
      }
      if (a.startsWith('-') || a.startsWith('+')) continue;
      out.push(a);
    }
    return out;
  }

  function nc(w: World, source: Pod, argv: readonly string[], busybox: boolean): ExecResult {
    const [host, portText] = positional(argv, busybox ? 2 : 1, ['-w']);
    const port = Number(portText);
    if (!host || !Number.isInteger(port)) return { stderr: 'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] ...\n', exitCode: 1 };
    const r = connect(w, source, host, port);
    const named = !isIp(host);
    if (busybox) {
      switch (r.kind) {
        case 'dns':
          return { stderr: `nc: bad address '${host}'\n`, exitCode: 1 };
        case 'connected':
          return { stderr: `${host} (${r.ip}:${port}) open\n`, exitCode: 0 };
        case 'refused':
          return { stderr: `nc: ${host} (${r.ip}:${port}): Connection refused\nsent 0, rcvd 0\n`, exitCode: 1 };
        case 'timeout':
          return { stderr: `nc: ${host} (${r.ip}:${port}): Connection timed out\n`, exitCode: 1 };
      }
    }
    const who = (ip: string): string => (named ? `${host} (${ip})` : host);
    switch (r.kind) {
      case 'dns':
        return { stderr: `nc: getaddrinfo for host "${host}" port ${port}: ${r.why === 'nxdomain' ? 'Name does not resolve' : 'Try again'}\n`, exitCode: 1 };
      case 'connected':
        return { stderr: `Connection to ${who(r.ip)} ${port} port [tcp/${SERVICES[port] ?? '*'}] succeeded!\n`, exitCode: 0 };
      case 'refused':
        return { stderr: `nc: connect to ${who(r.ip)} port ${port} (tcp) failed: Connection refused\n`, exitCode: 1 };
      case 'timeout':
        return { stderr: `nc: connect to ${who(r.ip)} port ${port} (tcp) timed out: Operation now in progress\n`, exitCode: 1 };
    }
  }

  function digWhen(): string {
    const d = store.now();
    const day = d.toUTCString().slice(0, 3);
    const month = d.toUTCString().slice(8, 11);
    const time = d.toISOString().slice(11, 19);
    return `${day} ${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${time} UTC ${d.getUTCFullYear()}`;
  }

  function dig(w: World, source: Pod, argv: readonly string[]): ExecResult {
    const qIndex = argv.indexOf('-q');
    const tIndex = argv.indexOf('-t');
    const name = qIndex >= 0 ? argv[qIndex + 1] : positional(argv, 1, ['-t', '-p', '-q'])[0];
    const type = tIndex >= 0 ? (argv[tIndex + 1] ?? 'A') : 'A';
    if (!name) return { stdout: '', stderr: 'dig: no name given\n', exitCode: 1 };
    const banner = `; <<>> DiG 9.18.41 (simulated by netlens test/support/dataplane.ts) <<>> ${argv.slice(1).join(' ')}`;
    const server = `;; SERVER: ${w.dnsIp}#53(${w.dnsIp}) (UDP)`;
    if (!dnsReachable(w, source)) {
      return {
        stdout: [`;; communications error to ${w.dnsIp}#53: timed out`, '', banner, ';; global options: +cmd', ';; no servers could be reached', ''].join('\n'),
        exitCode: 9,
      };
    }
    const r = resolve(w, source, name);
    const id = hashOf(name) % 65536;
    const header = (status: string, answers: number): string[] => [
      ';; Got answer:',
      `;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: ${id}`,
      `;; flags: qr aa rd; QUERY: 1, ANSWER: ${answers}, AUTHORITY: ${status === 'NXDOMAIN' ? 1 : 0}, ADDITIONAL: 1`,
      ';; WARNING: recursion requested but not available',
      '',
      ';; OPT PSEUDOSECTION:',
      '; EDNS: version: 0, flags:; udp: 1232',
    ];
    const footer = (ms: number, size: number): string[] => ['', `;; Query time: ${ms} msec`, server, `;; WHEN: ${digWhen()}`, `;; MSG SIZE  rcvd: ${size}`, '', ''];
    if (r.kind === 'ok' && type === 'A') {
      const fq = `${r.answered.replace(/\.$/, '')}.`;
      return {
        stdout: [
          '',
          banner,
          ';; global options: +cmd',
          ...header('NOERROR', r.ips.length),
          ';; QUESTION SECTION:',
          `;${fq}\t\tIN\tA`,
          '',
          ';; ANSWER SECTION:',
          ...r.ips.map((ip) => `${fq}\t30\tIN\tA\t${ip}`),
          ...footer(0, 40 + fq.length * 2),
        ].join('\n'),
        exitCode: 0,
      };
    }
    const fq = `${name.replace(/\.$/, '')}.`;
    return {
      stdout: [
        '',
        banner,
        ';; global options: +cmd',
        ...header(r.kind === 'ok' ? 'NOERROR' : 'NXDOMAIN', 0),
        ';; QUESTION SECTION:',
        `;${fq}\t\tIN\t${type}`,
        '',
        ';; AUTHORITY SECTION:',
        `${domain}.\t\t30\tIN\tSOA\tns.dns.${domain}. hostmaster.${domain}. 1700000000 7200 1800 86400 30`,
        ...footer(0, 150),
      ].join('\n'),
      exitCode: 0,
    };
  }

  function curl(w: World, source: Pod, argv: readonly string[]): ExecResult {
    const url = positional(argv, 1, ['-o', '--max-time', '-w', '--connect-timeout'])[0] ?? '';
    const maxTimeIndex = argv.indexOf('--max-time');
    const maxTime = maxTimeIndex >= 0 ? Number(argv[maxTimeIndex + 1]) : 10;
    const m = /^(https?):\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
    if (!m) return { stderr: `curl: (3) URL rejected: Malformed input to a URL function\n`, exitCode: 3 };
    const scheme = m[1]!;
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const port = m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80;
    const t = { dns: 1, connect: 1, tls: scheme === 'https' ? 5 : 0, firstByte: 3, ...(faults.httpTimingsMs ?? {}) };
    const r = connect(w, source, host, port);
    const base: Record<string, unknown> = Object.fromEntries(CURL_JSON_KEYS.map((k) => [k, null]));
    const fill = (values: Record<string, unknown>): string =>
      JSON.stringify({ ...base, ...values }).replace(/"(time_[a-z]+)":([0-9.e-]+)/g, (_m, k: string, v: string) => `"${k}":${fmtSeconds(Number(v))}`);
    const common = {
      certs: '', exitcode: 0, filename_effective: '/dev/null', http_connect: 0, http_version: '0', local_ip: '', local_port: 0, method: 'GET', num_certs: 0, num_connects: 0,
      num_headers: 0, num_redirects: 0, proxy_ssl_verify_result: 0, remote_ip: '', remote_port: 0, response_code: 0, http_code: 0, size_download: 0, size_header: 0, size_request: 0,
      size_upload: 0, speed_download: 0, speed_upload: 0, ssl_verify_result: 0, time_appconnect: 0, time_connect: 0, time_namelookup: 0, time_pretransfer: 0, time_redirect: 0,
      time_starttransfer: 0, time_total: 0, url, url_effective: url, urlnum: 0, curl_version: 'libcurl/8.14.1 OpenSSL/3.5.1 (simulated by netlens test/support/dataplane.ts)',
    };
    const dnsS = isIp(host) ? 0.00002 : t.dns / 1000;
    if (r.kind === 'dns') {
      const msg = `Could not resolve host: ${host}`;
      return { stdout: fill({ ...common, exitcode: 6, errormsg: msg, time_total: 0.004 }) + '\n', stderr: `curl: (6) ${msg}\n`, exitCode: 6 };
    }
    if (r.kind === 'refused') {
      const msg = `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`;
      return { stdout: fill({ ...common, exitcode: 7, errormsg: msg, time_namelookup: dnsS, time_total: dnsS + 0.0002 }) + '\n', stderr: `curl: (7) ${msg}\n`, exitCode: 7 };
    }
    if (r.kind === 'timeout') {
      const ms = maxTime * 1000 + 2;
      const msg = `Connection timed out after ${ms} milliseconds`;
      return { stdout: fill({ ...common, exitcode: 28, errormsg: msg, time_namelookup: dnsS, time_total: ms / 1000 }) + '\n', stderr: `curl: (28) ${msg}\n`, exitCode: 28 };
    }
    const connectS = dnsS + t.connect / 1000;
    const appS = t.tls ? connectS + t.tls / 1000 : 0;
    const startS = (appS || connectS) + t.firstByte / 1000;
    return {
      stdout:
        fill({
          ...common,
          content_type: 'text/html',
          http_code: 200,
          response_code: 200,
          http_version: '1.1',
          local_ip: source.ips[0] ?? '',
          local_port: 40000 + (hashOf(url) % 20000),
          num_connects: 1,
          num_headers: 5,
          remote_ip: r.ip,
          remote_port: port,
          scheme: scheme.toUpperCase(),
          size_download: 612,
          size_header: 238,
          size_request: 78 + host.length,
          time_namelookup: dnsS,
          time_connect: connectS,
          time_appconnect: appS,
          time_pretransfer: appS || connectS,
          time_starttransfer: startS,
          time_total: startS + 0.0001,
        }) + '\n',
      exitCode: 0,
    };
  }

  function ping(w: World, argv: readonly string[]): ExecResult {
    const sIndex = argv.indexOf('-s');
    const payload = sIndex >= 0 ? Number(argv[sIndex + 1]) : 56;
    const host = positional(argv, 1, ['-s', '-c', '-W', '-M', '-i'])[0] ?? '';
    const size = payload + 28;
    const head = `PING ${host} (${host}) ${payload}(${size}) bytes of data.`;
    // Service IPs are virtual (kube-proxy in iptables mode): nothing answers ICMP there.
    const known = w.podsByIp.has(host);
    const lost = !known || (faults.mtuBlackHoleAbove !== undefined && size > faults.mtuBlackHoleAbove);
    if (size > 1500) {
      return { stdout: [head, 'ping: local error: message too long, mtu=1500', '', `--- ${host} ping statistics ---`, '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms', ''].join('\n'), exitCode: 1 };
    }
    if (lost) return { stdout: [head, '', `--- ${host} ping statistics ---`, '1 packets transmitted, 0 received, 100% packet loss, time 0ms', '', ''].join('\n'), exitCode: 1 };
    const rtt = (0.2 + (hashOf(host) % 300) / 1000).toFixed(3);
    return {
      stdout: [head, `${payload + 8} bytes from ${host}: icmp_seq=1 ttl=62 time=${rtt} ms`, '', `--- ${host} ping statistics ---`, '1 packets transmitted, 1 received, 0% packet loss, time 0ms', `rtt min/avg/max/mdev = ${rtt}/${rtt}/${rtt}/0.000 ms`, ''].join('\n'),
      exitCode: 0,
    };
  }

  function ss(source: Pod): ExecResult {
    const rows: [string, string, string][] = [];
    for (const p of source.ports) if (p.protocol === 'TCP') rows.push(['LISTEN', `0.0.0.0:${p.containerPort}`, '0.0.0.0:*']);
    const ip = source.ips[0] ?? '127.0.0.1';
    rows.push(['ESTAB', `${ip}:${41000 + (hashOf(source.name) % 1000)}`, '10.96.0.1:443']);
    for (let i = 0; i < (faults.closeWait ?? 0); i++) rows.push(['CLOSE-WAIT', `${ip}:${45000 + i}`, `10.244.9.${10 + (i % 200)}:8080`]);
    const lines = ['State      Recv-Q Send-Q       Local Address:Port          Peer Address:Port Process'];
    for (const [state, local, peer] of rows) lines.push(`${state.padEnd(10)} ${'0'.padEnd(6)} ${'0'.padEnd(6)} ${local.padStart(24)} ${peer.padStart(26)}`);
    return { stdout: lines.join('\n') + '\n', exitCode: 0 };
  }

  function nodeKernelLog(node: string | undefined): string {
    const lines = [
      `[    0.000000] Linux version 6.1.0-28-cloud-amd64 (simulated kernel log of ${node ?? 'the node'}: netlens test/support/dataplane.ts)`,
      '[    0.412345] Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-cloud-amd64 root=/dev/sda1 ro console=ttyS0',
      '[    3.201234] IPVS: Registered protocols (TCP, UDP, SCTP, AH, ESP)',
      '[    4.000412] bridge: filtering via arp/ip/ip6tables is no longer available by default.',
    ];
    if (node && (faults.conntrackFull ?? []).includes(node)) {
      for (let i = 0; i < 5; i++) lines.push(`[${String(86400 + i * 7).padStart(5)}.${String(120034 + i * 3301).padStart(6, '0')}] nf_conntrack: nf_conntrack: table full, dropping packet`);
    }
    return lines.join('\n') + '\n';
  }

  function cat(w: World, ctx: ExecContext, source: Pod, file: string): ExecResult {
    switch (file) {
      case '/etc/resolv.conf':
        return { stdout: `search ${searchList(source.namespace).join(' ')}\nnameserver ${w.dnsIp}\noptions ndots:5\n`, exitCode: 0 };
      case '/proc/sys/net/ipv4/ip_local_port_range':
        return { stdout: '32768\t60999\n', exitCode: 0 };
      case '/proc/sys/net/netfilter/nf_conntrack_count': {
        const node = wirePod(ctx)?.spec?.nodeName;
        if (!source.hostNetwork) return { stdout: `${10 + (hashOf(source.name) % 40)}\n`, exitCode: 0 };
        const full = node !== undefined && (faults.conntrackFull ?? []).includes(node);
        return { stdout: `${full ? conntrackMax : 1800 + (hashOf(node ?? '') % 4000)}\n`, exitCode: 0 };
      }
      case '/proc/sys/net/netfilter/nf_conntrack_max':
        return { stdout: `${conntrackMax}\n`, exitCode: 0 };
      default:
        return { stderr: `cat: can't open '${file}': No such file or directory\n`, exitCode: 1 };
    }
  }

  function privileged(ctx: ExecContext): boolean {
    const pod = wirePod(ctx);
    const all = [...(pod?.spec?.containers ?? []), ...(pod?.spec?.ephemeralContainers ?? [])];
    return all.find((c) => c.name === ctx.container)?.securityContext?.privileged === true;
  }

  function answer(ctx: ExecContext): ExecResult {
    const w = currentWorld();
    const source = sourceOf(w, ctx);
    const argv = ctx.argv;
    if (!source) return { internalError: `pod ${ctx.namespace}/${ctx.pod} is not known to the simulated data plane` };
    const cmd = argv[0];
    switch (cmd) {
      case 'nc':
        return nc(w, source, argv, false);
      case 'busybox':
        return argv[1] === 'nc' ? nc(w, source, argv, true) : { stderr: `${argv[1] ?? ''}: applet not found\n`, exitCode: 127 };
      case 'dig':
        return dig(w, source, argv);
      case 'curl':
        return curl(w, source, argv);
      case 'ping':
        return ping(w, argv);
      case 'ss':
        return ss(source);
      case 'cat':
        return cat(w, ctx, source, argv[1] ?? '');
      case 'dmesg':
        return privileged(ctx) ? { stdout: nodeKernelLog(wirePod(ctx)?.spec?.nodeName), exitCode: 0 } : { stderr: 'dmesg: klogctl: Operation not permitted\n', exitCode: 1 };
      default:
        return { internalError: `failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd ?? ''}": executable file not found in $PATH: unknown` };
    }
  }

  const handler: ExecHandler = async (ctx) => {
    const wait = faults.delayMs?.(ctx.argv) ?? 0;
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        const entry = { timer: setTimeout(() => finish(), wait), resolve: () => finish() };
        function finish(): void {
          clearTimeout(entry.timer);
          pending.delete(entry);
          resolve();
        }
        pending.add(entry);
      });
    }
    const result = answer(ctx);
    calls.push({ namespace: ctx.namespace, pod: ctx.pod, container: ctx.container, argv: [...ctx.argv], exitCode: 'exitCode' in result ? result.exitCode : null });
    return result;
  };

  return {
    handler,
    setFaults(f) {
      faults = f;
    },
    get faults() {
      return faults;
    },
    calls: () => calls,
    dispose() {
      for (const p of [...pending]) p.resolve();
    },
  };
}
