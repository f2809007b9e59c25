/**
 * Turns parsed documents into model objects, validating what netlens relies on the way the
 * API server would. Every problem becomes a Finding at the exact range of the offending key
 * or value; a NetworkPolicy the API server would reject also gets `invalid`, so the engine
 * never counts it.
 *
 * Values follow Go's JSON decoding into the API types: `null` is the same as absent, a
 * string where a number is expected (or the reverse) is a decoding error, and label values
 * must be strings (YAML `app: 1` or `enabled: yes` are not).
 */
import { parseCidr, parseIp } from '../cidr';
import type {
  Cidr,
  ContainerPort,
  Finding,
  LabelSelector,
  LabelSelectorOperator,
  LabelSelectorRequirement,
  Namespace,
  NetworkPolicy,
  Node,
  Pod,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
  PolicyType,
  Protocol,
  Range,
  Service,
  ServicePort,
  Severity,
  SourceRef,
} from '../model';
import { PROTOCOLS } from '../model';
import { NETWORK_POLICY_API_VERSION, WORKLOAD_TEMPLATE_PATHS } from './kinds';
import { T_MAP, T_SCALAR, T_SEQ } from './tree';
import type { Tree } from './tree';
import type { ControllerRef, LoadedObject } from './types';
import { closestName, dnsLabelProblem, dnsSubdomainProblem, escapeControls, labelKeyProblem, labelValueProblem, portNameProblem } from './validate';

/** Per-file state shared by the conversions of all its documents. */
export interface FileContext {
  readonly file: string;
  readonly tree: Tree;
  readonly defaultNamespace: string;
  readonly findings: Finding[];
  readonly objects: LoadedObject[];
  /** Objects netlens does not use, summarised in one hint per file. */
  readonly ignored: { count: number; readonly kinds: Map<string, number>; first?: { doc: number; node: number } };
  doc: number;
}

const METADATA_FIELDS = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
];
const POLICY_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const POLICY_SPEC_FIELDS = ['podSelector', 'policyTypes', 'ingress', 'egress'];
const PEER_FIELDS = ['podSelector', 'namespaceSelector', 'ipBlock'];
const IPBLOCK_FIELDS = ['cidr', 'except'];
const PORT_FIELDS = ['protocol', 'port', 'endPort'];
const SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'];
const REQUIREMENT_FIELDS = ['key', 'operator', 'values'];
const OPERATORS: readonly LabelSelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const POLICY_TYPES: readonly PolicyType[] = ['Ingress', 'Egress'];

function quote(s: string, max = 60): string {
  // JSON.stringify leaves U+2028/U+2029 and C1 controls as they are.
  return escapeControls(JSON.stringify(s.length > max ? `${s.slice(0, max)}...` : s));
}

/** Source text for a message, cut short and one line: a finding never echoes a whole (hostile) value back. */
function snippet(s: string, max = 60): string {
  return escapeControls(s.length > max ? `${s.slice(0, max)}...` : s);
}

/** Reads one object, reporting problems against its nodes. */
class ObjectReader {
  /** Set for NetworkPolicies: errors also make the policy invalid. */
  invalid: string[] | undefined;
  label: string | undefined;

  constructor(
    readonly fc: FileContext,
    readonly root: number,
    readonly kind: string,
  ) {}

  get t(): Tree {
    return this.fc.tree;
  }

  range(node: number, onKey = false): Range {
    const index = this.t.index;
    return (onKey && index.keyRange(node)) || index.valueRange(node);
  }

  report(code: string, severity: Severity, message: string, node: number, onKey = false): void {
    const f: Finding = { code, severity, message, file: this.fc.file, range: this.range(node, onKey) };
    this.fc.findings.push(this.label ? { ...f, object: this.label } : f);
  }

  error(code: string, message: string, node: number, onKey = false): void {
    this.report(code, 'error', message, node, onKey);
    this.invalid?.push(message);
  }

  /** Text for messages: what a node holds. */
  describe(node: number): string {
    const t = this.t;
    switch (t.type(node)) {
      case T_MAP:
        return 'a mapping';
      case T_SEQ:
        return 'a list';
      default: {
        const v = t.scalar(node);
        const src = snippet(t.source(node));
        if (typeof v === 'string') return `the string ${quote(v)}`;
        if (typeof v === 'number') return `the number ${src}`;
        if (typeof v === 'boolean') return `${src} (a boolean in YAML)`;
        if (v === null) return 'empty (null)';
        if (v instanceof Date) return `${src} (a timestamp in YAML)`;
        return src;
      }
    }
  }

  wrongType(node: number, path: string, expected: string, hint = ''): void {
    this.error('wrong-type', `${path} must be ${expected}, not ${this.describe(node)}${hint}.`, node);
  }

  isNull(node: number): boolean {
    return this.t.type(node) === T_SCALAR && this.t.scalar(node) === null;
  }

  /** The child node, or -1 when absent or null (Go's decoder treats both alike). */
  field(parent: number, key: string): number {
    if (parent < 0) return -1;
    const c = this.t.child(parent, key);
    return c < 0 || this.isNull(c) ? -1 : c;
  }

  mapField(parent: number, key: string, path: string): number {
    const c = this.field(parent, key);
    if (c >= 0 && this.t.type(c) !== T_MAP) {
      this.wrongType(c, path, 'a mapping');
      return -1;
    }
    return c;
  }

  seqField(parent: number, key: string, path: string): number[] | undefined {
    const c = this.field(parent, key);
    if (c < 0) return undefined;
    if (this.t.type(c) !== T_SEQ) {
      this.wrongType(c, path, 'a list', this.t.type(c) === T_MAP ? ' (start each entry with "- ")' : '');
      return undefined;
    }
    return this.t.children(c);
  }

  str(node: number, path: string): string | undefined {
    if (node < 0) return undefined;
    if (this.t.type(node) === T_SCALAR) {
      const v = this.t.scalar(node);
      if (typeof v === 'string') return v;
      if (v === null) return undefined;
      const src = snippet(this.t.source(node));
      this.wrongType(node, path, 'a string', `: quote it ("${src}")`);
      return undefined;
    }
    this.wrongType(node, path, 'a string');
    return undefined;
  }

