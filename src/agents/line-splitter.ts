/** Longest line we hold back waiting for a newline; past it the partial line is emitted as is. */
const MAX_LINE_CHARS = 16_000;

/** Turns arbitrary output chunks into whole lines. */
export interface LineSplitter {
  write(chunk: string): void;
  /** Emits a trailing line that has no newline yet; call once the stream has ended. */
  flush(): void;
}

/** Creates a {@link LineSplitter} calling `onLine` with every line, without its `\n` or `\r\n`. */
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  let pending = '';
  const emit = (line: string) => onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  return {
    write(chunk) {
      // Lines are cut straight from the chunk: one string each, no copy of what remains after it.
      let start = 0;
      let newline = chunk.indexOf('\n');
      while (newline !== -1) {
        const line = chunk.slice(start, newline);
        emit(pending === '' ? line : pending + line);
        pending = '';
        start = newline + 1;
        newline = chunk.indexOf('\n', start);
      }
      if (start < chunk.length) pending += start === 0 ? chunk : chunk.slice(start);
      if (pending.length > MAX_LINE_CHARS) {
        emit(pending);
        pending = '';
      }
    },
    flush() {
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}

/** The last `count` non-empty lines of `text`, for error messages that quote a process's output. */
export function lastLines(text: string, count: number): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.slice(-count).join('\n');
}
