import type { ApiClient } from '../api/client';
import type { AttemptDiff } from '../api/types';
import { useLoaded } from '../common/use-loaded';

/** Past this many lines the patch is shown as plain text: one element per line would be too heavy. */
const COLOURED_LINES = 5000;

/** What an attempt changed, from `GET /api/attempts/:id/diff`. */
export function DiffView(props: { api: ApiClient; attemptId: string; version: string }) {
  const { api, attemptId, version } = props;
  const diff = useLoaded<AttemptDiff>(`${attemptId}@${version}`, () => api.diff(attemptId));
  if (diff.state === 'loading') return <p className="muted">Loading the diff…</p>;
  if (diff.state === 'failed') return <p className="error-text">{diff.error}</p>;
  const d = diff.value;
  if (!d.available) return <p className="muted">Its commit is no longer in the repository.</p>;
  if (d.headCommit === null)
    return <p className="muted">No commit yet: the attempt has changed nothing so far.</p>;
  const lines = d.patch.split('\n');
  return (
    <div className="diff">
      <p>
        {d.files.length} file{d.files.length === 1 ? '' : 's'}, <span className="added">+{d.insertions}</span>{' '}
        <span className="removed">−{d.deletions}</span>
        {d.truncated && <strong> (cut: the patch is too big to show whole)</strong>}
      </p>
      <pre className="patch" tabIndex={0} aria-label="Patch">
        {lines.length > COLOURED_LINES
          ? d.patch
          : lines.map((line, i) => (
              <span key={i} className={lineClass(line)}>
                {line}
                {'\n'}
              </span>
            ))}
      </pre>
    </div>
  );
}

function lineClass(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ')) return 'file';
  if (line.startsWith('+')) return 'added';
  if (line.startsWith('-')) return 'removed';
  if (line.startsWith('@@')) return 'hunk';
  return undefined;
}
