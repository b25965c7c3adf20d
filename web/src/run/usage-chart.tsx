import type { TaskView } from '../api/types';
import { formatCost, formatTokens } from '../format';

const ROW = 22;
const LABEL_W = 130;
const BAR_W = 100;
const VALUE_W = 50;

/**
 * Tokens and cost per task as plain SVG bars, each with its figure in text (the bar only gives
 * the proportion). Tasks that spent nothing are left out.
 */
export function UsageChart(props: { tasks: readonly TaskView[] }) {
  const rows = props.tasks
    .map((t) => ({
      id: t.taskId,
      title: t.title,
      tokens: t.usage.inputTokens + t.usage.outputTokens,
      cost: t.usage.costUsd,
    }))
    .filter((r) => r.tokens > 0 || r.cost > 0);
  if (rows.length === 0)
    return (
      <section className="usage-chart" aria-labelledby="usage-title">
        <h3 id="usage-title">Usage per task</h3>
        <p className="muted">No task has reported usage yet.</p>
      </section>
    );
  const maxTokens = Math.max(...rows.map((r) => r.tokens), 1);
  const maxCost = Math.max(...rows.map((r) => r.cost), 1e-9);
  const width = LABEL_W + 2 * (BAR_W + VALUE_W) + 20;
  const height = ROW * (rows.length + 1);
  return (
    <section className="usage-chart" aria-labelledby="usage-title">
      <h3 id="usage-title">Usage per task</h3>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label="Tokens and cost per task"
      >
        <text x={LABEL_W} y={14} className="chart-head">
          tokens
        </text>
        <text x={LABEL_W + BAR_W + VALUE_W + 10} y={14} className="chart-head">
          cost
        </text>
        {rows.map((r, i) => {
          const y = ROW * (i + 1);
          const tokenW = (r.tokens / maxTokens) * BAR_W;
          const costW = (r.cost / maxCost) * BAR_W;
          const costX = LABEL_W + BAR_W + VALUE_W + 10;
          return (
            <g key={r.id} data-usage-task={r.id}>
              <title>{`${r.title}: ${formatTokens(r.tokens)} tokens, ${formatCost(r.cost)}`}</title>
              <text x={LABEL_W - 8} y={y + 14} textAnchor="end" className="chart-label">
                {r.title.length > 19 ? `${r.title.slice(0, 18)}…` : r.title}
              </text>
              <rect
                x={LABEL_W}
                y={y + 4}
                width={Math.max(tokenW, 1)}
                height={ROW - 8}
                className="bar-tokens"
              />
              <text x={LABEL_W + tokenW + 4} y={y + 14} className="chart-value">
                {formatTokens(r.tokens)}
              </text>
              <rect x={costX} y={y + 4} width={Math.max(costW, 1)} height={ROW - 8} className="bar-cost" />
              <text x={costX + costW + 4} y={y + 14} className="chart-value">
                {formatCost(r.cost)}
              </text>
            </g>
          );
        })}
      </svg>
    </section>
  );
}
