// `npm run fuzz`: the property-based tests of test/hardening with a 50× budget (10,000 runs per
// property of weight 1 instead of `npm test`'s 200), timing reports, and no mocha timeout.
//
//   npm run fuzz                     # every fuzz-*.test.ts in test/hardening
//   npm run fuzz -- --runs 2000      # another budget (runs per property of weight 1)
//   npm run fuzz -- --seed 1234      # replay a failure (fast-check prints the seed and path)
//   npm run fuzz -- test/hardening/fuzz-cli.test.ts   # some files only
//
// The knob is the NETLENS_FUZZ_RUNS environment variable, read by test/hardening/budget.ts;
// NETLENS_FUZZ_SEED and NETLENS_FUZZ_REPORT are the other two.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const DEFAULT_RUNS = 10_000;
const args = process.argv.slice(2);
const env = { ...process.env, NETLENS_FUZZ_REPORT: '1' };
env.NETLENS_FUZZ_RUNS ??= String(DEFAULT_RUNS);
const files = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--runs' || a === '--seed') {
    const v = args[++i];
    if (!v || !/^-?\d+$/.test(v)) {
      console.error(`fuzz: ${a} needs a whole number`);
      process.exit(2);
    }
    env[a === '--runs' ? 'NETLENS_FUZZ_RUNS' : 'NETLENS_FUZZ_SEED'] = v;
  } else if (a.startsWith('-')) {
    console.error(`fuzz: unknown option ${a} (use --runs N, --seed S, or test files)`);
    process.exit(2);
  } else files.push(a);
}
if (files.length === 0) files.push('test/hardening/fuzz-*.test.ts', 'test/manifest/differential.test.ts');
// The differential test of test/manifest has its own knob.
env.DIFF_RUNS ??= String(Math.max(1500, Number(env.NETLENS_FUZZ_RUNS)));

const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
console.log(`fuzz: NETLENS_FUZZ_RUNS=${env.NETLENS_FUZZ_RUNS}${env.NETLENS_FUZZ_SEED ? ` NETLENS_FUZZ_SEED=${env.NETLENS_FUZZ_SEED}` : ''} on ${files.join(' ')}`);
const child = spawn(process.execPath, [mocha, '--timeout', '0', ...files], { stdio: 'inherit', env });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
