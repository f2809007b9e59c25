/**
 * The shared fuzzing budget of the hardening tests, and timing helpers.
 *
 * `NETLENS_FUZZ_RUNS` is the number of runs of a property of weight 1 (default 200, which
 * keeps `npm test` fast); `npm run fuzz` (scripts/fuzz.mjs) sets it 50× higher.
 * `NETLENS_FUZZ_SEED` (and `NETLENS_FUZZ_PATH`) replay a failing run (fast-check prints both).
 * Timing bounds here say "finishes": they catch hangs and blow-ups, not slowness, which
 * belongs in `npm run bench`. They bound CPU time, so a busy machine does not fail them. The
 * slowest input of each property is reported when NETLENS_FUZZ_REPORT is set.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';

export const DEFAULT_FUZZ_RUNS = 200;

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 1) throw new Error(`${name}=${v}: expected a positive number`);
  return Math.floor(n);
}

/** Runs of a property of this weight under the current budget (at least 1). */
export function runs(weight = 1): number {
  return Math.max(1, Math.round((envInt('NETLENS_FUZZ_RUNS') ?? DEFAULT_FUZZ_RUNS) * weight));
}

/**
 * fast-check parameters: the budget, plus the seed (and path) when given to replay a failure:
 * `NETLENS_FUZZ_SEED=<seed> NETLENS_FUZZ_PATH=<path> npx mocha <file> -g <test>`.
 */
export function params<T>(weight = 1): fc.Parameters<T> {
  const seed = process.env.NETLENS_FUZZ_SEED ? Number(process.env.NETLENS_FUZZ_SEED) : undefined;
  const path = process.env.NETLENS_FUZZ_PATH;
  return { numRuns: runs(weight), ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}), ...(path ? { path } : {}) };
}

/** How much longer than a default run the current budget is, to scale mocha timeouts. */
export function budgetFactor(): number {
  return Math.max(1, runs() / DEFAULT_FUZZ_RUNS);
}

/**
 * Upper bound for any single input: far above normal (a few ms), far below a hang. It bounds the
 * process's CPU time, not wall time, so a loaded machine (CI, other test runs) does not fail it.
 */
export const PER_INPUT_MS = 2000;

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** Runs `fn`; `ms` is the CPU time it used, `wallMs` the elapsed time. */
export function timed<T>(fn: () => T): { value: T; ms: number; wallMs: number } {
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = fn();
  return { value, ms: cpuMs(cpu), wallMs: Number(process.hrtime.bigint() - t) / 1e6 };
}

export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; wallMs: number }> {
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await fn();
  return { value, ms: cpuMs(cpu), wallMs: Number(process.hrtime.bigint() - t) / 1e6 };
}

/** Tracks the slowest input of one property and asserts each finishes within the bound. */
export class Slowest {
  ms = 0;
  count = 0;
  total = 0;
  constructor(readonly name: string, readonly boundMs = PER_INPUT_MS) {}

  /**
   * Runs `fn` on one input, asserting it finishes in time. An input over the bound is timed once
   * more and the faster run counts: a hang or a blow-up repeats, a garbage-collection pause of a
   * long fuzzing run (whose CPU time the process is charged) does not.
   */
  measure<T>(fn: () => T, what?: () => string): T {
    const first = timed(fn);
    const ms = first.ms < this.boundMs ? first.ms : Math.min(first.ms, timed(fn).ms);
    this.note(ms, what);
    return first.value;
  }

  async measureAsync<T>(fn: () => Promise<T>, what?: () => string): Promise<T> {
    const first = await timedAsync(fn);
    const ms = first.ms < this.boundMs ? first.ms : Math.min(first.ms, (await timedAsync(fn)).ms);
    this.note(ms, what);
    return first.value;
  }

  private note(ms: number, what?: () => string): void {
    this.count++;
    this.total += ms;
    if (ms > this.ms) this.ms = ms;
    assert.ok(ms < this.boundMs, `${this.name}: one input took ${ms.toFixed(0)} ms of CPU (bound ${this.boundMs} ms)${what ? `: ${what()}` : ''}`);
  }

  /** One line for the timing report, printed when NETLENS_FUZZ_REPORT is set (npm run fuzz sets it). */
  report(): void {
    if (!process.env.NETLENS_FUZZ_REPORT) return;
    const avg = this.count ? this.total / this.count : 0;
    console.log(`      [timing] ${this.name}: ${this.count} inputs, slowest ${this.ms.toFixed(1)} ms CPU, mean ${avg.toFixed(2)} ms`);
  }
}
