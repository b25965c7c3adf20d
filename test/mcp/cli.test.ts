import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import { GAFFER_BIN } from '../support/cli.js';
import { textOf } from './mcp-harness.js';
import type { RunStatus } from './mcp-harness.js';
import { gatedRepo } from './plans.js';

// The built binary (`npm run build` first), as an MCP client starts it: no shell, an empty HOME.
describe('gaffer mcp, the real command', () => {
  it('speaks only the protocol on stdout, and pauses the runs it drives when the client leaves', async () => {
    const { repo } = gatedRepo();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [GAFFER_BIN, 'mcp'],
      cwd: repo,
      env: { HOME: mkdtempSync(join(tmpdir(), 'gaffer-mcp-home-')), NO_COLOR: '1' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'gaffer-cli-test', version: '0.0.0' });
    // Anything on stdout that is not a protocol message reaches the client as an error.
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    onTestFinished(() => client.close());
    const call = async (name: string, args: Record<string, unknown> = {}) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;

    const { tools } = await client.listTools();
    expect(tools).toHaveLength(10);
    const none = await call('run_status');
    expect(none.isError).toBe(true);
    expect(textOf(none)).toContain('there are no runs in this repository yet');
    const checked = await call('check_plan', { plan: 'plan.yaml' });
    expect(checked.structuredContent).toMatchObject({ valid: true, plan: { tasks: ['slow'] } });

    const started = await call('start_run', { plan: 'plan.yaml' });
    expect(started.isError, textOf(started)).toBeFalsy();
    const { runId } = started.structuredContent as { runId: string };
    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    onTestFinished(() => store.close());
    const watcher = createEngine({ store });
    let after = 0;
    for (let round = 0; ; round++) {
      const status = (await call('run_status', { run: runId })).structuredContent as unknown as RunStatus;
      if (status.tasks[0]?.status === 'running') break;
      expect(round, 'the slow task never ran').toBeLessThan(2000);
      for await (const event of watcher.tailEvents(runId, { after, follow: true, pollMs: 10 })) {
        after = event.id;
        break;
      }
    }

    // Stdin ends: the server pauses its run cleanly (resumable) before it exits.
    await client.close();
    const run = await watcher.getRun(runId);
    expect({ status: run.status, reason: run.reason }, stderr).toEqual({
      status: 'paused',
      reason: 'the gaffer MCP server stopped',
    });
    expect(await watcher.isDriven(runId)).toBe(false);
    expect(errors).toEqual([]);
  });
});
