/**
 * Which screens each operator role sees, in one place. The API is the guard (it refuses a route the role may not
 * call, 403 naming the role needed); this map only hides what a role cannot use, and must follow the API's role
 * table (docs/api.md).
 */
export const roles = ['admin', 'marketer', 'support', 'analyst'] as const;
export type Role = (typeof roles)[number];

export const screens = ['dashboard', 'members', 'earningRules', 'campaigns', 'pools', 'products', 'coupons', 'orders', 'fulfilment', 'auctions', 'draws', 'reports', 'approvals', 'audit'] as const;
export type Screen = (typeof screens)[number];

interface Access {
  /** The screen is in the menu and opens. */
  readonly see: readonly Role[];
  /** Its write actions (create, edit, approve ...) are shown. */
  readonly write: readonly Role[];
}

export const access: Record<Screen, Access> = {
  dashboard: { see: ['admin', 'marketer', 'support', 'analyst'], write: [] },
  members: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'support'] },
  earningRules: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'marketer'] },
  campaigns: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'marketer'] },
  pools: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'marketer'] },
  reports: { see: ['admin', 'marketer', 'support', 'analyst'], write: [] },
  approvals: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'support'] },
  audit: { see: ['admin', 'marketer', 'support', 'analyst'], write: [] },
  fulfilment: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'support'] },
  auctions: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'marketer'] },
  draws: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'marketer'] },
  // Every role reads orders; cancelling and refunding are support's and the admin's (the API's role table).
  orders: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'support'] },
  products: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'marketer'] },
  coupons: { see: ['admin', 'marketer', 'support', 'analyst'], write: ['admin', 'marketer'] },
};

/** A token in several groups may do what any of them may (as the API allows). */
export function canSee(held: readonly Role[], screen: Screen): boolean {
  return held.some((role) => access[screen].see.includes(role));
}

export function canWrite(held: readonly Role[], screen: Screen): boolean {
  return held.some((role) => access[screen].write.includes(role));
}

/** The operator roles among a token's `cognito:groups`, most capable first. */
export function rolesOfGroups(groups: readonly string[]): Role[] {
  return roles.filter((role) => groups.includes(role));
}
