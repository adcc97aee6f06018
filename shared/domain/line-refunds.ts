/**
 * Refunds of a purchase by line or by amount, and the points and campaign
 * points they take back. Pure: no I/O, no clock.
 *
 * Each line of a purchase earned a known part of its points (allocateToLines,
 * recorded with the purchase). A line counts as returned in proportion to the
 * cents refunded on it: returning units refunds what they were paid
 * (`amountCents` x units / quantity; the last unit takes what is left), and a
 * refund by amount is spread over the lines in proportion to what is still
 * refundable on each. What a purchase owes back after any sequence of refunds
 * is, per line, the floor of its points x the share of it refunded, so it only
 * grows, never passes what was earned, and a purchase refunded in full owes
 * back exactly what it earned, whatever the order of the refunds.
 */
import type { LineEarning, PurchaseLine } from './earning.js';
import { apportion } from './numbers.js';

/** How much of one line has come back so far. */
export interface LineRefundState {
  readonly returnedQuantity: number;
  readonly refundedCents: number;
}

export type RefundRequest =
  | { readonly amountCents: number }
  | { readonly lines: readonly { readonly sku: string; readonly quantity: number }[] };

/** One purchase line a refund touches. */
export interface LineRefund {
  readonly index: number;
  readonly sku: string;
  /** Units returned by this refund (0 for a refund by amount). */
  readonly quantity: number;
  readonly amountCents: number;
}

export type RefundPlan =
  | { readonly ok: true; readonly amountCents: number; readonly lines: readonly LineRefund[]; readonly next: readonly LineRefundState[] }
  | {
      readonly ok: false;
      /** `sku`: a line the purchase does not have; `quantity`: more units than are left; `amount`: more cents than are left. */
      readonly reason: 'sku' | 'quantity' | 'amount';
      readonly message: string;
      readonly details: Record<string, unknown>;
    };

/** The refund state of a purchase recorded before refunds by line: what was refunded spread like a refund by amount. */
export function initialLineState(lines: readonly PurchaseLine[], refundedCents: number): LineRefundState[] {
  const empty = lines.map(() => ({ returnedQuantity: 0, refundedCents: 0 }));
  if (refundedCents <= 0) return empty;
  const spread = apportion(refundedCents, lines.map((l) => BigInt(Math.max(0, l.amountCents))));
  return lines.map((_, i) => ({ returnedQuantity: 0, refundedCents: spread[i]! }));
}

/**
 * What each line earned, for a purchase recorded before lines' earnings were kept: its points and each campaign's
 * shared out by the lines' amounts.
 */
export function lineEarningsByAmount(lines: readonly PurchaseLine[], points: number, campaignPoints: Readonly<Record<string, number>>): LineEarning[] {
  const amounts = lines.map((l) => BigInt(Math.max(0, l.amountCents)));
  const byLine = apportion(points, amounts);
  const campaigns = lines.map(() => Object.create(null) as Record<string, number>);
  for (const [campaignId, paid] of Object.entries(campaignPoints)) {
    if (paid <= 0) continue;
    apportion(paid, amounts).forEach((share, i) => {
      if (share !== 0) campaigns[i]![campaignId] = share;
    });
  }
  return lines.map((_, i) => ({ points: byLine[i]!, campaignPoints: campaigns[i]! }));
}

/** The cents of units `from` to `to` of a line (cumulative floors: all units together are the line's amount). */
function unitsCents(line: PurchaseLine, from: number, to: number): number {
  const upTo = (units: number) => Math.floor((line.amountCents * units) / line.quantity);
  return upTo(to) - upTo(from);
}

