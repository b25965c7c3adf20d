import type { OpenAPIHono } from '@hono/zod-openapi';
import { notFound } from '../api-error.js';
import { createRoute } from '@hono/zod-openapi';
import { ERRORS, ok } from '../route-config.js';
import { AttemptsQuery, RunParams } from '../schemas.js';
import type { ServerDeps } from '../server-deps.js';
import { reply } from '../server-deps.js';

const listRuns = createRoute({
  method: 'get',
  path: '/api/runs',
  summary: 'Every run, newest first, with task counts and cost',
  responses: { 200: ok('{runs: RunSummary[]}'), ...ERRORS },
});
const getRun = createRoute({
  method: 'get',
  path: '/api/runs/{runId}',
  summary: 'A run with its tasks, attempts, evaluations, usage, budgets and open questions',
  request: { params: RunParams },
  responses: { 200: ok('RunView & {server: {driving, driveError}}'), ...ERRORS },
});
const listAttempts = createRoute({
  method: 'get',
  path: '/api/runs/{runId}/attempts',
  summary: "A run's attempts (or one task's), each with its evaluation",
  request: { params: RunParams, query: AttemptsQuery },
  responses: { 200: ok('{attempts: AttemptView[]}'), ...ERRORS },
});
const listApprovals = createRoute({
  method: 'get',
  path: '/api/runs/{runId}/approvals',
  summary: 'The results the run asked a person about, oldest first (`open` ones still wait)',
  request: { params: RunParams },
  responses: { 200: ok('{approvals: Approval[]}'), ...ERRORS },
});
const listQuestions = createRoute({
  method: 'get',
  path: '/api/runs/{runId}/questions',
  summary: "The agents' questions nobody has answered yet",
  request: { params: RunParams },
  responses: { 200: ok('{questions: OpenQuestion[]}'), ...ERRORS },
});

/** The reads of runs: lists and views, straight from the engine. */
export function registerRunReads(app: OpenAPIHono, deps: ServerDeps): void {
  const { engine, drives } = deps;
  app.openapi(listRuns, async (c) => {
    const runs = await engine.listRuns();
    // The list names no run in its path: each run's keys are noted here (summaries carry a reason).
    await Promise.all(runs.map((run) => deps.planSecrets.noteRun(run.id)));
    return reply(deps, c, { runs }, 200);
  });
  app.openapi(getRun, async (c) => {
    const { runId } = c.req.valid('param');
    const view = await engine.runView(runId);
    const server = { driving: drives.isDriving(runId), driveError: drives.failureOf(runId) };
    return reply(deps, c, { ...view, server }, 200);
  });
  app.openapi(listAttempts, async (c) => {
    const { runId } = c.req.valid('param');
    const { task } = c.req.valid('query');
    const run = await engine.getRun(runId);
    if (task !== undefined && !run.plan.tasks.some((t) => t.id === task))
      throw notFound(
        `run ${runId} has no task "${task}"`,
        `its tasks: ${run.plan.tasks.map((t) => t.id).join(', ')}`,
      );
    return reply(deps, c, { attempts: await engine.attempts(runId, task) }, 200);
  });
  app.openapi(listApprovals, async (c) => {
    const { runId } = c.req.valid('param');
    return reply(deps, c, { approvals: await engine.approvals(runId) }, 200);
  });
  app.openapi(listQuestions, async (c) => {
    const { runId } = c.req.valid('param');
    await engine.getRun(runId);
    return reply(deps, c, { questions: await engine.openQuestions(runId) }, 200);
  });
}
