import { readFileSync } from 'node:fs';

/**
 * Gaffer's version, from its package.json: two levels up both from `src/cli` (tests, tsx) and
 * from `dist/cli` (the built binary), so one path serves both.
 */
export function gafferVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
