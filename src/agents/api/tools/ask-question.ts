import { tool } from 'ai';
import { z } from 'zod';
import { guarded } from './tool-context.js';
import type { ToolContext } from './tool-context.js';

const NO_ONE =
  'No one can answer questions in this session: make the most reasonable assumption, say which in your final reply, and continue.';

/** `ask_question(question)`: routes a question to the engine (the foreman or a person). */
export function askQuestionTool(ctx: ToolContext) {
  return tool({
    description:
      'Ask the foreman a question when the task is ambiguous and a wrong guess would be costly. Returns the answer.',
    inputSchema: z.object({ question: z.string().min(1) }),
    execute: (input, options) =>
      guarded(ctx, 'ask_question', input, options, async () => {
        const answer = ctx.ask ? await ctx.ask(input.question) : NO_ONE;
        ctx.note(options.toolCallId, { type: 'question', question: input.question, answer });
        return answer;
      }),
  });
}
