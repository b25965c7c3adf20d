import type { OpenAPIHono } from '@hono/zod-openapi';
import type { LimitRequest } from '../../engine/index.js';
import { planPathInside } from '../../engine/index.js';
import { mustGetIdleRun, mustGetLiveRun } from '../lookups.js';
import { createRoute } from '@hono/zod-openapi';
import { ERRORS, jsonBody, ok } from '../route-config.js';
import { RaiseBody, RunParams, StartRunBody, StopBody } from '../schemas.js';
import type { ServerDeps } from '../server-deps.js';
import { reply } from '../server-deps.js';

const startRun = createRoute({
  method: 'post',
  path: '/api/runs',
  summary: 'Create a run of a plan and start driving it in the server',
  request: { body: jsonBody(StartRunBody) },
  responses: { 201: ok('{run: RunRecord}'), ...ERRORS },
});
const stopRoute = (kind: 'pause' | 'cancel') =>
  createRoute({
    method: 'post',
    path: `/api/runs/{runId}/${kind}`,
    summary:
      kind === 'pause' ? 'Pause a run: running attempts stop and resume later' : 'Cancel a run for good',
    request: { params: RunParams, body: jsonBody(StopBody, false) },
    responses: { 200: ok('{run: RunRecord}'), ...ERRORS },
  });
const resume = createRoute({
  method: 'post',
  path: '/api/runs/{runId}/resume',
  summary: 'Continue a paused or interrupted run, driven in the server',
  request: { params: RunParams },
  responses: { 202: ok('{run: RunRecord}'), ...ERRORS },
});
const raise = createRoute({
  method: 'post',
  path: '/api/runs/{runId}/raise',
  summary: 'Raise the limits of a run nobody drives (resume it to continue)',
  request: { params: RunParams, body: jsonBody(RaiseBody) },
  responses: { 200: ok('{raised: BudgetRaise[]}'), ...ERRORS },
});

/** Starting and steering runs; a started or resumed run is driven in the background. */
export function registerRunActions(app: OpenAPIHono, deps: ServerDeps): void {
  const { engine, drives } = deps;
  app.openapi(startRun, async (c) => {
    const { plan, ...options } = c.req.valid('json');
    const run = await engine.createRun({
      planPath: await planPathInside(deps.repoRoot, plan),
      cwd: deps.repoRoot,
      ...options,
    });
    deps.planSecrets.notePlan(run.plan);
    drives.start(run.id);
    return reply(deps, c, { run }, 201);
  });
  for (const kind of ['pause', 'cancel'] as const) {
    app.openapi(stopRoute(kind), async (c) => {
      const { runId } = c.req.valid('param');
      const reason =
        c.req.valid('json').reason ?? `${kind === 'pause' ? 'paused' : 'cancelled'} over the API`;
      await mustGetLiveRun(engine, runId);
      const run =
        kind === 'pause'
          ? await engine.requestPause(runId, reason)
          : await engine.requestCancel(runId, reason);
      return reply(deps, c, { run }, 200);
    });
  }
  app.openapi(resume, async (c) => {
    const { runId } = c.req.valid('param');
    const run = await mustGetIdleRun(engine, drives, runId);
    drives.start(runId);
    return reply(deps, c, { run }, 202);
  });
  app.openapi(raise, async (c) => {
    const { runId } = c.req.valid('param');
    const body = c.req.valid('json');
    await mustGetIdleRun(engine, drives, runId);
    return reply(deps, c, { raised: await engine.raiseLimits(runId, limitRequests(body)) }, 200);
  });
}

/** The body's limits as the engine's requests: the run's first, then each task's. */
function limitRequests(body: {
  limits?: Record<string, number | undefined>;
  tasks?: Record<string, Record<string, number | undefined>>;
}): LimitRequest[] {
  const of = (limits: Record<string, number | undefined>, taskId?: string) =>
    Object.entries(limits).flatMap(([limit, value]) =>
      value === undefined ? [] : [{ limit, value, ...(taskId === undefined ? {} : { taskId }) }],
    );
  return [
    ...of(body.limits ?? {}),
    ...Object.entries(body.tasks ?? {}).flatMap(([taskId, limits]) => of(limits, taskId)),
  ];
}
