import type { Command } from 'commander';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDemoRepo } from '../../demo/index.js';
import type { Engine } from '../../engine/index.js';
import { runProcess } from '../../process/run-process.js';
import { driveAndShow } from '../drive-and-show.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** The results of the run that wait for a person now. */
const openApprovals = async (engine: Engine, runId: string) =>
  (await engine.approvals(runId)).filter((a) => a.open);

/** `gaffer demo`: the whole flow offline, on a sample repository, with the scripted agent. */
export function registerDemoCommand(program: Command, output: Output, act: Act): void {
  program
    .command('demo')
    .description('create a sample repository and run a 6-task plan on it with the offline, scripted agent')
    .option('--dir <dir>', 'where to create the sample repository (new or empty; default: a temp dir)')
    .option('--json', 'print events as NDJSON')
    .action((opts: { dir?: string; json?: boolean }) =>
      act(async (global) => {
        const dir = opts.dir ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), 'gaffer-demo-'));
        const planPath = await createDemoRepo(dir);
        if (!opts.json) {
          output.out(
            [
              paint(output, 'bold', 'Gaffer demo'),
              `sample repository: ${dir}`,
              `plan: ${planPath} — 6 tasks (words → slugify, title-case → headline; word-count; index)`,
              paint(
                output,
                'yellow',
                'agent: script — a deterministic, scripted agent: no model is called and nothing leaves this machine.',
              ),
              "title-case is scripted to get its first attempt wrong, so you'll see the tests fail and a rework fix it;",
              'nothing checks index, so its result is yellow and waits for approval — the demo approves it for you.',
              '',
            ].join('\n') + '\n',
          );
        }
        const engine = engineFor({ ...global, cwd: dir });
        const run = await engine.createRun({ planPath, cwd: dir });
        let code = await driveAndShow(engine, run.id, output, Boolean(opts.json));
        // A yellow result waits for a person (autonomy: review_yellow): the demo is that person,
        // and says what it ran, so the step is the one a user takes on their own runs.
        for (
          let open = await openApprovals(engine, run.id);
          open.length > 0;
          open = await openApprovals(engine, run.id)
        ) {
          for (const approval of open) {
            if (!opts.json)
              output.out(
                `\n${paint(output, 'yellow', `${approval.kind === 'final' ? 'the run' : approval.taskId} waits for approval (${approval.why})`)}\n` +
                  `the demo approves it, as you would: ${paint(output, 'bold', `npx gaffer -C ${dir} approve ${approval.approvalId}`)}\n` +
                  `then continues it: ${paint(output, 'bold', `npx gaffer -C ${dir} resume ${run.id}`)}\n\n`,
              );
            await engine.decide({
              id: approval.approvalId,
              runId: run.id,
              decision: 'approved',
              by: 'gaffer demo',
            });
          }
          code = await driveAndShow(engine, run.id, output, Boolean(opts.json));
        }
        if (!opts.json) {
          const log = await runProcess(
            ['git', 'log', '--oneline', '--graph', `${run.baseBranch}..${run.integrationBranch}`],
            {
              cwd: dir,
              env: process.env as Record<string, string>,
            },
          );
          output.out(`\n${paint(output, 'bold', run.integrationBranch)}:\n${log.output}`);
          output.out(
            `\nexplore: npx gaffer -C ${dir} status   ·   npx gaffer -C ${dir} logs --task title-case\n`,
          );
        }
        return code;
      }),
    );
}
