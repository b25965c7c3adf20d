import type { PlanIssue } from '../domain/index.js';

const HINT = 'pass the YAML plan itself (e.g. plan.yaml); `gaffer demo` writes an example';

// Formats someone might pass by mistake, by their first bytes (as read through UTF-8 decoding,
// which turns a byte above 0x7f into U+FFFD).
const SIGNATURES: readonly (readonly [string, string])[] = [
  ['\uFFFDPNG\r\n', 'a PNG image'],
  ['GIF87a', 'a GIF image'],
  ['GIF89a', 'a GIF image'],
  ['\uFFFD\uFFFD\uFFFD', 'a JPEG image or other binary data'],
  ['%PDF-', 'a PDF document'],
  ['PK\u0003\u0004', 'a zip archive'],
  ['\u007fELF', 'a program'],
  ['SQLite format 3\0', 'a SQLite database'],
];

/**
 * The one issue for a plan that is not text at all (an image renamed plan.yaml, a database):
 * YAML would parse the bytes into nonsense and report it as a confusing schema error. Text is
 * binary when it holds a NUL character, which no YAML file can contain.
 */
export function notTextIssue(file: string, text: string): PlanIssue | undefined {
  const nul = text.indexOf('\0');
  if (nul === -1) return undefined;
  const known = SIGNATURES.find(([prefix]) => text.startsWith(prefix))?.[1];
  const before = text.slice(0, nul);
  const line = before.split('\n').length;
  const column = nul - before.lastIndexOf('\n');
  const what =
    known === undefined
      ? `it contains a NUL byte at line ${line}, column ${column}`
      : `it looks like ${known}`;
  return {
    file,
    line: 1,
    column: 1,
    kind: 'not-text',
    message: `${file} is not a text file (${what})`,
    hint: HINT,
  };
}

/**
 * The issue for bytes that are not UTF-8 (a plan saved as Latin-1, say), positioned at the
 * first bad byte; undefined for valid UTF-8.
 */
export function notUtf8Issue(file: string, bytes: Uint8Array): PlanIssue | undefined {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    // Decoded leniently, the first bad byte is the first U+FFFD (a genuine U+FFFD before it, in
    // a plan, is not worth a second pass).
    const text = new TextDecoder('utf-8').decode(bytes);
    const before = text.slice(0, Math.max(0, text.indexOf('\uFFFD')));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    const byte = (bytes[Buffer.byteLength(before)] ?? 0).toString(16).padStart(2, '0');
    return {
      file,
      line,
      column,
      kind: 'not-text',
      message: `${file} is not UTF-8 text (byte 0x${byte} at line ${line}, column ${column})`,
      hint: 'save the plan as UTF-8',
    };
  }
}
