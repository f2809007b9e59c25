/**
 * Reading manifest files for the CLI (the Node edge of the loader: core/manifest is pure).
 *
 * Paths may be files, directories (searched recursively for *.yaml, *.yml and *.json) or `-`
 * for standard input. Problems reading a path become one-line error strings; nothing throws.
 * The order is deterministic: arguments in order, directory entries sorted by name.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { createReadStream, type Stats } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LOAD_OPTIONS } from '../core/manifest/load';
import type { ManifestInput } from '../core/manifest/load';

export interface ReadInputsOptions {
  /** Where `-` reads from; standard input by default. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Larger files are not read (an error string says so). Defaults to the loader's limit. */
  readonly maxFileBytes?: number;
}

export interface ReadInputsResult {
  readonly inputs: ManifestInput[];
  /** One line per path that could not be read, e.g. `k8s/x.yaml: permission denied`. */
  readonly errors: string[];
}

/** Name used in findings for content read from standard input. */
export const STDIN_NAME = '<stdin>';

const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;
/** Directories that never hold manifests to analyse; hidden ones (.git, .github...) are skipped too. */
const SKIPPED_DIRECTORIES = new Set(['node_modules']);

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symlink loop?)';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Reads a stream whose size is not known beforehand (standard input, a pipe, a device), at most
 * `max` bytes: undefined when there is more, and the rest is not read (`/dev/zero` or
 * `yes | netlens lint -` never end).
 */
async function readBounded(stream: NodeJS.ReadableStream, max: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    total += b.length;
    // Leaving the loop ends the iteration, which destroys the stream.
    if (total > max) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads the given files, directories and `-` (standard input) into loader inputs.
 * Each file is read once even if reached twice (through a symlink or a repeated argument),
 * and symlink loops are not followed.
 */
export async function readInputs(paths: readonly string[], options: ReadInputsOptions = {}): Promise<ReadInputsResult> {
  const inputs: ManifestInput[] = [];
  const errors: string[] = [];
  const maxBytes = options.maxFileBytes ?? DEFAULT_LOAD_OPTIONS.maxFileBytes;
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  let stdinRead = false;

  const readOne = async (file: string, st: Stats): Promise<void> => {
    let real: string;
    try {
      real = await realpath(file);
    } catch (e) {
      errors.push(`${file}: ${reason(e)}`);
      return;
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    if (st.isFile() && st.size > maxBytes) {
      errors.push(`${file}: skipped, its ${size(st.size)} are over the ${size(maxBytes)} limit`);
      return;
    }
    try {
      if (st.isFile()) inputs.push({ file, content: await readFile(file) });
      else {
        // A pipe (`<(kubectl get ...)`), a FIFO or a device: no size to check first, so read at most the limit.
        const content = await readBounded(createReadStream(file), maxBytes);
        if (content) inputs.push({ file, content });
        else errors.push(`${file}: skipped, it holds more than the ${size(maxBytes)} limit`);
      }
    } catch (e) {
      errors.push(`${file}: ${reason(e)}`);
    }
  };

  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (e) {
      errors.push(`${dir}: ${reason(e)}`);
      return;
    }
    // A directory reached again (a symlink loop, or two arguments overlapping) is read once.
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let names: string[];
    try {
      names = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (e) {
      errors.push(`${dir}: ${reason(e)}`);
      return;
    }
    for (const name of names) {
      if (name.startsWith('.') || SKIPPED_DIRECTORIES.has(name)) continue;
      const full = path.join(dir, name);
      let st: Stats;
      try {
        st = await stat(full);
      } catch (e) {
        // A dangling symlink in a directory is worth a line only if it looks like a manifest.
        if (MANIFEST_EXTENSIONS.test(name)) errors.push(`${full}: ${reason(e)}`);
        continue;
      }
      if (st.isDirectory()) await walk(full);
      else if (st.isFile() && MANIFEST_EXTENSIONS.test(name)) await readOne(full, st);
    }
  };

  for (const p of paths) {
    if (p === '-') {
      if (stdinRead) continue;
      stdinRead = true;
      try {
        const content = await readBounded(options.stdin ?? process.stdin, maxBytes);
        if (content) inputs.push({ file: STDIN_NAME, content });
        else errors.push(`${STDIN_NAME}: skipped, it holds more than the ${size(maxBytes)} limit`);
      } catch (e) {
        errors.push(`${STDIN_NAME}: ${reason(e)}`);
      }
      continue;
    }
    let st: Stats;
    try {
      st = await stat(p);
    } catch (e) {
      errors.push(`${p}: ${reason(e)}`);
      continue;
    }
    // An explicit file is read whatever its name (e.g. /dev/fd/63 from `<(kubectl get ...)`).
    if (st.isDirectory()) await walk(p);
    else await readOne(p, st);
  }
  return { inputs, errors };
}
