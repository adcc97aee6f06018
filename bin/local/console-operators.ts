/**
 * The local runtime's demo operators and the shapes of its two sign-in routes (GET /local/operators,
 * POST /local/operator-tokens). Local only: they are not API routes (not in lib/routes.ts, never deployed), so not
 * in the OpenAPI document either; the console's local sign-in page reads these types. No imports: the console's
 * typecheck includes this file.
 */
export type LocalOperatorRole = 'admin' | 'marketer' | 'support' | 'analyst';

export interface LocalOperator {
  readonly operatorId: string;
  readonly role: LocalOperatorRole;
  readonly name: string;
}

/** GET /local/operators */
export interface LocalOperatorList {
  readonly items: readonly LocalOperator[];
}

/** POST /local/operator-tokens body */
export interface LocalOperatorTokenRequest {
  readonly operatorId: string;
}

/** POST /local/operator-tokens answer (201) */
export interface LocalOperatorToken {
  readonly token: string;
}

/** One operator per role; `npm run token -- operator <role> [id]` signs the same claims. */
export const demoOperators: readonly LocalOperator[] = [
  { operatorId: 'op-admin', role: 'admin', name: 'Ada Admin (管理员)' },
  { operatorId: 'op-marketer', role: 'marketer', name: 'Mei Marketer (营销)' },
  { operatorId: 'op-support', role: 'support', name: 'Sam Support (客服)' },
  { operatorId: 'op-analyst', role: 'analyst', name: 'Ana Analyst (分析师)' },
];
