import type { OpenAPIHono } from '@hono/zod-openapi';
import { attemptDiff } from '../../engine/queries/index.js';
import { mustFindAttempt } from '../lookups.js';
import { createRoute } from '@hono/zod-openapi';
import { ERRORS, ok } from '../route-config.js';
import { AttemptParams, TRANSCRIPT_PAGE, TranscriptQuery } from '../schemas.js';
import type { ServerDeps } from '../server-deps.js';
import { reply } from '../server-deps.js';

const transcript = createRoute({
  method: 'get',
  path: '/api/attempts/{attemptId}/transcript',
  summary:
    "An attempt's agent transcript, secrets redacted, a page of lines at a time: `next` is the `from` of the next page, `total` the lines there are now (a live transcript grows)",
  request: { params: AttemptParams, query: TranscriptQuery },
  responses: { 200: ok('{attemptId, lines: TranscriptLine[], from, next, total}'), ...ERRORS },
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
    const { from = 0, limit = TRANSCRIPT_PAGE } = c.req.valid('query');
    // Only the page is parsed, redacted and sent (the rest of the file is only counted): a live
    // view asks for the lines after the ones it has, and a transcript can be tens of megabytes.
    const { lines, next, total } = await engine.transcriptPage(
      attempt,
      from,
      Math.min(Math.max(limit, 1), TRANSCRIPT_PAGE),
    );
    return reply(deps, c, { attemptId: attempt.id, lines, from, next, total }, 200);
  });
  app.openapi(diff, async (c) => {
    const attempt = await mustFindAttempt(engine, c.req.valid('param').attemptId);
    const run = await engine.getRun(attempt.runId);
    return reply(deps, c, await attemptDiff(run.repoPath, attempt), 200);
  });
}
