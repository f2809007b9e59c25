/**
 * The matrix as the CLI prints it: rows for `--json`, counts for `--summary`, and a
 * readable table. Pairs are ordered and distinct (a pod to itself is left out).
 */
import type { MatrixResult } from '../engine/reach-index';
import { podKey, type Protocol } from '../model';
import { joinLines, oneLine } from './one-line';

export interface PortSpec {
  readonly port: number;
  readonly protocol: Protocol;
}

export interface MatrixRow {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  allowed: boolean;
}

/** Every ordered pair of distinct pods, for every port, in row order. */
export function* matrixRows(results: readonly MatrixResult[]): Generator<MatrixRow> {
  for (const r of results) {
    const names = r.pods.map(podKey);
    for (let i = 0; i < names.length; i++) {
      for (let j = 0; j < names.length; j++) {
        if (i !== j) yield { from: names[i]!, to: names[j]!, port: r.port, protocol: r.protocol, allowed: r.matrix.get(i, j) };
      }
    }
  }
}

export interface MatrixSummary {
  pods: number;
  /** n × (n − 1) ordered pairs of distinct pods. */
  pairs: number;
  /** Pairs allowed on at least one of the ports. */
  allowed: number;
  /** Pairs denied on every port. */
  denied: number;
  byPort: { port: number; protocol: Protocol; allowed: number; denied: number }[];
}

export function matrixSummary(results: readonly MatrixResult[]): MatrixSummary {
  const n = results[0]?.pods.length ?? 0;
  const pairs = n * (n - 1);
  const byPort = results.map((r) => {
    const allowed = r.matrix.count() - n; // the diagonal is always set
    return { port: r.port, protocol: r.protocol, allowed, denied: pairs - allowed };
  });
  let allowed = 0;
  if (results.length === 1) allowed = byPort[0]!.allowed;
  else if (results.length > 1) {
    const any = results[0]!.matrix.data.slice();
    for (const r of results.slice(1)) for (let w = 0; w < any.length; w++) any[w]! |= r.matrix.data[w]!;
    for (let w = 0; w < any.length; w++) {
      let x = any[w]!;
      while (x) {
        x &= x - 1;
        allowed++;
      }
    }
    allowed -= n;
  }
  return { pods: n, pairs, allowed, denied: pairs - allowed, byPort };
}

/**
 * A table: one row per source, one column per destination (numbered), ✓ allowed, · denied.
 * Names are escaped to one line (`oneLine`) before they are measured and clipped.
 */
export function matrixTable(r: MatrixResult): string {
  const names = r.pods.map((p) => oneLine(podKey(p)));
  const n = names.length;
  const idxWidth = String(Math.max(n - 1, 0)).length;
  const nameWidth = Math.min(48, Math.max(4, ...names.map((s) => s.length)));
  const clip = (s: string): string => (s.length > nameWidth ? `${s.slice(0, nameWidth - 1)}…` : s.padEnd(nameWidth));
  const cell = Math.max(2, idxWidth + 1);
  const header = `${' '.repeat(idxWidth + 1 + nameWidth)} ${names.map((_, j) => String(j).padStart(cell)).join('')}`;
  const lines = [`Reachability on ${r.port}/${r.protocol}: ${n} pods (row → column; ✓ allowed, · denied)`, header];
  for (let i = 0; i < n; i++) {
    let row = `${String(i).padStart(idxWidth)} ${clip(names[i]!)} `;
    for (let j = 0; j < n; j++) row += (i === j ? '-' : r.matrix.get(i, j) ? '✓' : '·').padStart(cell);
    lines.push(row);
  }
  return joinLines(lines);
}
