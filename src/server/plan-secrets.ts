import type { MiddlewareHandler } from 'hono';
import type { Plan } from '../domain/index.js';
import type { Engine } from '../engine/index.js';
import { configuredKeyValues } from '../engine/secrets.js';
import { runIdOf } from './lookups.js';

/**
 * Every backend config a plan holds: `agents.<name>`, each task's `agent_config` and those of the
 * reviewer, the foreman and the planner. An agent runs with a merge of some of them, so a key
 * variable it is given is named in one of these.
 */
export function planAgentConfigs(plan: Plan): Record<string, unknown>[] {
  const { settings } = plan;
  const roles = [settings.reviewer, settings.foreman, settings.planner];
  return [
    ...Object.values(settings.agents),
    ...plan.tasks.flatMap((task) => (task.agent_config ? [task.agent_config] : [])),
    ...roles.flatMap((role) => (role && role !== 'none' && role.agent_config ? [role.agent_config] : [])),
  ];
}

/**
 * The values of the variables that runs' plans name as keys (`api_key_env: MY_KEY`), read from the
 * server's environment: secrets whatever their names look like, so {@link createRedactor}'s
 * name-based guess misses them.
 *
 * Runs are noted as requests reach them (see {@link noteRun}), not once at start: runs are
 * created after the server starts (by it, or by `gaffer run` on the same store) and a replan
 * adds tasks with their own `agent_config`. What is noted is kept for the server's lifetime and
 * masked in every response, not only in those of its run: a value is a secret wherever it
 * turns up, and one set is simpler than one per response.
 */
export class PlanSecrets {
  private readonly found = new Set<string>();
  /** Bumped whenever a value is added, so a redactor knows when to rebuild its list. */
  private changes = 0;

  constructor(
    private readonly engine: Engine,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** How many times the set has grown: equal numbers mean equal sets. */
  get version(): number {
    return this.changes;
  }

  get values(): readonly string[] {
    return [...this.found];
  }

  /** Notes the keys `plan` names. */
  notePlan(plan: Plan): void {
    for (const config of planAgentConfigs(plan))
      for (const value of configuredKeyValues(config, this.env)) {
        if (this.found.has(value)) continue;
        this.found.add(value);
        this.changes += 1;
      }
  }

  /**
   * Notes the keys of run `runId`'s plan, read now (it may have been replanned); an id that names
   * no run is left to the route, which answers 404.
   */
  async noteRun(runId: string): Promise<void> {
    const run = await this.engine.getRun(runId).catch(() => undefined);
    if (run) this.notePlan(run.plan);
  }
}

/** The path segments followed by an id: `/api/<kind>/<id>/…`, and every id starts with its run's. */
const ID_KINDS: ReadonlySet<string> = new Set(['runs', 'attempts', 'approvals', 'questions']);

/** The run a request is about, if it names one: in its path, or in `?run=` on the event stream. */
export function requestedRunId(path: string, runQuery: string | undefined): string | undefined {
  if (path === '/api/events') return runQuery;
  const [, api, kind, id] = path.split('/');
  return api === 'api' && kind !== undefined && ID_KINDS.has(kind) && id ? runIdOf(id) : undefined;
}

/**
 * Notes the keys of the run a request names before its handler runs, so that whatever the
 * handler sends, or the error it throws, is redacted with them. Listing and creating runs note
 * theirs in their handlers.
 */
export function noteRequestedRun(secrets: PlanSecrets): MiddlewareHandler {
  return async (c, next) => {
    const runId = requestedRunId(c.req.path, c.req.query('run'));
    if (runId) await secrets.noteRun(runId);
    await next();
  };
}