  strField(parent: number, key: string, path: string): string | undefined {
    return this.str(this.field(parent, key), path);
  }

  bool(node: number, path: string): boolean | undefined {
    if (node < 0) return undefined;
    const v = this.t.type(node) === T_SCALAR ? this.t.scalar(node) : undefined;
    if (typeof v === 'boolean') return v;
    this.wrongType(node, path, 'true or false', typeof v === 'string' ? ' (remove the quotes)' : '');
    return undefined;
  }

  /** A number; strings are a decoding error for the API's integer fields. */
  num(node: number, path: string): number | undefined {
    if (node < 0) return undefined;
    const v = this.t.type(node) === T_SCALAR ? this.t.scalar(node) : undefined;
    if (typeof v === 'number') return v;
    this.wrongType(node, path, 'a number', typeof v === 'string' && /^\d+$/.test(v) ? ' (remove the quotes)' : '');
    return undefined;
  }

  /** Reports keys the API type does not have (strict field validation rejects them). */
  unknownFields(node: number, path: string, allowed: readonly string[], what: string): void {
    if (node < 0 || this.t.type(node) !== T_MAP) return;
    for (const c of this.t.children(node)) {
      const name = this.t.name(c) ?? '';
      if (allowed.includes(name)) continue;
      const guess = closestName(name, allowed);
      const at = path ? `${path}.${snippet(name)}` : snippet(name);
      this.error(
        'unknown-field',
        `Unknown field ${quote(name)} in ${what} (${at})${guess ? `: did you mean "${guess}"?` : '.'} ` +
          'The API server rejects it with strict field validation (kubectl\'s default), or silently drops it otherwise.',
        c,
        true,
      );
    }
  }

  /** A label map (metadata.labels, matchLabels, a Service selector). */
  labels(node: number, path: string, code: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (node < 0) return out;
    const t = this.t;
    if (t.type(node) !== T_MAP) {
      this.wrongType(node, path, 'a mapping of label keys to values');
      return out;
    }
    for (const c of t.children(node)) {
      const key = t.name(c) ?? '';
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) {
        this.error(code, `Label key ${quote(key)} is invalid: ${keyProblem}.`, c, true);
        continue;
      }
      if (t.type(c) !== T_SCALAR) {
        this.wrongType(c, `${path}.${key}`, 'a string');
        continue;
      }
      const v = t.scalar(c);
      if (typeof v === 'string') {
        const valueProblem = labelValueProblem(v);
        if (valueProblem) {
          this.error(code, `Label value ${quote(v)} of ${quote(key)} is invalid: ${valueProblem}.`, c);
          continue;
        }
        out[key] = v;
      } else if (v === null) {
        this.report(
          'empty-label-value',
          'warning',
          `Label ${quote(key)} has no value: the API server stores it as the empty string "". Write ${key}: "" if that is what you mean.`,
          c,
          true,
        );
        out[key] = '';
      } else {
        const src = snippet(t.source(c));
        const type = typeof v === 'number' ? 'a number' : typeof v === 'boolean' ? 'a boolean' : 'not a string';
        this.error(
          code === 'invalid-selector' ? code : 'wrong-type',
          `Label ${quote(key)} has the value ${src}, which YAML reads as ${type}: label values must be strings, so quote it: ${key}: "${src}".`,
          c,
        );
      }
    }
    return out;
  }

  selector(node: number, path: string): LabelSelector | undefined {
    const t = this.t;
    if (t.type(node) !== T_MAP) {
      this.wrongType(node, path, 'a label selector (a mapping with matchLabels and/or matchExpressions)');
      return undefined;
    }
    this.unknownFields(node, path, SELECTOR_FIELDS, 'a label selector');
    const matchLabels = this.labels(this.field(node, 'matchLabels'), `${path}.matchLabels`, 'invalid-selector');
    const matchExpressions: LabelSelectorRequirement[] = [];
    const exprs = this.seqField(node, 'matchExpressions', `${path}.matchExpressions`) ?? [];
    exprs.forEach((e, k) => {
      const p = `${path}.matchExpressions.${k}`;
      if (t.type(e) !== T_MAP) {
        this.wrongType(e, p, 'a mapping with key, operator and values');
        return;
      }
      this.unknownFields(e, p, REQUIREMENT_FIELDS, 'a selector requirement');
      const keyNode = this.field(e, 'key');
      const key = this.str(keyNode, `${p}.key`);
      let ok = true;
      if (key === undefined) {
        if (keyNode < 0) this.error('missing-field', `${p}.key is required: name the label this requirement tests.`, e);
        ok = false;
      } else {
        const problem = labelKeyProblem(key);
        if (problem) {
          this.error('invalid-selector', `Label key ${quote(key)} is invalid: ${problem}.`, keyNode);
          ok = false;
        }
      }
      const opNode = this.field(e, 'operator');
      const op = this.str(opNode, `${p}.operator`);
      let operator: LabelSelectorOperator | undefined;
      if (op === undefined) {
        if (opNode < 0) this.error('missing-field', `${p}.operator is required: use In, NotIn, Exists or DoesNotExist.`, e);
        ok = false;
      } else if ((OPERATORS as readonly string[]).includes(op)) {
        operator = op as LabelSelectorOperator;
      } else {
        const guess = closestName(op, OPERATORS);
        this.error(
          'invalid-selector',
          `Operator ${quote(op)} is not supported: use In, NotIn, Exists or DoesNotExist${guess ? ` (did you mean "${guess}"?)` : ''}; operators are case-sensitive.`,
          opNode,
        );
        ok = false;
      }
      const valuesNode = this.field(e, 'values');
      const values: string[] = [];
      const items = this.seqField(e, 'values', `${p}.values`);
      if (items === undefined && valuesNode >= 0) ok = false;
      (items ?? []).forEach((v, j) => {
        if (t.type(v) === T_SCALAR && t.scalar(v) === null) {
          values.push('');
          return;
        }
        const s = this.str(v, `${p}.values.${j}`);
        if (s === undefined) {
          ok = false;
          return;
        }
        const problem = labelValueProblem(s);
        if (problem) {
          this.error('invalid-selector', `Value ${quote(s)} is not a valid label value: ${problem}.`, v);
          ok = false;
          return;
        }
        values.push(s);
      });
      if (operator === 'In' || operator === 'NotIn') {
        if ((items ?? []).length === 0) {
          this.error('invalid-selector', `Operator ${operator} needs at least one value in "values".`, valuesNode >= 0 ? valuesNode : opNode);
          ok = false;
        }
      } else if (operator && (items ?? []).length > 0) {
        this.error('invalid-selector', `Operator ${operator} takes no values: remove "values" (or use In / NotIn).`, valuesNode);
        ok = false;
      }
      if (ok && key !== undefined && operator) matchExpressions.push({ key, operator, values });
    });
    return { matchLabels, matchExpressions };
  }

  source(): SourceRef {
    return makeSource(this.fc, this.root);
  }
}

