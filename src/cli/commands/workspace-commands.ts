import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PlanValidationError } from '../../domain/index.js';
import { checkPlanFile, prepareWorkspace } from '../../engine/index.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor, workDir } from '../workspace.js';
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
    .description('remove the worktrees that ended runs kept for inspection')
    .argument('[run]', 'only this run (it must not be running)')
    .action((runId: string | undefined) =>
      act(async (global) => {
        const engine = engineFor(global);
        const { removedWorktrees } = await engine.clean(runId ? { runId } : {});
        for (const path of removedWorktrees) output.out(`removed ${path}\n`);
        const removed = removedWorktrees.length;
        output.out(removed ? `removed ${removed} worktree${removed > 1 ? 's' : ''}\n` : 'nothing to clean\n');
        return EXIT.ok;
      }),
    );

  const plan = program.command('plan').description('work with plan files');
  plan
    .command('check')
    .description('validate a plan: schema, ids, dependencies, cycles, deliverables')
    .argument('<file>', 'the plan file')
    .option('--json', 'print the problems as JSON')
    .action((file: string, opts: { json?: boolean }) =>
      act(async (global) => {
        const result = await checkPlanFile(resolve(workDir(global), file), file, workDir(global));
        if (opts.json) {
          output.out(
            JSON.stringify(
              result.ok ? { ok: true, errors: [] } : { ok: false, errors: result.issues },
              null,
              2,
            ) + '\n',
          );
          return result.ok ? EXIT.ok : EXIT.badInput;
        }
        if (result.ok) {
          output.out(
            `${paint(output, 'green', 'ok')}: ${file} — ${result.plan.tasks.length} tasks, plan "${result.plan.name}"\n`,
          );
          return EXIT.ok;
        }
        throw new PlanValidationError(result.issues);
      }),
    );
}
