/** The role × route table of docs/api.md, generated from lib/routes.ts and shared/http/roles.ts (test/unit/roles-doc.test.ts keeps the doc in step). */
import { routes } from '../../lib/routes.js';
import { OPERATOR_ROLES, operatorRules, type OperatorOperation } from './roles.js';

export function rolesMarkdownTable(): string {
  const header = `| Route | Access | ${OPERATOR_ROLES.join(' | ')} |\n|---|---|${OPERATOR_ROLES.map(() => ':-:').join('|')}|`;
  const rows = routes
    .filter((r) => r.auth === 'admin')
    .map((r) => {
      const rule = operatorRules[r.operation as OperatorOperation];
      return `| \`${r.method} ${r.path}\` | ${rule.access} | ${OPERATOR_ROLES.map((role) => (rule.roles.includes(role) ? '✓' : '')).join(' | ')} |`;
    });
  return [header, ...rows].join('\n');
}
