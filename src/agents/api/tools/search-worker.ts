import { Worker } from 'node:worker_threads';

/** What one search looks at and how much it may return. */
export interface SearchJob {
  root: string;
  /** Paths relative to `root`, already filtered by the read policy. */
  files: readonly string[];
  pattern: string;
  maxMatches: number;
  /** Longer lines are matched and shown only up to here. */
  maxLine: number;
  maxFileBytes: number;
}

export interface SearchOutcome {
  matches: string[];
  /** True when `maxMatches` was reached before every file was searched. */
  capped: boolean;
}

// Plain JavaScript, evaluated in a worker: no loader needed under tsx, Vitest or the built dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { root, files, pattern, maxMatches, maxLine, maxFileBytes } = workerData;
const regex = new RegExp(pattern);
const matches = [];
let capped = false;
search: for (const file of files) {
  let bytes;
  try {
    if (statSync(join(root, file)).size > maxFileBytes) continue;
    bytes = readFileSync(join(root, file));
  } catch {
    continue;
  }
  if (bytes.subarray(0, 8000).includes(0)) continue;
  const lines = bytes.toString('utf8').split('\\n');
  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index].slice(0, maxLine);
    if (!regex.test(text)) continue;
    matches.push(file + ':' + (index + 1) + ': ' + text.trim());
    if (matches.length >= maxMatches) {
      capped = true;
      break search;
    }
  }
}
parentPort.postMessage({ matches, capped });
`;

/**
 * Runs a search in a worker thread. The pattern comes from the model, and a catastrophic regular
 * expression would otherwise block the event loop of the whole engine; a worker can be
 * terminated when it runs past `timeoutMs` or the session is aborted.
 */
export function searchInWorker(
  job: SearchJob,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<SearchOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: job });
    const stop = (error: Error) => {
      cleanup();
      void worker.terminate();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        stop(
          new Error(`search took longer than ${timeoutMs / 1000}s: use a simpler pattern or a narrower path`),
        ),
      timeoutMs,
    );
    const onAbort = () => stop(new Error('aborted'));
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (outcome: SearchOutcome) => {
      cleanup();
      void worker.terminate();
      resolve(outcome);
    });
    worker.once('error', (error) => {
      cleanup();
      reject(error);
    });
  });
}
