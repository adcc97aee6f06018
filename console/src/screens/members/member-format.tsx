import { Tag } from 'antd';
import type { components } from '../../api/schema';
import type { ScreenI18n } from '../../i18n/locale';
import type { MemberI18nKey } from './messages';

export type MemberI18n = ScreenI18n<MemberI18nKey>;
export type Tier = components['schemas']['Tier'];
export type MemberStatus = components['schemas']['Member']['status'];

export const TIERS: readonly Tier[] = ['normal', 'silver', 'gold', 'diamond'];

const tierColours: Record<Tier, string> = { normal: 'default', silver: 'geekblue', gold: 'gold', diamond: 'purple' };
const statusColours: Record<MemberStatus, string> = { ACTIVE: 'green', BLOCKED: 'red', ERASED: 'default' };

export function tierName(tier: Tier, i18n: MemberI18n): string {
  return i18n.t(`tier.${tier}`);
}

export function TierTag({ tier, i18n }: { readonly tier: Tier; readonly i18n: MemberI18n }) {
  return <Tag color={tierColours[tier]}>{tierName(tier, i18n)}</Tag>;
}

export function StatusTag({ status, i18n }: { readonly status: MemberStatus; readonly i18n: MemberI18n }) {
  return <Tag color={statusColours[status]}>{i18n.t(`status.${status}`)}</Tag>;
}

/** Points with their sign, grouped: `+1,000`, `−250`, `0`. */
export function signedPoints(points: number, i18n: Pick<MemberI18n, 'points'>): string {
  if (points > 0) return `+${i18n.points(points)}`;
  if (points < 0) return `−${i18n.points(-points)}`;
  return i18n.points(0);
}

/** A message key built from an API enum value: the screen's catalogues have one per value (typed as the screen's keys). */
export function enumKey(prefix: string, value: string): MemberI18nKey {
  return `${prefix}.${value}` as MemberI18nKey;
}
