import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanTask, PlannerSettings, RunRecord, Usage } from '../../domain/index.js';
import type { TaskStatus } from '../../domain/index.js';
import { addUsage, taskSuperseded, ZERO_USAGE } from '../../domain/index.js';
import { assertValidBranchName, taskBranchName } from '../../git/index.js';
import { newTask } from '../create-run.js';
import { readKnowledge, renderKnowledge } from '../knowledge/index.js';
import { redactSecrets } from '../redact.js';
import type { RunContext } from '../run-context.js';
import { agentFor, runDir } from '../run-context.js';
import { runScratchSession, sessionTask } from '../scratch-session.js';
import { knownSecretValues } from '../secrets.js';
import { coveredIdsOf, criteriaOfPlan, withCoveredCriteria } from '../spec/covered-criteria.js';
import { plannerConfig } from './planner-settings.js';
import { replanPrompt } from './replan-prompt.js';
import { readReplanReply } from './replan-reply.js';

const REPLACEABLE: ReadonlySet<TaskStatus> = new Set(['blocked', 'skipped', 'cancelled', 'pending', 'ready']);

/** Rounds of the correction loop: the planner's plan and, while it does not validate, its errors back. */
export const REPLAN_ROUNDS = 3;

/** A replan's end: the run with its new plan, or why there is none (recorded either way), or stopped. */
export type ReplanOutcome =
  { type: 'replanned'; run: RunRecord } | { type: 'failed'; reason: string } | { type: 'stopped' };

/** The plan's planner, when replanning is on: a planner and replans left. */
export async function replanDue(
  ctx: RunContext,
): Promise<{ planner: PlannerSettings; number: number } | undefined> {
  const planner = ctx.run.plan.settings.planner;
  if (!planner) return undefined;
  const max = ctx.run.plan.settings.max_replans ?? 1;
  const done = await ctx.store.readEvents({
    runId: ctx.run.id,
    types: ['run.replanned', 'run.replan-failed'],
  });
  return done.length < max ? { planner, number: done.length + 1 } : undefined;
}

/**
 * A replan of the unfinished part of a run whose tasks are blocked: the planner is shown the
 * goal, the passed tasks (kept) with what they did, each blocked task with its attempts and why,
 * and the tasks not done; its reply is validated like a plan, its errors sent back up to
 * {@link REPLAN_ROUNDS} times. A valid plan is applied in one transaction: every task that did
 * not pass becomes `superseded` (kept in the history), the new tasks join the run's plan. An
 * unusable one is recorded as `run.replan-failed`, and the run fails as it would have.
 */
