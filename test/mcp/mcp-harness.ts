import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import type { Engine } from '../../src/engine/index.js';
import { createEngine } from '../../src/engine/index.js';
import { createMcpServer } from '../../src/mcp/index.js';
import { openStore } from '../../src/store/index.js';

/** What `run_status` returns, as far as the tests read it. */
export interface RunStatus {
  runId: string;
  status: string;
  reason: string | null;
  driven: boolean;
  tasks: { id: string; status: string; attempts: number; reworks: number }[];
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  budgets: { scope: string; limit: string; spent: number; max: number }[];
  pausedByBudget: string | null;
  openApprovals: number;
  openQuestions: number;
  driveError: string | null;
}

/** A model's side of the server: a real SDK client, connected in-process. */
export interface Harness {
  engine: Engine;
  client: Client;
  /** Calls a tool and returns its raw result. */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Calls a tool that must succeed; returns its structured content. */
  ok<T>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** Calls a tool that must fail as a tool error; returns its text. */
  fails(name: string, args?: Record<string, unknown>): Promise<string>;
  /** Re-calls `run_status` until `done` holds, waiting for the run's next event in between. */
  statusUntil(runId: string, what: string, done: (status: RunStatus) => boolean): Promise<RunStatus>;
}

export const textOf = (result: CallToolResult) =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/**
 * An MCP server over an engine on `<repo>/.gaffer/gaffer.db` (real SQLite, the real repository),
 * a client linked to it in memory. When the test ends the client leaves, the server pauses what
 * it still drives, and only then is the store closed.
 */
export async function connectHarness(repo: string): Promise<Harness> {
  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, controlPollMs: 50 });
  const server = createMcpServer(engine, { repoRoot: repo });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'gaffer-test', version: '0.0.0' });
  await client.connect(clientSide);
  onTestFinished(async () => {
    try {
      await client.close();
      await server.close();
    } finally {
      await store.close();
    }
  });

  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  const ok = async <T>(name: string, args: Record<string, unknown> = {}) => {
    const result = await call(name, args);
    expect(result.isError, textOf(result)).toBeFalsy();
    return result.structuredContent as T;
  };
  const fails = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await call(name, args);
    expect(result.isError, textOf(result)).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    return textOf(result);
  };
  const statusUntil = async (runId: string, what: string, done: (status: RunStatus) => boolean) => {
    let after = 0;
    for (let round = 0; round < 2000; round++) {
      const status = await ok<RunStatus>('run_status', { run: runId });
      if (done(status)) return status;
      // The run's next event, not a clock: the tail ends at once when nobody drives the run.
      for await (const event of engine.tailEvents(runId, { after, follow: true, pollMs: 10 })) {
        after = event.id;
        break;
      }
      await new Promise(setImmediate);
    }
    throw new Error(`run ${runId} never got to: ${what}`);
  };
  return { engine, client, call, ok, fails, statusUntil };
}
