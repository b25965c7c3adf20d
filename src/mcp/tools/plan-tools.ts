import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { PlanIssue } from '../../domain/index.js';
import { checkPlanFile, formatPlanIssue, planPathInside } from '../../engine/index.js';
import type { ToolContext } from '../tool-context.js';
import { guarded, toolResult } from '../tool-result.js';

const issueSchema = z.object({
  file: z.string(),
  line: z.number(),
  column: z.number(),
  kind: z.string().describe('machine-readable kind: yaml, schema, cycle, unknown-dependency, …'),
  message: z.string(),
  hint: z.string().nullable(),
});

const checkPlanOutput = {
  valid: z.boolean(),
  plan: z
    .object({ name: z.string(), tasks: z.array(z.string()).describe('task ids in plan order') })
    .nullable()
    .describe('the plan, when it is valid'),
  issues: z.array(issueSchema).describe('every problem found, positioned in the file; empty when valid'),
};

const issueOf = (issue: PlanIssue): z.infer<typeof issueSchema> => ({
  file: issue.file,
  line: issue.line,
  column: issue.column,
  kind: issue.kind,
  message: issue.message,
  hint: issue.hint ?? null,
});

/** `check_plan`: the plan validator `gaffer plan check` runs, with its compiler-style locations. */
export function registerPlanTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'check_plan',
    {
      title: 'Check a plan',
      description:
        'Validate a Gaffer plan file (YAML: settings and a list of tasks) before running it: schema, task ids, ' +
        'dependencies and cycles, deliverable paths, and that its agents are available. Returns every problem ' +
        'with its file:line:column and a hint. Changes nothing.',
      inputSchema: {
        plan: z
          .string()
          .min(1)
          .describe('path of the plan file, relative to the repository root, e.g. plan.yaml'),
      },
      outputSchema: checkPlanOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(context.logger, async ({ plan }: { plan: string }) => {
      const result = await checkPlanFile(
        await planPathInside(context.repoRoot, plan),
        plan,
        context.repoRoot,
        context.planChecks,
      );
      if (result.ok) {
        const tasks = result.plan.tasks.map((t) => t.id);
        return toolResult(
          `${plan} is valid: plan "${result.plan.name}", ${tasks.length} tasks (${tasks.join(', ')})`,
          {
            valid: true,
            plan: { name: result.plan.name, tasks },
            issues: [],
          },
        );
      }
      const count = `${result.issues.length} problem${result.issues.length > 1 ? 's' : ''}`;
      return toolResult(
        [`${plan} is not valid: ${count}`, ...result.issues.map(formatPlanIssue)].join('\n'),
        {
          valid: false,
          plan: null,
          issues: result.issues.map(issueOf),
        },
      );
    }),
  );
}