/** The SourceRef of an object rooted at `root`: `at(path)` resolves paths relative to it. */
export function makeSource(fc: FileContext, root: number): SourceRef {
  const index = fc.tree.index;
  return {
    file: fc.file,
    doc: fc.doc,
    range: index.valueRange(root),
    at: (path: string) => {
      const n = index.find(root, path);
      if (n < 0) return undefined;
      const key = n === root ? undefined : index.keyRange(n);
      return key ? { key, value: index.valueRange(n) } : { value: index.valueRange(n) };
    },
  };
}

/**
 * A name the API server would refuse. A warning, not an error: the name does not change
 * what the object means for traffic, so netlens still analyses it as written (and upstream
 * test suites use such names, e.g. "default-allow-ingress-ipBlock").
 */
function nameWarning(o: ObjectReader, what: string, name: string, problem: string, node: number): void {
  o.report('invalid-name', 'warning', `${what} name ${quote(name)} would be rejected by the API server: ${problem}.`, node);
}

interface Meta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  controller?: ControllerRef;
}

/** Reads metadata; undefined (after a finding) when the object has no usable name. */
function readMeta(o: ObjectReader, namespaced: boolean): Meta | undefined {
  const t = o.t;
  const meta = o.mapField(o.root, 'metadata', 'metadata');
  const nameNode = o.field(meta, 'name');
  const name = o.str(nameNode, 'metadata.name');
  if (name === undefined) {
    if (nameNode < 0) {
      const generated = o.field(meta, 'generateName') >= 0;
      const kindNode = t.child(o.root, 'kind');
      o.error(
        'missing-field',
        `This ${o.kind} has no metadata.name${generated ? ' (only generateName, which the API server completes at creation)' : ''}: ` +
          'netlens needs a name to refer to it, so it was skipped.',
        meta >= 0 ? meta : kindNode >= 0 ? kindNode : o.root,
        meta >= 0,
      );
    }
    return undefined;
  }
  let namespace = '';
  if (namespaced) {
    const nsNode = o.field(meta, 'namespace');
    namespace = o.str(nsNode, 'metadata.namespace') ?? o.fc.defaultNamespace;
    if (nsNode >= 0) {
      const problem = dnsLabelProblem(namespace);
      if (problem) nameWarning(o, 'Namespace', namespace, problem, nsNode);
    }
  }
  o.label = namespaced ? `${o.kind} ${namespace}/${name}` : `${o.kind} ${name}`;
  const labels = o.labels(o.field(meta, 'labels'), 'metadata.labels', 'invalid-label');
  const out: Meta = { name, namespace, labels };
  const owners = o.field(meta, 'ownerReferences');
  if (owners >= 0 && t.type(owners) === T_SEQ) {
    for (const ref of t.children(owners)) {
      if (t.type(ref) !== T_MAP) continue;
      const controller = t.child(ref, 'controller');
      if (controller < 0 || t.scalar(controller) !== true) continue;
      const kindNode = t.child(ref, 'kind');
      const refName = t.child(ref, 'name');
      const kind = kindNode >= 0 ? t.scalar(kindNode) : undefined;
      const n = refName >= 0 ? t.scalar(refName) : undefined;
      if (typeof kind === 'string' && typeof n === 'string') out.controller = { kind, name: n };
    }
  }
  return out;
}

/**
 * metadata.annotations must map keys to strings: the API server rejects anything else (an
 * unquoted `prometheus.io/port: 9090` is the usual slip), so such a policy never takes effect.
 * Checked for NetworkPolicies only, where a rejected object changes verdicts.
 */
function checkAnnotations(o: ObjectReader, node: number): void {
  if (node < 0) return;
  const t = o.t;
  if (t.type(node) !== T_MAP) {
    o.wrongType(node, 'metadata.annotations', 'a mapping of keys to string values');
    return;
  }
  // null decodes as "" (Go's map[string]string), as for labels.
  for (const c of t.children(node)) if (!o.isNull(c)) o.str(c, `metadata.annotations.${snippet(t.name(c) ?? '')}`);
}

function protocolOf(o: ObjectReader, node: number, path: string): Protocol | undefined {
  if (node < 0) return 'TCP';
  const p = o.str(node, path);
  if (p === undefined) return undefined;
  if ((PROTOCOLS as readonly string[]).includes(p)) return p as Protocol;
  const upper = p.toUpperCase();
  const hint = (PROTOCOLS as readonly string[]).includes(upper) ? `: write "${upper}" (protocols are case-sensitive)` : '';
  o.error('invalid-protocol', `Protocol ${quote(p)} is not supported: use TCP, UDP or SCTP${hint}.`, node);
  return undefined;
}

/** A port number field (1-65535); reports and returns undefined otherwise. */
function portNumber(o: ObjectReader, node: number, path: string, what: string, code = 'invalid-port'): number | undefined {
  const v = o.t.type(node) === T_SCALAR ? o.t.scalar(node) : undefined;
  if (typeof v !== 'number') {
    o.num(node, path);
    return undefined;
  }
  if (!Number.isInteger(v)) {
    o.error(code, `${what} ${snippet(o.t.source(node))} is invalid: it must be a whole number from 1 to 65535.`, node);
    return undefined;
  }
  if (v < 1 || v > 65535) {
    o.error(code, `${what} ${v} is invalid: it must be between 1 and 65535.`, node);
    return undefined;
  }
  return v;
}

