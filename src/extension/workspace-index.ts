// The workspace as a ClusterSnapshot: every YAML/JSON manifest of the workspace folders, parsed
// file by file with the core loader and merged, with open documents (unsaved edits included)
// standing in for their files. Starts on the first NetworkPolicy document, never blocks
// activation, and afterwards follows file and buffer changes in debounced batches.
import * as vscode from 'vscode';
import { buildSnapshot, parseManifestText } from '../core/manifest/load';
import type { LoadResult, LoadedObject } from '../core/manifest/load';
import { emptySnapshot } from '../core/model';
import type { ClusterSnapshot, Finding, NetworkPolicy } from '../core/model';
import {
  INDEXED_SCHEMES,
  MANIFEST_GLOB,
  MAX_MANIFEST_BYTES,
  isManifestDocument,
  mayHoldManifest,
  mayHoldNetworkPolicy,
} from './documents';
import { errorText, type Log } from './log';
import type { SnapshotSource } from './snapshot-source';

/** What one file or buffer contributes. */
export interface FileEntry {
  /** `uri.toString()`: the `file` of its findings, source references and fix edits. */
  readonly key: string;
  readonly uri: vscode.Uri;
  readonly objects: readonly LoadedObject[];
  readonly policies: readonly NetworkPolicy[];
  /** The loader's findings for this file alone (syntax, templates, invalid fields, ...). */
  readonly findings: readonly Finding[];
  /** Passed the NetworkPolicy pre-check: diagnostics are shown for this file. */
  readonly holdsPolicy: boolean;
  /** The text that was parsed, kept for files that hold a policy: fixes are computed on it. */
  readonly text: string | undefined;
  /** Version of the open document parsed; undefined when read from disk. */
  readonly documentVersion: number | undefined;
}

const MAX_FILES = 20_000;
const READ_CONCURRENCY = 8;
const DOCUMENT_DEBOUNCE_MS = 150;
const FILE_DEBOUNCE_MS = 250;
const CHANGE_DEBOUNCE_MS = 30;
/** More unknown files than this in one batch of watcher events (a checkout): rescan instead. */
const RESCAN_THRESHOLD = 200;

function expandBraces(glob: string): string[] {
  const m = /^([^{}]*)\{([^{}]*)\}(.*)$/.exec(glob);
  if (!m) return glob.includes('{') || glob.includes('}') ? [] : [glob];
  return m[2]!.split(',').flatMap((alt) => expandBraces(`${m[1]}${alt}${m[3]}`));
}

/** node_modules plus the folder's `files.exclude` (as findFiles applies it only when no exclude is given). */
function excludeGlob(folder: vscode.WorkspaceFolder): string {
  const patterns = ['**/node_modules/**'];
  const excluded = vscode.workspace.getConfiguration('files', folder.uri).get<Record<string, unknown>>('exclude') ?? {};
  for (const [glob, on] of Object.entries(excluded)) if (on === true) patterns.push(...expandBraces(glob));
  return `{${patterns.join(',')}}`;
}

function policiesOf(objects: readonly LoadedObject[]): NetworkPolicy[] {
  return objects.map((o) => o.object).filter((o): o is NetworkPolicy => o.kind === 'NetworkPolicy');
}

export class WorkspaceIndex implements SnapshotSource, vscode.Disposable {
  readonly name = 'workspace';
  readonly complete = false;

  private readonly entries = new Map<string, FileEntry>();
  /**
   * For files whose open document stands in for them: the file on disk (the saved text), for
   * the edit diff's "before". Parsed when the scan or the watcher reads the file, or taken
   * over from `entries` when the document replaces it; never read just for this.
   */
  private readonly diskEntries = new Map<string, FileEntry>();
  private saved: { version: number; keys: string; snapshot: ClusterSnapshot } | undefined;
  /** Open documents whose file `readSaved` read (files the scan does not cover). */
  private readonly savedRead = new Set<string>();
  /** Keys of the workspace files the last scan (and the watcher since) found eligible. */
  private onDisk = new Set<string>();
  private merged: LoadResult | undefined;
  private started = false;
  private readyFlag = false;
  private resolveReady!: () => void;
  /** Resolves once the first scan of the workspace is done (at once without folders). */
  readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
  private version = 0;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private changeTimer: NodeJS.Timeout | undefined;
  private readonly pendingDocuments = new Map<string, vscode.TextDocument>();
  private documentTimer: NodeJS.Timeout | undefined;
  private pendingProbe: NodeJS.Timeout | undefined;
  private readonly pendingFiles = new Map<string, { uri: vscode.Uri; deleted: boolean }>();
  private fileTimer: NodeJS.Timeout | undefined;
  private readonly deletedFolders = new Set<string>();
  private scanning: Promise<void> | undefined;
  private rescanRequested = false;
  private readonly tooLarge = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly decoder = new TextDecoder();

