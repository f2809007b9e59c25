// The quick picks of "Test Connectivity": context (with the recent tests on top), source pod,
// destination (pod, Service, DNS name or IP, typed or picked) and port. Each returns undefined
// when the user presses Escape. Free input is validated with the probes' own validators
// (core/probe/argv.ts), so what is accepted here is what the checks can run.
import * as vscode from 'vscode';
import type { ClusterSnapshot, Pod, Protocol, Service } from '../../core/model';
import { podKey } from '../../core/model';
import { validateHost } from '../../core/probe/argv';
import {
  destinationText,
  isTestablePod,
  parseIp,
  parsePort,
  parseProtocol,
  requestTitle,
  resolveDnsName,
  type Destination,
  type PodRef,
  type TestRequest,
} from './request';

const TITLE = 'NetLens: Test Connectivity';
const STEPS = 4;

function title(step: number): string {
  return `${TITLE} (${step}/${STEPS})`;
}

/** Shows a QuickPick and resolves with the accepted item (undefined on Escape). */
function pick<T extends vscode.QuickPickItem>(
  setup: (qp: vscode.QuickPick<T>) => void,
  accept: (item: T | undefined, qp: vscode.QuickPick<T>) => boolean = (item) => item !== undefined,
): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  setup(qp);
  return new Promise<T | undefined>((resolve) => {
    let done = false;
    const disposables = [
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (!accept(item, qp)) return;
        done = true;
        resolve(item);
        qp.hide();
      }),
      qp.onDidHide(() => {
        if (!done) resolve(undefined);
        for (const d of disposables) d.dispose();
        qp.dispose();
      }),
    ];
    qp.show();
  });
}

// ---------------------------------------------------------------------------------------------
// 1. Context, or a recent test

export interface ContextItemData {
  readonly name: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly server?: string;
}

export type ContextChoice = { readonly kind: 'context'; readonly context: string } | { readonly kind: 'recent'; readonly request: TestRequest };

type ContextItem = vscode.QuickPickItem & { readonly choice?: ContextChoice };

export async function pickContext(contexts: readonly ContextItemData[], current: string | undefined, recents: readonly TestRequest[]): Promise<ContextChoice | undefined> {
  const known = new Set(contexts.map((c) => c.name));
  const usable = recents.filter((r) => known.has(r.context));
  if (usable.length === 0 && contexts.length === 1) return { kind: 'context', context: contexts[0]!.name };
  const items: ContextItem[] = [];
  if (usable.length) {
    items.push({ label: 'Recent tests', kind: vscode.QuickPickItemKind.Separator });
    for (const r of usable) {
      items.push({
        label: `$(history) Run again: ${requestTitle(r)}`,
        description: `${r.context} · ${r.source.namespace}`,
        detail: `${podKey(r.source)} → ${destinationText(r.destination)} port ${r.port}${r.dnsName ? ` (${r.dnsName})` : ''}`,
        choice: { kind: 'recent', request: r },
      });
    }
    items.push({ label: 'Contexts', kind: vscode.QuickPickItemKind.Separator });
  }
  const ordered = [...contexts].sort((a, b) => (a.name === current ? -1 : b.name === current ? 1 : 0));
  for (const c of ordered) {
    items.push({
      label: `$(plug) ${c.name}`,
      description: [c.name === current ? 'current' : '', c.cluster ? `cluster ${c.cluster}` : '', `namespace ${c.namespace}`].filter(Boolean).join(' · '),
      ...(c.server ? { detail: c.server } : {}),
      choice: { kind: 'context', context: c.name },
    });
  }
  const picked = await pick<ContextItem>((qp) => {
    qp.title = title(1);
    qp.placeholder = 'Kubeconfig context to test in, or a recent test to run again';
    qp.matchOnDescription = true;
    qp.items = items;
    // The current context is the default; the recent tests stay on top, one arrow key away.
    const currentItem = items.find((i) => i.choice?.kind === 'context' && i.choice.context === (current ?? ordered[0]?.name));
    if (currentItem) qp.activeItems = [currentItem];
  });
  return picked?.choice;
}

// ---------------------------------------------------------------------------------------------
// 2. Source pod

type PodItem = vscode.QuickPickItem & { readonly pod?: Pod };

