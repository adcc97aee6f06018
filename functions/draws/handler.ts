import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import { checkShared } from '../../shared/http/member-rate-limit.js';
import { DomainError } from '../../shared/errors.js';
import type { Caller } from '../../shared/http/auth.js';
import { createDraw, drawAdminView, listDrawsForOperator, listOpenDraws, replaceDrawPrizes, updateDraw } from '../../shared/draws/draws.js';
import { drawForMember, drawSeeds, listMemberSpins, listMemberSpinsOfAllDraws, spinDraw } from '../../shared/draws/spins.js';
import { requireMember } from '../../shared/members/service.js';
import { drawOperations } from '../../shared/contracts/draws.js';

function subjectOf(caller: Caller | undefined): string {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return caller.subject;
}

export const handler = httpHandler('draws', drawOperations, {
  createDraw: async ({ body, caller }) => createDraw(body, subjectOf(caller)),
  getDrawAdmin: async ({ params }) => drawAdminView(params.drawId),
  updateDraw: async ({ params, body, caller }) => updateDraw(params.drawId, body, subjectOf(caller)),
  listDraws: async ({ page }) => listOpenDraws(page),
  getDraw: async ({ params, caller }) => drawForMember(params.drawId, subjectOf(caller)),
  spinDraw: async ({ params, caller, idempotency }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'a spin may spend points: send an Idempotency-Key header');
    const memberId = subjectOf(caller);
    // The member's rate across instances, paid only by a spin about to write (shared/http/member-rate-limit.ts).
    return committedAnswer(await spinDraw({ drawId: params.drawId, memberId, idempotency, beforeWrite: () => checkShared('spinDraw', memberId) }));
  },
  listMyDrawSpins: async ({ params, caller, page }) => listMemberSpins(subjectOf(caller), params.drawId, page),
  listMemberSpins: async ({ params, query, page }) => {
    await requireMember(params.memberId);
    return query.drawId === undefined ? listMemberSpinsOfAllDraws(params.memberId, page) : listMemberSpins(params.memberId, query.drawId, page);
  },
  listDrawSeeds: async ({ params, page }) => drawSeeds(params.drawId, page),
  replaceDrawPrizes: async ({ params, body, caller }) => replaceDrawPrizes(params.drawId, body, subjectOf(caller)),
  listDrawsAdmin: async ({ query, page }) => listDrawsForOperator(page, { status: query.status }),
  listDrawSeedsAdmin: async ({ params, page }) => drawSeeds(params.drawId, page),
});