  constructor(private readonly log: Log) {
    // Cheap until a NetworkPolicy shows up: a substring search over YAML/JSON buffers.
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.documentOpened(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.documentChanged(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.documentClosed(d)),
    );
  }

  /**
   * Starts the index if a NetworkPolicy document is already open, checked after activation
   * returns (opening and changing documents start it too, see the constructor).
   */
  startIfPolicyOpen(): void {
    setTimeout(() => {
      if (vscode.workspace.textDocuments.some((d) => isManifestDocument(d) && mayHoldNetworkPolicy(d.getText()))) this.start();
    }, 0);
  }

  /** Idempotent; the scan runs in the background. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.log.info('workspace index: starting (a NetworkPolicy document is open)');
    const watcher = vscode.workspace.createFileSystemWatcher(MANIFEST_GLOB);
    // A deleted folder is reported once, as the folder: a second watcher sees those. A created
    // folder may be reported without the files written into it right away: it is scanned.
    const folderDeletes = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.fileEvent(uri, false)),
      watcher.onDidChange((uri) => this.fileEvent(uri, false)),
      watcher.onDidDelete((uri) => this.fileEvent(uri, true)),
      folderDeletes,
      folderDeletes.onDidDelete((uri) => this.folderDeleted(uri)),
      folderDeletes.onDidCreate((uri) => void this.folderCreated(uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rescan('workspace folders changed')),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude')) this.rescan('files.exclude changed');
      }),
    );
    // Parsed on the next tick, not inside the caller (which may be activate()).
    for (const d of vscode.workspace.textDocuments) if (isManifestDocument(d)) this.pendingDocuments.set(d.uri.toString(), d);
    clearTimeout(this.documentTimer);
    this.documentTimer = setTimeout(() => this.flushDocuments(), 0);
    this.rescan('first NetworkPolicy document');
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isReady(): boolean {
    return this.readyFlag;
  }

  /** Bumped on every change; lets consumers cache per state. */
  get stateVersion(): number {
    return this.version;
  }

  get snapshot(): ClusterSnapshot {
    return this.merge().snapshot;
  }

  /** Findings of the merge: objects defined twice, namespaces referenced but not defined. */
  get mergeFindings(): readonly Finding[] {
    return this.merge().findings;
  }

  /** What the file on disk behind an open document holds (its saved text); undefined when none was read. */
  savedEntry(key: string): FileEntry | undefined {
    return this.diskEntries.get(key);
  }

  /**
   * Reads the saved text of an open document's file when neither the scan nor the watcher
   * covers that file (outside the workspace folders, or excluded). Once per opened document;
   * resolves true when it found a manifest (and `onDidChange` will fire).
   */
  async readSaved(document: vscode.TextDocument): Promise<boolean> {
    const key = document.uri.toString();
    if (document.isUntitled || !this.started || this.onDisk.has(key) || this.diskEntries.has(key) || this.savedRead.has(key)) return false;
    this.savedRead.add(key);
    try {
      const bytes = await vscode.workspace.fs.readFile(document.uri);
      const text = this.decoder.decode(bytes);
      if (bytes.byteLength > MAX_MANIFEST_BYTES || !mayHoldManifest(text) || document.isClosed) return false;
      this.diskEntries.set(key, this.parse(key, document.uri, text, bytes, undefined));
      this.changed(false);
      return true;
    } catch (error) {
      this.log.debug(`workspace index: cannot read the saved ${key}: ${errorText(error)}`);
      return false;
    }
  }

  /**
   * The snapshot with the saved files in place of the given open documents (by key): what
   * `snapshot` was before their unsaved edits. A document without a file on disk (untitled, or
   * a file that held no manifest) contributes nothing. Merged on demand, cached until the next
   * change; with no keys, `snapshot` itself.
   */
  savedSnapshot(keys: readonly string[]): ClusterSnapshot {
    if (keys.length === 0) return this.snapshot;
    const id = [...keys].sort().join('\n');
    if (this.saved?.version !== this.version || this.saved.keys !== id) {
      const swapped = new Set(keys);
      const objects = [...new Set([...this.entries.keys(), ...keys])]
        .sort()
        .flatMap((k) => (swapped.has(k) ? this.diskEntries.get(k) : this.entries.get(k))?.objects ?? []);
      this.saved = { version: this.version, keys: id, snapshot: objects.length ? buildSnapshot(objects).snapshot : emptySnapshot() };
    }
    return this.saved.snapshot;
  }