/** A port that is a number or a named container port (NetworkPolicy port, Service targetPort). */
function portOrName(o: ObjectReader, node: number, path: string, what: string): number | string | undefined {
  const t = o.t;
  const v = t.type(node) === T_SCALAR ? t.scalar(node) : undefined;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) {
      o.error(
        'invalid-port',
        `${what} "${v}" is a quoted number, which the API server reads as a port name, and port names need a letter: write ${v} without quotes.`,
        node,
      );
      return undefined;
    }
    const problem = portNameProblem(v);
    if (problem) {
      o.error('invalid-port', `${what} name ${quote(v)} is invalid: ${problem}.`, node);
      return undefined;
    }
    return v;
  }
  if (typeof v === 'number') return portNumber(o, node, path, what);
  o.wrongType(node, path, 'a port number or a port name');
  return undefined;
}

function containerPorts(o: ObjectReader, spec: number, path: string): ContainerPort[] {
  const t = o.t;
  const out: ContainerPort[] = [];
  for (const list of ['containers', 'initContainers']) {
    const containers = o.seqField(spec, list, `${path}.${list}`) ?? [];
    containers.forEach((c, k) => {
      const cPath = `${path}.${list}.${k}`;
      if (t.type(c) !== T_MAP) {
        o.wrongType(c, cPath, 'a mapping (a container)');
        return;
      }
      // Only sidecars (init containers that keep running) serve ports.
      if (list === 'initContainers' && o.strField(c, 'restartPolicy', `${cPath}.restartPolicy`) !== 'Always') return;
      const container = o.strField(c, 'name', `${cPath}.name`);
      const ports = o.seqField(c, 'ports', `${cPath}.ports`) ?? [];
      ports.forEach((p, j) => {
        const pPath = `${cPath}.ports.${j}`;
        if (t.type(p) !== T_MAP) {
          o.wrongType(p, pPath, 'a mapping with containerPort');
          return;
        }
        const numNode = o.field(p, 'containerPort');
        if (numNode < 0) {
          o.error('missing-field', `${pPath}.containerPort is required.`, p);
          return;
        }
        const containerPort = portNumber(o, numNode, `${pPath}.containerPort`, 'containerPort');
        const protocol = protocolOf(o, o.field(p, 'protocol'), `${pPath}.protocol`);
        if (containerPort === undefined || protocol === undefined) return;
        const nameNode = o.field(p, 'name');
        let name = o.str(nameNode, `${pPath}.name`);
        if (name !== undefined) {
          const problem = portNameProblem(name);
          if (problem) {
            o.error('invalid-port', `Port name ${quote(name)} is invalid: ${problem}.`, nameNode);
            name = undefined;
          }
        }
        const port: ContainerPort = { containerPort, protocol };
        out.push({ ...(name !== undefined ? { name } : {}), ...port, ...(container !== undefined ? { container } : {}) });
      });
    });
  }
  return out;
}

function ipList(o: ObjectReader, nodes: Array<{ node: number; path: string }>): string[] {
  const out: string[] = [];
  for (const { node, path } of nodes) {
    const ip = o.str(node, path);
    if (ip === undefined || ip === '' || ip === 'None') continue;
    if (!parseIp(ip)) {
      o.error('invalid-ip', `${quote(ip)} is not an IPv4 or IPv6 address.`, node);
      continue;
    }
    if (!out.includes(ip)) out.push(ip);
  }
  return out;
}

function convertPod(o: ObjectReader): void {
  const meta = readMeta(o, true);
  if (!meta) return;
  const t = o.t;
  const spec = o.mapField(o.root, 'spec', 'spec');
  const status = o.mapField(o.root, 'status', 'status');
  const ports = containerPorts(o, spec, 'spec');
  const hostNetwork = o.bool(o.field(spec, 'hostNetwork'), 'spec.hostNetwork') ?? false;
  const nodeName = o.strField(spec, 'nodeName', 'spec.nodeName');
  const phase = o.strField(status, 'phase', 'status.phase');
  const podIPs = o.seqField(status, 'podIPs', 'status.podIPs') ?? [];
  const ipNodes = podIPs
    .map((p, k) => ({ node: t.type(p) === T_MAP ? o.field(p, 'ip') : p, path: `status.podIPs.${k}.ip` }))
    .filter((x) => x.node >= 0);
  if (ipNodes.length === 0) {
    const single = o.field(status, 'podIP');
    if (single >= 0) ipNodes.push({ node: single, path: 'status.podIP' });
  }
  const pod: Pod = {
    kind: 'Pod',
    namespace: meta.namespace,
    name: meta.name,
    labels: meta.labels,
    ips: ipList(o, ipNodes),
    ports,
    hostNetwork,
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(phase !== undefined ? { phase } : {}),
    origin: { type: 'pod' },
    source: o.source(),
  };
  o.fc.objects.push(meta.controller ? { object: pod, controller: meta.controller } : { object: pod });
}

function convertWorkload(o: ObjectReader): void {
  const meta = readMeta(o, true);
  if (!meta) return;
  const templatePath = WORKLOAD_TEMPLATE_PATHS[o.kind]!;
  let node = o.root;
  let path = '';
  for (const seg of templatePath.split('.')) {
    path = path ? `${path}.${seg}` : seg;
    node = o.mapField(node, seg, path);
    if (node < 0) break;
  }
  if (node < 0) {
    o.report(
      'missing-field',
      'warning',
      `This ${o.kind} has no pod template (${templatePath}): netlens cannot tell which pods it runs, so it was skipped.`,
      o.t.child(o.root, 'kind') >= 0 ? o.t.child(o.root, 'kind') : o.root,
    );
    return;
  }
  const tmeta = o.mapField(node, 'metadata', `${templatePath}.metadata`);
  const labels = o.labels(o.field(tmeta, 'labels'), `${templatePath}.metadata.labels`, 'invalid-label');
  const spec = o.mapField(node, 'spec', `${templatePath}.spec`);
  const ports = containerPorts(o, spec, `${templatePath}.spec`);
  const hostNetwork = o.bool(o.field(spec, 'hostNetwork'), `${templatePath}.spec.hostNetwork`) ?? false;
  const pod: Pod = {
    kind: 'Pod',
    namespace: meta.namespace,
    name: meta.name,
    labels,
    ips: [],
    ports,
    hostNetwork,
    origin: { type: 'workload', kind: o.kind, name: meta.name },
    source: o.source(),
  };
  o.fc.objects.push(meta.controller ? { object: pod, controller: meta.controller } : { object: pod });
}

