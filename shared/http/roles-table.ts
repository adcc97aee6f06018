/** The role × route table of docs/api.md, generated from lib/routes.ts and shared/http/roles.ts (test/unit/roles-doc.test.ts keeps the doc in step). */
import { routes, type RouteSpec } from '../../lib/routes.js';
import { OPERATOR_ROLES, operatorRules, type OperatorOperation } from './roles.js';

export function rolesMarkdownTable(): string {
  const header = `| Route | Access | ${OPERATOR_ROLES.join(' | ')} |\n|---|---|${OPERATOR_ROLES.map(() => ':-:').join('|')}|`;
  const rows = routes
    .filter((r) => r.auth === 'admin')
    .map((r) => {
      const rule = operatorRules[r.operation as OperatorOperation];
      // A route that also admits a machine client (the inventory system's, by its scope) says so beside the path.
      const client = (r as RouteSpec).clientScope ? ` (and clients with scope \`${(r as RouteSpec).clientScope}\`)` : '';
      return `| \`${r.method} ${r.path}\`${client} | ${rule.access} | ${OPERATOR_ROLES.map((role) => (rule.roles.includes(role) ? '✓' : '')).join(' | ')} |`;
    });
  return [header, ...rows].join('\n');
}
