import type { Command } from 'commander';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDemoRepo } from '../../demo/index.js';
import { runProcess } from '../../process/run-process.js';
import { driveAndShow } from '../drive-and-show.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

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
              "title-case is scripted to get its first attempt wrong, so you'll see the tests fail and a rework fix it.",
              '',
            ].join('\n') + '\n',
          );
        }
        const engine = engineFor({ ...global, cwd: dir });
        const run = await engine.createRun({ planPath, cwd: dir });
        const code = await driveAndShow(engine, run.id, output, Boolean(opts.json));
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
