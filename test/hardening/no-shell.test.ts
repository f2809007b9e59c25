/**
 * No shell strings. Every probe command builder (src/core/probe/plan.ts) gets names, hosts,
 * ports and paths with shell metacharacters, line breaks, spaces, unicode and option-like values:
 * each is rejected with a one-line message, or appears as exactly one argv element that no tool
 * can read as an option. A static check makes sure nothing in src/ runs commands through a shell.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Validated } from '../../src/core/probe/argv';
import { planConntrack, planDnsLookup, planHttp, planMtu, planPortCheck, planResolvConf, planSockets, type DnsRecordType, type ProbePlan } from '../../src/core/probe/plan';
import { params, Slowest } from './budget';

const HOSTILE = [
  '; id', 'web;id', '| cat /etc/passwd', 'web|nc', '$(id)', '`id`', '&& true', 'a&&b', '${IFS}', '$HOME', "'", '"', '\\', '>', '<', '(', ')', '{a,b}', '*', '?', '~', '#', '!',
  'x\ny', 'x\r\ny', 'web\n-e /bin/sh', ' web', 'web ', 'we b', '\tweb', 'web\u00a0x', '\0', '\u0007', '\u001b[31m', '\u202e', 'éxample.com', '例え.jp', '🙂',
  '-e', '-e/bin/sh', '--output', '--output=/tmp/x', '-oProxyCommand=nc evil 22', '-o', '-', '--', '-v', '+short', '@8.8.8.8', '-x', '--exec=sh', '-K/etc/passwd',
  'http://evil', 'web:80', '[::1]:80', '1.2.3.4:80', '../etc/passwd', '/etc/passwd', 'a..b', '.', '', ' ', 'x'.repeat(300), '%s%n', '%00', '..', 'localhost\\',
];
const PORTS: Array<number | string> = [80, 5432, '80', '443', 0, -1, 65536, 1.5, Number.NaN, Infinity, '80; id', '$(id)', '-1', '--80', '0x50', '80\n', ' 80', '٨٠', '1e3', ''];
const PATHS = ['/', '/healthz?x=1&y=2', '/a;b', "/it's", '/$(id)', '/`id`', '/a b', '/a\nb', '/é', '/{a,b}', '/[1-2]', '/#frag', '//evil', 'relative', '-o/tmp/x', '/..%2f..', '/%', '/%zz'];
const TOOLS = new Set(['nc', 'busybox', 'dig', 'curl', 'ping', 'cat', 'ss', 'dmesg']);

/** Options each tool reads, and which of them take the next element as their value. */
const TAKES_VALUE: Record<string, readonly string[]> = {
  nc: ['-w'],
  busybox: ['-w'],
  dig: ['-t', '-q'],
  curl: ['-o', '--max-time', '-w'],
  ping: ['-M', '-s', '-c', '-W'],
};

function checkRejection<T>(r: Validated<T>, what: string): void {
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.ok(r.message.length > 5 && r.message.length < 400, `${what}: message of ${r.message.length} characters`);
  assert.doesNotMatch(r.message, /[\r\n\u0000-\u0008\u001b]/, `${what}: a one-line message without control characters: ${JSON.stringify(r.message)}`);
}

/**
 * The user's value is exactly one argv element (for curl, the URL that holds it), that
 * element cannot be read as an option: after `--`, or the value of `-q` for dig (which has no
 * `--`), and it does not start with `-`, `+` or `@`.
 */
function checkPlan(plan: ProbePlan, value: string, what: string): void {
  const argv = plan.argv;
  assert.ok(Array.isArray(argv) && argv.length > 0 && argv.every((a) => typeof a === 'string' && a.length > 0), `${what}: argv of non-empty strings`);
  assert.ok(TOOLS.has(argv[0]!), `${what}: runs ${argv[0]}, a known tool, never a shell`);
  // Without a shell, `;`, `$(` or `&` in an element are plain characters; line breaks and NUL would still cut a tool's argument.
  for (const a of argv) assert.doesNotMatch(a, /[\n\r\0]/, `${what}: ${JSON.stringify(a)}`);
  const holders = argv.map((a, i) => [a, i] as const).filter(([a]) => a === value);
  assert.equal(holders.length, 1, `${what}: ${JSON.stringify(value)} in exactly one element of ${JSON.stringify(argv)}`);
  const [element, at] = holders[0]!;
  assert.ok(!/^[-+@]/.test(element), `${what}: ${JSON.stringify(element)} could be read as an option`);
  const dashdash = argv.indexOf('--');
  const asValueOfQ = argv[0] === 'dig' && argv[at - 1] === '-q';
  assert.ok((dashdash >= 0 && at > dashdash) || asValueOfQ, `${what}: ${JSON.stringify(element)} is not after "--" in ${JSON.stringify(argv)}`);
  // Every element before it is a fixed option or an option's value, never user input.
  const takes = TAKES_VALUE[argv[0]!] ?? [];
  for (let i = 1; i < at; i++) {
    const a = argv[i]!;
    if (a === '--' || takes.includes(argv[i - 1]!) || a === 'nc') continue;
    assert.ok(/^[-+]/.test(a), `${what}: unexpected positional ${JSON.stringify(a)} before the value in ${JSON.stringify(argv)}`);
  }
  assert.ok(plan.timeoutMs > 0 && plan.timeoutMs <= 200_000, `${what}: a bounded timeout`);
  assert.doesNotMatch(plan.title + plan.id, /[\r\n]/, `${what}: one-line title and id`);
}