  /** Files that passed the NetworkPolicy pre-check. */
  policyFiles(): FileEntry[] {
    return [...this.entries.values()].filter((e) => e.holdsPolicy);
  }

  entry(key: string): FileEntry | undefined {
    return this.entries.get(key);
  }

  /** The text a file's findings and fixes were computed on. */
  text(key: string): string | undefined {
    return this.entries.get(key)?.text;
  }

  uriOf(key: string): vscode.Uri {
    return this.entries.get(key)?.uri ?? vscode.Uri.parse(key);
  }

  /**
   * The entry of an open document, parsed now if the index holds an older version (the
   * providers must answer for the text on screen, not wait for the debounce).
   */
  documentEntry(document: vscode.TextDocument): FileEntry | undefined {
    if (!isManifestDocument(document)) return undefined;
    const key = document.uri.toString();
    const known = this.entries.get(key);
    if (known && known.documentVersion === document.version) return known;
    this.pendingDocuments.delete(key);
    this.readDocument(document);
    return this.entries.get(key);
  }

  private documentOpened(document: vscode.TextDocument): void {
    if (!isManifestDocument(document)) return;
    if (!this.started) {
      if (mayHoldNetworkPolicy(document.getText())) this.start();
      return;
    }
    this.queueDocument(document);
  }

  private documentChanged(document: vscode.TextDocument): void {
    if (!isManifestDocument(document)) return;
    if (this.started) {
      this.queueDocument(document);
      return;
    }
    // Typing never inserts "NetworkPolicy" in one change: look at the whole text once typing pauses.
    clearTimeout(this.pendingProbe);
    this.pendingProbe = setTimeout(() => {
      if (!this.started && !document.isClosed && mayHoldNetworkPolicy(document.getText())) this.start();
    }, DOCUMENT_DEBOUNCE_MS);
  }

  private documentClosed(document: vscode.TextDocument): void {
    if (!this.started) return;
    const key = document.uri.toString();
    this.pendingDocuments.delete(key);
    this.diskEntries.delete(key);
    this.savedRead.delete(key);
    const entry = this.entries.get(key);
    if (!entry || entry.documentVersion === undefined) return;
    // Unsaved edits were discarded or saved: the file on disk counts again.
    this.entries.delete(key);
    this.changed();
    if (this.onDisk.has(key)) this.fileEvent(document.uri, false);
  }

  private queueDocument(document: vscode.TextDocument): void {
    this.pendingDocuments.set(document.uri.toString(), document);
    clearTimeout(this.documentTimer);
    this.documentTimer = setTimeout(() => this.flushDocuments(), DOCUMENT_DEBOUNCE_MS);
  }

  private flushDocuments(): void {
    clearTimeout(this.documentTimer);
    const documents = [...this.pendingDocuments.values()];
    this.pendingDocuments.clear();
    for (const d of documents) {
      try {
        if (!d.isClosed) this.readDocument(d);
      } catch (error) {
        this.log.error(`workspace index: cannot read ${d.uri.toString()}: ${errorText(error)}`);
      }
    }
  }

  private readDocument(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const text = document.getText();
    const known = this.entries.has(key);
    if (text.length > MAX_MANIFEST_BYTES) {
      this.skipTooLarge(key, text.length);
      if (known) {
        this.entries.delete(key);
        this.changed();
      }
      return;
    }
    if (!known && !mayHoldManifest(text)) return;
    const replaced = this.entries.get(key);
    if (replaced && replaced.documentVersion === undefined) this.diskEntries.set(key, replaced);
    this.entries.set(key, this.parse(key, document.uri, text, text, document.version));
    this.changed();
  }

  private parse(key: string, uri: vscode.Uri, text: string, content: string | Uint8Array, documentVersion: number | undefined): FileEntry {
    const relevant = mayHoldManifest(text);
    const parsed = relevant ? parseManifestText(key, content) : { objects: [], findings: [] };
    for (const f of parsed.findings) if (f.code === 'internal-error') this.log.error(`${key}: ${f.message}`);
    const holdsPolicy = mayHoldNetworkPolicy(text);
    return {
      key,
      uri,
      objects: parsed.objects,
      policies: policiesOf(parsed.objects),
      findings: parsed.findings,
      holdsPolicy,
      text: holdsPolicy ? text : undefined,
      documentVersion,
    };
  }

