/**
 * Name and label checks, as the API server's validation (k8s.io/apimachinery
 * util/validation) applies them. Each returns undefined when the text is valid, else the
 * reason in words a person can act on (without the subject, which the caller names).
 */

/**
 * Escapes what would break a one-line message or act on a terminal when a message quotes file
 * text: line breaks (also U+2028/U+2029), C0 and C1 controls, bidi overrides.
 */
export function escapeControls(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key or annotation key: an optional DNS-subdomain prefix and `/`, then a name (IsQualifiedName). */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  let name = key;
  if (parts.length > 2) return 'a key may contain at most one "/" (between an optional DNS prefix and the name)';
  if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) return 'the prefix before "/" must not be empty';
    if (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) {
      // The prefix comes from the file: quoted cut short, like every value a message shows.
      const shown = escapeControls(prefix.length > 60 ? `${prefix.slice(0, 60)}...` : prefix);
      return `the prefix "${shown}" must be a lowercase DNS subdomain (e.g. "example.com"), at most 253 characters`;
    }
  }
  if (name.length === 0) return 'the name part must not be empty';
  if (name.length > 63) return `the name part is ${name.length} characters long: at most 63 are allowed`;
  if (!LABEL_NAME.test(name)) {
    return 'the name part may contain only letters, digits, "-", "_" and ".", and must start and end with a letter or digit';
  }
  return undefined;
}

/** A label value (IsValidLabelValue): empty, or at most 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `it is ${value.length} characters long: at most 63 are allowed`;
  if (!LABEL_VALUE.test(value)) {
    return 'a label value may contain only letters, digits, "-", "_" and ".", and must start and end with a letter or digit (or be empty)';
  }
  return undefined;
}

/** A named port (IsValidPortName, the IANA_SVC_NAME rules). */
export function portNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a port name must not be empty';
  if (name.length > 15) return `it is ${name.length} characters long: a port name has at most 15`;
  if (!/^[-a-z0-9]+$/.test(name)) return 'a port name may contain only lowercase letters, digits and "-"';
  if (!/[a-z]/.test(name)) return 'a port name must contain at least one letter';
  if (name.startsWith('-') || name.endsWith('-')) return 'a port name must not start or end with "-"';
  if (name.includes('--')) return 'a port name must not contain "--"';
  return undefined;
}

/** Namespace names (and Service names) are DNS-1123 labels. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'it must not be empty';
  if (name.length > 63) return `it is ${name.length} characters long: at most 63 are allowed`;
  if (!DNS1123_LABEL.test(name)) return 'it may contain only lowercase letters, digits and "-", and must start and end with a letter or digit';
  return undefined;
}

/** Most object names (Pods, NetworkPolicies, workloads) are DNS-1123 subdomains. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'it must not be empty';
  if (name.length > 253) return `it is ${name.length} characters long: at most 253 are allowed`;
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return 'it may contain only lowercase letters, digits, "-" and ".", and each dot-separated part must start and end with a letter or digit';
  }
  return undefined;
}

/** The allowed name closest to a misspelt one (same letters ignoring case, or at most two edits). */
export function closestName(name: string, allowed: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const a of allowed) {
    if (a.toLowerCase() === lower) return a;
    const d = editDistance(lower, a.toLowerCase());
    if (d < bestDistance) {
      best = a;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
