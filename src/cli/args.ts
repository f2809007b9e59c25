/**
 * A small strict argument parser: `--flag value`, `--flag=value`, boolean flags,
 * repeatable flags, `--` to end options. Unknown flags are usage errors, never ignored.
 */

export class UsageError extends Error {}

export interface ArgSpec {
  /** Flags that take a value. */
  readonly values?: readonly string[];
  /** Flags that take a value and may repeat. */
  readonly repeated?: readonly string[];
  /** Flags without a value. */
  readonly booleans?: readonly string[];
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Map<string, string>;
  readonly repeated: Map<string, string[]>;
  readonly booleans: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), repeated: new Map(), booleans: new Set() };
  const values = new Set(spec.values ?? []);
  const repeated = new Set(spec.repeated ?? []);
  const booleans = new Set([...(spec.booleans ?? []), 'help']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') {
        if (arg === '-h') {
          out.booleans.add('help');
          continue;
        }
        throw new UsageError(`unknown option ${arg}`);
      }
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (booleans.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.booleans.add(name);
      continue;
    }
    if (!values.has(name) && !repeated.has(name)) throw new UsageError(`unknown option --${name}`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (repeated.has(name)) {
      const list = out.repeated.get(name) ?? [];
      list.push(value);
      out.repeated.set(name, list);
    } else {
      if (out.values.has(name)) throw new UsageError(`--${name} was given twice`);
      out.values.set(name, value);
    }
  }
  return out;
}
