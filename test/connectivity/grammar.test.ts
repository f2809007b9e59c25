/**
 * The netlens-report TextMate grammar: valid JSON, the right scopeName, every regex compiles in
 * JavaScript (vscode-textmate is not installed; the grammar keeps to the Oniguruma subset that JS
 * shares), and a small scanner with TextMate's rule (earliest match wins, ties go to the first
 * rule) colours real report lines as intended.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_WORDS } from '../../src/core/connectivity/report';

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, { name?: string }>;
}

interface Grammar {
  name: string;
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const ROOT = join(__dirname, '..', '..', 'syntaxes');
const grammar = JSON.parse(readFileSync(join(ROOT, 'netlens-report.tmLanguage.json'), 'utf8')) as Grammar;

/** Flattens includes into the ordered list of match rules TextMate would try. */
function flatten(rules: readonly Rule[], seen = new Set<string>()): Rule[] {
  const out: Rule[] = [];
  for (const r of rules) {
    if (r.include) {
      assert.ok(r.include.startsWith('#'), `only repository includes: ${r.include}`);
      const key = r.include.slice(1);
      const target = grammar.repository[key];
      assert.ok(target, `repository has ${key}`);
      if (seen.has(key)) continue;
      out.push(...flatten([target], new Set([...seen, key])));
    } else if (r.patterns) {
      out.push(...flatten(r.patterns, seen));
    } else {
      out.push(r);
    }
  }
  return out;
}

const RULES = flatten(grammar.patterns);

interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
}

/** Tokenises one line as TextMate does for single-line match rules, with capture scopes. */
function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos <= line.length) {
    let best: { rule: Rule; m: RegExpExecArray } | undefined;
    for (const rule of RULES) {
      const re = new RegExp(rule.match!, 'dg');
      re.lastIndex = pos;
      const m = re.exec(line);
      if (m && m[0].length > 0 && (!best || m.index < best.m.index)) best = { rule, m };
    }
    if (!best) break;
    const { rule, m } = best;
    const base = rule.name ? [rule.name] : [];
    const captures = Object.entries(rule.captures ?? {});
    if (captures.length === 0) {
      tokens.push({ text: m[0], scopes: base });
    } else {
      for (const [group, c] of captures) {
        const span = m.indices?.[Number(group)];
        if (!span || span[0] === span[1]) continue;
        tokens.push({ text: line.slice(span[0], span[1]), scopes: [...base, ...(c.name ? [c.name] : [])] });
      }
    }
    pos = m.index + m[0].length;
  }
  return tokens;
}

function scopesOf(line: string, text: string): string[] {
  const t = tokenize(line).find((x) => x.text === text);
  return t ? [...t.scopes] : [];
}

function hasScope(line: string, text: string, scope: string): boolean {
  return scopesOf(line, text).some((s) => s.startsWith(scope));
}

