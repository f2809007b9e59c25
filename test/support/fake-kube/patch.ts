/**
 * The three PATCH formats of the API server, enough for pods, services, namespaces, nodes and
 * NetworkPolicies:
 * - JSON Patch (RFC 6902), every op;
 * - JSON Merge Patch (RFC 7386);
 * - strategic merge patch, with the merge keys of the core types this fake serves (lists of
 *   containers, volumes, env, ... merge by key; other lists are replaced) and the directives
 *   `$patch: replace|delete`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and
 *   `$retainKeys`.
 *
 * Errors are {@link PatchError} (a malformed patch: 400) or {@link PatchApplyError} (a patch that
 * does not apply: 422), as the API server distinguishes them.
 */
import { deepCopy, deepEqual, isObject } from './types';

export class PatchError extends Error {
  override name = 'PatchError';
}

export class PatchApplyError extends Error {
  override name = 'PatchApplyError';
}

// ---------------------------------------------------------------------------------------------
// JSON Patch

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchApplyError(`JSON pointer must start with "/": "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function resolveParent(doc: unknown, tokens: string[], op: string, path: string): { parent: Container; last: string } {
  let node: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = Number(token);
      if (!/^\d+$/.test(token) || i >= node.length) throw missing(op, path);
      node = node[i];
    } else if (isObject(node)) {
      if (!Object.prototype.hasOwnProperty.call(node, token)) throw missing(op, path);
      node = node[token];
    } else {
      throw missing(op, path);
    }
  }
  if (!Array.isArray(node) && !isObject(node)) throw missing(op, path);
  return { parent: node, last: tokens[tokens.length - 1] };
}

function missing(op: string, path: string): PatchApplyError {
  return new PatchApplyError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
}

function getAt(doc: unknown, path: string, op: string): unknown {
  let node = doc;
  for (const token of parsePointer(path)) {
    if (Array.isArray(node) && /^\d+$/.test(token) && Number(token) < node.length) node = node[Number(token)];
    else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token];
    else throw missing(op, path);
  }
  return node;
}

function addAt(doc: unknown, path: string, value: unknown, op = 'add'): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return deepCopy(value);
  const { parent, last } = resolveParent(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    if (last === '-') parent.push(deepCopy(value));
    else {
      const i = Number(last);
      if (!/^\d+$/.test(last) || i > parent.length) throw missing(op, path);
      parent.splice(i, 0, deepCopy(value));
    }
  } else {
    parent[last] = deepCopy(value);
  }
  return doc;
}

function removeAt(doc: unknown, path: string, op = 'remove'): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw missing(op, path);
  const { parent, last } = resolveParent(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!/^\d+$/.test(last) || i >= parent.length) throw missing(op, path);
    parent.splice(i, 1);
  } else {
    if (!Object.prototype.hasOwnProperty.call(parent, last)) throw missing(op, path);
    delete parent[last];
  }
  return doc;
}

/** Parses a JSON Patch body; anything but an array of ops is a {@link PatchError}. */
export function parseJsonPatch(body: unknown): Op[] {
  if (!Array.isArray(body)) {
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  return body.map((raw, i) => {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError(`invalid JSON Patch operation at index ${i}`);
    }
    return raw as unknown as Op;
  });
}

export function applyJsonPatch(document: unknown, body: unknown): unknown {
  const ops = parseJsonPatch(body);
  let doc = deepCopy(document);
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        if (!('value' in op)) throw new PatchError('add operation missing value');
        doc = addAt(doc, op.path, op.value);
        break;
      case 'remove':
        doc = removeAt(doc, op.path);
        break;
      case 'replace':
        getAt(doc, op.path, 'replace');
        if (parsePointer(op.path).length === 0) doc = deepCopy(op.value);
        else {
          doc = removeAt(doc, op.path, 'replace');
          doc = addAt(doc, op.path, op.value, 'replace');
        }
        break;
      case 'move': {
        if (typeof op.from !== 'string') throw new PatchError('move operation missing from');
        const value = getAt(doc, op.from, 'move');
        doc = removeAt(doc, op.from, 'move');
        doc = addAt(doc, op.path, value, 'move');
        break;
      }
      case 'copy': {
        if (typeof op.from !== 'string') throw new PatchError('copy operation missing from');
        doc = addAt(doc, op.path, getAt(doc, op.from, 'copy'), 'copy');
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, op.path, 'test'), op.value)) {
          throw new PatchApplyError(`testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------
// JSON Merge Patch

export function applyMergePatch(document: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepCopy(patch);
  const out: Record<string, unknown> = isObject(document) ? deepCopy(document) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/** The merge key of a list field, by field name and (for `ports`) by where it sits. */
function mergeKeyFor(path: readonly string[], field: string): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'hostAliases':
      return field === 'hostAliases' ? 'ip' : 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'ports':
      return path.some((p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers')
        ? 'containerPort'
        : 'port';
    case 'conditions':
      return 'type';
    default:
      return undefined;
  }
}

/** Primitive lists whose patch strategy is `merge` (a set union) rather than replace. */
const PRIMITIVE_MERGE_LISTS = new Set(['finalizers']);

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => !(isObject(v) && v.$patch === 'delete')).map(stripDirectives);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    if (v === null) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

function mergeObjects(original: Record<string, unknown>, patch: Record<string, unknown>, path: string[]): Record<string, unknown> | undefined {
  if (patch.$patch === 'replace') return stripDirectives(patch) as Record<string, unknown>;
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch !== undefined) throw new PatchError(`Unknown patch type: ${String(patch.$patch)} in map: ${JSON.stringify(patch)}`);
  const out = deepCopy(original);
  const orders: Record<string, unknown[]> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) {
      if (!Array.isArray(value)) throw new PatchError(`invalid type for set element order list: ${key}`);
      orders[key.slice('$setElementOrder/'.length)] = value;
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(value)) throw new PatchError(`invalid type for delete from primitive list: ${key}`);
      const current = out[field];
      if (Array.isArray(current)) out[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
      continue;
    }
    if (key.startsWith('$')) throw new PatchError(`unknown directive ${key}`);
    if (value === null) {
      delete out[key];
      continue;
    }
    const current = out[key];
    if (isObject(value)) {
      const merged = mergeObjects(isObject(current) ? current : {}, value, [...path, key]);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = mergeLists(Array.isArray(current) ? current : [], value, path, key);
    } else {
      out[key] = value;
    }
  }
  for (const [field, order] of Object.entries(orders)) {
    const list = out[field];
    if (Array.isArray(list)) out[field] = reorder(list, order, mergeKeyFor(path, field));
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.map(String));
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}

