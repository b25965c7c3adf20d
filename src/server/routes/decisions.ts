import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute } from '@hono/zod-openapi';
import { GafferError } from '../../domain/index.js';
import type { Approval, Engine } from '../../engine/index.js';
import { conflict, notFound } from '../api-error.js';
import { runIdOf } from '../lookups.js';
import { ERRORS, jsonBody, ok } from '../route-config.js';
import { AnswerBody, ApprovalParams, DenyBody, QuestionParams } from '../schemas.js';
import type { ServerDeps } from '../server-deps.js';
import { reply } from '../server-deps.js';

const approve = createRoute({
  method: 'post',
  path: '/api/approvals/{approvalId}/approve',
  summary:
    'Approve a waiting result: it merges (now if the run is driven; a run paused waiting for decisions goes on, `resumed: true`)',
  request: { params: ApprovalParams },
  responses: { 200: ok('DecisionResult'), ...ERRORS },
});
const deny = createRoute({
  method: 'post',
  path: '/api/approvals/{approvalId}/deny',
  summary: 'Deny a waiting result: the task goes back for rework, told the reason',
  request: { params: ApprovalParams, body: jsonBody(DenyBody) },
  responses: { 200: ok('DecisionResult'), ...ERRORS },
});
const answer = createRoute({
  method: 'post',
  path: '/api/questions/{questionId}/answer',
  summary: "Answer an agent's question, or accept the foreman's proposal",
  request: { params: QuestionParams, body: jsonBody(AnswerBody) },
  responses: { 200: ok('{questionId, answered: true}'), ...ERRORS },
});

/** A person's decisions: approvals and answers, by their explicit ids. */
export function registerDecisions(app: OpenAPIHono, deps: ServerDeps): void {
  const { engine } = deps;
  app.openapi(approve, async (c) => {
    const { approvalId } = c.req.valid('param');
    const approval = await mustFindOpenApproval(engine, approvalId);
    const result = await engine.decide({ id: approvalId, runId: approval.runId, decision: 'approved' });
    const resumed = await continueAfterDecision(deps, approval.runId);
    return reply(deps, c, { ...result, resumed }, 200);
  });
  app.openapi(deny, async (c) => {
    const { approvalId } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const approval = await mustFindOpenApproval(engine, approvalId);
    const result = await engine.decide({ id: approvalId, runId: approval.runId, decision: 'denied', reason });
    const resumed = await continueAfterDecision(deps, approval.runId);
    return reply(deps, c, { ...result, resumed }, 200);
  });
  app.openapi(answer, async (c) => {
    const { questionId } = c.req.valid('param');
    const body = c.req.valid('json');
    await mustFindWaitingQuestion(engine, questionId);
    await engine.answerQuestion(questionId, body.answer ?? '', { accept: body.accept === true });
    return reply(deps, c, { questionId, answered: true }, 200);
  });
}

/**
 * A run that paused because nothing was left but a person's decisions goes on once one is made
 * (the drive pauses again should others still wait), as it would after `gaffer resume`: from the
 * browser, approving is all it takes. Runs paused for any other reason, or driven, stay as they are.
 */
async function continueAfterDecision(deps: ServerDeps, runId: string): Promise<boolean> {
  // The decision is recorded: whatever goes wrong here must not answer as if it were not.
  return goOnAfterDecision(deps, runId).catch((error: unknown) => {
    deps.logger.error(`could not continue run ${runId} after a decision: ${String(error)}`);
    return false;
  });
}

async function goOnAfterDecision(deps: ServerDeps, runId: string): Promise<boolean> {
  const { engine, drives } = deps;
  const run = await engine.getRun(runId);
  if (run.status !== 'paused' || drives.isDriving(runId) || (await engine.isDriven(runId))) return false;
  let by: string | undefined;
  for await (const event of engine.tailEvents(runId, { types: ['run.paused'] }))
    if (event.type === 'run.paused') by = event.data.by;
  if (by !== 'approval') return false;
  drives.start(runId);
  return true;
}

/** The approval, 404 when no run asked for it, 409 when it was decided or no longer waits. */
async function mustFindOpenApproval(engine: Engine, approvalId: string): Promise<Approval> {
  const approvals = await engine.approvals(runIdOf(approvalId)).catch((error: unknown) => {
    // An id that names no run names no approval either: say so in its terms.
    if (GafferError.isInstance(error) && error.code === 'GAFFER_RUN_NOT_FOUND') return [];
    throw error;
  });
  const approval = approvals.find((a) => a.approvalId === approvalId);
  if (!approval)
    throw notFound(`no approval "${approvalId}"`, 'a run lists its approvals at /api/runs/<run>/approvals');
  if (approval.open) return approval;
  throw conflict(
    approval.decision
      ? `approval ${approvalId} was already ${approval.decision.decision} by ${approval.decision.by} at ${approval.decision.at}`
      : `approval ${approvalId} no longer waits: its task has moved on since`,
  );
}

/** 404 for a question never asked, 409 for one answered already or whose attempt no longer waits. */
async function mustFindWaitingQuestion(engine: Engine, questionId: string): Promise<void> {
  const runId = runIdOf(questionId);
  await engine.getRun(runId);
  const open = (await engine.openQuestions(runId)).find((q) => q.questionId === questionId);
  if (open) {
    const attempt = (await engine.attempts(runId, open.taskId)).find((a) => a.id === open.attemptId);
    if (attempt?.status === 'waiting_answer') return;
    throw conflict(
      `question ${questionId} is no longer waited for: its attempt is ${attempt?.status ?? 'gone'}`,
    );
  }
  for await (const event of engine.tailEvents(runId, { types: ['attempt.question-asked'] }))
    if (event.type === 'attempt.question-asked' && event.data.questionId === questionId)
      throw conflict(`question ${questionId} was answered already`);
  throw notFound(
    `no question "${questionId}"`,
    'a run lists its open questions at /api/runs/<run>/questions',
  );
}