function labelsText(pod: Pod): string {
  return Object.entries(pod.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

export async function pickSource(snapshot: ClusterSnapshot, context: string, preferredNamespace: string | undefined): Promise<PodRef | undefined> {
  const pods = snapshot.pods
    .filter(isTestablePod)
    .sort((a, b) => Number(b.namespace === preferredNamespace) - Number(a.namespace === preferredNamespace) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  if (pods.length === 0) {
    void vscode.window.showInformationMessage(`NetLens: context ${context} has no running pod to test from (or netlens.namespaces hides them).`);
    return undefined;
  }
  const picked = await pick<PodItem>((qp) => {
    qp.title = title(2);
    qp.placeholder = `Source pod in ${context}: search by name, namespace, IP or label`;
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.items = pods.map((pod) => ({
      label: pod.name,
      description: [pod.namespace, pod.ips[0] ?? 'no IP', pod.hostNetwork ? 'host network' : '', pod.nodeName ?? ''].filter(Boolean).join(' · '),
      detail: labelsText(pod) || '(no labels)',
      pod,
    }));
  });
  return picked?.pod ? { namespace: picked.pod.namespace, name: picked.pod.name } : undefined;
}

// ---------------------------------------------------------------------------------------------
// 3. Destination

export interface DestinationChoice {
  readonly destination: Destination;
  readonly dnsName?: string;
}

type DestinationItem = vscode.QuickPickItem & { readonly choice?: DestinationChoice; readonly typedName?: string; readonly invalid?: boolean };

function servicePortsText(s: Service): string {
  return s.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'no ports';
}

function podPortsText(p: Pod): string {
  return p.ports.map((cp) => `${cp.containerPort}/${cp.protocol}`).join(', ');
}

/** The item for what the user typed: an IP, a DNS name (a Service's when it is one), or why it is neither. */
function typedItem(snapshot: ClusterSnapshot, value: string, sourceNamespace: string): DestinationItem | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const host = validateHost(text);
  if (!host.ok) {
    // Only when it looks like an address or a name with dots: a plain word is a search.
    return /[.:]/.test(text) ? { label: `$(error) ${text}`, description: host.message, alwaysShow: true, invalid: true } : undefined;
  }
  if (host.value.kind !== 'dns') {
    return { label: `$(globe) ${host.value.value}`, description: 'IP address', alwaysShow: true, choice: { destination: { kind: 'ip', ip: host.value.value } } };
  }
  const inCluster = resolveDnsName(snapshot, host.value.value, sourceNamespace);
  const what = inCluster?.kind === 'service' ? `DNS name of Service ${inCluster.namespace}/${inCluster.name}` : inCluster?.kind === 'ip' ? `DNS name of pod IP ${inCluster.ip}` : 'DNS name outside the cluster (you give its IP next)';
  return {
    label: `$(globe) ${host.value.value}`,
    description: `${what}; resolved in the source pod`,
    alwaysShow: true,
    typedName: host.value.value,
    ...(inCluster ? { choice: { destination: inCluster, dnsName: host.value.value } } : {}),
  };
}

export async function pickDestination(snapshot: ClusterSnapshot, source: PodRef): Promise<DestinationChoice | undefined> {
  const nsFirst = <T extends { namespace: string; name: string }>(a: T, b: T): number =>
    Number(b.namespace === source.namespace) - Number(a.namespace === source.namespace) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
  const services = [...snapshot.services].sort(nsFirst);
  const pods = snapshot.pods.filter((p) => isTestablePod(p) && p.ips.length > 0 && !(p.namespace === source.namespace && p.name === source.name)).sort(nsFirst);
  const base: DestinationItem[] = [
    { label: 'Services', kind: vscode.QuickPickItemKind.Separator },
    ...services.map((s) => ({
      label: `$(server-process) ${s.name}`,
      description: `${s.namespace} · Service ${s.clusterIPs[0] ?? 'headless'} · ${servicePortsText(s)}`,
      choice: { destination: { kind: 'service' as const, namespace: s.namespace, name: s.name } },
    })),
    { label: 'Pods', kind: vscode.QuickPickItemKind.Separator },
    ...pods.map((p) => ({
      label: `$(vm) ${p.name}`,
      description: [p.namespace, p.ips[0], podPortsText(p)].filter(Boolean).join(' · '),
      choice: { destination: { kind: 'pod' as const, namespace: p.namespace, name: p.name } },
    })),
  ];
  const picked = await pick<DestinationItem>(
    (qp) => {
      qp.title = title(3);
      qp.placeholder = 'Destination: a Service or pod, or type a DNS name or an IP address';
      qp.matchOnDescription = true;
      qp.items = base;
      qp.onDidChangeValue((value) => {
        const typed = typedItem(snapshot, value, source.namespace);
        qp.items = typed ? [typed, ...base] : base;
      });
    },
    (item) => item !== undefined && !item.invalid,
  );
  if (!picked) return undefined;
  if (picked.choice) return picked.choice;
  const name = picked.typedName;
  if (name === undefined) return undefined;
  // A name outside the cluster: the checks resolve it in the pod, and connect to the address it should have.
  const ip = await vscode.window.showInputBox({
    title: title(3),
    prompt: `The IP address ${name} should reach (the checks resolve the name in the pod and connect to this address)`,
    placeHolder: '203.0.113.10',
    validateInput: (v) => {
      const r = parseIp(v.trim());
      return r.ok ? undefined : r.message;
    },
  });
  if (ip === undefined) return undefined;
  const parsed = parseIp(ip.trim());
  return parsed.ok ? { destination: { kind: 'ip', ip: parsed.value }, dnsName: name } : undefined;
}

// ---------------------------------------------------------------------------------------------
// 4. Port and protocol

export interface PortChoice {
  readonly port: number | string;
  readonly protocol?: Protocol;
}

type PortItem = vscode.QuickPickItem & { readonly choice?: PortChoice; readonly invalid?: boolean };

/** "5432", "5432/udp", or a port name when the destination can resolve names. */
function parsePortText(text: string, allowNames: boolean): { ok: true; value: PortChoice } | { ok: false; message: string } {
  const m = /^([^/\s]+)(?:\/(\w+))?$/.exec(text.trim());
  if (!m) return { ok: false, message: 'a port number (5432), with a protocol if not TCP (53/UDP)' };
  const port = parsePort(m[1]);
  if (!port.ok) return port;
  if (typeof port.value === 'string' && !allowNames) return { ok: false, message: 'an address outside the cluster needs a port number' };
  if (m[2] === undefined) return { ok: true, value: { port: port.value } };
  const protocol = parseProtocol(m[2]);
  return protocol.ok ? { ok: true, value: { port: port.value, protocol: protocol.value } } : protocol;
}

export function declaredPorts(snapshot: ClusterSnapshot, destination: Destination): PortItem[] {
  if (destination.kind === 'service') {
    const s = snapshot.services.find((x) => x.namespace === destination.namespace && x.name === destination.name);
    return (s?.ports ?? []).map((p) => ({
      label: `${p.port}/${p.protocol}`,
      description: `${p.name ? `${p.name} · ` : ''}targetPort ${p.targetPort}`,
      choice: { port: p.port, protocol: p.protocol },
    }));
  }
  const pod =
    destination.kind === 'pod'
      ? snapshot.pods.find((p) => p.namespace === destination.namespace && p.name === destination.name)
      : snapshot.pods.find((p) => p.ips.includes(destination.ip));
  return (pod?.ports ?? []).map((cp) => ({
    label: `${cp.containerPort}/${cp.protocol}`,
    description: [cp.name, cp.container ? `container ${cp.container}` : ''].filter(Boolean).join(' · '),
    choice: { port: cp.containerPort, protocol: cp.protocol },
  }));
}

export async function pickPort(snapshot: ClusterSnapshot, destination: Destination, label: string): Promise<PortChoice | undefined> {
  const declared = declaredPorts(snapshot, destination);
  const base: PortItem[] = declared.length ? [{ label: 'Declared ports', kind: vscode.QuickPickItemKind.Separator }, ...declared] : [];
  const allowNames = destination.kind !== 'ip' || snapshot.pods.some((p) => p.ips.includes(destination.ip));
  const picked = await pick<PortItem>(
    (qp) => {
      qp.title = title(4);
      qp.placeholder = declared.length ? `Port of ${label}: pick a declared one or type one (5432, 53/UDP)` : `Port of ${label}: type a number (5432, 53/UDP)`;
      qp.matchOnDescription = true;
      qp.items = base;
      qp.onDidChangeValue((value) => {
        if (value.trim() === '') {
          qp.items = base;
          return;
        }
        const parsed = parsePortText(value, allowNames);
        const typed: PortItem = parsed.ok
          ? { label: `$(edit) ${parsed.value.port}${parsed.value.protocol ? `/${parsed.value.protocol}` : ''}`, description: 'typed', alwaysShow: true, choice: parsed.value }
          : { label: `$(error) ${value.trim()}`, description: parsed.message, alwaysShow: true, invalid: true };
        qp.items = [typed, ...base];
      });
    },
    (item) => item !== undefined && !item.invalid && item.choice !== undefined,
  );
  return picked?.choice;
}
