import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { ERRORS } from '../route-config.js';
import { EventsHeaders, EventsQuery } from '../schemas.js';
import type { ServerDeps } from '../server-deps.js';

const events = createRoute({
  method: 'get',
  path: '/api/events',
  summary:
    "A run's events as Server-Sent Events, replayed from the event log; each `id:` is the stored event id, so a reconnect (Last-Event-ID, or ?after=) misses nothing and repeats nothing",
  request: { query: EventsQuery, headers: EventsHeaders },
  responses: {
    200: {
      description:
        'one `message` per stored event (data: the event as JSON), across pauses and resumes, then an `end` event once the run has ended',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    ...ERRORS,
  },
});

/** The live event stream: the same log the CLI follows, read through the engine's tail. */
export function registerEvents(app: OpenAPIHono, deps: ServerDeps): void {
  const { engine } = deps;
  app.openapi(events, async (c) => {
    const { run: runId, after } = c.req.valid('query');
    // A reconnecting EventSource sends the last id it saw; it wins over the URL it was opened with.
    const cursor = c.req.valid('header')['last-event-id'] ?? after ?? 0;
    await engine.getRun(runId); // an unknown run is a 404, before the stream opens
    return streamSSE(
      c,
      async (stream) => {
        const disconnected = new AbortController();
        stream.onAbort(() => disconnected.abort());
        // Open until the run ends: a paused run may be resumed, a new one is about to be driven.
        const tail = engine.tailEvents(runId, {
          after: cursor,
          follow: true,
          until: 'ended',
          signal: disconnected.signal,
        });
        for await (const event of tail)
          await stream.writeSSE({ id: String(event.id), data: JSON.stringify(deps.redact(event)) });
        if (disconnected.signal.aborted) return;
        const run = await engine.getRun(runId);
        await stream.writeSSE({
          event: 'end',
          data: JSON.stringify(deps.redact({ runId, status: run.status, reason: run.reason })),
        });
      },
      async (error, stream) => {
        deps.logger.error(`event stream of ${runId} failed: ${error.message}`);
        await stream.writeSSE({
          event: 'error',
          data: JSON.stringify({ code: 'GAFFER_INTERNAL', message: 'the event stream failed' }),
        });
      },
    );
  });
}
