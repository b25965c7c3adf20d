import type { RunRecord, TaskRecord } from '../../domain/index.js';
import type { Repo } from '../../git/index.js';
import type { Store } from '../../store/index.js';
import { readTranscript } from '../transcript.js';
import { parseKnowledgeBlock } from './report-block.js';

/** What one passed task left for later ones (the data of its `task.knowledge` event). */
export interface KnowledgeEntry {
  taskId: string;
  attemptId: string | null;
  created: string[];
  changed: string[];
  deleted: string[];
  decisions: string[];
  patterns: string[];
}

/** A run's recorded knowledge, in the order the tasks passed. */
export async function readKnowledge(store: Store, runId: string): Promise<KnowledgeEntry[]> {
  const events = await store.readEvents({ runId, types: ['task.knowledge'] });
  return events.flatMap((e) =>
    e.type === 'task.knowledge' && e.taskId ? [{ taskId: e.taskId, ...e.data }] : [],
  );
}

/** One knowledge pass at a time per run in this process: two pipelines must not record a task twice. */
const inProgress = new Map<string, Promise<KnowledgeEntry[]>>();

/**
 * Records the knowledge of every passed task that has none yet, then returns all of it. Run
 * after a task passes and again before each prompt, so a crash between a merge and its record
 * loses nothing: whatever is missing is derived again from the merge commit and the transcript.
 */
export function ensureKnowledge(ctx: {
  store: Store;
  repo: Repo;
  run: RunRecord;
}): Promise<KnowledgeEntry[]> {
  const previous = inProgress.get(ctx.run.id) ?? Promise.resolve([]);
  const next = previous.catch(() => []).then(() => recordMissing(ctx));
  inProgress.set(ctx.run.id, next);
  void next.finally(() => {
    if (inProgress.get(ctx.run.id) === next) inProgress.delete(ctx.run.id);
  });
  return next;
}

async function recordMissing(ctx: { store: Store; repo: Repo; run: RunRecord }): Promise<KnowledgeEntry[]> {
  const { store, run } = ctx;
  const [tasks, known] = await Promise.all([store.listTasks(run.id), readKnowledge(store, run.id)]);
  const have = new Set(known.map((k) => k.taskId));
  const missing = tasks.filter((t) => t.status === 'passed' && t.mergeCommit !== null && !have.has(t.taskId));
  for (const task of missing) {
    const entry = await deriveKnowledge(ctx, task);
    const { taskId, ...data } = entry;
    await store.transaction((tx) => tx.appendEvent({ type: 'task.knowledge', runId: run.id, taskId, data }));
    known.push(entry);
  }
  return known;
}

/** The files of the task's merge (against the integration branch before it) and its agent's report. */
async function deriveKnowledge(
  ctx: { store: Store; repo: Repo; run: RunRecord },
  task: TaskRecord,
): Promise<KnowledgeEntry> {
  const merge = task.mergeCommit ?? '';
  const diff = await ctx.repo.git(
    ['diff', '--name-status', '--no-renames', '-z', `${merge}^1`, merge, '--'],
    {
      allowFail: true,
    },
  );
  const files = diff.code === 0 ? filesOf(diff.stdout) : { created: [], changed: [], deleted: [] };
  const attempts = await ctx.store.listAttempts(ctx.run.id, task.taskId);
  const last = attempts.filter((a) => a.status === 'succeeded').at(-1);
  const text = last?.transcriptPath ? finalText(await readTranscript(last.transcriptPath)) : '';
  return { taskId: task.taskId, attemptId: last?.id ?? null, ...files, ...parseKnowledgeBlock(text) };
}

/** `git diff --name-status -z` output: status, NUL, path, NUL, … */
function filesOf(output: string): Pick<KnowledgeEntry, 'created' | 'changed' | 'deleted'> {
  const parts = output.split('\0').filter((p) => p !== '');
  const files = { created: [] as string[], changed: [] as string[], deleted: [] as string[] };
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i] ?? '';
    const path = parts[i + 1] ?? '';
    if (status.startsWith('A')) files.created.push(path);
    else if (status.startsWith('D')) files.deleted.push(path);
    else files.changed.push(path);
  }
  return files;
}

/** The agent's text of the session, in order (its last message holds the knowledge note). */
function finalText(lines: readonly { event: { type: string } }[]): string {
  return lines
    .map((line) => line.event)
    .filter((event): event is { type: 'text'; text: string } => event.type === 'text')
    .map((event) => event.text)
    .join('\n');
}
