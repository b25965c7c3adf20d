import { onTestFinished } from 'vitest';
import type { RunRecord } from '../../src/domain/index.js';
import type { Engine } from '../../src/engine/index.js';
import { createEngine } from '../../src/engine/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { startServer } from '../../src/server/index.js';
import { makeRepo } from '../support/repo.js';
import { openTestStore } from '../support/stores.js';

export interface DashboardServer {
  repo: string;
  engine: Engine;
  server: RunningServer;
  /** Starts the repository's plan over the API (the server drives it) and returns the run's id. */
  startRun: (plan?: string) => Promise<string>;
}

/** A temp repository with `plan.yaml`, its SQLite store, and a real server on 127.0.0.1:0 over both. */
export async function dashboardServer(
  plan: string,
  files: Record<string, string> = {},
): Promise<DashboardServer> {
  const repo = makeRepo({ 'plan.yaml': plan, ...files });
  const store = await openTestStore('sqlite', repo);
  const engine = createEngine({ store, controlPollMs: 50, heartbeatMs: 200 });
  const server = await startServer(engine, { port: 0, repoRoot: repo });
  // Registered after the store's hook, so it runs first: drives pause before the store closes.
  onTestFinished(() => server.close());
  const startRun = async (planPath = 'plan.yaml') => {
    const response = await fetch(`${server.origin}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: planPath }),
    });
    if (response.status !== 201)
      throw new Error(`POST /api/runs: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { run: RunRecord }).run.id;
  };
  return { repo, engine, server, startRun };
}

/** Every event id of the run, from the log itself. */
export async function storedEventIds(engine: Engine, runId: string): Promise<number[]> {
  const ids: number[] = [];
  for await (const event of engine.tailEvents(runId)) ids.push(event.id);
  return ids;
}

/** The address of a run's page, with the token as `gaffer serve` prints it. */
export const runPageUrl = (server: RunningServer, runId: string) =>
  `${server.origin}/runs/${encodeURIComponent(runId)}?token=${server.token}`;
