import { createSdkMcpServer, tool } from '@anthropic-ai/claude-agent-sdk';
import type { McpSdkServerConfigWithInstance } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import type { Emit } from '../session.js';

/** The in-process MCP server's name; Claude Code prefixes its tools with `mcp__<server>__`. */
export const ASK_SERVER_NAME = 'gaffer';
/** The tool as the model (and the permission callback) sees it. */
export const ASK_TOOL_NAME = `mcp__${ASK_SERVER_NAME}__ask_question`;

const NO_ONE_TO_ASK =
  'No one is available to answer. Make the most reasonable assumption, say which, and continue.';

const DESCRIPTION =
  'Ask the person (or foreman) who assigned this task a question when a decision is genuinely ' +
  'ambiguous and guessing wrong would waste the work. Returns their answer. Prefer deciding ' +
  'yourself for small things.';

/**
 * An in-process MCP server with one tool, `ask_question({ question })`, that routes the model's
 * question through the engine (`ask`) and hands the answer back as the tool result. Each
 * question becomes a `question` event with its answer.
 */
export function createAskQuestionServer(
  ask: ((question: string) => Promise<string>) | undefined,
  emit: Emit,
): McpSdkServerConfigWithInstance {
  const askQuestion = tool(
    'ask_question',
    DESCRIPTION,
    { question: z.string().min(1) },
    async ({ question }) => {
      if (ask === undefined) {
        emit({ type: 'question', question });
        return { content: [{ type: 'text', text: NO_ONE_TO_ASK }] };
      }
      try {
        const answer = await ask(question);
        emit({ type: 'question', question, answer });
        return { content: [{ type: 'text', text: answer }] };
      } catch (error) {
        emit({ type: 'question', question });
        const reason = error instanceof Error ? error.message : String(error);
        return {
          content: [
            { type: 'text', text: `The question could not be answered (${reason}). ${NO_ONE_TO_ASK}` },
          ],
          isError: true,
        };
      }
    },
  );
  return createSdkMcpServer({ name: ASK_SERVER_NAME, version: '1.0.0', tools: [askQuestion] });
}
