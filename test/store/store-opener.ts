// Child process for the parallel-migration test: `tsx store-opener.ts <url>`. Loads everything,
// prints "ready", waits for a line on stdin, then opens (and so migrates) the store and prints
// "opened" or the error.
import { createInterface } from 'node:readline';
import { openStore } from '../../src/store/index.js';

const [url] = process.argv.slice(2) as [string];
process.stdout.write('ready\n');
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
try {
  const store = await openStore(url);
  await store.listRuns();
  await store.close();
  process.stdout.write('opened\n');
} catch (error) {
  process.stdout.write(`failed: ${String(error)}\n`);
}
process.exit(0);