type Builder = { name: string; build: (input: string) => Validated<ProbePlan | ProbePlan[]>; valueOf: (input: string, plan: ProbePlan) => string };

const BUILDERS: Builder[] = [
  { name: 'planPortCheck host (OpenBSD nc)', build: (h) => planPortCheck({ host: h, port: 80 }), valueOf: (h) => hostValue(h) },
  { name: 'planPortCheck host (busybox nc)', build: (h) => planPortCheck({ host: h, port: 80 }, { variant: 'busybox' }), valueOf: (h) => hostValue(h) },
  ...(['A', 'AAAA', 'SRV', 'TXT', 'PTR'] as DnsRecordType[]).map((type) => ({
    name: `planDnsLookup name (${type})`,
    build: (n: string) => planDnsLookup(n, { type }),
    valueOf: (n: string) => n,
  })),
  // curl takes the value inside its URL, which is one element after "--".
  { name: 'planHttp host (http)', build: (h) => planHttp({ host: h }), valueOf: (h) => `http://${urlHost(h)}:80/` },
  { name: 'planHttp host (https)', build: (h) => planHttp({ scheme: 'https', host: h, port: 8443 }), valueOf: (h) => `https://${urlHost(h)}:8443/` },
  { name: 'planHttp path', build: (p) => planHttp({ host: 'web.prod', path: p }), valueOf: (p) => `http://web.prod:80${p}` },
  { name: 'planMtu host', build: (h) => planMtu(h), valueOf: (h) => hostValue(h) },
];

function urlHost(h: string): string {
  const v = hostValue(h);
  return v.includes(':') ? `[${v}]` : v;
}

/** A host as the builders write it: brackets removed, IPv6 in lower case. */
function hostValue(h: string): string {
  const inner = /^\[(.*)\]$/.exec(h)?.[1] ?? h;
  return inner.includes(':') ? inner.toLowerCase() : inner;
}

function exercise(b: Builder, input: string): void {
  const what = `${b.name} ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`;
  const r = b.build(input);
  if (!r.ok) return checkRejection(r, what);
  const plans = Array.isArray(r.value) ? r.value : [r.value];
  for (const plan of plans) checkPlan(plan, b.valueOf(input, plan), what);
}