function convertService(o: ObjectReader): void {
  const meta = readMeta(o, true);
  if (!meta) return;
  const t = o.t;
  const spec = o.mapField(o.root, 'spec', 'spec');
  const selNode = o.field(spec, 'selector');
  const selector = o.labels(selNode, 'spec.selector', 'invalid-label');
  const ports: ServicePort[] = [];
  (o.seqField(spec, 'ports', 'spec.ports') ?? []).forEach((p, k) => {
    const path = `spec.ports.${k}`;
    if (t.type(p) !== T_MAP) {
      o.wrongType(p, path, 'a mapping with port');
      return;
    }
    const portNode = o.field(p, 'port');
    if (portNode < 0) {
      o.error('missing-field', `${path}.port is required.`, p);
      return;
    }
    const port = portNumber(o, portNode, `${path}.port`, 'port');
    const protocol = protocolOf(o, o.field(p, 'protocol'), `${path}.protocol`);
    const targetNode = o.field(p, 'targetPort');
    const targetPort = targetNode < 0 ? port : portOrName(o, targetNode, `${path}.targetPort`, 'targetPort');
    const name = o.strField(p, 'name', `${path}.name`);
    if (port === undefined || protocol === undefined || targetPort === undefined) return;
    ports.push({ ...(name !== undefined ? { name } : {}), port, targetPort, protocol });
  });
  const ipsNode = o.seqField(spec, 'clusterIPs', 'spec.clusterIPs') ?? [];
  const ipNodes = ipsNode.map((n, k) => ({ node: n, path: `spec.clusterIPs.${k}` }));
  if (ipNodes.length === 0) {
    const single = o.field(spec, 'clusterIP');
    if (single >= 0) ipNodes.push({ node: single, path: 'spec.clusterIP' });
  }
  const type = o.strField(spec, 'type', 'spec.type');
  const service: Service = {
    kind: 'Service',
    namespace: meta.namespace,
    name: meta.name,
    // An empty selector is stored as none: the Service then has no managed endpoints.
    ...(Object.keys(selector).length > 0 ? { selector } : {}),
    ports,
    clusterIPs: ipList(o, ipNodes),
    ...(type !== undefined ? { type } : {}),
    source: o.source(),
  };
  o.fc.objects.push({ object: service });
}

function convertNode(o: ObjectReader): void {
  const meta = readMeta(o, false);
  if (!meta) return;
  const t = o.t;
  const spec = o.mapField(o.root, 'spec', 'spec');
  const status = o.mapField(o.root, 'status', 'status');
  const addresses: string[] = [];
  (o.seqField(status, 'addresses', 'status.addresses') ?? []).forEach((a, k) => {
    if (t.type(a) !== T_MAP) return;
    const type = o.strField(a, 'type', `status.addresses.${k}.type`);
    if (type !== 'InternalIP' && type !== 'ExternalIP') return;
    addresses.push(...ipList(o, [{ node: o.field(a, 'address'), path: `status.addresses.${k}.address` }]).filter((ip) => !addresses.includes(ip)));
  });
  const cidrNodes = (o.seqField(spec, 'podCIDRs', 'spec.podCIDRs') ?? []).map((n, k) => ({ node: n, path: `spec.podCIDRs.${k}` }));
  if (cidrNodes.length === 0) {
    const single = o.field(spec, 'podCIDR');
    if (single >= 0) cidrNodes.push({ node: single, path: 'spec.podCIDR' });
  }
  const podCIDRs: string[] = [];
  for (const { node, path } of cidrNodes) {
    const text = o.str(node, path);
    if (text === undefined) continue;
    const parsed = parseCidr(text);
    if (!parsed.ok) {
      o.error('invalid-cidr', cidrMessage(parsed.error, text), node);
      continue;
    }
    podCIDRs.push(text);
  }
  const result: Node = { kind: 'Node', name: meta.name, labels: meta.labels, addresses, podCIDRs, source: o.source() };
  o.fc.objects.push({ object: result });
}

function convertNamespace(o: ObjectReader): void {
  const meta = readMeta(o, false);
  if (!meta) return;
  const nameNode = o.t.child(o.field(o.root, 'metadata'), 'name');
  const problem = dnsLabelProblem(meta.name);
  if (problem) nameWarning(o, 'Namespace', meta.name, problem, nameNode);
  const key = 'kubernetes.io/metadata.name';
  const written = meta.labels[key];
  if (written !== undefined && written !== meta.name) {
    const labels = o.field(o.field(o.root, 'metadata'), 'labels');
    o.report(
      'namespace-name-label',
      'warning',
      `The API server always sets ${key} to the namespace name (${quote(meta.name)}), so ${quote(written)} is replaced.`,
      o.t.child(labels, key),
    );
  }
  const ns: Namespace = { kind: 'Namespace', name: meta.name, labels: { ...meta.labels, [key]: meta.name }, inferred: false, source: o.source() };
  o.fc.objects.push({ object: ns });
}

/** parseCidr's messages start with the quoted text; name the field for the reader. */
function cidrMessage(error: string, text?: string): string {
  if (text !== undefined && !text.includes('/') && !parseIp(text.trim())) {
    return `CIDR ${quote(text)} is invalid: write an address range such as "10.0.0.0/16" (or "192.0.2.7/32" for one address).`;
  }
  const m = /^("[^"]*") is not a valid CIDR: (.*)$/.exec(error);
  if (m) return `CIDR ${m[1]} is invalid: ${m[2]}.`;
  return error.startsWith('"') ? `CIDR ${error}.` : `Invalid CIDR: ${error}.`;
}

