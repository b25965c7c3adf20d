import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { RunStatus } from '../../src/domain/index.js';
import type { Engine } from '../../src/engine/index.js';
import { createEngine } from '../../src/engine/index.js';
import type { ServerApp } from '../../src/server/index.js';
import { createServerApp } from '../../src/server/index.js';
import { makeRepo } from '../support/repo.js';
import { openTestStore } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

export const TOKEN = 'test-token-0123456789abcdef';

/** A repository with `plan.yaml`, an engine on its SQLite store and the API app over both. */
export async function serverFor(
  plan: string,
  files: Record<string, string> = {},
  env: Record<string, string | undefined> = process.env,
) {
  const repo = makeRepo({ 'plan.yaml': plan, ...files });
  const store = await openTestStore('sqlite', repo);
  const engine = createEngine({ store, controlPollMs: 50, heartbeatMs: 200 });
  const app = createServerApp(engine, { token: TOKEN, repoRoot: repo, env });
  // Runs the app drives are paused before the store closes (hooks run in reverse order).
  onTestFinished(() => app.drives.close());
  return { repo, engine, app, api: apiClient(app) };
}

/** The error body every refusal has. */
export interface ErrorReply {
  error: { code: string; message: string; hint?: string };
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  /** The parsed JSON, typed as the test expects it (refusals are {@link ErrorReply}). */
  body: T & Partial<ErrorReply>;
  text: string;
}

/** Calls the app in-process with the token (or `token: null` for none, a string for another). */
export function apiClient(app: ServerApp) {
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> => {
    const token = options.token === undefined ? TOKEN : options.token;
    const headers: Record<string, string> = {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    };
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await app.request(path, { method, headers: { ...headers, ...options.headers }, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the HTML page
    }
    return {
      status: response.status,
      headers: response.headers,
      body: parsed as T & Partial<ErrorReply>,
      text,
    };
  };
}

/** Waits until the run has the status. */
export const runReaches = (engine: Engine, runId: string, status: RunStatus) =>
  waitFor(async () => (await engine.getRun(runId)).status === status, `run ${runId} to be ${status}`);

/** Waits until the run's task is running, and returns its run. */
export const taskRunning = (engine: Engine, runId: string, taskId: string) =>
  waitFor(
    async () => (await engine.listTasks(runId)).find((t) => t.taskId === taskId)?.status === 'running',
    `task ${taskId} to run`,
  );

/** A file outside the repository an agent waits for, so the test decides when a run moves on. */
export function gate(): { path: string; dir: string; open: () => void; script: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'gaffer-gate-')), 'open');
  return {
    path,
    dir: dirname(path),
    open: () => writeFileSync(path, ''),
    script: `import { existsSync } from 'node:fs';
const timer = setInterval(() => existsSync(process.argv[2]) && clearInterval(timer), 25);
`,
  };
}

/** A full_auto plan of one task that writes a.txt and is done. */
export const QUICK_PLAN = `agent: script
autonomy: full_auto
tasks:
  - id: a
    title: Write a
    agent_config: { steps: [ { write: { path: a.txt, content: a } } ] }
`;

/** A full_auto plan whose task `slow` waits for the gate, then writes s.txt. */
export const gatedPlan = (g: { path: string; dir: string }) => `agent: script
sandbox: { readable: [${JSON.stringify(g.dir)}] }
autonomy: full_auto
tasks:
  - id: slow
    title: Slow
    agent_config: { steps: [ { say: "working" }, { run: [${JSON.stringify(process.execPath)}, gate.mjs, ${JSON.stringify(g.path)}] }, { write: { path: s.txt, content: s } } ] }
`;
