/**
 * The slice of API validation (pkg/apis/core/validation, pkg/apis/networking/validation) that a
 * client of this project can trip. Field paths and messages follow the real `field.Error` texts;
 * everything not listed here is accepted.
 */
import { fieldErrors, type FieldError } from './status';
import type { SpecLabelSelector } from './selectors';
import { deepEqual, isObject, type Container, type KubeObject, type Pod, type ResourceInfo } from './types';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function labelKeyErrors(field: string, key: string): FieldError[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (!LABEL_NAME.test(name) || name.length > 63) return [fieldErrors.invalid(field, key, QUALIFIED_NAME_MSG)];
  if (slash >= 0 && (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253)) {
    return [fieldErrors.invalid(field, key, `prefix part ${SUBDOMAIN_MSG}`)];
  }
  return [];
}

function labelsErrors(field: string, labels: unknown): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isObject(labels)) return [fieldErrors.invalid(field, labels, 'must be a map of strings')];
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    out.push(...labelKeyErrors(field, k));
    if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) out.push(fieldErrors.invalid(field, v, LABEL_VALUE_MSG));
  }
  return out;
}

/** `metav1validation.ValidateLabelSelector`. */
export function labelSelectorErrors(field: string, selector: unknown): FieldError[] {
  if (selector === undefined || selector === null) return [];
  if (!isObject(selector)) return [fieldErrors.invalid(field, selector, 'must be a label selector')];
  const sel = selector as SpecLabelSelector;
  const out: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const path = `${field}.matchExpressions[${i}]`;
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) out.push(fieldErrors.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) out.push(fieldErrors.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        out.push(fieldErrors.invalid(`${path}.operator`, expr.operator, 'not a valid selector operator'));
    }
    out.push(...labelKeyErrors(`${path}.key`, String(expr.key ?? '')));
  });
  out.push(...labelsErrors(`${field}.matchLabels`, sel.matchLabels));
  return out;
}

/** Name rules: namespaces are DNS labels, everything else here DNS subdomains. */
export function metadataErrors(info: ResourceInfo, obj: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const name = obj.metadata?.name;
  if (!name && !obj.metadata?.generateName) {
    out.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  } else if (name) {
    const label = info.resource === 'namespaces';
    const ok = label ? DNS1123_LABEL.test(name) && name.length <= 63 : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
    if (!ok) out.push(fieldErrors.invalid('metadata.name', name, label ? LABEL_MSG : SUBDOMAIN_MSG));
  }
  out.push(...labelsErrors('metadata.labels', obj.metadata?.labels));
  return out;
}

// ---------------------------------------------------------------------------------------------
// CIDRs

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseIPv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = toGroups(halves[0]);
  const right = halves.length === 2 ? toGroups(halves[1]) : [];
  const missingGroups = 8 - left.length - right.length;
  if (halves.length === 1 ? left.length !== 8 : missingGroups < 1) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missingGroups : 0).fill('0'), ...right];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) n = (n & ~0xffffffffn) | tailV4;
  return n;
}

interface Cidr {
  bits: 32 | 128;
  prefix: number;
  network: bigint;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const v4 = parseIPv4(m[1]);
  const bits: 32 | 128 = v4 !== undefined ? 32 : 128;
  const ip = v4 ?? parseIPv6(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { bits, prefix, network: (ip >> hostBits) << hostBits };
}

function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.bits !== inner.bits) return false;
  const hostBits = BigInt(outer.bits - outer.prefix);
  return inner.network >> hostBits === outer.network >> hostBits;
}

const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

function ipBlockErrors(field: string, block: Record<string, unknown>): FieldError[] {
  const cidrText = block.cidr;
  if (typeof cidrText !== 'string' || cidrText === '') return [fieldErrors.required(`${field}.cidr`)];
  const out: FieldError[] = [];
  const cidr = parseCidr(cidrText);
  if (!cidr) return [fieldErrors.invalid(`${field}.cidr`, cidrText, CIDR_MSG)];
  const except = Array.isArray(block.except) ? block.except : [];
  except.forEach((e, i) => {
    const path = `${field}.except[${i}]`;
    const inner = typeof e === 'string' ? parseCidr(e) : undefined;
    if (!inner) {
      out.push(fieldErrors.invalid(path, e, CIDR_MSG));
      return;
    }
    if (!cidrContains(cidr, inner) || cidr.prefix >= inner.prefix) out.push(fieldErrors.invalid(path, e, 'must be a strict subset of `cidr`'));
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicy

function portNumberErrors(field: string, port: number): FieldError[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [fieldErrors.invalid(field, port, 'must be between 1 and 65535, inclusive')];
}

/** `validation.IsValidPortName` (an IANA_SVC_NAME). */
function portNameErrors(field: string, name: string): FieldError[] {
  const msgs: string[] = [];
  if (name.length > 15) msgs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) msgs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) msgs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) msgs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) msgs.push('must not begin or end with a hyphen');
  return msgs.map((m) => fieldErrors.invalid(field, name, m));
}