function readCidr(o: ObjectReader, node: number, path: string): Cidr | undefined {
  const t = o.t;
  const v = t.type(node) === T_SCALAR ? t.scalar(node) : undefined;
  if (typeof v !== 'string') {
    o.wrongType(node, path, 'a CIDR string such as "10.0.0.0/16"');
    return undefined;
  }
  const parsed = parseCidr(v);
  if (!parsed.ok) {
    o.error('invalid-cidr', cidrMessage(parsed.error, v), node);
    return undefined;
  }
  return parsed.value;
}

function readIpBlock(o: ObjectReader, node: number, peerPath: string): PolicyPeer | undefined {
  const path = `${peerPath}.ipBlock`;
  const t = o.t;
  if (t.type(node) !== T_MAP) {
    o.wrongType(node, path, 'a mapping with cidr (and optionally except)');
    return undefined;
  }
  o.unknownFields(node, path, IPBLOCK_FIELDS, 'an ipBlock');
  const cidrNode = o.field(node, 'cidr');
  const cidrText = cidrNode >= 0 && t.type(cidrNode) === T_SCALAR ? t.scalar(cidrNode) : undefined;
  if (cidrNode < 0 || cidrText === '') {
    o.error('missing-field', `${path}.cidr is required, e.g. cidr: 10.0.0.0/16.`, cidrNode >= 0 ? cidrNode : node, cidrNode < 0);
    return undefined;
  }
  const cidr = readCidr(o, cidrNode, `${path}.cidr`);
  const except: Cidr[] = [];
  let ok = cidr !== undefined;
  (o.seqField(node, 'except', `${path}.except`) ?? []).forEach((e, k) => {
    const ePath = `${path}.except.${k}`;
    const inner = readCidr(o, e, ePath);
    if (!inner) {
      ok = false;
      return;
    }
    if (!cidr) return;
    if (inner.family !== cidr.family) {
      o.error(
        'except-outside-cidr',
        `except ${quote(inner.text)} is not inside cidr ${quote(cidr.text)} (one is IPv${inner.family}, the other IPv${cidr.family}): ` +
          'each except entry must be a strict subset of cidr, or the API server rejects the policy.',
        e,
      );
      ok = false;
      return;
    }
    const outerMask = cidr.prefix === 0 ? 0n : ((1n << BigInt(cidr.prefix)) - 1n) << BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
    const inside = (inner.network & outerMask) === cidr.network;
    if (!inside) {
      o.error(
        'except-outside-cidr',
        `except ${quote(inner.text)} is not inside cidr ${quote(cidr.text)}: each except entry must be a strict subset of cidr, or the API server rejects the policy.`,
        e,
      );
      ok = false;
    } else if (inner.prefix <= cidr.prefix) {
      o.error(
        'except-outside-cidr',
        `except ${quote(inner.text)} covers all of cidr ${quote(cidr.text)}: an except entry must be a strict subset (a longer prefix than /${cidr.prefix}), or the API server rejects the policy.`,
        e,
      );
      ok = false;
    } else except.push(inner);
  });
  if (!ok || !cidr) return undefined;
  return { type: 'ipBlock', cidr, except, path: peerPath };
}

function readPeers(o: ObjectReader, rule: number, field: 'from' | 'to', rulePath: string): PolicyPeer[] {
  const t = o.t;
  const peers: PolicyPeer[] = [];
  const items = o.seqField(rule, field, `${rulePath}.${field}`) ?? [];
  const direction = field === 'from' ? 'sources' : 'destinations';
  items.forEach((p, k) => {
    const path = `${rulePath}.${field}.${k}`;
    if (t.type(p) !== T_MAP && !o.isNull(p)) {
      o.wrongType(p, path, 'a mapping with podSelector, namespaceSelector or ipBlock');
      return;
    }
    o.unknownFields(p, path, PEER_FIELDS, 'a peer');
    const pod = o.field(p, 'podSelector');
    const ns = o.field(p, 'namespaceSelector');
    const ip = o.field(p, 'ipBlock');
    const count = (pod >= 0 ? 1 : 0) + (ns >= 0 ? 1 : 0) + (ip >= 0 ? 1 : 0);
    if (count === 0) {
      o.error(
        'invalid-peer',
        `This peer is empty: a peer must set podSelector, namespaceSelector or ipBlock, and the API server rejects an empty one. ` +
          `To allow all ${direction}, remove "${field}" (or leave its list empty); for all pods in all namespaces use namespaceSelector: {}.`,
        p,
      );
      return;
    }
    if (ip >= 0 && count > 1) {
      o.error(
        'invalid-peer',
        'ipBlock cannot be combined with podSelector or namespaceSelector in one peer: the API server rejects it. ' +
          'Make them separate list entries ("- ipBlock: ..." and "- podSelector: ..."), which are ORed.',
        p,
      );
      return;
    }
    if (ip >= 0) {
      const peer = readIpBlock(o, ip, path);
      if (peer) peers.push(peer);
      return;
    }
    const podSelector = pod >= 0 ? o.selector(pod, `${path}.podSelector`) : undefined;
    const namespaceSelector = ns >= 0 ? o.selector(ns, `${path}.namespaceSelector`) : undefined;
    if ((pod >= 0 && !podSelector) || (ns >= 0 && !namespaceSelector)) return;
    peers.push({
      type: 'selector',
      ...(podSelector ? { podSelector } : {}),
      ...(namespaceSelector ? { namespaceSelector } : {}),
      path,
    });
  });
  return peers;
}

