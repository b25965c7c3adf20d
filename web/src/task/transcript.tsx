import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TranscriptLine } from '../api/types';
import type { TranscriptRow } from './transcript-rows';
import { toolSummary, transcriptRows } from './transcript-rows';

/**
 * An attempt's transcript, virtualised: however many thousand lines the agent printed, only the
 * rows in view (and a few around) are in the DOM. Rows are measured as they render, since a tool
 * call grows when opened. While it is live and scrolled to the end, it follows new lines.
 */
export function Transcript(props: { lines: readonly TranscriptLine[]; live: boolean }) {
  const rows = useMemo(() => transcriptRows(props.lines), [props.lines]);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 22,
    overscan: 12,
  });

  useEffect(() => {
    if (props.live && following.current && rows.length > 0)
      virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [rows.length, props.live, virtualizer]);

  const toggle = (index: number) =>
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(index)) next.add(index);
      return next;
    });

  if (rows.length === 0)
    return <p className="muted">{props.live ? 'The agent has said nothing yet.' : 'Empty transcript.'}</p>;
  return (
    <div
      className="transcript"
      ref={scroller}
      tabIndex={0}
      role="log"
      aria-label={`Transcript, ${rows.length} rows`}
      data-row-count={rows.length}
      onScroll={(e) => {
        const el = e.currentTarget;
        following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <div
              key={item.key}
              data-index={item.index}
              data-transcript-row=""
              ref={virtualizer.measureElement}
              className={`transcript-row row-${row.kind}`}
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                width: '100%',
                transform: `translateY(${item.start}px)`,
              }}
            >
              <RowBody row={row} open={open.has(item.index)} onToggle={() => toggle(item.index)} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

function RowBody(props: { row: TranscriptRow; open: boolean; onToggle: () => void }) {
  const { row } = props;
  switch (row.kind) {
    case 'text':
      return <div className="row-text-body">{row.text}</div>;
    case 'output':
      return <code className={row.stream === 'stderr' ? 'stderr' : undefined}>{row.text}</code>;
    case 'note':
      return <div className={`note-${row.tone}`}>{row.text}</div>;
    case 'tool':
      return (
        <>
          <button type="button" className="tool-toggle" aria-expanded={props.open} onClick={props.onToggle}>
            <span aria-hidden="true">{props.open ? '▾' : '▸'}</span> <strong>{row.name}</strong>{' '}
            <span className="tool-summary">{toolSummary(row.input)}</span>
            {row.result?.isError && <span className="tool-error"> (failed)</span>}
            {!row.result && <span className="muted"> (no result yet)</span>}
          </button>
          {props.open && (
            <div className="tool-details">
              <pre>{JSON.stringify(row.input, null, 2)}</pre>
              {row.result && (
                <pre className={row.result.isError ? 'stderr' : undefined}>{row.result.output}</pre>
              )}
            </div>
          )}
        </>
      );
  }
}
