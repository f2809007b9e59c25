/**
 * A small YAML writer for generated manifests, in the layout `kubectl get -o yaml` and most
 * repositories use (sequences at their key's indentation, two-space maps). Only plain JSON data
 * (maps, lists, strings, numbers, booleans) is written; a string that YAML 1.1 or 1.2 would read
 * as something else (`true`, `1.0`, `0x1f`, `2024-01-01`, `~`) is double-quoted.
 */

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9_./-]*$/;
const NUMBER_LIKE = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$|^0[xXoObB]/;
const DATE_LIKE = /^\d{4}-\d\d?-\d\d?/;
const RESERVED = /^(?:true|false|yes|no|on|off|null|y|n|~)$/i;

/** A string as a YAML scalar: plain when that reads back as the same string, else double-quoted. */
export function yamlString(s: string): string {
  if (PLAIN.test(s) && !NUMBER_LIKE.test(s) && !DATE_LIKE.test(s) && !RESERVED.test(s)) return s;
  return JSON.stringify(s);
}

function scalar(v: Json): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return yamlString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function isEmpty(v: Json): boolean {
  return Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function emitMap(obj: { readonly [key: string]: Json }, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = yamlString(k);
    const s = scalar(v);
    if (s !== undefined) lines.push(`${pad}${key}: ${s}`);
    else if (isEmpty(v)) lines.push(`${pad}${key}: ${Array.isArray(v) ? '[]' : '{}'}`);
    else if (Array.isArray(v)) lines.push(`${pad}${key}:`, ...emitList(v as readonly Json[], indent));
    else lines.push(`${pad}${key}:`, ...emitMap(v as { readonly [key: string]: Json }, indent + 2));
  }
  return lines;
}

function emitList(list: readonly Json[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const item of list) {
    const s = scalar(item);
    if (s !== undefined) lines.push(`${pad}- ${s}`);
    else if (isEmpty(item)) lines.push(`${pad}- ${Array.isArray(item) ? '[]' : '{}'}`);
    else if (Array.isArray(item)) {
      const inner = emitList(item as readonly Json[], indent + 2);
      lines.push(`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1));
    } else {
      const inner = emitMap(item as { readonly [key: string]: Json }, indent + 2);
      lines.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1));
    }
  }
  return lines;
}

/**
 * Writes one YAML document (no `---`), with an optional comment header.
 * @param value a JSON object
 * @param comments lines written as `# …` before the document (line breaks inside are flattened)
 */
export function toYaml(value: { readonly [key: string]: unknown }, comments: readonly string[] = []): string {
  const header = comments.map((c) => `# ${c.replace(/[\r\n]+/g, ' ')}`.trimEnd());
  return [...header, ...emitMap(value as { readonly [key: string]: Json }, 0)].join('\n') + '\n';
}