function readPolicyPort(o: ObjectReader, node: number, path: string): PolicyPort | undefined {
  const t = o.t;
  // A null entry decodes to an empty port: every TCP port.
  if (o.isNull(node)) return { protocol: 'TCP', path };
  if (t.type(node) !== T_MAP) {
    o.wrongType(node, path, 'a mapping with protocol, port and endPort');
    return undefined;
  }
  o.unknownFields(node, path, PORT_FIELDS, 'a port');
  const protocol = protocolOf(o, o.field(node, 'protocol'), `${path}.protocol`);
  const portNode = o.field(node, 'port');
  const endNode = o.field(node, 'endPort');
  const port = portNode >= 0 ? portOrName(o, portNode, `${path}.port`, 'Port') : undefined;
  let ok = protocol !== undefined && (portNode < 0 || port !== undefined);
  let endPort: number | undefined;
  if (endNode >= 0) {
    const v = t.type(endNode) === T_SCALAR ? t.scalar(endNode) : undefined;
    if (typeof v !== 'number') {
      o.num(endNode, `${path}.endPort`);
      ok = false;
    } else if (portNode < 0) {
      o.error('invalid-end-port', `endPort ${snippet(o.t.source(endNode))} needs a port: add "port: <first port>" to make the range port..endPort.`, endNode);
      ok = false;
    } else if (typeof t.scalar(portNode) === 'string') {
      o.error('invalid-end-port', `endPort cannot be used with the named port ${quote(String(t.scalar(portNode)))}: use a numeric port to make a range.`, endNode);
      ok = false;
    } else {
      endPort = portNumber(o, endNode, `${path}.endPort`, 'endPort', 'invalid-end-port');
      if (endPort === undefined) ok = false;
      else if (typeof port === 'number' && endPort < port) {
        o.error('invalid-end-port', `endPort ${endPort} is less than port ${port}: the range port..endPort must go upwards.`, endNode);
        ok = false;
      }
    }
  }
  if (!ok || protocol === undefined) return undefined;
  return { protocol, ...(port !== undefined ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}), path };
}

function readRules(o: ObjectReader, spec: number, field: 'ingress' | 'egress'): { rules: PolicyRule[]; written: number } {
  const t = o.t;
  const peerField = field === 'ingress' ? 'from' : 'to';
  const rules: PolicyRule[] = [];
  const items = o.seqField(spec, field, `spec.${field}`) ?? [];
  items.forEach((r, k) => {
    const path = `spec.${field}.${k}`;
    if (o.isNull(r)) {
      o.report(
        'empty-rule',
        'warning',
        `This ${field} rule is empty (null): the API server reads it as {}, a rule that allows all traffic. Write "- {}" if that is what you mean.`,
        r,
      );
      rules.push({ peers: [], ports: [], path });
      return;
    }
    if (t.type(r) !== T_MAP) {
      o.wrongType(r, path, `a mapping with "${peerField}" and/or "ports"`);
      return;
    }
    o.unknownFields(r, path, [peerField, 'ports'], `an ${field} rule`);
    const peers = readPeers(o, r, peerField, path);
    const ports: PolicyPort[] = [];
    (o.seqField(r, 'ports', `${path}.ports`) ?? []).forEach((p, j) => {
      const port = readPolicyPort(o, p, `${path}.ports.${j}`);
      if (port) ports.push(port);
    });
    rules.push({ peers, ports, path });
  });
  return { rules, written: items.length };
}

function convertNetworkPolicy(o: ObjectReader): void {
  const t = o.t;
  o.invalid = [];
  const apiNode = t.child(o.root, 'apiVersion');
  const apiVersion = apiNode >= 0 ? t.scalar(apiNode) : undefined;
  const meta = readMeta(o, true);
  if (!meta) return;
  o.unknownFields(o.root, '', POLICY_FIELDS, 'a NetworkPolicy');
  o.unknownFields(o.field(o.root, 'metadata'), 'metadata', METADATA_FIELDS, 'metadata');
  checkAnnotations(o, o.field(o.field(o.root, 'metadata'), 'annotations'));
  if (apiNode < 0 || apiVersion === null) {
    o.error('missing-field', `apiVersion is missing: NetworkPolicies are ${NETWORK_POLICY_API_VERSION}.`, t.child(o.root, 'kind'), true);
  } else if (apiVersion !== NETWORK_POLICY_API_VERSION) {
    o.error(
      'unsupported-api-version',
      `apiVersion ${quote(String(apiVersion))} is not served for NetworkPolicy: use ${NETWORK_POLICY_API_VERSION} ` +
        '(extensions/v1beta1 was removed in Kubernetes 1.16). The policy is treated as invalid.',
      apiNode,
    );
  }
  const nameProblem = dnsSubdomainProblem(meta.name);
  if (nameProblem) nameWarning(o, 'NetworkPolicy', meta.name, nameProblem, t.child(o.field(o.root, 'metadata'), 'name'));
  const spec = o.mapField(o.root, 'spec', 'spec');
  o.unknownFields(spec, 'spec', POLICY_SPEC_FIELDS, 'spec');
  const selNode = o.field(spec, 'podSelector');
  let podSelector: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  if (selNode < 0) {
    const written = t.child(spec, 'podSelector');
    const where = written >= 0 ? written : spec >= 0 ? t.child(o.root, 'spec') : t.child(o.root, 'kind');
    o.report(
      'missing-pod-selector',
      'warning',
      `spec.podSelector is ${written >= 0 ? 'empty (null)' : 'missing'}: the API server reads it as {} (every pod in namespace ${quote(meta.namespace)}). ` +
        'Write "podSelector: {}" to say so, or add matchLabels to select fewer pods.',
      where >= 0 ? where : o.root,
      true,
    );
  } else {
    podSelector = o.selector(selNode, 'spec.podSelector') ?? podSelector;
  }
  const ingress = readRules(o, spec, 'ingress');
  const egress = readRules(o, spec, 'egress');
  // policyTypes: defaulted as the API server does when absent or empty.
  const written: PolicyType[] = [];
  let explicit = false;
  const typesNode = o.field(spec, 'policyTypes');
  if (typesNode >= 0) {
    if (t.type(typesNode) !== T_SEQ) {
      o.wrongType(typesNode, 'spec.policyTypes', 'a list such as [Ingress, Egress]');
    } else {
      const items = t.children(typesNode);
      explicit = items.length > 0;
      if (items.length > 2) {
        o.error('invalid-policy-type', `policyTypes lists ${items.length} entries: at most two are allowed (Ingress and Egress).`, typesNode);
      }
      for (const item of items) {
        const v = t.type(item) === T_SCALAR ? t.scalar(item) : undefined;
        if (v === 'Ingress' || v === 'Egress') {
          if (!written.includes(v)) written.push(v);
          continue;
        }
        const guess = typeof v === 'string' ? closestName(v, POLICY_TYPES) : undefined;
        o.error(
          'invalid-policy-type',
          `policyTypes entry ${typeof v === 'string' ? quote(v) : o.describe(item)} is not supported: use "Ingress" or "Egress"${guess ? ` (did you mean "${guess}"? they are case-sensitive)` : ''}.`,
          item,
        );
      }
    }
  }
  const policyTypes: PolicyType[] = explicit && written.length > 0 ? written : egress.written > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  const policy: NetworkPolicy = {
    kind: 'NetworkPolicy',
    namespace: meta.namespace,
    name: meta.name,
    podSelector,
    policyTypes,
    policyTypesExplicit: explicit,
    ingress: ingress.rules,
    egress: egress.rules,
    ...(o.invalid.length > 0 ? { invalid: o.invalid } : {}),
    source: o.source(),
  };
  o.fc.objects.push({ object: policy });
}

