import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../src/core/lint/rules-catalog';
import { rulesMarkdown } from '../../src/core/lint/rules-doc';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('rules catalog', () => {
  it('documents every code the loader and the lint rules can emit', () => {
    const root = path.join(__dirname, '../../src/core');
    const emitted = new Set<string>();
    for (const file of [...sources(path.join(root, 'manifest')), ...sources(path.join(root, 'lint'))]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/code: '([a-z0-9-]+)'/g)) emitted.add(m[1]!);
      for (const m of text.matchAll(/\.(?:error|report)\(\s*'([a-z0-9-]+)'/g)) emitted.add(m[1]!);
    }
    assert.ok(emitted.size > 20, `found ${emitted.size} codes`);
    const missing = [...emitted].filter((c) => !RULES[c]);
    assert.deepEqual(missing, []);
  });

  it('docs/rules.md is generated from the catalog (run npm run docs:rules)', () => {
    assert.equal(readFileSync(path.join(__dirname, '../../docs/rules.md'), 'utf8'), rulesMarkdown());
  });
});
