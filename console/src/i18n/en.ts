/**
 * English messages. Every key here must exist in zh-cn.ts too (its type is `Messages`), so a missing translation
 * fails the typecheck. `{name}` placeholders are filled by `t(key, { name })`.
 */
export const en = {
  'app.title': 'Points mall console',
  'app.loading': 'Loading…',
  'app.configFailed': 'The console could not read its configuration (/console/config.json).',
  'locale.label': 'Language',

  'menu.dashboard': 'Dashboard',
  'menu.members': 'Members',
  'menu.earningRules': 'Earning rules',
  'menu.campaigns': 'Campaigns',
  'menu.pools': 'Pools & tasks',
  'menu.reports': 'Reports',
  'menu.approvals': 'Approvals',
  'menu.auctions': 'Auctions',
  'menu.draws': 'Lucky draws',
  'menu.audit': 'Audit log',
  'menu.fulfilment': 'Fulfilment',
  'menu.orders': 'Orders',
  'menu.products': 'Products',
  'menu.coupons': 'Coupons',
  'menu.apiReference': 'API reference',

  'screen.coming': 'This screen is coming soon.',
  'screen.notFound': 'There is no such page.',
  'screen.forbidden': 'Your role ({role}) cannot use this screen.',
  'screen.backHome': 'Back to the dashboard',

  'signIn.title': 'Sign in',
  'signIn.localIntro': 'Local runtime: choose a demo operator. Each one has a single role.',
  'signIn.as': 'Sign in as {name}',
  'signIn.cognitoIntro': 'Sign in with your operator account.',
  'signIn.cognitoButton': 'Continue to sign-in',
  'signIn.failed': 'Sign-in failed',
  'signIn.completing': 'Completing sign-in…',
  'signOut': 'Sign out',
  'session.expired': 'Your session has ended; sign in again.',

  'role.admin': 'Administrator',
  'role.marketer': 'Marketer',
  'role.support': 'Support',
  'role.analyst': 'Analyst',
  'role.none': 'no operator role',

  'list.loadMore': 'Load more',
  'list.shown': '{count} shown',
  'list.end': 'That is all.',

  'problem.network': 'The API cannot be reached. Check your connection and retry.',
  'problem.seeFields': 'Check the highlighted fields.',
  'problem.VALIDATION_FAILED': 'Some values are not valid',
  'problem.UNAUTHORIZED': 'Sign in again',
  'problem.FORBIDDEN': 'Your role does not allow this',
  'problem.NOT_FOUND': 'Not found',
  'problem.CONFLICT': 'Changed by someone else meanwhile; reload and retry',
  'problem.IDEMPOTENCY_KEY_REUSED': 'This dialog already sent a different request; close and reopen it',
  'problem.THROTTLED': 'Too many requests; retry in a moment',
  'problem.UNAVAILABLE': 'The service is unavailable; retry in a moment',
  'problem.OUTCOME_UNKNOWN': 'It is not known whether this was saved; retry (it will not apply twice)',

  'weekday.1': 'Mon',
  'weekday.2': 'Tue',
  'weekday.3': 'Wed',
  'weekday.4': 'Thu',
  'weekday.5': 'Fri',
  'weekday.6': 'Sat',
  'weekday.7': 'Sun',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof en;

/** A catalogue: every key, each a string. */
export type Messages = { readonly [K in MessageKey]: string };
