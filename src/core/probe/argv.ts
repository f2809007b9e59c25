/**
 * Validation of user-supplied probe arguments (hosts, ports, DNS names, URL paths, timeouts).
 *
 * Every probe runs as an argv array, never through a shell, so metacharacters cannot inject
 * commands. Validation is still the main defence: an argument that looks like an option is read
 * as one by the tool (`-e` runs a program in busybox nc even after `--`), and dig treats words
 * starting with `+` or `@` as options. Each check returns a human message; nothing here throws.
 */

/** A checked value, or why it was rejected. */
export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export type HostKind = 'dns' | 'ipv4' | 'ipv6';

/** A host that passed {@link validateHost}: an RFC 1123 name, a dotted-quad IPv4 or an IPv6 literal (without brackets). */
export interface Host {
  readonly kind: HostKind;
  readonly value: string;
}

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const SHELL_METACHARACTERS = /[;&|$`'"<>(){}*?!\\~#]/;

function ok<T>(value: T): Validated<T> {
  return { ok: true, value };
}

function fail<T>(message: string): Validated<T> {
  return { ok: false, message };
}

/** Quotes user input for a message: escapes newlines and control characters, truncates. */
function show(input: string): string {
  return JSON.stringify(input.length > 64 ? `${input.slice(0, 64)}…` : input);
}

/** The checks every free-text argument goes through, whatever it will become. */
function commonProblem(what: string, input: unknown): string | undefined {
  if (typeof input !== 'string') return `${what} must be text.`;
  if (input === '') return `${what} is empty.`;
  if (/[\r\n]/.test(input)) return `${what} ${show(input)} contains a line break.`;
  if (/\s/.test(input)) return `${what} ${show(input)} contains whitespace.`;
  for (const ch of input) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return `${what} ${show(input)} contains a control character.`;
    if (code > 0x7f) {
      return `${what} ${show(input)} contains the non-ASCII character '${ch}'; write internationalised names in their punycode form (xn--…).`;
    }
  }
  if (input.startsWith('-')) return `${what} ${show(input)} starts with '-', so the tool would read it as an option.`;
  const meta = SHELL_METACHARACTERS.exec(input);
  if (meta) return `${what} ${show(input)} contains '${meta[0]}', a shell metacharacter that no host or name contains.`;
  return undefined;
}

/**
 * Checks a dotted-quad IPv4 address. Leading zeros are rejected because inet_aton, which the
 * tools fall back to, reads `010` as octal 8.
 */
function ipv4Problem(input: string): string | undefined {
  const parts = input.split('.');
  if (parts.length !== 4) return 'an IPv4 address has four dot-separated numbers';
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return 'an IPv4 address has four dot-separated numbers';
    if (p.length > 1 && p.startsWith('0')) return `'${p}' has a leading zero, which some tools read as octal`;
    if (Number(p) > 255) return `'${p}' is greater than 255`;
  }
  return undefined;
}

/** Checks an IPv6 literal (RFC 4291 text form, optional trailing dotted quad, no zone id). */
function ipv6Problem(input: string): string | undefined {
  if (input.includes('%')) return 'zone ids (%eth0) are not supported';
  const halves = input.split('::');
  if (halves.length > 2) return "'::' may appear only once";
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  let count = groups.length;
  const last = groups[groups.length - 1];
  if (last !== undefined && last.includes('.') && input.endsWith(last)) {
    if (ipv4Problem(last) !== undefined) return `'${last}' is not a valid embedded IPv4 address`;
    groups.pop();
    count += 1; // a dotted quad fills two groups
  }
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return 'each group is one to four hex digits';
  if (halves.length === 2 ? count > 7 : count !== 8) return 'an IPv6 address has eight groups (or fewer with ::)';
  return undefined;
}

/** Checks dot-separated labels per RFC 1123 (optionally allowing `_` for SRV-style names). */
function labelsProblem(name: string, allowUnderscore: boolean): string | undefined {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  const labels = bare.split('.');
  const allowed = allowUnderscore ? /^[A-Za-z0-9_-]+$/ : /^[A-Za-z0-9-]+$/;
  for (const label of labels) {
    if (label === '') return 'it has an empty label (two dots in a row, or a leading dot)';
    if (label.length > MAX_LABEL_LENGTH) return `the label '${label.slice(0, 16)}…' is longer than ${MAX_LABEL_LENGTH} characters`;
    if (!allowed.test(label)) {
      const bad = /[^A-Za-z0-9_-]/.exec(label)?.[0] ?? '_';
      return `'${bad}' is not allowed in a DNS name`;
    }
    if (label.startsWith('-') || label.endsWith('-')) return `the label '${label}' starts or ends with '-'`;
  }
  // RFC 1123 2.1: a host name never looks like a dotted number; inet_aton would take it as an address.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return 'its last label is all digits, so it would be read as an IP address';
  return undefined;
}

/**
 * Validates a host given by the user: an RFC 1123 DNS name (a trailing dot is kept: it stops the
 * resolver's search-list expansion), a dotted-quad IPv4 address, or an IPv6 literal, optionally in
 * brackets. Rejects anything option-like, whitespace, control or non-ASCII characters, shell
 * metacharacters, URLs and `host:port` forms.
 * @param input the raw text
 * @returns the normalised host (brackets removed) and its kind, or a message saying what is wrong
 */
export function validateHost(input: string): Validated<Host> {
  const common = commonProblem('Host', input);
  if (common !== undefined) return fail(common);
  if (input.includes('/')) return fail(`Host ${show(input)} looks like a URL or a CIDR; give only the host name or address.`);
  const bracketed = /^\[(.*)\]$/.exec(input);
  const text = bracketed ? (bracketed[1] ?? '') : input;
  if (text.includes(':')) {
    const problem = ipv6Problem(text);
    if (problem === undefined) return ok({ kind: 'ipv6', value: text.toLowerCase() });
    const hint = /^[^:]+:\d+$/.test(text) ? ' Give the port separately.' : '';
    return fail(`Host ${show(input)} is not a valid IPv6 address: ${problem}.${hint}`);
  }
  if (bracketed) return fail(`Host ${show(input)}: brackets are only for IPv6 addresses.`);
  if (/^[\d.]+$/.test(text)) {
    const problem = ipv4Problem(text);
    return problem === undefined ? ok({ kind: 'ipv4', value: text }) : fail(`Host ${show(input)} is not a valid IPv4 address: ${problem}.`);
  }
  const problem = labelsProblem(text, false);
  return problem === undefined ? ok({ kind: 'dns', value: text }) : fail(`Host ${show(input)} is not a valid host name: ${problem}.`);
}

/**
 * Validates a DNS name to look up with dig. Like a host name, but `_` is allowed in labels
 * (`_http._tcp.web.prod.svc.cluster.local`) and IP addresses are rejected. A leading `+` or `@`
 * is called out because dig would read it as a query option or a server.
 * @param input the raw text
 * @returns the name, or a message saying what is wrong
 */
export function validateDnsName(input: string): Validated<string> {
  if (typeof input === 'string' && /^[+@]/.test(input)) {
    return fail(`DNS name ${show(input)} starts with '${input[0]}', which dig would read as ${input[0] === '+' ? 'a query option' : 'a server'}.`);
  }
  const common = commonProblem('DNS name', input);
  if (common !== undefined) return fail(common);
  if (/^[\d.]+$/.test(input) || ipv6Problem(input) === undefined) return fail(`DNS name ${show(input)} is an IP address, not a name to look up.`);
  const problem = labelsProblem(input, true);
  return problem === undefined ? ok(input) : fail(`DNS name ${show(input)} is not valid: ${problem}.`);
}

/**
 * Validates a TCP/UDP port: an integer from 1 to 65535, given as a number or as decimal digits.
 * @param input a number, or text typed by the user
 * @returns the port number, or a message saying what is wrong
 */
export function validatePort(input: number | string): Validated<number> {
  let n: number;
  if (typeof input === 'number') {
    n = input;
  } else if (typeof input === 'string' && /^\d{1,5}$/.test(input)) {
    n = Number(input);
  } else {
    return fail(`Port ${show(String(input))} is not a number from 1 to 65535.`);
  }
  if (!Number.isInteger(n) || n < 1 || n > 65535) return fail(`Port ${show(String(input))} is not a number from 1 to 65535.`);
  return ok(n);
}

/**
 * Validates the path (and optional query) of an HTTP probe URL: it starts with `/` and holds only
 * RFC 3986 path and query characters with well-formed `%XX` escapes. Characters such as `&`, `;`
 * or `'` are legal here and harmless in an argv array; `#`, `[`, `]`, `{`, `}`, `"`, `<`, `>`,
 * backslashes and spaces are not.
 * @param input the raw path, e.g. `/healthz?verbose=1`
 * @returns the path, or a message saying what is wrong
 */
export function validateUrlPath(input: string): Validated<string> {
  if (typeof input !== 'string' || !input.startsWith('/')) return fail(`Path ${show(String(input))} must start with '/'.`);
  const bad = /[^A-Za-z0-9\-._~!$&'()*+,;=:@%/?]/.exec(input);
  if (bad) return fail(`Path ${show(input)} contains ${JSON.stringify(bad[0])}, which is not allowed in a URL path; percent-encode it.`);
  if (/%(?![0-9A-Fa-f]{2})/.test(input)) return fail(`Path ${show(input)} has a '%' that does not start a %XX escape.`);
  return ok(input);
}

/**
 * Validates a probe timeout in whole seconds (1 to 60): the tools take integer seconds, and a
 * longer wait is a hung probe rather than a slow network.
 * @param input the timeout
 * @returns the timeout, or a message saying what is wrong
 */
export function validateTimeoutSeconds(input: number): Validated<number> {
  return Number.isInteger(input) && input >= 1 && input <= 60
    ? ok(input)
    : fail(`Timeout ${show(String(input))} must be a whole number of seconds from 1 to 60.`);
}
