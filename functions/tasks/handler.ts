import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import type { Caller } from '../../shared/http/auth.js';
import { DomainError } from '../../shared/errors.js';
import { completeTask, listMemberCompletions, memberTasks, signInCalendar } from '../../shared/tasks/completions.js';
import { requireMember } from '../../shared/members/service.js';
import { createTask, getTaskWithStats, listTasks, updateTask } from '../../shared/tasks/definitions.js';
import { taskOperations } from '../../shared/contracts/tasks.js';

function memberIdOf(caller: Caller | undefined): string {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return caller.subject;
}

export const handler = httpHandler('tasks', taskOperations, {
  createTask: async ({ body, caller }) => createTask(body, caller?.subject ?? 'unknown'),
  listTasks: async ({ page }) => listTasks(page),
  getTask: async ({ params }) => getTaskWithStats(params.taskId),
  updateTask: async ({ params, body }) => updateTask(params.taskId, body),
  listMyTasks: async ({ caller }) => memberTasks(memberIdOf(caller)),
  completeTask: async ({ caller, params, body, idempotency }) =>
    committedAnswer(await completeTask({ memberId: memberIdOf(caller), taskId: params.taskId, productId: body.productId, idempotency })),
  listMemberTaskCompletions: async ({ params, query, page }) => {
    await requireMember(params.memberId);
    return listMemberCompletions(params.memberId, { ...page, taskId: query.taskId });
  },
  listMySignIns: async ({ caller, query }) => signInCalendar(memberIdOf(caller), { month: query.month, taskId: query.taskId }),
});
