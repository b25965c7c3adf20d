import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentEvent, AgentSession } from '../../src/domain/index.js';
import { startResponsesServer } from '../fixtures/model-servers/openai-responses-server.js';
import type { ResponsesServer, ResponsesTurn } from '../fixtures/model-servers/openai-responses-server.js';

/**
 * A model the codex 0.169 catalogue knows: with an unknown one codex warns that it falls back to
 * default metadata. `gpt-5…` also has a list price, so cost shows up in usage.
 */
export const CODEX_TEST_MODEL = 'gpt-5.5';

/** Scripted servers and a throwaway CODEX_HOME for one test file; `dispose()` in afterAll. */
export interface CodexHarness {
  codexHome: string;
  /** Starts a server playing `script`, closed by `dispose()`. */
  server(script: readonly ResponsesTurn[]): Promise<ResponsesServer>;
  /** The codex agent config pointing at `server` (no retries: errors surface at once); `extra` wins. */
  config(server: ResponsesServer, extra?: Record<string, unknown>): Record<string, unknown>;
  dispose(): Promise<void>;
}

export async function createCodexHarness(): Promise<CodexHarness> {
  const codexHome = await mkdtemp(path.join(os.tmpdir(), 'gaffer-codex-home-'));
  const servers: ResponsesServer[] = [];
  return {
    codexHome,
    async server(script) {
      const server = await startResponsesServer(script);
      servers.push(server);
      return server;
    },
    config(server, extra = {}) {
      const { provider, ...rest } = extra;
      return {
        model: CODEX_TEST_MODEL,
        codex_home: codexHome,
        rate_limit_retries: 0,
        provider: {
          name: 'scripted',
          base_url: server.baseUrl,
          request_max_retries: 0,
          stream_max_retries: 0,
          stream_idle_timeout_ms: 120_000,
          ...(provider as Record<string, unknown> | undefined),
        },
        ...rest,
      };
    },
    async dispose() {
      await Promise.all(servers.map((server) => server.close()));
      await rm(codexHome, { recursive: true, force: true });
    },
  };
}

/** Reads a session to its end: every event and the result. */
export async function finish(session: AgentSession) {
  const events: AgentEvent[] = [];
  for await (const event of session.events) events.push(event);
  return { events, result: await session.result };
}
