import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PlanValidationError } from '../../domain/index.js';
import type { ChecksReport, CleanResult } from '../../engine/index.js';
import { checkPlanFile, detectChecks, prepareWorkspace, repositoryRoot } from '../../engine/index.js';
import { checksText } from '../checks-text.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor, isNoStoreError, workDir } from '../workspace.js';
import { EXIT } from '../exit-codes.js';
import { STARTER_PLAN } from '../starter-plan.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer init`, `gaffer clean` and `gaffer plan check`. */
export function registerWorkspaceCommands(program: Command, output: Output, act: Act): void {
  program
    .command('init')
    .description('prepare this repository for Gaffer: .gaffer/ (git-ignored) and a starter plan.yaml')
    .action(() =>
      act(async (global) => {
        const root = await prepareWorkspace(workDir(global));
        const planPath = join(root, 'plan.yaml');
        if (existsSync(planPath)) {
          output.out(`.gaffer/ is ready; plan.yaml already exists, left as it is\n`);
        } else {
          await writeFile(planPath, STARTER_PLAN, 'utf8');
          output.out(`created .gaffer/ (ignored by git) and a starter plan.yaml\n`);
        }
        output.out(
          `next: edit plan.yaml, check it with \`gaffer plan check plan.yaml\`, then \`gaffer run plan.yaml\`\n`,
        );
        return EXIT.ok;
      }),
    );

  program
    .command('clean')
    .description("remove what ended runs kept: worktrees left for inspection and the runs' task branches")
    .argument('[run]', 'only this run (it must not be running)')
    .option('--keep-branches', 'keep the task branches (gaffer-tasks/<run>/*); remove only worktrees')
    .action((runId: string | undefined, opts: { keepBranches?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global, { readOnly: true });
        let result: CleanResult;
        try {
          result = await engine.clean({
            ...(runId ? { runId } : {}),
            keepBranches: Boolean(opts.keepBranches),
          });
        } catch (error) {
          if (runId !== undefined || !isNoStoreError(error)) throw error;
          result = { removedWorktrees: [], removedBranches: [] };
        } finally {
          await engine.close();
        }
        output.out(cleanText(result));
        return EXIT.ok;
      }),
    );

  const plan = program.command('plan').description('work with plan files');
  plan
    .command('check')
    .description(
      'validate a plan: schema, ids, dependencies, cycles, deliverables, agents; and list the checks its tasks run',
    )
    .argument('<file>', 'the plan file')
    .option('--json', 'print the problems (and the checks) as JSON')
    .action((file: string, opts: { json?: boolean }) =>
      act(async (global) => {
        const cwd = workDir(global);
        const path = resolve(cwd, file);
        const result = await checkPlanFile(path, file, cwd, { env: process.env });
        const checks = result.ok ? await checksOf(cwd, path, file) : undefined;
        if (opts.json) {
          output.out(
            JSON.stringify(
              result.ok
                ? { ok: true, errors: [], ...(checks ? { checks } : {}) }
                : { ok: false, errors: result.issues },
              null,
              2,
            ) + '\n',
          );
          return result.ok ? EXIT.ok : EXIT.badInput;
        }
        if (!result.ok) throw new PlanValidationError(result.issues);
        output.out(
          `${paint(output, 'green', 'ok')}: ${file} — ${result.plan.tasks.length} tasks, plan "${result.plan.name}"\n`,
        );
        if (checks) output.out(checksText(output, checks).join('\n') + '\n');
        return EXIT.ok;
      }),
    );
}

/** The checks a valid plan's tasks run; none outside a repository, where nothing would run. */
async function checksOf(cwd: string, path: string, file: string): Promise<ChecksReport | undefined> {
  const root = await repositoryRoot(cwd).catch(() => undefined);
  if (root === undefined) return undefined;
  return { ...(await detectChecks(cwd, path)), planPath: file };
}

function cleanText({ removedWorktrees, removedBranches }: CleanResult): string {
  const lines = [
    ...removedWorktrees.map((path) => `removed worktree ${path}`),
    ...removedBranches.map((branch) => `deleted branch ${branch}`),
  ];
  if (lines.length === 0) return 'nothing to clean\n';
  const worktrees = removedWorktrees.length;
  const branches = removedBranches.length;
  lines.push(
    `removed ${worktrees} worktree${worktrees === 1 ? '' : 's'} and ${branches} task branch${branches === 1 ? '' : 'es'}`,
  );
  return lines.join('\n') + '\n';
}
