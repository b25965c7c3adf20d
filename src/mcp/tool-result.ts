import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { GafferError, PlanValidationError } from '../domain/index.js';
import type { Logger } from '../engine/index.js';
import { formatPlanIssue } from '../engine/index.js';

/** A tool's answer: a short summary a model reads, and the same facts as JSON its client checks against the output schema. */
export function toolResult<T extends Record<string, unknown>>(summary: string, data: T): CallToolResult {
  return { content: [{ type: 'text', text: summary }], structuredContent: data };
}

/**
 * A failed call as the model should see it: the message and the hint, every issue of a bad plan
 * with its `file:line:column`, and never a stack trace. No structured content: a client checks
 * that against the tool's output schema, which describes success.
 */
export function toolError(error: unknown, logger: Logger): CallToolResult {
  if (GafferError.isInstance(error) && error.userError) {
    const issues = PlanValidationError.isInstance(error) ? error.issues.map(formatPlanIssue) : [];
    const lines =
      issues.length > 0
        ? [`${issues.length} problem${issues.length > 1 ? 's' : ''} in the plan:`, ...issues]
        : [error.message];
    if (issues.length === 0 && error.hint) lines.push(`hint: ${error.hint}`);
    return { content: [{ type: 'text', text: lines.join('\n') }], isError: true };
  }
  // Not the caller's mistake: the details (stack included) go to the server's log, not to the model.
  logger.error(
    errorMessage(error),
    error instanceof Error && error.stack ? { stack: error.stack } : undefined,
  );
  const hint =
    GafferError.isInstance(error) && error.hint
      ? error.hint
      : 'start `gaffer mcp --debug` to log the details on stderr';
  return {
    content: [{ type: 'text', text: `internal error: ${errorMessage(error)}\nhint: ${hint}` }],
    isError: true,
  };
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Wraps a tool's handler so whatever it throws comes back as a tool error, never as a broken server. */
export function guarded<A>(
  logger: Logger,
  handler: (args: A) => Promise<CallToolResult>,
): (args: A) => Promise<CallToolResult> {
  return async (args) => {
    try {
      return await handler(args);
    } catch (error) {
      return toolError(error, logger);
    }
  };
}
