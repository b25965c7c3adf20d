import type { StoredEvent } from '../api/types';

/** A line about an event: its type, its task and the detail worth reading. */
function describe(event: StoredEvent): string {
  const data = event.data as Record<string, unknown>;
  const detail = ['reason', 'why', 'question', 'error', 'warning']
    .map((k) => data[k])
    .find((v) => typeof v === 'string');
  return `${event.type}${event.taskId ? ` ${event.taskId}` : ''}${typeof detail === 'string' ? ` — ${detail}` : ''}`;
}

/** The newest events of the run, newest first: what just happened, in the log's own words. */
export function ActivityList(props: { events: readonly StoredEvent[] }) {
  const newest = props.events.slice(-30).reverse();
  return (
    <section className="activity" aria-labelledby="activity-title">
      <h3 id="activity-title">Latest events</h3>
      <ol className="activity-list">
        {newest.map((e) => (
          <li key={e.id} data-event-id={e.id}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time> {describe(e)}
          </li>
        ))}
      </ol>
    </section>
  );
}