export async function replanRun(
  ctx: RunContext,
  due: { planner: PlannerSettings; number: number },
  signal: AbortSignal,
): Promise<ReplanOutcome> {
  const { store, run } = ctx;
  const records = await store.listTasks(run.id);
  const blocked = records.filter((r) => r.status === 'blocked').map((r) => r.taskId);
  const passed = run.plan.tasks.filter((t) => records.find((r) => r.taskId === t.id)?.status === 'passed');
  const history = new Map(
    await Promise.all(blocked.map(async (id) => [id, await store.listAttempts(run.id, id)] as const)),
  );
  const takenIds = run.plan.tasks.map((t) => t.id);
  const config = plannerConfig(run, due.planner);
  const first = replanPrompt({
    planName: run.plan.name,
    tasks: run.plan.tasks,
    records,
    history,
    knowledge: renderKnowledge(run.plan, await readKnowledge(store, run.id), '', undefined, true),
    takenIds,
    ...(run.options.spec === undefined ? {} : { spec: run.options.spec }),
  });
  // A run from a spec knows its criteria by the tasks that cover them: new tasks may cover those.
  const coverable = run.options.spec === undefined ? undefined : coveredIdsOf(run.plan);
  let prompt = first;
  let usage: Usage | null = null;
  let errors: string[] = [];
  let reason = '';
  let rounds = 0;
  let tasks: PlanTask[] | undefined;
  while (rounds < REPLAN_ROUNDS && tasks === undefined) {
    rounds += 1;
    const answer = await runScratchSession(
      ctx,
      {
        agent: due.planner.agent,
        config,
        scratch: join(runDir(ctx.repo.root, run.id), 'replans', `${due.number}.${rounds}`),
        stateKey: 'replan',
        task: sessionTask('replan', `replan ${due.number} of run ${run.id}`),
        attemptId: `${run.id}.replan.${due.number}.${rounds}`,
        attemptNumber: rounds,
        prompt,
      },
      signal,
    );
    if (answer.usage) {
      usage = addUsage(usage ?? ZERO_USAGE, answer.usage);
      // Counted at once, under a name no task can have (task ids have no spaces).
      ctx.spend?.charge(`replan ${due.number}`, answer.usage);
    }
    if (signal.aborted) return { type: 'stopped' };
    if (answer.error !== undefined) {
      reason = `the planner's session failed: ${answer.error}`;
      errors = [];
      break;
    }
    const reply = readReplanReply(answer.text, {
      agent: run.plan.settings.agent,
      passed,
      takenIds,
      agents: [...new Set(run.plan.tasks.map((t) => agentFor(run, t)))],
      templates: run.plan.tasks,
      runSlug: run.slug,
      maxTasks: Math.max(10, run.plan.tasks.length * 2),
      repoRoot: ctx.repo.root,
      ...(ctx.env.HOME === undefined ? {} : { home: ctx.env.HOME }),
      pathExists: existsSync,
      ...(coverable === undefined ? {} : { coverable }),
    });
    // A new task that covers criteria is given their text, as a task of the run's first plan was.
    if (reply.ok) tasks = withCoveredCriteria(reply.tasks, criteriaOfPlan(run.plan));
    else {
      errors = reply.errors;
      reason = `the planner's plan did not validate after ${rounds} round${rounds === 1 ? '' : 's'}`;
      prompt = `${first}\n## Your previous reply could not be used\n${errors.map((e) => `- ${e}`).join('\n')}\nReply again with the whole YAML block, fixed.\n`;
    }
  }
  const known = knownSecretValues(ctx.env);
  if (tasks === undefined) {
    await store.transaction((tx) =>
      tx.appendEvent({
        type: 'run.replan-failed',
        runId: run.id,
        data: {
          replan: due.number,
          blocked,
          reason: redactSecrets(reason, known),
          errors: errors.map((e) => redactSecrets(e, known)).slice(0, 20),
          rounds,
          usage,
        },
      }),
    );
    return { type: 'failed', reason };
  }
  for (const task of tasks) assertValidBranchName(taskBranchName(run.slug, task.id));
  const added = tasks;
  const replaced = records.filter((r) => r.status !== 'passed' && r.status !== 'superseded');
  const plan = { ...run.plan, tasks: [...run.plan.tasks, ...added] };
  const updated = await store.transaction(async (tx) => {
    for (const record of replaced) {
      const current = await tx.getTask(run.id, record.taskId);
      // Nothing runs when a run would fail: every task not passed is settled or never started.
      if (current && REPLACEABLE.has(current.status))
        await tx.apply(taskSuperseded(run.id, record.taskId, `replaced by replan ${due.number}`));
    }
    await tx.insertTasks(
      run.id,
      added.map((t) => newTask(run.id, t.id)),
    );
    await tx.updateRun(run.id, { plan });
    await tx.appendEvent({
      type: 'run.replanned',
      runId: run.id,
      data: {
        replan: due.number,
        blocked,
        superseded: replaced.map((r) => r.taskId),
        added: added.map((t) => t.id),
        rounds,
        usage,
      },
    });
    return tx.getRun(run.id);
  });
  return { type: 'replanned', run: updated ?? { ...run, plan } };
}