/**
 * Policy kinds of other APIs (Calico, Cilium, AdminNetworkPolicy...). They are worth a
 * warning rather than the quiet "not used" hint: they change what traffic is allowed.
 */
function isOtherPolicy(kind: string, apiVersion: string): boolean {
  if (kind === 'NetworkPolicy') {
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    // Other versions of the Kubernetes API are reported as invalid NetworkPolicies instead.
    return group !== '' && group !== 'networking.k8s.io' && group !== 'extensions';
  }
  // CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy, (Baseline)AdminNetworkPolicy...
  return kind.endsWith('NetworkPolicy');
}

function ignore(fc: FileContext, kind: string, node: number): void {
  fc.ignored.count++;
  fc.ignored.kinds.set(kind, (fc.ignored.kinds.get(kind) ?? 0) + 1);
  fc.ignored.first ??= { doc: fc.doc, node };
}

function convertObject(fc: FileContext, root: number, defaults: { kind?: string; apiVersion?: string }, depth: number): void {
  const t = fc.tree;
  const kindNode = t.child(root, 'kind');
  const kindValue = kindNode >= 0 ? t.scalar(kindNode) : defaults.kind;
  if (typeof kindValue !== 'string' || kindValue === '') {
    ignore(fc, 'objects without a kind', root);
    return;
  }
  const kind = kindValue;
  const items = t.child(root, 'items');
  if ((kind === 'List' || kind.endsWith('List')) && items >= 0 && depth < 3) {
    const o = new ObjectReader(fc, root, kind);
    if (t.type(items) === T_SCALAR && t.scalar(items) === null) return;
    if (t.type(items) !== T_SEQ) {
      o.wrongType(items, 'items', 'a list of objects');
      return;
    }
    // Typed lists (PodList from the API) omit kind and apiVersion on their items.
    const apiNode = t.child(root, 'apiVersion');
    const api = apiNode >= 0 ? t.scalar(apiNode) : undefined;
    const itemDefaults = {
      ...(kind !== 'List' ? { kind: kind.slice(0, -4) } : {}),
      ...(typeof api === 'string' ? { apiVersion: api } : {}),
    };
    t.children(items).forEach((item, k) => {
      if (t.type(item) !== T_MAP) {
        o.wrongType(item, `items.${k}`, 'an object (a mapping with apiVersion, kind and metadata)');
        return;
      }
      convertObject(fc, item, itemDefaults, depth + 1);
    });
    return;
  }
  const o = new ObjectReader(fc, root, kind);
  const apiNode = t.child(root, 'apiVersion');
  const apiValue = apiNode >= 0 ? t.scalar(apiNode) : defaults.apiVersion;
  const api = typeof apiValue === 'string' ? apiValue : '';
  if (isOtherPolicy(kind, api)) {
    o.report(
      'other-policy-kind',
      'warning',
      `This ${snippet(kind)} (${snippet(api) || 'no apiVersion'}) is not a Kubernetes NetworkPolicy: netlens does not analyse it, ` +
        'yet it also filters traffic where its controller (Calico, Cilium, an AdminNetworkPolicy implementation...) runs, so real verdicts may differ.',
      t.child(root, 'kind') >= 0 ? t.child(root, 'kind') : root,
    );
    return;
  }
  switch (kind) {
    case 'Pod':
      return convertPod(o);
    case 'Service':
      return convertService(o);
    case 'Node':
      return convertNode(o);
    case 'Namespace':
      return convertNamespace(o);
    case 'NetworkPolicy':
      return convertNetworkPolicy(o);
    default:
      if (WORKLOAD_TEMPLATE_PATHS[kind] !== undefined) return convertWorkload(o);
      ignore(fc, kind, kindNode >= 0 ? kindNode : root);
  }
}

/** Converts one document's root node (a single object, or a List of them). */
export function convertDocument(fc: FileContext, root: number): void {
  const t = fc.tree;
  if (t.type(root) !== T_MAP) {
    ignore(fc, t.type(root) === T_SEQ ? 'plain lists' : 'plain values', root);
    return;
  }
  convertObject(fc, root, {}, 0);
}

/** One hint per file for everything skipped: not a problem, but it says why objects are missing. */
export function ignoredHint(fc: FileContext): Finding | undefined {
  const { count, kinds, first } = fc.ignored;
  if (count === 0 || !first) return undefined;
  // Kinds come from the file: bound their length and number, so the hint stays one short line.
  const MAX_KINDS = 10;
  const entries = [...kinds.entries()];
  const more = entries.length > MAX_KINDS ? `, and ${entries.length - MAX_KINDS} more kinds` : '';
  const list = entries.slice(0, MAX_KINDS).map(([k, n]) => (n > 1 ? `${snippet(k)} (${n})` : snippet(k))).join(', ') + more;
  return {
    code: 'not-used',
    severity: 'hint',
    message: `netlens does not use ${count === 1 ? 'this object' : `${count} objects in this file`}: ${list}. Only Namespaces, Pods, workloads, Services, Nodes and NetworkPolicies matter for network analysis.`,
    file: fc.file,
    range: fc.tree.index.valueRange(first.node),
  };
}
