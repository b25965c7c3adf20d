// Child process for the cross-process repository lock test:
// `tsx repo-lock-holder.ts <commonDir> <log> <n>` takes the lock n times and logs entering and leaving it.
import { appendFile } from 'node:fs/promises';
import { withRepoLock } from '../../src/git/repo-lock.js';

const [dir, log, n] = process.argv.slice(2) as [string, string, string];
for (let i = 0; i < Number(n); i++) {
  await withRepoLock(dir, async () => {
    await appendFile(log, `enter ${process.pid}\n`);
    // Another process that ignored the lock would get in here.
    await new Promise((resolve) => setImmediate(resolve));
    await appendFile(log, `leave ${process.pid}\n`);
  });
}
