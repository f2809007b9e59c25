// Writes docs/rules.md from the rules catalog.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { rulesMarkdown } from '../src/core/lint/rules-doc';

writeFileSync(path.join(__dirname, '..', 'docs', 'rules.md'), rulesMarkdown());
