/**
 * The CLI's file reading: directories, extensions, skipped folders, symlinks, stdin, errors.
 */
import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { readInputs, STDIN_NAME } from '../../src/cli/files';
import { loadManifests } from '../../src/core/manifest/load';

describe('cli files: readInputs', () => {
  let root: string;
  const ns = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'netlens-files-'));
    const write = (rel: string, content: string): void => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), content);
    };
    write('b.yaml', ns('b'));
    write('a.yml', ns('a'));
    write('c.json', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } }));
    write('notes.txt', 'not a manifest');
    write('.hidden.yaml', ns('hidden'));
    write('.git/config.yaml', ns('git'));
    write('node_modules/pkg/x.yaml', ns('module'));
    write('sub/d.YAML', ns('d'));
    symlinkSync('..', path.join(root, 'sub', 'loop'));
    symlinkSync('b.yaml', path.join(root, 'link.yaml'));
    symlinkSync('missing-target.yaml', path.join(root, 'dangling.yaml'));
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads directories recursively in sorted order, skipping hidden and node_modules, following symlinks once', async () => {
    const { inputs, errors } = await readInputs([root]);
    assert.deepEqual(
      inputs.map((i) => path.relative(root, i.file)),
      ['a.yml', 'b.yaml', 'c.json', path.join('sub', 'd.YAML')],
    );
    assert.deepEqual(errors, [`${path.join(root, 'dangling.yaml')}: no such file or directory`]);
    assert.ok(inputs[0]!.content instanceof Uint8Array);
  });

  it('reads explicit files whatever their extension, stdin for "-", and reports missing paths', async () => {
    const stdin = Readable.from([Buffer.from(ns('from-stdin'))]);
    const notes = path.join(root, 'notes.txt');
    const { inputs, errors } = await readInputs(['missing.yaml', notes, '-', path.join(root, 'b.yaml'), path.join(root, 'b.yaml'), '-', `${notes}/x`], { stdin });
    assert.deepEqual(inputs.map((i) => i.file), [notes, STDIN_NAME, path.join(root, 'b.yaml')]);
    assert.deepEqual(errors, ['missing.yaml: no such file or directory', `${notes}/x: not a directory`]);
    const { snapshot } = loadManifests(inputs);
    assert.deepEqual(snapshot.namespaces.map((n) => n.name), ['from-stdin', 'b']);
  });

  it('does not read a directory twice when arguments overlap', async () => {
    const { inputs } = await readInputs([root, path.join(root, 'sub')]);
    assert.equal(inputs.length, 4);
  });

  it('skips files over the size limit with a clear error', async () => {
    const { inputs, errors } = await readInputs([path.join(root, 'a.yml')], { maxFileBytes: 10 });
    assert.deepEqual(inputs, []);
    assert.match(errors[0]!, /a\.yml: skipped, its \d+ bytes are over the 10 bytes limit$/);
  });

  it('reports unreadable files and directories instead of throwing', async function () {
    if (process.getuid?.() === 0) this.skip(); // root reads everything
    const locked = path.join(root, 'locked');
    mkdirSync(locked);
    writeFileSync(path.join(root, 'secret.yaml'), ns('s'));
    chmodSync(locked, 0);
    chmodSync(path.join(root, 'secret.yaml'), 0);
    try {
      const { errors } = await readInputs([locked, path.join(root, 'secret.yaml')]);
      assert.deepEqual(errors, [`${locked}: permission denied`, `${path.join(root, 'secret.yaml')}: permission denied`]);
    } finally {
      chmodSync(locked, 0o755);
      chmodSync(path.join(root, 'secret.yaml'), 0o644);
    }
  });
});
