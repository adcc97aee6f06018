import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rolesMarkdownTable } from '../../shared/http/roles-table.js';

describe('docs/api.md operator roles table', () => {
  it('is the table shared/http/roles.ts enforces (regenerate: npm run docs:roles)', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const match = /<!-- roles:start -->\n([\s\S]*?)\n<!-- roles:end -->/.exec(doc);
    expect(match, 'docs/api.md has no <!-- roles:start --> ... <!-- roles:end --> block').not.toBeNull();
    expect(match?.[1]).toBe(rolesMarkdownTable());
  });
});
