/**
 * Renders a {@link Verdict} as the CLI's JSON contract and as text for people.
 * Locations are 1-based (line:column), as editors and CI annotations print them.
 */
import { decidingPolicies, type DirectionVerdict, type PolicyRef, type Verdict } from '../engine/explain';
import type { SourceRef } from '../model';
import { joinLines } from './one-line';

export interface JsonLocation {
  file: string;
  line: number;
  column: number;
}

export function jsonLocation(source: SourceRef | undefined, path = ''): JsonLocation | undefined {
  if (!source) return undefined;
  const range = (path ? source.at(path)?.value : undefined) ?? source.range;
  return { file: source.file, line: range.start.line + 1, column: range.start.character + 1 };
}

function locationText(source: SourceRef | undefined, path = ''): string {
  const loc = jsonLocation(source, path);
  return loc ? ` (${loc.file}:${loc.line})` : '';
}

function policyJson(p: PolicyRef, path = ''): Record<string, unknown> {
  const loc = jsonLocation(p.source, path);
  return { policy: `${p.namespace}/${p.name}`, ...(loc ? { location: loc } : {}) };
}

function directionJson(d: DirectionVerdict): Record<string, unknown> {
  return {
    ...(d.pod ? { pod: d.pod } : {}),
    applies: d.applies,
    isolated: d.isolated,
    allowed: d.allowed,
    policies: d.policies.map((p) => `${p.namespace}/${p.name}`),
    allowedBy: d.allowedBy.map((m) => ({ ...policyJson(m.policy, m.path), rule: m.rule, peer: m.peer, port: m.port, text: m.text })),
    misses: d.misses.map((m) => ({ ...policyJson(m.policy, m.path), ...(m.rule !== undefined ? { rule: m.rule } : {}), message: m.message })),
    ...(d.note ? { note: d.note } : {}),
  };
}

/** The `netlens reach --json` document. */
export function verdictJson(v: Verdict): Record<string, unknown> {
  return {
    allowed: v.allowed,
    from: v.from,
    to: v.to,
    port: v.port,
    protocol: v.protocol,
    ...(v.portName ? { portName: v.portName } : {}),
    explanation: {
      summary: v.summary,
      deciding: decidingPolicies(v),
      self: v.self,
      egress: directionJson(v.egress),
      ingress: directionJson(v.ingress),
      invalidPolicies: v.invalidPolicies.map((i) => ({ ...policyJson(i.policy), direction: i.direction, problems: i.problems })),
    },
  };
}

function directionText(d: DirectionVerdict, heading: string): string[] {
  const lines: string[] = [];
  if (!d.applies || !d.isolated) {
    lines.push(`${heading}: not isolated${d.note ? ` (${d.note})` : ''}`);
    return lines;
  }
  const n = d.policies.length;
  lines.push(`${heading}: isolated by ${n} ${n === 1 ? 'policy' : 'policies'} (${d.policies.map((p) => `${p.namespace}/${p.name}`).join(', ')})`);
  for (const m of d.allowedBy) lines.push(`  ✓ ${m.text}${locationText(m.policy.source, m.path)}`);
  for (const m of d.misses) lines.push(`  ✗ ${m.policy.namespace}/${m.policy.name}${locationText(m.policy.source, m.path)}: ${m.message}`);
  return lines;
}

/**
 * Multi-line text for people, as `netlens reach` prints it. Each line is escaped to one line
 * (`oneLine`): pod, namespace and policy names and file paths come from the manifests.
 */
export function verdictText(v: Verdict): string {
  const port = v.portName ? `${v.port}/${v.protocol} (${v.portName})` : `${v.port}/${v.protocol}`;
  const lines = [`${v.allowed ? 'ALLOWED' : 'DENIED'}  ${v.from} → ${v.to} on ${port}`, ''];
  if (v.self) {
    lines.push(v.egress.note ?? '');
  } else {
    lines.push(...directionText(v.egress, `Egress from ${v.from}`));
    lines.push(...directionText(v.ingress, `Ingress to ${v.to}`));
  }
  if (v.invalidPolicies.length) {
    lines.push('', 'Ignored (the API server would reject them):');
    for (const i of v.invalidPolicies) lines.push(`  ! ${i.policy.namespace}/${i.policy.name}${locationText(i.policy.source)}: ${i.problems.join('; ')}`);
  }
  return joinLines(lines);
}
