/**
 * Scalar typing shared by every parser, so `port: 80`, `app: yes` or `cidr: 10.0.0.0/8` mean
 * the same thing whichever parser read them.
 *
 * kubectl reads YAML with go-yaml v2, which follows YAML 1.1: `yes`, `no`, `on`, `off`, `y`
 * and `n` are booleans, `0755` is octal. A label `enabled: yes` is therefore a boolean to
 * kubectl (and rejected by the API server), so we parse with the `yaml` package's YAML 1.1
 * schema. go-yaml does not implement 1.1's base-60 numbers (`1:20`), so those tags are
 * removed: `1:20` stays a string, as for kubectl.
 */
import { CST, Composer, Schema, isScalar } from 'yaml';
import type { DocumentOptions, ParseOptions, SchemaOptions, Tags } from 'yaml';
import { S_DOUBLE, S_JSON_LITERAL, S_JSON_STRING, S_PLAIN, S_SINGLE } from './tree';

function withoutSexagesimal(tags: Tags): Tags {
  return tags.filter((t) => typeof t === 'string' || !('format' in t) || t.format !== 'TIME');
}

/** Options for the `yaml` package (parser and composer) matching kubectl's reading. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: withoutSexagesimal,
  merge: true,
  uniqueKeys: true,
  prettyErrors: false,
  strict: true,
  logLevel: 'silent',
};

/** A `yaml` composer configured as kubectl reads YAML (see YAML_OPTIONS). */
export function newComposer(): Composer {
  return new Composer(YAML_OPTIONS);
}

const schema = new Schema({ schema: 'yaml-1.1', customTags: withoutSexagesimal, merge: false, resolveKnownTags: false });
const defaultTags = schema.tags.filter((t) => t.default === true && !t.collection && t.test !== undefined);

// Words that the 1.1 schema reads as something other than a string; any other scalar that
// starts with a letter is a string, which lets most keys and values skip the regex tests.
const SPECIAL_WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL',
]);

/** Types an unquoted scalar as the YAML 1.1 schema does (as kubectl would). */
export function resolvePlain(text: string): unknown {
  const c = text.charCodeAt(0);
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (letter && !SPECIAL_WORDS.has(text)) return text;
  for (const tag of defaultTags) {
    if ((tag.test as RegExp).test(text)) {
      try {
        const res = (tag as { resolve: (s: string, onError: (m: string) => void, o: object) => unknown }).resolve(text, () => undefined, {});
        return isScalar(res) ? res.value : res;
      } catch {
        return text;
      }
    }
  }
  return text;
}

type FlowType = 'scalar' | 'single-quoted-scalar' | 'double-quoted-scalar';

/** Folds and unescapes a flow scalar exactly as the `yaml` package does. */
function resolveFlow(type: FlowType, source: string, offset: number): string {
  const res = CST.resolveAsScalar({ type, offset, indent: 0, source }, false, () => undefined);
  return res ? res.value : source;
}

/** Decodes scalars stored lazily by the fast YAML and JSON readers. */
export function decodeScalar(style: number, text: string, start: number, end: number): unknown {
  const raw = text.slice(start, end);
  switch (style) {
    case S_PLAIN:
      return resolvePlain(raw.indexOf('\n') >= 0 ? resolveFlow('scalar', raw, start) : raw);
    case S_SINGLE:
      return raw.indexOf('\n') < 0 && raw.indexOf("''") < 0 ? raw.slice(1, -1) : resolveFlow('single-quoted-scalar', raw, start);
    case S_DOUBLE:
      return raw.indexOf('\\') < 0 && raw.indexOf('\n') < 0 ? raw.slice(1, -1) : resolveFlow('double-quoted-scalar', raw, start);
    case S_JSON_STRING:
      return raw.indexOf('\\') < 0 ? raw.slice(1, -1) : (JSON.parse(raw) as string);
    case S_JSON_LITERAL:
      return raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : Number(raw);
    default:
      return raw;
  }
}

/**
 * The string form of a map key. JSON keys are strings; kubectl (sigs.k8s.io/yaml) turns
 * YAML keys that are numbers or booleans into their text, so `on:` becomes `"true"`.
 */
export function keyString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}
