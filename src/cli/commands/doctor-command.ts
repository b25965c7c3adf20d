import type { Command } from 'commander';
import { runDoctor } from '../../doctor/checks.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { workDir } from '../workspace.js';
import { EXIT } from '../exit-codes.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer doctor`: what is installed, what is missing, and how to fix it. */
export function registerDoctorCommand(program: Command, output: Output, act: Act): void {
  program
    .command('doctor')
    .description('check node, git, the agent CLIs and their credentials, and the database')
    .option('--json', 'print the checks as JSON')
    .action((opts: { json?: boolean }) =>
      act(async (global) => {
        const checks = await runDoctor({
          cwd: workDir(global),
          env: process.env,
          ...(global.db ? { db: global.db } : {}),
        });
        if (opts.json) {
          output.out(JSON.stringify(checks, null, 2) + '\n');
        } else {
          for (const check of checks) {
            const mark =
              check.status === 'ok'
                ? paint(output, 'green', '✓')
                : check.status === 'warn'
                  ? paint(output, 'yellow', '!')
                  : paint(output, 'red', '✗');
            output.out(`${mark} ${check.name.padEnd(18)} ${check.detail}\n`);
            if (check.fix) output.out(`  ${' '.repeat(18)} fix: ${check.fix}\n`);
          }
        }
        return checks.some((c) => c.status === 'fail') ? EXIT.failed : EXIT.ok;
      }),
    );
}
