/**
 * Shared shapes for probe output parsing: what an exec returned, and what we conclude from it.
 */

import type { Severity } from '../model';

/** What one exec of a probe command returned. Parsers read nothing else. */
export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** Process exit status; null when the exec channel reported none (for example the stream was cut). */
  readonly exitCode: number | null;
}

/** One conclusion drawn from a probe, with the threshold or signal that triggered it in the message. */
export interface ProbeDiagnosis {
  /** Stable id, e.g. `ss-close-wait`, `curl-slow-dns`, `conntrack-table-full`. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
}

/**
 * Splits tool text into lines, tolerating CRLF, without the empty string after a final newline.
 * @param text any string, possibly empty
 */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A short single-line quotation of tool text for "unknown" reasons, so a megabyte of garbage
 * or a control character never ends up in a message.
 * @param text the text to quote
 * @param max the longest excerpt kept, in characters
 */
export function excerpt(text: string, max = 120): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  const short = flat.length > max ? `${flat.slice(0, max)}…` : flat;
  return JSON.stringify(short);
}

/**
 * The reason used when a tool printed nothing we recognise.
 * @param tool the command name, for the message
 * @param out the raw output
 */
export function unrecognised(tool: string, out: ToolOutput): string {
  const text = out.stderr.trim() !== '' ? out.stderr : out.stdout;
  const status = out.exitCode === null ? 'no exit status' : `exit ${out.exitCode}`;
  return text.trim() === ''
    ? `${tool} printed nothing (${status})`
    : `unrecognised ${tool} output (${status}): ${excerpt(text)}`;
}
