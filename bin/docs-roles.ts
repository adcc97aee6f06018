/** `npm run docs:roles`: writes the role × route table into docs/api.md between its markers. */
import { readFileSync, writeFileSync } from 'node:fs';
import { rolesMarkdownTable } from '../shared/http/roles-table.js';

const path = new URL('../docs/api.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const block = `<!-- roles:start -->\n${rolesMarkdownTable()}\n<!-- roles:end -->`;
if (!/<!-- roles:start -->[\s\S]*?<!-- roles:end -->/.test(doc)) {
  console.error('docs/api.md has no <!-- roles:start --> ... <!-- roles:end --> block; add one where the table belongs');
  process.exit(1);
}
writeFileSync(path, doc.replace(/<!-- roles:start -->[\s\S]*?<!-- roles:end -->/, block));
console.log('docs/api.md: operator roles table updated');
