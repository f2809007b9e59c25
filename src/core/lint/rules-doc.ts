/** docs/rules.md, generated from the rules catalog (`npm run docs:rules`; a test keeps it in sync). */
import { RULES } from './rules-catalog';

export function rulesMarkdown(): string {
  const section = (kind: 'lint' | 'input', heading: string, intro: string): string[] => {
    const ids = Object.keys(RULES).filter((id) => RULES[id]!.kind === kind).sort();
    const out = [`## ${heading}`, '', intro, '', '| id | default | title |', '|---|---|---|'];
    for (const id of ids) out.push(`| [\`${id}\`](#${id}) | ${RULES[id]!.severity} | ${RULES[id]!.title} |`);
    for (const id of ids) {
      const r = RULES[id]!;
      out.push('', `### ${id}`, '', `**${r.title}** (default: ${r.severity})`, '', r.description, '', `**What to do:** ${r.help}`);
    }
    return out;
  };
  return [
    '# Rules',
    '',
    'Every finding netlens reports, in the editor (Problems panel, with quick fixes where one',
    'exists) and from `netlens lint` (text, JSON or SARIF). Severities are configurable per rule,',
    'and any rule can be turned off: `netlens.lint.severity` in VS Code settings, or',
    '`--rule <id>=<error|warning|info|hint|off>` on the command line.',
    '',
    '_Generated from `src/core/lint/rules-catalog.ts` by `npm run docs:rules`._',
    '',
    ...section('lint', 'Policy rules', 'Mistakes in NetworkPolicies that the API server accepts but that do not do what was meant.'),
    '',
    ...section('input', 'Input and API validation', 'Problems reading manifests, and values the API server would reject. A policy with an error here never counts in a verdict.'),
    '',
  ].join('\n');
}