function networkPolicyPortErrors(field: string, port: Record<string, unknown>): FieldError[] {
  const out: FieldError[] = [];
  if (port.protocol !== undefined && port.protocol !== null && !['TCP', 'UDP', 'SCTP'].includes(String(port.protocol))) {
    out.push(fieldErrors.notSupported(`${field}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
  }
  const p = port.port;
  if (typeof p === 'number') out.push(...portNumberErrors(`${field}.port`, p));
  else if (typeof p === 'string') {
    if (/^\d+$/.test(p)) out.push(...portNumberErrors(`${field}.port`, Number(p)));
    else out.push(...portNameErrors(`${field}.port`, p));
  }
  if (port.endPort !== undefined && port.endPort !== null) {
    const end = Number(port.endPort);
    if (p === undefined || p === null) out.push(fieldErrors.required(`${field}.port`, 'must be specified when endPort is specified'));
    else if (typeof p === 'string' && !/^\d+$/.test(p)) {
      out.push(fieldErrors.forbidden(`${field}.endPort`, 'may not be specified when `port` is non-numeric'));
    } else if (end < Number(p)) out.push(fieldErrors.invalid(`${field}.endPort`, end, 'must be greater than or equal to `port`'));
    out.push(...portNumberErrors(`${field}.endPort`, end));
  }
  return out;
}

function peerErrors(field: string, peer: Record<string, unknown>): FieldError[] {
  const out: FieldError[] = [];
  let n = 0;
  if (peer.podSelector !== undefined && peer.podSelector !== null) {
    n++;
    out.push(...labelSelectorErrors(`${field}.podSelector`, peer.podSelector));
  }
  if (peer.namespaceSelector !== undefined && peer.namespaceSelector !== null) {
    n++;
    out.push(...labelSelectorErrors(`${field}.namespaceSelector`, peer.namespaceSelector));
  }
  if (isObject(peer.ipBlock)) {
    n++;
    out.push(...ipBlockErrors(`${field}.ipBlock`, peer.ipBlock));
  }
  if (n === 0) out.push(fieldErrors.required(field, 'must specify a peer'));
  else if (n > 1 && isObject(peer.ipBlock)) out.push(fieldErrors.forbidden(field, 'may not specify both ipBlock and another peer'));
  return out;
}

function ruleErrors(field: string, rule: unknown, peersKey: 'from' | 'to'): FieldError[] {
  if (!isObject(rule)) return [fieldErrors.invalid(field, rule, 'must be an object')];
  const out: FieldError[] = [];
  const ports = Array.isArray(rule.ports) ? rule.ports : [];
  ports.forEach((p, i) => out.push(...(isObject(p) ? networkPolicyPortErrors(`${field}.ports[${i}]`, p) : [])));
  const peers = Array.isArray(rule[peersKey]) ? (rule[peersKey] as unknown[]) : [];
  peers.forEach((p, i) => out.push(...(isObject(p) ? peerErrors(`${field}.${peersKey}[${i}]`, p) : [])));
  return out;
}

/** `ValidateNetworkPolicy` minus the parts no client sends. */
export function networkPolicyErrors(info: ResourceInfo, obj: KubeObject): FieldError[] {
  const out = metadataErrors(info, obj);
  const spec = isObject(obj.spec) ? obj.spec : {};
  out.push(...labelSelectorErrors('spec.podSelector', spec.podSelector));
  const ingress = Array.isArray(spec.ingress) ? spec.ingress : [];
  ingress.forEach((r, i) => out.push(...ruleErrors(`spec.ingress[${i}]`, r, 'from')));
  const egress = Array.isArray(spec.egress) ? spec.egress : [];
  egress.forEach((r, i) => out.push(...ruleErrors(`spec.egress[${i}]`, r, 'to')));
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') out.push(fieldErrors.notSupported(`spec.policyTypes[${i}]`, t, ['Egress', 'Ingress']));
  });
  if (types.length > 2) out.push(fieldErrors.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pods

/** The defaults the API server fills into every container (so a resent container compares equal). */
export function defaultContainer(c: Container): Container {
  const image = typeof c.image === 'string' ? c.image : '';
  const tag = image.includes('@') ? 'digest' : /:[^/]+$/.exec(image)?.[0].slice(1) ?? 'latest';
  return {
    ...c,
    imagePullPolicy: c.imagePullPolicy ?? (tag === 'latest' ? 'Always' : 'IfNotPresent'),
    resources: c.resources ?? {},
    terminationMessagePath: c.terminationMessagePath ?? '/dev/termination-log',
    terminationMessagePolicy: c.terminationMessagePolicy ?? 'File',
  };
}

function containerBasicsErrors(field: string, c: unknown): FieldError[] {
  if (!isObject(c)) return [fieldErrors.invalid(field, c, 'must be an object')];
  const out: FieldError[] = [];
  if (typeof c.name !== 'string' || c.name === '') out.push(fieldErrors.required(`${field}.name`));
  else if (!DNS1123_LABEL.test(c.name) || c.name.length > 63) out.push(fieldErrors.invalid(`${field}.name`, c.name, LABEL_MSG));
  if (typeof c.image !== 'string' || c.image.trim() === '') out.push(fieldErrors.required(`${field}.image`));
  return out;
}

/** Create-time validation of a Pod: metadata, containers (name, image, unique names). */
export function podCreateErrors(info: ResourceInfo, pod: Pod): FieldError[] {
  const out = metadataErrors(info, pod);
  const spec = pod.spec ?? {};
  const names = new Set<string>();
  const check = (list: unknown, path: string): void => {
    if (!Array.isArray(list)) return;
    list.forEach((c, i) => {
      const p = `${path}[${i}]`;
      out.push(...containerBasicsErrors(p, c));
      const name = isObject(c) ? c.name : undefined;
      if (typeof name === 'string' && name) {
        if (names.has(name)) out.push(fieldErrors.duplicate(`${p}.name`, name));
        names.add(name);
      }
    });
  };
  check(spec.initContainers, 'spec.initContainers');
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) out.push(fieldErrors.required('spec.containers'));
  else check(spec.containers, 'spec.containers');
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    out.push(fieldErrors.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  return out;
}

/** Fields an ephemeral container may not set (`allowedEphemeralContainerFields` is the complement). */
const EPHEMERAL_FORBIDDEN = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resizePolicy', 'restartPolicy'];

/**
 * `ValidatePodEphemeralContainersUpdate`: new entries are validated, existing ones must be
 * unchanged and present. `newList` must already be defaulted.
 */
export function ephemeralContainersUpdateErrors(oldPod: Pod, newList: readonly Container[]): FieldError[] {
  const out: FieldError[] = [];
  const spec = oldPod.spec ?? {};
  const otherNames = new Set([...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.name));
  const allNames = new Set(otherNames);
  newList.forEach((ec, i) => {
    const path = `spec.ephemeralContainers[${i}]`;
    out.push(...containerBasicsErrors(path, ec));
    if (!isObject(ec)) return;
    if (typeof ec.name === 'string' && ec.name) {
      if (allNames.has(ec.name)) out.push(fieldErrors.duplicate(`${path}.name`, ec.name));
      else allNames.add(ec.name);
    }
    if (ec.targetContainerName && !otherNames.has(ec.targetContainerName)) {
      out.push(fieldErrors.notFound(`${path}.targetContainerName`, ec.targetContainerName));
    }
    for (const f of EPHEMERAL_FORBIDDEN) {
      const v = ec[f];
      const empty = v === undefined || v === null || (Array.isArray(v) && v.length === 0);
      if (!empty) out.push(fieldErrors.forbidden(`${path}.${f}`, 'cannot be set for an Ephemeral Container'));
    }
    const resources = ec.resources;
    if (isObject(resources) && Object.keys(resources).some((k) => resources[k] !== undefined && !(isObject(resources[k]) && Object.keys(resources[k] as object).length === 0))) {
      out.push(fieldErrors.forbidden(`${path}.resources`, 'cannot be set for an Ephemeral Container'));
    }
  });
  const byName = new Map(newList.map((c) => [c.name, c]));
  for (const old of spec.ephemeralContainers ?? []) {
    const next = byName.get(old.name);
    if (!next) {
      out.push(fieldErrors.forbidden('spec.ephemeralContainers', `existing ephemeral containers "${old.name}" may not be removed`));
    } else if (!deepEqual(old, next)) {
      out.push(fieldErrors.forbidden(`spec.ephemeralContainers[${old.name}]`, `existing ephemeral containers "${old.name}" may not be changed`));
    }
  }
  return out;
}