describe('hardening: no shell strings', () => {
  it('every builder either rejects hostile names, hosts and paths with a message, or passes them as one argv element no tool reads as an option', () => {
    let rejected = 0;
    for (const b of BUILDERS) {
      for (const input of HOSTILE) {
        exercise(b, input);
        if (!b.build(input).ok) rejected++;
      }
    }
    // Everything in the list is hostile except the absolute path "/etc/passwd" given as an HTTP path.
    assert.equal(rejected, BUILDERS.length * HOSTILE.length - 1);
    // URL paths may hold `;`, `&`, `'`, `$`, `(`: harmless inside one argv element, and legal in URLs.
    const httpPath = BUILDERS.find((b) => b.name === 'planHttp path')!;
    for (const p of PATHS) exercise(httpPath, p);
    assert.deepEqual(PATHS.filter((p) => httpPath.build(p).ok), ['/', '/healthz?x=1&y=2', '/a;b', "/it's", '/$(id)', '//evil', '/..%2f..']);
  });

  it('valid values are accepted and placed after "--" (or -q), even ones that look odd', () => {
    for (const [b, input] of [
      [BUILDERS[0]!, 'web.prod.svc.cluster.local.'],
      [BUILDERS[1]!, '::1'],
      [BUILDERS[2]!, '_http._tcp.web.prod.svc.cluster.local'],
      [BUILDERS[2]!, 'mx'],
      [BUILDERS[7]!, '[2001:DB8::1]'],
      [BUILDERS[9]!, "/search?q=a;b&x='1'"],
      [BUILDERS[10]!, '10.96.0.10'],
    ] as const) {
      assert.ok(b.build(input).ok, `${b.name} ${input}`);
      exercise(b, input);
    }
  });

  it('ports: hostile ports are rejected with a message, valid ones become one decimal element', () => {
    for (const port of PORTS) {
      const what = `port ${JSON.stringify(port)}`;
      for (const r of [planPortCheck({ host: 'web', port }), planHttp({ host: 'web', port })]) {
        if (!r.ok) {
          checkRejection(r, what);
          continue;
        }
        const n = Number(port);
        assert.ok(Number.isInteger(n) && n >= 1 && n <= 65535, `${what} accepted`);
        const argv = r.value.argv;
        assert.ok(argv.includes(String(n)) || argv.some((a) => a.endsWith(`:${n}/`)), `${what}: ${JSON.stringify(argv)}`);
      }
    }
  });

  it('other fields: protocol, record type, scheme and timeouts only take their listed values', () => {
    checkRejection(planPortCheck({ host: 'web', port: 53, protocol: 'UDP' }), 'UDP');
    checkRejection(planPortCheck({ host: 'web', port: 53, protocol: 'SCTP' }), 'SCTP');
    checkRejection(planDnsLookup('web', { type: 'A; id' as DnsRecordType }), 'record type');
    checkRejection(planDnsLookup('web', { type: '-f/etc/passwd' as DnsRecordType }), 'record type option');
    checkRejection(planHttp({ host: 'web', scheme: 'file' as 'http' }), 'scheme');
    for (const t of [0, -1, 61, 1.5, Number.NaN, Infinity]) {
      checkRejection(planPortCheck({ host: 'web', port: 80 }, { timeoutSeconds: t }), `timeout ${t}`);
      checkRejection(planMtu('web', { timeoutSeconds: t }), `timeout ${t}`);
    }
    for (const plan of [planResolvConf(), ...planSockets(), ...planConntrack()]) {
      assert.ok(TOOLS.has(plan.argv[0]!), plan.id);
      assert.ok(plan.argv.every((a) => !/[\s;|&$`]/.test(a)), plan.id);
    }
  });

  it('random strings (property): rejected with a message, or exactly one safe argv element', () => {
    const piece = fc.constantFrom('a', 'Z', '0', '9', '.', '-', '_', ':', '::', '[', ']', '/', ' ', '\n', ';', '$', '`', '|', '&', '(', ')', "'", '"', '\\', '+', '@', '%', '?', '=', '#', 'é', '\u0000', '--', '-e', '-o');
    const input = fc.oneof(fc.array(piece, { maxLength: 14 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(...HOSTILE));
    const slow = new Slowest('probe builders');
    fc.assert(
      fc.property(fc.constantFrom(...BUILDERS), input, (b, s) => slow.measure(() => exercise(b, s))),
      params(2),
    );
    slow.report();
  });
});

// ---------------------------------------------------------------------------------------------
// Static: nothing in src runs a shell

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(name)) out.push(full);
  }
  return out;
}

/** The text without comments (so a comment may explain what is forbidden), strings kept. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

describe('hardening: no shell strings (static, src/**)', () => {
  const SRC = path.join(__dirname, '..', '..', 'src');
  const files = sources(SRC).map((f) => ({ file: path.relative(SRC, f), text: code(readFileSync(f, 'utf8')) }));

  it(`scans every source file (${files.length})`, () => {
    assert.ok(files.length > 40);
  });

  const RULES: Array<[string, RegExp]> = [
    ['child_process.exec / execSync (they run a shell)', /\b(exec|execSync)\s*\(\s*[`'"]|child_process['"]\)?\s*\.\s*(exec|execSync)\b|\{\s*[^}]*\b(exec|execSync)\b[^}]*\}\s*from\s*['"](node:)?child_process['"]/],
    ['shell: true (or a shell path)', /\bshell\s*:\s*(true\b|['"`]\/)/],
    ['a shell invoked with -c', /['"`](\/bin\/)?(sh|bash|zsh|dash|ash|cmd(\.exe)?|powershell|pwsh)['"`]\s*,\s*\[?\s*['"`](-c|\/c|-Command)['"`]/i],
    ['a command line as one string', /\b(command|cmd)\s*:\s*[`'"][^`'"]*\s[^`'"]*[`'"]/],
  ];

  for (const [rule, pattern] of RULES) {
    it(`never: ${rule}`, () => {
      const hits = files.filter((f) => pattern.test(f.text)).map((f) => `${f.file}: ${pattern.exec(f.text)![0]}`);
      assert.deepEqual(hits, []);
    });
  }

  it('child_process is imported only where a reviewed allowlist says so (today: nowhere)', () => {
    const ALLOWED = new Set<string>();
    const importers = files.filter((f) => /from\s+['"](node:)?child_process['"]|require\(\s*['"](node:)?child_process['"]\s*\)/.test(f.text)).map((f) => f.file);
    assert.deepEqual(importers.filter((f) => !ALLOWED.has(f)), []);
  });

  it('the rules catch what they are meant to catch', () => {
    const bad = [
      "import { exec } from 'node:child_process';",
      "require('child_process').exec('ls ' + dir)",
      "spawn('kubectl', args, { shell: true })",
      "spawn('sh', ['-c', `nc ${host} ${port}`])",
      "const pod = { command: 'nc -zv web 80' }",
    ];
    for (const b of bad) assert.ok(RULES.some(([, p]) => p.test(code(b))), b);
    for (const good of ["spawn('kubectl', ['get', 'pods'])", "command: ['sleep', 'infinity']", "// never use { shell: true }", "argv: ['nc', '-zv', '--', host, port]"]) {
      assert.ok(!RULES.some(([, p]) => p.test(code(good))), good);
    }
  });
});
