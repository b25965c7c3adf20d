import type { Context } from 'hono';
import type { Engine, Logger } from '../engine/index.js';
import type { BackgroundDrives } from './background-drives.js';
import type { PlanSecrets } from './plan-secrets.js';
import type { Redact } from './redacted-json.js';
import type { StreamSlots } from './stream-slots.js';

/** What every route module is given: the engine, the drives this server runs, and the redactor. */
export interface ServerDeps {
  engine: Engine;
  drives: BackgroundDrives;
  redact: Redact;
  /** The keys runs' plans name, which `redact` masks too: a route that lists or creates runs notes theirs. */
  planSecrets: PlanSecrets;
  /** The slots of open event streams (`GET /api/events`), capped. */
  eventStreams: StreamSlots;
  /** The repository the server serves: plan paths in requests are relative to it. */
  repoRoot: string;
  logger: Logger;
}

/** A JSON success response, redacted like everything the server sends. */
export const reply = <S extends 200 | 201 | 202>(deps: ServerDeps, c: Context, value: unknown, status: S) =>
  c.json(deps.redact(value), status);
