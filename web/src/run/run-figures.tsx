import type { BudgetLine, RunView, TaskStatus } from '../api/types';
import { formatCost, formatDuration, formatLimit, formatTokens } from '../format';
import { useNow } from './use-now';

/** Tasks that count towards progress: a superseded task was replaced, and its replacement counts. */
const counted = (status: TaskStatus) => status !== 'superseded';

/** Elapsed time, tokens and cost against the run's limits, and passed / total as a bar. */
export function RunFigures(props: { view: RunView; statuses: readonly TaskStatus[]; running: boolean }) {
  const { view, statuses, running } = props;
  const now = useNow(running);
  const start = Date.parse(view.run.createdAt);
  const end = view.run.finishedAt ? Date.parse(view.run.finishedAt) : now;
  const total = statuses.filter(counted).length;
  const passed = statuses.filter((s) => s === 'passed').length;
  const tokens = view.usage.inputTokens + view.usage.outputTokens;
  const runLimit = (limit: string) =>
    view.budget?.lines.find((l: BudgetLine) => l.scope === 'run' && l.limit === limit);
  const costLimit = runLimit('cost_usd');
  const tokenLimit = runLimit('tokens');
  return (
    <div className="run-figures">
      <div className="progress" data-passed={passed} data-total={total}>
        <label htmlFor="run-progress">
          Progress <strong>{`${passed}/${total}`}</strong> passed
        </label>
        <progress id="run-progress" max={Math.max(total, 1)} value={passed}>
          {`${passed}/${total}`}
        </progress>
      </div>
      <Figure label="Elapsed" value={formatDuration(end - start)} />
      <Figure
        label="Tokens"
        value={formatTokens(tokens)}
        of={tokenLimit && formatLimit('tokens', tokenLimit.max)}
        ratio={tokenLimit && tokens / tokenLimit.max}
      />
      <Figure
        label="Cost"
        value={formatCost(view.usage.costUsd)}
        of={costLimit && formatLimit('cost_usd', costLimit.max)}
        ratio={costLimit && view.usage.costUsd / costLimit.max}
      />
    </div>
  );
}

function Figure(props: {
  label: string;
  value: string;
  of?: string | undefined;
  ratio?: number | undefined;
}) {
  const over = props.ratio !== undefined && props.ratio >= 0.8;
  return (
    <div className={`figure${over ? ' figure-warn' : ''}`}>
      <span className="figure-label">{props.label}</span>
      <span className="figure-value">
        {props.value}
        {props.of !== undefined && <span className="figure-of"> of {props.of} budget</span>}
        {over && <span className="figure-note"> (near the limit)</span>}
      </span>
    </div>
  );
}
