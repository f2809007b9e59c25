/**
 * Reads the captured tool-output fixtures (format in test/fixtures/tool-output/README.md): a
 * `# command: … | exit_code: N | …` header, `# stdout_bytes: N stderr_bytes: M`, then the
 * `--- stdout ---` and `--- stderr ---` sections. The byte counts are used to cut the sections
 * exactly, so a trailing newline the capture appended is not mistaken for tool output.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolOutput } from '../../src/core/probe/tool-output';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'tool-output');

export interface Fixture extends ToolOutput {
  readonly name: string;
  readonly command: string;
}

/** The fixture file names (`*.txt`), sorted. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort();
}

/** Reads one fixture; throws if the file does not follow the format. */
export function readFixture(name: string): Fixture {
  const buf = readFileSync(join(FIXTURE_DIR, name));
  const text = buf.toString('utf8');
  const header = /^# command: (.*?) \| exit_code: (-?\d+)/.exec(text);
  const sizes = /^# stdout_bytes: (\d+) stderr_bytes: (\d+)/m.exec(text);
  if (!header || !sizes) throw new Error(`${name}: header without command, exit_code or byte counts`);
  const stdoutBytes = Number(sizes[1]);
  const stderrBytes = Number(sizes[2]);

  const stdoutMarker = Buffer.from('\n--- stdout ---\n');
  const stderrMarker = Buffer.from('--- stderr ---\n');
  let pos = buf.indexOf(stdoutMarker);
  if (pos < 0) throw new Error(`${name}: no --- stdout --- line`);
  pos += stdoutMarker.length;
  const stdout = buf.subarray(pos, pos + stdoutBytes);
  pos += stdoutBytes;
  if (stdoutBytes > 0 && stdout[stdout.length - 1] !== 0x0a) pos++; // the capture appended a newline
  if (!buf.subarray(pos, pos + stderrMarker.length).equals(stderrMarker)) throw new Error(`${name}: stdout is not ${stdoutBytes} bytes`);
  pos += stderrMarker.length;
  const stderr = buf.subarray(pos, pos + stderrBytes);
  pos += stderrBytes;
  const rest = buf.subarray(pos).toString('utf8');
  if (rest !== '' && rest !== '\n') throw new Error(`${name}: stderr is not ${stderrBytes} bytes`);

  return {
    name,
    command: header[1] ?? '',
    exitCode: Number(header[2]),
    stdout: stdout.toString('utf8'),
    stderr: stderr.toString('utf8'),
  };
}
