import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Engine, Logger } from '../engine/index.js';
import { silentLogger } from '../engine/index.js';
import { ApiError } from './api-error.js';
import { requireToken } from './auth.js';
import { BackgroundDrives } from './background-drives.js';
import { serveDashboard } from './dashboard.js';
import { errorResponse, routeNotFound } from './error-mapper.js';
import { requireHost } from './host-guard.js';
import { noteRequestedRun, PlanSecrets } from './plan-secrets.js';
import { createRedactor } from './redacted-json.js';
import { registerAttemptReads } from './routes/attempt-reads.js';
import { registerDecisions } from './routes/decisions.js';
import { registerEvents } from './routes/events.js';
import { registerRunActions } from './routes/run-actions.js';
import { registerRunReads } from './routes/run-reads.js';
import type { ServerDeps } from './server-deps.js';
import { StreamSlots } from './stream-slots.js';

export interface ServerAppOptions {
  /** The bearer token every `/api/*` request must present. */
  token: string;
  /** The repository served: plan paths in `POST /api/runs` are relative to it. */
  repoRoot: string;
  /**
   * The Host header values accepted (`127.0.0.1:4477`…), read per request; absent, any Host is
   * accepted, which only suits in-process use (`startServer` always sets it).
   */
  allowedHosts?: () => readonly string[];
  /** Values to mask wherever they appear, besides those of `env` and the token. */
  secrets?: readonly string[];
  /** Where secret values to mask are found (default `process.env`). */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Gaffer's version, shown in the OpenAPI document. */
  version?: string;
  /** Event streams served at once (default {@link DEFAULT_MAX_EVENT_STREAMS}); one more is refused with 503. */
  maxEventStreams?: number;
}

/**
 * Event streams open at once, by default: a dashboard holds one per run it shows, so this is
 * many tabs' worth, while far below what would exhaust the process's sockets or the store.
 */
export const DEFAULT_MAX_EVENT_STREAMS = 64;

/** The Hono app, with the drives it started (for a clean shutdown) and its event stream slots. */
export type ServerApp = OpenAPIHono & {
  readonly drives: BackgroundDrives;
  readonly eventStreams: Pick<StreamSlots, 'open' | 'capacity'>;
};

/**
 * The HTTP API over `engine`, a thin shell: every route validates its input with zod, calls the
 * engine's library API and sends the result redacted. No CORS headers are ever sent, so browsers
 * refuse other origins; a request without the token is refused before any handler runs.
 */
export function createServerApp(engine: Engine, options: ServerAppOptions): ServerApp {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  const planSecrets = new PlanSecrets(engine, env);
  const redact = createRedactor(env, [options.token, ...(options.secrets ?? [])], planSecrets);
  const deps: ServerDeps = {
    engine,
    drives: new BackgroundDrives(engine, logger.child('drives')),
    redact,
    planSecrets,
    eventStreams: new StreamSlots(options.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS),
    repoRoot: options.repoRoot,
    logger,
  };
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw badRequest(result.target, result.error.issues);
    },
  });
  app.onError((error, c) => errorResponse(error, c, redact, logger));
  app.notFound((c) => routeNotFound(c, redact));
  if (options.allowedHosts) app.use('*', requireHost(options.allowedHosts));
  app.use('/api/*', requireToken(options.token));
  app.use('/api/*', noteRequestedRun(planSecrets));
  // Decisions and answers are a few lines of text: a body beyond 1 MiB is no request of ours.
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new ApiError(413, 'GAFFER_BAD_INPUT', 'the request body is larger than 1 MiB', 'send less');
      },
    }),
  );
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  registerRunReads(app, deps);
  registerRunActions(app, deps);
  registerAttemptReads(app, deps);
  registerDecisions(app, deps);
  registerEvents(app, deps);
  app.doc('/api/openapi.json', {
    openapi: '3.0.0',
    info: {
      title: 'Gaffer',
      version: options.version ?? 'unknown',
      description: 'The HTTP API of `gaffer serve`.',
    },
    security: [{ bearer: [] }],
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  serveDashboard(app);
  return Object.assign(app, { drives: deps.drives, eventStreams: deps.eventStreams });
}

/** A request that failed its schema: which part, and each issue with its path. */
function badRequest(target: string, issues: readonly { path: PropertyKey[]; message: string }[]): ApiError {
  const described = issues.map((i) =>
    i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message,
  );
  return new ApiError(400, 'GAFFER_BAD_INPUT', `invalid ${target}: ${described.join('; ')}`);
}
