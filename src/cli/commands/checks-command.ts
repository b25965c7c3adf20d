import type { Command } from 'commander';
import { resolve } from 'node:path';
import { detectChecks } from '../../engine/index.js';
import { checksText } from '../checks-text.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { workDir } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer checks`: what Gaffer would check in this repository, and why. */
export function registerChecksCommand(program: Command, output: Output, act: Act): void {
  program
    .command('checks')
    .description(
      "list the checks Gaffer detects in this repository and why (after a plan's verifiers settings, if given)",
    )
    .argument('[plan]', 'a plan file whose verifiers settings apply')
    .option('--json', 'print the checks as JSON')
    .action((plan: string | undefined, opts: { json?: boolean }) =>
      act(async (global) => {
        const cwd = workDir(global);
        const report = await detectChecks(cwd, plan === undefined ? undefined : resolve(cwd, plan));
        const shown = plan === undefined ? report : { ...report, planPath: plan };
        output.out(
          opts.json ? JSON.stringify(shown, null, 2) + '\n' : checksText(output, shown).join('\n') + '\n',
        );
        return EXIT.ok;
      }),
    );
}
