import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import { DomainError } from '../../shared/errors.js';
import { listLedger } from '../../shared/ledger/reader.js';
import { pointsView } from '../../shared/earning/pending.js';
import { adjustPoints, exchangePoints, getMember, registerMember, requireMember } from '../../shared/members/service.js';
import { memberDetail } from '../../shared/members/operator-view.js';
import { searchMembers } from '../../shared/members/search.js';
import { issuePaymentCode } from '../../shared/members/payment-codes.js';
import { buyTierUpgrade } from '../../shared/members/tiers.js';
import { eraseMember } from '../../shared/members/erasure.js';
import type { Caller } from '../../shared/http/auth.js';
import { roleAdmitting } from '../../shared/http/roles.js';
import { getOperatorSettings, saveOperatorSettings } from '../../shared/config/operator-settings.js';
import { decideApproval, getApproval, listApprovals, requestAdjustment } from '../../shared/members/approvals.js';
import { setTierByOperator } from '../../shared/members/tiers.js';
import { supportDailyLimitWrite } from '../../shared/members/operator-limits.js';
import { memberOperations } from '../../shared/contracts/members.js';
import { approvalOperations } from '../../shared/contracts/approvals.js';

function memberIdOf(caller: Caller | undefined): string {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return caller.subject;
}

export const handler = httpHandler('members', { ...memberOperations, ...approvalOperations }, {
  setMemberTier: async ({ params, body }) => setTierByOperator(params.memberId, body),
  listApprovals: async ({ query, page }) => listApprovals(query.status, page),
  getApproval: async ({ params }) => getApproval(params.approvalId),
  approveApproval: async ({ params, body, caller }) => decideApproval(params.approvalId, 'APPROVED', { operator: caller?.subject ?? 'unknown', reason: body.reason }),
  rejectApproval: async ({ params, body, caller }) => decideApproval(params.approvalId, 'REJECTED', { operator: caller?.subject ?? 'unknown', reason: body.reason }),
  getOperatorSettings: async () => getOperatorSettings({ fresh: true }),
  putOperatorSettings: async ({ body, caller }) => {
    const { expectedVersion, ...input } = body;
    return saveOperatorSettings(input, expectedVersion, caller?.subject ?? 'unknown');
  },
  registerMember: async ({ caller, body }) => {
    const { member, created } = await registerMember(memberIdOf(caller), body);
    return { status: created ? 201 : 200, body: member };
  },
  getMe: async ({ caller }) => getMember(memberIdOf(caller)),
  getMyPoints: async ({ caller, query }) => pointsView(memberIdOf(caller), query.currency),
  listMyLedger: async ({ caller, query, page }) => listLedger(memberIdOf(caller), query.currency, page),
  exchangePoints: async ({ caller, body, idempotency }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key header');
    return committedAnswer(await exchangePoints(memberIdOf(caller), body, { idempotency }));
  },
  buyTierUpgrade: async ({ caller, body, idempotency }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key header');
    return committedAnswer(await buyTierUpgrade(memberIdOf(caller), body.tier, { idempotency }));
  },
  eraseMe: async ({ caller }) => eraseMember(memberIdOf(caller), { kind: 'member' }),
  eraseMember: async ({ caller, params }) => eraseMember(params.memberId, { kind: 'operator', operatorId: caller?.subject ?? 'unknown' }),
  issuePaymentCode: async ({ caller }) => issuePaymentCode(memberIdOf(caller)),
  searchMembers: async ({ query, page }) =>
    searchMembers(
      {
        idPrefix: query.idPrefix,
        tier: query.tier,
        // The index holds UTC times as toISOString writes them; offsets are turned into those.
        registeredFrom: query.registeredFrom === undefined ? undefined : new Date(query.registeredFrom).toISOString(),
        registeredTo: query.registeredTo === undefined ? undefined : new Date(query.registeredTo).toISOString(),
      },
      page,
    ),
  getMember: async ({ params }) => memberDetail(params.memberId),
  listMemberLedger: async ({ params, query, page }) => {
    await requireMember(params.memberId);
    return listLedger(params.memberId, query.currency, page);
  },
  adjustMemberPoints: async ({ params, body, caller, idempotency }) => {
    await getMember(params.memberId);
    const operator = caller?.subject ?? 'unknown';
    const role = roleAdmitting('adjustMemberPoints', caller?.groups ?? []) ?? 'admin';
    const settings = await getOperatorSettings();
    const size = Math.abs(body.points);
    if (role === 'support' && size > settings.supportMaxPointsPerAdjustment) {
      throw new DomainError(
        'FORBIDDEN',
        `support may adjust at most ${settings.supportMaxPointsPerAdjustment} points at once; ask an admin for a larger adjustment`,
        { requiredRoles: ['admin'], limit: settings.supportMaxPointsPerAdjustment },
      );
    }
    if (size > settings.approvalThresholdPoints) {
      return requestAdjustment(params.memberId, { ...body, operator, role }, idempotency);
    }
    const outcome = await adjustPoints(
      params.memberId,
      { ...body, operator },
      {
        ...(role === 'support' ? { extra: [supportDailyLimitWrite(operator, size, settings.supportMaxPointsPerDay)] } : {}),
        idempotency,
        response: (entry) => ({
          status: 201,
          body: {
            entry: {
              id: entry.id,
              type: entry.type,
              currency: entry.currency,
              points: entry.points,
              heldDelta: entry.heldDelta,
              pendingDelta: entry.pendingDelta,
              reason: entry.reason,
              ...(entry.ref ? { ref: entry.ref } : {}),
              ...(entry.bucket ? { bucket: entry.bucket } : {}),
              at: entry.at,
            },
          },
        }),
      },
    );
    return committedAnswer(outcome);
  },
});
