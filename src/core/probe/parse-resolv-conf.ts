/**
 * Parses /etc/resolv.conf as the pod's libc reads it, and explains the ndots search-list penalty.
 */

import { splitLines, unrecognised, type ToolOutput } from './tool-output';

export interface ResolvConf {
  readonly nameservers: readonly string[];
  /** The search list: the last `search` or `domain` line wins, as in glibc and musl. */
  readonly search: readonly string[];
  /** `options ndots:n`; default 1. */
  readonly ndots: number;
  /** `options timeout:n` in seconds per query; default 5. */
  readonly timeout: number;
  /** `options attempts:n`; default 2. */
  readonly attempts: number;
  /** Every option as written, e.g. `single-request-reopen`, `ndots:5`. */
  readonly options: readonly string[];
}

export type ResolvConfResult = { readonly outcome: 'ok'; readonly conf: ResolvConf } | { readonly outcome: 'unknown'; readonly reason: string };

/** resolv.conf defaults (glibc and musl agree). */
const DEFAULTS = { ndots: 1, timeout: 5, attempts: 2 } as const;

/**
 * Reads the output of `cat /etc/resolv.conf`.
 * @param out what the exec returned
 * @returns the configuration with defaults filled in, or `unknown` when the file could not be read
 *   or holds no nameserver, search or options line
 */
export function parseResolvConf(out: ToolOutput): ResolvConfResult {
  if (out.exitCode !== null && out.exitCode !== 0) return { outcome: 'unknown', reason: unrecognised('cat /etc/resolv.conf', out) };
  const nameservers: string[] = [];
  let search: string[] = [];
  const options: string[] = [];
  let recognised = false;
  for (const raw of splitLines(out.stdout)) {
    if (/^\s*[#;]/.test(raw)) continue; // comment lines start with # or ;
    const [keyword, ...args] = raw.trim().split(/\s+/);
    if (keyword === 'nameserver' && args[0] !== undefined) nameservers.push(args[0]);
    else if (keyword === 'search' || keyword === 'domain') search = args;
    else if (keyword === 'options') options.push(...args);
    else continue;
    recognised = true;
  }
  if (!recognised) return { outcome: 'unknown', reason: `no nameserver, search or options line: ${unrecognised('cat /etc/resolv.conf', out)}` };
  const option = (name: keyof typeof DEFAULTS): number => {
    let value: number = DEFAULTS[name];
    for (const o of options) {
      const m = new RegExp(`^${name}:(\\d+)$`).exec(o);
      if (m) value = Number(m[1]); // a later option overrides an earlier one
    }
    return value;
  };
  return {
    outcome: 'ok',
    conf: { nameservers, search: search.filter((d) => d !== ''), ndots: option('ndots'), timeout: option('timeout'), attempts: option('attempts'), options },
  };
}

export interface NdotsPenalty {
  /** True when the name is first tried against the search list. */
  readonly applies: boolean;
  readonly dots: number;
  readonly ndots: number;
  /** The names the resolver tries, in order, until one resolves. */
  readonly queries: readonly string[];
  /** Lookups made before the name itself: one per search domain when `applies`. */
  readonly extraLookups: number;
  readonly message: string;
}

/**
 * Says whether looking up `name` pays the ndots penalty: a name that does not end in a dot and
 * has fewer dots than ndots is tried with every search domain appended before it is tried as
 * written. For an external name each of those misses costs a round trip to the resolver (two,
 * for A and AAAA), and a query that gets no answer waits `timeout` seconds before it is retried:
 * the classic 5-second stalls.
 * @param name the name the application looks up, e.g. `api.example.com`
 * @param resolv the pod's resolver configuration
 */
export function ndotsPenalty(name: string, resolv: ResolvConf): NdotsPenalty {
  const fqdn = name.endsWith('.');
  const bare = fqdn ? name.slice(0, -1) : name;
  const dots = bare === '' ? 0 : bare.split('.').length - 1;
  const applies = !fqdn && dots < resolv.ndots && resolv.search.length > 0;
  const expanded = resolv.search.map((d) => `${bare}.${d}`);
  const queries = fqdn ? [bare] : applies ? [...expanded, bare] : [bare, ...expanded];
  const base = { dots, ndots: resolv.ndots, queries };
  if (!applies) {
    const why = fqdn
      ? 'it ends with a dot, so it is looked up exactly as written'
      : resolv.search.length === 0
        ? 'there is no search list'
        : `it has ${dots} dot${dots === 1 ? '' : 's'}, at least ndots:${resolv.ndots}, so it is tried as written first`;
    return { ...base, applies, extraLookups: 0, message: `No ndots penalty for ${name}: ${why}.` };
  }
  const n = expanded.length;
  return {
    ...base,
    applies,
    extraLookups: n,
    message:
      `${name} has ${dots} dot${dots === 1 ? '' : 's'}, fewer than ndots:${resolv.ndots}, so the resolver first tries it with each of the ${n} search domain${n === 1 ? '' : 's'} ` +
      `(${expanded.join(', ')}) before ${bare} itself. For an external name each of those ${n} misses costs a round trip to the resolver (two, for A and AAAA), ` +
      `and a query that gets no answer waits timeout:${resolv.timeout} s before it is retried (attempts:${resolv.attempts}), which is where the classic 5-second delays come from. ` +
      `Write the name with a trailing dot (${bare}.) or lower ndots in the pod's dnsConfig.options.`,
  };
}
