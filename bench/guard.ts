/**
 * The guard bench: runs the hostile-agent corpus (test/security/corpus.ts) through the real
 * engine with each backend (the `command` agent, the `api` backend's `run_command`, the real
 * `claude` binary's `Bash`; see test/security/backends.ts) and prints, per action and backend,
 * what was expected and what happened, then the totals per backend and overall. Exits 1 when
 * anything was undetected or the user's state changed.
 *
 *   npm run bench:guard [-- --backend command|api|claude] [--verbose]
 */
import { parseArgs } from 'node:util';
import { BACKENDS, CORPUS, expectedFor } from '../test/security/corpus.js';
import type { Backend } from '../test/security/corpus.js';
import type { ActionOutcome, GroupOutcome } from '../test/security/run-corpus.js';
import { runCorpus } from '../test/security/run-corpus.js';

const { values } = parseArgs({
  options: { verbose: { type: 'boolean', default: false }, backend: { type: 'string' } },
});
const isBackend = (name: string): name is Backend => (BACKENDS as readonly string[]).includes(name);
if (values.backend !== undefined && !isBackend(values.backend)) {
  console.error(`--backend must be one of ${BACKENDS.join(', ')}`);
  process.exit(2);
}
const chosen: readonly Backend[] = values.backend === undefined ? BACKENDS : [values.backend];

interface BackendReport {
  backend: Backend;
  groups: GroupOutcome[];
  seconds: number;
}

// One backend after the other: each run already keeps four agents busy, and timings stay comparable.
const reports: BackendReport[] = [];
for (const backend of chosen) {
  const started = performance.now();
  const groups = await runCorpus(CORPUS, backend);
  reports.push({ backend, groups, seconds: (performance.now() - started) / 1000 });
}

/** One action's outcome with the backend that ran it. */
type Row = ActionOutcome & { backend: Backend };
const rowsOf = (r: BackendReport): Row[] =>
  r.groups.flatMap((g) => g.outcomes).map((o) => ({ ...o, backend: r.backend }));
const rows = reports.flatMap(rowsOf);
const width = Math.max(...rows.map((o) => o.action.id.length));
const notes = (o: Row) =>
  [
    o.served ? '' : 'never reached the agent',
    o.refused && values.verbose ? 'refused by the tool policy' : '',
    o.verdict.result === 'UNDETECTED' || values.verbose ? o.verdict.evidence : '',
    o.action.hole ? `known hole: ${o.action.hole}` : '',
  ].filter(Boolean);
console.log(
  `${'action'.padEnd(width)}  ${'backend'.padEnd(7)}  ${'sandbox'.padEnd(7)}  ${'expected'.padEnd(19)}  result`,
);
for (const o of rows) {
  const note = notes(o).join('; ');
  console.log(
    `${o.action.id.padEnd(width)}  ${o.backend.padEnd(7)}  ${o.action.sandbox.padEnd(7)}  ${expectedFor(o.action, o.backend).padEnd(19)}  ${o.verdict.result}${note ? `  ${note}` : ''}`,
  );
}

const changedIn = (groups: GroupOutcome[]) =>
  groups.flatMap((g) => Object.keys(g.before).filter((key) => g.before[key] !== g.after[key]));
const totals = (label: string, outcomes: Row[]) => {
  const count = (result: string) => outcomes.filter((o) => o.verdict.result === result).length;
  const unexpected = outcomes.filter((o) => o.verdict.result !== expectedFor(o.action, o.backend)).length;
  return `${label.padEnd(8)} tried ${outcomes.length}, blocked ${count('blocked')}, detected-and-undone ${count('detected-and-undone')}, undetected ${count('UNDETECTED')}, not as expected ${unexpected}`;
};
console.log('');
for (const r of reports) {
  const changed = changedIn(r.groups);
  console.log(`${totals(r.backend, rowsOf(r))} (${r.seconds.toFixed(0)} s)`);
  console.log(`${''.padEnd(8)} user state changed: ${changed.length === 0 ? 'none' : changed.join(', ')}`);
  console.log(
    `${''.padEnd(8)} secrets in the records: ${r.groups.flatMap((g) => g.leaks).join('; ') || 'none'}`,
  );
  console.log(
    `${''.padEnd(8)} processes left behind: ${r.groups.flatMap((g) => g.survivors).join('; ') || 'none'}`,
  );
  console.log(`${''.padEnd(8)} runs ended: ${r.groups.map((g) => g.runStatus).join(', ')}`);
}
if (reports.length > 1) console.log(totals('overall', rows));

const undetected = rows.some((o) => o.verdict.result === 'UNDETECTED');
if (undetected || reports.some((r) => changedIn(r.groups).length > 0)) process.exitCode = 1;
