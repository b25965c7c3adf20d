import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { RunStatus, TaskStatus } from '../api/types';
import { Link } from '../common/link';
import { ActivityList } from './activity-list';
import { Inbox } from './inbox';
import { RunControls } from './run-controls';
import { RunFigures } from './run-figures';
import { TaskGraph } from './task-graph';
import type { GraphNodeTask } from './task-graph';
import { TaskPanel } from '../task/task-panel';
import { UsageChart } from './usage-chart';
import { useRunEvents } from './use-run-events';
import type { StreamState } from './use-run-events';
import { useRunView } from './use-run-view';

/** How often a stopped run's view is read, to notice it was resumed elsewhere (CLI, another tab). */
const STOPPED_POLL_MS = 1500;

const ended = (s: RunStatus) => s === 'completed' || s === 'failed' || s === 'cancelled';

const STREAM_LABEL: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: '● live',
  reconnecting: 'reconnecting…',
  offline: 'offline',
  ended: 'stopped',
};

/** One run: its graph live from the event stream, its figures, its inbox and a task's panel. */
export function RunPage(props: { api: ApiClient; runId: string; navigate: (path: string) => void }) {
  const { api, runId, navigate } = props;
  const { view, error, refresh } = useRunView(runId, api);
  const { live, stream, reconnect } = useRunEvents(runId, api, refresh);
  const [selected, setSelected] = useState<string | null>(null);
  const runStatus: RunStatus | undefined = live.runStatus ?? view?.run.status;

  // The server ends the stream when the run stops. Once the view says it runs again (a decision
  // or a resume from here or elsewhere), read on from the cursor.
  useEffect(() => {
    if (stream !== 'ended' || !view || ended(view.run.status)) return;
    if (view.run.status === 'running' || view.driven) return reconnect();
    const timer = setInterval(refresh, STOPPED_POLL_MS);
    return () => clearInterval(timer);
  }, [stream, view, reconnect, refresh]);
  useEffect(() => {
    if (live.planChanged) refresh();
  }, [live.planChanged, refresh]);
  useEffect(() => {
    const close = (e: KeyboardEvent) => e.key === 'Escape' && setSelected(null);
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, []);

  const statusOf = useCallback(
    (taskId: string, fallback: TaskStatus): TaskStatus => live.taskStatus[taskId] ?? fallback,
    [live.taskStatus],
  );
  const graphTasks = useMemo((): GraphNodeTask[] => {
    if (!view) return [];
    const plan = new Map(view.run.plan.tasks.map((t) => [t.id, t]));
    return view.tasks.map((t) => ({
      id: t.taskId,
      title: t.title,
      dependsOn: plan.get(t.taskId)?.depends_on ?? [],
      status: statusOf(t.taskId, t.status),
    }));
  }, [view, statusOf]);
  const afterAction = useCallback(
    (resumed: boolean) => {
      refresh();
      if (resumed) reconnect();
    },
    [refresh, reconnect],
  );

  const debug = {
    'data-stream': stream,
    'data-run-status': runStatus,
    'data-events-received': live.received,
    'data-event-ids': live.appliedIds.join(','),
  };
  if (!view)
    return (
      <main className="run-page" {...debug}>
        {error ? (
          <p className="error-text" role="alert">
            {error.message}
          </p>
        ) : (
          <p className="muted">Loading run {runId}…</p>
        )}
      </main>
    );
  const titleOf = (taskId: string) => view.tasks.find((t) => t.taskId === taskId)?.title ?? taskId;
  const task = selected === null ? undefined : view.tasks.find((t) => t.taskId === selected);
  const planTask = task && view.run.plan.tasks.find((t) => t.id === task.taskId);
  const status = runStatus ?? view.run.status;
  return (
    <main className="run-page" {...debug}>
      <div className="run-head">
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <Link to="/" navigate={navigate}>
            Runs
          </Link>{' '}
          / <h2>{view.run.id}</h2>
        </nav>
        <span className={`run-status run-${status}`} data-testid="run-status">
          {status}
          {view.liveness === 'owner-gone' && ' (interrupted: its engine is gone)'}
        </span>
        <span className={`stream stream-${stream}`} aria-live="polite">
          events: {STREAM_LABEL[stream]}
        </span>
        <RunControls
          api={api}
          runId={view.run.id}
          status={status}
          orphaned={view.liveness === 'owner-gone'}
          onDone={afterAction}
        />
      </div>
      {view.run.reason && status !== 'running' && <p className="run-reason">{view.run.reason}</p>}
      {view.server.driveError && (
        <p className="error-text" role="alert">
          The drive stopped: {view.server.driveError.message}
        </p>
      )}
      <RunFigures view={view} statuses={graphTasks.map((t) => t.status)} running={status === 'running'} />
      <div className="run-body">
        <div className="run-main">
          <TaskGraph tasks={graphTasks} selected={selected} onOpen={setSelected} />
          <div className="run-lower">
            <UsageChart tasks={view.tasks} />
            <ActivityList events={live.recent} />
          </div>
        </div>
        <aside className="run-side" aria-label="Details">
          <Inbox
            api={api}
            approvals={view.openApprovals}
            questions={view.openQuestions}
            titleOf={titleOf}
            onDecided={afterAction}
          />
          {task && planTask && (
            <TaskPanel
              api={api}
              task={planTask}
              status={statusOf(task.taskId, task.status)}
              reason={task.reason}
              attempts={view.attempts.filter((a) => a.taskId === task.taskId)}
              onClose={() => setSelected(null)}
            />
          )}
          {!task && (
            <p className="muted hint">Choose a task in the graph (click it, or Tab to it and press Enter).</p>
          )}
        </aside>
      </div>
    </main>
  );
}
