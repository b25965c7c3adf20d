import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { redactDeep } from '../engine/redact.js';
import { knownSecretValues } from '../engine/secrets.js';
import type { CheckPlanOptions, Engine, Logger } from '../engine/index.js';
import { silentLogger } from '../engine/index.js';
import type { BackgroundDrives } from './background-drives.js';
import { createBackgroundDrives } from './background-drives.js';
import { registerApprovalTools } from './tools/approval-tools.js';
import { registerPlanTools } from './tools/plan-tools.js';
import { registerQuestionTools } from './tools/question-tools.js';
import { registerRunTools } from './tools/run-tools.js';
import { registerStatusTool } from './tools/status-tool.js';

export interface McpServerOptions {
  /** The repository served: plan paths are relative to it, and runs start in it. */
  repoRoot: string;
  /** The server's own diagnostics (failed background drives, internal errors); default: silent. Never stdout. */
  logger?: Logger;
  /** What `check_plan` checks a plan's agents with and in; default: every built-in backend, `process.env`. */
  planChecks?: CheckPlanOptions;
  /** The server's name and version as the client sees them. */
  version?: string;
}

/**
 * An MCP server whose `close()` also pauses the runs it drives in the background and waits until
 * each has stopped cleanly (a paused run resumes later; one left mid-flight would wait for its
 * lease to expire first).
 */
class GafferMcpServer extends McpServer {
  constructor(
    private readonly drives: BackgroundDrives,
    version: string,
  ) {
    super({ name: 'gaffer', version }, { capabilities: { tools: {} } });
  }

  /**
   * Every message to the client is redacted on its way out, as everything `gaffer serve` sends
   * is: a tool's summary, its JSON, and its errors (a git error quoting a URL with a token).
   */
  override async connect(transport: Transport): Promise<void> {
    const known = knownSecretValues(process.env);
    const send = transport.send.bind(transport);
    transport.send = (message, options) => send(redactDeep(message, known), options);
    await super.connect(transport);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.drives.stop();
  }
}

/**
 * Gaffer's tools over MCP: check plans, start, follow, pause and resume runs, decide approvals and
 * answer agents' questions. Runs started here are driven in this process, in the background.
 * Connect it to a transport (`StdioServerTransport` for `gaffer mcp`).
 */
export function createMcpServer(engine: Engine, options: McpServerOptions): McpServer {
  const logger = options.logger ?? silentLogger;
  const drives = createBackgroundDrives(engine, logger.child('mcp-drive'));
  const server = new GafferMcpServer(drives, options.version ?? '0.0.0');
  const context = {
    engine,
    repoRoot: options.repoRoot,
    drives,
    logger: logger.child('mcp'),
    planChecks: options.planChecks ?? {},
  };
  registerPlanTools(server, context);
  registerRunTools(server, context);
  registerStatusTool(server, context);
  registerApprovalTools(server, context);
  registerQuestionTools(server, context);
  return server;
}
