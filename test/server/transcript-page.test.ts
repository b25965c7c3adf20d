import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../../src/domain/index.js';
import type { TranscriptLine } from '../../src/engine/index.js';
import { runReaches, serverFor, QUICK_PLAN } from './harness.js';

const LINES = 10_000;
/** Not JSON: one before the page asked for, one inside it. */
const BAD_OUTSIDE = 100;
const BAD_INSIDE = 5_050;

/** The text of line `i`: not ASCII, so a character cut by a chunk's end must be put together again. */
const textAt = (i: number) => `line ${i} – ünïcode`;

/** A transcript of {@link LINES} lines, two of them broken, and a last line cut short. */
function bigTranscript(): string {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++)
    lines.push(
      i === BAD_OUTSIDE || i === BAD_INSIDE
        ? '{"at":"2026-01-01T00:00:00.000Z","event":{"type":"te'
        : JSON.stringify({ at: '2026-01-01T00:00:00.000Z', event: { type: 'text', text: textAt(i) } }),
    );
  // A writer halfway through a line: not a line yet.
  return `${lines.join('\n')}\n{"at":"2026-01-01T00:00:00.000Z","eve`;
}

/** A completed run's attempt, its transcript replaced by {@link bigTranscript}. */
async function attemptWithBigTranscript() {
  const server = await serverFor(QUICK_PLAN);
  const started = await server.api<{ run: RunRecord }>('POST', '/api/runs', { body: { plan: 'plan.yaml' } });
  await runReaches(server.engine, started.body.run.id, 'completed');
  await server.app.drives.settled(started.body.run.id);
  const [attempt] = await server.engine.attempts(started.body.run.id);
  writeFileSync(attempt!.transcriptPath!, bigTranscript());
  return { ...server, attempt: attempt! };
}

const textOf = (line: TranscriptLine | undefined) =>
  line?.event.type === 'text' ? line.event.text : undefined;

afterEach(() => vi.restoreAllMocks());

describe('GET /api/attempts/:id/transcript, paged', () => {
  it('serves a page from the middle of a long transcript, unaffected by broken lines outside it', async () => {
    const { api, attempt } = await attemptWithBigTranscript();
    // 2000 lines of about 100 bytes: some of them straddle the 64 KiB chunks the file is read in.
    const page = await api<{
      attemptId: string;
      lines: TranscriptLine[];
      from: number;
      next: number;
      total: number;
    }>('GET', `/api/attempts/${attempt.id}/transcript?from=5000&limit=2000`);
    expect(page.status).toBe(200);
    // The line cut short at the end is not counted; the broken ones are (nothing outside the page is parsed).
    expect(page.body).toMatchObject({ attemptId: attempt.id, from: 5000, next: 7000, total: LINES });
    const texts = page.body.lines.map(textOf);
    // The broken line inside the page keeps its place, as a note.
    expect(texts[BAD_INSIDE - 5000]).toMatch(/^\[gaffer: line 5050 .* could not be read/);
    expect(texts).toEqual(
      Array.from({ length: 2000 }, (_, i) =>
        5000 + i === BAD_INSIDE ? texts[BAD_INSIDE - 5000] : textAt(5000 + i),
      ),
    );

    const last = await api<{ lines: TranscriptLine[]; next: number; total: number }>(
      'GET',
      `/api/attempts/${attempt.id}/transcript?from=9990`,
    );
    expect(last.body).toMatchObject({ next: LINES, total: LINES });
    expect(last.body.lines.map(textOf)).toEqual(Array.from({ length: 10 }, (_, i) => textAt(9990 + i)));
    const past = await api('GET', `/api/attempts/${attempt.id}/transcript?from=20000`);
    expect(past.body).toMatchObject({ lines: [], from: 20000, next: 20000, total: LINES });
  });

  it('parses only the lines of the page', async () => {
    const { engine, attempt } = await attemptWithBigTranscript();
    const parse = vi.spyOn(JSON, 'parse');
    const page = await engine.transcriptPage(attempt, 5000, 100);
    expect(page.lines).toHaveLength(100);
    expect(parse.mock.calls.length).toBeLessThanOrEqual(100);
  });
});
