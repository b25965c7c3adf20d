import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isTerminalRun, PlanValidationError, userError } from '../../domain/index.js';
import { gafferDir, worktreePath } from '../../engine/index.js';
import { openRepo } from '../../git/index.js';
import { validatePlan } from '../../plan/index.js';
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
        const repo = await openRepo(workDir(global));
        await mkdir(gafferDir(repo.root), { recursive: true });
        await repo.ignoreGafferDir();
        const planPath = join(repo.root, 'plan.yaml');
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
        const store = await engine.store();
        const runs = runId ? [await engine.getRun(runId)] : await store.listRuns();
        let removed = 0;
        for (const run of runs) {
          const lease = await store.getLease(run.id);
          const driven = lease !== undefined && Date.parse(lease.expiresAt) > Date.now();
          if (driven || !(isTerminalRun(run.status) || (runId && run.status === 'paused'))) {
            if (runId)
              throw userError(
                'GAFFER_BAD_INPUT',
                `run ${run.id} is ${run.status}${driven ? ' and being driven' : ''}`,
                'cancel it first, or let it finish',
              );
            continue;
          }
          const repo = await openRepo(run.repoPath);
          for (const task of run.plan.tasks) {
            const path = worktreePath(repo.root, run.slug, task.id);
            if (!existsSync(path)) continue;
            await repo.removeWorktree(path);
            output.out(`removed ${path}\n`);
            removed += 1;
          }
        }
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
        const path = resolve(workDir(global), file);
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch {
          throw userError(
            'GAFFER_PLAN_NOT_FOUND',
            `plan file not found: ${file}`,
            'check the path, or create one with `gaffer init`',
          );
        }
        let repoRoot: string | undefined;
        try {
          repoRoot = (await openRepo(workDir(global))).root;
        } catch {
          repoRoot = undefined; // outside a repository only the plan itself is checked
        }
        const result = validatePlan(text, { file, ...(repoRoot ? { repoRoot } : {}) });
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