  private skipTooLarge(key: string, size: number): void {
    if (this.tooLarge.has(key)) return;
    this.tooLarge.add(key);
    this.log.warn(`workspace index: skipped ${key}: ${(size / 1024 / 1024).toFixed(1)} MB is over the ${MAX_MANIFEST_BYTES / 1024 / 1024} MB limit`);
  }

  private openDocument(key: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => !d.isClosed && d.uri.toString() === key);
  }

  /** Reads a workspace file; an open document of it wins. Returns whether it holds a manifest. */
  private async readFile(uri: vscode.Uri): Promise<boolean> {
    const key = uri.toString();
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_MANIFEST_BYTES) {
        this.skipTooLarge(key, stat.size);
        this.dropDiskEntry(key);
        return false;
      }
      const bytes = await vscode.workspace.fs.readFile(uri);
      const text = this.decoder.decode(bytes);
      const document = this.openDocument(key);
      if (this.entries.get(key)?.documentVersion !== undefined || document) {
        // The open document counts; its file is the saved side of the edit diff.
        if (mayHoldManifest(text)) this.diskEntries.set(key, this.parse(key, uri, text, bytes, undefined));
        else this.diskEntries.delete(key);
        this.saved = undefined;
        if (document?.isDirty) this.changed(false);
        return true;
      }
      if (!mayHoldManifest(text)) {
        this.dropDiskEntry(key);
        return false;
      }
      this.entries.set(key, this.parse(key, uri, text, bytes, undefined));
      this.changed();
      return true;
    } catch (error) {
      // Deleted between the event and the read, or unreadable: it no longer counts.
      if (!(error instanceof vscode.FileSystemError && error.code === 'FileNotFound')) this.log.warn(`workspace index: cannot read ${key}: ${errorText(error)}`);
      this.dropDiskEntry(key);
      return false;
    }
  }

  private dropDiskEntry(key: string): void {
    if (this.diskEntries.delete(key)) {
      this.saved = undefined;
      if (this.openDocument(key)?.isDirty) this.changed(false);
    }
    const entry = this.entries.get(key);
    if (entry && entry.documentVersion === undefined) {
      this.entries.delete(key);
      this.changed();
    }
  }

  private rescan(reason: string): void {
    if (this.scanning) {
      this.rescanRequested = true;
      return;
    }
    this.scanning = this.scan(reason)
      .catch((error: unknown) => this.log.error(`workspace index: scan failed: ${errorText(error)}`))
      .finally(() => {
        this.scanning = undefined;
        if (!this.readyFlag) {
          this.readyFlag = true;
          this.resolveReady();
          this.changed();
        }
        if (this.rescanRequested) {
          this.rescanRequested = false;
          this.rescan('changes during the last scan');
        }
      });
  }

  private async scan(reason: string): Promise<void> {
    const started = performance.now();
    const found: vscode.Uri[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (!INDEXED_SCHEMES.includes(folder.uri.scheme)) continue;
      const left = MAX_FILES + 1 - found.length;
      if (left <= 0) break;
      found.push(...(await vscode.workspace.findFiles(new vscode.RelativePattern(folder, MANIFEST_GLOB), excludeGlob(folder), left)));
    }
    if (found.length > MAX_FILES) {
      this.log.warn(`workspace index: more than ${MAX_FILES} YAML/JSON files; only the first ${MAX_FILES} are read`);
      found.length = MAX_FILES;
    }
    const listed = performance.now();
    const keys = new Set(found.map((u) => u.toString()));
    for (const [key, entry] of this.entries) if (entry.documentVersion === undefined && !keys.has(key)) this.dropDiskEntry(key);
    this.onDisk = keys;
    let manifests = 0;
    for (let i = 0; i < found.length; i += READ_CONCURRENCY) {
      const held = await Promise.all(found.slice(i, i + READ_CONCURRENCY).map((u) => this.readFile(u)));
      manifests += held.filter(Boolean).length;
    }
    const s = this.snapshot;
    this.log.info(
      `workspace index (${reason}): ${found.length} YAML/JSON files, ${manifests} with manifests: ` +
        `${s.policies.length} NetworkPolicies, ${s.pods.length} pods, ${s.namespaces.length} namespaces, ${s.services.length} services ` +
        `in ${Math.round(performance.now() - started)} ms (${Math.round(listed - started)} ms listing the files)`,
    );
  }

  private fileEvent(uri: vscode.Uri, deleted: boolean): void {
    if (!INDEXED_SCHEMES.includes(uri.scheme)) return;
    this.pendingFiles.set(uri.toString(), { uri, deleted });
    clearTimeout(this.fileTimer);
    this.fileTimer = setTimeout(() => void this.flushFiles(), FILE_DEBOUNCE_MS);
  }

  private async folderCreated(uri: vscode.Uri): Promise<void> {
    if (!INDEXED_SCHEMES.includes(uri.scheme) || /\.(ya?ml|json)$/i.test(uri.path) || uri.path.includes('/node_modules/')) return;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    try {
      if (!folder || (await vscode.workspace.fs.stat(uri)).type !== vscode.FileType.Directory) return;
      for (const file of await vscode.workspace.findFiles(new vscode.RelativePattern(uri, MANIFEST_GLOB), excludeGlob(folder), MAX_FILES)) this.fileEvent(file, false);
    } catch (error) {
      this.log.debug(`workspace index: cannot scan the new folder ${uri.toString()}: ${errorText(error)}`);
    }
  }

  private folderDeleted(uri: vscode.Uri): void {
    if (!INDEXED_SCHEMES.includes(uri.scheme) || /\.(ya?ml|json)$/i.test(uri.path)) return; // files: the other watcher
    this.deletedFolders.add(uri.toString());
    clearTimeout(this.fileTimer);
    this.fileTimer = setTimeout(() => void this.flushFiles(), FILE_DEBOUNCE_MS);
  }

  /** Files under the folders deleted since the last batch, found by walking up each known path. */
  private filesInDeletedFolders(): vscode.Uri[] {
    if (this.deletedFolders.size === 0) return [];
    const gone: vscode.Uri[] = [];
    for (const key of this.onDisk) {
      for (let i = key.lastIndexOf('/'); i > 0; i = key.lastIndexOf('/', i - 1)) {
        if (this.deletedFolders.has(key.slice(0, i))) {
          gone.push(this.entries.get(key)?.uri ?? vscode.Uri.parse(key));
          break;
        }
      }
    }
    this.deletedFolders.clear();
    return gone;
  }

  private async flushFiles(): Promise<void> {
    for (const uri of this.filesInDeletedFolders()) this.pendingFiles.set(uri.toString(), { uri, deleted: true });
    const batch = [...this.pendingFiles.values()];
    this.pendingFiles.clear();
    const unknown: vscode.Uri[] = [];
    try {
      for (const { uri, deleted } of batch) {
        const key = uri.toString();
        if (deleted) {
          this.onDisk.delete(key);
          this.dropDiskEntry(key);
        } else if (this.onDisk.has(key)) {
          await this.readFile(uri);
        } else {
          unknown.push(uri);
        }
      }
      if (unknown.length > RESCAN_THRESHOLD) {
        this.rescan(`${unknown.length} new files`);
        return;
      }
      for (const uri of unknown) if (await this.eligible(uri)) {
        this.onDisk.add(uri.toString());
        await this.readFile(uri);
      }
    } catch (error) {
      this.log.error(`workspace index: file events failed: ${errorText(error)}`);
    }
  }

  /** Asks VS Code's own matcher whether a new file is outside node_modules and files.exclude. */
  private async eligible(uri: vscode.Uri): Promise<boolean> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || /(^|\/)node_modules\//.test(uri.path)) return false;
    const relative = vscode.workspace.asRelativePath(uri, false);
    if (/[[\]{}*?]/.test(relative)) return true; // cannot be written as a literal pattern: take it
    const hits = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, relative), excludeGlob(folder), 1);
    return hits.length > 0;
  }

  private merge(): LoadResult {
    if (!this.merged) {
      if (this.entries.size === 0) return (this.merged = { snapshot: emptySnapshot(), findings: [] });
      // Sorted, so that "the later definition wins" does not depend on the order of events.
      const keys = [...this.entries.keys()].sort();
      this.merged = buildSnapshot(keys.flatMap((k) => this.entries.get(k)!.objects));
    }
    return this.merged;
  }

  /** `merged: false`: only a saved side changed (the file behind a dirty document). */
  private changed(merged = true): void {
    this.version++;
    if (merged) this.merged = undefined;
    this.saved = undefined;
    if (!this.readyFlag) return; // one event when the first scan is done
    clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => this.emitter.fire(), CHANGE_DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.changeTimer);
    clearTimeout(this.documentTimer);
    clearTimeout(this.fileTimer);
    clearTimeout(this.pendingProbe);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}