describe('netlens-report grammar', () => {
  it('is valid JSON with the scope name, and every regex compiles in JavaScript', () => {
    assert.equal(grammar.scopeName, 'source.netlens-report');
    assert.equal(grammar.name, 'NetLens Report');
    assert.ok(RULES.length >= 15);
    for (const r of RULES) {
      assert.ok(r.match, `only single-line match rules (got ${JSON.stringify(r).slice(0, 80)})`);
      assert.doesNotThrow(() => new RegExp(r.match!), r.match);
      assert.doesNotMatch(r.match!, /\\[AGzhH]|\(\?[imx]+\)|\(\?>|[*+?}]\+/, 'no Oniguruma-only syntax');
      assert.match(r.name ?? Object.values(r.captures ?? {}).map((c) => c.name).join(' '), /\.netlens-report/);
    }
    const config = JSON.parse(readFileSync(join(ROOT, 'netlens-report.language-configuration.json'), 'utf8')) as { comments: { lineComment: string } };
    assert.equal(config.comments.lineComment, '#');
  });

  it('colours every verdict word the report uses, by how it reads', () => {
    for (const [kind, scope] of [['good', 'markup.inserted'], ['bad', 'markup.deleted'], ['neutral', 'markup.changed']] as const) {
      for (const word of REPORT_WORDS[kind]) assert.ok(hasScope(`[${word}] TCP connect to 10.244.1.45:5432  3.0 s`, word, scope), `${word} → ${scope}`);
    }
    const row = 'Probe     TIMED OUT     No answer from 10.244.1.45:5432 before the timeout';
    assert.ok(hasScope(row, 'Probe', 'keyword.other.field'));
    assert.ok(hasScope(row, 'TIMED OUT', 'markup.deleted'));
    assert.ok(!hasScope('Consistent: the policies deny it', 'deny', 'markup'), 'lower-case words are prose');
  });

  it('colours addresses, ports, protocols, policy names, durations and headings', () => {
    const line = '[TIMED OUT] TCP connect to 10.244.1.45:5432  3.0 s';
    assert.ok(hasScope(line, '10.244.1.45', 'constant.numeric.ip.ipv4'));
    assert.ok(hasScope(line, '5432', 'constant.numeric.port'));
    assert.ok(hasScope(line, '3.0 s', 'constant.numeric.duration'));
    assert.ok(hasScope('[OK] Read /etc/resolv.conf  12 ms', '12 ms', 'constant.numeric.duration'));
    const policy = 'Deciding policies: production/default-deny-ingress (seed/default-deny-ingress.yaml:1)';
    assert.ok(hasScope(policy, 'default-deny-ingress', 'entity.name.type.policy'));
    assert.ok(hasScope(policy, 'production', 'entity.name.namespace'));
    assert.ok(hasScope(policy, 'Deciding policies:', 'keyword.other.field'));
    assert.ok(!tokenize(policy).some((t) => t.text === 'policies' || t.text === 'seed'), 'a file path is not a policy name');
    assert.ok(hasScope('it is isolated by production/default-deny-ingress.', 'default-deny-ingress', 'entity.name.type.policy'), 'at the end of a sentence');
    assert.ok(hasScope('→ production/postgres-0:5432/TCP', '5432', 'constant.numeric.port'));
    const proto = 'Port         5432/TCP (postgresql)';
    assert.ok(hasScope(proto, '5432', 'constant.numeric.port'));
    assert.ok(hasScope(proto, 'TCP', 'constant.language.protocol'));
    assert.ok(hasScope('=== Verdict ===', 'Verdict', 'markup.heading'));
    assert.ok(hasScope('NetLens connectivity report', 'NetLens connectivity report', 'markup.heading'));
    const v6 = 'nc: connect to fd00:10:244::1a port 5432 (tcp) timed out; curl [2001:db8::7]:8443 and ::1';
    assert.ok(hasScope(v6, 'fd00:10:244::1a', 'constant.numeric.ip.ipv6'));
    assert.ok(hasScope(v6, '2001:db8::7', 'constant.numeric.ip.ipv6'));
    assert.ok(hasScope(v6, '8443', 'constant.numeric.port'));
    assert.ok(hasScope(v6, '::1', 'constant.numeric.ip.ipv6'));
    assert.ok(hasScope('  ✗ production/default-deny-ingress', '✗', 'markup.deleted'));
    assert.ok(hasScope('ipBlock 10.244.1.0/24 except 10.244.1.45/32', '10.244.1.0', 'constant.numeric.ip.ipv4'));
    assert.ok(hasScope('ipBlock 10.244.1.0/24 except 10.244.1.45/32', '24', 'constant.numeric.prefix'));
  });

  it('does not take times, options or paths for ports and names', () => {
    const time = 'Time         2026-11-22T10:00:00.000Z';
    assert.ok(hasScope(time, '2026-11-22T10:00:00.000Z', 'constant.other.timestamp'));
    assert.ok(!tokenize(time).some((t) => t.scopes.some((s) => s.startsWith('constant.numeric.port') || s.includes('ipv6'))));
    const resolv = '    → nameserver 10.96.0.10; search production.svc.cluster.local svc.cluster.local cluster.local; ndots:5';
    assert.ok(hasScope(resolv, '10.96.0.10', 'constant.numeric.ip.ipv4'));
    assert.ok(!tokenize(resolv).some((t) => t.text === '5'), 'ndots:5 is not a port');
    const cmd = '    $ cat /proc/sys/net/ipv4/ip_local_port_range';
    assert.deepEqual(tokenize(cmd).map((t) => t.scopes.at(-1)), ['punctuation.definition.command.netlens-report', 'markup.raw.command.netlens-report']);
    assert.ok(!tokenize('  - production/web-api: not selected by app.kubernetes.io/name').some((t) => t.text === 'name'), 'a label key is not a policy');
    assert.ok(hasScope('    # Generated by netlens for production/web-api', '    # Generated by netlens for production/web-api', 'comment.line'));
  });
});