/** What a refund returns, line by line, and the state it leaves; or why it cannot. */
export function planRefund(lines: readonly PurchaseLine[], state: readonly LineRefundState[], request: RefundRequest): RefundPlan {
  const left = (i: number) => Math.max(0, lines[i]!.amountCents - state[i]!.refundedCents);
  if ('amountCents' in request) {
    const refundable = lines.reduce((sum, _, i) => sum + left(i), 0);
    if (request.amountCents > refundable) {
      return {
        ok: false,
        reason: 'amount',
        message: `refund of ${request.amountCents} cents exceeds the ${refundable} cents still refundable`,
        details: { refundableCents: refundable },
      };
    }
    const spread = apportion(request.amountCents, lines.map((_, i) => BigInt(left(i))));
    const touched: LineRefund[] = [];
    const next = state.map((s, i) => {
      if (spread[i] === 0) return s;
      touched.push({ index: i, sku: lines[i]!.sku, quantity: 0, amountCents: spread[i]! });
      return { ...s, refundedCents: s.refundedCents + spread[i]! };
    });
    return { ok: true, amountCents: request.amountCents, lines: touched, next };
  }

  const next = state.map((s) => ({ ...s }));
  const touched: LineRefund[] = [];
  for (const asked of request.lines) {
    const indexes = lines.flatMap((line, i) => (line.sku === asked.sku ? [i] : []));
    if (indexes.length === 0) {
      return { ok: false, reason: 'sku', message: `sku ${asked.sku} is not a line of this purchase`, details: { sku: asked.sku } };
    }
    const returnable = indexes.reduce((sum, i) => sum + lines[i]!.quantity - next[i]!.returnedQuantity, 0);
    if (asked.quantity > returnable) {
      return {
        ok: false,
        reason: 'quantity',
        message: `${asked.quantity} of sku ${asked.sku} asked back but ${returnable === 0 ? 'none is' : `only ${returnable} ${returnable === 1 ? 'is' : 'are'}`} left to return`,
        details: { sku: asked.sku, returnableQuantity: returnable },
      };
    }
    // The units come off the purchase's lines of that sku in their order.
    let wanted = asked.quantity;
    for (const i of indexes) {
      if (wanted === 0) break;
      const line = lines[i]!;
      const before = next[i]!;
      const units = Math.min(wanted, line.quantity - before.returnedQuantity);
      if (units === 0) continue;
      const returned = before.returnedQuantity + units;
      // The last unit takes whatever is left on the line (a refund by amount may already have taken some of it).
      const cents = Math.min(
        line.amountCents - before.refundedCents,
        returned === line.quantity ? line.amountCents : unitsCents(line, before.returnedQuantity, returned),
      );
      const amountCents = Math.max(0, cents);
      next[i] = { returnedQuantity: returned, refundedCents: before.refundedCents + amountCents };
      touched.push({ index: i, sku: line.sku, quantity: units, amountCents });
      wanted -= units;
    }
  }
  return { ok: true, amountCents: touched.reduce((sum, l) => sum + l.amountCents, 0), lines: touched, next };
}

/** The part of a line's figure owed back at a refund state: the floor of figure x the share of the line refunded. */
function owedOn(figure: number, line: PurchaseLine, state: LineRefundState): number {
  if (figure <= 0) return 0;
  if (line.amountCents <= 0) return state.returnedQuantity >= line.quantity ? figure : 0;
  const cents = Math.min(state.refundedCents, line.amountCents);
  // BigInt: points x cents can pass 2^53.
  return Number((BigInt(figure) * BigInt(cents)) / BigInt(line.amountCents));
}

/** Points owed back, per line, at a refund state. */
export function pointsOwed(lines: readonly PurchaseLine[], earnings: readonly LineEarning[], state: readonly LineRefundState[]): number[] {
  return lines.map((line, i) => owedOn(earnings[i]!.points, line, state[i]!));
}

/** Each campaign's points owed back at a refund state. */
export function campaignPointsOwed(lines: readonly PurchaseLine[], earnings: readonly LineEarning[], state: readonly LineRefundState[]): Record<string, number> {
  const owed = Object.create(null) as Record<string, number>;
  lines.forEach((line, i) => {
    for (const [campaignId, points] of Object.entries(earnings[i]!.campaignPoints)) {
      owed[campaignId] = (owed[campaignId] ?? 0) + owedOn(points, line, state[i]!);
    }
  });
  return owed;
}
