// Child process for the cross-process SQLite test: `tsx sqlite-writer.ts <db> <runId> <taskId> <n> <startAt>`.
// Runs n read-then-write transactions, then tries to pass the shared task once, and prints a JSON tally.
import { IllegalTransitionError } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import { passedEvent } from './fixtures.js';

const [file, runId, taskId, n, startAt] = process.argv.slice(2) as [string, string, string, string, string];
const store = await openStore(file);
const tally = { appended: 0, passed: 0, illegal: 0, errors: [] as string[] };
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
for (let i = 0; i < Number(n); i++) {
  try {
    await store.transaction(async (tx) => {
      // Reading before writing is what deadlocks two deferred SQLite transactions.
      const task = await tx.getTask(runId, taskId);
      await tx.appendEvent({
        type: 'attempt.question-asked',
        runId,
        taskId,
        data: { questionId: String(process.pid), question: `${task?.status}` },
      });
    });
    tally.appended++;
  } catch (error) {
    tally.errors.push(String(error));
  }
}
try {
  await store.transaction((tx) => tx.setTaskStatus(runId, taskId, 'passed', {}, passedEvent(runId, taskId)));
  tally.passed++;
} catch (error) {
  if (error instanceof IllegalTransitionError) tally.illegal++;
  else tally.errors.push(String(error));
}
await store.close();
process.stdout.write(JSON.stringify(tally));
