import { describe, expect, it } from 'vitest';
import { defaultReferralRules, referrerReward } from '../../shared/domain/referrals.js';

describe('referral ladder', () => {
  it('pays 100 for the 1st-3rd referral, 150 for the 4th-10th and 200 from the 11th (default rules)', () => {
    // Act
    const rewards = Array.from({ length: 12 }, (_, i) => referrerReward(defaultReferralRules, i + 1));

    // Assess
    expect(rewards).toEqual([100, 100, 100, 150, 150, 150, 150, 150, 150, 150, 200, 200]);
  });

  it('pays nothing past maxRewardedReferrals', () => {
    const rules = { ...defaultReferralRules, maxRewardedReferrals: 4 };
    expect([3, 4, 5].map((n) => referrerReward(rules, n))).toEqual([100, 150, 0]);
  });

  it('refuses a referral number that is not a positive integer', () => {
    expect(() => referrerReward(defaultReferralRules, 0)).toThrow();
  });
});
