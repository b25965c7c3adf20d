import { lstat, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactDeep, redactSecrets } from '../redact.js';

/** Session records a CLI keeps in its state directory: Claude Code's and Codex's are JSON lines. */
const RECORD_FILE = /\.(jsonl|json)$/;

/**
 * Redacts the session records an agent CLI wrote into the task's private state directory during
 * a session (Claude Code's `projects/…/<session>.jsonl`, Codex's rollouts): they hold the raw
 * output of every command the agent ran, so a key it printed would otherwise be kept under
 * `.gaffer/` in the clear. Each JSON line is parsed and its strings redacted (a PEM block inside a
 * string is whole there), so the file stays valid and a resume still reads it; a line that is not
 * JSON is redacted as text. Files older than `sinceMs` were redacted after an earlier session.
 */
export async function redactStateRecords(
  dir: string,
  secrets: readonly string[],
  sinceMs: number,
): Promise<void> {
  for (const file of await recordFiles(dir, sinceMs)) {
    const text = await readFile(file, 'utf8');
    const redacted = text
      .split('\n')
      .map((line) => redactLine(line, secrets))
      .join('\n');
    if (redacted === text) continue;
    // Whole or not at all: a reader (a resume) never sees half a file.
    const temporary = `${file}.gaffer-redacting`;
    await writeFile(temporary, redacted, { mode: 0o600 });
    await rename(temporary, file);
  }
}

function redactLine(line: string, secrets: readonly string[]): string {
  if (line.trim() === '') return line;
  try {
    const value: unknown = JSON.parse(line);
    const redacted = redactDeep(value, secrets);
    const again = JSON.stringify(redacted);
    return again === JSON.stringify(value) ? line : again;
  } catch {
    return redactSecrets(line, secrets);
  }
}

/** Regular files (never through a symlink) under `dir` that look like records and changed since `sinceMs`. */
async function recordFiles(dir: string, sinceMs: number): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string) => {
    const entries = await readdir(at, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && RECORD_FILE.test(entry.name)) {
        const info = await lstat(path).catch(() => undefined);
        if (info && info.mtimeMs >= sinceMs) found.push(path);
      }
    }
  };
  await walk(dir);
  return found;
}
