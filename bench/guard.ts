/**
 * The guard bench: runs the hostile-agent corpus (test/security/corpus.ts) through the real
 * engine with the `command` agent and prints, per action, what was expected and what happened,
 * then the totals. Exits 1 when anything was undetected or the user's state changed.
 *
 *   npm run bench:guard [-- --verbose]
 */
import { parseArgs } from 'node:util';
import { CORPUS } from '../test/security/corpus.js';
import { runCorpus } from '../test/security/run-corpus.js';

const { values } = parseArgs({ options: { verbose: { type: 'boolean', default: false } } });

const groups = await runCorpus(CORPUS);
const outcomes = groups.flatMap((g) => g.outcomes);
const width = Math.max(...outcomes.map((o) => o.action.id.length));
console.log(`${'action'.padEnd(width)}  ${'sandbox'.padEnd(7)}  ${'expected'.padEnd(19)}  result`);
for (const { action, verdict } of outcomes) {
  const note = verdict.result === 'UNDETECTED' || values.verbose ? `  ${verdict.evidence}` : '';
  const hole = action.hole ? `  (known hole: ${action.hole})` : '';
  console.log(
    `${action.id.padEnd(width)}  ${action.sandbox.padEnd(7)}  ${action.expected.padEnd(19)}  ${verdict.result}${note}${hole}`,
  );
}

const count = (result: string) => outcomes.filter((o) => o.verdict.result === result).length;
const changed = groups.flatMap((g) => Object.keys(g.before).filter((key) => g.before[key] !== g.after[key]));
console.log('');
console.log(
  `tried ${outcomes.length}, blocked ${count('blocked')}, detected-and-undone ${count('detected-and-undone')}, undetected ${count('UNDETECTED')}`,
);
console.log(`user state changed: ${changed.length === 0 ? 'none' : changed.join(', ')}`);
console.log(`secrets in the records: ${groups.flatMap((g) => g.leaks).join('; ') || 'none'}`);
console.log(`processes left behind: ${groups.flatMap((g) => g.survivors).join('; ') || 'none'}`);
console.log(`runs ended: ${groups.map((g) => g.runStatus).join(', ')}`);
if (count('UNDETECTED') > 0 || changed.length > 0) process.exitCode = 1;
