import type { OpenAPIHono } from '@hono/zod-openapi';
import { attemptDiff } from '../../engine/queries/index.js';
import { mustFindAttempt } from '../lookups.js';
import { createRoute } from '@hono/zod-openapi';
import { ERRORS, ok } from '../route-config.js';
import { AttemptParams } from '../schemas.js';
import type { ServerDeps } from '../server-deps.js';
import { reply } from '../server-deps.js';

const transcript = createRoute({
  method: 'get',
  path: '/api/attempts/{attemptId}/transcript',
  summary: "An attempt's agent transcript, secrets redacted",
  request: { params: AttemptParams },
  responses: { 200: ok('{attemptId, lines: TranscriptLine[]}'), ...ERRORS },
});
const diff = createRoute({
  method: 'get',
  path: '/api/attempts/{attemptId}/diff',
  summary: 'What an attempt changed: the patch from its base to its commit, with stats',
  request: { params: AttemptParams },
  responses: { 200: ok('AttemptDiff'), ...ERRORS },
});

/** What one attempt did: its transcript and its diff. */
export function registerAttemptReads(app: OpenAPIHono, deps: ServerDeps): void {
  const { engine } = deps;
  app.openapi(transcript, async (c) => {
    const attempt = await mustFindAttempt(engine, c.req.valid('param').attemptId);
    return reply(deps, c, { attemptId: attempt.id, lines: await engine.transcript(attempt) }, 200);
  });
  app.openapi(diff, async (c) => {
    const attempt = await mustFindAttempt(engine, c.req.valid('param').attemptId);
    const run = await engine.getRun(attempt.runId);
    return reply(deps, c, await attemptDiff(run.repoPath, attempt), 200);
  });
}
