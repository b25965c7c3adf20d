import type { StoredEvent } from '../domain/index.js';
import { describeBreach, formatFigure, limitOwner } from '../engine/budget/figures.js';

/** One human line for an event: what happened, to what, and the detail that matters. */
export function describeEvent(event: StoredEvent): string {
  const subject = event.taskId ? `${event.taskId}: ` : '';
  switch (event.type) {
    case 'run.created':
      return `run created from ${event.data.planPath}: ${event.data.tasks} tasks, ${event.data.baseBranch} → ${event.data.integrationBranch}`;
    case 'run.started':
      return `run started${event.data.resumed ? ' (resumed)' : ''}`;
    case 'run.resumed':
      return `run resumed by ${event.data.ownerId}`;
    case 'run.paused':
      return `run paused: ${event.data.reason}`;
    case 'run.completed':
      return `run completed: ${event.data.passed} passed, ${event.data.blocked} blocked, ${event.data.skipped} skipped`;
    case 'run.failed':
      return `run failed: ${event.data.reason}`;
    case 'run.cancelled':
      return `run cancelled: ${event.data.reason}`;
    case 'run.pause-requested':
      return `pause requested: ${event.data.reason}`;
    case 'run.cancel-requested':
      return `cancel requested: ${event.data.reason}`;
    case 'attempt.denied':
      return `${subject}refused ${event.data.tool}: ${event.data.reason}`;
    case 'attempt.network-denied':
      return `${subject}sandbox refused a connection to ${event.data.host}:${event.data.port} (allow it with sandbox: { network: ["${event.data.host}:${event.data.port}"] })`;
    case 'run.unsandboxed':
    case 'run.warning':
      return `WARNING: ${event.data.warning}`;
    case 'task.setup-completed': {
      const { result } = event.data;
      const took = `${(result.durationMs / 1000).toFixed(1)}s`;
      if (result.passed)
        return `${subject}worktree setup passed (${event.data.why}): ${result.command} (${took})`;
      const how = result.timedOut ? 'timed out' : `exit ${result.exitCode ?? 'none'}`;
      const tail = result.output
        .split('\n')
        .filter((line) => line.trim() !== '')
        .slice(-10);
      return [
        `${subject}worktree setup failed (${how}, ${took}): ${result.command}`,
        ...tail.map((l) => `    │ ${l}`),
      ].join('\n');
    }
    case 'run.reopened':
      return event.data.tasks.length === 0
        ? 'run reopened: its base is checked again before any task starts'
        : `run reopened for a retry of ${event.data.tasks.join(', ')}${event.data.continue ? ' (continuing from their last attempts)' : ''}`;
    case 'task.reopened':
      return `${subject}reopened with a fresh rework budget${event.data.continue ? ', continuing from its last attempt' : ''}`;
    case 'task.ready':
      return `${subject}ready`;
    case 'task.started':
      return `${subject}started attempt ${event.data.attempt}`;
    case 'task.evaluating':
      return `${subject}evaluating attempt ${event.data.attempt}`;
    case 'task.rework':
      return `${subject}rework (attempt ${event.data.attempt} next): ${event.data.reason}`;
    case 'task.passed':
      return `${subject}passed and merged (${event.data.filesChanged} files) at ${event.data.mergeCommit.slice(0, 8)}`;
    case 'task.knowledge': {
      const { created, changed, deleted, decisions, patterns } = event.data;
      const files = [
        created.length ? `${created.length} created` : '',
        changed.length ? `${changed.length} changed` : '',
        deleted.length ? `${deleted.length} deleted` : '',
      ].filter(Boolean);
      return `${subject}knowledge kept for later tasks: ${files.join(', ') || 'no files'}; ${decisions.length} decisions, ${patterns.length} patterns`;
    }
    case 'task.superseded':
      return `${subject}superseded: ${event.data.reason}`;
    case 'run.replanned':
      return `replan ${event.data.replan} after ${event.data.blocked.join(', ')} blocked: ${event.data.superseded.length} task(s) replaced (${event.data.superseded.join(', ') || 'none'}), ${event.data.added.length} added (${event.data.added.join(', ')})${event.data.rounds > 1 ? `, valid after ${event.data.rounds} rounds` : ''}`;
    case 'run.replan-failed':
      return `replan ${event.data.replan} failed: ${event.data.reason}${event.data.errors.length ? `\n${event.data.errors.map((e) => `    │ ${e}`).join('\n')}` : ''}`;
    case 'task.blocked':
      return `${subject}blocked: ${event.data.reason}`;
    case 'task.skipped':
      return `${subject}skipped: ${event.data.reason}`;
    case 'task.cancelled':
      return `${subject}cancelled: ${event.data.reason}`;
    case 'task.requeued':
      return `${subject}requeued: ${event.data.reason}`;
    case 'task.awaiting-approval':
      return `${subject}waits for approval (${event.data.confidence}; ${event.data.why}): gaffer approve ${event.data.approvalId}`;
    case 'approval.decided':
      return `${subject}${event.data.decision} by ${event.data.by}${event.data.reason ? `: ${event.data.reason}` : ''}`;
    case 'attempt.started':
      return `${subject}attempt ${event.data.number} (${event.data.kind}) on ${event.data.agent} in ${event.data.branch}`;
    case 'attempt.running':
      return `${subject}agent running`;
    case 'attempt.succeeded':
      return `${subject}agent finished (${event.data.filesChanged} files changed)`;
    case 'attempt.failed':
      return `${subject}agent failed${event.data.kind ? ` (${event.data.kind.replace('_', ' ')})` : ''}: ${event.data.error.split('\n')[0] ?? ''}`;
    case 'attempt.retry-scheduled':
      return `${subject}retry ${event.data.retry} in ${(event.data.delayMs / 1000).toFixed(1)}s after a transient failure (${event.data.kind.replace('_', ' ')}); no rework spent`;
    case 'attempt.interrupted':
      return `${subject}attempt interrupted: ${event.data.reason}`;
    case 'attempt.aborted':
      return `${subject}attempt aborted: ${event.data.reason}`;
    case 'attempt.protected-path-reverted':
      return `${subject}reverted changes to protected paths: ${event.data.paths.join(', ')}`;
    case 'attempt.repository-tampered':
      return `${subject}the agent changed the repository outside its worktree: ${event.data.changes.map((c) => `${c.kind} ${c.name}${c.undone ? '' : ' (not undone)'}`).join(', ')}`;
    case 'attempt.limits-exceeded':
      return `${subject}left out files over the size limits (limits.max_file_mb ${event.data.limits.max_file_mb}, max_diff_mb ${event.data.limits.max_diff_mb}): ${event.data.paths.map((p) => `${p.path} (${(p.bytes / 1048576).toFixed(1)} MB)`).join(', ')}`;
    case 'attempt.processes-ended':
      return `${subject}ended ${event.data.pids.length} process${event.data.pids.length === 1 ? '' : 'es'} the previous engine left running (pid ${event.data.pids.join(', ')})`;
    case 'attempt.question-asked':
      return `${subject}agent asks: ${event.data.question}`;
    case 'attempt.question-escalated':
      return `${subject}the foreman asks a person${event.data.confidence === null ? '' : ` (confidence ${event.data.confidence.toFixed(2)})`}: ${event.data.reason}${event.data.proposal === null ? '' : `; it proposes: ${event.data.proposal}`}`;
    case 'attempt.question-answered':
      return `${subject}answered by ${event.data.by}: ${event.data.answer}`;
    case 'evaluation.check-started':
      return `${subject}checking ${event.data.name}: ${event.data.command}`;
    case 'evaluation.completed':
      return event.data.passed
        ? `${subject}checks passed (${event.data.confidence})`
        : `${subject}checks failed: ${event.data.failed.join(', ')} (score ${event.data.score.toFixed(2)})`;
    case 'merge.conflicted':
      return `${subject}merge conflict${event.data.rebased ? ' after rebase' : ''}: ${event.data.files.join(', ')}`;
    case 'merge.rebased':
      return `${subject}rebased onto the integration branch at ${event.data.headCommit.slice(0, 8)}; checking it again before the merge`;
    case 'merge.completed':
      return `${subject}merged at ${event.data.commit.slice(0, 8)}`;
    case 'merge.health-checked': {
      const bad = event.data.checks.filter((c) => !c.passed);
      return event.data.passed
        ? `${subject}integration branch healthy after the merge (${event.data.checks.length} checks at ${event.data.commit.slice(0, 8)})`
        : `${subject}integration branch broken by the merge at ${event.data.commit.slice(0, 8)}: ${bad.map((c) => `${c.name} failed (exit ${c.exitCode ?? 'none'})`).join(', ')}`;
    }
    case 'merge.reverted':
      return `${subject}merge ${event.data.commit.slice(0, 8)} taken out of the integration branch (${event.data.how === 'reset' ? 'reset to the commit before it' : 'revert commit'}, now ${event.data.integrationHead.slice(0, 8)}): ${event.data.reason}`;
    case 'run.baseline-completed': {
      const bad = event.data.checks.filter((c) => !c.passed);
      const on = `checks on the base ${event.data.commit.slice(0, 8)}${event.data.cached ? ' (cached)' : ''}`;
      if (bad.length === 0) return `${on}: all ${event.data.checks.length} passed`;
      const names = bad.map(
        (c) => `${c.name} ${c.cannotRun ? 'cannot run' : `failed (exit ${c.exitCode ?? 'none'})`}`,
      );
      const allowed =
        event.data.policy === 'allow_preexisting'
          ? '; allowed as preexisting, tasks must not make them worse'
          : '';
      return `${on}: ${names.join(', ')}${allowed}`;
    }
    case 'run.no-checks':
      return `no checks found for this repository: tasks will pass unverified (yellow); ${event.data.hint}`;
    case 'evaluation.no-checks':
      return `${subject}${event.data.note} (yellow)`;
    case 'run.budget-exceeded':
      return `${describeBreach({ ...event.data, ...(event.taskId ? { taskId: event.taskId } : {}) })}; the run pauses once the work in flight ends`;
    case 'run.final-review': {
      const { review } = event.data;
      const met = review.criteria.filter((c) => c.verdict === 'met').length;
      const risks = review.critiques.length;
      return `final review of ${event.data.commit.slice(0, 8)}: ${review.status === 'parsed' ? `${met}/${review.criteria.length} criteria met, ${risks} open risk${risks === 1 ? '' : 's'}` : 'the reviewer could not tell'} — ${review.summary.split('\n')[0] ?? ''}`;
    }
    case 'run.budget-raised':
      return `budget raised: ${event.data.raises.map((r) => `${limitOwner(r.scope, r.limit, r.taskId)} ${formatFigure(r.limit, r.from)} → ${formatFigure(r.limit, r.to)}`).join(', ')}`;
  }
}
