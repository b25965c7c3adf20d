import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, z } from '@hono/zod-openapi';
import type { SSEStreamingApi } from 'hono/streaming';
import { streamSSE } from 'hono/streaming';
import { ApiError } from '../api-error.js';
import { ERRORS, refusal } from '../route-config.js';
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
    503: refusal(
      'as many event streams are open as the server serves at once: retry after `Retry-After` seconds',
    ),
  },
});

/** Seconds a refused client is told to wait: streams end with their runs or their clients. */
const RETRY_AFTER_S = 10;

const tooManyStreams = (capacity: number) =>
  new ApiError(
    503,
    'GAFFER_BUSY',
    `${capacity} event streams are open, the most this server serves at once`,
    'close a stream (another tab of the dashboard?) or retry later',
    { 'Retry-After': String(RETRY_AFTER_S) },
  );

/** The live event stream: the same log the CLI follows, read through the engine's tail. */
export function registerEvents(app: OpenAPIHono, deps: ServerDeps): void {
  const { engine, eventStreams } = deps;
  app.openapi(events, async (c) => {
    const { run: runId, after } = c.req.valid('query');
    // A reconnecting EventSource sends the last id it saw; it wins over the URL it was opened with.
    const cursor = c.req.valid('header')['last-event-id'] ?? after ?? 0;
    await engine.getRun(runId); // an unknown run is a 404, before the stream opens
    const release = eventStreams.take();
    if (!release) throw tooManyStreams(eventStreams.capacity);
    return streamSSE(
      c,
      async (stream) => {
        const disconnected = new AbortController();
        // The slot is free once the client has gone, even before the tail notices.
        stream.onAbort(() => {
          release();
          disconnected.abort();
        });
        try {
          await sendEvents(deps, stream, runId, cursor, disconnected.signal);
        } finally {
          release();
        }
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

/** Sends the run's events after `cursor` as they come, then `end` once the run has ended (unless the client left). */
async function sendEvents(
  deps: ServerDeps,
  stream: SSEStreamingApi,
  runId: string,
  cursor: number,
  disconnected: AbortSignal,
): Promise<void> {
  const { engine } = deps;
  // Open until the run ends: a paused run may be resumed, a new one is about to be driven.
  const tail = engine.tailEvents(runId, {
    after: cursor,
    follow: true,
    until: 'ended',
    signal: disconnected,
  });
  for await (const event of tail) {
    // A replan may add tasks whose agent_config names a key of its own: note it before sending on.
    if (event.type === 'run.replanned') await deps.planSecrets.noteRun(runId);
    await stream.writeSSE({ id: String(event.id), data: JSON.stringify(deps.redact(event)) });
  }
  if (disconnected.aborted) return;
  const run = await engine.getRun(runId);
  await stream.writeSSE({
    event: 'end',
    data: JSON.stringify(deps.redact({ runId, status: run.status, reason: run.reason })),
  });
}