function mergeLists(original: unknown[], patch: unknown[], path: string[], field: string): unknown[] {
  const key = mergeKeyFor(path, field);
  if (patch.some((item) => isObject(item) && item.$patch === 'replace' && Object.keys(item).length === 1)) {
    return stripDirectives(patch.filter((item) => !(isObject(item) && item.$patch === 'replace'))) as unknown[];
  }
  if (!key) {
    if (PRIMITIVE_MERGE_LISTS.has(field)) {
      const out = [...original];
      for (const v of patch) if (!out.some((o) => deepEqual(o, v))) out.push(v);
      return out;
    }
    return stripDirectives(patch) as unknown[];
  }
  const out = deepCopy(original);
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError(`merging an object in json but data type is not map, field: ${field}`);
    const id = item[key];
    if (id === undefined) throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const index = out.findIndex((o) => isObject(o) && deepEqual(o[key], id));
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const merged = mergeObjects(out[index] as Record<string, unknown>, item, [...path, field]);
      if (merged === undefined) out.splice(index, 1);
      else out[index] = merged;
    } else {
      out.push(stripDirectives(item));
    }
  }
  return out;
}

function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const idOf = (v: unknown): unknown => (key && isObject(v) ? v[key] : v);
  const orderIds = order.map(idOf);
  const rank = (v: unknown): number => {
    const i = orderIds.findIndex((o) => deepEqual(o, idOf(v)));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
    .map((e) => e.v);
}

export function applyStrategicMergePatch(document: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw new PatchError('strategic merge patch must be a JSON object');
  const merged = mergeObjects(isObject(document) ? document : {}, patch, []);
  return merged ?? {};
}
