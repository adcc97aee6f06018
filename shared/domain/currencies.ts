/**
 * Points currencies a member can hold (one wallet each). `points` is the
 * brand's own and the default of every API; others are partner programmes
 * linked to it at an exchange rate.
 */
export interface CurrencySpec {
  readonly code: string;
  readonly name: string;
  /** How many of this currency are worth 1 CNY (the programme's points value). */
  readonly unitsPerYuan: number;
  /** Units of `points` one unit of this currency exchanges into. */
  readonly pointsPerUnit: number;
  /** Months after the month of earning at whose end points expire (null: never). */
  readonly expiryMonths: number | null;
  /**
   * Currencies this one may be exchanged into. One-way on purpose: exchanged
   * points get the target's validity, so a round trip would extend expiry for free.
   */
  readonly exchangeableInto: readonly string[];
}

export const currencies: readonly CurrencySpec[] = [
  { code: 'points', name: 'Brand points', unitsPerYuan: 100, pointsPerUnit: 1, expiryMonths: 12, exchangeableInto: [] },
  {
    code: 'partner-miles',
    name: 'Partner airline miles',
    unitsPerYuan: 20,
    pointsPerUnit: 5,
    expiryMonths: 24,
    exchangeableInto: ['points'],
  },
];

export function currencySpec(code: string): CurrencySpec | undefined {
  return currencies.find((c) => c.code === code);
}
